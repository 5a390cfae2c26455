"""Maintenance plans (维护保养计划): due dates, the task generator, completing and skipping tasks.

A plan says how often (every N days / months, quarterly, yearly, or the first day of listed months) and for what
(every item of a category in the project, one item, or the project itself: hazard sweeps and drills). The hourly
job `facilities.generate_tasks` makes the dated tasks `lead_days` ahead, in bulk, each with its SLA clock
(`maintenance.task`, deadline = the end of the due day plus the plan's grace days); the sweep warns and escalates
a task nobody did. A task is done on the phone with one result per checklist step (an extinguisher check records
pressure, seal and expiry of its item the same way), or skipped with a reason — a skipped task stays visible and
counts against completion."""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wuye.core.access import Actor, Role, require, scoped
from wuye.core.bulk import insert_rows
from wuye.core.errors import Conflict, NotAllowed, Problems
from wuye.core.events import record_event
from wuye.core.sentences import register_sentences, register_terms
from wuye.core.validators import digits
from wuye.sla.engine import cancel_clocks, start_clocks, stop_clock
from wuye.sla.models import Clock, ClockState
from wuye.tenancy.models import Project

from .models import (
    STAFF_ROLES,
    Equipment,
    EquipmentStatus,
    MaintenancePlan,
    MaintenanceTask,
    PlanFrequency,
    PlanKind,
    TaskStatus,
)

CLOCK_KEY = "maintenance.task"
NAME_MAX = 100
STEP_MAX = 200
STEPS_MAX = 40
NOTE_MAX = 2000
STEP_NOTE_MAX = 300
PARTS_MAX = 300
REASON_MAX = 200
READINGS_MAX = 30
INTERVAL_MAX = {PlanFrequency.EVERY_N_DAYS: 366, PlanFrequency.MONTHLY: 24, PlanFrequency.QUARTERLY: 8,
                PlanFrequency.YEARLY: 5, PlanFrequency.SEASONAL: 1}
LEAD_DAYS_MAX = 366
GRACE_DAYS_MAX = 30
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)
# Items of one plan inserted (and their clocks started) per statement: bounds memory on a 20,000-item category.
BATCH = 5000
MONTHS_PER_STEP = {PlanFrequency.MONTHLY: 1, PlanFrequency.QUARTERLY: 3, PlanFrequency.YEARLY: 12}
DEPARTMENTS = {value for value, _label in STAFF_ROLES}


# -- due dates (pure) ----------------------------------------------------------------------------------------------
def _add_months(day: date, months: int, anchor_day: int) -> date:
    """`day` moved by `months` months on `anchor_day`, clamped to the month's end (Jan 31 + 1 month = Feb 28)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(anchor_day, calendar.monthrange(year, month)[1]))


def due_dates(plan: MaintenancePlan, start: date, end: date) -> list[date]:
    """The days in [start, end] a task of `plan` is due: every `interval` days from `starts_on`; every `interval`
    months (quarterly: 3 × interval, yearly: 12 × interval) on starts_on's day, clamped to the month's end; by
    season, the 1st of each month in `months`. Never before `starts_on` nor after `ends_on`. No query."""
    first, last = max(start, plan.starts_on), min(end, plan.ends_on) if plan.ends_on else end
    if first > last:
        return []
    interval = max(1, plan.interval or 1)
    anchor = plan.starts_on
    if plan.frequency == PlanFrequency.EVERY_N_DAYS:
        skip = -(-(first - anchor).days // interval)  # the first step on or after `first`
        day, step, days = anchor + timedelta(days=skip * interval), timedelta(days=interval), []
        while day <= last:
            days.append(day)
            day += step
        return days
    if plan.frequency in MONTHS_PER_STEP:
        months = MONTHS_PER_STEP[plan.frequency] * interval
        elapsed = (first.year - anchor.year) * 12 + first.month - anchor.month
        n = max(0, elapsed // months - 1)
        days = []
        while True:
            day = _add_months(anchor, n * months, anchor.day)
            if day > last:
                return days
            if day >= first:
                days.append(day)
            n += 1
    if plan.frequency == PlanFrequency.SEASONAL:
        wanted = {int(m) for m in plan.months or () if digits(str(m)) and 1 <= int(m) <= 12}
        days, year, month = [], first.year, first.month
        while date(year, month, 1) <= last:
            day = date(year, month, 1)
            if month in wanted and day >= first:
                days.append(day)
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return days
    return []


def deadline(plan: MaintenancePlan, due_on: date) -> datetime:
    """The end of the due day plus the plan's grace days (local midnight after it)."""
    return _deadline(due_on, plan.grace_days)


