"""Maintenance plans: due dates, the generator (bulk, with clocks, idempotent), completing and skipping tasks,
escalation of a task nobody did, and the shipped default plans."""

from datetime import date
from types import SimpleNamespace

import pytest

from wuye.core.errors import Conflict, InvalidInput, NotAllowed
from wuye.core.events import timeline
from wuye.core.models import Event, Notification
from wuye.facilities import plans
from wuye.facilities.models import CategoryKind, EquipmentStatus, MaintenancePlan, MaintenanceTask, TaskStatus
from wuye.sla.engine import clocks_for, sweep
from wuye.sla.models import Clock, ClockState

from .plans_fixtures import actor, at, category, items, plan_for

pytestmark = pytest.mark.django_db


def bare_plan(frequency, interval=1, starts_on=date(2026, 1, 1), months=(), ends_on=None):
    return SimpleNamespace(frequency=frequency, interval=interval, starts_on=starts_on, ends_on=ends_on,
                           months=list(months))


# -- due dates ------------------------------------------------------------------------------------------------------
def test_a_plan_every_15_days_from_new_year_falls_due_25_times_in_2026():
    days = plans.due_dates(bare_plan("days", 15), date(2026, 1, 1), date(2026, 12, 31))
    assert days == [
        date(2026, 1, 1), date(2026, 1, 16), date(2026, 1, 31), date(2026, 2, 15), date(2026, 3, 2),
        date(2026, 3, 17), date(2026, 4, 1), date(2026, 4, 16), date(2026, 5, 1), date(2026, 5, 16),
        date(2026, 5, 31), date(2026, 6, 15), date(2026, 6, 30), date(2026, 7, 15), date(2026, 7, 30),
        date(2026, 8, 14), date(2026, 8, 29), date(2026, 9, 13), date(2026, 9, 28), date(2026, 10, 13),
        date(2026, 10, 28), date(2026, 11, 12), date(2026, 11, 27), date(2026, 12, 12), date(2026, 12, 27),
    ]
    assert len(days) == 25


def test_a_window_inside_the_year_keeps_the_plans_own_rhythm():
    assert plans.due_dates(bare_plan("days", 15), date(2026, 3, 1), date(2026, 3, 31)) == [
        date(2026, 3, 2), date(2026, 3, 17)]


def test_monthly_on_the_31st_clamps_to_the_months_end():
    days = plans.due_dates(bare_plan("monthly", 1, date(2026, 1, 31)), date(2026, 1, 1), date(2026, 5, 31))
    assert days == [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30), date(2026, 5, 31)]


def test_quarterly_yearly_and_every_two_months():
    assert plans.due_dates(bare_plan("quarterly", 1, date(2026, 2, 10)), date(2026, 1, 1), date(2026, 12, 31)) == [
        date(2026, 2, 10), date(2026, 5, 10), date(2026, 8, 10), date(2026, 11, 10)]
    assert plans.due_dates(bare_plan("yearly", 1, date(2024, 2, 29)), date(2025, 1, 1), date(2028, 12, 31)) == [
        date(2025, 2, 28), date(2026, 2, 28), date(2027, 2, 28), date(2028, 2, 29)]
    assert plans.due_dates(bare_plan("monthly", 2, date(2026, 1, 15)), date(2026, 6, 1), date(2026, 12, 31)) == [
        date(2026, 7, 15), date(2026, 9, 15), date(2026, 11, 15)]


def test_by_season_the_first_of_each_listed_month_never_before_the_start_nor_after_the_end():
    plan = bare_plan("seasonal", starts_on=date(2026, 6, 2), months=[6, 11], ends_on=date(2027, 10, 1))
    assert plans.due_dates(plan, date(2026, 1, 1), date(2028, 12, 31)) == [
        date(2026, 11, 1), date(2027, 6, 1)]


