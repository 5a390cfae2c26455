"""Facilities API: elevator entrapments (电梯困人) — start one with a single call, the list (active first), one
entrapment with its three limits and timeline, and the steps of its log."""

from datetime import datetime

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from wuye.core.access import get_scoped_or_404, get_scoped_or_invalid, require_read
from wuye.core.api import Mapped, PagePagination
from wuye.core.errors import InvalidInput
from wuye.core.events import timeline
from wuye.core.sentences import event_sentence, prepare_events

from .. import entrapments as service
from ..models import Entrapment, EntrapmentStatus, Equipment

router = Router(tags=["facilities"])


class EntrapmentFilters(Schema):
    project: int | None = Field(None, ge=1, le=2**31)
    equipment: int | None = Field(None, ge=1, le=2**62)
    status: str | None = Field(None, description="active, freed or closed")


class EntrapmentStartIn(Schema):
    equipment: int = Field(..., ge=1, le=2**62, description="the elevator (its id)")
    floor: str = Field("", max_length=service.FLOOR_MAX)
    trapped_count: int | None = Field(None, ge=1, le=service.TRAPPED_MAX)
    caller: str = Field("", max_length=service.CALLER_MAX)
    at: datetime | None = Field(None, description="when the call came; default now")


class EntrapmentActionIn(Schema):
    at: datetime | None = Field(None, description="when it happened; default now")
    staff: int | None = Field(None, ge=1, le=2**62, description="staff_arrived: the colleague on site (default you)")
    note: str = Field("", max_length=service.NOTE_MAX)
    injuries: str = Field("", max_length=service.INJURIES_MAX)
    summary: str = Field("", max_length=service.SUMMARY_MAX)


class EntrapmentLimitOut(Schema):
    key: str
    label: str
    due_at: datetime | None
    state: str = Field(description="running, met, breached, cancelled ('' before it started)")
    done_at: datetime | None
    minutes: int | None = Field(description="minutes from the start to the step")
    met: bool
    breached: bool


class EntrapmentListOut(Schema):
    id: int
    project_id: int
    project: str
    equipment_id: int
    elevator: str
    location: str
    status: str
    status_label: str
    started_at: datetime
    floor: str
    trapped_count: int | None
    staff_arrived_at: datetime | None
    contractor_arrived_at: datetime | None
    freed_at: datetime | None
    closed_at: datetime | None


class EntrapmentOut(EntrapmentListOut):
    caller: str
    started_by: str
    staff_arrived_by: str
    injuries: str
    summary: str
    fault_id: int | None
    limits: list[EntrapmentLimitOut]
    next_action: str | None
    actions: list[str]
    timeline: list[str]


def _name(user) -> str:
    return (user.get_full_name() or _("a colleague")) if user else ""


def _row(entrapment: Entrapment) -> dict:
    equipment = entrapment.equipment
    return {
        "id": entrapment.pk, "project_id": entrapment.project_id, "project": entrapment.project.name,
        "equipment_id": equipment.pk, "elevator": equipment.name, "location": equipment.location,
        "status": entrapment.status, "status_label": entrapment.get_status_display(),
        "started_at": entrapment.started_at, "floor": entrapment.floor, "trapped_count": entrapment.trapped_count,
        "staff_arrived_at": entrapment.staff_arrived_at, "contractor_arrived_at": entrapment.contractor_arrived_at,
        "freed_at": entrapment.freed_at, "closed_at": entrapment.closed_at,
    }


@router.get("/entrapments", response=list[EntrapmentListOut])
@paginate(PagePagination)
def list_entrapments(request, filters: Query[EntrapmentFilters]):
    """Entrapments in scope, active first, then newest: filters `project`, `equipment`, `status`."""
    require_read(request.actor, "facilities.entrapments")
    rows = service.visible_entrapments(request.actor)
    if filters.project is not None:
        rows = rows.filter(project_id=filters.project)
    if filters.equipment is not None:
        rows = rows.filter(equipment_id=filters.equipment)
    if filters.status is not None:
        if filters.status not in EntrapmentStatus.values:
            raise InvalidInput("status", _("Choose one of: %(values)s.") % {
                "values": ", ".join(EntrapmentStatus.values)})
        rows = rows.filter(status=filters.status)
    return Mapped(rows, _row)


