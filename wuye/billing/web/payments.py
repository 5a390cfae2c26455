"""Payments in the console — refunds and write-offs with approval, receipts as PDF — and the simulated channel's
gateway page.

The gateway (/pay/simulated/<reference>/) stands in for a provider's checkout: its buttons build the callback the
provider would send, sign it with settings.PAYMENT_CALLBACK_SECRET and hand it to `channels.handle_callback`, the
same function behind POST /api/v1/payments/callbacks/simulated (`channels.simulate_provider`)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from wuye.core.access import get_scoped_or_404, require, scoped
from wuye.core.errors import DomainError
from wuye.core.money import format_money, to_money
from wuye.web.guards import staff_view
from wuye.web.paging import paginate

from .. import approvals, channels, refunds, services, write_offs
from ..documents import receipt_filename
from ..models import Channel, Payment, PaymentIntent, RefundRequest, WriteOffRequest
from ..receipts import receipt_number, receipt_pdf

EVENT_VERBS = {
    "billing.payment_started": gettext_lazy("Online payment started"),
    "billing.payment_confirmed": gettext_lazy("Online payment confirmed"),
    "billing.payment_failed": gettext_lazy("Online payment failed"),
    "billing.payment_expired": gettext_lazy("Online payment expired unpaid"),
    "billing.refund_requested": gettext_lazy("Refund requested"),
    "billing.refund_approved": gettext_lazy("Refund approved"),
    "billing.refund_rejected": gettext_lazy("Refund rejected"),
    "billing.reference_verified": gettext_lazy("Payment reference confirmed by the provider"),
    "billing.reference_unconfirmed": gettext_lazy("Payment reference not found at the provider"),
}


def _payment_facts(actor, payment_id):
    """The payment a refund is asked for, with what it can still give back."""
    payment = get_scoped_or_404(Payment.objects.select_related("unit", "receipt", "project"), actor, pk=payment_id)
    refunded, pending = services.refunded(payment), refunds.pending_total(payment)
    return {"payment": payment, "receipt_number": receipt_number(payment), "refunded": refunded,
            "pending": pending, "refundable": payment.amount - refunded - pending}


def _refunds_page(request, *, form=None, errors=None, status=None):
    actor = request.actor
    requests = scoped(RefundRequest.objects.select_related("payment__unit", "payment__receipt", "project",
                                                           "requested_by", "decided_by"), actor)
    state = request.GET.get("state", "")
    if state in RefundRequest.State.values:
        requests = requests.filter(state=state)
    requests = requests.annotate(waiting=Case(When(state=RefundRequest.State.REQUESTED, then=Value(0)),
                                              default=Value(1), output_field=IntegerField()))
    page = paginate(request, requests.order_by("waiting", "-requested_at", "-id"))
    rows = [{"request": r, "may_approve": refunds.may_approve(actor, r), "may_reject": refunds.may_reject(actor, r)}
            for r in page.object_list]
    errors = dict(errors or {})
    page_error = " ".join(errors.pop(name) for name in list(errors) if name not in ("amount", "reason"))
    payment_id = (form or {}).get("payment_id") or request.GET.get("payment", "")
    facts = None
    if actor.may("billing.refund") and str(payment_id).isdigit():
        facts = _payment_facts(actor, int(payment_id))
    return render(request, "billing/payments/refunds.html", {
        "page": page, "rows": rows, "state": state, "states": RefundRequest.State.choices,
        "may_request": actor.may("billing.refund"), "facts": facts, "form": form or {}, "errors": errors,
        "page_error": page_error, "payment_id": payment_id,
    }, status=status)


@staff_view(reads="billing.refunds")
def refund_list(request):
    return _refunds_page(request)


@require_POST
@staff_view("billing.refund")
def refund_request(request):
    form = {name: request.POST.get(name, "").strip() for name in ("payment_id", "amount", "reason")}
    if not form["payment_id"].isdigit():
        messages.error(request, _("Enter the payment number."))
        return redirect("billing:refunds")
    payment = get_scoped_or_404(Payment.objects.all(), request.actor, pk=int(form["payment_id"]))
    try:
        refunds.request_refund(request.actor, payment, form["amount"] or "0", form["reason"])
    except DomainError as error:
        errors = {problem.field: problem.message for problem in error.problems} or {"": error.message}
        return _refunds_page(request, form=form, errors=errors, status=error.status)
    messages.success(request, _("Refund of %(amount)s requested; it waits for approval.") % {
        "amount": form["amount"]})
    return redirect("billing:refunds")


def _decide(request, refund_id, decide, done_message):
    refund = get_scoped_or_404(RefundRequest.objects.select_related("payment__unit"), request.actor, pk=refund_id)
    try:
        decide(refund)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done_message % {"amount": refund.amount, "unit": refund.payment.unit.label})
    return redirect("billing:refunds")


@require_POST
@staff_view("billing.view")
def refund_approve(request, refund_id: int):
    return _decide(request, refund_id, lambda r: refunds.approve_refund(request.actor, r,
                                                                        request.POST.get("note", "")),
                   _("Refund of %(amount)s to %(unit)s approved and carried out."))


@require_POST
@staff_view("billing.view")
def refund_reject(request, refund_id: int):
    return _decide(request, refund_id, lambda r: refunds.reject_refund(request.actor, r,
                                                                       request.POST.get("note", "")),
                   _("Refund of %(amount)s to %(unit)s rejected."))


@staff_view(reads="billing.write_offs")
def write_off_list(request):
    """Write-off requests in scope, those awaiting approval first; the project manager decides each with an
    approval comment (审批意见), a requester may withdraw their own."""
    actor = request.actor
    requests = scoped(WriteOffRequest.objects.select_related("bill__item", "bill__unit__building", "project",
                                                             "requested_by", "decided_by"), actor)
    state = request.GET.get("state", "")
    if state in WriteOffRequest.State.values:
        requests = requests.filter(state=state)
    page = paginate(request, approvals.waiting_first(requests))
    rows = [{"request": r, "may_approve": write_offs.may_approve(actor, r),
             "may_reject": write_offs.may_reject(actor, r)} for r in page.object_list]
    return render(request, "billing/payments/write_offs.html", {
        "page": page, "rows": rows, "state": state, "states": WriteOffRequest.State.choices})


def _decide_write_off(request, request_id, decide, done_message):
    write_off = get_scoped_or_404(WriteOffRequest.objects.select_related("bill__unit"), request.actor,
                                  pk=request_id)
    try:
        decide(write_off)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done_message % {"amount": format_money(write_off.amount),
                                                  "unit": write_off.bill.unit.label})
    return redirect("billing:write_offs")


@require_POST
@staff_view("billing.view")
def write_off_approve(request, request_id: int):
    return _decide_write_off(request, request_id, lambda r: write_offs.approve_write_off(
        request.actor, r, request.POST.get("note", "")), _("Write-off of %(amount)s for %(unit)s approved."))


@require_POST
@staff_view("billing.view")
def write_off_reject(request, request_id: int):
    return _decide_write_off(request, request_id, lambda r: write_offs.reject_write_off(
        request.actor, r, request.POST.get("note", "")), _("Write-off of %(amount)s for %(unit)s rejected."))


@staff_view(reads="billing.payments")
def staff_receipt_pdf(request, payment_id: int):
    payment = get_scoped_or_404(Payment.objects.select_related("receipt", "project"), request.actor, pk=payment_id)
    return receipt_pdf(payment).response(filename=receipt_filename(receipt_number(payment)))


def gateway(request, reference: str):
    """The simulated provider's checkout page: the intent's owner (or staff in scope) confirms or cancels."""
    if not channels.simulated_payments_enabled():
        raise Http404  # the demo channel does not exist unless WUYE_SIMULATED_PAYMENTS is on
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.actor.is_owner:
        require(request.actor, "billing.collect")
    intent = get_scoped_or_404(PaymentIntent.objects.select_related("project__company", "unit"), request.actor,
                               reference=reference, channel=Channel.SIMULATED)
    if request.method == "POST" and intent.state == PaymentIntent.State.PENDING:
        try:
            intent = channels.simulate_provider(intent, succeed=request.POST.get("action") == "pay")
        except DomainError as error:
            messages.error(request, error.message)
        if request.actor.is_owner:
            return redirect("billing:h5_pay_result", reference=intent.reference)
        if intent.payment_id:
            return redirect("billing:receipt_pdf", payment_id=intent.payment_id)
        return redirect("web:console")
    return render(request, "billing/payments/gateway.html", {
        "intent": intent, "amount": to_money(intent.amount),
        "result_url": "billing:h5_pay_result" if request.actor.is_owner else "",
    })


urlpatterns = [
    path("console/billing/refunds/", refund_list, name="refunds"),
    path("console/billing/refunds/new/", refund_request, name="refund_request"),
    path("console/billing/refunds/<int:refund_id>/approve/", refund_approve, name="refund_approve"),
    path("console/billing/refunds/<int:refund_id>/reject/", refund_reject, name="refund_reject"),
    path("console/billing/write-offs/", write_off_list, name="write_offs"),
    path("console/billing/write-offs/<int:request_id>/approve/", write_off_approve, name="write_off_approve"),
    path("console/billing/write-offs/<int:request_id>/reject/", write_off_reject, name="write_off_reject"),
    path("console/billing/payments/<int:payment_id>/receipt.pdf", staff_receipt_pdf, name="receipt_pdf"),
    path("pay/simulated/<str:reference>/", gateway, name="gateway"),
]
