"""Facilities API: maintenance plans and their tasks — the lists (with done %, and tasks by status: scheduled,
overdue, done, late, skipped), a new plan (its first tasks made at once), one task with its checklist, and
completing or skipping it."""

from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from wuye.core.access import get_scoped_or_404, get_scoped_or_invalid, require_read, scoped
from wuye.core.api import Mapped, PagePagination
from wuye.core.errors import InvalidInput
from wuye.tenancy.models import Project

from .. import plans as service
from ..models import Contractor, Equipment, EquipmentCategory, MaintenancePlan, MaintenanceTask

router = Router(tags=["facilities"])
RESOURCE = "facilities.maintenance"


class MaintenancePlanFilters(Schema):
    project: int | None = Field(None, ge=1)
    active: bool | None = None


class MaintenancePlanOut(Schema):
    id: int
    project_id: int
    project: str
    name: str
    kind: str
    kind_label: str
    frequency: str
    frequency_label: str
    interval: int
    months: list[int]
    starts_on: date
    ends_on: date | None
    category_id: int | None
    equipment_id: int | None
    checklist: list[str]
    responsible_role: str
    lead_days: int
    grace_days: int
    is_active: bool
    generated_through: date | None
    tasks_due: int
    tasks_done: int
    tasks_late: int
    tasks_skipped: int
    tasks_overdue: int
    done_pct: float | None


class MaintenancePlanIn(Schema):
    project: int = Field(..., ge=1)
    name: str = Field(..., max_length=service.NAME_MAX)
    kind: str = Field(..., max_length=20, description="routine, full, cleaning, fire_check, hazard_sweep, fire_drill")
    frequency: str = Field(..., max_length=20, description="days, monthly, quarterly, yearly or seasonal")
    interval: int = Field(1, ge=1, le=366, description="every N days / months / quarters / years")
    starts_on: date
    ends_on: date | None = None
    category: int | None = Field(None, ge=1)
    equipment: int | None = Field(None, ge=1)
    months: list[int] = Field([], max_length=12, description="seasonal: the months whose 1st a task falls due")
    checklist: list[str] = Field([], max_length=service.STEPS_MAX)
    responsible_role: str = Field("engineering", max_length=32)
    contractor: int | None = Field(None, ge=1)
    lead_days: int = Field(30, ge=0, le=service.LEAD_DAYS_MAX)
    grace_days: int = Field(0, ge=0, le=service.GRACE_DAYS_MAX)


class MaintenanceTaskFilters(Schema):
    status: str | None = Field(None, description="scheduled, overdue, done, late or skipped")
    due_before: date | None = Field(None, description="due on or before this day")
    due_after: date | None = Field(None, description="due on or after this day")
    equipment: int | None = Field(None, ge=1)
    plan: int | None = Field(None, ge=1)
    project: int | None = Field(None, ge=1)
    mine: bool | None = Field(None, description="true: my department's or mine, due by today, to do")


class MaintenanceStepOut(Schema):
    step: str
    ok: bool | None
    note: str


class MaintenanceTaskOut(Schema):
    id: int
    project_id: int
    project: str
    plan_id: int
    plan: str
    kind: str
    equipment_id: int | None
    equipment: str
    due_on: date
    deadline: datetime
    status: str
    status_label: str
    late: bool
    completed_at: datetime | None
    completed_by: str
    skip_reason: str


class MaintenanceTaskDetailOut(MaintenanceTaskOut):
    checklist: list[MaintenanceStepOut]
    readings: dict[str, str]
    parts: str
    note: str
    photos: list[str]
    may_complete: bool


class MaintenanceResultIn(Schema):
    ok: bool
    note: str = Field("", max_length=service.STEP_NOTE_MAX)


class MaintenanceCompleteIn(Schema):
    results: list[MaintenanceResultIn] = Field([], max_length=service.STEPS_MAX)
    readings: dict[str, float | str] = Field({}, description="reading point code → value")
    parts: str = Field("", max_length=service.PARTS_MAX)
    note: str = Field("", max_length=service.NOTE_MAX)


class MaintenanceSkipIn(Schema):
    reason: str = Field(..., max_length=service.REASON_MAX)


