"""Unit accounts in the console — the billing menu's landing page: units with balance, open amount and how long
their oldest bill is overdue (aggregated in SQL); one unit's bills, payments and ledger, the desk's payment form
(cash, bank transfer, a WeChat/Alipay scan or a POS card with its reference; the payer's name; the bills it
settles, all ticked oldest first; idempotent: a double submit pays once; the receipt to print right after) and
write-off requests (the project manager approves them: write_offs.py); the ledger as Excel, per unit or project."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.db.models import DecimalField, F, Min, OuterRef, Prefetch, Q, Subquery, Sum, Value, prefetch_related_objects
from django.db.models.functions import Coalesce
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from wuye.core.access import get_scoped_or_404, scoped
from wuye.core.errors import DomainError
from wuye.core.models import Event
from wuye.core.money import format_money, to_money
from wuye.people.models import Residency
from wuye.people.search import resident_search_q
from wuye.people.services import owning_residencies
from wuye.tenancy.models import Project, Unit
from wuye.tenancy.search import unit_search_q
from wuye.web.forms import PlausibleDateField, ScopedFilterForm, show_problems
from wuye.web.guards import staff_view
from wuye.web.htmx import render_page
from wuye.web.paging import paginate
from wuye.web.search import redirect_posted_search, search_data

from .. import exports, services, write_offs
from ..models import Basis, Bill, Channel, ChargeItem, ChargeKind, LedgerEntry, Payment, WriteOffRequest, days_overdue
from ..receipts import receipt_number
from ..runs import notice_lead, tariff_for

EVENT_VERBS = {
    "billing.service_billed": gettext_lazy("Paid service billed"),
    "billing.write_off_requested": gettext_lazy("Write-off requested"),
    "billing.write_off_approved": gettext_lazy("Write-off approved"),
    "billing.write_off_rejected": gettext_lazy("Write-off rejected"),
}

_MONEY = DecimalField(max_digits=14, decimal_places=2)
ZERO = Decimal("0.00")
TIMELINE_LIMIT = 30


# -- the accounts list --------------------------------------------------------------------------------------------
class AccountFilterForm(ScopedFilterForm):
    arrears = forms.BooleanField(required=False)
    field_order = ["project", "q", "arrears"]

    def __init__(self, data, *, actor):
        super().__init__(data, actor=actor)
        self.fields["q"].widget.attrs.update(placeholder=_("Unit (e.g. 1-101), owner name or full phone"))

    def filter(self, units, actor):
        self.is_valid()
        data = self.cleaned_data  # the valid filters only: a stale or foreign id drops just that filter
        if data.get("project"):
            units = units.filter(project=data["project"])
        if query := (data.get("q") or "").strip():
            # A unit as the desk types it ("3-1201", "3号楼1201"…), or a current resident's name or full phone.
            residents = scoped(Residency.objects.current(), actor).filter(resident_search_q(query, "resident__"))
            units = units.filter(unit_search_q(query) | Q(pk__in=residents.values("unit_id")))
        if data.get("arrears"):
            units = units.filter(oldest_overdue__isnull=False).order_by("oldest_overdue", "id")
        return units


def with_account(units, today: date):
    """Each unit annotated with its balance, open amount and oldest overdue due date — subqueries, one query."""
    entries = (LedgerEntry.objects.filter(unit=OuterRef("pk")).order_by().values("unit")
               .annotate(total=Sum("amount")).values("total"))
    open_bills = Bill.objects.filter(services.OPEN, unit=OuterRef("pk")).order_by().values("unit")
    owed = open_bills.annotate(total=Sum(F("amount") - F("paid") - F("written_off"))).values("total")
    overdue = open_bills.filter(due_on__lt=today).annotate(oldest=Min("due_on")).values("oldest")
    return units.annotate(
        balance=Coalesce(Subquery(entries, output_field=_MONEY), Value(ZERO), output_field=_MONEY),
        open_amount=Coalesce(Subquery(owed, output_field=_MONEY), Value(ZERO), output_field=_MONEY),
        oldest_overdue=Subquery(overdue),
    )


def _owners_prefetch(actor):
    return Prefetch("residencies", to_attr="owners", queryset=scoped(owning_residencies(), actor))


MAX_EXPORT_DAYS = 366


class LedgerExportForm(forms.Form):
    """?project=&from=&to= of the project ledger export (local days, both included)."""

    project = forms.ModelChoiceField(label=gettext_lazy("Project"), queryset=Project.objects.none())

    def __init__(self, data=None, *, actor):
        today = timezone.localdate()
        super().__init__(data, initial={"from": today.replace(day=1), "to": today})
        self.fields["project"].queryset = scoped(Project.objects.all(), actor).only("id", "name")
        # "from" is a Python keyword, so these two are added here rather than declared.
        self.fields["from"] = PlausibleDateField(label=_("From"))
        self.fields["to"] = PlausibleDateField(label=_("To"))

    def clean(self):
        data = super().clean()
        if data.get("from") and data.get("to") and data["from"] > data["to"]:
            self.add_error("to", _("The end date is before the start date."))
        elif data.get("from") and data.get("to") and (data["to"] - data["from"]).days >= MAX_EXPORT_DAYS:
            # The file is written while the request waits: a year of a large project is the most we stream.
            self.add_error("to", _("Export at most %(days)s days at a time.") % {"days": MAX_EXPORT_DAYS})
        return data


def _accounts_page(request, *, export_form=None, status=None):
    actor, today = request.actor, timezone.localdate()
    form = AccountFilterForm(search_data(request), actor=actor)
    units = form.filter(with_account(scoped(Unit.objects.with_places(), actor), today), actor)
    page = paginate(request, units)
    rows = list(page.object_list)
    for unit in rows:
        # SQLite sums decimals as floats: back to fen.
        unit.balance, unit.open_amount = to_money(unit.balance), to_money(unit.open_amount)
        unit.overdue_days = days_overdue(unit.oldest_overdue, today) if unit.oldest_overdue else None
    prefetch_related_objects(rows, _owners_prefetch(actor))
    return render_page(request, "billing/accounts/list.html", "billing/accounts/_list.html", {
        "form": form, "page": page, "rows": rows, "export_form": export_form or LedgerExportForm(actor=actor),
    }, status=status)


@staff_view(reads="billing.accounts")
def accounts(request):
    """Units with balance, open amount and the age of their oldest overdue bill; search and an arrears filter."""
    if request.method == "POST":  # the search may be an owner's phone: kept out of the URL (web.search)
        return redirect_posted_search(request)
    return _accounts_page(request)


# -- one unit's account ---------------------------------------------------------------------------------------
def bill_label(bill) -> str:
    """A bill as the desk names it: its item and period (or description, or due date)."""
    when = f"{bill.period:%Y-%m}" if bill.period else (bill.description or f"{bill.due_on:%Y-%m-%d}")
    return f"{bill.item.name} {when}"


class BillIdsField(forms.TypedMultipleChoiceField):
    """Bill ids: the service checks they are the unit's (a repeat of a paid form names bills no longer open)."""

    def valid_value(self, value):
        return str(value).isdigit()


