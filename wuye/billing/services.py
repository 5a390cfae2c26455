"""Money movements. Every function locks the unit's row first (one fixed lock order), computes balances in the
database under that lock, writes the movement and its ledger entry, and records the event — one transaction.

Processes post charges through `post_charge(..., source=their_record)`; billing never knows what a repair is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.db.models import DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wuye.core.access import Actor, require
from wuye.core.errors import Conflict, InvalidInput
from wuye.core.events import record_event
from wuye.core.money import to_money
from wuye.tenancy.models import Unit

from . import dunning
from .models import (
    HALF_FEN,
    OPEN,
    Allocation,
    Bill,
    Channel,
    ChargeItem,
    EntryKind,
    LedgerEntry,
    Payment,
)
from .receipts import issue_receipt, receipt_number

ZERO = Decimal("0.00")
MAX_AMOUNT = Decimal("999999999999.99")  # what MoneyField (14 digits, 2 decimals) holds
_MONEY = DecimalField(max_digits=14, decimal_places=2)


def _sum(queryset, field="amount") -> Decimal:
    total = queryset.aggregate(total=Coalesce(Sum(field), Value(ZERO), output_field=_MONEY))["total"]
    # SQLite sums decimals in binary floating point (…4.53000000001); PostgreSQL sums exactly. Fen is exact.
    return to_money(total)


def balance(unit) -> Decimal:
    """What the unit owes now (negative: prepaid credit) — the sum of its ledger entries."""
    return _sum(LedgerEntry.objects.filter(unit=unit))


def balance_text(amount) -> str:
    """A balance as staff and owners say it, never as a negative number: "欠费 ¥1,280.00" (arrears), "预存
    ¥120.00" (prepaid credit), "已结清" (settled) — in the active language."""
    from wuye.core.money import format_money

    amount = to_money(amount or ZERO)
    if amount > ZERO:
        return _("Owes %(amount)s") % {"amount": format_money(amount)}
    if amount < ZERO:
        return _("Prepaid %(amount)s") % {"amount": format_money(-amount)}
    return _("Settled")



def open_bills(bills=None):
    """Bills with something still to pay, oldest due first."""
    return (Bill.objects.all() if bills is None else bills).filter(OPEN).order_by("due_on", "id")


def bills_with_outstanding(unit):
    """The unit's open bills, oldest due first."""
    return open_bills(Bill.objects.filter(unit=unit))


def _settle(bill: Bill, amount: Decimal) -> None:
    """Keep `Bill.paid` in step with an allocation row of `amount` (negative: a refund's reversal). Computed in
    Python from the row read under the unit's lock: SQLite would add decimals as floats (…0000001)."""
    bill.paid = to_money(bill.paid + amount)
    Bill.objects.filter(pk=bill.pk).update(paid=bill.paid)


def _lock(unit) -> Unit:
    # Only the unit's row is locked (of=self): a payment must not block others of the same building.
    return Unit.objects.select_for_update(of=("self",)).select_related("building").get(pk=unit.pk)


def _money(value, field: str, *, positive: bool = True) -> Decimal:
    try:
        amount = to_money(value)
    except (TypeError, ArithmeticError, ValueError):
        raise InvalidInput(field, _("Enter an amount in yuan, e.g. 1234.50.")) from None
    if Decimal(value) != amount:
        raise InvalidInput(field, _("Amounts have at most two decimals (fen)."))
    if positive and amount <= ZERO:
        raise InvalidInput(field, _("The amount must be greater than 0."))
    if abs(amount) > MAX_AMOUNT:
        raise InvalidInput(field, _("The amount is too large."))
    return amount


def post_charge(actor: Actor | None, unit, item: ChargeItem, amount, *, due_on: date, period: date | None = None,
                source=None, description: str = "", idempotency_key: str = "") -> Bill:
    """Bill `unit` for `item` (once per period, once per `source` record, or once per `idempotency_key` — a hand-
    entered charge sent twice returns the first bill) and post the charge to the ledger."""
    return post_charge_once(actor, unit, item, amount, due_on=due_on, period=period, source=source,
                            description=description, idempotency_key=idempotency_key)[0]