def _deadline(due_on: date, grace_days: int) -> datetime:
    return timezone.make_aware(datetime.combine(due_on + timedelta(days=1 + grace_days), time(0)))


# -- plans ---------------------------------------------------------------------------------------------------------
def _day(problems: Problems, field: str, value) -> date | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            problems.add(field, _("Give a date such as 2026-01-01."))
            return None
    if not isinstance(value, date) or not EARLIEST <= value <= LATEST:
        problems.add(field, _("Give a date between 2000 and 2100."))
        return None
    return value


def _checklist(problems: Problems, steps) -> list[str]:
    if isinstance(steps, str):
        steps = steps.splitlines()
    cleaned = [str(step).strip() for step in steps or () if str(step).strip()]
    if len(cleaned) > STEPS_MAX:
        problems.add("checklist", _("At most %(count)s steps.") % {"count": STEPS_MAX})
    elif any(len(step) > STEP_MAX for step in cleaned):
        problems.add("checklist", _("A step is at most %(count)s characters.") % {"count": STEP_MAX})
    return cleaned


def _months(problems: Problems, frequency: str, months) -> list[int]:
    values = []
    for month in months or ():
        try:
            value = int(month)
        except (TypeError, ValueError):
            value = 0
        if not 1 <= value <= 12:
            problems.add("months", _("Months are numbers from 1 to 12."))
            return []
        values.append(value)
    values = sorted(set(values))
    if frequency == PlanFrequency.SEASONAL and not values:
        problems.add("months", _("Choose the months a task falls due."))
    return values


@transaction.atomic
def create_plan(actor: Actor, *, project, name: str, kind: str, frequency: str, interval: int = 1, starts_on,
                category=None, equipment=None, months=(), checklist=(), responsible_role: str = Role.ENGINEERING,
                contractor=None, lead_days: int = 30, grace_days: int = 0, ends_on=None) -> MaintenancePlan:
    """A new plan of `project` (its tasks are made by `generate_tasks`). Every wrong field is named at once (422);
    a plan of the same name in the project is a conflict (409)."""
    require(actor, "facilities.manage_plans")
    if not actor.sees_project(project.pk) or (actor.company_id and project.company_id != actor.company_id
                                              and not actor.is_superuser):
        raise NotAllowed(_("Your role may not do this."))
    problems = Problems()
    name = (name or "").strip()
    if not name:
        problems.add("name", _("Give the plan a name."))
    elif len(name) > NAME_MAX:
        problems.add("name", _("At most %(count)s characters.") % {"count": NAME_MAX})
    if kind not in PlanKind.values:
        problems.add("kind", _("Choose one of: %(values)s.") % {"values": "、".join(str(x) for x in PlanKind.labels)})
    if frequency not in PlanFrequency.values:
        problems.add("frequency", _("Choose one of: %(values)s.") % {
            "values": "、".join(str(label) for label in PlanFrequency.labels)})
    elif not isinstance(interval, int) or not 1 <= interval <= INTERVAL_MAX[frequency]:
        problems.add("interval", _("Give a whole number from 1 to %(max)s.") % {"max": INTERVAL_MAX[frequency]})
    starts = _day(problems, "starts_on", starts_on)
    if starts_on is None:
        problems.add("starts_on", _("Give the first due day."))
    ends = _day(problems, "ends_on", ends_on)
    if starts and ends and ends < starts:
        problems.add("ends_on", _("The plan cannot end before it starts."))
    months = _months(problems, frequency, months)
    steps = _checklist(problems, checklist)
    if responsible_role not in DEPARTMENTS:
        problems.add("responsible_role", _("Choose a department."))
    if not isinstance(lead_days, int) or not 0 <= lead_days <= LEAD_DAYS_MAX:
        problems.add("lead_days", _("Give a whole number from 0 to %(max)s.") % {"max": LEAD_DAYS_MAX})
    if not isinstance(grace_days, int) or not 0 <= grace_days <= GRACE_DAYS_MAX:
        problems.add("grace_days", _("Give a whole number from 0 to %(max)s.") % {"max": GRACE_DAYS_MAX})
    if category is not None and category.company_id != project.company_id:
        problems.add("category", _("No such equipment category."))
    if equipment is not None:
        if equipment.project_id != project.pk:
            problems.add("equipment", _("No such equipment."))
        elif category is not None and equipment.category_id != category.pk:
            problems.add("equipment", _("The item is not of the plan's category."))
    if contractor is not None and contractor.company_id != project.company_id:
        problems.add("contractor", _("No such contractor."))
    problems.raise_if_any()
    taken = Conflict(_("The project already has a plan named %(name)s.") % {"name": name})
    if MaintenancePlan.objects.filter(project=project, name=name).exists():
        raise taken
    try:
        with transaction.atomic():  # two creators racing: the unique constraint decides
            plan = MaintenancePlan.objects.create(
                project=project, name=name, kind=kind, frequency=frequency, interval=interval, months=months,
                starts_on=starts, ends_on=ends, category=category if equipment is None else equipment.category,
                equipment=equipment, checklist=steps, responsible_role=responsible_role, contractor=contractor,
                lead_days=lead_days, grace_days=grace_days)
    except IntegrityError:
        raise taken from None
    record_event(plan, "facilities.plan.created", actor=actor.user, data={
        "name": plan.name, "frequency": plan.frequency, "starts_on": plan.starts_on.isoformat(),
        "department": plan.responsible_role})
    return plan


