"""The move-in API (SPEC §7, §9), mounted under /api/v1: batches (draft, notice, open, close, the notice PDF) and
each unit's move-in (booked by the owner or the desk, then the desk's steps as actions)."""

from datetime import date, datetime, time

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from wuye.core.access import get_scoped_or_404, get_scoped_or_invalid, require_read
from wuye.core.api import Mapped, PagePagination
from wuye.core.downloads import attachment
from wuye.core.errors import InvalidInput
from wuye.tenancy.models import Building, Unit

from . import services as service
from .models import MoveIn, MoveInSlot, MoveInStatus

router = Router(tags=["moveins"])
ID = {"ge": 1, "le": 2_147_483_647}
MOVE_INS, BATCHES = "moveins.move_ins", "moveins.batches"
ACTIONS = ("check_identity", "charge", "settle_fees", "inspect", "hand_keys", "sign_agreements", "return_visit",
           "cancel")
BATCH_ACTIONS = ("notify", "open", "close")


class SlotIn(Schema):
    starts: time
    ends: time
    capacity: int = Field(..., ge=1, le=service.CAPACITY_MAX)


class BatchIn(Schema):
    building: int = Field(..., **ID)
    name: str = Field(..., max_length=service.NAME_MAX)
    first_day: date
    last_day: date
    place: str = Field(..., max_length=service.PLACE_MAX)
    fees_note: str = Field("", max_length=service.FEES_MAX)
    slots: list[SlotIn] = Field(..., max_length=service.SLOTS_PER_DAY_MAX)


class MoveInSlotOut(Schema):
    id: int
    day: date
    starts: time
    ends: time
    capacity: int
    left: int


class BatchOut(Schema):
    id: int
    project_id: int
    building_id: int
    building: str
    name: str
    first_day: date
    last_day: date
    place: str
    fees_note: str
    status: str
    status_label: str
    notice_sent_at: datetime | None
    slots: list[MoveInSlotOut]


def _batch_out(batch) -> dict:
    return {
        "id": batch.pk, "project_id": batch.project_id, "building_id": batch.building_id,
        "building": str(batch.building), "name": batch.name, "first_day": batch.first_day,
        "last_day": batch.last_day, "place": batch.place, "fees_note": batch.fees_note, "status": batch.status,
        "status_label": batch.get_status_display(), "notice_sent_at": batch.notice_sent_at,
        "slots": [{"id": row["slot"].pk, "day": row["slot"].day, "starts": row["slot"].starts,
                   "ends": row["slot"].ends, "capacity": row["slot"].capacity, "left": row["left"]}
                  for row in service.slots_with_places(batch)],
    }


@router.get("/move-in-batches", response=list[BatchOut])
@paginate(PagePagination)
def list_batches(request, project: int | None = Query(None, **ID)):
    """Move-in batches in scope, latest first day first (an owner: the batches of their buildings, once notified)."""
    require_read(request.actor, BATCHES)
    rows = service.batches(request.actor).select_related("building")
    if project is not None:
        rows = rows.filter(project_id=project)
    return Mapped(rows, _batch_out)


@router.post("/move-in-batches", response={201: BatchOut})
def create_batch(request, payload: BatchIn):
    """Draft a batch for a building: days first_day … last_day, each with the same time slots and capacities."""
    actor = request.actor
    require_read(actor, BATCHES)
    building = get_scoped_or_invalid(Building.objects.all(), actor, payload.building, "building")
    batch = service.create_batch(actor, building=building, name=payload.name, first_day=payload.first_day,
                                 last_day=payload.last_day, place=payload.place, fees_note=payload.fees_note,
                                 slots=[slot.dict() for slot in payload.slots])
    return Status(201, _batch_out(batch))


@router.get("/move-in-batches/{batch_id}", response=BatchOut)
def get_batch(request, batch_id: int):
    require_read(request.actor, BATCHES)
    return _batch_out(_batch(request, batch_id))


def _batch(request, batch_id: int):
    """The batch in the caller's sight (scoped for staff; an owner's buildings' notified batches), else 404."""
    from django.http import Http404

    batch = service.batches(request.actor).select_related("building").filter(pk=batch_id).first()
    if batch is None:
        raise Http404
    return batch


@router.post("/move-in-batches/{batch_id}/actions/{action}", response=BatchOut)
def act_batch(request, batch_id: int, action: str):
    """`notify` (the notice to the owners: ≥ WUYE_MOVE_IN_NOTICE_DAYS before the first day, else 422 naming
    `first_day`), `open` (booking), `close`."""
    actor = request.actor
    require_read(actor, BATCHES)
    batch = _batch(request, batch_id)
    if action not in BATCH_ACTIONS:
        raise InvalidInput("action", _("Choose one of: %(values)s.") % {"values": ", ".join(BATCH_ACTIONS)})
    {"notify": service.notify_batch, "open": service.open_batch, "close": service.close_batch}[action](actor, batch)
    return _batch_out(service.batches(actor).select_related("building").get(pk=batch.pk))