@transaction.atomic
def post_charge_once(actor: Actor | None, unit, item: ChargeItem, amount, *, due_on: date,
                     period: date | None = None, source=None, description: str = "",
                     idempotency_key: str = "") -> tuple[Bill, bool]:
    """`post_charge`, and whether this call created the bill: False for a repeat of its `idempotency_key` — also
    one sent at the same moment, which finds the bill under the unit's lock or loses the insert to it."""
    if actor is not None:
        require(actor, "billing.charge")
    amount = _money(amount, "amount")
    if item.project_id != unit.project_id:
        raise InvalidInput("item", _("The charge item belongs to another project."))
    if len(idempotency_key) > 100:
        raise InvalidInput("Idempotency-Key", _("Send an Idempotency-Key header (at most 100 characters)."))
    unit = _lock(unit)
    if idempotency_key:
        # Checked under the unit's lock: a repeat with the same key waits there and finds the first bill.
        existing = Bill.objects.filter(project_id=unit.project_id, idempotency_key=idempotency_key).first()
        if existing is not None:
            return _repeated_charge(existing, unit, item, amount), False
    bill = Bill(project_id=unit.project_id, unit=unit, item=item, period=period, amount=amount, due_on=due_on,
                description=description[:200], idempotency_key=idempotency_key)
    if source is not None:
        bill.source_type, bill.source_id = ContentType.objects.get_for_model(source), source.pk
    try:
        with transaction.atomic():
            bill.save()
    except IntegrityError:
        # The same key on another unit, inserted by a concurrent request: the unique constraint decided; re-read.
        existing = Bill.objects.filter(project_id=unit.project_id, idempotency_key=idempotency_key).first() \
            if idempotency_key else None
        if existing is not None:
            return _repeated_charge(existing, unit, item, amount), False
        raise Conflict(_("This has already been billed.")) from None
    credit = -balance(unit)  # before this charge: prepaid money waiting for a bill
    LedgerEntry.objects.create(project_id=unit.project_id, unit=unit, kind=EntryKind.CHARGE, amount=amount,
                               bill=bill, actor=getattr(actor, "user", None), memo=description[:200])
    record_event(bill, "billing.charged", actor=getattr(actor, "user", None),
                 data={"unit": unit.label, "item": item.code, "amount": str(amount)})
    dunning.start_payment_deadlines(unit.project, [bill])
    if credit > ZERO:
        apply_credit(unit)
    return bill, True


def _repeated_charge(existing: Bill, unit, item: ChargeItem, amount) -> Bill:
    if (existing.unit_id, existing.item_id, existing.amount) != (unit.pk, item.pk, amount):
        raise Conflict(_("This Idempotency-Key was used for a different charge."))
    return existing


def pay(actor: Actor | None, unit, amount, *, channel: str, idempotency_key: str, allow_prepayment: bool = False,
        now=None) -> tuple[Payment, bool]:
    """Record a payment once per idempotency key, allocate it to the oldest open bills, issue a receipt.

    Returns (payment, created). A repeated request with the same key — also many at once — returns the first
    payment; the same key with a different unit or amount is a conflict.
    """
    if actor is not None:  # None: a provider's verified callback — the signature is the authority
        require(actor, "billing.pay_own" if actor.is_owner else "billing.collect")
    amount = _money(amount, "amount")
    if not idempotency_key or len(idempotency_key) > 100:
        raise InvalidInput("Idempotency-Key", _("Send an Idempotency-Key header (at most 100 characters)."))
    try:
        payment, created = _pay(actor, unit, amount, channel, idempotency_key, allow_prepayment,
                                now or timezone.now())
    except IntegrityError:
        # A concurrent request with the same key (on another unit's lock) committed first.
        payment, created = Payment.objects.get(project_id=unit.project_id, idempotency_key=idempotency_key), False
    if not created and (payment.unit_id != unit.pk or payment.amount != amount):
        raise Conflict(_("This Idempotency-Key was used for a different payment."))
    return payment, created


