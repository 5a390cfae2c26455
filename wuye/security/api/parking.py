"""Security API: parking — entries, the sessions (list and one), exits with the fee and receipt, occupancy per
zone, and the plate cameras' signed reads."""

from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone
from ninja import Field, Header, Query, Router, Schema, Status
from ninja.pagination import paginate

from wuye.core.access import get_scoped_or_404, get_scoped_or_invalid, require_read
from wuye.core.api import Mapped, PagePagination
from wuye.core.errors import InvalidInput
from wuye.core.events import timeline
from wuye.core.sentences import event_sentence, prepare_events
from wuye.tenancy.models import Project

from .. import cameras
from .. import parking as service
from ..models import ParkingGate, ParkingSession, SessionStatus

router = Router(tags=["security"])
RESOURCE = "security.parking"


class ParkingEntryIn(Schema):
    project: int = Field(..., ge=1, le=2**31)
    plate: str = Field(..., max_length=20)
    gate: int | None = Field(None, ge=1, le=2**62, description="the entry gate (its id); its zone is the car's")
    zone: str = Field("", max_length=service.ZONE_MAX, description="without a gate: one of the project's zones")
    at: datetime | None = Field(None, description="default now; at most 5 minutes ahead and 7 days back")


class ParkingExitIn(Schema):
    channel: str = Field("cash", description="cash, wechat, alipay or pos")
    reference: str = Field("", max_length=40, description="wechat, alipay, pos: the provider's reference")
    gate: int | None = Field(None, ge=1, le=2**62, description="the exit gate (its id)")
    at: datetime | None = Field(None, description="default now; a car that pays leaves now (at most 5 minutes "
                                                  "off the server's clock)")
    expected_fee: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2,
                                         description="the amount shown to the driver: a different fee at exit → 409 "
                                                     "naming expected_fee with the new amount, nothing charged")


class ParkingSessionFilters(Schema):
    project: int | None = Field(None, ge=1, le=2**31)
    status: str | None = Field(None, description="inside or left")
    plate: str | None = Field(None, max_length=20)
    vehicle_class: str | None = Field(None, description="temporary, pass or resident")
    day: date | None = Field(None, description="entered on this day (local)")


class ParkingSessionOut(Schema):
    id: int
    project_id: int
    project: str
    plate: str
    vehicle_class: str
    vehicle_class_label: str
    zone: str
    status: str
    entered_at: datetime
    exited_at: datetime | None
    minutes: int
    fee: Decimal | None
    fee_so_far: Decimal | None = Field(description="inside: what leaving now would cost")
    receipt: str
    payment_id: int | None


class ParkingSessionDetailOut(ParkingSessionOut):
    timeline: list[str]


class ParkingExitOut(ParkingSessionOut):
    hours_charged: int
    capped: bool


class ParkingZoneOut(Schema):
    project_id: int
    project: str
    zone: str
    spaces: int
    inside: int
    temporary_inside: int
    free: int
    over: int


class CameraEventIn(Schema):
    project: int
    gate: str = Field(..., max_length=20)
    plate: str = Field(..., max_length=20)
    at: str = Field(..., max_length=40)
    confidence: str = Field(..., max_length=10)


class CameraEventOut(Schema):
    status: str = Field(description="entered, left, needs_confirmation or duplicate (a repeat of a read already "
                                    "handled: nothing changes)")
    session_id: int | None
    reason: str


