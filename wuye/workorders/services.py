"""Work-order actions (§2). `create_ticket` receives; `perform` takes one action from the flow tables. Each checks
the actor's role and the ticket's state, writes, keeps the SLA clocks in step and records the event — in one
transaction. Views and API handlers call only these."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wuye.billing import services as billing
from wuye.billing.charges import paid_service_item
from wuye.billing.receipts import receipt_number
from wuye.billing.runs import notice_lead
from wuye.core.access import Actor, Role, require
from wuye.core.errors import Conflict, InvalidInput, NotAllowed, Problems
from wuye.core.events import compose_event, record_event, record_events
from wuye.core.money import to_money
from wuye.core.photos import MAX_PHOTO_BYTES, MAX_PHOTOS, photo_type
from wuye.core.pii import mask_phone
from wuye.core.validators import normalize_phone
from wuye.people.services import staff_users
from wuye.sla import engine as sla
from wuye.tenancy.rules import rules_for

from . import messages as tell
from .flows import (
    FEE_ACTIONS,
    HANDLING_DEPARTMENTS,
    OWNER_ACTIONS,
    OWNER_ONLY_ACTIONS,
    available_actions,
    transition_for,
)
from .models import (
    URGENCIES_BY_KIND,
    Category,
    ChargeLine,
    FeeChoice,
    Kind,
    PriceItem,
    Status,
    Ticket,
    Urgency,
    WarrantyTerm,
)

REPEAT_REASONS = {"part_quality": gettext_lazy("Part quality (not a workmanship defect)")}


# -- receiving ------------------------------------------------------------------------------------------------
@dataclass
class TicketInput:
    kind: str
    channel: str
    description: str
    unit: object = None
    location: str = ""
    category: Category | None = None
    urgency: str = Urgency.GENERAL
    contact_name: str = ""
    contact_phone: str = ""
    preferred_time: datetime | None = None
    is_public_area: bool = False
    is_major: bool = False
    owner_says_urgent: bool = False  # the owner's word; staff confirm by classifying


def _warranty_for(project, category: Category | None, today, unit=None) -> WarrantyTerm | None:
    """The active warranty term covering the category (or its parent system) for the unit's building — a term
    of that building before one for the whole project."""
    if category is None:
        return None
    categories = [category.pk] + ([category.parent_id] if category.parent_id else [])
    terms = WarrantyTerm.objects.filter(project=project, category_id__in=categories, until__gte=today,
                                        is_active=True)
    building = getattr(unit, "building_id", None)
    terms = terms.filter(Q(building__isnull=True) | Q(building_id=building)) if building \
        else terms.filter(building__isnull=True)
    return terms.order_by(F("building_id").desc(nulls_last=True), "id").first()


def previous_repair(unit, category, now) -> Ticket | None:
    """The same unit and fault category reported within the project's repeat window (rule `repeat_window_days`,
    30 days by default — §2.1): this one is a repeat repair. Receiving a ticket sets it as `repeat_of`; the
    front desk's unit panel (`frontdesk.unit_panel`) points it out while the ticket is being typed."""
    if unit is None or category is None:
        return None
    window = rules_for(unit.project_id).repeat_window
    return (Ticket.objects.filter(kind=Kind.REPAIR, unit=unit, category=category, created_at__gte=now - window)
            .exclude(status=Status.CANCELLED).order_by("-created_at").first())


def _sla_prefix(ticket: Ticket) -> str:
    return f"repair.{ticket.urgency}" if ticket.kind == Kind.REPAIR else f"complaint.{ticket.urgency}"