@transaction.atomic
def set_plan_active(actor: Actor, plan: MaintenancePlan, active: bool) -> MaintenancePlan:
    """Pause or resume a plan: a paused plan makes no new tasks (those already made stay)."""
    require(actor, "facilities.manage_plans")
    if plan.is_active != active:
        plan.is_active = active
        plan.save(update_fields=["is_active"])
        record_event(plan, "facilities.plan.resumed" if active else "facilities.plan.paused", actor=actor.user,
                     data={"name": plan.name})
    return plan


# -- the generator -------------------------------------------------------------------------------------------------
def _targets(plan: MaintenancePlan) -> list[int | None]:
    """The item ids a task is made for: the plan's one item, every live item of its category in the project, or
    [None] for a project-level plan (hazard sweeps, drills)."""
    live = Equipment.objects.exclude(status=EquipmentStatus.SCRAPPED)
    if plan.equipment_id:
        return list(live.filter(pk=plan.equipment_id).values_list("id", flat=True))
    if plan.category_id:
        return list(live.filter(project_id=plan.project_id, category_id=plan.category_id)
                    .order_by("id").values_list("id", flat=True))
    return [None]


class _TaskRef:
    """A new task as `start_clocks` reads its subjects (the model's options and the pk): building a model instance
    per task cost more than inserting it (a year of 500,000 tasks)."""

    __slots__ = ("pk",)
    _meta = MaintenanceTask._meta

    def __init__(self, pk: int):
        self.pk = pk


def _generate_plan(plan_id: int, today: date) -> int:
    """One plan's tasks through today + lead_days (the plan's row locked: runs of the same plan wait in line)."""
    plan = MaintenancePlan.objects.select_for_update().select_related("project").get(pk=plan_id)
    if not plan.is_active:
        return 0
    start = plan.generated_through + timedelta(days=1) if plan.generated_through else plan.starts_on
    end = today + timedelta(days=plan.lead_days)
    if end < start:
        return 0
    days = due_dates(plan, start, end)
    targets = _targets(plan) if days else []
    made = 0
    # JSON columns for insert_rows: COPY (PostgreSQL) takes their text, which the server parses as jsonb — one
    # literal instead of a million json.dumps for a year of tasks; executemany prepares the objects itself.
    if connection.vendor == "postgresql":
        empty_results, empty_readings = "[]", "{}"
    else:
        empty_results, empty_readings = [], {}
    if days and targets:
        existing = set(MaintenanceTask.objects.filter(plan=plan, due_on__gte=days[0], due_on__lte=days[-1])
                       .values_list("equipment_id", "due_on"))
        for day in days:
            for offset in range(0, len(targets), BATCH):
                batch = [item for item in targets[offset:offset + BATCH] if (item, day) not in existing]
                if not batch:
                    continue
                made += insert_rows(MaintenanceTask, ({
                    "project_id": plan.project_id, "plan_id": plan.pk, "equipment_id": item, "due_on": day,
                    "status": TaskStatus.SCHEDULED, "results": empty_results, "readings": empty_readings}
                    for item in batch))
    plan.generated_through = end
    plan.save(update_fields=["generated_through"])
    if made:
        record_event(plan, "facilities.plan.generated", data={
            "count": made, "starts_on": days[0].isoformat(), "ends_on": days[-1].isoformat()})
    return made


