"""The working calendar: statutory holidays and 调休 from chinesecalendar, per-project hours and overrides.
(Later years, python-holidays and imported schedules: test_calendar_schedule.py.)"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wuye.core.calendar import (
    WorkingCalendar,
    add_working_time,
    calendar_for,
    invalidate_statutory_cache,
    is_working_day,
    statutory_calendar_covers,
    working_time_between,
)
from wuye.core.models import CalendarOverride, WorkCalendar

SH = ZoneInfo("Asia/Shanghai")


def at(*args):
    return datetime(*args, tzinfo=SH)


STANDARD = WorkingCalendar()


@pytest.fixture(autouse=True)
def _fresh_statutory_cache():
    invalidate_statutory_cache()
    yield
    invalidate_statutory_cache()


@pytest.mark.django_db  # the module functions read imported schedules (none here)
class TestWorkingDays:
    def test_national_day_week_is_off_and_the_adjusted_saturday_is_worked(self):
        assert not is_working_day(date(2026, 10, 1))
        assert not is_working_day(date(2026, 10, 7))
        assert is_working_day(date(2026, 10, 10))  # Saturday made a working day (调休)
        assert is_working_day(date(2026, 10, 9))

    def test_ordinary_weekend_is_off(self):
        assert not is_working_day(date(2026, 11, 21))
        assert is_working_day(date(2026, 11, 23))

    def test_year_no_library_knows_falls_back_to_weekdays(self):
        assert not statutory_calendar_covers(2101)
        assert is_working_day(date(2101, 10, 3))  # a Monday: no holiday data at all, so a working day
        assert not is_working_day(date(2101, 10, 1))  # Saturday

    @pytest.mark.django_db
    def test_project_overrides_win_over_the_statutory_calendar(self):
        calendar = WorkCalendar.objects.create(name="Local")
        CalendarOverride.objects.create(calendar=calendar, date=date(2026, 11, 23), is_working_day=False)
        CalendarOverride.objects.create(calendar=calendar, date=date(2026, 11, 21), is_working_day=True)

        class Project:
            work_calendar = calendar

        assert not is_working_day(date(2026, 11, 23), Project())
        assert is_working_day(date(2026, 11, 21), Project())
        assert is_working_day(date(2026, 11, 23))  # other projects unaffected


@pytest.mark.django_db
class TestAddingWorkingTime:
    def test_friday_afternoon_before_national_day_continues_after_the_holiday(self):
        # 2026-09-30 is a Wednesday before the 10-01..10-07 holiday; 16:50 leaves 10 minutes that day.
        assert add_working_time(at(2026, 9, 30, 16, 50), timedelta(hours=1)) == at(2026, 10, 8, 8, 50)

    def test_lunch_break_is_skipped(self):
        assert add_working_time(at(2026, 11, 23, 11, 30), timedelta(hours=1)) == at(2026, 11, 23, 13, 30)

    def test_start_outside_hours_counts_from_next_opening(self):
        assert add_working_time(at(2026, 11, 21, 10, 0), timedelta(minutes=30)) == at(2026, 11, 23, 8, 30)
        assert add_working_time(at(2026, 11, 23, 19, 0), timedelta(minutes=30)) == at(2026, 11, 24, 8, 30)

    def test_three_working_days_over_an_unknown_year_use_weekdays(self):
        # 2101-12-30 is a Friday, 2102-01-01 a Sunday (no data for either year): the weekend is skipped.
        assert add_working_time(at(2101, 12, 30, 8, 0), timedelta(hours=24)) == at(2102, 1, 3, 17, 0)
        assert add_working_time(at(2102, 1, 6, 9, 0), timedelta(hours=8)) == at(2102, 1, 9, 9, 0)

    def test_result_may_be_the_end_of_a_period(self):
        assert add_working_time(at(2026, 11, 23, 8, 0), timedelta(hours=4)) == at(2026, 11, 23, 12, 0)

    def test_naive_datetimes_are_refused(self):
        with pytest.raises(ValueError, match="timezone-aware"):
            add_working_time(datetime(2026, 11, 23, 9, 0), timedelta(hours=1))

    def test_negative_durations_are_refused(self):
        with pytest.raises(ValueError):
            add_working_time(at(2026, 11, 23, 9, 0), -timedelta(hours=1))

    def test_utc_input_is_computed_in_local_time(self):
        utc_start = datetime(2026, 11, 23, 0, 30, tzinfo=ZoneInfo("UTC"))  # 08:30 in Shanghai
        assert add_working_time(utc_start, timedelta(minutes=30)) == at(2026, 11, 23, 9, 0)


@pytest.mark.django_db
class TestMeasuringWorkingTime:
    def test_over_a_holiday(self):
        assert working_time_between(at(2026, 9, 30, 16, 0), at(2026, 10, 8, 9, 0)) == timedelta(hours=2)

    def test_reversed_is_negative(self):
        assert working_time_between(at(2026, 11, 23, 10), at(2026, 11, 23, 9)) == -timedelta(hours=1)

    def test_a_full_working_day(self):
        assert working_time_between(at(2026, 11, 23, 0), at(2026, 11, 24, 0)) == STANDARD.day_length == timedelta(
            hours=8
        )


@pytest.mark.django_db
def test_calendar_for_uses_project_hours():
    calendar = WorkCalendar.objects.create(
        name="Long day", morning_start=time(7, 30), morning_end=time(11, 30),
        afternoon_start=time(13, 30), afternoon_end=time(18, 0),
    )

    class Project:
        work_calendar = calendar

    assert calendar_for(Project()).day_length == timedelta(hours=8, minutes=30)
    assert add_working_time(at(2026, 11, 23, 17, 30), timedelta(hours=1), Project()) == at(2026, 11, 24, 8, 0)


# -- invariants, over years the package knows and years it does not ------------------------------------------
moments = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2032, 12, 31), timezones=st.just(SH)
).map(lambda m: m.replace(second=0, microsecond=0))
durations = st.integers(min_value=0, max_value=60 * 8 * 15).map(lambda minutes: timedelta(minutes=minutes))
custom_periods = st.sampled_from([
    ((time(8), time(12)), (time(13), time(17))),
    ((time(9), time(12, 30)), (time(14), time(18))),
    ((time(0), time(23, 59)),),
])


@settings(max_examples=150, deadline=None)
@given(start=moments, duration=durations, periods=custom_periods)
def test_adding_then_measuring_gives_back_the_duration(start, duration, periods):
    calendar = WorkingCalendar(periods)
    assert calendar.between(start, calendar.add(start, duration)) == duration


@settings(max_examples=150, deadline=None)
@given(start=moments, duration=durations.filter(lambda d: d > timedelta(0)))
def test_results_never_land_outside_working_hours(start, duration):
    end = STANDARD.add(start, duration).astimezone(SH)
    assert STANDARD.is_working_day(end.date())
    assert any(begin <= end.time() <= finish for begin, finish in STANDARD.periods)
    assert end > start


@settings(max_examples=150, deadline=None)
@given(start=moments, first=durations, second=durations)
def test_adding_is_monotonic_in_duration(start, first, second):
    low, high = sorted((first, second))
    assert STANDARD.add(start, low) <= STANDARD.add(start, high)


@settings(max_examples=150, deadline=None)
@given(first=moments, second=moments, duration=durations)
def test_adding_is_monotonic_in_start(first, second, duration):
    early, late = sorted((first, second))
    assert STANDARD.add(early, duration) <= STANDARD.add(late, duration)


@settings(max_examples=100, deadline=None)
@given(a=moments, b=moments, c=moments)
def test_measuring_is_additive(a, b, c):
    assert STANDARD.between(a, b) + STANDARD.between(b, c) == STANDARD.between(a, c)
