"""Facilities API: duty posts and shift handovers (交接班) — written by the outgoing shift, confirmed by a different
user of the incoming one; an unconfirmed handover past its 30 minutes is flagged."""

import datetime as dt
from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from wuye.core.access import get_scoped_or_404, get_scoped_or_invalid, require_read, scoped
from wuye.core.api import Mapped, PagePagination
from wuye.core.errors import InvalidInput
from wuye.tenancy.models import Project

from .. import handovers as service
from ..models import DutyPost, Handover, HandoverStatus

router = Router()
ID = {"ge": 1, "le": 2_147_483_647}


class DutyPostFilters(Schema):
    project: int | None = Field(None, **ID)


class DutyShiftIn(Schema):
    name: str = Field(..., max_length=service.SHIFT_NAME_MAX)
    starts: str = Field(..., max_length=5, description="HH:MM")


class DutyShiftOut(Schema):
    name: str
    starts: str


class DutyPostIn(Schema):
    project: int = Field(..., **ID)
    name: str = Field(..., max_length=service.POST_NAME_MAX)
    department: str = Field(..., max_length=32, description="the staff role that keeps the post")
    shifts: list[DutyShiftIn] = Field(default_factory=list, max_length=service.SHIFTS_MAX)


class DutyPostOut(Schema):
    id: int
    project_id: int
    project: str
    name: str
    department: str
    department_label: str
    shifts: list[DutyShiftOut]
    is_active: bool


class HandoverFilters(Schema):
    project: int | None = Field(None, **ID)
    post: int | None = Field(None, **ID)
    date: dt.date | None = Field(None, description="the shift date")
    status: str | None = Field(None, max_length=16, description="pending or confirmed")
    unconfirmed: bool | None = Field(None, description="true: still pending past the 30 minutes")


class HandoverItemIn(Schema):
    name: str = Field(..., max_length=service.ITEM_NAME_MAX)
    count: int = Field(1, ge=0, le=service.ITEM_COUNT_MAX)


class HandoverItemOut(Schema):
    name: str
    count: int


class HandoverIn(Schema):
    post: int = Field(..., **ID)
    shift_date: date
    outgoing_shift: str = Field(..., max_length=service.SHIFT_NAME_MAX)
    incoming_shift: str = Field("", max_length=service.SHIFT_NAME_MAX)
    situation: str = Field(..., max_length=service.SITUATION_MAX, description="情况清")
    items: list[HandoverItemIn] = Field(default_factory=list, max_length=service.ITEMS_MAX, description="物品清")
    open_matters: str = Field("", max_length=service.OPEN_MATTERS_MAX, description="记录清")


class HandoverConfirmIn(Schema):
    note: str = Field("", max_length=service.CONFIRM_NOTE_MAX)


class HandoverOut(Schema):
    id: int
    project_id: int
    post_id: int
    post: str
    department: str
    shift_date: date
    outgoing_shift: str
    incoming_shift: str
    handed_over_by: str
    handed_at: datetime
    situation: str
    items: list[HandoverItemOut]
    open_matters: str
    status: str
    status_label: str
    received_by: str
    confirmed_at: datetime | None
    confirm_note: str
    confirm_due: datetime | None
    unconfirmed: bool = Field(..., description="still pending past its time limit (shown red)")
    may_confirm: bool


def _name(user) -> str:
    return (user.get_full_name() or "") if user else ""


def _post(post: DutyPost) -> dict:
    return {"id": post.pk, "project_id": post.project_id, "project": post.project.name, "name": post.name,
            "department": post.department, "department_label": post.get_department_display(),
            "shifts": post.shifts or [], "is_active": post.is_active}


def _handover(actor, handover: Handover, now: datetime) -> dict:
    return {
        "id": handover.pk, "project_id": handover.project_id, "post_id": handover.post_id,
        "post": handover.post.name, "department": handover.post.department, "shift_date": handover.shift_date,
        "outgoing_shift": handover.outgoing_shift, "incoming_shift": handover.incoming_shift,
        "handed_over_by": _name(handover.outgoing_user), "handed_at": handover.handed_at,
        "situation": handover.situation, "items": handover.items or [], "open_matters": handover.open_matters,
        "status": handover.status, "status_label": handover.get_status_display(),
        "received_by": _name(handover.incoming_user), "confirmed_at": handover.confirmed_at,
        "confirm_note": handover.confirm_note, "confirm_due": getattr(handover, "confirm_due", None),
        "unconfirmed": service.is_unconfirmed(handover, now), "may_confirm": service.may_confirm(actor, handover),
    }