def detail(actor, entrapment: Entrapment) -> dict:
    entrapment = Entrapment.objects.select_related(
        "project", "equipment", "started_by", "staff_arrived_by").get(pk=entrapment.pk)
    limits = [{key: row[key] for key in ("key", "label", "due_at", "state", "done_at", "minutes", "met", "breached")}
              | {"label": str(row["label"])} for row in service.limits(entrapment)]
    events = prepare_events(timeline(entrapment))
    return {**_row(entrapment), "caller": entrapment.caller, "started_by": _name(entrapment.started_by),
            "staff_arrived_by": _name(entrapment.staff_arrived_by), "injuries": entrapment.injuries,
            "summary": entrapment.summary, "fault_id": entrapment.fault_id, "limits": limits,
            "next_action": service.next_action(entrapment), "actions": service.allowed_actions(actor, entrapment),
            "timeline": [event_sentence(event) for event in events]}


@router.post("/entrapments", response={201: EntrapmentOut})
def start_entrapment(request, payload: EntrapmentStartIn):
    """People are trapped: only `equipment` (an elevator in your projects) is needed; `floor`, `trapped_count`,
    `caller` and `at` are optional. Starts the three limits (staff 5 min, contractor 30, rescue 30, calendar
    minutes), opens a major fault on the elevator and alerts the project's security, engineering and customer
    service on in-app and SMS. Not an elevator → 422 naming `equipment`; one already active on it → 409."""
    require_read(request.actor, "facilities.entrapments")
    equipment = get_scoped_or_invalid(Equipment.objects.select_related("category", "project"), request.actor,
                                      payload.equipment, "equipment")
    entrapment = service.start_entrapment(request.actor, equipment, floor=payload.floor,
                                          trapped_count=payload.trapped_count, caller=payload.caller, at=payload.at)
    return Status(201, detail(request.actor, entrapment))


@router.get("/entrapments/{entrapment_id}", response=EntrapmentOut)
def get_entrapment(request, entrapment_id: int):
    """One entrapment: its three limits (deadline, met or breached, minutes taken), the `next_action`, the
    `actions` you may take and its timeline as sentences."""
    require_read(request.actor, "facilities.entrapments")
    entrapment = get_scoped_or_404(Entrapment.objects.all(), request.actor, pk=entrapment_id)
    return detail(request.actor, entrapment)


@router.post("/entrapments/{entrapment_id}/actions/{action}", response=EntrapmentOut)
def act_on_entrapment(request, entrapment_id: int, action: str, payload: EntrapmentActionIn):
    """Record a step: `staff_arrived` (`staff`: a colleague's user id, default you), `contractor_arrived`
    (`note`), `freed` (`injuries`), `close` (`summary` required). `at` defaults to now and may be neither before
    the start nor in the future. Unknown action → 422 naming `action`; a step already recorded or not possible
    now → 409."""
    require_read(request.actor, "facilities.entrapments")
    entrapment = get_scoped_or_404(Entrapment.objects.all(), request.actor, pk=entrapment_id)
    fields = {}
    if action == "staff_arrived" and payload.staff is not None:
        user = get_user_model().objects.filter(pk=payload.staff, is_active=True).first()
        if user is None:
            raise InvalidInput("staff", _("Choose a colleague of this project."))
        fields["staff"] = user
    if action in ("staff_arrived", "contractor_arrived") and payload.note:
        fields["note"] = payload.note
    if action == "freed":
        fields["injuries"] = payload.injuries
    if action == "close":
        fields["summary"] = payload.summary
    entrapment = service.act(request.actor, entrapment, action, at=payload.at, **fields)
    return detail(request.actor, entrapment)
