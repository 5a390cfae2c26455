"""A small facilities world for the home, my-day and workbench tests: four elevators and a pump in project 1 (one
faulty, one stopped), one elevator in project 2, engineering's and security's plans with tasks around `today`, faults
in several states, one active entrapment. Rows are made directly (these tests read, the streams' own tests write)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from wuye.facilities.models import (
    CategoryKind,
    Entrapment,
    Equipment,
    EquipmentCategory,
    EquipmentStatus,
    Fault,
    FaultSeverity,
    FaultStatus,
    HazardSweep,
    MaintenancePlan,
    MaintenanceTask,
    TaskStatus,
)
from wuye.sla.engine import start_clock

SH = ZoneInfo("Asia/Shanghai")


def end_of(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=SH)


def build(world, today: date) -> SimpleNamespace:
    company = world.company
    lift_kind, _ = EquipmentCategory.objects.get_or_create(
        company=company, code="elevator", defaults={"name": "电梯", "kind": CategoryKind.ELEVATOR})
    pump_kind, _ = EquipmentCategory.objects.get_or_create(
        company=company, code="water_pump", defaults={"name": "生活水泵", "kind": CategoryKind.WATER,
                                                       "reading_interval_minutes": 120})
    p1, p2 = world.project1, world.project2
    created = datetime(2026, 1, 1, tzinfo=SH)

    def item(project, category, code, status=EquipmentStatus.IN_SERVICE):
        return Equipment.objects.create(project=project, category=category, code=code, name=f"{code} {category.name}",
                                        status=status, created_at=created, location="B1")

    lifts = [item(p1, lift_kind, f"DT-0{n}") for n in range(1, 3)]
    faulty = item(p1, lift_kind, "DT-03", EquipmentStatus.FAULTY)
    stopped = item(p1, lift_kind, "DT-04", EquipmentStatus.STOPPED)
    pump = item(p1, pump_kind, "SB-01")  # never read: due for its readings
    other = item(p2, lift_kind, "DT-01")  # the same code in project 2

    gongcheng, zhixu = world.user("gongcheng"), world.user("zhixu")
    routine = MaintenancePlan.objects.create(project=p1, name="电梯日常保养", frequency="days", interval=15,
                                             starts_on=date(2026, 1, 1), category=lift_kind)
    extinguishers = MaintenancePlan.objects.create(project=p1, name="灭火器月检", kind="fire_check",
                                                   frequency="monthly", starts_on=date(2026, 1, 1),
                                                   responsible_role="security")
    p2_plan = MaintenancePlan.objects.create(project=p2, name="电梯日常保养", frequency="days", interval=15,
                                             starts_on=date(2026, 1, 1), category=lift_kind)

    def task(plan, due, equipment=None, status=TaskStatus.SCHEDULED, assignee=None, **fields):
        row = MaintenanceTask.objects.create(project=plan.project, plan=plan, equipment=equipment, due_on=due,
                                             status=status, assignee=assignee, **fields)
        if status == TaskStatus.SCHEDULED:
            start_clock(row, "maintenance.task", project=plan.project, at=datetime.combine(due, time.min, tzinfo=SH)
                        - timedelta(days=1), due_at=end_of(due))
        return row

    first = today.replace(day=1)
    tasks = SimpleNamespace(
        today_1=task(routine, today, lifts[0]),
        today_2=task(routine, today, lifts[1], assignee=gongcheng),
        overdue=task(routine, today - timedelta(days=2), faulty),
        upcoming=task(routine, today + timedelta(days=3), stopped),
        late=task(routine, first, pump, TaskStatus.DONE, completed_at=end_of(first) + timedelta(hours=2), late=True),
        skipped=task(routine, first, stopped, TaskStatus.SKIPPED, skip_reason="停梯"),
        fire_today=task(extinguishers, today),
        fire_overdue=task(extinguishers, today - timedelta(days=5)),
        other=task(p2_plan, today - timedelta(days=1), other),
    )

    now = datetime.combine(today, time(10), tzinfo=SH)

    def fault(equipment, status, severity=FaultSeverity.GENERAL, assignee=None, title="轿厢异响"):
        row = Fault.objects.create(project=equipment.project, equipment=equipment, status=status, severity=severity,
                                   title=title, assignee=assignee, raised_at=now - timedelta(hours=5))
        if status in (FaultStatus.REPORTED, FaultStatus.IN_REPAIR):
            start_clock(row, f"fault.{severity}.repair", project=equipment.project, at=row.raised_at)
        return row

    faults = SimpleNamespace(
        reported=fault(faulty, FaultStatus.REPORTED, FaultSeverity.MAJOR),  # nobody took it yet
        repairing=fault(lifts[0], FaultStatus.IN_REPAIR, assignee=gongcheng, title="门机故障"),
        testing=fault(lifts[1], FaultStatus.TESTING, assignee=gongcheng, title="平层不准"),
        someone_else=fault(pump, FaultStatus.IN_REPAIR, assignee=world.user("jingli"), title="漏水"),
        closed=fault(lifts[1], FaultStatus.CLOSED),
        other=fault(other, FaultStatus.REPORTED, FaultSeverity.MAJOR),
    )
    trapped = Entrapment.objects.create(project=p1, equipment=lifts[0], started_at=now - timedelta(minutes=3),
                                        floor="12", trapped_count=2)
    start_clock(trapped, "entrapment.staff_arrive", project=p1, at=trapped.started_at)
    Entrapment.objects.create(project=p1, equipment=lifts[1], status="closed", started_at=now - timedelta(days=3))
    HazardSweep.objects.create(project=p1, conducted_at=datetime.combine(first, time(9), tzinfo=SH),
                               inspector=zhixu, areas="地下车库")
    return SimpleNamespace(lifts=lifts, faulty=faulty, stopped=stopped, pump=pump, other=other, tasks=tasks,
                           faults=faults, trapped=trapped, now=now, today=today)