@transaction.atomic
def create_ticket(actor: Actor, *, project, data: TicketInput, now: datetime | None = None) -> Ticket:
    """Receive a ticket (首问责任: a staff receiver owns its follow-up until handing over) and start its clocks."""
    require(actor, "workorders.create")
    now = now or timezone.now()
    problems = Problems()
    if data.kind not in Kind.values:
        problems.add("kind", _("Choose one of: %(choices)s.") % {"choices": ", ".join(Kind.values)})
    allowed = URGENCIES_BY_KIND.get(data.kind, (Urgency.GENERAL,))
    if data.urgency not in allowed:
        problems.add("urgency", _("For this kind choose one of: %(choices)s.") % {"choices": ", ".join(allowed)})
    if not (data.description or "").strip():
        problems.add("description", _("Describe the problem."))
    if data.unit is not None and data.unit.project_id != project.pk:
        problems.add("unit_id", _("The unit is not in this project."))
    if data.unit is None and not data.is_public_area and data.kind == Kind.REPAIR:
        problems.add("unit_id", _("Choose the unit, or mark the repair as a public area."))
    if data.category is not None and (data.category.project_id != project.pk or data.category.kind != data.kind):
        problems.add("category_id", _("The category does not belong to this project and kind."))
    phone = data.contact_phone
    if phone:
        phone = problems.check("contact_phone", normalize_phone, phone)
    if data.preferred_time is not None and data.preferred_time < now - timedelta(minutes=5):
        problems.add("preferred_time", _("The preferred time is in the past."))
    if actor.is_owner:
        if data.unit is None or data.unit.pk not in actor.unit_ids:
            problems.add("unit_id", _("Choose one of your own units."))
        if data.is_major:
            problems.add("is_major", _("Staff classify complaints."))
    problems.raise_if_any()

    warranty = _warranty_for(project, data.category, timezone.localdate(now), data.unit) \
        if data.kind == Kind.REPAIR and not data.is_public_area else None
    ticket = Ticket.objects.create(
        project=project, kind=data.kind, channel=data.channel, unit=None if data.is_public_area else data.unit,
        location=data.location, category=data.category, urgency=data.urgency, description=data.description.strip(),
        contact_name=data.contact_name, contact_phone=phone or "", preferred_time=data.preferred_time,
        reporter=actor.user, first_receiver=None if actor.is_owner else actor.user,
        responsible_role=(data.category.responsible_role if data.category and data.category.responsible_role
                          else (Role.ENGINEERING if data.kind == Kind.REPAIR else Role.CUSTOMER_SERVICE)),
        is_public_area=data.is_public_area, is_major=data.is_major, created_at=now,
        owner_says_urgent=bool(data.owner_says_urgent) and actor.is_owner,
        classified_at=None if actor.is_owner else now,  # staff classify as they receive; owners' reports wait
        under_warranty=warranty is not None, contractor=warranty.contractor if warranty else "",
        repeat_of=previous_repair(data.unit, data.category, now) if data.kind == Kind.REPAIR else None,
    )
    events = [compose_event(ticket, "ticket.created", actor=actor.user, data={
        "kind": ticket.kind, "channel": ticket.channel, "urgency": ticket.urgency,
        "unit": ticket.unit.label if ticket.unit else None, "contact_phone": mask_phone(ticket.contact_phone),
        "repeat_of": ticket.repeat_of_id, "under_warranty": ticket.under_warranty,
        **({"owner_says_urgent": True} if ticket.owner_says_urgent else {}),
    })]
    # The ticket is new in this transaction: its first clock needs no "already running" check nor a savepoint,
    # and its event goes out with the ticket's in one insert.
    ticket.first_clock = _start_first_clock(ticket, actor, now, events=events)
    record_events(events)
    if actor.is_owner or ticket.urgency in (Urgency.EMERGENCY, Urgency.URGENT):
        tell.ticket_received(ticket, staff_users(project.pk, Role.CUSTOMER_SERVICE))
    return ticket


def _start_first_clock(ticket: Ticket, actor: Actor, received_at: datetime, events: list | None = None):
    """The kind's first time limit, counted from receipt: dispatch (repairs), assignment (complaints), reply."""
    if ticket.kind == Kind.REPAIR:
        key = f"{_sla_prefix(ticket)}.dispatch"
    elif ticket.kind == Kind.COMPLAINT:
        key = "complaint.assign"
    else:
        key = "feedback.reply"
    return sla.start_clock(ticket, key, project=ticket.project, at=received_at, actor=actor.user,
                           fresh=events is not None, events=events)


# -- acting -----------------------------------------------------------------------------------------------------
@dataclass
class ActionInput:
    """Everything an action may carry; each handler checks what it needs."""

    version: int | None = None
    assignee: object = None
    department: str = ""
    reason: str = ""
    work_done: str = ""
    parts: list[tuple[PriceItem, Decimal]] = field(default_factory=list)
    repeat_reason: str = ""
    agreed_time: datetime | None = None
    score: int | None = None
    comment: str = ""
    resolution: str = ""
    reply: str = ""
    improvement: str = ""
    payment_channel: str = ""  # collect_fee: how the money came (cash, bank transfer)
    waiting_for: str = ""  # pause: a reason of PAUSE_REASONS ("parts": 待料), the free-text `reason` optional then
    # classify: what is given changes, what is left empty stays
    kind: str = ""
    category: Category | None = None
    urgency: str = ""
    is_major: bool | None = None


def _require_text(value: str, field_name: str, message: str) -> str:
    if not (value or "").strip():
        raise InvalidInput(field_name, message)
    return value.strip()