def generate_tasks(today: date | None = None, *, plans: Iterable[MaintenancePlan] | None = None) -> int:
    """Make every active plan's tasks from where the last run stopped through today + the plan's lead days (one
    event per plan that made any), then start the clocks of the tasks whose day has come (`start_due_clocks`).
    Returns the number of tasks made; a rerun makes 0. Each plan is its own transaction (a plan that fails does
    not undo the others)."""
    today = today or timezone.localdate()
    ids = (list(MaintenancePlan.objects.filter(is_active=True).order_by("id").values_list("id", flat=True))
           if plans is None else [plan.pk for plan in plans])
    made = 0
    for plan_id in ids:
        with transaction.atomic():
            made += _generate_plan(plan_id, today)
    start_due_clocks(today, plan_ids=None if plans is None else ids)  # the job: every plan's, paused ones too
    return made


def start_due_clocks(today: date | None = None, *, plan_ids: Iterable[int] | None = None) -> int:
    """Start the `maintenance.task` clock of every scheduled task whose due day has come (due ≤ today) and that has
    none yet. A task's clock runs from the start of its due day to the end of it (plus the plan's grace days), so
    it is started when that day comes, not when the task is made weeks ahead: the clock table holds the duties
    of the days that have come (O(due)), not a year of future ones. Idempotent (start_clocks skips open clocks)."""
    today = today or timezone.localdate()
    clocks = Clock.objects.filter(subject_type=ContentType.objects.get_for_model(MaintenanceTask),
                                  subject_id=OuterRef("pk"), key=CLOCK_KEY)
    due = (MaintenanceTask.objects.filter(status=TaskStatus.SCHEDULED, due_on__lte=today)
           .exclude(Exists(clocks)).order_by("project_id", "due_on", "plan_id", "id"))
    if plan_ids is not None:
        due = due.filter(plan_id__in=list(plan_ids))
    started = 0
    groups: dict[tuple, list] = {}
    for pk, project_id, grace, due_on in due.values_list("pk", "project_id", "plan__grace_days",
                                                         "due_on").iterator():
        groups.setdefault((project_id, due_on), []).append((pk, due_on, grace))
    projects = {project.pk: project for project in Project.objects.filter(pk__in={key[0] for key in groups})}
    for (project_id, due_on), rows in groups.items():
        begins = timezone.make_aware(datetime.combine(due_on, time(0)))
        with transaction.atomic():
            started += start_clocks([(_TaskRef(pk), _deadline(day, grace)) for pk, day, grace in rows], CLOCK_KEY,
                                    project=projects[project_id], at=begins)
    return started


# -- doing the tasks -----------------------------------------------------------------------------------------------
def may_do(actor: Actor, task: MaintenanceTask) -> bool:
    """Whether `actor` carries out `task`: the plan's department does its own tasks (engineering the maintenance,
    order and security the extinguisher and hydrant checks, sweeps and drills)."""
    if not actor.may("facilities.do_tasks"):
        return False
    return actor.is_superuser or actor.role == task.plan.responsible_role


def _require_do(actor: Actor, task: MaintenanceTask) -> None:
    require(actor, "facilities.do_tasks")
    if not may_do(actor, task):
        raise NotAllowed(_("This task belongs to another department."))


def _results(problems: Problems, checklist: list[str], results) -> list[dict]:
    """One result per checklist step, in its order: {"ok": bool, "note": str} (a step's text may be repeated as
    "step"); a step not OK needs a note."""
    if not isinstance(results, list | tuple):
        problems.add("results", _("Give one result per checklist step."))
        return []
    if len(results) != len(checklist):
        problems.add("results", _("Give one result per checklist step (%(count)s).") % {"count": len(checklist)})
        return []
    cleaned = []
    for number, (step, result) in enumerate(zip(checklist, results, strict=True), start=1):
        if not isinstance(result, dict) or not isinstance(result.get("ok"), bool):
            problems.add("results", _("Step %(number)s: say whether it is OK.") % {"number": number})
            continue
        note = str(result.get("note") or "").strip()
        if len(note) > STEP_NOTE_MAX:
            problems.add("results", _("Step %(number)s: the note is at most %(count)s characters.")
                         % {"number": number, "count": STEP_NOTE_MAX})
        elif not result["ok"] and not note:
            problems.add("results", _("Step %(number)s is not OK: say what is wrong.") % {"number": number})
        cleaned.append({"step": step, "ok": result["ok"], "note": note})
    return cleaned


