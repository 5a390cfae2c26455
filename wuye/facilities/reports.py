"""The facilities overview's figures — the facilities home, the technician's day (my_day) and the workbench cards
count with these, and every count comes with the link to the list that shows exactly those rows:

- tasks through `plans.filter_tasks` (the task list's own filter function) with the list's filter values, so a
  count and its link share one dict (`task_filters` → `tasks_url`);
- faults through `fault_rows`, the fault list's filters (project, equipment, status, severity, open);
- entrapments through `entrapments.visible_entrapments` narrowed by status, as the entrapment list does.

`find_item` is the phone hub's code box: an item's code in the actor's projects, or a pasted label URL / token.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import NoReverseMatch
from django.utils import timezone

from wuye.core.access import Actor, Role, may_read, scoped
from wuye.core.links import url_or_none
from wuye.sla.models import Clock, ClockState

from .models import (
    Entrapment,
    EntrapmentStatus,
    Equipment,
    EquipmentStatus,
    Fault,
    FaultStatus,
    Handover,
    HandoverStatus,
    HazardSweep,
    MaintenanceTask,
    TaskStatus,
)

CODE_MAX = 200  # the code box: an item code (40) or a pasted label URL
TOKEN = re.compile(r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}")
ROW_LIMIT = 50



def url_of(record) -> str | None:
    try:
        return record.get_absolute_url()
    except NoReverseMatch:  # the record's page may not be there yet
        return None


def _with_query(base: str | None, filters: dict) -> str | None:
    if base is None:
        return None
    query = urlencode({key: ("on" if value is True else value.isoformat() if isinstance(value, date) else value)
                       for key, value in filters.items() if value not in ("", None, False)})
    return f"{base}?{query}" if query else base


# -- tasks ------------------------------------------------------------------------------------------------------
TASK_FILTERS = {"status": "", "project": "", "plan": "", "equipment": "", "due_after": "", "due_before": "",
                "mine": False}


def task_filters(**given) -> dict:
    """The task list's filter dict (what `web.maintenance.task_filters` reads from its query string)."""
    unknown = set(given) - set(TASK_FILTERS)
    if unknown:
        raise ValueError(f"not a task list filter: {sorted(unknown)}")
    return {**TASK_FILTERS, **given}


def tasks_url(filters: dict) -> str | None:
    return _with_query(url_or_none("facilities:tasks"), filters)


def task_rows(actor: Actor, filters: dict, today: date):
    from .plans import filter_tasks

    return filter_tasks(actor, filters, today)


def count_many(model, base, parts: dict) -> dict[str, int]:
    """{name: rows of `parts[name]`} in one aggregate query over `base` (each part a queryset of `model`)."""
    if not parts:
        return {}
    return base.aggregate(**{name: Count("pk", filter=Q(pk__in=rows.order_by().values("pk")))
                             for name, rows in parts.items()})


def count_all(user, parts: dict) -> dict[str, int]:
    """{name: rows of `parts[name]`} for querysets of any models, in one query: each is a scalar COUNT subquery on
    the one row of the signed-in user (the workbench keeps to its query budget)."""
    from django.contrib.auth import get_user_model
    from django.db.models import F, Func, IntegerField, Subquery

    if not parts:
        return {}
    counts = {name: Subquery(rows.order_by().annotate(n=Func(F("pk"), function="COUNT"))
                             .values("n")[:1], output_field=IntegerField())
              for name, rows in parts.items()}
    row = get_user_model().objects.filter(pk=user.pk).annotate(**counts).values(*counts).first()
    return {name: int((row or {}).get(name) or 0) for name in parts}


def task_counts(actor: Actor, specs: dict[str, dict], today: date) -> dict[str, int]:
    """{name: count} of several task-list filters, in one query."""
    return count_many(MaintenanceTask, scoped(MaintenanceTask.objects.all(), actor),
                      {name: task_rows(actor, filters, today) for name, filters in specs.items()})


def month_start(today: date) -> date:
    return today.replace(day=1)


# -- faults -----------------------------------------------------------------------------------------------------
FAULT_FILTERS = {"project": "", "equipment": "", "status": "", "severity": "", "open": False}


