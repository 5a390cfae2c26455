from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from wuye.core.api import api_enum
from wuye.core.sentences import event_sentence

from .frontdesk import contact_phone_for
from .models import Channel, Kind, Status, Urgency

# Own component names in the OpenAPI document (billing has a `Channel` too).
TicketKind = api_enum(Kind, "TicketKind")
TicketStatus = api_enum(Status, "TicketStatus")
TicketUrgency = api_enum(Urgency, "TicketUrgency")
TicketChannel = api_enum(Channel, "TicketChannel")


class TicketIn(Schema):
    project_id: int | None = Field(None, description="Defaults to the unit's project")
    kind: TicketKind
    channel: TicketChannel = TicketChannel.PHONE
    unit_id: int | None = None
    is_public_area: bool = False
    location: str = Field("", max_length=200)
    category_id: int | None = None
    urgency: TicketUrgency = TicketUrgency.GENERAL
    description: str = Field(..., min_length=1, max_length=4000)
    contact_name: str = Field("", max_length=50)
    contact_phone: str = Field("", max_length=20)
    preferred_time: datetime | None = None
    is_major: bool = False
    owner_says_urgent: bool = Field(False, description="Owners: it cannot wait (staff confirm by classifying)")


class PartIn(Schema):
    item_id: int
    quantity: Decimal = Field(..., gt=0, max_digits=9, decimal_places=2)


class ActionIn(Schema):
    version: int | None = Field(None, description="The version you read; a stale one gets 409 with the current state")
    assignee_id: int | None = None
    department: str = Field("", max_length=32)
    reason: str = Field("", max_length=200)
    work_done: str = Field("", max_length=2000)
    parts: list[PartIn] = Field(default_factory=list, max_length=30)
    repeat_reason: str = Field("", max_length=32)
    agreed_time: datetime | None = None
    score: int | None = Field(None, ge=1, le=5)
    comment: str = Field("", max_length=2000, description="return_visit: what the person said; approve/reject: the "
                         "approval comment (审批意见), required on reject")
    resolution: str = Field("", max_length=4000)
    reply: str = Field("", max_length=4000)
    improvement: str = Field("", max_length=2000)
    payment_channel: str = Field("", max_length=16, description="collect_fee: cash or bank_transfer")
    waiting_for: str = Field("", max_length=16, description="pause: `parts` when the job waits for parts (待料)")
    kind: TicketKind | None = Field(None, description="classify: the new kind (only while the ticket is new)")
    category_id: int | None = Field(None, description="classify: the new category (of the ticket's kind)")
    urgency: TicketUrgency | None = Field(None, description="classify: the new urgency; the limits restart")
    is_major: bool | None = Field(None, description="classify: a complaint is major (its resolution is approved)")


class ClockOut(Schema):
    key: str
    name: str = Field(..., alias="policy.name")
    state: str
    started_at: datetime
    due_at: datetime
    stopped_at: datetime | None
    met: bool | None
    overrun_minutes: float | None

    @staticmethod
    def resolve_overrun_minutes(clock):
        minutes = clock.overrun_minutes()
        return None if minutes is None else round(minutes, 1)


class EventOut(Schema):
    at: datetime = Field(..., alias="created_at")
    verb: str
    text: str = Field(..., description="The event as one sentence in the request's language (names, ¥, local times)")
    actor: str | None
    data: dict

    @staticmethod
    def resolve_text(event):
        return event_sentence(event)

    @staticmethod
    def resolve_actor(event):
        return event.actor.get_full_name() or event.actor.username if event.actor else None


BillState = Literal["not_billed", "unpaid", "partly_paid", "paid", "written_off"]


class ChargeOut(Schema):
    description: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    taken_as: Literal["", "paid_on_site", "on_account"] = Field(
        ..., description="How the fee step took it: paid on the spot, charged to the owner's account, or not yet")
    bill_state: BillState | None = Field(None, description="Its bill's state, read from billing now")

    @staticmethod
    def resolve_bill_state(line):
        return getattr(line, "bill_state", None)


class FeeReceiptOut(Schema):
    payment_id: int
    number: str


class FeeOut(Schema):
    """A repair's fee: how the fee step took it, and its bills' state read live from billing (never stored on
    the ticket)."""

    total: Decimal
    pending: Decimal = Field(..., description="Not taken by the fee step yet")
    taken_as: list[Literal["paid_on_site", "on_account"]]
    state: BillState
    billed: Decimal
    paid: Decimal
    written_off: Decimal
    outstanding: Decimal
    receipts: list[FeeReceiptOut]

    @staticmethod
    def resolve_billed(fee):
        return fee.bills.amount

    @staticmethod
    def resolve_paid(fee):
        return fee.bills.paid

    @staticmethod
    def resolve_written_off(fee):
        return fee.bills.written_off

    @staticmethod
    def resolve_outstanding(fee):
        return fee.bills.outstanding

    @staticmethod
    def resolve_receipts(fee):
        return [{"payment_id": payment_id, "number": number} for payment_id, number in fee.bills.receipts]


