"""The collection desk's seed rules: settings with the seed's default (pinned by tests/test_rules.py)."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings

# A promise to pay counts as broken WUYE_COLLECTION_BROKEN_AFTER_DAYS (3) days after the promised date when nothing
# was paid since the promise (a bank transfer made on the day takes a day or two to show): promised for 12-05, broken
# from 12-08. A household may promise at most WUYE_COLLECTION_PROMISE_MAX_DAYS (90) ahead: beyond that the desk
# agrees a payment plan, not a promise. Both are settings (settings.py holds their one default).


def broken_after_days() -> int:
    return settings.WUYE_COLLECTION_BROKEN_AFTER_DAYS


def promise_max_days() -> int:
    return settings.WUYE_COLLECTION_PROMISE_MAX_DAYS


def broken_if_promised_by(today: date) -> date:
    """A promise dated this day or earlier (and not kept) is broken on `today`."""
    return today - timedelta(days=broken_after_days())
