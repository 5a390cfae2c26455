"""Facilities KPIs (§4, §6): each figure equals a hand count over records with fixed dates in October 2026, and the
drill-down lists exactly the records counted (and which are in the numerator). Moving one record by one (a day,
a minute, a status) flips the number."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import translation

from wuye.core.kpis import get_kpi
from wuye.facilities.models import (
    Entrapment,
    Equipment,
    EquipmentCategory,
    EquipmentStatus,
    Fault,
    FaultStatus,
    MaintenancePlan,
    MaintenanceTask,
    TaskStatus,
)
from wuye.people.access import actor_for
from wuye.quality import kpis
from wuye.sla.engine import policy_for
from wuye.sla.models import Clock, ClockState

SH = ZoneInfo("Asia/Shanghai")
OCT = date(2026, 10, 1)


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SH)


def item(project, code, *, status=EquipmentStatus.IN_SERVICE, created=None, category=None):
    category = category or EquipmentCategory.objects.get_or_create(
        company=project.company, code="elevator", defaults={"name": "电梯", "kind": "elevator"})[0]
    return Equipment.objects.create(project=project, category=category, code=code, name=f"{code}号电梯",
                                    status=status, created_at=created or at(1, 1))


def plan(project, equipment=None):
    number = MaintenancePlan.objects.filter(project=project).count() + 1  # plan names are unique per project
    return MaintenancePlan.objects.create(project=project, name=f"电梯半月保养{number}", frequency="days",
                                          interval=15, starts_on=date(2026, 1, 1), equipment=equipment)


def task(the_plan, due, status=TaskStatus.SCHEDULED, *, completed=None, late=False, equipment=None):
    return MaintenanceTask.objects.create(project=the_plan.project, plan=the_plan, equipment=equipment, due_on=due,
                                          status=status, completed_at=completed, late=late)


def fault(equipment, raised, *, repaired=None, status=FaultStatus.REPORTED):
    return Fault.objects.create(project=equipment.project, equipment=equipment, title="轿厢异响", raised_at=raised,
                                repaired_at=repaired, status=status)


def figure_and_drill(world, code, project=None, month=OCT):
    actor = actor_for(world.user("pinzhi"))
    row = kpis.kpi_figure(actor, code=code, project=project or world.project1, month=month)
    records = list(kpis.kpi_records(actor, code=code, project=project or world.project1, month=month))
    drill = {record.pk: bool(record.kpi_counted) for record in records}
    rows = kpis.describe_records(code, records)
    assert len(rows) == len(records)
    return row, drill


def test_facilities_kpis_replace_the_placeholder_and_are_registered():
    completion = get_kpi("maintenance_plan_completion")
    assert completion.available and completion.unit == "percent" and completion.target == 100
    assert get_kpi("fault_mean_time_to_repair").unit == "hours"
    assert get_kpi("entrapment_arrival_minutes").unit == "minutes"
    assert get_kpi("equipment_fault_rate").higher_is_better is False


def test_plan_completion_counts_done_over_due_and_skipped_counts_against(world):
    the_plan = plan(world.project1)
    done = task(the_plan, date(2026, 10, 1), TaskStatus.DONE, completed=at(10, 1, 15))
    done_late = task(the_plan, date(2026, 10, 16), TaskStatus.DONE, completed=at(10, 18), late=True)
    skipped = task(the_plan, date(2026, 10, 31), TaskStatus.SKIPPED)
    other = plan(world.project1)
    missed = task(other, date(2026, 10, 20))  # never done: its day has passed
    task(other, date(2026, 10, 5), TaskStatus.CANCELLED)  # not counted
    task(other, date(2026, 11, 1), TaskStatus.DONE, completed=at(10, 31, 9))  # due in November
    task(plan(world.project2), date(2026, 10, 3), TaskStatus.DONE, completed=at(10, 3))  # the other project

    row, drill = figure_and_drill(world, "maintenance_plan_completion")
    assert (row.numerator, row.denominator, row.value) == (2, 4, Decimal("50.00"))
    assert drill == {done.pk: True, done_late.pk: True, skipped.pk: False, missed.pk: False}
    assert row.status == "red"  # target 100 %


def test_maintenance_on_time_is_done_before_the_deadline_over_done_in_the_month(world):
    the_plan = plan(world.project1)
    on_time = task(the_plan, date(2026, 10, 1), TaskStatus.DONE, completed=at(10, 1, 15))
    late = task(the_plan, date(2026, 10, 16), TaskStatus.DONE, completed=at(10, 18), late=True)
    early_nov = task(the_plan, date(2026, 11, 1), TaskStatus.DONE, completed=at(10, 31, 23, 59))
    task(the_plan, date(2026, 9, 30), TaskStatus.DONE, completed=at(9, 30, 23, 59))  # done in September
    task(the_plan, date(2026, 10, 20), TaskStatus.SKIPPED)

    row, drill = figure_and_drill(world, "maintenance_on_time")
    assert (row.numerator, row.denominator) == (2, 3)
    assert row.value == Decimal("66.67")
    assert drill == {on_time.pk: True, late.pk: False, early_nov.pk: True}


def test_fault_rate_is_faults_of_the_month_over_items_in_the_register(world):
    lifts = [item(world.project1, f"DT-{n}") for n in range(1, 5)]
    item(world.project1, "DT-9", status=EquipmentStatus.SCRAPPED)  # out of the register
    item(world.project1, "DT-10", created=at(11, 1))  # installed after October
    faulty = item(world.project1, "DT-5", status=EquipmentStatus.FAULTY)  # still an item in service
    first = fault(lifts[0], at(10, 2))
    second = fault(lifts[0], at(10, 20))  # the same item's second fault: two in the numerator
    last = fault(faulty, at(10, 31, 23, 59))
    fault(lifts[1], at(11, 1, 0, 0))  # November
    fault(lifts[2], at(10, 5), status=FaultStatus.CANCELLED)

    row, _drill = figure_and_drill(world, "equipment_fault_rate")
    assert (row.numerator, row.denominator, row.value) == (3, 5, Decimal("60.00"))
    assert row.status == "red"  # target ≤ 5 %, lower is better
    # The drill-down adds up: the counted rows are the 3 faults (DT-1's two among them), the others the 5 items.
    actor = actor_for(world.user("pinzhi"))
    records = list(kpis.kpi_records(actor, code="equipment_fault_rate", project=world.project1, month=OCT))
    counted = [(type(record).__name__, record.pk) for record in records if record.kpi_counted]
    listed = [(type(record).__name__, record.pk) for record in records if not record.kpi_counted]
    assert counted == [("Fault", first.pk), ("Fault", second.pk), ("Fault", last.pk)]
    assert listed == [("Equipment", item.pk) for item in (lifts[0], faulty, lifts[1], lifts[2], lifts[3])]
    with translation.override("en"):
        rows = kpis.describe_records("equipment_fault_rate", records)
    assert sum(row.counted for row in rows) == 3 and sum(not row.counted for row in rows) == 5
    assert [row.title for row in rows[:2]] == ["DT-1号电梯 · 轿厢异响: found 10-02 10:00",
                                               "DT-1号电梯 · 轿厢异响: found 10-20 10:00"]
    assert rows[3].title == "DT-1号电梯: an item in the register, 2 faults"


def test_mean_time_to_repair_in_hours_over_faults_repaired_in_the_month(world):
    lift = item(world.project1, "DT-1")
    quick = fault(lift, at(10, 2, 8), repaired=at(10, 2, 14), status=FaultStatus.CLOSED)  # 6 h
    slow = fault(lift, at(9, 30, 20), repaired=at(10, 1, 23), status=FaultStatus.RESOLVED)  # 27 h
    fault(lift, at(10, 30), repaired=at(11, 1, 1), status=FaultStatus.CLOSED)  # repaired in November
    fault(lift, at(10, 12))  # not repaired yet

    row, drill = figure_and_drill(world, "fault_mean_time_to_repair")
    assert (row.numerator, row.denominator, row.value) == (33, 2, Decimal("16.50"))
    assert row.unit == "hours" and row.status == "green"  # ≤ 24 h
    assert drill == {quick.pk: True, slow.pk: True}


def _entrapment(lift, started, arrived_after=None):
    return Entrapment.objects.create(
        project=lift.project, equipment=lift, started_at=started,
        staff_arrived_at=started + timedelta(minutes=arrived_after) if arrived_after is not None else None)


def _clock(subject, key, state, started):
    due = started + timedelta(minutes=5)
    return Clock.objects.create(
        subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk, project=subject.project,
        policy=policy_for(subject.project, key), key=key, state=state, started_at=started, due_at=due,
        warn_at=due, stopped_at=due if state != ClockState.RUNNING else None,
        breached_at=due if state == ClockState.BREACHED else None)


def test_entrapment_response_counts_staff_on_site_within_the_clock_and_the_mean_minutes(world):
    lift = item(world.project1, "DT-1")
    fast = _entrapment(lift, at(10, 3, 21), arrived_after=4)
    _clock(fast, "entrapment.staff_arrive", ClockState.MET, fast.started_at)
    slow = _entrapment(lift, at(10, 15, 7), arrived_after=8)
    _clock(slow, "entrapment.staff_arrive", ClockState.BREACHED, slow.started_at)
    nobody = _entrapment(lift, at(10, 31, 23, 50))  # no one on site yet, its clock still running
    _clock(nobody, "entrapment.staff_arrive", ClockState.RUNNING, nobody.started_at)
    _entrapment(lift, at(9, 30, 23, 59), arrived_after=3)  # September

    row, drill = figure_and_drill(world, "entrapment_response")
    assert (row.numerator, row.denominator, row.value) == (1, 3, Decimal("33.33"))
    assert drill == {fast.pk: True, slow.pk: False, nobody.pk: False}

    minutes, arrived = figure_and_drill(world, "entrapment_arrival_minutes")
    assert (minutes.numerator, minutes.denominator, minutes.value) == (12, 2, Decimal("6.00"))
    assert minutes.status == "amber"  # 1 minute over the 5-minute target (amber within 5 points)
    assert set(arrived) == {fast.pk, slow.pk}


def test_kpis_of_an_empty_month_read_no_figure(world):
    for code in ("maintenance_plan_completion", "maintenance_on_time", "equipment_fault_rate",
                 "fault_mean_time_to_repair", "entrapment_response", "entrapment_arrival_minutes"):
        row, drill = figure_and_drill(world, code)
        assert (row.value, row.status, drill) == (None, "na", {}), code


@pytest.mark.parametrize("username", ["jingli", "kefu2"])
def test_the_kpi_table_lists_the_facilities_rows(world, login, username):
    from django.urls import reverse

    lift = item(world.project1, "DT-1")
    fault(lift, at(10, 2, 8), repaired=at(10, 2, 14), status=FaultStatus.CLOSED)
    client = login(username)
    client.cookies["django_language"] = "en"
    response = client.get(reverse("quality:kpis"), {"period": "2026-10"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "fault_mean_time_to_repair" in html
    if username == "jingli":  # project 1: one fault repaired in 6 hours
        assert "6.0 h" in html
