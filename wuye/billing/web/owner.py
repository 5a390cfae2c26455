"""The owner portal's bills, online payment, results, payment history and receipts (H5, mobile first).
Owners see only their own units (`scoped`); staff are sent to the console by `@owner_view`."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.db.models import DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wuye.core.access import get_scoped_or_404, scoped
from wuye.core.errors import DomainError
from wuye.core.money import to_money
from wuye.tenancy.models import Unit
from wuye.web.guards import owner_view
from wuye.web.paging import paginate

from .. import channels, passes, services
from ..documents import receipt_filename
from ..models import Bill, EntryKind, LedgerEntry, ParkingPass, Payment, PaymentIntent, days_overdue
from ..receipts import receipt_content, receipt_number, receipt_pdf

ZERO = Decimal("0.00")
_MONEY = DecimalField(max_digits=14, decimal_places=2)


@owner_view
def h5_bills(request):
    """Per own unit: what is due, the open bills oldest first (overdue marked), prepaid credit, pay buttons."""
    actor = request.actor
    units = list(scoped(Unit.objects.select_related("project", "building"), actor).order_by("project_id", "id"))
    balances = dict(LedgerEntry.objects.filter(unit__in=units).values("unit_id")
                    .annotate(total=Coalesce(Sum("amount"), Value(ZERO), output_field=_MONEY))
                    .values_list("unit_id", "total"))
    bills_by_unit: dict[int, list[Bill]] = {}
    for bill in services.open_bills(Bill.objects.filter(unit__in=units)).select_related("item"):
        bills_by_unit.setdefault(bill.unit_id, []).append(bill)
    today = timezone.localdate()
    accounts = []
    for unit in units:
        balance = to_money(balances.get(unit.pk, ZERO))
        bills = bills_by_unit.get(unit.pk, [])
        for bill in bills:
            bill.days_overdue = days_overdue(bill.due_on, today)
        accounts.append({"unit": unit, "due": max(balance, ZERO), "credit": max(-balance, ZERO), "bills": bills,
                         "overdue": sum((b.outstanding for b in bills if b.days_overdue), ZERO),
                         "pays_online": channels.online_payment_open(unit.project)})
    return render(request, "billing/h5/bills.html", {"accounts": accounts})


@require_POST
@owner_view
def h5_pay(request):
    """Start an online payment (everything due, or the amount entered) and go to the channel's checkout."""
    unit = get_scoped_or_404(Unit.objects.select_related("project"), request.actor, pk=request.POST.get("unit_id"))
    amount = request.POST.get("amount", "").strip() or None
    try:
        intent = channels.start_online_payment(request.actor, unit, amount,
                                               allow_prepayment=request.POST.get("prepay") == "1")
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("billing:h5_bills")
    return redirect(channels.pay_url(intent))


@owner_view
def h5_pay_result(request, reference: str):
    intent = get_scoped_or_404(PaymentIntent.objects.select_related("unit", "payment__receipt", "project"),
                               request.actor, reference=reference)
    number = receipt_number(intent.payment) if intent.payment_id else ""
    return render(request, "billing/h5/pay_result.html", {"intent": intent, "receipt_number": number})


@owner_view
def h5_payments(request):
    """The owner's payments, newest first, with receipt links and what was refunded."""
    payments = (scoped(Payment.objects.select_related("unit", "project", "receipt"), request.actor)
                .annotate(refunded=Coalesce(Sum("entries__amount", filter=Q(entries__kind=EntryKind.REFUND)),
                                            Value(ZERO), output_field=_MONEY))
                .order_by("-received_at", "-id"))
    page = paginate(request, payments, per_page=20)
    rows = [{"payment": p, "number": receipt_number(p), "refunded": to_money(p.refunded)} for p in page.object_list]
    return render(request, "billing/h5/payments.html", {"page": page, "rows": rows})


@owner_view
def h5_receipt(request, payment_id: int):
    """The owner's e-receipt (电子收据): the receipt as a printable page — plain HTML that WeChat's browser shows and
    prints — with the PDF behind a link. Only the owner's own payments (anyone else's: 404)."""
    payment = get_scoped_or_404(Payment.objects.select_related("receipt", "project"), request.actor, pk=payment_id)
    return render(request, "billing/h5/receipt.html", {"receipt": receipt_content(payment)})


@owner_view
def h5_receipt_pdf(request, payment_id: int):
    payment = get_scoped_or_404(Payment.objects.select_related("receipt", "project"), request.actor, pk=payment_id)
    return receipt_pdf(payment).response(filename=receipt_filename(receipt_number(payment)))


@owner_view
def h5_parking(request):
    """我的车位/月卡: the owner's monthly passes (plate, space, valid until, days left), renewal, and the pay link
    for what a renewal bills."""
    actor = request.actor
    rows = passes.passes_of(actor.unit_ids)
    owes = {unit_id for unit_id in actor.unit_ids
            if services.open_bills(Bill.objects.filter(unit_id=unit_id)).exists()} if rows else set()
    return render(request, "billing/h5/parking.html", {
        "rows": rows, "owes": owes, "months": range(1, passes.MAX_RENEWAL_MONTHS + 1),
        "reminder_days": passes.reminder_days()})


@require_POST
@owner_view
def h5_parking_renew(request, pass_id: int):
    """Renew one of the owner's passes for the months chosen; the next billing runs bill them."""
    parking_pass = get_scoped_or_404(ParkingPass.objects.all(), request.actor, pk=pass_id)
    try:
        renewed = passes.renew_pass(request.actor, parking_pass, months=request.POST.get("months", ""))
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("billing:h5_parking")
    messages.success(request, _("Renewed: the pass for %(plate)s is valid until %(day)s. The new months are billed "
                                "with your monthly bills.") % {"plate": renewed.plate,
                                                               "day": f"{renewed.ends_on:%Y-%m-%d}"})
    return redirect("billing:h5_parking")


urlpatterns = [
    path("h5/parking/", h5_parking, name="h5_parking"),
    path("h5/parking/<int:pass_id>/renew/", h5_parking_renew, name="h5_parking_renew"),
    path("h5/bills/", h5_bills, name="h5_bills"),
    path("h5/pay/", h5_pay, name="h5_pay"),
    path("h5/pay/<str:reference>/", h5_pay_result, name="h5_pay_result"),
    path("h5/payments/", h5_payments, name="h5_payments"),
    path("h5/payments/<int:payment_id>/receipt/", h5_receipt, name="h5_receipt"),
    path("h5/payments/<int:payment_id>/receipt.pdf", h5_receipt_pdf, name="h5_receipt_pdf"),
]