@transaction.atomic
def _pay(actor, unit, amount, channel, key, allow_prepayment, now) -> tuple[Payment, bool]:
    unit = _lock(unit)
    # Checked under the unit's lock: a request with the same key that held the lock before us is visible now.
    existing = Payment.objects.filter(project_id=unit.project_id, idempotency_key=key).first()
    if existing is not None:
        return existing, False
    owed = balance(unit)
    if amount > max(owed, ZERO) and not allow_prepayment:
        raise InvalidInput("amount", _("The amount is more than the %(owed)s owed; allow prepayment to keep the "
                                       "rest as credit.") % {"owed": max(owed, ZERO)})
    return _record_payment(actor, unit, amount, channel, key, now), True


def _record_payment(actor, unit, amount, channel, key, now, bills=None, *, reference="", payer_name="",
                    project=None, description="") -> Payment:
    """The payment row, its allocations (to `bills` only, when given), ledger entry, receipt and event; the caller
    holds the unit's lock (a walk-in's: its source's; `unit` None, `project` and `description` given) and has
    checked the key and the amount."""
    project = unit.project if unit is not None else project
    payment = Payment.objects.create(project=project, unit=unit, channel=channel,
                                     amount=amount, idempotency_key=key, received_at=now,
                                     received_by=getattr(actor, "user", None), reference=reference,
                                     payer_name=payer_name, description=description)
    left = _allocate(payment, amount, unit, now, bills=bills)
    LedgerEntry.objects.create(project=project, unit=unit, kind=EntryKind.PAYMENT, amount=-amount,
                               payment=payment, created_at=now, actor=getattr(actor, "user", None),
                               memo=_("prepayment %(credit)s") % {"credit": left} if left else description)
    receipt = issue_receipt(payment, now)
    data = {"unit": unit.label if unit is not None else description, "amount": str(amount), "channel": channel,
            "prepaid": str(left), "receipt": receipt.code}
    if payer_name:
        data["payer"] = payer_name
    if reference:
        data["reference"] = reference
    record_event(payment, "billing.paid", actor=getattr(actor, "user", None), data=data)
    return payment


def _allocate(payment: Payment, money: Decimal, unit, now, bills=None) -> Decimal:
    """Settle the unit's open bills (or only `bills`, a queryset) oldest first with `money` of `payment` (caller
    holds the unit's lock); stops the payment deadline of every bill it settles. Returns what is left over
    (prepaid credit). A handful of statements whatever the number of bills: one read, one insert, one update,
    the clock stop."""
    left, allocations, touched = money, [], []
    if unit is None and bills is None:
        raise ValueError("A walk-in payment settles only its own bill.")
    for bill in (bills_with_outstanding(unit) if bills is None else open_bills(bills.filter(unit=unit))):
        if left <= ZERO:
            break
        if bill.outstanding <= ZERO:  # SQLite's float comparison can let a settled bill through
            continue
        share = min(left, bill.outstanding)
        allocations.append(Allocation(payment=payment, bill=bill, amount=share, created_at=now))
        bill.paid = to_money(bill.paid + share)
        touched.append(bill)
        left -= share
    Allocation.objects.bulk_create(allocations)
    Bill.objects.bulk_update(touched, ["paid"])
    dunning.bills_settled([bill.pk for bill in touched if bill.is_settled], at=now)
    return left


def unapplied_credit(payment: Payment) -> Decimal:
    """What of `payment` is neither allocated to a bill nor refunded."""
    return payment.amount - _sum(payment.allocations.all()) - refunded(payment)


