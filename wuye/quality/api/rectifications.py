"""Quality API: rectifications (整改) — the list with deadlines and overdue flags, one rectification with its
steps, photos and timeline, and the process actions (report / accept / reject / cancel)."""

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from wuye.core.access import get_scoped_or_404, require_read, scoped
from wuye.core.api import Mapped, PagePagination
from wuye.core.errors import InvalidInput
from wuye.core.events import timeline
from wuye.core.sentences import event_sentence, prepare_events

from .. import flows
from .. import rectifications as service
from ..models import Rectification, RectificationStatus, Severity

router = Router(tags=["quality"])
DEPARTMENTS = sorted(service.DEPARTMENTS)


class RectificationFilters(Schema):
    project: int | None = None
    status: str | None = Field(None, description="open, submitted, closed or cancelled")
    department: str | None = Field(None, description="the responsible department (a staff role)")
    severity: str | None = Field(None, description="minor, major or critical")
    overdue: bool | None = Field(None, description="true: still to rectify and past the deadline")


class RectificationListOut(Schema):
    id: int
    project_id: int
    project: str
    title: str
    source: str
    department: str
    department_label: str
    severity: str
    severity_label: str
    status: str
    status_label: str
    rejections: int
    opened_at: datetime
    deadline: datetime | None
    closed_at: datetime | None
    overdue: bool
    age_days: int


class RectificationPhotoOut(Schema):
    url: str
    caption: str


class StepOut(Schema):
    kind: str
    label: str
    note: str
    by: str
    at: datetime
    photos: list[RectificationPhotoOut]


class RectificationOut(RectificationListOut):
    description: str
    steps: list[StepOut]
    timeline: list[str]
    actions: list[str]


class RectificationActionIn(Schema):
    note: str = Field("", max_length=service.NOTE_MAX)
    reason: str = Field("", max_length=service.REASON_MAX)


def _row(rect: Rectification, now: datetime) -> dict:
    return {
        "id": rect.pk, "project_id": rect.project_id, "project": rect.project.name, "title": rect.title,
        "source": service.describe_source(rect), "department": rect.department,
        "department_label": rect.get_department_display(), "severity": rect.severity,
        "severity_label": rect.get_severity_display(), "status": rect.status,
        "status_label": rect.get_status_display(), "rejections": rect.rejections, "opened_at": rect.opened_at,
        "deadline": rect.deadline, "closed_at": rect.closed_at, "overdue": service.is_overdue(rect, now),
        "age_days": service.age_days(rect, now),
    }


def _choice(value, allowed, field: str):
    if value is not None and value not in allowed:
        raise InvalidInput(field, _("Choose one of: %(values)s.") % {"values": ", ".join(allowed)})
    return value


def filtered(actor, filters: RectificationFilters, now: datetime):
    rows = service.with_deadlines(scoped(Rectification.objects.all(), actor))
    if filters.project is not None:
        rows = rows.filter(project_id=filters.project)
    if _choice(filters.status, RectificationStatus.values, "status"):
        rows = rows.filter(status=filters.status)
    if _choice(filters.department, DEPARTMENTS, "department"):
        rows = rows.filter(department=filters.department)
    if _choice(filters.severity, Severity.values, "severity"):
        rows = rows.filter(severity=filters.severity)
    if filters.overdue is True:
        rows = service.overdue(rows, now)
    return rows.order_by("deadline", "-opened_at", "-id") if filters.overdue else rows


@router.get("/rectifications", response=list[RectificationListOut])
@paginate(PagePagination)
def list_rectifications(request, filters: Query[RectificationFilters]):
    """Rectifications in scope, newest first: filters `project`, `status`, `department`, `severity`, `overdue`
    (true: still to rectify past the deadline, earliest deadline first). Each row has its `deadline` (the latest
    time limit's), `overdue`, `age_days` and `source` (what found it)."""
    require_read(request.actor, "quality.rectifications")
    now = timezone.now()
    rows = filtered(request.actor, filters, now)
    return Mapped(rows, lambda rect: _row(rect, now))


def detail(actor, rect: Rectification) -> dict:
    now = timezone.now()
    rect = service.with_deadlines(Rectification.objects.filter(pk=rect.pk)).get()
    events = prepare_events(timeline(rect))
    steps = [{
        "kind": step.kind, "label": step.get_kind_display(), "note": step.note,
        "by": (step.actor.get_full_name() or step.actor.get_username()) if step.actor else "", "at": step.at,
        "photos": [{"url": photo.image.url, "caption": photo.caption} for photo in photos],
    } for step, photos in service.steps_with_photos(rect)]
    return {**_row(rect, now), "description": rect.description, "steps": steps,
            "timeline": [event_sentence(event) for event in events],
            "actions": [action for action in flows.actions_from(rect.status) if service.may_act(actor, rect, action)]}


@router.get("/rectifications/{rectification_id}", response=RectificationOut)
def get_rectification(request, rectification_id: int):
    """One rectification with its steps (reports and decisions, with photos), its timeline as sentences and the
    `actions` the caller may take now."""
    require_read(request.actor, "quality.rectifications")
    rect = get_scoped_or_404(Rectification.objects.all(), request.actor, pk=rectification_id)
    return detail(request.actor, rect)


@router.post("/rectifications/{rectification_id}/actions/{action}", response=RectificationOut)
def act_on_rectification(request, rectification_id: int, action: str, payload: RectificationActionIn):
    """Take one step: `report` (the department, `note` required), `accept` / `reject` (quality.verify; a rejection
    needs a `note` and starts a new time limit), `cancel` (quality or the project manager, `reason` required).
    An unknown action is a 422 naming `action`; a step not allowed now is a 409. Photos are added in the
    console's report form."""
    require_read(request.actor, "quality.rectifications")
    rect = get_scoped_or_404(Rectification.objects.all(), request.actor, pk=rectification_id)
    rect = service.act(request.actor, rect, action, payload.dict())
    return detail(request.actor, rect)
