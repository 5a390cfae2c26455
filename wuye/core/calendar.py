"""The working calendar (工作日历): the one place that knows which days and hours are worked.

Statutory holidays and adjusted working days (调休) come from `chinesecalendar`; a project's calendar adds its
own working hours and date overrides. For years the package does not know yet, Monday–Friday are working days
(plus overrides) — a deadline is never refused because the State Council has not published next year's plan.

Every working-time computation in the product calls this module; nothing else checks weekdays.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import chinese_calendar
from django.conf import settings

DEFAULT_PERIODS: tuple[tuple[time, time], ...] = ((time(8, 0), time(12, 0)), (time(13, 0), time(17, 0)))
# A calendar whose overrides made every day a rest day would loop forever; ten years is far past any SLA target.
_MAX_DAYS = 3660


@lru_cache(maxsize=4096)
def statutory_working_day(day: date) -> bool:
    """Whether the State Council calendar makes `day` a working day; weekdays for years it does not cover."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def statutory_calendar_covers(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


class WorkingCalendar:
    """Working periods per day plus date overrides; pure computation, no database access.

    Build one with `calendar_for(project)` and reuse it for many computations (a sweep over many clocks).
    """

    def __init__(
        self,
        periods: Iterable[tuple[time, time]] = DEFAULT_PERIODS,
        overrides: Mapping[date, bool] | None = None,
        tz: str | None = None,
    ):
        self.periods = tuple(sorted(periods))
        if not self.periods or any(start >= end for start, end in self.periods):
            raise ValueError("A working calendar needs at least one non-empty working period.")
        for (_, end), (next_start, _) in zip(self.periods, self.periods[1:], strict=False):
            if end > next_start:
                raise ValueError("Working periods must not overlap.")
        self.overrides = dict(overrides or {})
        self.tz = ZoneInfo(tz or settings.TIME_ZONE)

    @property
    def day_length(self) -> timedelta:
        """Working time in one full working day (8 h with the default hours)."""
        return sum(
            (datetime.combine(date.min, end) - datetime.combine(date.min, start) for start, end in self.periods),
            timedelta(),
        )

    def is_working_day(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        return statutory_working_day(day)

    def _local(self, moment: datetime) -> datetime:
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError("Working-time computations need timezone-aware datetimes.")
        return moment.astimezone(self.tz)

    def _working_periods(self, day: date):
        if self.is_working_day(day):
            for start, end in self.periods:
                yield datetime.combine(day, start, self.tz), datetime.combine(day, end, self.tz)

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The earliest instant by which `duration` of working time has passed since `start`.

        The result always lies inside a working period (its end included). A zero duration moves `start`
        forward to the next working instant.
        """
        if duration < timedelta(0):
            raise ValueError("Working time to add must not be negative.")
        cursor = self._local(start)
        remaining = duration
        day = cursor.date()
        for _ in range(_MAX_DAYS):
            for period_start, period_end in self._working_periods(day):
                if period_end <= cursor:
                    continue
                begin = max(cursor, period_start)
                available = period_end - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
            day += timedelta(days=1)
        raise ValueError("No working time found within ten years; check the calendar's overrides.")

    def between(self, a: datetime, b: datetime) -> timedelta:
        """Working time elapsed from `a` to `b` (negative when `b` is before `a`)."""
        a, b = self._local(a), self._local(b)
        if b < a:
            return -self.between(b, a)
        total = timedelta(0)
        day = a.date()
        while day <= b.date():
            for period_start, period_end in self._working_periods(day):
                overlap = min(b, period_end) - max(a, period_start)
                if overlap > timedelta(0):
                    total += overlap
            day += timedelta(days=1)
        return total


def calendar_for(project=None) -> WorkingCalendar:
    """The working calendar of a project (anything with a `work_calendar` attribute), or the default one."""
    work_calendar = getattr(project, "work_calendar", None) if project is not None else None
    if work_calendar is None:
        return WorkingCalendar()
    return WorkingCalendar(
        periods=(
            (work_calendar.morning_start, work_calendar.morning_end),
            (work_calendar.afternoon_start, work_calendar.afternoon_end),
        ),
        overrides=dict(work_calendar.overrides.values_list("date", "is_working_day")),
    )


def is_working_day(day: date, project=None) -> bool:
    return calendar_for(project).is_working_day(day)


def add_working_time(start: datetime, duration: timedelta, project=None) -> datetime:
    return calendar_for(project).add(start, duration)


def working_time_between(a: datetime, b: datetime, project=None) -> timedelta:
    return calendar_for(project).between(a, b)