@transaction.atomic
def apply_credit(unit, *, now=None) -> Decimal:
    """Use the unit's prepaid credit on its open bills (oldest payment first, oldest bill first). The ledger gets
    a `credit_applied` entry of 0.00 per payment used — the balance already counted the money when it came in.
    Two queries find the payments with credit, whatever the unit's history."""
    unit = _lock(unit)
    now = now or timezone.now()
    if not bills_with_outstanding(unit).exists():
        return ZERO
    allocated = (Allocation.objects.filter(payment=OuterRef("pk")).values("payment")
                 .annotate(total=Sum("amount")).values("total"))
    refunded_ = (LedgerEntry.objects.filter(payment=OuterRef("pk"), kind=EntryKind.REFUND).values("payment")
                 .annotate(total=Sum("amount")).values("total"))
    def total(subquery):
        return Coalesce(Subquery(subquery, output_field=_MONEY), Value(ZERO), output_field=_MONEY)

    payments = (Payment.objects.filter(unit=unit).annotate(allocated=total(allocated), refunded=total(refunded_))
                .order_by("received_at", "id"))
    applied_total = ZERO
    for payment in payments:
        credit = payment.amount - to_money(payment.allocated) - to_money(payment.refunded)
        if credit <= ZERO:
            continue
        applied = credit - _allocate(payment, credit, unit, now)
        if applied <= ZERO:
            break  # nothing left open
        applied_total += applied
        LedgerEntry.objects.create(project_id=unit.project_id, unit=unit, kind=EntryKind.CREDIT_APPLIED,
                                   amount=ZERO, payment=payment, created_at=now,
                                   memo=_("prepayment %(credit)s applied") % {"credit": applied})
    if applied_total:
        record_event(unit, "billing.credit_applied", data={"amount": str(applied_total)})
    return applied_total


@transaction.atomic
def write_off(actor: Actor, bill: Bill, amount, *, reason: str) -> LedgerEntry:
    """The ledger step of a write-off: forgive part or all of what a bill still owes. Only an approver writes it —
    faces ask through `write_offs.request_write_off`, and the project manager's approval calls this."""
    require(actor, "billing.approve_write_off")
    amount = _money(amount, "amount")
    if not (reason or "").strip():
        raise InvalidInput("reason", _("Say why the debt is written off."))
    unit = _lock(bill.unit)
    bill.refresh_from_db()
    if amount > bill.outstanding:
        raise InvalidInput("amount", _("At most %(outstanding)s of this bill is still owed.") % {
            "outstanding": bill.outstanding})
    bill.written_off = to_money(bill.written_off + amount)
    Bill.objects.filter(pk=bill.pk).update(written_off=bill.written_off)
    entry = LedgerEntry.objects.create(project_id=unit.project_id, unit=unit, kind=EntryKind.WRITE_OFF,
                                       amount=-amount, bill=bill, actor=actor.user, memo=reason.strip()[:200])
    if bill.is_settled:
        dunning.bills_settled([bill.pk])
    record_event(bill, "billing.written_off", actor=actor.user, data={"amount": str(amount), "reason": reason[:200]})
    return entry


def refunded(payment: Payment) -> Decimal:
    return _sum(payment.entries.filter(kind=EntryKind.REFUND))


@transaction.atomic
def refund(actor: Actor, payment: Payment, amount, *, reason: str) -> LedgerEntry:
    """Give money back (finance only): first the payment's unallocated credit, then its newest allocations."""
    require(actor, "billing.refund")
    amount = _money(amount, "amount")
    if not (reason or "").strip():
        raise InvalidInput("reason", _("Say why the money is refunded."))
    unit = _lock(payment.unit)
    already = refunded(payment)
    available = payment.amount - already
    if amount > available:
        raise InvalidInput("amount", _("At most %(available)s of this payment can be refunded.") % {
            "available": available})
    # What this payment still covers on each bill, newest bill first: one query.
    per_bill = (payment.allocations.values("bill_id", "bill__due_on").annotate(total=Sum("amount"))
                .order_by("-bill__due_on", "-bill_id"))
    credit = available - sum((to_money(row["total"]) for row in per_bill), ZERO)
    to_unallocate = max(amount - max(credit, ZERO), ZERO)
    reversals, reopened = [], []
    bills = Bill.objects.in_bulk([row["bill_id"] for row in per_bill]) if to_unallocate > ZERO else {}
    for row in per_bill:
        take = min(to_money(row["total"]), to_unallocate)
        if take > ZERO:
            bill = bills[row["bill_id"]]
            reversals.append(Allocation(payment=payment, bill=bill, amount=-take))
            _settle(bill, -take)
            reopened.append(bill)
            to_unallocate -= take
    Allocation.objects.bulk_create(reversals)
    entry = LedgerEntry.objects.create(project_id=unit.project_id, unit=unit, kind=EntryKind.REFUND, amount=amount,
                                       payment=payment, actor=actor.user, memo=reason.strip()[:200])
    if reopened:
        apply_credit(unit)  # other prepaid money settles what the refund reopened
        # Bills that still owe get their payment deadline back (already overdue ones go straight to the sweep).
        dunning.bills_reopened(unit.project, Bill.objects.filter(pk__in=[bill.pk for bill in reopened]))
    record_event(payment, "billing.refunded", actor=actor.user, data={"amount": str(amount), "reason": reason[:200]})
    return entry