def _limits(equipment) -> dict:
    """The item's reading points by code (register.limits_for); none for a project-level task."""
    from .register import limits_for

    return limits_for(equipment) if equipment is not None else {}


def _readings(problems: Problems, task: MaintenanceTask, readings) -> tuple[dict, list[str]]:
    """Readings as {point code: number as text, e.g. "31.5"}, only of the item's reading points, parsed and
    bounded as the operation log does (operation.parse_value: 3 places, absurd magnitudes refused); returns them
    and the codes outside their limits (recorded, not refused: an out-of-range value is what was measured)."""
    from . import operation

    if not readings:
        return {}, []
    if not isinstance(readings, dict) or len(readings) > READINGS_MAX:
        problems.add("readings", _("Give the readings as point: value."))
        return {}, []
    points = _limits(task.equipment)
    values, outside = {}, []
    for code, raw in readings.items():
        point = points.get(code)
        if point is None:
            problems.add("readings", _("%(code)s is not a reading of this item.") % {"code": str(code)[:30]})
            continue
        try:
            value = operation.parse_value(raw)
        except ValueError as error:
            # Field `readings` (not `readings.<code>`): the task page shows the readings' errors in one place.
            problems.add("readings", _("%(label)s: %(problem)s") % {"label": point.label, "problem": error})
            continue
        values[code] = operation.plain(value)
        if operation.out_of_range(point, value):
            outside.append(code)
    return values, outside


def _bounded(problems: Problems, field: str, text, limit: int) -> str:
    text = str(text or "").strip()
    if len(text) > limit:
        problems.add(field, _("At most %(count)s characters.") % {"count": limit})
    return text


@transaction.atomic
def complete_task(actor: Actor, task: MaintenanceTask, *, results, readings=None, parts: str = "", note: str = "",
                  photos=(), at: datetime | None = None) -> MaintenanceTask:
    """Record a task done: the checklist's results, readings (of the item's points), parts used, note and photos.
    Stops its clock; done after the deadline, the task is `late`. A task no longer scheduled is a conflict."""
    _require_do(actor, task)
    # of=self: the item is an outer join (project-level tasks have none), which PostgreSQL cannot lock.
    task = (MaintenanceTask.objects.select_for_update(of=("self",)).select_related("plan", "equipment", "project")
            .get(pk=task.pk))
    if task.status != TaskStatus.SCHEDULED:
        raise Conflict(_("This task is already %(status)s.") % {"status": task.get_status_display()})
    at = at or timezone.now()
    problems = Problems()
    cleaned = _results(problems, list(task.plan.checklist or ()), results)
    values, outside = _readings(problems, task, readings)
    parts = _bounded(problems, "parts", parts, PARTS_MAX)
    note = _bounded(problems, "note", note, NOTE_MAX)
    problems.raise_if_any()
    kept = []
    if photos:
        from wuye.quality.evidence import attach_evidence

        kept = attach_evidence(actor, task, photos, project=task.project, field="photos", at=at)
    clock = stop_clock(task, CLOCK_KEY, at=at, actor=actor.user)
    late = clock.state == ClockState.BREACHED if clock else at > deadline(task.plan, task.due_on)
    task.status, task.completed_at, task.completed_by, task.late = TaskStatus.DONE, at, actor.user, late
    task.results, task.readings, task.parts, task.note = cleaned, values, parts, note
    task.save(update_fields=["status", "completed_at", "completed_by", "late", "results", "readings", "parts",
                             "note"])
    record_event(task, "facilities.task.done", actor=actor.user, data={
        "plan": task.plan.name, "steps": len(cleaned), "failed": sum(1 for r in cleaned if not r["ok"]),
        "outside": len(outside), "photos": len(kept), "late": late})
    return task