class PaymentForm(forms.Form):
    """Money taken at the desk: which open bills it settles (all ticked, oldest first), how much (empty: what the
    ticked bills owe), how it was paid (a scan or a card with the provider's reference) and who paid."""

    bills = BillIdsField(label=gettext_lazy("Bills to settle"), coerce=int, required=False,
                         widget=forms.CheckboxSelectMultiple)
    amount = forms.DecimalField(label=gettext_lazy("Amount (yuan)"), max_digits=12, decimal_places=2,
                                min_value=Decimal("0.01"), required=False,
                                help_text=gettext_lazy("Empty: what the ticked bills owe."))
    channel = forms.ChoiceField(label=gettext_lazy("Payment method"),
                                choices=[(code, Channel(code).label) for code in services.ALL_DESK_CHANNELS])
    reference = forms.CharField(label=gettext_lazy("Provider's reference"), max_length=40, required=False,
                                help_text=gettext_lazy("WeChat Pay or Alipay: the transaction number on the payer's "
                                                       "phone; POS card: the reference number on the slip."))
    payer_name = forms.CharField(label=gettext_lazy("Paid by"), max_length=services.PAYER_NAME_MAX, required=False,
                                 help_text=gettext_lazy("The name of whoever pays, when not the owner."))
    allow_prepayment = forms.BooleanField(label=gettext_lazy("Keep any excess as prepayment"), required=False)
    # Made when the form is shown: submitting the same form twice (a double click, a resent POST) pays once.
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, data=None, *, unit=None, open_bills=None, **kwargs):  # the desk's forms all take the unit
        super().__init__(data, **kwargs)
        if open_bills is None:
            open_bills = list(services.bills_with_outstanding(unit).select_related("item")) if unit else []
        self.open_bills = open_bills
        self.fields["bills"].choices = [(bill.pk, bill_label(bill)) for bill in open_bills]

    @classmethod
    def fresh(cls, open_bills):
        """The form as shown: every open bill ticked, the amount what they owe."""
        return cls(open_bills=open_bills, initial={
            "idempotency_key": f"desk-{uuid.uuid4().hex}", "bills": [bill.pk for bill in open_bills],
            "amount": sum((bill.outstanding for bill in open_bills), ZERO) or None})

    def ticked(self):
        """The ticked bills (on a bound form), with whether each is ticked, oldest first — the page's rows."""
        chosen = set(self.initial.get("bills") or []) if not self.is_bound else {
            int(value) for value in self.data.getlist("bills") if str(value).isdigit()}
        return [(bill, bill.pk in chosen) for bill in self.open_bills]