@router.get("/move-in-batches/{batch_id}/notice.pdf", response={200: None})
def notice(request, batch_id: int):
    """The batch's notice (入伙通知书) as a PDF."""
    require_read(request.actor, BATCHES)
    batch = _batch(request, batch_id)
    return attachment(HttpResponse(service.notice_pdf(batch), content_type="application/pdf"),
                      service.notice_filename(batch), inline=True)


class MoveInFilters(Schema):
    project: int | None = Field(None, **ID)
    batch: int | None = Field(None, **ID)
    status: str | None = Field(None, max_length=20)
    day: date | None = Field(None, description="the booked slot's day")


class MoveInIn(Schema):
    batch: int = Field(..., **ID)
    unit: int = Field(..., **ID)
    slot: int | None = Field(None, **ID)
    owner_name: str = Field("", max_length=40)


class ItemIn(Schema):
    room: str = Field(..., max_length=20)
    item: str = Field(..., max_length=40)
    ok: bool = True
    note: str = Field("", max_length=service.NOTE_MAX)


class MoveInReadingIn(Schema):
    kind: str = Field(..., max_length=16)
    value: str = Field(..., max_length=20)


class MoveInActionIn(Schema):
    contract_number: str = Field("", max_length=40, description="check_identity")
    note: str = Field("", max_length=service.NEEDS_MAX, description="check_identity, inspect")
    months: int | None = Field(None, ge=1, le=service.MONTHS_MAX, description="charge: months of property fee")
    channel: str = Field("", max_length=20, description="settle_fees: take the money at the desk")
    reference: str = Field("", max_length=60)
    payer_name: str = Field("", max_length=40)
    items: list[ItemIn] = Field([], max_length=service.ITEMS_MAX, description="inspect: the checklist")
    readings: list[MoveInReadingIn] = Field([], max_length=3, description="inspect: meter readings")
    owner_present: str = Field("", max_length=40)
    door_keys: int | None = Field(None, ge=0, le=service.KEYS_MAX)
    access_cards: list[str] = Field([], max_length=service.CARDS_MAX)
    mailbox_keys: int = Field(0, ge=0, le=service.KEYS_MAX)
    other: str = Field("", max_length=200)
    signature: str = Field("", max_length=service.SIGNATURE_MAX_BYTES * 2, description="hand_keys: PNG data URL")
    agreements: list[str] = Field([], max_length=3, description="sign_agreements: codes")
    satisfaction: int | None = Field(None, ge=1, le=5, description="return_visit")
    needs: str = Field("", max_length=service.NEEDS_MAX)
    reason: str = Field("", max_length=service.NOTE_MAX, description="cancel")


class IssueOut(Schema):
    room: str
    item: str
    note: str
    status: str
    status_label: str
    due_at: datetime | None


class MoveInOut(Schema):
    id: int
    project_id: int
    batch_id: int
    batch: str
    unit_id: int
    unit: str
    owner_name: str
    slot_day: date | None
    slot_starts: time | None
    slot_ends: time | None
    status: str
    status_label: str
    contract_number: str
    identity_checked_at: datetime | None
    fees_settled_at: datetime | None
    inspected_at: datetime | None
    keys_handed_at: datetime | None
    agreements: list[dict]
    agreements_signed_at: datetime | None
    return_visit_at: datetime | None
    satisfaction: int | None
    fees_amount: str
    fees_outstanding: str
    issues: list[IssueOut]
    actions: list[str]


def _out(actor, move_in: MoveIn, detail: bool = False) -> dict:
    fees = service.fees_of(move_in) if detail else None
    slot = move_in.slot
    return {
        "id": move_in.pk, "project_id": move_in.project_id, "batch_id": move_in.batch_id,
        "batch": move_in.batch.name, "unit_id": move_in.unit_id, "unit": move_in.unit.label,
        "owner_name": move_in.owner_name, "slot_day": slot.day if slot else None,
        "slot_starts": slot.starts if slot else None, "slot_ends": slot.ends if slot else None,
        "status": move_in.status, "status_label": move_in.get_status_display(),
        "contract_number": move_in.contract_number, "identity_checked_at": move_in.identity_checked_at,
        "fees_settled_at": move_in.fees_settled_at, "inspected_at": move_in.inspected_at,
        "keys_handed_at": move_in.keys_handed_at, "agreements": move_in.agreements,
        "agreements_signed_at": move_in.agreements_signed_at, "return_visit_at": move_in.return_visit_at,
        "satisfaction": move_in.satisfaction,
        "fees_amount": f"{fees.amount:.2f}" if fees else "",
        "fees_outstanding": f"{fees.outstanding:.2f}" if fees else "",
        "issues": [{"room": row["line"].room, "item": row["line"].item, "note": row["line"].note,
                    "status": row["status"], "status_label": row["status_label"], "due_at": row["due_at"]}
                   for row in service.issues_of(move_in)] if detail else [],
        "actions": service.actions_for(actor, move_in),
    }


