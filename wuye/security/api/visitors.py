"""Security API: visitors at the gate and decoration worker passes. Staff see their projects' rows, an owner their
own households' visitors; outside scope is 404. Handlers parse, call one service function and shape the answer."""

from datetime import date, datetime
from decimal import Decimal

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from wuye.core.access import get_scoped_or_404, get_scoped_or_invalid, require_read
from wuye.core.api import Mapped, PagePagination
from wuye.core.errors import InvalidInput
from wuye.core.events import timeline
from wuye.core.sentences import event_sentence, prepare_events
from wuye.tenancy.models import Unit

from .. import visitors as service
from .. import worker_passes as passes
from ..models import Visitor, VisitorStatus, WorkerPass, WorkerPassStatus

router = Router(tags=["security"])
VISITORS, WORKER_PASSES = "security.visitors", "security.worker_passes"


class VisitorFilters(Schema):
    project: int | None = Field(None, ge=1, le=2**31)
    unit: int | None = Field(None, ge=1, le=2**62)
    status: str | None = Field(None, max_length=16, description="expected, waiting, inside, left, refused, ...")
    day: date | None = Field(None, description="registered on this day")


class VisitorIn(Schema):
    unit_id: int = Field(..., ge=1, le=2**62)
    name: str = Field(..., max_length=service.NAME_MAX)
    id_type: str = Field("resident_id", max_length=16)
    id_number: str = Field("", max_length=service.ID_INPUT_MAX)
    purpose: str = Field(..., max_length=service.PURPOSE_MAX)
    phone: str = Field("", max_length=30)
    plate: str = Field("", max_length=20)
    party_size: int = Field(1, ge=1, le=service.PARTY_MAX)
    valid_until: datetime | None = Field(None, description="default: the end of today; at most 7 days ahead")
    pre_registered: bool = False


class VisitorConfirmIn(Schema):
    call_note: str = Field("", max_length=service.CALL_NOTE_MAX,
                           description="staff: who answered the call to the unit and what they said (required)")
    decline: bool = Field(False, description="the unit declines: the visitor is refused")


class VisitorAdmitIn(Schema):
    at: datetime | None = Field(None, description="default now; not before the registration, at most 24 hours ago")
    id_type: str | None = Field(None, max_length=16, description="with id_number: default resident_id")
    id_number: str | None = Field(None, max_length=service.ID_INPUT_MAX,
                                  description="required when the visitor was registered without one (id_masked empty)")


class VisitorExitIn(Schema):
    code: str | None = Field(None, max_length=500, description="the pass code (or the scanned QR's text)")
    at: datetime | None = Field(None, description="default now; not before entry, at most 24 hours ago")


class VisitorOut(Schema):
    id: int
    project_id: int
    project: str
    unit_id: int
    unit: str
    name: str
    id_type: str
    id_masked: str
    phone: str
    purpose: str
    plate: str
    party_size: int
    status: str
    status_label: str
    confirmation: str
    confirmation_label: str
    call_note: str
    pre_registered: bool
    pass_code: str
    pass_url: str
    valid_from: datetime
    valid_until: datetime
    entered_at: datetime | None
    exited_at: datetime | None
    overstayed: bool
    visit_number: int
    created_at: datetime


class VisitorDetailOut(VisitorOut):
    actions: list[str]
    timeline: list[str]


def _row(visitor: Visitor, number: int | None = None) -> dict:
    return {
        "id": visitor.pk, "project_id": visitor.project_id, "project": visitor.project.name,
        "unit_id": visitor.unit_id, "unit": visitor.unit.label, "name": visitor.name, "id_type": visitor.id_type,
        "id_masked": visitor.id_masked, "phone": visitor.phone, "purpose": visitor.purpose, "plate": visitor.plate,
        "party_size": visitor.party_size, "status": visitor.status, "status_label": visitor.get_status_display(),
        "confirmation": visitor.confirmation, "confirmation_label": visitor.get_confirmation_display(),
        "call_note": visitor.call_note, "pre_registered": visitor.pre_registered, "pass_code": visitor.pass_code,
        "pass_url": service.pass_url(visitor), "valid_from": visitor.valid_from, "valid_until": visitor.valid_until,
        "entered_at": visitor.entered_at, "exited_at": visitor.exited_at, "overstayed": visitor.overstayed,
        "visit_number": number if number is not None else service.visit_number(visitor),
        "created_at": visitor.created_at,
    }


def _detail(actor, visitor: Visitor) -> dict:
    visitor = Visitor.objects.select_related("project", "unit__building").get(pk=visitor.pk)
    events = prepare_events(timeline(visitor))
    return {**_row(visitor), "actions": service.allowed_actions(actor, visitor),
            "timeline": [event_sentence(event) for event in events]}


class _Rows(Mapped):
    """A page of visitors with their visit numbers counted in one query."""

    def __getitem__(self, index):
        rows = list(self.queryset[index]) if isinstance(index, slice) else [self.queryset[index]]
        numbers = service.visit_numbers(rows)
        shaped = [_row(row, numbers.get(row.pk, 1)) for row in rows]
        return shaped if isinstance(index, slice) else shaped[0]


