"""The working calendar (工作日历): the one place that knows which days and hours are worked.

Which days the State Council makes rest days and working days (调休) comes, per year, from the first source that
has the year:

1. a schedule an administrator imported (`import_statutory_schedule`, the console page or
   `manage.py import_holidays`) — the official notice, replacing everything below for that year;
2. `chinesecalendar` (official data, 2004–2026 in version 1.11);
3. python-holidays' `China`, which computes the lunar festivals of any year up to 2100 (and the 调休 days it
   knows) — a good guess before the notice is out, never "confirmed";
4. Monday–Friday.

A project's calendar adds its own working hours and date overrides on top. Every working-time computation in the
product calls this module; nothing else checks weekdays.
"""

from __future__ import annotations

import re
import threading
import time as monotonic_time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import chinese_calendar
import holidays
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

DEFAULT_PERIODS: tuple[tuple[time, time], ...] = ((time(8, 0), time(12, 0)), (time(13, 0), time(17, 0)))
# A calendar whose overrides made every day a rest day would loop forever; ten years is far past any SLA target.
_MAX_DAYS = 3660
# Another process (the scheduler, a second web worker) sees an import at most this long after it was committed.
IMPORT_REFRESH_SECONDS = 60
# From this month on, next year's schedule should be confirmed (the State Council publishes it in autumn).
WARN_FROM_MONTH = 11


class Source:
    IMPORTED = "imported"
    CHINESECALENDAR = "chinesecalendar"
    HOLIDAYS = "holidays"
    WEEKDAYS = "weekdays"


@dataclass(frozen=True)
class YearSchedule:
    """The working days of one year, precomputed once: a lookup is one set membership test."""

    year: int
    working: frozenset[date]
    source: str

    def is_working_day(self, day: date) -> bool:
        return day in self.working


def _days_of(year: int):
    day = date(year, 1, 1)
    while day.year == year:
        yield day
        day += timedelta(days=1)


def statutory_calendar_covers(year: int) -> bool:
    """Whether chinesecalendar (official data) knows `year`."""
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


@lru_cache(maxsize=256)
def _china_holidays(year: int) -> holidays.HolidayBase:
    return holidays.China(years=year, language="zh_CN")


@lru_cache(maxsize=256)
def library_schedule(year: int) -> YearSchedule:
    """`year` from the libraries alone: chinesecalendar, else python-holidays, else Monday–Friday."""
    if statutory_calendar_covers(year):
        return YearSchedule(year, frozenset(d for d in _days_of(year) if chinese_calendar.is_workday(d)),
                            Source.CHINESECALENDAR)
    china = _china_holidays(year)
    if china:
        # weekend_workdays holds the 调休 Saturdays/Sundays python-holidays knows (of every year it has loaded).
        extra = {d for d in china.weekend_workdays if d.year == year}
        working = {d for d in _days_of(year) if (d.weekday() < 5 and d not in china) or d in extra}
        return YearSchedule(year, frozenset(working), Source.HOLIDAYS)
    return YearSchedule(year, frozenset(d for d in _days_of(year) if d.weekday() < 5), Source.WEEKDAYS)


def statutory_working_day(day: date) -> bool:
    """Whether the libraries make `day` a working day (imported schedules not included; see `statutory()`)."""
    return library_schedule(day.year).is_working_day(day)


def schedule_text(days: Iterable[tuple[date, bool, str]]) -> str:
    """Days (date, is working, name) as the lines the import reads, consecutive days of one kind as a range:
    `2027-02-05..2027-02-10 off 农历除夕、春节`."""
    groups: list[list] = []
    for day, working, name in sorted(days):
        names = [n for n in (part.strip().replace("（补假）", "") for part in name.split(";"))
                 if n and not n.startswith("休息日")]  # python-holidays' "day off (from … 调休)" says nothing new
        if groups and groups[-1][1] == day - timedelta(days=1) and groups[-1][2] == working:
            groups[-1][1] = day
            groups[-1][3].extend(n for n in names if n not in groups[-1][3])
        else:
            groups.append([day, day, working, names])
    return "\n".join(
        f"{first.isoformat()}{'..' + last.isoformat() if last != first else ''} {'work' if working else 'off'}"
        + (f" {'、'.join(names)}" if names else "") for first, last, working, names in groups)


