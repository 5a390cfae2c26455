"""Environment API: cleaning zones (list, new) and cleaning tasks (a day's list with filters, one task, recording one
done — multipart with photos, or JSON without)."""

import json
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from wuye.core.access import get_scoped_or_404, get_scoped_or_invalid, require_read, scoped
from wuye.core.api import Mapped, PagePagination
from wuye.core.errors import InvalidInput
from wuye.core.photos import MAX_PHOTOS
from wuye.core.validators import check_text
from wuye.tenancy.models import Building, Project

from .. import cleaning as service
from .. import reports
from ..models import CleaningTask, CleaningZone

router = Router(tags=["environment"])
RESOURCE = "environment.cleaning"
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)
BODY_MAX = 4096


class CleaningZoneFilters(Schema):
    project: int | None = Field(None, ge=1)
    active: bool | None = None


class CleaningZoneOut(Schema):
    id: int
    project_id: int
    project: str
    name: str
    kind: str
    kind_label: str
    building_id: int | None
    times: list[str]
    task_minutes: int
    disinfection: bool
    standard: str
    cleaner_id: int | None
    cleaner: str
    is_active: bool


class CleaningZoneIn(Schema):
    project: int = Field(..., ge=1)
    name: str = Field(..., max_length=service.NAME_MAX)
    kind: str = Field(..., max_length=20, description="road, toilet, elevator, stairwell, lobby, garage, square, "
                                                      "bins or other")
    times: list[str] | None = Field(None, max_length=service.TIMES_MAX,
                                    description='start times "HH:MM"; omitted: the seed\'s for the kind')
    task_minutes: int | None = Field(None, ge=service.TASK_MINUTES[0], le=service.TASK_MINUTES[1])
    disinfection: bool | None = None
    building: int | None = Field(None, ge=1)
    standard: str = Field("", max_length=service.STANDARD_MAX)
    cleaner: int | None = Field(None, ge=1)


class CleaningTaskFilters(Schema):
    day: date | None = Field(None, description="the local day the task starts")
    status: str | None = Field(None, description="upcoming, due, overdue, done, late, missed or cancelled")
    zone: int | None = Field(None, ge=1)
    project: int | None = Field(None, ge=1)
    mine: bool | None = Field(None, description="true: the zones I clean and those without a cleaner")


class CleaningTaskOut(Schema):
    id: int
    project_id: int
    project: str
    zone_id: int
    zone: str
    disinfection: bool
    starts_at: datetime
    due_at: datetime
    status: str
    status_label: str
    late: bool
    done_at: datetime | None
    done_by: str
    note: str


class CleaningTaskDetailOut(CleaningTaskOut):
    photos: list[str]
    may_complete: bool


def _person(user) -> str:
    return (user.get_full_name() or _("a colleague")) if user else ""


def _zone_row(zone: CleaningZone) -> dict:
    return {"id": zone.pk, "project_id": zone.project_id, "project": zone.project.name, "name": zone.name,
            "kind": zone.kind, "kind_label": zone.get_kind_display(), "building_id": zone.building_id,
            "times": list(zone.times or ()), "task_minutes": zone.task_minutes, "disinfection": zone.disinfection,
            "standard": zone.standard, "cleaner_id": zone.cleaner_id, "cleaner": _person(zone.cleaner),
            "is_active": zone.is_active}


@router.get("/cleaning-zones", response=list[CleaningZoneOut])
@paginate(PagePagination)
def list_cleaning_zones(request, filters: Query[CleaningZoneFilters]):
    """Cleaning zones in scope, by project and name."""
    require_read(request.actor, RESOURCE)
    rows = scoped(CleaningZone.objects.all(), request.actor).select_related("project", "cleaner")
    if filters.project is not None:
        rows = rows.filter(project_id=filters.project)
    if filters.active is not None:
        rows = rows.filter(is_active=filters.active)
    return Mapped(rows.order_by("project_id", "name", "pk"), _zone_row)


@router.post("/cleaning-zones", response={201: CleaningZoneOut})
def create_cleaning_zone(request, payload: CleaningZoneIn):
    """A new zone (environment.manage); `times`, `task_minutes` and `disinfection` default to the seed's for its
    kind. Its tasks of the next 36 hours are made at once. Every wrong field is named (422); a zone of the same name
    in the project is a 409."""
    actor = request.actor
    require_read(actor, RESOURCE)
    project = get_scoped_or_invalid(Project.objects.all(), actor, payload.project, "project")
    building = cleaner = None
    if payload.building is not None:
        building = Building.objects.filter(pk=payload.building, project=project).first()
        if building is None:
            raise InvalidInput("building", _("No such building."))
    if payload.cleaner is not None:
        cleaner = get_user_model().objects.filter(pk=payload.cleaner).first()
        if cleaner is None:
            raise InvalidInput("cleaner", _("The cleaner must be on the environment staff of the project."))
    zone = service.create_zone(actor, project=project, name=payload.name, kind=payload.kind, times=payload.times,
                               task_minutes=payload.task_minutes, disinfection=payload.disinfection,
                               building=building, standard=payload.standard, cleaner=cleaner)
    return Status(201, _zone_row(CleaningZone.objects.select_related("project", "cleaner").get(pk=zone.pk)))