def _rows(actor):
    return service.move_ins(actor).select_related("batch", "unit__building", "slot")


@router.get("/move-ins", response=list[MoveInOut])
@paginate(PagePagination)
def list_move_ins(request, filters: Query[MoveInFilters]):
    """Move-ins in scope (an owner: their own homes'); filters `project`, `batch`, `status`, `day`."""
    require_read(request.actor, MOVE_INS)
    rows = _rows(request.actor)
    if filters.project is not None:
        rows = rows.filter(project_id=filters.project)
    if filters.batch is not None:
        rows = rows.filter(batch_id=filters.batch)
    if filters.status is not None:
        if filters.status not in MoveInStatus.values:
            raise InvalidInput("status", _("Choose one of: %(values)s.") % {"values": ", ".join(MoveInStatus.values)})
        rows = rows.filter(status=filters.status)
    if filters.day is not None:
        rows = rows.filter(slot__day=filters.day)
    return Mapped(rows, lambda move_in: _out(request.actor, move_in))


@router.post("/move-ins", response={201: MoveInOut})
def create_move_in(request, payload: MoveInIn):
    """Book: an owner a slot of an open batch for their own home (the slot full → 409 naming `slot`); the desk
    registers any home of the batch's building, with or without a slot."""
    actor = request.actor
    require_read(actor, MOVE_INS)
    batch = service.batches(actor).filter(pk=payload.batch).first()
    if batch is None:
        raise InvalidInput("batch", _("No such move-in batch."))
    unit = get_scoped_or_invalid(Unit.objects.select_related("project"), actor, payload.unit, "unit")
    slot = None
    if payload.slot is not None:
        slot = MoveInSlot.objects.filter(pk=payload.slot, batch=batch).first()
        if slot is None:
            raise InvalidInput("slot", _("Choose a time slot of this batch."))
    move_in = service.book(actor, batch=batch, unit=unit, slot=slot, owner_name=payload.owner_name)
    return Status(201, _out(actor, _rows(actor).get(pk=move_in.pk), detail=True))


@router.get("/move-ins/{move_in_id}", response=MoveInOut)
def get_move_in(request, move_in_id: int):
    """One move-in with its fees as billing has them and its inspection issues (rectification status, deadline)."""
    require_read(request.actor, MOVE_INS)
    return _out(request.actor, get_scoped_or_404(_rows(request.actor), request.actor, pk=move_in_id), detail=True)


@router.post("/move-ins/{move_in_id}/actions/{action}", response=MoveInOut)
def act(request, move_in_id: int, action: str, payload: MoveInActionIn):
    """One step: `check_identity` (`contract_number`), `charge` (`months` of property fee), `settle_fees`
    (optional `channel` to take the money at the desk), `inspect` (`items`, `readings`, `owner_present`),
    `hand_keys` (`door_keys`, `access_cards`, `mailbox_keys`, `signature` as a PNG data URL), `sign_agreements`
    (`agreements`: management_agreement, decoration_rules, interim_covenant), `return_visit` (`satisfaction`,
    `needs`), `cancel` (`reason`)."""
    actor = request.actor
    require_read(actor, MOVE_INS)
    move_in = get_scoped_or_404(_rows(actor), actor, pk=move_in_id)
    if action not in ACTIONS:
        raise InvalidInput("action", _("Choose one of: %(values)s.") % {"values": ", ".join(ACTIONS)})
    if action == "check_identity":
        service.check_identity(actor, move_in, contract_number=payload.contract_number, note=payload.note)
    elif action == "charge":
        service.charge(actor, move_in, months=payload.months)
    elif action == "settle_fees":
        service.settle_fees(actor, move_in, channel=payload.channel, reference=payload.reference,
                            payer_name=payload.payer_name)
    elif action == "inspect":
        service.inspect(actor, move_in, items=[item.dict() for item in payload.items],
                        readings=[reading.dict() for reading in payload.readings],
                        owner_present=payload.owner_present, note=payload.note)
    elif action == "hand_keys":
        service.hand_keys(actor, move_in, door_keys=payload.door_keys, access_cards=payload.access_cards,
                          mailbox_keys=payload.mailbox_keys, other=payload.other, signature=payload.signature)
    elif action == "sign_agreements":
        service.sign_agreements(actor, move_in, agreements=payload.agreements)
    elif action == "return_visit":
        service.record_return_visit(actor, move_in, satisfaction=payload.satisfaction, needs=payload.needs)
    else:
        service.cancel(actor, move_in, reason=payload.reason)
    return _out(actor, _rows(actor).get(pk=move_in.pk), detail=True)