class TicketListOut(Schema):
    id: int
    number: str
    project_id: int
    kind: TicketKind
    status: TicketStatus
    version: int
    urgency: TicketUrgency
    channel: TicketChannel
    unit_id: int | None
    unit_label: str | None
    category: str | None
    description: str
    created_at: datetime
    assignee: str | None
    is_repeat: bool
    owner_says_urgent: bool
    classified_at: datetime | None
    next_due_at: datetime | None = None

    @staticmethod
    def resolve_unit_label(ticket):
        return ticket.unit.label if ticket.unit_id else None

    @staticmethod
    def resolve_category(ticket):
        return str(ticket.category) if ticket.category_id else None

    @staticmethod
    def resolve_assignee(ticket):
        return (ticket.assignee.get_full_name() or ticket.assignee.username) if ticket.assignee_id else None


class OwnerStepOut(Schema):
    label: str
    state: Literal["done", "current", "todo"]


class OwnerProgressOut(Schema):
    label: str
    at: datetime
    by_me: bool
    reason: str


class TicketCreatedOut(TicketListOut):
    """The 201 of a create — the ticket as received, with its running deadline and the caller's next actions — and
    the part of every ticket's detail (TicketOut) known from receipt on. The timeline, fee and charges of a ticket
    just received are known (its `ticket.created` and `sla.started` events; none; none): GET /tickets/{id}."""

    location: str
    contact_name: str
    contact_phone: str
    preferred_time: datetime | None
    is_public_area: bool
    under_warranty: bool
    contractor: str
    responsible_role: str
    is_major: bool
    repeat_of_id: int | None
    deadlines: list[ClockOut]
    actions: list[str]

    @staticmethod
    def resolve_contact_phone(ticket, context):
        # Full for staff who may read personal data, the reporter, and the engineer assigned to the open job (that
        # reveal is on record); masked for anyone else — the console's ticket page asks the same.
        return contact_phone_for(context["request"].actor, ticket).number


class TicketOut(TicketCreatedOut):
    work_done: str
    resolution: str
    reply: str
    improvement: str
    satisfaction: int | None
    visit_comment: str
    cancel_reason: str
    repeat_reason: str
    charges: list[ChargeOut]
    fee: FeeOut | None = Field(None, description="Repairs with charges: the fee and its bills' live state")
    timeline: list[EventOut] = Field(..., description="Staff: every event. Owners: empty (see `progress`)")
    steps: list[OwnerStepOut] | None = Field(None, description="Owners: the steps of the request, as the portal shows")
    progress: list[OwnerProgressOut] | None = Field(
        None, description="Owners: what happened in plain words, newest first, as the portal shows")

    @staticmethod
    def resolve_charges(ticket):
        fee = getattr(ticket, "fee", None)
        return fee.lines if fee is not None else list(ticket.charge_lines.order_by("id"))

    @staticmethod
    def resolve_contact_phone(ticket, context):
        return contact_phone_for(context["request"].actor, ticket).number


# -- the catalogue ------------------------------------------------------------------------------------------------
class CategoryOut(Schema):
    id: int
    project_id: int
    kind: TicketKind
    parent_id: int | None
    code: str
    name: str
    full_name: str
    responsible_role: str
    is_active: bool

    @staticmethod
    def resolve_full_name(category):
        return str(category)


class CategoryIn(Schema):
    project_id: int
    kind: TicketKind
    parent_id: int | None = None
    code: str = Field(..., max_length=40)
    name: str = Field(..., max_length=50)
    responsible_role: str = Field("", max_length=32)
    is_active: bool = True


class CategoryPatch(Schema):
    parent_id: int | None = None
    code: str | None = Field(None, max_length=40)
    name: str | None = Field(None, max_length=50)
    responsible_role: str | None = Field(None, max_length=32)
    is_active: bool | None = None


class PriceItemOut(Schema):
    id: int
    project_id: int
    code: str
    name: str
    unit_name: str
    price: Decimal
    is_labour: bool
    is_active: bool


class PriceItemIn(Schema):
    project_id: int
    code: str = Field(..., max_length=40)
    name: str = Field(..., max_length=100)
    unit_name: str = Field("次", max_length=10)
    price: Decimal = Field(..., max_digits=9, decimal_places=2)
    is_labour: bool = False
    is_active: bool = True


class PriceItemPatch(Schema):
    code: str | None = Field(None, max_length=40)
    name: str | None = Field(None, max_length=100)
    unit_name: str | None = Field(None, max_length=10)
    price: Decimal | None = Field(None, max_digits=9, decimal_places=2)
    is_labour: bool | None = None
    is_active: bool | None = None


class WarrantyTermOut(Schema):
    id: int
    project_id: int
    category_id: int
    category: str
    building_id: int | None
    until: date
    contractor: str
    contractor_phone: str
    is_active: bool

    @staticmethod
    def resolve_category(term):
        return str(term.category)


class WarrantyTermIn(Schema):
    project_id: int
    category_id: int
    building_id: int | None = Field(None, description="Empty: every building of the project")
    until: date
    contractor: str = Field(..., max_length=100)
    contractor_phone: str = Field("", max_length=20)
    is_active: bool = True


class WarrantyTermPatch(Schema):
    category_id: int | None = None
    building_id: int | None = None
    until: date | None = None
    contractor: str | None = Field(None, max_length=100)
    contractor_phone: str | None = Field(None, max_length=20)
    is_active: bool | None = None


class PriceImportRowError(Schema):
    row: int
    column: str
    message: str


class PriceImportOut(Schema):
    rows: int
    created: int
    changed: int
    unchanged: int
    errors: list[PriceImportRowError]