# -- money taken at the desk, for particular bills, and what a process's records stand at -------------------------
# Money a person takes in hand at the desk or on the spot, no provider involved (online channels pay through intents
# and callbacks). What a process collects on the spot (a paid service when done) is taken on these.
DESK_CHANNELS = (Channel.CASH, Channel.BANK_TRANSFER)
# Taken at the service centre's desk and recorded with the provider's reference from the slip or the payer's phone:
# a WeChat or Alipay scan, a bank card on the POS terminal. The channel's adapter checks the reference.
REFERENCED_DESK_CHANNELS = (Channel.WECHAT, Channel.ALIPAY, Channel.POS)
ALL_DESK_CHANNELS = DESK_CHANNELS + REFERENCED_DESK_CHANNELS
PAYER_NAME_MAX = 50
# Keys a caller may not choose: a walk-in's payment is keyed `walk-in:<content type>:<id>` by its source, so no
# desk payment can take a walk-in's key first and block it.
RESERVED_KEY_PREFIX = "walk-in:"


def walk_in_key(source) -> str:
    """The idempotency key of the walk-in payment of `source` (in the reserved space)."""
    return f"{RESERVED_KEY_PREFIX}{ContentType.objects.get_for_model(source).pk}:{source.pk}"


def _public_key(idempotency_key: str) -> None:
    if str(idempotency_key).lower().startswith(RESERVED_KEY_PREFIX):
        raise InvalidInput("Idempotency-Key", _("Keys starting with %(prefix)s are reserved: choose another "
                                                "Idempotency-Key.") % {"prefix": RESERVED_KEY_PREFIX})


def _desk_payment_details(channel: str, reference: str, payer_name: str) -> tuple[str, str]:
    """The channel checked (cash, transfer, scan, POS), its reference as the channel's adapter reads it, and the
    payer's name tidied — for a payment at the desk or the parking booth."""
    from .channels import adapter_for  # channels records its callbacks through this module

    if channel not in ALL_DESK_CHANNELS:
        raise InvalidInput("channel", _("Choose cash, bank transfer, WeChat Pay, Alipay or POS card."))
    reference = adapter_for(channel).clean_reference(reference)
    payer_name = " ".join((payer_name or "").split())
    if len(payer_name) > PAYER_NAME_MAX:
        raise InvalidInput("payer_name", _("At most %(count)s characters.") % {"count": PAYER_NAME_MAX})
    return reference, payer_name