def _engineer(ticket: Ticket, user) -> object:
    if user is None:
        raise InvalidInput("assignee_id", _("Choose the engineer to send."))
    if user not in staff_users(ticket.project_id, Role.ENGINEERING):
        raise InvalidInput("assignee_id", _("The assignee must be an engineer of this project."))
    return user


def _received_at(ticket: Ticket) -> datetime:
    """When the current round of the repair was received: the start of its latest dispatch clock (receipt, or the
    reopening), the ticket's receipt if it has none."""
    latest = sla.clocks_for(ticket).filter(key__endswith=".dispatch").order_by("-started_at", "-id").first()
    return latest.started_at if latest else ticket.created_at


def _arrive_start_and_due(ticket: Ticket, now, agreed_time=None) -> tuple[datetime, datetime | None]:
    """When the on-site limit counts from, and its deadline if not the policy's: an emergency's from receipt
    ("on site within 30 minutes" of the call), a general repair's from dispatch, due at the time agreed with the
    owner (or the owner's preferred time) when that is still ahead."""
    if ticket.urgency == Urgency.EMERGENCY:
        return _received_at(ticket), None
    agreed = agreed_time or ticket.preferred_time
    return now, agreed if agreed and agreed > now else None


def _start_open_clocks_after_dispatch(ticket: Ticket, actor: Actor, now, agreed_time) -> None:
    prefix = _sla_prefix(ticket)
    arrive_at, arrive_due = _arrive_start_and_due(ticket, now, agreed_time)
    sla.start_clock(ticket, f"{prefix}.arrive", project=ticket.project, at=arrive_at, due_at=arrive_due,
                    assignee=ticket.assignee, actor=actor.user)
    sla.start_clock(ticket, f"{prefix}.complete", project=ticket.project, at=now, assignee=ticket.assignee,
                    actor=actor.user)


def _dispatch(actor, ticket, change: ActionInput, now):
    if ticket.under_warranty and change.assignee is None:
        ticket.assignee = None  # the developer's contractor repairs; engineering verifies afterwards
    else:
        ticket.assignee = _engineer(ticket, change.assignee)
    ticket.first_receiver = ticket.first_receiver or actor.user
    sla.stop_clock(ticket, f"{_sla_prefix(ticket)}.dispatch", at=now, actor=actor.user)
    _start_open_clocks_after_dispatch(ticket, actor, now, change.agreed_time)
    tell.dispatched(ticket, actor.user)
    return {"assignee": ticket.assignee.username if ticket.assignee else None, "contractor": ticket.contractor}


def _reassign(actor, ticket, change: ActionInput, now):
    if ticket.kind == Kind.COMPLAINT:
        return _assign_department(actor, ticket, change, now, starting=False)
    previous = ticket.assignee
    ticket.assignee = _engineer(ticket, change.assignee)
    _require_text(change.reason, "reason", _("Say why the repair is reassigned."))
    sla.assign_clocks(ticket, ticket.assignee)
    tell.reassigned(ticket)
    return {"from": previous.username if previous else None, "to": ticket.assignee.username, "reason": change.reason}


def _arrive(actor, ticket, change, now):
    sla.stop_clock(ticket, f"{_sla_prefix(ticket)}.arrive", at=now, actor=actor.user)


# Why a job is paused, when it is one of the named reasons (the workbench counts the jobs waiting for parts).
PAUSE_REASONS = {"parts": gettext_lazy("Waiting for parts")}


def _pause(actor, ticket, change, now):
    if change.waiting_for and change.waiting_for not in PAUSE_REASONS:
        raise InvalidInput("waiting_for", _("Unknown reason code."))
    if change.waiting_for:
        reason = (change.reason or "").strip()
    else:
        reason = _require_text(change.reason, "reason", _("Say what the repair is waiting for."))
    ticket.paused_from = ticket.status
    for clock in sla.clocks_for(ticket).filter(state="running"):
        sla.pause_clock(ticket, clock.key, reason=reason or change.waiting_for, at=now, actor=actor.user)
    # "Paused: 待料" when no words were added (the code "parts" reads through the registry's terms).
    return {"waiting_for": change.waiting_for, "reason": reason or change.waiting_for} if change.waiting_for \
        else {"reason": reason}


def _resume(actor, ticket, change, now):
    for clock in sla.clocks_for(ticket).filter(state="paused"):
        sla.resume_clock(ticket, clock.key, at=now, actor=actor.user)
    target, ticket.paused_from = ticket.paused_from or Status.ON_SITE, ""
    return {"to": target}