def _plan_row(plan: MaintenancePlan, counts: dict) -> dict:
    mine = counts.get(plan.pk, {})
    return {
        "id": plan.pk, "project_id": plan.project_id, "project": plan.project.name, "name": plan.name,
        "kind": plan.kind, "kind_label": plan.get_kind_display(), "frequency": plan.frequency,
        "frequency_label": plan.get_frequency_display(), "interval": plan.interval, "months": plan.months or [],
        "starts_on": plan.starts_on, "ends_on": plan.ends_on, "category_id": plan.category_id,
        "equipment_id": plan.equipment_id, "checklist": plan.checklist or [],
        "responsible_role": plan.responsible_role, "lead_days": plan.lead_days, "grace_days": plan.grace_days,
        "is_active": plan.is_active, "generated_through": plan.generated_through,
        "tasks_due": mine.get("due", 0), "tasks_done": mine.get("done", 0), "tasks_late": mine.get("late", 0),
        "tasks_skipped": mine.get("skipped", 0), "tasks_overdue": mine.get("overdue", 0),
        "done_pct": mine.get("done_pct"),
    }


class _PlanPage(Mapped):
    """Rows shaped with the counts of the page's plans, read in one query per page."""

    def __getitem__(self, index):
        plans = list(self.queryset[index]) if isinstance(index, slice) else [self.queryset[index]]
        counts = service.plan_counts([plan.pk for plan in plans], timezone.localdate())
        rows = [_plan_row(plan, counts) for plan in plans]
        return rows if isinstance(index, slice) else rows[0]


@router.get("/maintenance-plans", response=list[MaintenancePlanOut])
@paginate(PagePagination)
def list_maintenance_plans(request, filters: Query[MaintenancePlanFilters]):
    """Maintenance plans in scope, by project and name; each with the counts of its tasks due so far (done, done
    late, skipped, overdue) and `done_pct` (skipped and overdue count against it)."""
    require_read(request.actor, RESOURCE)
    rows = scoped(MaintenancePlan.objects.all(), request.actor).select_related("project")
    if filters.project is not None:
        rows = rows.filter(project_id=filters.project)
    if filters.active is not None:
        rows = rows.filter(is_active=filters.active)
    return _PlanPage(rows.order_by("project_id", "name", "id"), None)


@router.post("/maintenance-plans", response={201: MaintenancePlanOut})
def create_maintenance_plan(request, payload: MaintenancePlanIn):
    """A new plan (facilities.manage_plans); its tasks up to `lead_days` ahead are made at once. Every wrong field
    is named (422), nothing written; a plan of the same name in the project is a 409."""
    actor = request.actor
    require_read(actor, RESOURCE)
    project = get_scoped_or_invalid(Project.objects.all(), actor, payload.project, "project")
    category = equipment = contractor = None
    if payload.category is not None:
        category = EquipmentCategory.objects.filter(pk=payload.category, company_id=project.company_id).first()
        if category is None:
            raise InvalidInput("category", _("No such equipment category."))
    if payload.equipment is not None:
        equipment = get_scoped_or_invalid(Equipment.objects.filter(project=project), actor, payload.equipment,
                                          "equipment")
    if payload.contractor is not None:
        contractor = Contractor.objects.filter(pk=payload.contractor, company_id=project.company_id).first()
        if contractor is None:
            raise InvalidInput("contractor", _("No such contractor."))
    plan = service.create_plan(
        actor, project=project, name=payload.name, kind=payload.kind, frequency=payload.frequency,
        interval=payload.interval, starts_on=payload.starts_on, ends_on=payload.ends_on, category=category,
        equipment=equipment, months=payload.months, checklist=payload.checklist,
        responsible_role=payload.responsible_role, contractor=contractor, lead_days=payload.lead_days,
        grace_days=payload.grace_days)
    service.generate_tasks(plans=[plan])
    plan.refresh_from_db()
    return Status(201, _plan_row(plan, service.plan_counts([plan.pk], timezone.localdate())))


def _person(user) -> str:
    return (user.get_full_name() or _("a colleague")) if user else ""


def _task_row(task: MaintenanceTask, today: date) -> dict:
    state = service.task_state(task, today)
    return {
        "id": task.pk, "project_id": task.project_id, "project": task.project.name, "plan_id": task.plan_id,
        "plan": task.plan.name, "kind": task.plan.kind, "equipment_id": task.equipment_id,
        "equipment": task.equipment.name if task.equipment_id else "", "due_on": task.due_on,
        "deadline": service.deadline(task.plan, task.due_on), "status": state,
        "status_label": str(service.STATE_LABELS[state]), "late": task.late, "completed_at": task.completed_at,
        "completed_by": _person(task.completed_by), "skip_reason": task.skip_reason,
    }


