"""Bills, payments recorded by staff, the unit ledger and billing runs (§9)."""

from datetime import date, datetime
from decimal import Decimal

from django.utils.translation import gettext as _
from ninja import Field, Header, Router, Schema, Status
from ninja.pagination import paginate

from wuye.core.access import get_scoped_or_404, get_scoped_or_invalid, require, require_read, scoped
from wuye.core.api import PagePagination, api_enum
from wuye.core.errors import InvalidInput
from wuye.tenancy.models import Project, Unit

from .. import exports, services
from ..models import Bill, BillingRun, Channel, ChargeItem, ChargeKind, LedgerEntry, Payment
from ..runs import run_percent, run_summary, start_run

router = Router(tags=["fees"])

PaymentChannel = api_enum(Channel, "PaymentChannel")  # its own OpenAPI name: tickets have a `Channel` too


class BillOut(Schema):
    id: int
    unit_id: int | None = Field(None, description="Empty: a walk-in's (temporary parking)")
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



class ChargeIn(Schema):
    unit_id: int
    item_id: int
    amount: Decimal = Field(..., gt=0, max_digits=12, decimal_places=2)
    due_on: date
    description: str = Field("", max_length=200)


class PaymentIn(Schema):
    unit_id: int
    amount: Decimal | None = Field(None, gt=0, max_digits=12, decimal_places=2,
                                   description="Yuan; empty: what the chosen bills (or the unit) owe")
    channel: PaymentChannel = PaymentChannel.CASH
    reference: str = Field("", max_length=60, description="The provider's reference: required for wechat, alipay "
                                                          "and pos (6–40 letters and digits), once per channel")
    payer_name: str = Field("", max_length=50, description="Who paid, when not the owner")
    bill_ids: list[int] | None = Field(None, description="Settle only these bills of the unit (oldest first); "
                                                         "empty: the unit's open bills, oldest first")
    allow_prepayment: bool = False


class PaymentOut(Schema):
    id: int
    unit_id: int | None = Field(None, description="Empty: a walk-in's (temporary parking)")
    amount: Decimal
    channel: PaymentChannel
    reference: str
    payer_name: str
    received_at: datetime
    receipt_number: int = Field(..., description="The receipt's sequence number in its project and year")
    receipt_no: str = Field(..., description="The receipt number as printed, e.g. JH-2026-000123")

    @staticmethod
    def resolve_receipt_number(payment):
        return payment.receipt.number

    @staticmethod
    def resolve_receipt_no(payment):
        return payment.receipt.code


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
    balance: Decimal = Field(..., description="What the unit owes; negative: prepaid credit")
    standing: str = Field(..., description="The balance as people say it: 欠费 ¥1,280.00, 预存 ¥120.00 or 已结清")
    entries: list[EntryOut]


@router.post("/bills", response={201: BillOut, 200: BillOut})
def create_charge(request, payload: ChargeIn,
                  idempotency_key: str = Header("", alias="Idempotency-Key", max_length=100)):
    """A one-off charge on a unit (decoration deposit or fee, a paid service): a bill and its ledger entry. With an
    `Idempotency-Key` a repeat returns the first bill with 200."""
    require(request.actor, "billing.charge")
    unit = get_scoped_or_invalid(Unit.objects.all(), request.actor, payload.unit_id, "unit_id")
    item = ChargeItem.objects.filter(pk=payload.item_id, project_id=unit.project_id,
                                     kind__in=(ChargeKind.ONE_OFF, ChargeKind.PAID_SERVICE)).first()
    if item is None:
        raise InvalidInput("item_id", _("Choose a one-off charge item of the unit's project."))
    # 201 only from the call that inserted the bill: a check before the call raced with concurrent repeats.
    bill, created = services.post_charge_once(request.actor, unit, item, payload.amount, due_on=payload.due_on,
                                              description=payload.description or item.name,
                                              idempotency_key=idempotency_key)
    return Status(201 if created else 200, bill)


@router.get("/bills", response=list[BillOut])
@paginate(PagePagination)
def list_bills(request, unit: int | None = None, open: bool = False):
    """Bills in scope (an owner: their own), oldest due first, with what is paid and outstanding."""
    require_read(request.actor, "billing.accounts")
    bills = scoped(Bill.objects.all(), request.actor)
    if unit is not None:
        bills = bills.filter(unit_id=unit)
    bills = bills.select_related("item").order_by("due_on", "id")
    return services.open_bills(bills) if open else bills