def _row(session: ParkingSession, now=None, tariffs: dict | None = None) -> dict:
    now = now or timezone.now()
    end = session.exited_at or now
    fee_so_far = None
    if session.status == SessionStatus.INSIDE:
        try:
            fee_so_far = service.quote(session, end, tariffs).amount
        except InvalidInput:  # no tariff: the list still answers
            fee_so_far = None
    return {
        "id": session.pk, "project_id": session.project_id, "project": session.project.name, "plate": session.plate,
        "vehicle_class": session.vehicle_class, "vehicle_class_label": session.get_vehicle_class_display(),
        "zone": session.zone, "status": session.status, "entered_at": session.entered_at,
        "exited_at": session.exited_at, "minutes": max(int((end - session.entered_at).total_seconds() // 60), 0),
        "fee": session.fee, "fee_so_far": fee_so_far, "receipt": service.receipt_code(session),
        "payment_id": session.payment_id,
    }


def _gate(request, gate_id):
    if gate_id is None:
        return None
    return get_scoped_or_invalid(ParkingGate.objects.all(), request.actor, gate_id, "gate")


@router.post("/parking/sessions", response={201: ParkingSessionOut})
def enter(request, payload: ParkingEntryIn):
    """A car enters: `project`, `plate` and a `gate` (or a `zone`). A plate already inside → 409 naming
    `plate`; a malformed plate → 422 naming `plate`, nothing written."""
    require_read(request.actor, RESOURCE)
    project = get_scoped_or_invalid(Project.objects.all(), request.actor, payload.project, "project")
    session = service.enter(request.actor, project=project, plate=payload.plate, gate=_gate(request, payload.gate),
                            zone=payload.zone or None, at=payload.at)
    return Status(201, _row(session))


@router.get("/parking/sessions", response=list[ParkingSessionOut])
@paginate(PagePagination)
def list_sessions(request, filters: Query[ParkingSessionFilters]):
    """Sessions in scope, newest first: filters `project`, `status`, `plate`, `vehicle_class`, `day`."""
    require_read(request.actor, RESOURCE)
    rows = service.filter_sessions(service.visible_sessions(request.actor), **filters.model_dump())
    now, tariffs = timezone.now(), {}  # the tariff and rules read once per project and entry day, not per car
    return Mapped(rows, lambda session: _row(session, now, tariffs))


@router.get("/parking/sessions/{session_id}", response=ParkingSessionDetailOut)
def get_session(request, session_id: int):
    """One session with its timeline as sentences."""
    require_read(request.actor, RESOURCE)
    session = get_scoped_or_404(service.visible_sessions(request.actor), request.actor, pk=session_id)
    events = prepare_events(timeline(session))
    return {**_row(session), "timeline": [event_sentence(event) for event in events]}


@router.post("/parking/sessions/{session_id}/exit", response=ParkingExitOut)
def exit_session(request, session_id: int, payload: ParkingExitIn,
                 idempotency_key: str | None = Header(None, alias="Idempotency-Key")):
    """The car leaves: answers the `fee`, `minutes`, `hours_charged`, `capped`, `payment_id` and `receipt`
    number. A temporary car pays through `channel`; a repeat (or a concurrent exit) answers the same payment."""
    require_read(request.actor, RESOURCE)
    session = get_scoped_or_404(ParkingSession.objects.select_related("project"), request.actor, pk=session_id)
    session = service.leave(request.actor, session, at=payload.at, channel=payload.channel,
                            idempotency_key=idempotency_key, gate=_gate(request, payload.gate),
                            reference=payload.reference, expected_fee=payload.expected_fee)
    session = service.visible_sessions(request.actor).get(pk=session.pk)
    quote = service.quote(session, session.exited_at) if session.fee else None
    return {**_row(session), "hours_charged": quote.hours_charged if quote else 0,
            "capped": bool(getattr(quote, "capped", False)) if quote else False}


@router.get("/parking/occupancy", response=list[ParkingZoneOut])
def occupancy(request):
    """Per project and zone: temporary spaces, cars inside (every class, and temporary), free, over capacity."""
    require_read(request.actor, RESOURCE)
    return [{"project_id": row.project_id, "project": row.project, "zone": row.zone, "spaces": row.spaces,
             "inside": row.inside, "temporary_inside": row.temporary_inside, "free": row.free, "over": row.over}
            for row in service.occupancy(request.actor)]


@router.post("/parking/camera-events", auth=None, response=CameraEventOut)
def camera_event(request, payload: CameraEventIn, signature: str = Header("", alias="X-Wuye-Signature")):
    """A plate camera's read (no login: the signature is the proof). `X-Wuye-Signature` is the hex HMAC-SHA256
    of the canonical JSON of the five fields (strings, keys sorted, no spaces). A bad signature → 401; simulated
    cameras outside DEBUG / WUYE_SIMULATED_DEVICES → 403. A read below the confidence threshold (or a car that
    must pay) is recorded for the booth to confirm and changes no session."""
    read = cameras.camera("simulated").parse(payload.model_dump(), signature)
    outcome = cameras.handle_read(read)
    return {"status": outcome.status, "session_id": outcome.session.pk if outcome.session else None,
            "reason": outcome.reason}
