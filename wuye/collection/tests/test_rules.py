"""The collection desk's seed rules: settings with the seed's default, pinned with fixed dates."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from wuye.collection import rules
from wuye.collection.services import log_contact
from wuye.core.errors import InvalidInput
from wuye.people.access import actor_for


def test_the_defaults_are_the_seed():
    assert (rules.broken_after_days(), rules.promise_max_days()) == (3, 90)


def test_a_promise_for_12_05_is_broken_from_12_08(settings):
    assert rules.broken_if_promised_by(date(2026, 12, 7)) < date(2026, 12, 5)
    assert rules.broken_if_promised_by(date(2026, 12, 8)) == date(2026, 12, 5)
    settings.WUYE_COLLECTION_BROKEN_AFTER_DAYS = 7
    assert rules.broken_if_promised_by(date(2026, 12, 12)) == date(2026, 12, 5)


def test_a_promise_is_at_most_90_days_ahead(desk, world, settings):
    caiwu = actor_for(world.user("caiwu"))
    unit = desk.units[0]
    with time_machine.travel("2026-12-01 10:00 +0800", tick=False):
        log_contact(caiwu, unit, method="call", outcome="promised", promised_on=date(2027, 3, 1))  # 90 days
        with pytest.raises(InvalidInput):
            log_contact(caiwu, unit, method="call", outcome="promised", promised_on=date(2027, 3, 2))
        settings.WUYE_COLLECTION_PROMISE_MAX_DAYS = 120
        log_contact(caiwu, unit, method="call", outcome="promised", promised_on=date(2027, 3, 2))
