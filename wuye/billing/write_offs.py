"""Write-offs with approval (减免审批): finance asks, the project manager decides with an approval comment.

* `request_write_off` — finance or the project manager (billing.write_off): at most what the bill still owes, less
  the requests still waiting on it. Nothing moves yet; the project's managers are told. A project manager's own
  request is decided at once by them — they are the approver — so their write-off is immediate, on record as a
  request approved with the reason as comment.
* `approve_write_off` — the project manager (billing.approve_write_off), never the requester: the ledger entry is
  written now, through `services.write_off` (the one ledger path), and the request links it.
* `reject_write_off` — the project manager, or the requester withdrawing; no ledger entry.
Every decision carries an approval comment (审批意见); the requester hears it through the outbox.
`pending_write_offs(actor)` is what waits for the actor's decision (the workbench's 待审批 card).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wuye.core.access import Actor, Role, require, scoped
from wuye.core.errors import InvalidInput, NotAllowed
from wuye.core.events import record_event
from wuye.core.money import format_money
from wuye.core.outbox import notify
from wuye.tenancy.models import Unit

from . import approvals, services
from .models import Bill, WriteOffRequest

ZERO = Decimal("0.00")


def is_decider(actor: Actor) -> bool:
    """Who approves write-offs: whoever holds billing.approve_write_off (the project manager — the permission
    table says so, once) and the platform's superuser."""
    return actor.is_superuser or actor.may("billing.approve_write_off")


def may_approve(actor: Actor, request: WriteOffRequest) -> bool:
    return (request.state == WriteOffRequest.State.REQUESTED and is_decider(actor)
            and actor.user.pk != request.requested_by_id and actor.sees_project(request.project_id))


def may_reject(actor: Actor, request: WriteOffRequest) -> bool:
    withdraws = actor.user is not None and actor.user.pk == request.requested_by_id
    return request.state == WriteOffRequest.State.REQUESTED and (withdraws or may_approve(actor, request))


def pending_write_offs(actor: Actor):
    """The write-off requests waiting for `actor`'s decision, oldest first (none for who does not decide)."""
    requests = scoped(WriteOffRequest.objects.filter(state=WriteOffRequest.State.REQUESTED), actor)
    if not is_decider(actor):
        return requests.none()
    if actor.user is not None:
        requests = requests.exclude(requested_by=actor.user)
    return requests.select_related("bill__item", "bill__unit__building", "requested_by").order_by("requested_at",
                                                                                                    "id")


def pending_total(bill: Bill) -> Decimal:
    return services._sum(bill.write_off_requests.filter(state=WriteOffRequest.State.REQUESTED))


def _lock_unit(bill: Bill) -> Unit:
    # The ledger's fixed lock order (the unit first): a write-off and a payment on the unit never deadlock.
    return Unit.objects.select_for_update(of=("self",)).get(pk=bill.unit_id)


def _deciders(project_id: int):
    from wuye.people.services import staff_with_role  # people sits beside billing; imported late

    return staff_with_role(Role.PROJECT_MANAGER, project_id)


def _link() -> str:
    return reverse("billing:write_offs")


def _facts(request: WriteOffRequest) -> dict:
    """What the events say about a request: the unit, the bill as staff name it, the amount."""
    bill = request.bill
    return {"unit": bill.unit.label, "item": bill.item.name,
            "period": f"{bill.period:%Y-%m}" if bill.period else bill.description, "amount": str(request.amount)}


@transaction.atomic
def request_write_off(actor: Actor, bill: Bill, amount, reason: str) -> WriteOffRequest:
    """Ask to forgive `amount` of what `bill` still owes. Finance waits for the project manager; a project
    manager's own request is approved at once (by them)."""
    require(actor, "billing.write_off")
    if not actor.sees_project(bill.project_id):
        raise NotAllowed(_("This bill is outside your projects."))
    amount = services._money(amount, "amount")
    reason = " ".join((reason or "").split())
    if not reason:
        raise InvalidInput("reason", _("Say why the debt is written off."))
    _lock_unit(bill)
    bill = Bill.objects.select_related("item", "unit__building").get(pk=bill.pk)
    available = bill.outstanding - pending_total(bill)
    if amount > available:
        raise InvalidInput("amount", _("At most %(available)s of this bill can still be written off (requests "
                                       "waiting for approval included).") % {
            "available": format_money(max(available, ZERO))})
    request = WriteOffRequest.objects.create(project_id=bill.project_id, bill=bill, amount=amount,
                                             reason=reason[:200], requested_by=actor.user)
    record_event(request, "billing.write_off_requested", actor=actor.user,
                 data={**_facts(request), "reason": request.reason})
    if is_decider(actor):
        return _approve(actor, request, request.reason)
    deciders = [user for user in _deciders(bill.project_id) if user.pk != actor.user.pk]
    if deciders:
        notify(deciders, _("Write-off of %(amount)s for %(unit)s waiting for your approval") % {
                   "amount": format_money(amount), "unit": bill.unit.label},
               _("%(item)s: %(reason)s") % {"item": bill.item.name, "reason": request.reason},
               link=_link(), source=request, dedupe_key=f"write-off-requested:{request.pk}")
    return request