def fault_filters(**given) -> dict:
    unknown = set(given) - set(FAULT_FILTERS)
    if unknown:
        raise ValueError(f"not a fault list filter: {sorted(unknown)}")
    return {**FAULT_FILTERS, **given}


def fault_rows(actor: Actor, filters: dict):
    """The fault list's rows for its filter values: the list page (web/faults.fault_list) and the cards count these."""
    from .faults import open_faults

    rows = scoped(Fault.objects.all(), actor)
    for name in ("project", "equipment"):
        if filters[name]:
            rows = rows.filter(**{f"{name}_id": int(filters[name])})
    for name in ("status", "severity"):
        if filters[name]:
            rows = rows.filter(**{name: filters[name]})
    if filters["open"]:
        rows = open_faults(rows)
    return rows


def faults_url(filters: dict) -> str | None:
    return _with_query(url_or_none("facilities:faults"), filters)


def fault_counts(actor: Actor, specs: dict[str, dict]) -> dict[str, int]:
    return count_many(Fault, scoped(Fault.objects.all(), actor),
                      {name: fault_rows(actor, filters) for name, filters in specs.items()})


OPEN_FAULT_STATES = (FaultStatus.RAISED, FaultStatus.REPORTED, FaultStatus.IN_REPAIR, FaultStatus.TESTING)


# -- entrapments ------------------------------------------------------------------------------------------------
def active_entrapments(actor: Actor):
    from .entrapments import visible_entrapments

    return visible_entrapments(actor).filter(status=EntrapmentStatus.ACTIVE)


def entrapments_url(status: str = "") -> str | None:
    return _with_query(url_or_none("facilities:entrapments"), {"status": status})


# -- the facilities home ------------------------------------------------------------------------------------------
def overview(actor: Actor, now: datetime) -> dict:
    """Everything the facilities home counts, each figure with the link to its list (None while that list has
    not landed): items by status, tasks (due today, overdue, done late and skipped this month), open faults by
    status, active entrapments, unconfirmed handovers, hazard sweeps this month per project against 2."""
    today = timezone.localdate(now)
    first = month_start(today)
    items = scoped(Equipment.objects.all(), actor).aggregate(**{
        status: Count("pk", filter=Q(status=status))
        for status in (EquipmentStatus.IN_SERVICE, EquipmentStatus.FAULTY, EquipmentStatus.STOPPED)})
    equipment_list = url_or_none("facilities:equipment_list")
    item_rows = [(label, items[value], _with_query(equipment_list, {"status": value}), value)
                 for value, label in EquipmentStatus.choices if value in items]

    task_specs = {
        "due_today": task_filters(status="scheduled", due_after=today, due_before=today),
        "overdue": task_filters(status="overdue"),
        "late": task_filters(status="late", due_after=first),
        "skipped": task_filters(status="skipped", due_after=first),
    }
    counts = task_counts(actor, task_specs, today)
    tasks = {name: (counts[name], tasks_url(filters)) for name, filters in task_specs.items()}

    by_status = dict(scoped(Fault.objects.filter(status__in=OPEN_FAULT_STATES), actor).order_by()
                     .values_list("status").annotate(n=Count("pk")))
    fault_rows_ = [(label, by_status.get(value, 0), faults_url(fault_filters(status=value)), value)
                   for value, label in FaultStatus.choices if value in OPEN_FAULT_STATES]

    active = list(active_entrapments(actor)[:ROW_LIMIT])
    handovers = scoped(Handover.objects.filter(status=HandoverStatus.PENDING), actor).count()
    from .fire import sweeps_required_per_month
    return {
        "items": item_rows, "tasks": tasks, "faults": fault_rows_,
        "open_faults": sum(by_status.values()), "open_faults_url": faults_url(fault_filters(open=True)),
        "entrapments": active, "entrapments_url": entrapments_url(EntrapmentStatus.ACTIVE),
        "handovers": handovers, "handovers_url": url_or_none("facilities:handovers"),
        "handovers_late": unconfirmed_handovers(actor, now).count(),
        "handovers_late_url": _with_query(url_or_none("facilities:handovers"), {"unconfirmed": True}),
        "sweeps": sweeps_this_month(actor, today), "sweeps_url": sweeps_url(today),
        "sweeps_required": sweeps_required_per_month(),
    }