@transaction.atomic
def skip_task(actor: Actor, task: MaintenanceTask, *, reason: str, at: datetime | None = None) -> MaintenanceTask:
    """Skip a task with a reason (the item is out of service, the contractor did it under a repair): it stays on
    the plan as skipped and counts against completion; its clock is cancelled."""
    if not (actor.may("facilities.manage_plans") or may_do(actor, task)):
        _require_do(actor, task)
    task = MaintenanceTask.objects.select_for_update(of=("self",)).select_related("plan").get(pk=task.pk)
    if task.status != TaskStatus.SCHEDULED:
        raise Conflict(_("This task is already %(status)s.") % {"status": task.get_status_display()})
    problems = Problems()
    reason = _bounded(problems, "reason", reason, REASON_MAX)
    if not reason:
        problems.add("reason", _("Say why the task is skipped."))
    problems.raise_if_any()
    task.status, task.skip_reason = TaskStatus.SKIPPED, reason
    task.completed_at, task.completed_by = at or timezone.now(), actor.user
    task.save(update_fields=["status", "skip_reason", "completed_at", "completed_by"])
    cancel_clocks(task, actor=actor.user, reason=reason, keys=[CLOCK_KEY])
    record_event(task, "facilities.task.skipped", actor=actor.user, data={"plan": task.plan.name, "reason": reason})
    return task


# -- lists ---------------------------------------------------------------------------------------------------------
TASK_FILTERS = ("scheduled", "overdue", "done", "late", "skipped")


def tasks_with_status(tasks: QuerySet, status: str | None, today: date) -> QuerySet:
    """Narrow tasks by what a person asks for: scheduled (to do, not yet overdue), overdue (to do, due day and
    grace passed), done, late (done after the deadline), skipped."""
    if status == "scheduled":
        return tasks.filter(status=TaskStatus.SCHEDULED).exclude(_overdue(today))
    if status == "overdue":
        return tasks.filter(_overdue(today), status=TaskStatus.SCHEDULED)
    if status == "done":
        return tasks.filter(status=TaskStatus.DONE)
    if status == "late":
        return tasks.filter(status=TaskStatus.DONE, late=True)
    if status == "skipped":
        return tasks.filter(status=TaskStatus.SKIPPED)
    return tasks


def _overdue(today: date) -> Q:
    """Tasks whose deadline (the end of due day + grace) is before `today`. Grace is per plan and date arithmetic
    on a column differs by database: one clause per possible grace (0–30) keeps it portable."""
    clause = Q()
    for grace in range(GRACE_DAYS_MAX + 1):
        clause |= Q(plan__grace_days=grace, due_on__lt=today - timedelta(days=grace))
    return clause


def is_overdue(task: MaintenanceTask, today: date) -> bool:
    return task.status == TaskStatus.SCHEDULED and task.due_on + timedelta(days=task.plan.grace_days) < today


def task_state(task: MaintenanceTask, today: date) -> str:
    """scheduled / overdue / done / late / skipped / cancelled — what the lists and the API show."""
    if task.status == TaskStatus.DONE:
        return "late" if task.late else "done"
    if task.status == TaskStatus.SCHEDULED and is_overdue(task, today):
        return "overdue"
    return task.status


STATE_LABELS = {
    "scheduled": gettext_lazy("To do"), "overdue": gettext_lazy("Overdue"), "done": gettext_lazy("Done"),
    "late": gettext_lazy("Done late"), "skipped": gettext_lazy("Skipped"), "cancelled": gettext_lazy("Cancelled"),
}


def mine_q(actor: Actor) -> Q:
    """Whose task is this: the tasks assigned to the actor, or unassigned in their department (one definition for
    `my_tasks` and the to-dos)."""
    mine = Q(assignee_id=actor.user.pk) if getattr(actor.user, "pk", None) else Q(pk__in=[])
    if actor.role is not None:
        mine |= Q(assignee__isnull=True, plan__responsible_role=actor.role)
    return mine


def my_tasks(actor: Actor, today: date) -> QuerySet:
    """The actor's scheduled tasks due by `today` (overdue ones included): assigned to them, or unassigned in
    their department, in the projects they work on."""
    return (scoped(MaintenanceTask.objects.all(), actor)
            .filter(mine_q(actor), status=TaskStatus.SCHEDULED, due_on__lte=today)
            .select_related("plan", "equipment", "project", "completed_by").order_by("due_on", "id"))