@router.post("/payments", response={201: PaymentOut, 200: PaymentOut})
def create_payment(request, payload: PaymentIn, idempotency_key: str = Header(..., alias="Idempotency-Key")):
    """Record a payment taken at the desk once per `Idempotency-Key`; a repeat returns the first payment with 200.
    Cash and bank transfer, or a WeChat Pay / Alipay scan or POS card with the provider's `reference` (422 naming
    `reference` when missing, malformed or already recorded on that channel). `bill_ids` settles only those bills."""
    # The front desk's route: staff record money they hold or saw confirmed on the terminal. Owners pay online
    # through /payments/intents, where the provider's signed callback — not the payer — says the money arrived.
    require(request.actor, "billing.collect")
    unit = get_scoped_or_invalid(Unit.objects.all(), request.actor, payload.unit_id, "unit_id")
    if payload.channel not in services.ALL_DESK_CHANNELS:
        raise InvalidInput("channel", _("Online payments are confirmed by the provider's callback, not recorded "
                                        "here."))
    payment, created = services.pay_at_desk(
        request.actor, unit, payload.amount, channel=payload.channel, idempotency_key=idempotency_key,
        bills=payload.bill_ids or None, reference=payload.reference, payer_name=payload.payer_name,
        allow_prepayment=payload.allow_prepayment)
    return Status(201 if created else 200, Payment.objects.select_related("receipt").get(pk=payment.pk))


@router.get("/units/{unit_id}/ledger", response=LedgerOut)
def unit_ledger(request, unit_id: int):
    """Every money movement of a unit and its balance (owed; negative = prepaid credit)."""
    require_read(request.actor, "billing.accounts")
    unit = get_scoped_or_404(Unit.objects.all(), request.actor, pk=unit_id)
    balance = services.balance(unit)
    return {"unit_id": unit.pk, "balance": balance, "standing": services.balance_text(balance),
            "entries": list(LedgerEntry.objects.filter(unit=unit).order_by("created_at", "id")[:500])}


@router.get("/units/{unit_id}/ledger.xlsx", response={200: None})
def unit_ledger_xlsx(request, unit_id: int):
    """The unit's ledger as an Excel workbook: every movement with the running balance, and a totals row."""
    require_read(request.actor, "billing.accounts")
    unit = get_scoped_or_404(Unit.objects.with_places(), request.actor, pk=unit_id)
    return exports.unit_ledger_response(unit)


class RunIn(Schema):
    project_id: int
    period: date = Field(..., description="First day of the billed month, e.g. 2026-11-01")


class RunItemOut(Schema):
    code: str
    name: str
    bills: int
    amount: Decimal


class RunOut(Schema):
    id: int
    project_id: int
    period: date
    status: str
    units_total: int
    units_done: int
    percent: int = Field(..., description="units_done of units_total, 0–100")
    bills_created: int
    amount_billed: Decimal
    summary: list[RunItemOut] = Field(..., description="What the run billed per charge item")
    started_at: datetime
    finished_at: datetime | None
    started_by: str | None

    @staticmethod
    def resolve_percent(run):
        return run_percent(run)

    @staticmethod
    def resolve_summary(run):
        return run_summary(run)

    @staticmethod
    def resolve_started_by(run):
        return run.started_by.get_username() if run.started_by_id else None


def _runs(request):
    require_read(request.actor, "billing.runs")
    return scoped(BillingRun.objects.select_related("started_by"), request.actor)


@router.post("/billing/runs", response={202: RunOut})
def start_billing_run(request, payload: RunIn):
    """Start billing every unit of a project for a month; answers at once (202) while a background job bills.
    Poll GET /billing/runs/{id} for progress. Starting a finished period again bills only what is missing."""
    project = get_scoped_or_invalid(Project.objects, request.actor, payload.project_id, "project_id")
    run = start_run(request.actor, project, payload.period)
    return Status(202, BillingRun.objects.select_related("started_by").get(pk=run.pk))


@router.get("/billing/runs", response=list[RunOut])
@paginate(PagePagination)
def list_billing_runs(request, project: int | None = None):
    """Billing runs in scope, newest period first."""
    runs = _runs(request)
    if project is not None:
        runs = runs.filter(project_id=project)
    return runs.order_by("-period", "-id")


@router.get("/billing/runs/{run_id}", response=RunOut)
def get_billing_run(request, run_id: int):
    """A billing run with its progress and, per charge item, what it billed."""
    return get_scoped_or_404(_runs(request), request.actor, pk=run_id)


class RunSkipOut(Schema):
    unit_id: int | None
    unit: str = Field(..., description="The unit's label, e.g. 3-1201")
    item: str = Field(..., description="The charge item left out; empty when the whole unit was skipped")
    reason: str = Field(..., description='"held_reading" (a meter reading awaits review) or "failed"')
    message: str = Field(..., description="Why, as a sentence")

    @staticmethod
    def resolve_unit(skip):
        return skip.unit.label if skip.unit_id else ""

    @staticmethod
    def resolve_item(skip):
        return skip.item.name if skip.item_id else ""


@router.get("/billing/runs/{run_id}/skipped", response=list[RunSkipOut])
@paginate(PagePagination)
def billing_run_skipped(request, run_id: int):
    """What a run left unbilled and why: charges waiting for a held meter reading, units whose billing failed
    (the other units were billed). Running the month again bills them once the cause is put right."""
    run = get_scoped_or_404(_runs(request), request.actor, pk=run_id)
    return run.skips.select_related("unit__building", "item").order_by("unit_id", "id")
