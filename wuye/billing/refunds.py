"""Refunds with approval (§3, issue 4): finance asks, a second person decides.

* `request_refund` — finance only (billing.refund): at most what the payment can still give back, less the
  requests still waiting, so two pending requests can never add up to more than was paid.
* `approve_refund` — the project manager or a finance supervisor, never the person who asked. The refund runs
  in the same transaction through `services.refund` under the requester's finance authority (the ledger entry
  names who asked; the event on the request names who approved) and the request links that entry.
* `reject_refund` — the same deciders, or the requester withdrawing their own request; no money moves.
The requester hears the decision through the outbox; the deciders hear of a new request.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from wuye.core.access import Actor, Role, require
from wuye.core.errors import InvalidInput, NotAllowed
from wuye.core.events import record_event
from wuye.core.models import NotificationKind
from wuye.core.money import format_money
from wuye.core.outbox import notify
from wuye.tenancy.models import Unit

from . import approvals, services
from .models import Payment, RefundRequest

ZERO = Decimal("0.00")


def pending_total(payment: Payment) -> Decimal:
    return services._sum(payment.refund_requests.filter(state=RefundRequest.State.REQUESTED))


def refundable(payment: Payment) -> Decimal:
    """What may still be asked for: the payment, less what was refunded and what is waiting for approval."""
    return payment.amount - services.refunded(payment) - pending_total(payment)


def is_decider(actor: Actor) -> bool:
    """A second person who may approve refunds: the project manager or a finance supervisor."""
    if actor.is_superuser:
        return True
    if not actor.may("billing.approve_refund"):
        return False
    return actor.role == Role.PROJECT_MANAGER or (actor.role == Role.FINANCE and actor.is_supervisor)


def may_approve(actor: Actor, request: RefundRequest) -> bool:
    return (request.state == RefundRequest.State.REQUESTED and is_decider(actor)
            and actor.user.pk != request.requested_by_id and actor.sees_project(request.project_id))


def may_reject(actor: Actor, request: RefundRequest) -> bool:
    withdraws = actor.user is not None and actor.user.pk == request.requested_by_id
    return request.state == RefundRequest.State.REQUESTED and (withdraws or may_approve(actor, request))


def _lock_unit(payment: Payment) -> None:
    # The fixed lock order of the ledger (unit first): a refund and a concurrent payment never deadlock.
    Unit.objects.select_for_update().get(pk=payment.unit_id)


def _deciders(project_id: int):
    """Who approves a refund in the project: its project managers and finance supervisors."""
    from wuye.people.services import staff_with_role

    deciders = [*staff_with_role(Role.PROJECT_MANAGER, project_id),
                *staff_with_role(Role.FINANCE, project_id, supervisors_only=True)]
    return list({user.pk: user for user in deciders}.values())


def _link() -> str:
    return reverse("billing:refunds")


@transaction.atomic
def request_refund(actor: Actor, payment: Payment, amount, reason: str) -> RefundRequest:
    """Ask for `amount` of `payment` back (finance). Nothing moves until someone else approves."""
    require(actor, "billing.refund")
    if not actor.sees_project(payment.project_id):
        raise NotAllowed(_("This payment is outside your projects."))
    amount = services._money(amount, "amount")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("reason", _("Say why the money is refunded."))
    if payment.unit_id is None:
        # A walk-in's fee (a temporary car) has no account to put a refund on; the booth corrects it in cash.
        raise InvalidInput("payment_id", _("A walk-in payment (temporary parking) is not refunded here."))
    _lock_unit(payment)
    available = refundable(payment)
    if amount > available:
        raise InvalidInput("amount", _("At most %(available)s of this payment can still be refunded (requests "
                                       "waiting for approval included).") % {"available": max(available, ZERO)})
    request = RefundRequest.objects.create(project_id=payment.project_id, payment=payment, amount=amount,
                                           reason=reason[:200], requested_by=actor.user)
    record_event(request, "billing.refund_requested", actor=actor.user,
                 data={"payment": payment.pk, "amount": str(amount), "reason": reason[:200]})
    deciders = [user for user in _deciders(payment.project_id) if user.pk != actor.user.pk]
    if deciders:
        notify(deciders, _("Refund of %(amount)s waiting for your approval") % {"amount": format_money(amount)},
               _("%(unit)s: %(reason)s") % {"unit": payment.unit.label, "reason": reason[:200]},
               link=_link(), source=request, kind=NotificationKind.APPROVAL,
               dedupe_key=f"refund-requested:{request.pk}")
    return request


def _locked(request: RefundRequest) -> RefundRequest:
    _lock_unit(request.payment)
    request = RefundRequest.objects.select_for_update(of=("self",)).select_related("payment__unit").get(pk=request.pk)
    approvals.still_requested(request)
    return request


@transaction.atomic
def approve_refund(actor: Actor, request: RefundRequest, note: str = "") -> RefundRequest:
    """Approve and carry out the refund (project manager or finance supervisor, not the requester). `note` is the
    approval comment (审批意见): optional here, required on rejection; kept on the request and in the event."""
    require(actor, "billing.approve_refund")
    if not is_decider(actor):
        raise NotAllowed(_("Refunds are approved by the project manager or a finance supervisor."))
    if actor.user.pk == request.requested_by_id:
        raise NotAllowed(_("Someone other than the requester approves a refund."))
    if not actor.sees_project(request.project_id):
        raise NotAllowed(_("This refund request is outside your projects."))
    request = _locked(request)
    from wuye.people.access import actor_for  # people sits beside billing; imported late to keep floors apart

    entry = services.refund(actor_for(request.requested_by), request.payment, request.amount, reason=request.reason)
    approvals.record_decision(request, actor, RefundRequest.State.APPROVED,
                              approvals.approval_note(note, required=False), entry=entry)
    record_event(request, "billing.refund_approved", actor=actor.user,
                 data={"amount": str(request.amount), "entry": entry.pk,
                       **({"approval_comment": request.decision_note} if request.decision_note else {})})
    notify(request.requested_by, _("Refund of %(amount)s approved and carried out") % {
        "amount": format_money(request.amount)},
           request.reason, link=_link(), source=request, dedupe_key=f"refund-decided:{request.pk}")
    return request


@transaction.atomic
def reject_refund(actor: Actor, request: RefundRequest, note: str) -> RefundRequest:
    """Turn a request down (a decider), or withdraw it (its requester). No ledger entry is written."""
    if not may_reject(actor, request):
        approvals.still_requested(request)
        raise NotAllowed(_("Refunds are decided by the project manager or a finance supervisor."))
    note = approvals.approval_note(note, required=True)
    request = _locked(request)
    approvals.record_decision(request, actor, RefundRequest.State.REJECTED, note)
    record_event(request, "billing.refund_rejected", actor=actor.user, data={"note": note})
    if actor.user.pk != request.requested_by_id:
        notify(request.requested_by, _("Refund of %(amount)s rejected") % {"amount": format_money(request.amount)},
               note,
               link=_link(), source=request, dedupe_key=f"refund-decided:{request.pk}")
    return request