@router.get("/visitors", response=list[VisitorOut])
@paginate(PagePagination)
def list_visitors(request, filters: Query[VisitorFilters]):
    """Visitors in scope, newest first: filters `project`, `unit`, `status`, `day` (registered that day)."""
    require_read(request.actor, VISITORS)
    rows = service.visible_visitors(request.actor)
    if filters.project is not None:
        rows = rows.filter(project_id=filters.project)
    if filters.unit is not None:
        rows = rows.filter(unit_id=filters.unit)
    if filters.status is not None:
        if filters.status not in VisitorStatus.values:
            raise InvalidInput("status", _("Choose one of: %(values)s.") % {"values": ", ".join(VisitorStatus.values)})
        rows = rows.filter(status=filters.status)
    if filters.day is not None:
        rows = service.registered_on(rows, filters.day)
    return _Rows(rows, _row)


@router.post("/visitors", response={201: VisitorDetailOut})
def register_visitor(request, payload: VisitorIn):
    """Register a visitor to `unit_id` (a unit in your scope; an owner: one of their homes, registered ahead).
    A resident ID number is checked by its check digit (422 naming `id_number`); a wrong plate is a 422 naming
    `plate`; `party_size` 1–20; `valid_until` at most the end of the 7th day ahead."""
    require_read(request.actor, VISITORS)
    unit = get_scoped_or_invalid(Unit.objects.select_related("project", "building"), request.actor,
                                 payload.unit_id, "unit_id") if not request.actor.is_owner else \
        _own_unit(request.actor, payload.unit_id)
    visitor = service.register_visitor(
        request.actor, project=unit.project, unit=unit, name=payload.name, id_type=payload.id_type,
        id_number=payload.id_number, purpose=payload.purpose, phone=payload.phone, plate=payload.plate,
        party_size=payload.party_size, valid_until=payload.valid_until, pre_registered=payload.pre_registered)
    return Status(201, _detail(request.actor, visitor))


def _own_unit(actor, unit_id: int) -> Unit:
    unit = Unit.objects.select_related("project", "building").filter(pk=unit_id).first()
    if unit is None or unit.pk not in actor.unit_ids:
        raise InvalidInput("unit_id", _("Choose one of your homes."))
    return unit


def _visitor(request, visitor_id: int) -> Visitor:
    require_read(request.actor, VISITORS)
    return get_scoped_or_404(Visitor.objects.all(), request.actor, pk=visitor_id)


@router.get("/visitors/{visitor_id}", response=VisitorDetailOut)
def get_visitor(request, visitor_id: int):
    """One visitor with the `actions` you may take and the timeline as sentences."""
    return _detail(request.actor, _visitor(request, visitor_id))


@router.post("/visitors/{visitor_id}/confirm", response=VisitorDetailOut)
def confirm_visitor(request, visitor_id: int, payload: VisitorConfirmIn):
    """The unit's answer: an owner confirms (or, with `decline`, declines) in the portal; the gate puts its call
    on record (`call_note` required, 422 naming it)."""
    visitor = _visitor(request, visitor_id)
    act = service.decline_visit if payload.decline else service.confirm_visit
    visitor = act(request.actor, visitor, call_note=payload.call_note)
    return _detail(request.actor, visitor)


@router.post("/visitors/{visitor_id}/admit", response=VisitorDetailOut)
def admit_visitor(request, visitor_id: int, payload: VisitorAdmitIn):
    """Let the visitor in: only after the unit confirmed (else 409). A visitor registered without an identity
    number (`id_masked` empty) needs `id_number` (and `id_type`) checked now: 422 naming `id_number` without it.
    `at` before the registration or more than 24 hours ago: 422 naming `at`."""
    visitor = service.admit(request.actor, _visitor(request, visitor_id), at=payload.at, id_type=payload.id_type,
                            id_number=payload.id_number)
    return _detail(request.actor, visitor)


@router.post("/visitors/{visitor_id}/exit", response=VisitorDetailOut)
def visitor_exit(request, visitor_id: int, payload: VisitorExitIn):
    """The visitor leaves; `code` (if sent) must be the pass's (422 naming `code`). After `valid_until` the
    visit is marked `overstayed`. A pass already used to leave: 409."""
    visitor = _visitor(request, visitor_id)
    code = payload.code
    if code is not None and service.token_in(code) is not None:
        code = visitor.pass_code if service.token_in(code) == visitor.pass_token else "-"
    visitor = service.check_out(request.actor, visitor, code=code, at=payload.at)
    return _detail(request.actor, visitor)


# -- worker passes --------------------------------------------------------------------------------------------
class WorkerPassFilters(Schema):
    project: int | None = Field(None, ge=1, le=2**31)
    unit: int | None = Field(None, ge=1, le=2**62)
    status: str | None = Field(None, max_length=16, description="active, returned, expired, revoked")
    code: str | None = Field(None, max_length=500, description="the gate's check: a pass code or the QR's text")