def _task_row(task: CleaningTask, now: datetime) -> dict:
    state = service.task_state(task, now)
    return {"id": task.pk, "project_id": task.project_id, "project": task.project.name, "zone_id": task.zone_id,
            "zone": task.zone.name, "disinfection": task.zone.disinfection, "starts_at": task.starts_at,
            "due_at": task.due_at, "status": state, "status_label": str(service.STATE_LABELS[state]),
            "late": task.late, "done_at": task.done_at, "done_by": _person(task.done_by), "note": task.note}


@router.get("/cleaning-tasks", response=list[CleaningTaskOut])
@paginate(PagePagination)
def list_cleaning_tasks(request, filters: Query[CleaningTaskFilters]):
    """Cleaning tasks in scope by start time: `day` (local), `status` (upcoming: not begun; due: begun, deadline
    ahead; overdue: deadline passed, not done; done; late: done after the deadline; missed: not done by the day's
    end; cancelled), `zone`, `project`, `mine`."""
    require_read(request.actor, RESOURCE)
    if filters.status is not None and filters.status not in service.STATES:
        raise InvalidInput("status", _("Choose one of: %(values)s.") % {"values": ", ".join(service.STATES)})
    if filters.day is not None and not EARLIEST <= filters.day <= LATEST:
        raise InvalidInput("day", _("Give a date between 2000 and 2100."))
    now = timezone.now()
    rows = reports.filter_tasks(request.actor, reports.task_filters(
        day=filters.day, status=filters.status or "", zone=filters.zone, project=filters.project,
        mine=bool(filters.mine)), now)
    return Mapped(rows, lambda task: _task_row(task, now))


def _task_detail(actor, task: CleaningTask) -> dict:
    from wuye.quality.evidence import evidence_for

    task = CleaningTask.objects.select_related("zone", "project", "done_by").get(pk=task.pk)
    return {**_task_row(task, timezone.now()), "photos": [photo.image.url for photo in evidence_for(task)],
            "may_complete": task.status == "scheduled" and service.may_do(actor, task)}


@router.get("/cleaning-tasks/{task_id}", response=CleaningTaskDetailOut)
def get_cleaning_task(request, task_id: int):
    """One cleaning task with its photos."""
    require_read(request.actor, RESOURCE)
    return _task_detail(request.actor, get_scoped_or_404(CleaningTask.objects.all(), request.actor, pk=task_id))


DONE_BODY = {
    "requestBody": {"content": {
        "multipart/form-data": {"schema": {"type": "object", "properties": {
            "note": {"type": "string", "maxLength": service.NOTE_MAX},
            "photos": {"type": "array", "items": {"type": "string", "format": "binary"}, "maxItems": MAX_PHOTOS}}}},
        "application/json": {"schema": {"type": "object", "properties": {
            "note": {"type": "string", "maxLength": service.NOTE_MAX}}}},
    }},
}


def _done_input(request) -> tuple[str, list]:
    """(note, photos) from a multipart form or a JSON body, bounded before parsing; a NUL in the note is a 422
    naming `note` (the guard on schema inputs does not see this hand-parsed body)."""
    if request.content_type == "multipart/form-data":
        note = request.POST.get("note", "")[:service.NOTE_MAX + 1]
        return _checked_note(note), request.FILES.getlist("photos")[:MAX_PHOTOS + 1]
    body = request.body or b"{}"
    if len(body) > BODY_MAX:
        raise InvalidInput("body", _("The request is too large."))
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput("body", _("Send JSON or a multipart form.")) from None
    if not isinstance(data, dict):
        raise InvalidInput("body", _("Send JSON or a multipart form."))
    note = data.get("note", "")
    if not isinstance(note, str):
        raise InvalidInput("note", _("Give the note as text."))
    return _checked_note(note[:service.NOTE_MAX + 1]), []


def _checked_note(note: str) -> str:
    try:
        return check_text(note)
    except ValueError as error:
        raise InvalidInput("note", str(error)) from None


@router.post("/cleaning-tasks/{task_id}/done", response=CleaningTaskDetailOut, openapi_extra=DONE_BODY)
def complete_cleaning_task(request, task_id: int):
    """Record the cleaning done: multipart (`note`, `photos` — JPEG/PNG/WebP ≤ 5 MB, at most nine) or JSON
    (`note`) without photos. A disinfection needs a photo (422 naming `photos`); only the environment staff of
    the project (403); done or closed already, or not begun: 409."""
    require_read(request.actor, RESOURCE)
    note, photos = _done_input(request)  # the body's fields are named before the task is looked up, as a schema's
    task = get_scoped_or_404(CleaningTask.objects.all(), request.actor, pk=task_id)
    task = service.complete_task(request.actor, task, note=note, photos=photos)
    return _task_detail(request.actor, task)