def _complete(actor, ticket, change: ActionInput, now):
    work_done = _require_text(change.work_done, "work_done", _("Record the work done."))
    if change.repeat_reason and change.repeat_reason not in REPEAT_REASONS:
        raise InvalidInput("repeat_reason", _("Unknown reason code."))
    lines = []
    # Priced as the list stands now (the caller's copy of an item may predate a price change).
    current = PriceItem.objects.in_bulk([item.pk for item, _quantity in change.parts])
    for index, (item, quantity) in enumerate(change.parts):
        item = current.get(item.pk, item)
        if item.project_id != ticket.project_id or not item.is_active:
            raise InvalidInput(f"parts[{index}].item_id", _("Not on this project's price list."))
        try:
            quantity = Decimal(quantity)
        except (InvalidOperation, TypeError):
            raise InvalidInput(f"parts[{index}].quantity", _("Enter a number.")) from None
        if quantity <= 0 or quantity != quantity.quantize(Decimal("0.01")):
            raise InvalidInput(f"parts[{index}].quantity", _("Enter a positive quantity (two decimals at most)."))
        lines.append(ChargeLine(ticket=ticket, item=item, description=item.name, quantity=quantity,
                                unit_price=item.price, amount=to_money(item.price * quantity)))
    ChargeLine.objects.bulk_create(lines)
    ticket.work_done, ticket.repeat_reason = work_done, change.repeat_reason
    sla.stop_clock(ticket, f"{_sla_prefix(ticket)}.complete", at=now, actor=actor.user)
    sla.start_clock(ticket, "repair.return_visit", project=ticket.project, at=now, actor=actor.user)
    tell.completed(ticket, actor.user)
    return {"charges": [f"{line.description} × {line.quantity} = {line.amount}" for line in lines],
            "total": str(sum((line.amount for line in lines), Decimal("0.00")))}


def _verify(actor, ticket, change, now):
    if not ticket.under_warranty:
        raise Conflict(_("Only warranty repairs by the developer's contractor are verified."))
    if ticket.verified_at:
        raise Conflict(_("Already verified."))
    ticket.verified_at = now


def _confirm(actor, ticket, change, now):
    if ticket.under_warranty and ticket.verified_at is None:
        raise Conflict(_("Engineering must verify the contractor's work before sign-off."))
    return {"signed_by": "owner" if actor.is_owner else "staff"}


def _fee_lines(ticket: Ticket) -> list[ChargeLine]:
    """The charges not yet taken — after a reopened repair, only the rework's."""
    return list(ticket.charge_lines.filter(charged_at__isnull=True).order_by("id"))


def _post_fee(actor, ticket: Ticket, now, taken_as: str, due_on) -> tuple[list[ChargeLine], Decimal, list]:
    """Bill each open charge line on the repair's unit through billing (the line is the bill's source), and stamp
    the lines with how and when the fee was taken. Returns the lines, their total and the bills."""
    if ticket.unit_id is None:
        raise Conflict(_("A public-area repair has no owner to charge."))
    lines = _fee_lines(ticket)
    if not lines:
        raise Conflict(_("There is no fee left to take on this repair."))
    item = paid_service_item(ticket.project_id)
    bills = [billing.post_charge(actor, ticket.unit, item, line.amount, due_on=due_on, source=line,
                                 description=f"{ticket.number} {line.description} × {line.quantity.normalize():f}")
             for line in lines if line.amount > 0]
    ChargeLine.objects.filter(pk__in=[line.pk for line in lines]).update(taken_as=taken_as, charged_at=now)
    return lines, sum((line.amount for line in lines), Decimal("0.00")), bills


def _collect_fee(actor, ticket, change: ActionInput, now):
    """The fee paid now, at the desk or on the spot: billed and paid in the one ledger, with a receipt."""
    if change.payment_channel not in billing.DESK_CHANNELS:
        raise InvalidInput("payment_channel", _("Choose cash or bank transfer."))
    lines, total, bills = _post_fee(actor, ticket, now, FeeChoice.PAID_ON_SITE, timezone.localdate(now))
    details = {"total": str(total), "payment_channel": change.payment_channel}
    # Prepaid credit on the unit settles a new bill as it is posted (billing's rule); only the rest is taken.
    owed = billing.source_bills(lines).outstanding
    if owed > 0:
        # One key per fee step (its first line): a retried request finds the payment instead of paying twice.
        payment, _created = billing.pay_bills(actor, bills, channel=change.payment_channel,
                                              idempotency_key=f"ticket-{ticket.pk}-fee-{lines[0].pk}", now=now)
        details.update(collected=str(payment.amount), receipt=receipt_number(payment))
    else:
        details["collected"] = "0.00"
    if total - owed > 0:
        details["credit"] = str(total - owed)
    return details