# -- the generator --------------------------------------------------------------------------------------------------
def test_generating_makes_one_task_per_live_item_per_due_day_with_its_clock_and_one_event(world):
    elevator = category(world)
    lifts = items(world, elevator, 3)
    items(world, elevator, 1, project=world.project2)  # another project's elevator: not this plan's
    lifts[2].status = EquipmentStatus.SCRAPPED
    lifts[2].save()
    plan = plan_for(world, elevator, lead_days=30)

    made = plans.generate_tasks(date(2026, 10, 1))

    # due 10-01, 10-16, 10-31 (≤ 10-31) for the two live elevators
    assert made == 6
    tasks = MaintenanceTask.objects.filter(plan=plan).order_by("due_on", "equipment_id")
    assert [(t.equipment_id, t.due_on) for t in tasks] == [
        (lifts[0].pk, date(2026, 10, 1)), (lifts[1].pk, date(2026, 10, 1)),
        (lifts[0].pk, date(2026, 10, 16)), (lifts[1].pk, date(2026, 10, 16)),
        (lifts[0].pk, date(2026, 10, 31)), (lifts[1].pk, date(2026, 10, 31))]
    clock = clocks_for(tasks[0]).get()
    assert (clock.key, clock.state, clock.started_at, clock.due_at) == (
        "maintenance.task", ClockState.RUNNING, at(10, 1), at(10, 2))
    # Only the tasks whose day has come have a clock; the 10-16 and 10-31 ones get theirs on their day.
    assert Clock.objects.filter(key="maintenance.task").count() == 2
    assert not clocks_for(tasks[2]).exists()
    plan.refresh_from_db()
    assert plan.generated_through == date(2026, 10, 31)
    events = Event.objects.filter(verb="facilities.plan.generated")
    assert [(e.data["count"], e.data["starts_on"], e.data["ends_on"]) for e in events] == [
        (6, "2026-10-01", "2026-10-31")]
    plans.generate_tasks(date(2026, 10, 16))  # the hourly job on the 16th
    clock = clocks_for(tasks[2]).get()
    assert (clock.started_at, clock.due_at) == (at(10, 16), at(10, 17))
    assert Clock.objects.filter(key="maintenance.task").count() == 4


def test_a_rerun_makes_nothing_twice_and_the_next_day_only_what_came_into_range(world):
    elevator = category(world)
    items(world, elevator, 2)
    plan_for(world, elevator, lead_days=30)
    assert plans.generate_tasks(date(2026, 10, 1)) == 6
    assert plans.generate_tasks(date(2026, 10, 1)) == 0
    assert plans.generate_tasks(date(2026, 10, 15)) == 0  # through 11-14: nothing new
    assert plans.generate_tasks(date(2026, 10, 16)) == 2  # 11-15 came into range
    assert MaintenanceTask.objects.count() == 8
    assert Clock.objects.filter(key="maintenance.task").count() == 4  # the 10-01 and 10-16 tasks: their day came
    plans.start_due_clocks(date(2026, 10, 16))
    assert Clock.objects.filter(key="maintenance.task").count() == 4  # a rerun starts nothing twice
    assert Event.objects.filter(verb="facilities.plan.generated").count() == 2


def test_project_level_and_single_item_plans_and_grace_days(world):
    sweep_plan = plan_for(world, None, name="安全隐患排查", kind="hazard_sweep", role="security", grace_days=1)
    extinguishers = category(world, "fire_extinguisher", CategoryKind.FIRE, "灭火器")
    one = items(world, extinguishers, 2, prefix="MHQ")[1]
    single = plan_for(world, None, name="2号灭火器月检", frequency="monthly", interval=1, equipment=one,
                      kind="fire_check", role="security")
    assert plans.generate_tasks(date(2026, 10, 1)) == 2
    project_task = MaintenanceTask.objects.get(plan=sweep_plan)
    assert project_task.equipment_id is None
    assert clocks_for(project_task).get().due_at == at(10, 3)  # end of 10-01 plus one day's grace
    assert MaintenanceTask.objects.get(plan=single).equipment == one
    assert single.category == extinguishers


def test_a_paused_plan_makes_nothing(world):
    elevator = category(world)
    items(world, elevator, 2)
    plan = plan_for(world, elevator)
    plans.set_plan_active(actor(world, "gongcheng"), plan, False)
    assert plans.generate_tasks(date(2026, 10, 1)) == 0
    plans.set_plan_active(actor(world, "gongcheng"), plan, True)
    assert plans.generate_tasks(date(2026, 10, 1)) == 2


