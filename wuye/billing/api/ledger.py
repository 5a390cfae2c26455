"""Bills, payments recorded by staff, the unit ledger and billing runs (§9)."""

from datetime import date, datetime
from decimal import Decimal

from django.utils.translation import gettext as _
from ninja import Field, Header, Router, Schema, Status
from ninja.pagination import paginate

from wuye.core.access import get_scoped_or_404, get_scoped_or_invalid, require, scoped
from wuye.core.api import PagePagination
from wuye.core.errors import InvalidInput
from wuye.tenancy.models import Project, Unit

from .. import services
from ..models import Bill, Channel, LedgerEntry, Payment
from ..runs import run_billing

router = Router(tags=["fees"])


class BillOut(Schema):
    id: int
    unit_id: int
    item: str
    period: date | None
    amount: Decimal
    paid: Decimal
    outstanding: Decimal
    due_on: date
    description: str

    @staticmethod
    def resolve_item(bill):
        return bill.item.name



class PaymentIn(Schema):
    unit_id: int
    amount: Decimal = Field(..., gt=0, max_digits=12, decimal_places=2)
    channel: Channel = Channel.CASH
    allow_prepayment: bool = False


class PaymentOut(Schema):
    id: int
    unit_id: int
    amount: Decimal
    channel: Channel
    received_at: datetime
    receipt_number: int

    @staticmethod
    def resolve_receipt_number(payment):
        return payment.receipt.number


class EntryOut(Schema):
    id: int
    created_at: datetime
    kind: str
    amount: Decimal
    bill_id: int | None
    payment_id: int | None
    memo: str


class LedgerOut(Schema):
    unit_id: int
    balance: Decimal
    entries: list[EntryOut]


@router.get("/bills", response=list[BillOut])
@paginate(PagePagination)
def list_bills(request, unit: int | None = None, open: bool = False):
    """Bills in scope (an owner: their own), oldest due first, with what is paid and outstanding."""
    if not request.actor.is_owner:
        require(request.actor, "billing.view")
    bills = scoped(Bill.objects.all(), request.actor)
    if unit is not None:
        bills = bills.filter(unit_id=unit)
    bills = bills.select_related("item").order_by("due_on", "id")
    return services.open_bills(bills) if open else bills


@router.post("/payments", response={201: PaymentOut, 200: PaymentOut})
def create_payment(request, payload: PaymentIn, idempotency_key: str = Header(..., alias="Idempotency-Key")):
    """Record a payment once per `Idempotency-Key`; a repeat returns the first payment with 200."""
    unit = get_scoped_or_invalid(Unit.objects.all(), request.actor, payload.unit_id, "unit_id")
    if request.actor.is_owner and payload.channel != Channel.SIMULATED:
        raise InvalidInput("channel", _("Owners pay online."))
    payment, created = services.pay(request.actor, unit, payload.amount, channel=payload.channel,
                                    idempotency_key=idempotency_key, allow_prepayment=payload.allow_prepayment)
    return Status(201 if created else 200, Payment.objects.select_related("receipt").get(pk=payment.pk))


@router.get("/units/{unit_id}/ledger", response=LedgerOut)
def unit_ledger(request, unit_id: int):
    """Every money movement of a unit and its balance (owed; negative = prepaid credit)."""
    if not request.actor.is_owner:
        require(request.actor, "billing.view")
    unit = get_scoped_or_404(Unit.objects.all(), request.actor, pk=unit_id)
    return {"unit_id": unit.pk, "balance": services.balance(unit),
            "entries": list(LedgerEntry.objects.filter(unit=unit).order_by("created_at", "id")[:500])}


class RunIn(Schema):
    project_id: int
    period: date = Field(..., description="First day of the billed month, e.g. 2026-11-01")


class RunOut(Schema):
    id: int
    project_id: int
    period: date
    status: str
    units_total: int
    units_done: int
    bills_created: int
    amount_billed: Decimal


@router.post("/billing/runs", response=RunOut)
def start_billing_run(request, payload: RunIn):
    """Bill every unit of a project for a month (rerunning continues; nothing is billed twice)."""
    project = get_scoped_or_invalid(Project.objects, request.actor, payload.project_id, "project_id")
    return run_billing(request.actor, project, payload.period)
