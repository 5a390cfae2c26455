"""Billing periods: a period is a month, given by its first day. One place to read a month typed by a person, check
a period, and step from month to month."""

from __future__ import annotations

import calendar
import re
from datetime import date

from django.utils.translation import gettext as _

from wuye.core.errors import InvalidInput
from wuye.core.validators import check_plausible_date

MONTH = re.compile(r"(\d{4})-(\d{1,2})(?:-01)?")


def parse_month(value: str, field: str) -> date:
    """'2026-11' (or '2026-11-01') → date(2026, 11, 1); anything else, or a month outside the plausible window
    (`core.validators.date_window`), raises InvalidInput naming `field`."""
    match = MONTH.fullmatch((value or "").strip())
    if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 1:
        raise InvalidInput(field, _("Give a month as YYYY-MM, e.g. 2026-11."))
    return check_period(date(int(match[1]), int(match[2]), 1), field)


def check_period(period: date, field: str = "period") -> date:
    """The period itself if it is the first day of a month in the plausible window (year 0103 or 9999 is a typing
    error), else InvalidInput naming `field`."""
    if period.day != 1:
        raise InvalidInput(field, _("A period starts on the first day of a month."))
    try:
        check_plausible_date(period)
    except ValueError as error:
        raise InvalidInput(field, str(error)) from None
    return period


def add_months(period: date, n: int) -> date:
    """The first day of the month `n` months after (or, negative, before) the month of `period`."""
    index = period.year * 12 + period.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def period_end(period: date) -> date:
    """The last day of the month of `period`."""
    return period.replace(day=calendar.monthrange(period.year, period.month)[1])