# -- doing a task ---------------------------------------------------------------------------------------------------
def _one_task(world, **extra):
    elevator = category(world)
    items(world, elevator, 1)
    plan_for(world, elevator, **extra)
    plans.generate_tasks(date(2026, 10, 1))
    return MaintenanceTask.objects.get()


def test_completing_a_task_on_its_day_stops_its_clock_met(world):
    task = _one_task(world)
    done = plans.complete_task(actor(world, "gongcheng"), task, at=at(10, 1, 15, 30), parts="制动器衬片 1 副",
                               results=[{"ok": True}, {"ok": False, "note": "门锁触点磨损，已更换"}])
    assert (done.status, done.late, done.completed_at, done.parts) == (TaskStatus.DONE, False, at(10, 1, 15, 30),
                                                                      "制动器衬片 1 副")
    assert done.results == [{"step": "检查制动器", "ok": True, "note": ""},
                            {"step": "检查门锁", "ok": False, "note": "门锁触点磨损，已更换"}]
    assert clocks_for(task).get().state == ClockState.MET
    event = timeline(task).get(verb="facilities.task.done")
    assert (event.data["failed"], event.data["steps"], event.data["late"]) == (1, 2, False)


def test_a_task_done_after_its_deadline_is_late(world):
    task = _one_task(world)
    done = plans.complete_task(actor(world, "gongcheng"), task, at=at(10, 2, 9, 0),
                               results=[{"ok": True}, {"ok": True}])
    assert done.late is True
    assert clocks_for(task).get().state == ClockState.BREACHED


def test_bad_results_name_the_field_and_write_nothing(world):
    task = _one_task(world)
    gongcheng = actor(world, "gongcheng")
    for results, words in (([{"ok": True}], "2"), ([{"ok": True}, {"ok": False}], "不合格"),
                           ([{"ok": True}, {"ok": "yes"}], "是否合格")):
        with pytest.raises(InvalidInput) as raised:
            plans.complete_task(gongcheng, task, results=results, at=at(10, 1, 10))
        assert raised.value.problems[0].field == "results" and words in raised.value.problems[0].message
    with pytest.raises(InvalidInput) as raised:
        plans.complete_task(gongcheng, task, results=[{"ok": True}] * 2, parts="x" * 301, at=at(10, 1, 10))
    assert raised.value.problems[0].field == "parts"
    task.refresh_from_db()
    assert (task.status, task.results) == (TaskStatus.SCHEDULED, [])
    assert clocks_for(task).get().state == ClockState.RUNNING
    assert not Event.objects.filter(verb="facilities.task.done").exists()


def test_only_the_plans_department_does_its_tasks_and_a_done_task_cannot_be_done_again(world):
    task = _one_task(world)
    for username in ("zhixu", "kefu", "jingli"):
        with pytest.raises(NotAllowed):
            plans.complete_task(actor(world, username), task, results=[{"ok": True}] * 2)
    plans.complete_task(actor(world, "gongcheng"), task, results=[{"ok": True}] * 2, at=at(10, 1, 10))
    with pytest.raises(Conflict):
        plans.complete_task(actor(world, "gongcheng"), task, results=[{"ok": True}] * 2)


def test_a_skipped_task_stays_visible_as_skipped_and_its_clock_is_cancelled(world):
    task = _one_task(world)
    with pytest.raises(InvalidInput) as raised:
        plans.skip_task(actor(world, "gongcheng"), task, reason="  ")
    assert raised.value.problems[0].field == "reason"
    skipped = plans.skip_task(actor(world, "gongcheng"), task, reason="电梯停用改造", at=at(10, 1, 9))
    assert (skipped.status, skipped.skip_reason) == (TaskStatus.SKIPPED, "电梯停用改造")
    assert clocks_for(task).get().state == ClockState.CANCELLED
    summary = plans.plan_summary(task.plan, date(2026, 10, 1))
    assert (summary["due"], summary["done"], summary["skipped"], summary["done_pct"]) == (1, 0, 1, 0.0)
    assert list(plans.tasks_with_status(MaintenanceTask.objects.all(), "skipped", date(2026, 10, 1))) == [task]