def _charge_fee(actor, ticket, change, now):
    """The fee charged to the owner's account (挂账): a bill on the unit, due after the payment-notice lead."""
    due_on = timezone.localdate(now) + notice_lead(ticket.project)
    _lines, total, _bills = _post_fee(actor, ticket, now, FeeChoice.ON_ACCOUNT, due_on)
    return {"total": str(total), "due_on": due_on.isoformat()}


@dataclass(frozen=True)
class FeeStatus:
    """A repair's fee as its pages and the API show it: the charge lines, how the fee step took them, and —
    read from billing each time, never copied onto the ticket — where their bills stand and what receipted them.
    Each line carries `bill_state` (billing's state of its own bill)."""

    lines: list[ChargeLine]
    bills: billing.SourceBills

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))

    @property
    def pending(self) -> Decimal:
        """What the fee step has not taken yet (the whole fee before it, a rework's charges after a reopen)."""
        return sum((line.amount for line in self.lines if line.charged_at is None), Decimal("0.00"))

    @property
    def taken_as(self) -> list[str]:
        """How the fee was taken, each way once in order (both after a reopened repair taken differently)."""
        return list(dict.fromkeys(line.taken_as for line in self.lines if line.taken_as))

    @property
    def taken_as_labels(self) -> list[str]:
        return [str(FeeChoice(value).label) for value in self.taken_as]

    @property
    def state(self) -> str:
        return self.bills.state

    @property
    def state_label(self) -> str:
        return str(billing.SourceState(self.bills.state).label)


def fee_status(ticket: Ticket) -> FeeStatus | None:
    """The repair's fee with its bills' live state (None when the ticket has no charges)."""
    lines = list(ticket.charge_lines.order_by("id"))
    if not lines:
        return None
    taken = [line for line in lines if line.charged_at is not None]
    bills = billing.source_bills(taken)
    for line in lines:
        line.bill_state = billing.bill_state(bills.of(line.pk)) if line.charged_at else None
    return FeeStatus(lines, bills)


def _return_visit(actor, ticket, change: ActionInput, now):
    if change.score is None or not 1 <= change.score <= 5:
        raise InvalidInput("score", _("Give a satisfaction score from 1 to 5."))
    # Never blocked by finance: the fee's state is shown beside the visit (and kept on record), not required.
    ticket.satisfaction, ticket.visit_comment = change.score, change.comment.strip()
    key = "repair.return_visit" if ticket.kind == Kind.REPAIR else "complaint.return_visit"
    sla.stop_clock(ticket, key, at=now, actor=actor.user)
    fee = fee_status(ticket) if ticket.kind == Kind.REPAIR else None
    if fee is None:
        return {"score": change.score}
    return {"score": change.score, "fee_state": fee.state, **({"fee_pending": str(fee.pending)} if fee.pending else {})}


OWNER_COMMENT_LENGTH = 500


def _rate(actor, ticket, change: ActionInput, now):
    """The owner's own rating after sign-off (业主评价): recorded exactly as a return visit — the score and comment
    on the ticket, the return-visit time limit met — so reports count it the same and no call is due."""
    if len(change.comment or "") > OWNER_COMMENT_LENGTH:
        raise InvalidInput("comment", _("Keep the comment to %(count)s characters.") % {
            "count": OWNER_COMMENT_LENGTH})
    _return_visit(actor, ticket, change, now)
    return {"score": change.score}


def _close(actor, ticket, change, now):
    ticket.closed_at = now


def _reopen(actor, ticket, change: ActionInput, now):
    reason = _require_text(change.reason, "reason", _("Say why the ticket is reopened."))
    sla.cancel_clocks(ticket, actor=actor.user, reason="reopened")
    ticket.closed_at = None
    if ticket.kind == Kind.REPAIR:
        ticket.assignee, ticket.verified_at = None, None
        sla.start_clock(ticket, f"{_sla_prefix(ticket)}.dispatch", project=ticket.project, at=now, actor=actor.user)
    else:
        sla.start_clock(ticket, f"{_sla_prefix(ticket)}.handle", project=ticket.project, at=now, actor=actor.user)
    return {"reason": reason}


def _cancel(actor, ticket, change: ActionInput, now):
    ticket.cancel_reason = _require_text(change.reason, "reason", _("Say why the ticket is cancelled."))[:200]
    sla.cancel_clocks(ticket, actor=actor.user, reason="cancelled")
    ticket.closed_at = now
    return {"reason": ticket.cancel_reason}


def _assign_department(actor, ticket, change: ActionInput, now, *, starting=True):
    if change.department not in Role.values or change.department == Role.OWNER:
        raise InvalidInput("department", _("Choose the responsible department."))
    ticket.responsible_role = change.department
    if starting:
        sla.stop_clock(ticket, "complaint.assign", at=now, actor=actor.user)
        sla.start_clock(ticket, f"{_sla_prefix(ticket)}.handle", project=ticket.project, at=now, actor=actor.user)
    tell.department_assigned(ticket, staff_users(ticket.project_id, change.department, supervisors_only=True))
    return {"department": change.department}