def pay_at_desk(actor: Actor | None, unit, amount=None, *, channel: str, idempotency_key: str, bills=None,
                reference: str = "", payer_name: str = "", allow_prepayment: bool = False,
                now=None) -> tuple[Payment, bool]:
    """Money taken at the desk for `unit`: cash, bank transfer, a WeChat/Alipay scan or a POS card — the last three
    with the provider's reference (checked by the channel's adapter, used once per channel in the project) — and
    the name of whoever paid (a tenant or a relative may pay for the owner).

    `bills` (ids or bills of the unit): the payment settles these, oldest first, and no others; None: the unit's
    open bills, oldest first. `amount` defaults to what they owe now; more than that only with `allow_prepayment`
    and only when every open bill is chosen (the rest stays as prepaid credit, 预存). Once per idempotency key: a
    repeat returns the first payment (created False); the same key for another unit or amount is a conflict."""
    if actor is not None:
        require(actor, "billing.collect")
    reference, payer_name = _desk_payment_details(channel, reference, payer_name)
    if not idempotency_key or len(idempotency_key) > 100:
        raise InvalidInput("Idempotency-Key", _("Send an Idempotency-Key header (at most 100 characters)."))
    _public_key(idempotency_key)
    amount = None if amount is None or amount == "" else _money(amount, "amount")
    bill_ids = None if bills is None else sorted({getattr(bill, "pk", bill) for bill in bills})
    try:
        payment, created = _pay_at_desk(actor, unit, amount, channel, idempotency_key, bill_ids, reference,
                                        payer_name, allow_prepayment, now or timezone.now())
    except IntegrityError:
        # A concurrent request committed first: the same key (a double submit) or the same reference.
        payment = Payment.objects.filter(project_id=unit.project_id, idempotency_key=idempotency_key).first()
        if payment is None:
            raise InvalidInput("reference", _("This reference was already recorded for another payment.")) from None
        created = False
    if not created and (payment.unit_id != unit.pk or (amount is not None and payment.amount != amount)):
        raise Conflict(_("This Idempotency-Key was used for a different payment."))
    return payment, created


@transaction.atomic
def _pay_at_desk(actor, unit, amount, channel, key, bill_ids, reference, payer_name, allow_prepayment,
                 now) -> tuple[Payment, bool]:
    unit = _lock(unit)
    # Checked under the unit's lock: a request with the same key that held the lock before us is visible now.
    existing = Payment.objects.filter(project_id=unit.project_id, idempotency_key=key).first()
    if existing is not None:
        return existing, False
    if reference:
        used = (Payment.objects.filter(project_id=unit.project_id, channel=channel, reference=reference)
                .select_related("receipt").first())
        if used is not None:
            raise InvalidInput("reference", _("This reference is already recorded on receipt %(receipt)s.") % {
                "receipt": used.receipt.code})
    open_ = bills_with_outstanding(unit)
    chosen = None
    if bill_ids is not None:
        chosen = Bill.objects.filter(pk__in=bill_ids)
        if len(chosen) != len(bill_ids) or any(bill.unit_id != unit.pk for bill in chosen):
            raise InvalidInput("bills", _("Choose bills of this unit."))
        if not bill_ids and open_.exists():
            raise InvalidInput("bills", _("Choose the bills this payment settles."))
        owed = to_money(sum((bill.outstanding for bill in open_bills(chosen)), ZERO))
        if bill_ids and owed <= ZERO:
            raise Conflict(_("These bills owe nothing."))
        all_chosen = not open_.exclude(pk__in=bill_ids).exists()
    else:
        owed, all_chosen = max(balance(unit), ZERO), True
    if amount is None:
        if owed <= ZERO:
            raise InvalidInput("amount", _("Nothing is owed now; enter an amount to pay in advance."))
        amount = owed
    if amount > owed and not (allow_prepayment and all_chosen):
        if not all_chosen:
            raise InvalidInput("amount", _("The chosen bills owe %(owed)s: choose more bills, or take no more "
                                           "than that.") % {"owed": owed})
        raise InvalidInput("amount", _("The amount is more than the %(owed)s owed; allow prepayment to keep the "
                                       "rest as credit.") % {"owed": owed})
    payment = _record_payment(actor, unit, amount, channel, key, now, bills=chosen, reference=reference,
                              payer_name=payer_name)
    return payment, True


def pay_bills(actor: Actor | None, bills, *, channel: str, idempotency_key: str, now=None) -> tuple[Payment, bool]:
    """Take what `bills` (bills of one unit) still owe, now, on the spot — e.g. a paid service collected when done,
    in cash or by bank transfer. The payment settles exactly these bills, never the unit's older ones, and gets its
    receipt. Once per idempotency key: a repeat returns the first payment (created False). 409 when they owe
    nothing."""
    if actor is not None:
        require(actor, "billing.collect")
    if channel not in DESK_CHANNELS:
        raise InvalidInput("channel", _("Choose cash or bank transfer."))
    bills = list(Bill.objects.filter(pk__in=[bill.pk for bill in bills]).only("pk", "unit_id"))
    units = {bill.unit_id for bill in bills}
    if len(units) != 1:
        raise InvalidInput("bills", _("Choose the bills of one unit."))
    unit = Unit.objects.get(pk=units.pop())
    return pay_at_desk(actor, unit, channel=channel, idempotency_key=idempotency_key, bills=bills, now=now)