def plan_summary(plan: MaintenancePlan, today: date) -> dict:
    """Counts of a plan's tasks due by today: done (on time and late), skipped, overdue, and done % (skipped and
    overdue tasks count against it)."""
    tasks = MaintenanceTask.objects.filter(plan=plan, due_on__lte=today).exclude(status=TaskStatus.CANCELLED)
    due = tasks.count()
    done = tasks.filter(status=TaskStatus.DONE).count()
    late = tasks.filter(status=TaskStatus.DONE, late=True).count()
    skipped = tasks.filter(status=TaskStatus.SKIPPED).count()
    overdue = tasks_with_status(tasks, "overdue", today).count()
    return {"due": due, "done": done, "late": late, "skipped": skipped, "overdue": overdue,
            "done_pct": round(done * 100 / due, 1) if due else None}


def plan_counts(plan_ids, today: date) -> dict[int, dict]:
    """Done %, done late, skipped and overdue of many plans' tasks due by today, in one query."""
    rows = (MaintenanceTask.objects.filter(plan_id__in=list(plan_ids), due_on__lte=today)
            .exclude(status=TaskStatus.CANCELLED).values("plan_id")
            .annotate(due=Count("id"), done=Count("id", filter=Q(status=TaskStatus.DONE)),
                      late=Count("id", filter=Q(status=TaskStatus.DONE, late=True)),
                      skipped=Count("id", filter=Q(status=TaskStatus.SKIPPED)),
                      overdue=Count("id", filter=Q(_overdue(today), status=TaskStatus.SCHEDULED))))
    counts = {}
    for row in rows:
        row["done_pct"] = round(row["done"] * 100 / row["due"], 1) if row["due"] else None
        counts[row["plan_id"]] = row
    return counts


def filter_tasks(actor: Actor, filters: dict, today: date) -> QuerySet:
    """Tasks in scope narrowed by the lists' filters (status, project, plan, equipment, due_after, due_before,
    mine); to do earliest first, done / late / skipped latest first."""
    rows = scoped(MaintenanceTask.objects.all(), actor).select_related("plan", "equipment", "project",
                                                                      "completed_by")
    if filters["mine"]:
        rows = my_tasks(actor, today)
    for name, lookup in (("project", "project_id"), ("plan", "plan_id"), ("equipment", "equipment_id"),
                         ("due_after", "due_on__gte"), ("due_before", "due_on__lte")):
        if filters[name]:
            rows = rows.filter(**{lookup: filters[name]})
    rows = tasks_with_status(rows, filters["status"] or None, today)
    if filters["status"] in ("done", "late", "skipped"):
        return rows.order_by("-due_on", "-id")
    return rows.order_by("due_on", "id")


# -- shipped defaults ----------------------------------------------------------------------------------------------
ELEVATOR_ROUTINE = ["检查曳引机、减速箱油位及运行声音", "检查制动器动作与间隙", "检查轿门、层门开关门及门锁",
                    "检查轿厢照明、通风、应急照明与五方对讲", "清洁机房、轿顶与底坑"]
ELEVATOR_FULL = ["全面检查曳引钢丝绳磨损与张力", "检查限速器、安全钳联动", "检查缓冲器与导轨润滑",
                 "检查控制柜接线与接地", "平层精度测试", "空载运行试验"]
HVAC_CLEANING = ["清洗过滤网与冷凝器", "检查冷媒压力", "清理冷凝水排水管", "运行试验"]
EXTINGUISHER_CHECK = ["压力表指针在绿区", "铅封与保险销完好", "在有效期内，瓶体无锈蚀"]
HYDRANT_CHECK = ["水枪、水带、接口齐全完好", "阀门开关灵活、无渗漏", "出水压力正常", "箱门开启正常、标识清晰"]
HAZARD_SWEEP = ["消防通道、安全出口畅通", "消防设施完好有效", "电气线路无私拉乱接", "无易燃易爆物品违规存放"]
FIRE_DRILL = ["制定演练方案并通知业主", "组织演练并记录参与人数", "总结演练效果"]