def test_a_task_nobody_did_escalates_once_per_rung_even_when_the_sweep_runs_twice(world):
    task = _one_task(world)
    clock = clocks_for(task).get()

    def rungs():
        return sorted((n.dedupe_key.split(":level:")[1].split(":")[0], n.recipient.username) for n in
                      Notification.objects.filter(dedupe_key__startswith=f"sla:{clock.pk}:level:"))

    for moment in (at(10, 2, 0, 1), at(10, 2, 0, 1), at(10, 2, 12)):
        sweep(moment)
    assert rungs() == [("1", "gongcheng")]  # the engineering supervisor, at the deadline
    assert Notification.objects.filter(dedupe_key__startswith=f"sla:{clock.pk}:warn").count() == 1
    sweep(at(10, 3, 0, 1))
    sweep(at(10, 3, 0, 2))
    assert rungs() == [("1", "gongcheng"), ("2", "jingli")]  # the project manager a day later
    sweep(at(10, 5, 0, 1))
    sweep(at(10, 6))
    assert rungs() == [("1", "gongcheng"), ("2", "jingli"), ("3", "pinzhi")]  # company quality, 3 days late
    assert plans.task_state(task, date(2026, 10, 2)) == "overdue"


def test_my_tasks_are_my_departments_due_by_today(world):
    elevator = category(world)
    items(world, elevator, 1)
    plan_for(world, elevator, lead_days=20)
    extinguishers = category(world, "fire_extinguisher", CategoryKind.FIRE, "灭火器")
    items(world, extinguishers, 2, prefix="MHQ")
    plan_for(world, extinguishers, name="灭火器月检", frequency="monthly", interval=1, kind="fire_check",
             role="security", checklist=plans.EXTINGUISHER_CHECK)
    plans.generate_tasks(date(2026, 10, 1))
    mine = plans.my_tasks(actor(world, "gongcheng"), date(2026, 10, 1))
    assert [(t.plan.name, t.due_on) for t in mine] == [("电梯日常保养", date(2026, 10, 1))]
    theirs = plans.my_tasks(actor(world, "zhixu"), date(2026, 10, 1))
    assert [t.plan.name for t in theirs] == ["灭火器月检", "灭火器月检"]
    assert not plans.my_tasks(actor(world, "kefu2"), date(2026, 10, 1)).exists()


def test_an_extinguisher_check_records_pressure_seal_and_expiry_per_item(world):
    extinguishers = category(world, "fire_extinguisher", CategoryKind.FIRE, "灭火器")
    items(world, extinguishers, 2, prefix="MHQ")
    plan_for(world, extinguishers, name="灭火器月检", frequency="monthly", interval=1, kind="fire_check",
             role="security", checklist=plans.EXTINGUISHER_CHECK)
    plans.generate_tasks(date(2026, 10, 1))
    first, second = MaintenanceTask.objects.order_by("equipment_id")
    zhixu = actor(world, "zhixu")
    plans.complete_task(zhixu, first, results=[{"ok": True}] * 3, at=at(10, 1, 10))
    plans.complete_task(zhixu, second, at=at(10, 1, 11), results=[
        {"ok": False, "note": "压力不足，已送充装"}, {"ok": True}, {"ok": True}])
    second.refresh_from_db()
    assert [(r["step"], r["ok"]) for r in second.results] == [
        ("压力表指针在绿区", False), ("铅封与保险销完好", True), ("在有效期内，瓶体无锈蚀", True)]
    with pytest.raises(NotAllowed):
        plans.complete_task(actor(world, "gongcheng"), MaintenanceTask(pk=first.pk, plan=first.plan),
                            results=[{"ok": True}] * 3)