class SourceState(models.TextChoices):
    """Where a source's bills stand, read from the bills themselves."""

    NOT_BILLED = "not_billed", gettext_lazy("Not billed")
    UNPAID = "unpaid", gettext_lazy("Unpaid")
    PARTLY_PAID = "partly_paid", gettext_lazy("Partly paid")
    PAID = "paid", gettext_lazy("Paid")
    WRITTEN_OFF = "written_off", gettext_lazy("Written off")


def bill_state(bills) -> SourceState:
    """Unpaid, partly paid, paid or written off (nothing paid, the rest forgiven) — for one bill or several."""
    bills = list(bills)
    if not bills:
        return SourceState.NOT_BILLED
    paid = sum((bill.paid for bill in bills), ZERO)
    if sum((bill.outstanding for bill in bills), ZERO) > HALF_FEN:
        return SourceState.PARTLY_PAID if paid > ZERO else SourceState.UNPAID
    written_off = sum((bill.written_off for bill in bills), ZERO)
    return SourceState.WRITTEN_OFF if written_off > ZERO and paid <= ZERO else SourceState.PAID


@dataclass(frozen=True)
class SourceBills:
    """What billing holds for some records of a process: their bills as they stand now and the receipts of the
    payments that settled them (number and payment id, for the receipt's PDF)."""

    bills: list[Bill]
    receipts: list[tuple[int, str]]

    def of(self, source_id: int) -> list[Bill]:
        return [bill for bill in self.bills if bill.source_id == source_id]

    @property
    def state(self) -> SourceState:
        return bill_state(self.bills)

    @property
    def amount(self) -> Decimal:
        return sum((bill.amount for bill in self.bills), ZERO)

    @property
    def paid(self) -> Decimal:
        return sum((bill.paid for bill in self.bills), ZERO)

    @property
    def written_off(self) -> Decimal:
        return sum((bill.written_off for bill in self.bills), ZERO)

    @property
    def outstanding(self) -> Decimal:
        return max(sum((bill.outstanding for bill in self.bills), ZERO), ZERO)


def source_bills(sources) -> SourceBills:
    """The bills posted with `source=` any of `sources` (a queryset, or a list of records of one model) — read
    live, so a payment, write-off or refund made anywhere shows at once — and the receipts that paid them.
    Billing knows only the content type and id; the process asks."""
    model = sources.model if hasattr(sources, "model") else (type(sources[0]) if sources else None)
    if model is None:
        return SourceBills([], [])
    ids = sources.values("pk") if hasattr(sources, "values") else [source.pk for source in sources]
    bills = list(Bill.objects.filter(source_type=ContentType.objects.get_for_model(model), source_id__in=ids)
                 .select_related("item").order_by("id"))
    payments = (Payment.objects.filter(allocations__bill__in=[bill.pk for bill in bills], allocations__amount__gt=0)
                .select_related("project", "receipt").distinct().order_by("received_at", "id")) if bills else []
    return SourceBills(bills, [(payment.pk, receipt_number(payment)) for payment in payments])


def install_default_charge_items(project):
    """The charge items a new project starts with (property fee, parking pass, water, electricity, shared
    utilities, paid service, decoration deposit), without prices; idempotent (`master.install_default_charge_items`)."""
    from .master import install_default_charge_items as install

    return install(project)


# -- walk-in payments: money from someone with no unit (a temporary car at the exit) ---------------------------------
WALK_IN_MEMO_MAX = 60