def _rows(actor):
    return service.with_confirm_due(scoped(Handover.objects.all(), actor)).select_related(
        "post__project", "outgoing_user", "incoming_user")


@router.get("/duty-posts", response=list[DutyPostOut])
@paginate(PagePagination)
def list_posts(request, filters: Query[DutyPostFilters]):
    """Duty posts in scope (filter `project`), with their shifts in order."""
    require_read(request.actor, "facilities.handovers")
    rows = scoped(DutyPost.objects.select_related("project"), request.actor)
    if filters.project is not None:
        rows = rows.filter(project_id=filters.project)
    return Mapped(rows, _post)


@router.post("/duty-posts", response={201: DutyPostOut})
def create_post(request, payload: DutyPostIn):
    """A duty post of a department with its shifts (e.g. 白班 08:00, 夜班 20:00); the same name twice is a 409."""
    require_read(request.actor, "facilities.handovers")
    project = get_scoped_or_invalid(Project.objects.all(), request.actor, payload.project, "project")
    post = service.create_post(request.actor, project=project, name=payload.name, department=payload.department,
                               shifts=[shift.dict() for shift in payload.shifts])
    return Status(201, _post(post))


@router.get("/handovers", response=list[HandoverOut])
@paginate(PagePagination)
def list_handovers(request, filters: Query[HandoverFilters]):
    """Handovers in scope, latest first: filters `project`, `post`, `date`, `status`, `unconfirmed` (true: still
    pending past the time limit). Each row says whether it is `unconfirmed` and whether the caller `may_confirm`."""
    require_read(request.actor, "facilities.handovers")
    now = timezone.now()
    rows = _rows(request.actor)
    if filters.project is not None:
        rows = rows.filter(project_id=filters.project)
    if filters.post is not None:
        rows = rows.filter(post_id=filters.post)
    if filters.date is not None:
        rows = rows.filter(shift_date=filters.date)
    if filters.status is not None:
        if filters.status not in HandoverStatus.values:
            raise InvalidInput("status", _("Choose one of: %(values)s.") % {"values": ", ".join(HandoverStatus.values)})
        rows = rows.filter(status=filters.status)
    if filters.unconfirmed:
        rows = service.unconfirmed(rows, now)
    return Mapped(rows, lambda handover: _handover(request.actor, handover, now))


@router.post("/handovers", response={201: HandoverOut})
def create_handover(request, payload: HandoverIn):
    """The outgoing shift hands over (三清: `situation` required, `items`, `open_matters`); one per post, date and
    outgoing shift (409 on a second). Starts the 30-minute confirmation clock."""
    require_read(request.actor, "facilities.handovers")
    post = get_scoped_or_invalid(DutyPost.objects.select_related("project"), request.actor, payload.post, "post")
    handover = service.hand_over(
        request.actor, post=post, shift_date=payload.shift_date, outgoing_shift=payload.outgoing_shift,
        incoming_shift=payload.incoming_shift, situation=payload.situation,
        items=[item.dict() for item in payload.items], open_matters=payload.open_matters)
    return Status(201, _handover(request.actor, _rows(request.actor).get(pk=handover.pk), timezone.now()))


@router.get("/handovers/{handover_id}", response=HandoverOut)
def get_handover(request, handover_id: int):
    """One handover with who handed over, who received it and when."""
    require_read(request.actor, "facilities.handovers")
    return _handover(request.actor, get_scoped_or_404(_rows(request.actor), request.actor, pk=handover_id),
                     timezone.now())


@router.post("/handovers/{handover_id}/confirm", response=HandoverOut)
def confirm_handover(request, handover_id: int, payload: HandoverConfirmIn):
    """The incoming shift confirms: a different user of the post's department on its project (the one who handed
    over → 409; another department → 403). Stops the clock; a second confirmation is a 409."""
    require_read(request.actor, "facilities.handovers")
    handover = get_scoped_or_404(_rows(request.actor), request.actor, pk=handover_id)
    service.confirm(request.actor, handover, note=payload.note)
    return _handover(request.actor, _rows(request.actor).get(pk=handover.pk), timezone.now())