# -- creating plans and the defaults --------------------------------------------------------------------------------
def test_a_bad_plan_names_every_wrong_field_and_writes_nothing(world):
    with pytest.raises(InvalidInput) as raised:
        plans.create_plan(actor(world, "gongcheng"), project=world.project1, name="x" * 101, kind="polish",
                          frequency="seasonal", interval=1, starts_on=date(1999, 1, 1), months=[13],
                          checklist=["a"] * 41, responsible_role="owner", lead_days=400, grace_days=-1)
    fields = {problem.field for problem in raised.value.problems}
    assert fields == {"name", "kind", "starts_on", "months", "checklist", "responsible_role", "lead_days",
                      "grace_days"}
    assert not MaintenancePlan.objects.exists()
    with pytest.raises(NotAllowed):
        plan_for(world, None, project=world.project1) if False else plans.create_plan(
            actor(world, "zhixu"), project=world.project1, name="p", kind="routine", frequency="days",
            starts_on=date(2026, 1, 1))
    plan_for(world, None, name="同名")
    with pytest.raises(Conflict):
        plan_for(world, None, name="同名")


def test_the_default_plans_install_once(world):
    cats = {"elevator": category(world), "hvac": category(world, "hvac", CategoryKind.HVAC, "空调"),
            "fire_extinguisher": category(world, "fire_extinguisher", CategoryKind.FIRE, "灭火器"),
            "hydrant": category(world, "hydrant", CategoryKind.FIRE, "消火栓")}
    made = plans.install_default_plans(world.project1, cats, starts_on=date(2026, 1, 1))
    again = plans.install_default_plans(world.project1, cats, starts_on=date(2026, 3, 1))
    assert [p.pk for p in made] == [p.pk for p in again]
    rows = {p.name: (p.frequency, p.interval, p.responsible_role, p.category.code if p.category else None,
                     p.months) for p in MaintenancePlan.objects.all()}
    assert rows == {
        "电梯日常保养": ("days", 15, "engineering", "elevator", []),
        "电梯全面保养": ("quarterly", 1, "engineering", "elevator", []),
        "空调清洗": ("yearly", 1, "engineering", "hvac", []),
        "灭火器月检": ("monthly", 1, "security", "fire_extinguisher", []),
        "消火栓季检": ("quarterly", 1, "security", "hydrant", []),
        "安全隐患排查": ("days", 15, "security", None, []),
        "消防演练": ("seasonal", 1, "security", None, [6, 11]),
    }
    assert MaintenancePlan.objects.get(name="消防演练").starts_on == date(2026, 1, 1)
    assert Event.objects.filter(verb="facilities.plan.created").count() == 7
    # Without an HVAC category, no HVAC plan.
    fewer = plans.install_default_plans(world.project2, {"elevator": cats["elevator"]}, starts_on=date(2026, 1, 1))
    assert [p.name for p in fewer] == ["电梯日常保养", "电梯全面保养", "安全隐患排查", "消防演练"]


def test_readings_are_checked_against_the_items_points_and_out_of_range_ones_are_noted(world):
    from decimal import Decimal

    from wuye.facilities.models import ReadingPoint

    task = _one_task(world)
    ReadingPoint.objects.create(category=task.equipment.category, code="current", label="电流", unit="A",
                                low=Decimal("5"), high=Decimal("30"))
    gongcheng = actor(world, "gongcheng")
    # Read as the operation log reads them: a magnitude no meter shows (≥ 1,000,000) is a typing slip, refused.
    for readings, words in (({"voltage": "380"}, "voltage"), ({"current": "很大"}, "电流"),
                            ({"current": "2000000"}, "电流")):
        with pytest.raises(InvalidInput) as raised:
            plans.complete_task(gongcheng, task, results=[{"ok": True}] * 2, readings=readings, at=at(10, 1, 10))
        assert raised.value.problems[0].field == "readings" and words in raised.value.problems[0].message
    done = plans.complete_task(gongcheng, task, results=[{"ok": True}] * 2, readings={"current": "31.5004"},
                               at=at(10, 1, 10))
    assert done.readings == {"current": "31.5"}  # 3 places, as in the operation log
    assert timeline(task).get(verb="facilities.task.done").data["outside"] == 1