def unconfirmed_handovers(actor: Actor, now: datetime):
    """Handovers still waiting for the incoming shift past their confirmation limit (the handover list's
    "unconfirmed" filter)."""
    from .handovers import unconfirmed

    return unconfirmed(scoped(Handover.objects.all(), actor), now)


def sweeps_url(today: date) -> str | None:
    return _with_query(url_or_none("facilities:sweeps"), {"month": f"{today:%Y-%m}"})


def sweeps_in_month(actor: Actor, today: date):
    """The hazard sweeps of the month of `today` in scope (what the sweep list shows for that month)."""
    from .fire import month_bounds

    low, high = month_bounds(today.year, today.month)
    return scoped(HazardSweep.objects.all(), actor).filter(conducted_at__gte=low, conducted_at__lt=high)


def sweeps_this_month(actor: Actor, today: date) -> list[tuple]:
    """(project, sweeps this month, short of the required two a month) for each active project in scope."""
    from wuye.tenancy.models import Project

    from .fire import sweeps_required_per_month

    required = sweeps_required_per_month()
    counts = dict(sweeps_in_month(actor, today).order_by().values_list("project").annotate(n=Count("pk")))
    return [(project, counts.get(project.pk, 0), counts.get(project.pk, 0) < required)
            for project in scoped(Project.objects.active(), actor).only("id", "name").order_by("id")]


def readings_due_count(actor: Actor, now: datetime) -> int:
    """Items due for their operation-log readings in the actor's active projects — the duty page's projects
    (`web.operation.MAX_PROJECTS` of them by name) and its rule (`operation.readings_due`: in service or faulty,
    a reading interval, no reading within it) — in one count query."""
    from wuye.tenancy.models import Project

    from .models import EquipmentCategory, OperationReading
    from .web.operation import MAX_PROJECTS

    projects = scoped(Project.objects.active(), actor).order_by("name").values("pk")[:MAX_PROJECTS]
    # Date arithmetic on a column differs by database: one clause per interval in use (a handful of categories).
    intervals = (EquipmentCategory.objects.filter(reading_interval_minutes__gt=0)
                 .values_list("reading_interval_minutes", flat=True).distinct())
    due = Q(pk__in=[])
    for minutes in set(intervals):
        fresh = OperationReading.objects.filter(equipment=OuterRef("pk"),
                                                recorded_at__gt=now - timedelta(minutes=minutes))
        due |= Q(category__reading_interval_minutes=minutes) & ~Exists(fresh)
    return (Equipment.objects.filter(project__in=projects,
                                     status__in=[EquipmentStatus.IN_SERVICE, EquipmentStatus.FAULTY])
            .filter(due).count())


# -- the technician's day ---------------------------------------------------------------------------------------
def my_open_faults(actor: Actor):
    """Open faults assigned to the actor, and for engineering the reported faults nobody took yet."""
    user_id = getattr(actor.user, "pk", None)
    mine = Q(assignee_id=user_id) if user_id else Q(pk__in=[])
    if str(actor.role) == Role.ENGINEERING:
        mine |= Q(assignee__isnull=True, status__in=(FaultStatus.RAISED, FaultStatus.REPORTED))
    rows = scoped(Fault.objects.filter(status__in=OPEN_FAULT_STATES), actor).filter(mine)
    return rows.select_related("equipment", "project").order_by(
        "-severity", "raised_at", "id")  # "major" sorts before "general"


def my_day(actor: Actor, now: datetime) -> dict:
    """The technician's day: tasks due today and overdue (`plans.my_tasks`), my open faults, active entrapments
    of my projects."""
    from .plans import is_overdue, my_tasks

    today = timezone.localdate(now)
    tasks = list(my_tasks(actor, today)[:ROW_LIMIT * 2]) if may_read(actor, "facilities.maintenance") else []
    overdue = [task for task in tasks if is_overdue(task, today)]
    due = [task for task in tasks if not is_overdue(task, today)]
    return {
        "due": due[:ROW_LIMIT], "overdue": overdue[:ROW_LIMIT],
        "faults": list(my_open_faults(actor)[:ROW_LIMIT]),
        "entrapments": list(active_entrapments(actor)[:ROW_LIMIT]),
        "today": today,
    }