def library_days(year: int) -> list[tuple[date, bool, str]]:
    """The libraries' days of `year` that an official schedule would list: holidays (with the weekend days inside
    them) and adjusted working days — what the import form offers to check against the State Council's notice."""
    schedule = library_schedule(year)
    names = _china_holidays(year)
    days = []
    for day in _days_of(year):
        working = schedule.is_working_day(day)
        if working != (day.weekday() < 5) or (day in names and not working):
            days.append((day, working, str(names.get(day, ""))))
    return days


# -- imported schedules: loaded from the database, cached per process ------------------------------------------
class _ImportedCache:
    """Imported schedules by year, reloaded when invalidated (after an import in this process) or when older than
    IMPORT_REFRESH_SECONDS (an import in another process)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._years: dict[int, YearSchedule] | None = None
        self._loaded_at = 0.0

    def invalidate(self) -> None:
        self._years = None

    def years(self) -> dict[int, YearSchedule]:
        years = self._years
        if years is not None and monotonic_time.monotonic() - self._loaded_at < IMPORT_REFRESH_SECONDS:
            return years
        with self._lock:
            years = self._load()
            self._years, self._loaded_at = years, monotonic_time.monotonic()
        return years

    @staticmethod
    def _load() -> dict[int, YearSchedule]:
        from .models import StatutoryDay

        marked: dict[int, dict[date, bool]] = {}
        for year, day, working in StatutoryDay.objects.values_list("schedule__year", "date", "is_working_day"):
            marked.setdefault(year, {})[day] = working
        return {year: YearSchedule(year, frozenset(
            d for d in _days_of(year) if days.get(d, d.weekday() < 5)), Source.IMPORTED)
            for year, days in marked.items()}


_imported = _ImportedCache()


def invalidate_statutory_cache() -> None:
    """Forget the imported schedules held by this process (called by the import; tests call it too)."""
    _imported.invalidate()


class StatutoryCalendar:
    """Imported schedules over the libraries' data: `statutory()(day)` says whether `day` is a working day."""

    def __init__(self, imported: Mapping[int, YearSchedule]):
        self.imported = imported
        self._working: dict[int, frozenset[date]] = {}  # per year, the one lookup of the hot path

    def schedule(self, year: int) -> YearSchedule:
        return self.imported.get(year) or library_schedule(year)

    def __call__(self, day: date) -> bool:
        working = self._working.get(day.year)
        if working is None:
            working = self._working[day.year] = self.schedule(day.year).working
        return day in working


def statutory() -> StatutoryCalendar:
    """The statutory calendar with imported schedules (one cached query at most every IMPORT_REFRESH_SECONDS)."""
    return StatutoryCalendar(_imported.years())