def _resolve(actor, ticket, change: ActionInput, now):
    ticket.resolution = _require_text(change.resolution, "resolution", _("Record how the complaint was handled."))
    if ticket.is_major:
        tell.approval_needed(ticket, staff_users(ticket.project_id, rules_for(ticket.project).complaint_approver))
        return {"needs_approval": True}, Status.PENDING_APPROVAL
    sla.stop_clock(ticket, f"{_sla_prefix(ticket)}.handle", at=now, actor=actor.user)
    sla.start_clock(ticket, "complaint.reply", project=ticket.project, at=now, actor=actor.user)
    return {"needs_approval": False}


def _approve(actor, ticket, change, now):
    ticket.approved_by = actor.user
    sla.stop_clock(ticket, f"{_sla_prefix(ticket)}.handle", at=now, actor=actor.user)
    sla.start_clock(ticket, "complaint.reply", project=ticket.project, at=now, actor=actor.user)
    comment = (change.comment or "").strip()[:200]  # the approval comment (审批意见), optional on approval
    return {"approval_comment": comment} if comment else None


def _reject(actor, ticket, change: ActionInput, now):
    # The approval comment says what the resolution lacks (`reason` is its older name in the API).
    comment = _require_text(change.comment or change.reason, "comment", _("Say what the resolution lacks."))
    return {"reason": comment[:200]}  # read as "Resolution rejected: …" (workorders.sentences)


def _reply(actor, ticket, change: ActionInput, now):
    ticket.reply = _require_text(change.reply, "reply", _("Write the reply to the person."))
    if ticket.kind == Kind.COMPLAINT:
        ticket.improvement = _require_text(change.improvement, "improvement", _("State the improvement measure."))
        sla.stop_clock(ticket, "complaint.reply", at=now, actor=actor.user)
        sla.start_clock(ticket, "complaint.return_visit", project=ticket.project, at=now, actor=actor.user)
    else:
        sla.stop_clock(ticket, "feedback.reply", at=now, actor=actor.user)
    tell.replied(ticket, actor.user)


def _classify(actor, ticket, change: ActionInput, now):
    """Set or change the ticket's kind (only while new), category, urgency and — for complaints — whether it is
    major; what is not given stays. When the limits change with it (a general repair becomes an emergency), the
    open clocks of the old policy are cancelled and the new policy's started from the same moments — the
    dispatch limit from receipt — so a burst pipe reported as "general" at 10:00 and classified an emergency is
    due for dispatch at 10:05."""
    before = {"kind": ticket.kind, "urgency": ticket.urgency, "category": ticket.category, "is_major": ticket.is_major}
    old_prefix = _sla_prefix(ticket)
    kind = change.kind or ticket.kind
    problems = Problems()
    if kind not in Kind.values:
        problems.add("kind", _("Choose one of: %(choices)s.") % {"choices": ", ".join(Kind.values)})
    elif kind != ticket.kind and ticket.status != Status.NEW:
        problems.add("kind", _("The kind can change only while the ticket is new."))
    allowed = URGENCIES_BY_KIND.get(kind, (Urgency.GENERAL,))
    urgency = change.urgency or (ticket.urgency if ticket.urgency in allowed else Urgency.GENERAL)
    if urgency not in allowed:
        problems.add("urgency", _("For this kind choose one of: %(choices)s.") % {"choices": ", ".join(allowed)})
    category = change.category
    if category is None and ticket.category_id and ticket.category.kind == kind:
        category = ticket.category
    if change.category is not None and (category.project_id != ticket.project_id or category.kind != kind
                                        or not category.is_active):
        problems.add("category_id", _("The category does not belong to this project and kind."))
    problems.raise_if_any()

    ticket.kind, ticket.urgency, ticket.category = kind, urgency, category
    ticket.is_major = (change.is_major if change.is_major is not None else ticket.is_major) \
        and kind == Kind.COMPLAINT
    ticket.classified_at = now
    if kind == Kind.REPAIR and ticket.unit_id is None:
        ticket.is_public_area = True  # a repair with no unit is a public area's
    if ticket.status == Status.NEW and (kind, category) != (before["kind"], before["category"]):
        # Not yet handed to anyone: the department, warranty routing and repeat check follow the new category.
        ticket.responsible_role = (category.responsible_role if category and category.responsible_role
                                   else Role.ENGINEERING if kind == Kind.REPAIR else Role.CUSTOMER_SERVICE)
        warranty = _warranty_for(ticket.project, category, timezone.localdate(ticket.created_at), ticket.unit) \
            if kind == Kind.REPAIR and ticket.unit_id else None
        ticket.under_warranty, ticket.contractor = warranty is not None, warranty.contractor if warranty else ""
        ticket.repeat_of = previous_repair(ticket.unit, category, ticket.created_at) \
            if kind == Kind.REPAIR and category else None
        if ticket.repeat_of_id == ticket.pk:
            ticket.repeat_of = None
    _reclock(actor, ticket, before["kind"], old_prefix, now)

    details = {}
    after = {"kind": ticket.kind, "urgency": ticket.urgency, "category": ticket.category, "is_major": ticket.is_major}
    for name, old in before.items():
        new = after[name]
        if old != new:
            shown = (lambda value: str(value) if value is not None else None) if name == "category" else (lambda v: v)
            details[f"{name}_from"], details[f"{name}_to"] = shown(old), shown(new)
    if ticket.owner_says_urgent:
        details["owner_says_urgent"] = True
    return details