# name, kind, category code (None: the project itself), frequency, interval, months, checklist, department, grace
DEFAULT_PLANS = [
    ("电梯日常保养", PlanKind.ROUTINE, "elevator", PlanFrequency.EVERY_N_DAYS, 15, (), ELEVATOR_ROUTINE,
     Role.ENGINEERING, 0),
    ("电梯全面保养", PlanKind.FULL, "elevator", PlanFrequency.QUARTERLY, 1, (), ELEVATOR_FULL, Role.ENGINEERING, 3),
    ("空调清洗", PlanKind.CLEANING, "hvac", PlanFrequency.YEARLY, 1, (), HVAC_CLEANING, Role.ENGINEERING, 7),
    ("灭火器月检", PlanKind.FIRE_CHECK, "fire_extinguisher", PlanFrequency.MONTHLY, 1, (), EXTINGUISHER_CHECK,
     Role.SECURITY, 2),
    ("消火栓季检", PlanKind.FIRE_CHECK, "hydrant", PlanFrequency.QUARTERLY, 1, (), HYDRANT_CHECK, Role.SECURITY, 3),
    ("安全隐患排查", PlanKind.HAZARD_SWEEP, None, PlanFrequency.EVERY_N_DAYS, 15, (), HAZARD_SWEEP, Role.SECURITY, 1),
    # 安全生产月 (June) and 消防宣传月 (November): the drill may be held any day of the month.
    ("消防演练", PlanKind.FIRE_DRILL, None, PlanFrequency.SEASONAL, 1, (6, 11), FIRE_DRILL, Role.SECURITY, 29),
]


@transaction.atomic
def install_default_plans(project, categories: dict, *, starts_on: date) -> list[MaintenancePlan]:
    """The seed's plans for `project` (elevator routine every 15 days and full quarterly, HVAC cleaning yearly,
    extinguishers monthly, hydrants quarterly, hazard sweeps twice a month, two fire drills a year): those whose
    category is in `categories` ({code: EquipmentCategory}) or that need none. Idempotent by plan name: an
    existing plan is kept as it is. Returns the project's default plans."""
    plans = []
    for name, kind, code, frequency, interval, months, checklist, department, grace in DEFAULT_PLANS:
        category = categories.get(code) if code else None
        if code and category is None:
            continue
        plan, created = MaintenancePlan.objects.get_or_create(project=project, name=name, defaults={
            "kind": kind, "category": category, "frequency": frequency, "interval": interval,
            "months": list(months), "starts_on": starts_on, "checklist": list(checklist),
            "responsible_role": department, "grace_days": grace})
        if created:
            record_event(plan, "facilities.plan.created", data={
                "name": plan.name, "frequency": plan.frequency, "starts_on": plan.starts_on.isoformat(),
                "department": plan.responsible_role})
        plans.append(plan)
    return plans


# -- sentences -----------------------------------------------------------------------------------------------------
def _task_done(event, fields) -> str:
    data = fields.raw
    text = _("Task done: %(plan)s") % fields
    if data.get("failed"):
        text = _("%(text)s; %(failed)s of %(steps)s steps not OK") % {"text": text, "failed": data["failed"],
                                                                      "steps": data.get("steps", 0)}
    if data.get("outside"):
        text = _("%(text)s; %(outside)s readings out of range") % {"text": text, "outside": data["outside"]}
    if data.get("photos"):
        text = _("%(text)s (%(photos)s photos)") % {"text": text, "photos": data["photos"]}
    if data.get("late"):
        text = _("%(text)s; after the deadline") % {"text": text}
    return text


register_terms(values={"frequency": dict(PlanFrequency.choices), "department": dict(STAFF_ROLES),
                       "key": {CLOCK_KEY: gettext_lazy("Maintenance task")}})
register_sentences({
    "facilities.plan.created": (gettext_lazy("Maintenance plan made: %(name)s, %(frequency)s, %(department)s, "
                                             "from %(starts_on)s"), {
        "example": {"name": "电梯日常保养", "frequency": "days", "department": "engineering",
                    "starts_on": "2026-01-01"}}),
    "facilities.plan.paused": (gettext_lazy("Maintenance plan paused: %(name)s"), {
        "example": {"name": "电梯日常保养"}}),
    "facilities.plan.resumed": (gettext_lazy("Maintenance plan resumed: %(name)s"), {
        "example": {"name": "电梯日常保养"}}),
    "facilities.plan.generated": (gettext_lazy("%(count)s maintenance tasks made, due %(starts_on)s to %(ends_on)s"), {
        "example": {"count": 48, "starts_on": "2026-12-01", "ends_on": "2026-12-31"}}),
    "facilities.task.done": (_task_done, {
        "example": {"plan": "灭火器月检", "steps": 3, "failed": 1, "outside": 0, "photos": 2, "late": True}}),
    "facilities.task.skipped": (gettext_lazy("Task skipped (%(plan)s): %(reason)s"), {
        "example": {"plan": "电梯日常保养", "reason": "电梯停用改造"}}),
})