@router.get("/maintenance-tasks", response=list[MaintenanceTaskOut])
@paginate(PagePagination)
def list_maintenance_tasks(request, filters: Query[MaintenanceTaskFilters]):
    """Maintenance tasks in scope, earliest due first (done, late and skipped: latest first). `status`: scheduled
    (to do, deadline not passed), overdue, done, late (done after the deadline), skipped; `due_after` /
    `due_before` (days, 2000–2100), `equipment`, `plan`, `project`, `mine`."""
    require_read(request.actor, RESOURCE)
    if filters.status is not None and filters.status not in service.TASK_FILTERS:
        raise InvalidInput("status", _("Choose one of: %(values)s.") % {"values": ", ".join(service.TASK_FILTERS)})
    for name in ("due_before", "due_after"):
        day = getattr(filters, name)
        if day is not None and not service.EARLIEST <= day <= service.LATEST:
            raise InvalidInput(name, _("Give a date between 2000 and 2100."))
    today = timezone.localdate()
    rows = service.filter_tasks(request.actor, {
        "status": filters.status or "", "project": filters.project, "plan": filters.plan,
        "equipment": filters.equipment, "due_after": filters.due_after, "due_before": filters.due_before,
        "mine": bool(filters.mine)}, today).select_related("completed_by")
    return Mapped(rows, lambda task: _task_row(task, today))


def _task_detail(actor, task: MaintenanceTask) -> dict:
    from wuye.quality.evidence import evidence_for

    task = MaintenanceTask.objects.select_related("plan", "equipment", "project", "completed_by").get(pk=task.pk)
    today = timezone.localdate()
    if task.results:
        steps = [{"step": r.get("step", ""), "ok": r.get("ok"), "note": r.get("note", "")} for r in task.results]
    else:
        steps = [{"step": step, "ok": None, "note": ""} for step in task.plan.checklist or ()]
    return {**_task_row(task, today), "checklist": steps, "readings": task.readings or {}, "parts": task.parts,
            "note": task.note, "photos": [photo.image.url for photo in evidence_for(task)],
            "may_complete": task.status == "scheduled" and service.may_do(actor, task)}


@router.get("/maintenance-tasks/{task_id}", response=MaintenanceTaskDetailOut)
def get_maintenance_task(request, task_id: int):
    """One task with its checklist (results once done), readings, parts, note and photos."""
    require_read(request.actor, RESOURCE)
    task = get_scoped_or_404(MaintenanceTask.objects.all(), request.actor, pk=task_id)
    return _task_detail(request.actor, task)


@router.post("/maintenance-tasks/{task_id}/complete", response=MaintenanceTaskDetailOut)
def complete_maintenance_task(request, task_id: int, payload: MaintenanceCompleteIn):
    """Record the task done: `results` one per checklist step in order ({ok, note}; a step not OK needs a note),
    `readings` of the item's points, `parts`, `note`. The plan's department only (403); done or skipped already:
    409. Photos are added on the task's console page."""
    require_read(request.actor, RESOURCE)
    task = get_scoped_or_404(MaintenanceTask.objects.select_related("plan"), request.actor, pk=task_id)
    task = service.complete_task(request.actor, task, results=[r.dict() for r in payload.results],
                                 readings={k: str(v)[:30] for k, v in list(payload.readings.items())[:50]},
                                 parts=payload.parts, note=payload.note)
    return _task_detail(request.actor, task)


@router.post("/maintenance-tasks/{task_id}/skip", response=MaintenanceTaskDetailOut)
def skip_maintenance_task(request, task_id: int, payload: MaintenanceSkipIn):
    """Skip the task with a `reason`: it stays visible as skipped and counts against the plan's completion."""
    require_read(request.actor, RESOURCE)
    task = get_scoped_or_404(MaintenanceTask.objects.select_related("plan"), request.actor, pk=task_id)
    task = service.skip_task(request.actor, task, reason=payload.reason)
    return _task_detail(request.actor, task)