class WorkerPassIn(Schema):
    unit_id: int = Field(..., ge=1, le=2**62)
    worker_name: str = Field(..., max_length=passes.NAME_MAX)
    id_type: str = Field("resident_id", max_length=16)
    id_number: str = Field(..., max_length=40)
    valid_from: date
    valid_until: date
    works: str = Field("", max_length=passes.WORKS_MAX)
    employer: str = Field("", max_length=passes.EMPLOYER_MAX)
    phone: str = Field("", max_length=30)
    deposit: Decimal | None = Field(None, ge=0, le=passes.DEPOSIT_MAX, max_digits=8, decimal_places=2,
                                    description="default: WUYE_WORKER_PASS_DEPOSIT (¥50.00); 0: none")


class WorkerPassOut(Schema):
    id: int
    project_id: int
    project: str
    unit_id: int
    unit: str
    worker_name: str
    id_type: str
    id_masked: str
    phone: str
    employer: str
    works: str
    valid_from: date
    valid_until: date
    pass_code: str
    status: str
    status_label: str
    valid_today: bool
    has_photo: bool
    deposit_bill_id: int | None
    deposit: Decimal | None
    returned_at: datetime | None
    created_at: datetime


def _pass_row(worker_pass: WorkerPass) -> dict:
    from django.utils import timezone

    bill = worker_pass.deposit_bill
    return {
        "id": worker_pass.pk, "project_id": worker_pass.project_id, "project": worker_pass.project.name,
        "unit_id": worker_pass.unit_id, "unit": worker_pass.unit.label, "worker_name": worker_pass.worker_name,
        "id_type": worker_pass.id_type, "id_masked": worker_pass.id_masked, "phone": worker_pass.phone,
        "employer": worker_pass.employer, "works": worker_pass.works, "valid_from": worker_pass.valid_from,
        "valid_until": worker_pass.valid_until, "pass_code": worker_pass.pass_code, "status": worker_pass.status,
        "status_label": worker_pass.get_status_display(),
        "valid_today": passes.is_valid_on(worker_pass, timezone.localdate()), "has_photo": bool(worker_pass.photo),
        "deposit_bill_id": worker_pass.deposit_bill_id, "deposit": bill.amount if bill else None,
        "returned_at": worker_pass.returned_at, "created_at": worker_pass.created_at,
    }


@router.get("/worker-passes", response=list[WorkerPassOut])
@paginate(PagePagination)
def list_worker_passes(request, filters: Query[WorkerPassFilters]):
    """Worker passes in scope, newest first: filters `project`, `unit`, `status`; `code` finds the one pass the
    gate checks (422 naming `code` when none) — `valid_today` says whether it lets the worker in."""
    require_read(request.actor, WORKER_PASSES)
    rows = passes.visible_passes(request.actor).select_related("deposit_bill")
    if filters.project is not None:
        rows = rows.filter(project_id=filters.project)
    if filters.unit is not None:
        rows = rows.filter(unit_id=filters.unit)
    if filters.status is not None:
        if filters.status not in WorkerPassStatus.values:
            raise InvalidInput("status", _("Choose one of: %(values)s.") % {
                "values": ", ".join(WorkerPassStatus.values)})
        rows = rows.filter(status=filters.status)
    if filters.code is not None:
        found, _valid = passes.check_pass(request.actor, filters.code)
        rows = rows.filter(pk=found.pk)
    return Mapped(rows, _pass_row)


@router.post("/worker-passes", response={201: WorkerPassOut})
def issue_worker_pass(request, payload: WorkerPassIn):
    """Issue a decoration worker's pass (the photo is added on the console page). The deposit is billed to the
    unit through billing; a period longer than 180 days or starting more than 30 days ahead is a 422."""
    require_read(request.actor, WORKER_PASSES)
    unit = get_scoped_or_invalid(Unit.objects.select_related("project", "building"), request.actor,
                                 payload.unit_id, "unit_id")
    worker_pass = passes.issue_worker_pass(
        request.actor, project=unit.project, unit=unit, worker_name=payload.worker_name, id_type=payload.id_type,
        id_number=payload.id_number, valid_from=payload.valid_from, valid_until=payload.valid_until,
        works=payload.works, employer=payload.employer, phone=payload.phone, deposit=payload.deposit)
    return Status(201, _pass_row(WorkerPass.objects.select_related("project", "unit__building", "deposit_bill")
                                 .get(pk=worker_pass.pk)))


@router.post("/worker-passes/{pass_id}/return", response=WorkerPassOut)
def return_worker_pass(request, pass_id: int):
    """The card comes back: returned, and the deposit starts back through billing's refund or write-off flow."""
    require_read(request.actor, WORKER_PASSES)
    worker_pass = get_scoped_or_404(WorkerPass.objects.all(), request.actor, pk=pass_id)
    passes.return_worker_pass(request.actor, worker_pass)
    return _pass_row(WorkerPass.objects.select_related("project", "unit__building", "deposit_bill").get(pk=pass_id))

