"""Unit accounts in the console — the billing menu's landing page: units with balance, open amount and how long
their oldest bill is overdue (aggregated in SQL); one unit's bills, payments and ledger, a front-desk payment form
(idempotent: a double submit pays once) and write-offs; the ledger as Excel, per unit or per project."""

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
from wuye.core.money import to_money
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

from .. import exports, services
from ..models import Basis, Bill, Channel, ChargeItem, ChargeKind, LedgerEntry, Payment, days_overdue
from ..receipts import receipt_number
from ..runs import notice_lead, tariff_for

EVENT_VERBS = {"billing.service_billed": gettext_lazy("Paid service billed")}

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
class PaymentForm(forms.Form):
    amount = forms.DecimalField(label=gettext_lazy("Amount (yuan)"), max_digits=12, decimal_places=2,
                                min_value=Decimal("0.01"))
    channel = forms.ChoiceField(label=gettext_lazy("Payment method"),
                                choices=[(Channel.CASH, Channel.CASH.label),
                                         (Channel.BANK_TRANSFER, Channel.BANK_TRANSFER.label)])
    allow_prepayment = forms.BooleanField(label=gettext_lazy("Keep any excess as prepayment"), required=False)
    # Made when the form is shown: submitting the same form twice (a double click, a resent POST) pays once.
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, data=None, *, unit=None, **kwargs):  # the desk's forms all take the unit
        super().__init__(data, **kwargs)

    @classmethod
    def fresh(cls):
        return cls(initial={"idempotency_key": f"desk-{uuid.uuid4().hex}"})


class WriteOffForm(forms.Form):
    bill = forms.ModelChoiceField(label=gettext_lazy("Bill"), queryset=Bill.objects.none())
    amount = forms.DecimalField(label=gettext_lazy("Amount (yuan)"), max_digits=12, decimal_places=2,
                                min_value=Decimal("0.01"))
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200)

    def __init__(self, data=None, *, unit):
        super().__init__(data, auto_id="write_off_%s")  # beside the payment form: ids must differ
        field = self.fields["bill"]
        field.queryset = services.bills_with_outstanding(unit).select_related("item")
        field.label_from_instance = lambda bill: _("%(item)s %(period)s — %(outstanding)s owed") % {
            "item": bill.item.name,
            "period": f"{bill.period:%Y-%m}" if bill.period else (bill.description or f"{bill.due_on:%Y-%m-%d}"),
            "outstanding": bill.outstanding}


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
    return render(request, "billing/accounts/unit.html", {
        "unit": unit,
        "owners": owners,
        "balance": running,
        "open_total": sum((bill.outstanding for bill in open_bills), ZERO),
        "open_bills": open_bills,
        "bills": paginate(request, bills.order_by("-due_on", "-id")),
        "payments": payments,
        "may_refund": actor.may("billing.refund"),
        "entries": entries,
        "events": _account_events(unit, bills.values("pk"), [p.pk for p in payments]),
        "payment_form": (payment_form or PaymentForm.fresh()) if may_collect else None,
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
    """A payment at the front desk (cash or bank transfer), once per form shown."""

    def perform(actor, unit, data):
        payment, created = services.pay(actor, unit, data["amount"], channel=data["channel"],
                                        idempotency_key=data["idempotency_key"],
                                        allow_prepayment=data["allow_prepayment"])
        receipt = receipt_number(payment)
        if created:
            return messages.SUCCESS, _("Payment of %(amount)s recorded; receipt %(receipt)s.") % {
                "amount": payment.amount, "receipt": receipt}
        return messages.INFO, _("This payment was already recorded (receipt %(receipt)s); nothing was paid "
                                "twice.") % {"receipt": receipt}

    return _desk_action(request, unit_id, "payment_form", PaymentForm, perform, {"Idempotency-Key": "amount"})


@require_POST
@staff_view("billing.write_off")
def write_off(request, unit_id: int):
    """Forgive part or all of what one of the unit's bills still owes."""

    def perform(actor, unit, data):
        services.write_off(actor, data["bill"], data["amount"], reason=data["reason"])
        return messages.SUCCESS, _("%(amount)s written off.") % {"amount": data["amount"]}

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