def find_item(actor: Actor, text: str) -> list[Equipment]:
    """The items in the actor's projects the code box means: a label URL or token (its uuid), else an item code
    (case and spaces ignored). Several when the same code is used in two of the actor's projects."""
    from .register import visible_equipment

    text = (text or "").strip()[:CODE_MAX]
    if not text:
        return []
    items = visible_equipment(actor)
    match = TOKEN.search(text)
    if match:
        token = match.group(0).replace("-", "").lower()
        token = f"{token[:8]}-{token[8:12]}-{token[12:16]}-{token[16:20]}-{token[20:]}"
        found = list(items.filter(label_token=token)[:2])
        if found:
            return found
    code = text.rstrip("/").rsplit("/", 1)[-1].strip()[:40]
    return list(items.filter(code__iexact=code).order_by("project_id")[:10]) if code else []


# -- to-dos: facilities clocks that are the actor's ---------------------------------------------------------------
def my_clocks(actor: Actor, limit: int = 40) -> list[tuple[Clock, object]]:
    """Running facilities clocks that are the actor's, nearest deadline first, each with its subject: tasks of
    theirs or their department's, faults they repair (engineering: unassigned ones too), active entrapments
    (engineering, security and the project manager are called), handovers of their department's posts that
    someone else wrote and waits for them to confirm."""
    role, user_id = str(actor.role or ""), getattr(actor.user, "pk", None)
    types = ContentType.objects.get_for_models(MaintenanceTask, Fault, Entrapment, Handover)
    conditions = Q(pk__in=[])
    if may_read(actor, "facilities.maintenance") and actor.may("facilities.do_tasks"):
        from .plans import mine_q

        tasks = scoped(MaintenanceTask.objects.filter(status=TaskStatus.SCHEDULED), actor).filter(mine_q(actor))
        conditions |= Q(subject_type=types[MaintenanceTask], subject_id__in=tasks.values("pk"))
    if actor.may("facilities.repair") and role == Role.ENGINEERING:
        conditions |= Q(subject_type=types[Fault], subject_id__in=my_open_faults(actor).order_by().values("pk"))
    if role in (Role.ENGINEERING, Role.SECURITY, Role.PROJECT_MANAGER) and may_read(actor, "facilities.entrapments"):
        conditions |= Q(subject_type=types[Entrapment],
                        subject_id__in=scoped(Entrapment.objects.exclude(status=EntrapmentStatus.CLOSED), actor)
                        .values("pk"))
    if may_read(actor, "facilities.handovers"):
        handovers = scoped(Handover.objects.filter(status=HandoverStatus.PENDING, post__department=role), actor)
        if user_id:
            handovers = handovers.exclude(outgoing_user_id=user_id)
        conditions |= Q(subject_type=types[Handover], subject_id__in=handovers.values("pk"))
    if conditions == Q(pk__in=[]):
        return []  # nothing of the actor's kind runs a facilities clock: no query
    clocks = list(scoped(Clock.objects.filter(state=ClockState.RUNNING), actor).filter(conditions)
                  .select_related("policy").order_by("due_at", "id")[:limit])
    by_type: dict[int, list[int]] = {}
    for clock in clocks:
        by_type.setdefault(clock.subject_type_id, []).append(clock.subject_id)
    related = {MaintenanceTask: ("plan", "equipment", "project"), Fault: ("equipment", "project"),
               Entrapment: ("equipment", "project"), Handover: ("post", "project")}
    subjects = {}
    for model, content_type in types.items():
        ids = by_type.get(content_type.pk)
        if ids:
            for pk, row in model.objects.select_related(*related[model]).in_bulk(ids).items():
                subjects[(content_type.pk, pk)] = row
    return [(clock, subjects[(clock.subject_type_id, clock.subject_id)]) for clock in clocks
            if (clock.subject_type_id, clock.subject_id) in subjects]