# -- computing working time --------------------------------------------------------------------------------------
class WorkingCalendar:
    """Working periods per day plus date overrides; pure computation, no database access.

    Build one with `calendar_for(project)` (which adds imported holiday schedules) and reuse it for many
    computations (a sweep over many clocks). Built directly, it knows the libraries' holidays only unless given
    `statutory`.
    """

    def __init__(
        self,
        periods: Iterable[tuple[time, time]] = DEFAULT_PERIODS,
        overrides: Mapping[date, bool] | None = None,
        tz: str | None = None,
        statutory: Callable[[date], bool] | None = None,
    ):
        self.periods = tuple(sorted(periods))
        if not self.periods or any(start >= end for start, end in self.periods):
            raise ValueError("A working calendar needs at least one non-empty working period.")
        for (_end0, end), (next_start, _end1) in zip(self.periods, self.periods[1:], strict=False):
            if end > next_start:
                raise ValueError("Working periods must not overlap.")
        self.overrides = dict(overrides or {})
        self.tz = ZoneInfo(tz or settings.TIME_ZONE)
        self.statutory = statutory or statutory_working_day
        self._days: dict[date, bool] = {}

    @property
    def day_length(self) -> timedelta:
        """Working time in one full working day (8 h with the default hours)."""
        return sum(
            (datetime.combine(date.min, end) - datetime.combine(date.min, start) for start, end in self.periods),
            timedelta(),
        )

    def is_working_day(self, day: date) -> bool:
        # Memoised per calendar: a sweep asks about the same few days for thousands of clocks.
        working = self._days.get(day)
        if working is None:
            working = self._days[day] = self.overrides[day] if day in self.overrides else self.statutory(day)
        return working

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
        for _day_number in range(_MAX_DAYS):
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
    """The working calendar of a project (anything with a `work_calendar` attribute), or the default one:
    imported schedules over the libraries' holidays, then the project's hours and overrides."""
    work_calendar = getattr(project, "work_calendar", None) if project is not None else None
    if work_calendar is None:
        return WorkingCalendar(statutory=statutory())
    return WorkingCalendar(
        periods=(
            (work_calendar.morning_start, work_calendar.morning_end),
            (work_calendar.afternoon_start, work_calendar.afternoon_end),
        ),
        overrides=dict(work_calendar.overrides.values_list("date", "is_working_day")),
        statutory=statutory(),
    )


def is_working_day(day: date, project=None) -> bool:
    return calendar_for(project).is_working_day(day)


def add_working_time(start: datetime, duration: timedelta, project=None) -> datetime:
    return calendar_for(project).add(start, duration)


def working_time_between(a: datetime, b: datetime, project=None) -> timedelta:
    return calendar_for(project).between(a, b)


# -- confirming a year: the State Council's notice, imported by an administrator --------------------------------
@dataclass(frozen=True)
class ScheduleLine:
    """One line of a schedule: a day or a range of days, off (放假) or worked (调休上班)."""

    number: int
    first: date
    last: date
    is_working_day: bool
    name: str = ""

    def days(self):
        day = self.first
        while day <= self.last:
            yield day
            day += timedelta(days=1)


class ScheduleError(ValueError):
    """Lines of a schedule that cannot be read; `problems` holds (line number, line text, message) triples."""

    def __init__(self, problems: list[tuple[int, str, str]]):
        self.problems = problems
        super().__init__("\n".join(self.describe(*problem) for problem in problems))

    @staticmethod
    def describe(number: int, text: str, message: str) -> str:
        if not text:
            return message
        return _("Line %(n)s “%(text)s”: %(message)s") % {"n": number, "text": text, "message": message}


OFF_WORDS = {"off", "休", "放假", "休息"}
WORK_WORDS = {"work", "班", "上班", "调休上班"}
_LINE = re.compile(r"^(?P<first>\S+?)(?:\s*(?:\.\.|~|至)\s*(?P<last>\S+?))?(?:\s+(?P<kind>\S+))?(?:\s+(?P<name>.+))?$")


def _parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else None
    except ValueError:
        return None