def _reclock(actor: Actor, ticket: Ticket, old_kind: str, old_prefix: str, now) -> None:
    """Replace the open clocks whose policy the classification changed, through the SLA engine."""
    if old_kind != ticket.kind:  # only while new: the new kind's first limit, from receipt
        cancelled = sla.cancel_clocks(ticket, actor=actor.user, reason="reclassified")
        _start_first_clock(ticket, actor, min((c.started_at for c in cancelled), default=ticket.created_at))
        return
    new_prefix = _sla_prefix(ticket)
    if new_prefix == old_prefix:
        return
    keys = [key for key in sla.clocks_for(ticket).filter(state__in=("running", "paused")).values_list("key", flat=True)
            if key.startswith(f"{old_prefix}.")]
    for clock in sla.cancel_clocks(ticket, actor=actor.user, reason="reclassified", keys=keys):
        step = clock.key.removeprefix(f"{old_prefix}.")
        start, due = clock.started_at, None  # the step began when it began; only its limit changes
        if ticket.kind == Kind.REPAIR and step == "arrive":
            # An emergency's from receipt; a general repair's from dispatch (when its "done" limit started).
            dispatched = sla.clocks_for(ticket).filter(key__endswith=".complete").order_by("-started_at").first()
            start, due = _arrive_start_and_due(ticket, dispatched.started_at if dispatched else now)
        sla.start_clock(ticket, f"{new_prefix}.{step}", project=ticket.project, at=start, due_at=due,
                        assignee=clock.assignee, actor=actor.user)


# Steps an engineer takes on a job sent to someone else only as a supervisor.
ASSIGNEE_ACTIONS = frozenset({"accept", "arrive", "pause", "resume", "complete"})


def _refusal(actor: Actor, ticket: Ticket, action: str) -> str | None:
    """Why this person may not take `action` on this ticket beyond what the flow table says, or None."""
    if action in OWNER_ONLY_ACTIONS and not actor.is_owner:
        return _("Only the owner rates the repair in the portal; staff record a return visit.")
    if actor.is_superuser:
        return None
    if action == "resolve" and actor.role in HANDLING_DEPARTMENTS and actor.role != ticket.responsible_role:
        return _("Only the responsible department handles this complaint.")
    if action in ASSIGNEE_ACTIONS and actor.role == Role.ENGINEERING and not actor.is_supervisor \
            and ticket.assignee_id not in (None, actor.user.pk):
        return _("This repair is assigned to %(name)s.") % {
            "name": ticket.assignee.get_full_name() or ticket.assignee.username}
    if action == "cancel" and actor.is_owner and ticket.status != Status.NEW:
        return _("Once dispatched, call the service center to cancel.")
    if action in APPROVAL_ACTIONS and actor.role not in approvers(ticket.project):
        return _("In this project company senior management approves a major complaint's resolution.")
    return None


# Approving or rejecting a major complaint's resolution: the project's rule `complaint_approver` says who (seed
# 001: company senior management; a project may give it to its manager). Senior management always may.
APPROVAL_ACTIONS = frozenset({"approve", "reject"})


def approvers(project) -> set[str]:
    """The roles that approve a major complaint's resolution in `project`."""
    return {Role.COMPANY_ADMIN.value, rules_for(project).complaint_approver}