def take_walk_in_payment(actor: Actor | None, project, item: ChargeItem, amount, *, channel: str,
                         source, memo: str = "", payer_name: str = "", reference: str = "",
                         now=None) -> tuple[Payment, bool]:
    """Take a walk-in's fee — a temporary car's parking at the exit — into the one ledger: a bill for `item` with
    `source` (the record it pays for, once per source), the payment settling it, the charge (+) and payment (−)
    ledger entries with no unit, and the receipt, in one transaction. `memo` says who (the plate): bill, payment
    and receipt read "临时停车 粤B12345" where a unit would be.

    Once per source: a repeat — also many at once — finds the source's payment and returns it (created False);
    another amount for a paid source is a conflict. The payment's key is `walk_in_key(source)`, in a space no
    caller of the desk can choose. Unit balances are untouched (no unit)."""
    if actor is not None:
        require(actor, "billing.collect_walk_in")
    reference, payer_name = _desk_payment_details(channel, reference, payer_name)
    memo = " ".join((memo or "").split())
    if len(memo) > WALK_IN_MEMO_MAX:
        raise InvalidInput("memo", _("At most %(count)s characters.") % {"count": WALK_IN_MEMO_MAX})
    amount = _money(amount, "amount")
    if item.project_id != project.pk:
        raise InvalidInput("item", _("The charge item belongs to another project."))
    if source is None or source.pk is None:
        raise ValueError("A walk-in payment needs the record it pays for (source).")
    idempotency_key = walk_in_key(source)
    description = f"{item.name} {memo}".strip()[:200]
    try:
        payment, created = _take_walk_in(actor, project, item, amount, channel, idempotency_key, source,
                                         description, payer_name, reference, now or timezone.now())
    except IntegrityError:
        # A concurrent request committed first: the same source's bill, or the same reference.
        payment = _walk_in_of(project, source)
        if payment is None:
            if reference and Payment.objects.filter(project_id=project.pk, channel=channel,
                                                    reference=reference).exists():
                raise InvalidInput("reference", _("This reference was already recorded for another payment.")) \
                    from None
            raise Conflict(_("This has already been paid.")) from None
        created = False
    if not created and payment.amount != amount:
        raise Conflict(_("This has already been paid."))
    return payment, created


def _walk_in_of(project, source) -> Payment | None:
    """The payment of `source`'s walk-in bill (a bill with no unit, once per source), found by the source."""
    return (Payment.objects.filter(project_id=project.pk, unit__isnull=True,
                                   allocations__bill__source_type=ContentType.objects.get_for_model(source),
                                   allocations__bill__source_id=source.pk, allocations__bill__unit__isnull=True)
            .order_by("id").first())


@transaction.atomic
def _take_walk_in(actor, project, item, amount, channel, key, source, description, payer_name, reference,
                  now) -> tuple[Payment, bool]:
    # The source's row is the lock (a walk-in has no unit): repeats for it queue here and then find the payment.
    # The unique key and the bill-once-per-source constraint decide should a caller pass another record.
    list(type(source)._default_manager.select_for_update().filter(pk=source.pk).values_list("pk", flat=True))
    existing = _walk_in_of(project, source)
    if existing is not None:
        return existing, False
    if reference:
        used = (Payment.objects.filter(project_id=project.pk, channel=channel, reference=reference)
                .select_related("receipt").first())
        if used is not None:
            raise InvalidInput("reference", _("This reference is already recorded on receipt %(receipt)s.") % {
                "receipt": used.receipt.code})
    user = getattr(actor, "user", None)
    bill = Bill(project=project, unit=None, item=item, amount=amount, due_on=timezone.localdate(now),
                issued_at=now, description=description, source_type=ContentType.objects.get_for_model(source),
                source_id=source.pk)
    with transaction.atomic():
        bill.save()  # IntegrityError: the source already has its bill (paid under another key)
    LedgerEntry.objects.create(project=project, unit=None, kind=EntryKind.CHARGE, amount=amount, bill=bill,
                               created_at=now, actor=user, memo=description)
    record_event(bill, "billing.charged", actor=user,
                 data={"unit": description, "item": item.code, "amount": str(amount)})
    payment = _record_payment(actor, None, amount, channel, key, now, bills=Bill.objects.filter(pk=bill.pk),
                              reference=reference, payer_name=payer_name, project=project, description=description)
    return payment, True
