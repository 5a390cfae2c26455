"""Online payments (intents and provider callbacks), receipts as PDF and refunds with approval (§3, §9)."""

from datetime import datetime
from decimal import Decimal

from django.http import HttpResponse
from ninja import Field, Header, Router, Schema, Status
from ninja.pagination import paginate

from wuye.core.access import get_scoped_or_404, get_scoped_or_invalid, require, require_read, scoped
from wuye.core.api import PagePagination, api_enum
from wuye.tenancy.models import Unit

from .. import channels, refunds
from ..documents import receipt_filename
from ..models import Payment, PaymentIntent, RefundRequest
from ..receipts import receipt_number, receipt_pdf
from .ledger import PaymentChannel

router = Router(tags=["fees"])

RefundState = api_enum(RefundRequest.State, "RefundState")


class IntentIn(Schema):
    unit_id: int
    amount: Decimal | None = Field(None, gt=0, max_digits=12, decimal_places=2,
                                   description="Yuan; empty: everything the unit owes")
    channel: PaymentChannel = PaymentChannel.SIMULATED
    allow_prepayment: bool = False


class IntentOut(Schema):
    reference: str
    unit_id: int
    channel: str
    amount: Decimal
    state: str
    pay_url: str
    created_at: datetime
    finished_at: datetime | None
    payment_id: int | None


def _intent_out(request, intent):
    return {**{name: getattr(intent, name) for name in ("reference", "unit_id", "channel", "amount", "state",
                                                        "created_at", "finished_at", "payment_id")},
            "pay_url": request.build_absolute_uri(channels.pay_url(intent))}


@router.post("/payments/intents", response={201: IntentOut})
def start_payment(request, payload: IntentIn):
    """Start an online payment for a unit (its owner, or staff who collect). Send the payer to `pay_url`; the
    channel's signed callback records the payment. WeChat Pay and Alipay answer 422 (`channel`): not configured."""
    unit = get_scoped_or_invalid(Unit.objects.all(), request.actor, payload.unit_id, "unit_id")
    intent = channels.start_online_payment(request.actor, unit, payload.amount, payload.channel,
                                           allow_prepayment=payload.allow_prepayment)
    return Status(201, _intent_out(request, intent))


@router.get("/payments/intents/{reference}", response=IntentOut)
def get_payment_intent(request, reference: str):
    """An online payment's state: pending, paid (with the payment), failed or expired."""
    require_read(request.actor, "billing.payments")
    intent = get_scoped_or_404(PaymentIntent.objects.all(), request.actor, reference=reference)
    return _intent_out(request, intent)


class CallbackIn(Schema):
    reference: str = Field(..., max_length=40)
    amount: str = Field(..., max_length=20, description="Yuan as a string, e.g. \"320.50\"")
    status: str = Field(..., description="paid or failed")
    paid_at: str = Field("", description="ISO 8601 time of payment")


class CallbackOut(Schema):
    status: str
    reference: str


@router.post("/payments/callbacks/{channel}", auth=None, response=CallbackOut)
def payment_callback(request, channel: str, payload: CallbackIn,
                     signature: str = Header("", alias="X-Wuye-Signature")):
    """The provider's confirmation (no login: the signature is the proof). `X-Wuye-Signature` is the hex
    HMAC-SHA256 of the canonical JSON of the four fields (strings, keys sorted, no spaces) with the channel's key.
    A bad signature is 403 and an amount other than the payment's 422; nothing is written. Repeats are harmless."""
    intent = channels.handle_callback(channel, payload.model_dump(), signature)
    return {"status": intent.state, "reference": intent.reference}


@router.get("/payments/{payment_id}/receipt.pdf", response={200: None})
def payment_receipt(request, payment_id: int):
    """The receipt (收款收据) of a payment as PDF: staff in scope, or the owner of the unit."""
    require_read(request.actor, "billing.payments")
    payment = get_scoped_or_404(Payment.objects.select_related("receipt", "project"), request.actor, pk=payment_id)
    response: HttpResponse = receipt_pdf(payment).response(filename=receipt_filename(receipt_number(payment)))
    return response


class RefundIn(Schema):
    payment_id: int
    amount: Decimal = Field(..., gt=0, max_digits=12, decimal_places=2)
    reason: str = Field(..., max_length=200)


class DecisionIn(Schema):
    note: str = Field("", max_length=200, description="The approval comment (审批意见): optional on approve, "
                      "required on reject")
    comment: str = Field("", max_length=200, description="The same as `note` (the tickets' name for it)")

    @property
    def text(self) -> str:
        return self.note or self.comment


class RefundOut(Schema):
    id: int
    payment_id: int
    unit_id: int | None = Field(None, description="Empty: a walk-in's (temporary parking)")
    amount: Decimal
    reason: str
    state: str
    requested_by: str
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str
    entry_id: int | None

    @staticmethod
    def resolve_unit_id(request):
        return request.payment.unit_id

    @staticmethod
    def resolve_requested_by(request):
        return request.requested_by.get_full_name() or request.requested_by.username

    @staticmethod
    def resolve_decided_by(request):
        user = request.decided_by
        return (user.get_full_name() or user.username) if user else None


def _refund_requests(actor):
    return scoped(RefundRequest.objects.select_related("payment", "requested_by", "decided_by"), actor)


@router.get("/refunds", response=list[RefundOut])
@paginate(PagePagination)
def list_refunds(request, state: RefundState | None = None):
    """Refund requests in scope, newest first (an owner: those on their own payments)."""
    require_read(request.actor, "billing.refunds")
    requests = _refund_requests(request.actor)
    return requests.filter(state=state) if state else requests


@router.post("/refunds", response={201: RefundOut})
def create_refund(request, payload: RefundIn):
    """Ask for a refund (finance); a second person approves it before any money moves."""
    require(request.actor, "billing.refund")
    payment = get_scoped_or_invalid(Payment.objects.select_related("unit"), request.actor, payload.payment_id,
                                    "payment_id")
    refund = refunds.request_refund(request.actor, payment, payload.amount, payload.reason)
    return Status(201, _refund_requests(request.actor).get(pk=refund.pk))


@router.post("/refunds/{refund_id}/approve", response=RefundOut)
def approve_refund(request, refund_id: int, payload: DecisionIn):
    """Approve and carry out a refund: the project manager or a finance supervisor, never the requester."""
    refund = get_scoped_or_404(_refund_requests(request.actor), request.actor, pk=refund_id)
    refunds.approve_refund(request.actor, refund, payload.text)
    return _refund_requests(request.actor).get(pk=refund.pk)


@router.post("/refunds/{refund_id}/reject", response=RefundOut)
def reject_refund(request, refund_id: int, payload: DecisionIn):
    """Reject a refund request with a note (a decider), or withdraw it (its requester)."""
    refund = get_scoped_or_404(_refund_requests(request.actor), request.actor, pk=refund_id)
    refunds.reject_refund(request.actor, refund, payload.text)
    return _refund_requests(request.actor).get(pk=refund.pk)