def allowed_actions(actor: Actor, ticket: Ticket) -> list[str]:
    """The actions this person may take on this ticket now — the buttons, and the API's `actions`."""
    actions = available_actions(ticket.kind, ticket.status, actor.role, superuser=actor.is_superuser)
    if actor.is_owner:
        actions = [a for a in actions if a in OWNER_ACTIONS]
    if FEE_ACTIONS.intersection(actions) and (ticket.unit_id is None or not ticket.charge_lines.filter(
            charged_at__isnull=True).exists()):
        actions = [a for a in actions if a not in FEE_ACTIONS]  # no fee to take: no fee buttons
    return [a for a in actions if _refusal(actor, ticket, a) is None]


HANDLERS = {
    "dispatch": _dispatch, "reassign": _reassign, "accept": lambda *args: None, "arrive": _arrive,
    "pause": _pause, "resume": _resume, "complete": _complete, "verify": _verify, "confirm": _confirm,
    "collect_fee": _collect_fee, "charge_fee": _charge_fee, "return_visit": _return_visit, "rate": _rate,
    "close": _close,
    "reopen": _reopen, "cancel": _cancel,
    "classify": _classify,
    "assign": _assign_department, "resolve": _resolve, "approve": _approve, "reject": _reject, "reply": _reply,
}


@transaction.atomic
def perform(actor: Actor, ticket: Ticket, action: str, change: ActionInput | None = None,
            now: datetime | None = None) -> Ticket:
    """Take `action` on `ticket` as `actor`. 403 when the role may not, 409 when the ticket is not in a state
    that allows it or changed since the caller read it (`change.version`)."""
    change = change or ActionInput()
    now = now or timezone.now()
    rule = transition_for(ticket.kind, action)
    if rule is None:
        raise InvalidInput("action", _("%(action)s is not an action on a %(kind)s.") % {
            "action": action, "kind": ticket.get_kind_display()})
    if not actor.is_superuser and (actor.role not in rule.roles or (actor.is_owner and action not in OWNER_ACTIONS)):
        raise NotAllowed(_("Your role may not %(action)s this ticket.") % {"action": action})
    current = Ticket.objects.select_for_update(of=("self",)).select_related("assignee").get(pk=ticket.pk)
    if change.version is not None and change.version != current.version:
        raise StaleTicket(current)
    if current.status not in rule.sources:
        raise StaleTicket(current, _("A %(status)s ticket cannot be %(action)s.") % {
            "status": current.get_status_display(), "action": action})
    refusal = _refusal(actor, current, action)
    if refusal:
        raise NotAllowed(refusal)
    outcome = HANDLERS[action](actor, current, change, now)
    details, target = (outcome if isinstance(outcome, tuple) else (outcome, rule.target))
    if action == "resume":
        target = details["to"]
    previous = current.status
    current.status = target or current.status
    current.version += 1
    current.save()
    record_event(current, f"ticket.{action}", actor=actor.user,
                 data={"from": previous, "to": current.status, **(details or {})})
    return current


class StaleTicket(Conflict):
    """409 carrying the ticket's current state, so the caller can refresh and decide again."""

    def __init__(self, ticket: Ticket, message: str | None = None):
        super().__init__(message or _("The ticket changed meanwhile (now %(status)s, version %(version)s).") % {
            "status": ticket.get_status_display(), "version": ticket.version})
        self.ticket = ticket
        self.current = {"id": ticket.pk, "status": ticket.status, "version": ticket.version}


# -- photos ---------------------------------------------------------------------------------------------------
@transaction.atomic
def attach_photo(actor: Actor, ticket: Ticket, upload, field_name: str = "image"):
    """Keep a photo of the problem (or of the finished work): JPEG, PNG or WebP up to 5 MB, nine per ticket."""
    from .models import Photo

    require(actor, "workorders.create")
    if ticket.status in (Status.CLOSED, Status.CANCELLED):
        raise Conflict(_("The ticket is closed."))
    if upload.size > MAX_PHOTO_BYTES:
        raise InvalidInput(field_name, _("A photo may be at most 5 MB."))
    head = upload.read(16)
    upload.seek(0)
    content_type = photo_type(head)
    if content_type is None:
        raise InvalidInput(field_name, _("Upload a JPEG, PNG or WebP photo."))
    if ticket.photos.count() >= MAX_PHOTOS:
        raise InvalidInput(field_name, _("A ticket keeps at most nine photos."))
    from .photos import reencode

    image, content_type = reencode(upload, field_name)  # what is kept: the pixels, no EXIF/GPS, no payload
    extension = content_type.split("/")[1].replace("jpeg", "jpg")
    image.name = f"{ticket.pk}-{ticket.photos.count() + 1}.{extension}"
    photo = Photo.objects.create(ticket=ticket, image=image, content_type=content_type, size=image.size,
                                 uploaded_by=actor.user)
    record_event(ticket, "ticket.photo_added", actor=actor.user, data={"type": content_type, "bytes": image.size})
    return photo