def parse_schedule(text: str, year: int) -> list[ScheduleLine]:
    """Read a schedule, one line per day or range: `2027-02-05..2027-02-11 off 春节` or `2027-02-14 work`
    (also `休`/`班`; blank lines and `#` comments are skipped). Raises ScheduleError naming every wrong line (a
    day marked both off and work is one)."""
    lines, problems, seen = [], [], {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()[:200]
        if not line:
            continue
        match = _LINE.match(line)
        first = _parse_date(match["first"]) if match else None
        last = _parse_date(match["last"]) if match and match["last"] else first
        kind_word = (match["kind"] or "").lower() if match else ""
        if first is None or last is None:
            problems.append((number, line, _("Not a date or a range like 2027-02-05..2027-02-11 (dates as "
                                             "YYYY-MM-DD).")))
            continue
        if last < first:
            problems.append((number, line, _("The range ends before it starts.")))
            continue
        if first.year != year or last.year != year:
            problems.append((number, line, _("Every day must lie in %(year)s.") % {"year": year}))
            continue
        if kind_word in OFF_WORDS:
            working = False
        elif kind_word in WORK_WORDS:
            working = True
        else:
            problems.append((number, line, _("Say whether the days are off or work (休 or 班).")))
            continue
        entry = ScheduleLine(number, first, last, working, (match["name"] or "").strip()[:100])
        clash = next((d for d in entry.days() if d in seen and seen[d][1] != working), None)
        if clash:
            problems.append((number, line, _("%(day)s is already marked %(kind)s on line %(line)s.") % {
                "day": clash.isoformat(), "kind": _("work") if seen[clash][1] else _("off"), "line": seen[clash][0]}))
            continue
        for day in entry.days():
            seen.setdefault(day, (number, working))
        lines.append(entry)
    if not problems and not any(not entry.is_working_day for entry in lines):
        problems.append((0, "", _("A year's schedule lists at least one day off.")))
    if problems:
        raise ScheduleError(problems)
    return lines


@dataclass(frozen=True)
class ImportResult:
    year: int
    days_off: int
    working_days: int
    changed: bool


def import_statutory_schedule(year: int, lines: list[ScheduleLine], *, actor=None) -> ImportResult:
    """Record the State Council's schedule for `year` (the days off and the adjusted working days) and mark the
    year confirmed. It replaces every other source for that year; project overrides still apply on top.

    `actor` is the acting `Actor` (None: the system, i.e. the management command). Idempotent: the same schedule
    again changes nothing and records nothing; a different one replaces the year's days and records an event.
    """
    from .access import require
    from .events import record_event
    from .models import StatutoryDay, StatutoryYear

    if actor is not None:
        require(actor, "core.manage_calendar")
    names = _china_holidays(year)
    wanted: dict[date, tuple[bool, str]] = {}
    for entry in lines:
        for day in entry.days():
            default_name = "" if entry.is_working_day else str(names.get(day, "")).split(";")[0].strip()
            wanted[day] = (entry.is_working_day, (entry.name or default_name)[:100])
    user = getattr(actor, "user", None)
    with transaction.atomic():
        schedule, created = StatutoryYear.objects.select_for_update().get_or_create(
            year=year, defaults={"confirmed_by": user})
        current = {d: (w, n) for d, w, n in schedule.days.values_list("date", "is_working_day", "name")}
        if not created and current == wanted:
            return ImportResult(year, sum(not w for w, _n in wanted.values()), sum(w for w, _n in wanted.values()),
                                changed=False)
        schedule.days.all().delete()
        StatutoryDay.objects.bulk_create(
            StatutoryDay(schedule=schedule, date=d, is_working_day=w, name=n) for d, (w, n) in sorted(wanted.items()))
        schedule.confirmed_at, schedule.confirmed_by = timezone.now(), user
        schedule.save(update_fields=["confirmed_at", "confirmed_by"])
        changed_days = sorted(d for d in current.keys() | wanted.keys() if current.get(d) != wanted.get(d))
        record_event(schedule, "calendar.schedule_imported", actor=user, data={
            "year": year,
            "days_off": sum(not w for w, _n in wanted.values()),
            "working_days": sum(w for w, _n in wanted.values()),
            "changed_days": len(changed_days),
        })
        invalidate_statutory_cache()
        transaction.on_commit(invalidate_statutory_cache)  # also forget what a concurrent reader cached meanwhile
    return ImportResult(year, sum(not w for w, _n in wanted.values()), sum(w for w, _n in wanted.values()),
                        changed=True)


def unconfirmed_years(today: date | None = None) -> list[int]:
    """Years whose schedule should be confirmed by now and is not: the current year, and from 1 November the
    next, unless imported or covered by chinesecalendar's official data (python-holidays' guess is not enough)."""
    from .models import StatutoryYear

    today = today or timezone.localdate()
    years = [today.year] + ([today.year + 1] if today.month >= WARN_FROM_MONTH else [])
    years = [year for year in years if not statutory_calendar_covers(year)]
    if not years:
        return []
    confirmed = set(StatutoryYear.objects.filter(year__in=years).values_list("year", flat=True))
    return [year for year in years if year not in confirmed]