class WriteOffForm(forms.Form):
    """A write-off request: the project manager approves it before anything is written off."""

    bill = forms.ModelChoiceField(label=gettext_lazy("Bill"), queryset=Bill.objects.none(),
                                  empty_label=gettext_lazy("Choose the bill"))
    amount = forms.DecimalField(label=gettext_lazy("Amount (yuan)"), max_digits=12, decimal_places=2,
                                min_value=Decimal("0.01"))
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200)

    def __init__(self, data=None, *, unit):
        super().__init__(data, auto_id="write_off_%s")  # beside the payment form: ids must differ
        field = self.fields["bill"]
        field.queryset = services.bills_with_outstanding(unit).select_related("item")
        field.label_from_instance = lambda bill: _("%(bill)s — %(outstanding)s owed") % {
            "bill": bill_label(bill), "outstanding": format_money(bill.outstanding)}


# What the desk bills by hand; periodic kinds come from billing runs only.
ONE_OFF_KINDS = (ChargeKind.ONE_OFF, ChargeKind.PAID_SERVICE)


class ChargeForm(forms.Form):
    """A one-off charge on the unit: a decoration deposit or fee, a paid service agreed at the desk."""

    item = forms.ModelChoiceField(label=gettext_lazy("Charge item"), queryset=ChargeItem.objects.none())
    amount = forms.DecimalField(label=gettext_lazy("Amount (yuan)"), max_digits=12, decimal_places=2,
                                min_value=Decimal("0.01"), required=False,
                                help_text=gettext_lazy("Empty: the item's fixed price in force today."))
    due_on = PlausibleDateField(label=gettext_lazy("Due date"))
    description = forms.CharField(label=gettext_lazy("Description"), max_length=200, required=False)
    # Made when the form is shown: submitting it twice bills once.
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100, required=False)

    def __init__(self, data=None, *, unit):
        today = timezone.localdate()
        super().__init__(data, auto_id="charge_%s", initial={
            "due_on": today + notice_lead(unit.project_id), "idempotency_key": f"charge-{uuid.uuid4().hex}"})
        self.fields["item"].queryset = ChargeItem.objects.filter(
            project_id=unit.project_id, is_active=True, kind__in=ONE_OFF_KINDS).order_by("name")

    def clean(self):
        data = super().clean()
        item = data.get("item")
        if item is not None and data.get("amount") is None:
            tariff = tariff_for(item, "", timezone.localdate())
            if tariff is None or tariff.basis != Basis.FIXED:
                self.add_error("amount", _("This item has no fixed price: enter the amount."))
            else:
                data["amount"] = tariff.rate
        return data


def receipt_url(payment_id: int) -> str | None:
    """The receipt PDF's address, when that page exists (it is built separately)."""
    try:
        return reverse("billing:receipt_pdf", args=[payment_id])
    except NoReverseMatch:
        return None