def _locked(request: WriteOffRequest) -> WriteOffRequest:
    _lock_unit(request.bill)
    request = (WriteOffRequest.objects.select_for_update(of=("self",))
               .select_related("bill__item", "bill__unit__building", "requested_by").get(pk=request.pk))
    approvals.still_requested(request)
    return request


def _approve(actor: Actor, request: WriteOffRequest, note: str) -> WriteOffRequest:
    entry = services.write_off(actor, request.bill, request.amount, reason=request.reason)
    approvals.record_decision(request, actor, WriteOffRequest.State.APPROVED, note, entry=entry)
    record_event(request, "billing.write_off_approved", actor=actor.user,
                 data={**_facts(request), "approval_comment": note})
    if actor.user.pk != request.requested_by_id:
        notify(request.requested_by, _("Write-off of %(amount)s for %(unit)s approved") % {
                   "amount": format_money(request.amount), "unit": request.bill.unit.label},
               note, link=_link(), source=request, dedupe_key=f"write-off-decided:{request.pk}")
    return request


@transaction.atomic
def approve_write_off(actor: Actor, request: WriteOffRequest, note: str) -> WriteOffRequest:
    """Approve with an approval comment and write the amount off in the ledger (the project manager, not the
    requester)."""
    require(actor, "billing.approve_write_off")
    if not is_decider(actor):
        raise NotAllowed(_("Write-offs are approved by the project manager."))
    if actor.user.pk == request.requested_by_id:
        raise NotAllowed(_("Someone other than the requester approves a write-off."))
    if not actor.sees_project(request.project_id):
        raise NotAllowed(_("This write-off request is outside your projects."))
    note = approvals.approval_note(note, required=True)
    return _approve(actor, _locked(request), note)


@transaction.atomic
def reject_write_off(actor: Actor, request: WriteOffRequest, note: str) -> WriteOffRequest:
    """Turn a request down with an approval comment (the project manager), or withdraw it (its requester)."""
    if not may_reject(actor, request):
        approvals.still_requested(request)
        raise NotAllowed(_("Write-offs are decided by the project manager."))
    note = approvals.approval_note(note, required=True)
    request = _locked(request)
    approvals.record_decision(request, actor, WriteOffRequest.State.REJECTED, note)
    record_event(request, "billing.write_off_rejected", actor=actor.user,
                 data={**_facts(request), "approval_comment": note})
    if actor.user.pk != request.requested_by_id:
        notify(request.requested_by, _("Write-off of %(amount)s for %(unit)s rejected") % {
                   "amount": format_money(request.amount), "unit": request.bill.unit.label},
               note, link=_link(), source=request, dedupe_key=f"write-off-decided:{request.pk}")
    return request


_EXAMPLE = {"unit": "1栋1单元101", "item": "物业费", "period": "2026-10", "amount": "20.50"}


def register_sentences() -> None:
    """How the request's events read (wuye.core.sentences), registered from BillingConfig.ready()."""
    from wuye.core.sentences import register_sentences as register

    register({
        "billing.write_off_requested": (gettext_lazy("Write-off of %(amount)s asked for %(item)s %(period)s: "
                                                     "%(reason)s"), {"example": {**_EXAMPLE, "reason": "尾差减免"}}),
        "billing.write_off_approved": (gettext_lazy("Write-off of %(amount)s for %(item)s %(period)s approved: "
                                                    "%(approval_comment)s"),
                                       {"example": {**_EXAMPLE, "approval_comment": "同意，业委会已确认"}}),
        "billing.write_off_rejected": (gettext_lazy("Write-off of %(amount)s for %(item)s %(period)s rejected: "
                                                    "%(approval_comment)s"),
                                       {"example": {**_EXAMPLE, "approval_comment": "不符合减免条件"}}),
    })
