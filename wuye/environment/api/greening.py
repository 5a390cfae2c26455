"""Environment API: greening plans and tasks (a task done), and the environment checks (quality inspections on
the environment check sheets, with their scores and rectifications)."""

from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from wuye.core.access import get_scoped_or_404, get_scoped_or_invalid, require_read
from wuye.core.api import Mapped, PagePagination
from wuye.core.errors import InvalidInput
from wuye.core.validators import check_plausible_date
from wuye.tenancy.models import Project

from .. import checks
from .. import greening as service
from ..models import GreeningPlan, GreeningTask

router = Router(tags=["environment"])
RESOURCE = "environment.greening"
MAX_CHECK_DAYS = 92


class GreeningPlanFilters(Schema):
    project: int | None = Field(None, ge=1)
    active: bool | None = None


class GreeningPlanOut(Schema):
    id: int
    project_id: int
    project: str
    area: str
    activity: str
    activity_label: str
    months: list[int]
    seasons: list[str]
    every_days: int
    instructions: str
    gardener: str
    is_active: bool


class GreeningPlanIn(Schema):
    project: int = Field(..., ge=1)
    area: str = Field(..., max_length=service.MAX_AREA)
    activity: str = Field(..., max_length=20, description="mowing, pruning, fertilising, pest_control, watering, "
                                                           "shading, leaf_clearing, winter_protection")
    months: list[int] = Field(..., max_length=12, description="the months (1–12) the plan runs in")
    every_days: int | None = Field(None, ge=1, le=service.MAX_EVERY_DAYS,
                                   description="every N days, counted from the 1st of the season's first month")
    instructions: str = Field("", max_length=service.MAX_INSTRUCTIONS)
    gardener: int | None = Field(None, ge=1)


class GreeningTaskFilters(Schema):
    day: date | None = Field(None, description="tasks due that day (default: the coming week from today)")
    status: str | None = Field(None, description="scheduled, done, late, missed or cancelled")
    project: int | None = Field(None, ge=1)
    plan: int | None = Field(None, ge=1)


class GreeningTaskOut(Schema):
    id: int
    project_id: int
    plan_id: int
    area: str
    activity: str
    activity_label: str
    due_on: date
    deadline: datetime
    status: str
    status_label: str
    late: bool
    done_at: datetime | None
    done_by: str
    note: str


class GreeningDoneIn(Schema):
    note: str = Field("", max_length=service.MAX_NOTE)


class EnvironmentCheckFilters(Schema):
    since: date | None = Field(None, description="first day (default: 6 days before `until`)")
    until: date | None = Field(None, description="last day (default: today)")
    project: int | None = Field(None, ge=1)


class EnvironmentCheckRectificationOut(Schema):
    id: int
    title: str
    status: str
    status_label: str


class EnvironmentCheckOut(Schema):
    id: int
    project_id: int
    sheet: str
    sheet_code: str
    kind: str
    kind_label: str
    scheduled_for: date
    status: str
    status_label: str
    inspector: str
    place: str
    score: str | None
    submitted_at: datetime | None
    rectifications: list[EnvironmentCheckRectificationOut]


def _person(user) -> str:
    return (user.get_full_name() or _("a colleague")) if user else ""


def _plan_row(plan: GreeningPlan) -> dict:
    return {"id": plan.pk, "project_id": plan.project_id, "project": plan.project.name, "area": plan.area,
            "activity": plan.activity, "activity_label": plan.get_activity_display(), "months": plan.months or [],
            "seasons": service.seasons_of(plan), "every_days": plan.every_days, "instructions": plan.instructions,
            "gardener": _person(plan.gardener), "is_active": plan.is_active}


@router.get("/greening-plans", response=list[GreeningPlanOut])
@paginate(PagePagination)
def list_greening_plans(request, filters: Query[GreeningPlanFilters]):
    """Greening plans in scope, by project, area and activity."""
    require_read(request.actor, RESOURCE)
    rows = service.visible_plans(request.actor)
    if filters.project is not None:
        rows = rows.filter(project_id=filters.project)
    if filters.active is not None:
        rows = rows.filter(is_active=filters.active)
    return Mapped(rows.order_by("project_id", "area", "activity", "id"), _plan_row)


@router.post("/greening-plans", response={201: GreeningPlanOut})
def create_greening_plan(request, payload: GreeningPlanIn):
    """A new greening plan (environment.manage): `months` 1–12 each once, `every_days` 1–90 (the activity's
    default when left out). Every wrong field is named (422); the same area and activity twice is a 422 on
    `activity`. Its tasks of the coming week are made at once."""
    actor = request.actor
    require_read(actor, RESOURCE)
    project = get_scoped_or_invalid(Project.objects.all(), actor, payload.project, "project")
    gardener = None
    if payload.gardener is not None:
        gardener = get_user_model().objects.filter(pk=payload.gardener, is_active=True).first()
        if gardener is None:
            raise InvalidInput("gardener", _("Choose someone of the environment department of this project."))
    plan = service.create_plan(actor, project=project, area=payload.area, activity=payload.activity,
                               months=payload.months, every_days=payload.every_days,
                               instructions=payload.instructions, gardener=gardener)
    service.generate_tasks(timezone.localdate())
    return Status(201, _plan_row(plan))