def _account_events(unit, bill_ids, payment_ids):
    """The newest events of the unit, its bills and its payments (three subject sets, one indexed query)."""
    types = ContentType.objects.get_for_models(Unit, Bill, Payment)
    subjects = (Q(subject_type=types[Unit], subject_id=unit.pk)
                | Q(subject_type=types[Bill], subject_id__in=bill_ids)
                | Q(subject_type=types[Payment], subject_id__in=payment_ids))
    return list(Event.objects.filter(subjects).select_related("actor").order_by("-created_at", "-id")[:TIMELINE_LIMIT])


def _account_page(request, unit_id, *, payment_form=None, write_off_form=None, charge_form=None, status=None):
    actor, today = request.actor, timezone.localdate()
    unit = get_scoped_or_404(Unit.objects.with_places(), actor, pk=unit_id)
    bills = Bill.objects.filter(unit=unit).select_related("item")
    open_bills = list(services.open_bills(bills))
    for bill in open_bills:
        bill.overdue_days = days_overdue(bill.due_on, today)
    payments = list(Payment.objects.filter(unit=unit).select_related("receipt", "received_by", "project")
                    .order_by("-received_at", "-id"))
    for payment in payments:
        payment.receipt_number, payment.receipt_url = receipt_number(payment), receipt_url(payment.pk)
    entries = list(LedgerEntry.objects.filter(unit=unit)
                   .select_related("bill__item", "payment__receipt", "payment__project", "actor")
                   .order_by("created_at", "id"))
    running = ZERO
    for entry in entries:
        running += entry.amount
        entry.running_balance = running
        entry.receipt_number = receipt_number(entry.payment) if entry.payment_id else ""
    entries.reverse()  # newest first on the page
    owners = list(scoped(owning_residencies([unit.pk]), actor))
    may_collect, may_write_off = actor.may("billing.collect"), actor.may("billing.write_off")
    charge_form = (charge_form or ChargeForm(unit=unit)) if actor.may("billing.charge") else None
    if payment_form is None and may_collect:
        payment_form = PaymentForm.fresh(open_bills)
    just_paid = None
    if str(request.GET.get("paid", "")).isdigit():  # back from the desk's payment: its receipt, to print now
        just_paid = next((payment for payment in payments if payment.pk == int(request.GET["paid"])), None)
    write_off_requests = list(WriteOffRequest.objects.filter(bill__unit=unit)
                              .select_related("bill__item", "requested_by", "decided_by")[:20])
    return render(request, "billing/accounts/unit.html", {
        "unit": unit,
        "owners": owners,
        "just_paid": just_paid,
        "write_off_requests": write_off_requests,
        "may_approve_write_offs": write_offs.is_decider(actor),
        "balance": running,
        "open_total": sum((bill.outstanding for bill in open_bills), ZERO),
        "open_bills": open_bills,
        "bills": paginate(request, bills.order_by("-due_on", "-id")),
        "payments": payments,
        "may_refund": actor.may("billing.refund"),
        "entries": entries,
        "events": _account_events(unit, bills.values("pk"), [p.pk for p in payments]),
        "payment_form": payment_form if may_collect else None,
        "write_off_form": (write_off_form or WriteOffForm(unit=unit)) if may_write_off and open_bills else None,
        "charge_form": charge_form if charge_form and charge_form.fields["item"].queryset.exists() else None,
    }, status=status)


@staff_view(reads="billing.accounts")
def unit_account(request, unit_id: int):
    """One unit's account: balance, open bills with their age, all bills, payments, ledger and timeline."""
    return _account_page(request, unit_id)


def _desk_action(request, unit_id: int, form_key: str, form, perform, fields=None):
    """One of the desk's forms on a unit's account: valid input runs `perform(actor, unit, data)` — a service
    call returning (message level, text) — and goes back to the account; refused input shows the page again with
    each problem next to its field (422), nothing written."""
    unit = get_scoped_or_404(Unit.objects.all(), request.actor, pk=unit_id)
    form = form(request.POST, unit=unit)
    if form.is_valid():
        try:
            level, text = perform(request.actor, unit, form.cleaned_data)
        except DomainError as error:
            show_problems(form, error, fields)
        else:
            messages.add_message(request, level, text)
            return redirect("billing:unit_account", unit.pk)
    return _account_page(request, unit_id, status=422, **{form_key: form})


