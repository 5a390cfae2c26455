"""A calendar that knows next year: python-holidays for years chinesecalendar lacks, the State Council's schedule
imported by an administrator (command and console form), and the warning from 1 November while it is missing."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from wuye.core.access import Role
from wuye.core.calendar import (
    ScheduleError,
    add_working_time,
    calendar_for,
    import_statutory_schedule,
    invalidate_statutory_cache,
    is_working_day,
    library_schedule,
    parse_schedule,
    statutory_calendar_covers,
    unconfirmed_years,
    working_time_between,
)
from wuye.core.checks import statutory_calendar_confirmed
from wuye.core.models import CalendarOverride, Event, StatutoryDay, StatutoryYear, WorkCalendar

SH = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db

# A schedule in the State Council's style for 2027 (the real notice may differ): note that 2027-02-05, a day off
# in python-holidays' guess (除夕), is not listed, and Saturday 2027-02-20 is worked.
NOTICE_2027 = """\
# 国务院办公厅关于2027年部分节假日安排的通知（测试用）
2027-01-01..2027-01-03 off 元旦
2027-02-06..2027-02-14 off 春节
2027-02-20 work
2027-04-03..2027-04-05 off 清明节
2027-05-01..2027-05-05 off 劳动节
2027-06-09 off 端午节
2027-09-15 off 中秋节
2027-10-01..2027-10-07 off 国庆节
2027-10-09 work
"""


def at(*args):
    return datetime(*args, tzinfo=SH)


@pytest.fixture(autouse=True)
def _fresh_statutory_cache():
    invalidate_statutory_cache()
    yield
    invalidate_statutory_cache()  # imports roll back with the test; other tests must not see them cached


def import_2027(text=NOTICE_2027, actor=None):
    return import_statutory_schedule(2027, parse_schedule(text, 2027), actor=actor)


class TestNextYearFromPythonHolidays:
    def test_2027_is_not_in_chinesecalendar_but_python_holidays_knows_its_festivals(self):
        assert not statutory_calendar_covers(2027)
        assert library_schedule(2027).source == "holidays"

    def test_eight_hours_from_new_years_eve_end_on_the_first_working_day_of_2027(self):
        # 2026-12-31 (Thursday) 17:00 is the end of the day; 2027-01-01 is New Year's Day, then a weekend.
        assert not is_working_day(date(2027, 1, 1))
        assert add_working_time(at(2026, 12, 31, 17, 0), timedelta(hours=8)) == at(2027, 1, 4, 17, 0)

    def test_spring_festival_2027_is_not_working(self):
        # python-holidays 0.109: 除夕 Fri 02-05, 春节 02-06..02-08, in lieu (补假) Tue 02-09 and Wed 02-10.
        for day in (5, 8, 9, 10):
            assert not is_working_day(date(2027, 2, day)), day
        assert is_working_day(date(2027, 2, 4))
        assert is_working_day(date(2027, 2, 11))
        assert add_working_time(at(2027, 2, 4, 16, 30), timedelta(hours=1)) == at(2027, 2, 11, 8, 30)
        assert working_time_between(at(2027, 2, 4, 8, 0), at(2027, 2, 12, 8, 0)) == timedelta(hours=16)

    def test_national_day_2027_and_its_weekdays_in_lieu(self):
        assert [is_working_day(date(2027, 10, d)) for d in range(1, 8)] == [False] * 5 + [True, True]


class TestImportedSchedule:
    def test_imported_days_replace_the_libraries_for_that_year(self):
        import_2027()
        assert StatutoryYear.objects.get(year=2027)
        assert StatutoryDay.objects.filter(schedule__year=2027).count() == 3 + 9 + 1 + 3 + 5 + 1 + 1 + 7 + 1
        assert is_working_day(date(2027, 2, 20))  # an imported working Saturday
        assert not is_working_day(date(2027, 2, 12))  # an imported day off (a Friday python-holidays works)
        assert is_working_day(date(2027, 2, 5))  # python-holidays' 除夕 guess, not in the notice: worked
        assert is_working_day(date(2027, 1, 4))
        assert not is_working_day(date(2027, 2, 13))  # days not listed follow Monday–Friday
        # Friday 2027-02-19 16:30 + 1 h: half an hour that day, the rest on the worked Saturday.
        assert add_working_time(at(2027, 2, 19, 16, 30), timedelta(hours=1)) == at(2027, 2, 20, 8, 30)
        assert add_working_time(at(2026, 12, 31, 17, 0), timedelta(hours=8)) == at(2027, 1, 4, 17, 0)

    def test_other_years_keep_their_sources(self):
        import_2027()
        assert not is_working_day(date(2026, 10, 1))  # chinesecalendar
        assert not is_working_day(date(2028, 1, 1))  # python-holidays

    def test_project_overrides_still_apply_on_top(self):
        import_2027()
        calendar = WorkCalendar.objects.create(name="Local")
        CalendarOverride.objects.create(calendar=calendar, date=date(2027, 2, 20), is_working_day=False)
        CalendarOverride.objects.create(calendar=calendar, date=date(2027, 2, 10), is_working_day=True)

        class Project:
            work_calendar = calendar

        assert not is_working_day(date(2027, 2, 20), Project())
        assert is_working_day(date(2027, 2, 10), Project())
        assert not is_working_day(date(2027, 2, 10))
        assert calendar_for(Project()).add(at(2027, 2, 19, 16, 30), timedelta(hours=1)) == at(2027, 2, 22, 8, 30)

    def test_a_calendar_built_before_the_import_keeps_its_view_one_built_after_sees_it(self):
        before = calendar_for()
        import_2027()
        assert not before.is_working_day(date(2027, 2, 5))
        assert calendar_for().is_working_day(date(2027, 2, 5))

    def test_importing_again_the_same_days_changes_nothing_and_records_one_event(self):
        first = import_2027()
        again = import_2027()
        assert first.changed and not again.changed
        assert (first.days_off, first.working_days) == (29, 2)
        events = Event.objects.filter(verb="calendar.schedule_imported")
        assert events.count() == 1
        assert events.get().data == {"year": 2027, "days_off": 29, "working_days": 2, "changed_days": 31}

    def test_a_corrected_schedule_replaces_the_year(self):
        import_2027()
        import_2027(NOTICE_2027.replace("2027-02-20 work", "2027-02-21 work"))
        assert not is_working_day(date(2027, 2, 20))
        assert is_working_day(date(2027, 2, 21))
        assert Event.objects.filter(verb="calendar.schedule_imported").last().data["changed_days"] == 2

    def test_names_come_from_the_line_or_from_python_holidays(self):
        import_2027("2027-01-01 off\n2027-02-06..2027-02-07 off 春节假期\n2027-02-20 work")
        names = dict(StatutoryDay.objects.values_list("date", "name"))
        assert names[date(2027, 1, 1)] == "元旦"
        assert names[date(2027, 2, 7)] == "春节假期"

    def test_staff_without_the_permission_may_not_import(self, world):
        from wuye.core.errors import NotAllowed
        from wuye.people.access import actor_for

        with pytest.raises(NotAllowed):
            import_2027(actor=actor_for(world.user("kefu")))
        assert not StatutoryYear.objects.exists()


class TestReadingASchedule:
    def test_every_wrong_line_is_named(self):
        text = ("2027-01-01 off\n\n2027-02-30 off\n2026-12-31 off\n2027-03-02..2027-03-01 off\n2027-03-08\n"
                "2027-01-01 work\n")
        with translation.override("en"), pytest.raises(ScheduleError) as caught:
            parse_schedule(text, 2027)
        assert [(number, text) for number, text, _message in caught.value.problems] == [
            (3, "2027-02-30 off"), (4, "2026-12-31 off"), (5, "2027-03-02..2027-03-01 off"), (6, "2027-03-08"),
            (7, "2027-01-01 work"),
        ]
        assert "Line 7 “2027-01-01 work”: 2027-01-01 is already marked off on line 1." in str(caught.value)

    def test_chinese_words_and_spaces_around_the_range(self):
        lines = parse_schedule("2027-02-06 .. 2027-02-14 休 春节\n2027-02-20 班", 2027)
        assert [(line.first, line.last, line.is_working_day, line.name) for line in lines] == [
            (date(2027, 2, 6), date(2027, 2, 14), False, "春节"), (date(2027, 2, 20), date(2027, 2, 20), True, "")]

    def test_a_schedule_without_a_day_off_is_refused(self):
        with translation.override("en"), pytest.raises(ScheduleError, match="at least one day off"):
            parse_schedule("2027-02-20 work", 2027)


class TestCommand:
    def test_imports_and_is_idempotent(self, capsys):
        call_command("import_holidays", "2027", "--off", "2027-01-01", "--off", "2027-02-05..2027-02-11",
                     "--work", "2027-02-14")
        assert "Imported: 2027 has 8 days off and 1 adjusted working days" in capsys.readouterr().out
        call_command("import_holidays", "2027", "--off", "2027-02-05..2027-02-11", "--off", "2027-01-01",
                     "--work", "2027-02-14")
        assert capsys.readouterr().out.startswith("Unchanged")
        assert Event.objects.filter(verb="calendar.schedule_imported").count() == 1
        assert is_working_day(date(2027, 2, 14)) and not is_working_day(date(2027, 2, 11))

    def test_reads_a_file(self, tmp_path):
        schedule = tmp_path / "2027.txt"
        schedule.write_text(NOTICE_2027, encoding="utf-8")
        call_command("import_holidays", "2027", "--file", str(schedule))
        assert is_working_day(date(2027, 10, 9))

    def test_a_wrong_day_is_refused_naming_it_and_nothing_is_written(self):
        with pytest.raises(CommandError, match="2027-02-30"):
            call_command("import_holidays", "2027", "--off", "2027-01-01", "--off", "2027-02-30")
        assert not StatutoryYear.objects.exists()


class TestWarning:
    def test_from_november_until_next_years_schedule_is_imported(self):
        with time_machine.travel(at(2026, 10, 31, 12, 0), tick=False):
            assert unconfirmed_years() == []
            assert statutory_calendar_confirmed(None, databases=["default"]) == []
        with time_machine.travel(at(2026, 11, 1, 9, 0), tick=False):
            assert unconfirmed_years() == [2027]
            [warning] = statutory_calendar_confirmed(None, databases=["default"])
            assert warning.id == "wuye.W030" and "2027" in warning.msg
            assert statutory_calendar_confirmed(None) == []  # only with the database tag (migrate, --database)
            import_2027()
            assert unconfirmed_years() == []
            assert statutory_calendar_confirmed(None, databases=["default"]) == []

    def test_in_the_year_itself_while_still_unconfirmed(self):
        with time_machine.travel(at(2027, 1, 15, 9, 0), tick=False):
            assert unconfirmed_years() == [2027]

    def test_python_holidays_data_alone_does_not_confirm(self):
        assert library_schedule(2027).source == "holidays"
        assert unconfirmed_years(date(2026, 12, 1)) == [2027]


class TestConsole:
    @pytest.fixture
    def company_admin(self, world):
        from django.contrib.auth import get_user_model

        from wuye.people.models import StaffProfile

        user = get_user_model().objects.create_user("guanli", password="x")
        StaffProfile.objects.create(user=user, company=world.company, role=Role.COMPANY_ADMIN, all_projects=True)
        return user

    def test_banner_for_admins_from_november_until_the_import(self, login, client, company_admin):
        admin = login("admin")
        client.force_login(company_admin)
        url = reverse("web:statutory_calendar")
        with time_machine.travel(at(2026, 10, 20, 9, 0), tick=False):
            assert 'id="calendar-warning"' not in admin.get("/console/").content.decode()
        with time_machine.travel(at(2026, 11, 1, 9, 0), tick=False):
            for browser in (admin, client):
                page = browser.get("/console/").content.decode()
                assert 'id="calendar-warning"' in page and f'href="{url}?year=2027"' in page
            assert 'id="calendar-warning"' not in login("kefu").get("/console/").content.decode()
            import_2027()
            assert 'id="calendar-warning"' not in admin.get("/console/").content.decode()

    def test_the_form_offers_python_holidays_days_and_imports_a_notice(self, login):
        admin = login("admin")
        with time_machine.travel(at(2026, 12, 1, 9, 0), tick=False):
            page = admin.get(reverse("web:statutory_calendar")).content.decode()
            assert "2027-02-05..2027-02-10 off 农历除夕、春节" in page  # the proposal to check against the notice
            response = admin.post(reverse("web:statutory_calendar"), {"year": "2027", "days": NOTICE_2027})
        assert response.status_code == 302
        assert is_working_day(date(2027, 2, 20)) and not is_working_day(date(2027, 2, 12))
        assert Event.objects.get(verb="calendar.schedule_imported").actor.username == "admin"

    def test_a_wrong_line_is_shown_with_its_number_and_nothing_is_imported(self, login):
        admin = login("admin")
        with time_machine.travel(at(2026, 12, 1, 9, 0), tick=False):
            response = admin.post(reverse("web:statutory_calendar"),
                                  {"year": "2027", "days": "2027-01-01 off\n2027-02-31 off"})
        assert response.status_code == 200
        assert "第 2 行“2027-02-31 off”" in response.content.decode()  # pages speak Chinese by default
        assert not StatutoryYear.objects.exists()

    def test_other_roles_are_refused(self, login):
        assert login("kefu").get(reverse("web:statutory_calendar")).status_code == 403
        assert login("kefu").post(reverse("web:statutory_calendar"),
                                  {"year": "2027", "days": NOTICE_2027}).status_code == 403
        assert not StatutoryYear.objects.exists()