def _task_row(task: GreeningTask) -> dict:
    state = service.task_state(task)
    return {"id": task.pk, "project_id": task.project_id, "plan_id": task.plan_id, "area": task.plan.area,
            "activity": task.plan.activity, "activity_label": task.plan.get_activity_display(),
            "due_on": task.due_on, "deadline": service.deadline(task), "status": state,
            "status_label": str(service.STATE_LABELS[state]), "late": task.late, "done_at": task.done_at,
            "done_by": _person(task.done_by), "note": task.note}


def _day(name: str, value: date | None) -> date | None:
    if value is None:
        return None
    try:
        return check_plausible_date(value)
    except ValueError as error:
        raise InvalidInput(name, str(error)) from None


@router.get("/greening-tasks", response=list[GreeningTaskOut])
@paginate(PagePagination)
def list_greening_tasks(request, filters: Query[GreeningTaskFilters]):
    """Greening tasks in scope: those due `day`, else the coming week from today; `status` scheduled (to do),
    done, late (done after the end of its day), missed (not done) or cancelled; `project`, `plan`."""
    require_read(request.actor, RESOURCE)
    if filters.status is not None and filters.status not in service.TASK_FILTERS:
        raise InvalidInput("status", _("Choose one of: %(values)s.") % {"values": ", ".join(service.TASK_FILTERS)})
    day = _day("day", filters.day)
    today = timezone.localdate()
    start, end = (day, day) if day else (today, today + timedelta(days=6))
    rows = service.tasks_with_status(service.tasks_between(request.actor, start, end), filters.status)
    if filters.project is not None:
        rows = rows.filter(project_id=filters.project)
    if filters.plan is not None:
        rows = rows.filter(plan_id=filters.plan)
    return Mapped(rows, _task_row)


@router.post("/greening-tasks/{task_id}/done", response=GreeningTaskOut)
def greening_task_done(request, task_id: int, payload: GreeningDoneIn):
    """Record the task done with a `note` (photos on the task's page). The environment department only (403);
    done or missed already: 409."""
    require_read(request.actor, RESOURCE)
    task = get_scoped_or_404(GreeningTask.objects.all(), request.actor, pk=task_id)
    task = service.complete_task(request.actor, task, note=payload.note)
    return _task_row(GreeningTask.objects.select_related("plan", "done_by").get(pk=task.pk))


def _check_row(row) -> dict:
    inspection = row.inspection
    return {"id": inspection.pk, "project_id": inspection.project_id, "sheet": inspection.version.standard.name,
            "sheet_code": inspection.version.standard.code, "kind": inspection.kind,
            "kind_label": inspection.get_kind_display(), "scheduled_for": inspection.scheduled_for,
            "status": inspection.status, "status_label": inspection.get_status_display(),
            "inspector": _person(inspection.inspector), "place": inspection.place,
            "score": str(inspection.score) if inspection.score is not None else None,
            "submitted_at": inspection.submitted_at,
            "rectifications": [{"id": rect.pk, "title": rect.title, "status": rect.status,
                                "status_label": rect.get_status_display()} for rect in row.rectifications]}


class _CheckPage(Mapped):
    """The page's inspections with their rectifications, read in two queries per page."""

    def __getitem__(self, index):
        inspections = list(self.queryset[index]) if isinstance(index, slice) else [self.queryset[index]]
        rows = [_check_row(row) for row in checks.with_rectifications(inspections)]
        return rows if isinstance(index, slice) else rows[0]


@router.get("/environment-checks", response=list[EnvironmentCheckOut])
@paginate(PagePagination)
def list_environment_checks(request, filters: Query[EnvironmentCheckFilters]):
    """The environment department's checks (the daily round, weekly spot and greening checks, zone spot checks:
    quality inspections on the environment sheets) from `since` to `until` (at most 92 days), newest first, with
    their score and the rectifications their failed items opened."""
    require_read(request.actor, "environment.cleaning")
    until = _day("until", filters.until) or timezone.localdate()
    since = _day("since", filters.since) or until - timedelta(days=6)
    if since > until:
        raise InvalidInput("since", _("The first day comes after the last."))
    if (until - since).days >= MAX_CHECK_DAYS:
        raise InvalidInput("since", _("At most %(count)s days at a time.") % {"count": MAX_CHECK_DAYS})
    rows = checks.checks_between(request.actor, since, until)
    if filters.project is not None:
        rows = rows.filter(project_id=filters.project)
    return _CheckPage(rows, None)