@require_POST
@staff_view("billing.collect")
def record_payment(request, unit_id: int):
    """A payment at the desk, once per form shown; back on the account with its receipt ready to print."""
    unit = get_scoped_or_404(Unit.objects.all(), request.actor, pk=unit_id)
    form = PaymentForm(request.POST, unit=unit)
    if form.is_valid():
        data = form.cleaned_data
        try:
            payment, created = services.pay_at_desk(
                # None ticked: the unit's open bills, oldest first.
                request.actor, unit, data["amount"], channel=data["channel"], bills=data["bills"] or None,
                reference=data["reference"], payer_name=data["payer_name"],
                allow_prepayment=data["allow_prepayment"], idempotency_key=data["idempotency_key"])
        except DomainError as error:
            show_problems(form, error, {"Idempotency-Key": "amount"})
        else:
            receipt = receipt_number(Payment.objects.select_related("receipt").get(pk=payment.pk))
            if created:
                messages.success(request, _("Payment of %(amount)s recorded; receipt %(receipt)s.") % {
                    "amount": format_money(payment.amount), "receipt": receipt})
            else:
                messages.info(request, _("This payment was already recorded (receipt %(receipt)s); nothing was "
                                         "paid twice.") % {"receipt": receipt})
            return redirect(reverse("billing:unit_account", args=[unit.pk]) + f"?paid={payment.pk}")
    return _account_page(request, unit_id, status=422, payment_form=form)


@require_POST
@staff_view("billing.write_off")
def write_off(request, unit_id: int):
    """Ask to forgive part or all of what one of the unit's bills still owes: the project manager decides (their
    own request is decided at once)."""

    def perform(actor, unit, data):
        request_ = write_offs.request_write_off(actor, data["bill"], data["amount"], data["reason"])
        amount = format_money(request_.amount)
        if request_.state == WriteOffRequest.State.APPROVED:
            return messages.SUCCESS, _("%(amount)s written off.") % {"amount": amount}
        return messages.SUCCESS, _("Write-off of %(amount)s requested; the project manager decides.") % {
            "amount": amount}

    return _desk_action(request, unit_id, "write_off_form", WriteOffForm, perform)


@require_POST
@staff_view("billing.charge")
def add_charge(request, unit_id: int):
    """A one-off charge (decoration deposit or fee, a paid service) billed to the unit through the ledger."""

    def perform(actor, unit, data):
        bill = services.post_charge(actor, unit, data["item"], data["amount"], due_on=data["due_on"],
                                    description=data["description"] or data["item"].name,
                                    idempotency_key=data["idempotency_key"])
        return messages.SUCCESS, _("%(item)s of %(amount)s billed.") % {"item": bill.item.name, "amount": bill.amount}

    return _desk_action(request, unit_id, "charge_form", ChargeForm, perform)


# -- Excel ----------------------------------------------------------------------------------------------------
@staff_view(reads="billing.accounts")
def unit_ledger_xlsx(request, unit_id: int):
    unit = get_scoped_or_404(Unit.objects.with_places(), request.actor, pk=unit_id)
    return exports.unit_ledger_response(unit)


@staff_view(reads="billing.accounts")
def ledger_xlsx(request):
    """A project's ledger for the local days ?from=…&to= (both included); bad dates: the accounts page, 422."""
    form = LedgerExportForm(request.GET, actor=request.actor)
    if not form.is_valid():
        return _accounts_page(request, export_form=form, status=422)
    data = form.cleaned_data
    return exports.project_ledger_response(data["project"], data["from"], data["to"])


urlpatterns = [
    path("console/billing/", accounts, name="accounts"),
    path("console/billing/units/<int:unit_id>/", unit_account, name="unit_account"),
    path("console/billing/units/<int:unit_id>/payments/", record_payment, name="record_payment"),
    path("console/billing/units/<int:unit_id>/write-offs/", write_off, name="write_off"),
    path("console/billing/units/<int:unit_id>/charges/", add_charge, name="add_charge"),
    path("console/billing/units/<int:unit_id>/ledger.xlsx", unit_ledger_xlsx, name="unit_ledger_xlsx"),
    path("console/billing/ledger.xlsx", ledger_xlsx, name="ledger_xlsx"),
]
