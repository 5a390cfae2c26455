"""Paid and convenience services (有偿服务/便民服务, SPEC §7): the project's catalogue with prices, and an owner's
order → the desk accepts it (a work order is opened through `workorders.services.create_ticket`) → the job is done
(the charge is posted through billing with the project's paid-service item, `source=order`) → paid (billing says
so; `settle` follows it) — or cancelled before the job is done.

The states are a table (`TRANSITIONS`): action → (states it leaves, state it reaches, permission). Each action
locks the order, checks the table, writes and records its event in one transaction."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wuye.billing import services as billing
from wuye.billing.charges import paid_service_item
from wuye.billing.runs import notice_lead
from wuye.core.access import Actor, Role, require, scoped
from wuye.core.errors import Conflict, FieldProblem, NotAllowed, Problems
from wuye.core.events import record_event
from wuye.core.money import format_money, to_money
from wuye.core.outbox import notify
from wuye.core.sentences import register_sentences
from wuye.core.validators import clean_text
from wuye.people.services import staff_users
from wuye.workorders.models import PriceItem

from .models import OrderStatus, Pricing, ServiceCategory, ServiceItem, ServiceOrder

S = OrderStatus
QUANTITY_MAX = 99
NOTE_MAX = 200
DESCRIPTION_MAX = 300
NAME_MAX = 60
PRICE_MAX = Decimal("100000.00")
DAYS_AHEAD = 30  # a preferred time: from now to 30 days ahead

# action → (states it leaves, state it reaches, permission of staff taking it)
TRANSITIONS: dict[str, tuple[frozenset, str, str]] = {
    "accept": (frozenset({S.ORDERED}), S.ACCEPTED, "catalogue.accept"),
    "complete": (frozenset({S.ACCEPTED}), S.DONE, "catalogue.fulfil"),
    "settle": (frozenset({S.DONE}), S.PAID, ""),  # billing says the bill is paid (the job `settle_paid_orders`)
    "cancel": (frozenset({S.ORDERED, S.ACCEPTED}), S.CANCELLED, "catalogue.accept"),
}
OPEN_STATES = frozenset({S.ORDERED, S.ACCEPTED})

# The shipped catalogue (seed 003 便民服务项目表 and the paid-repair list): code, category, name, pricing, our
# default price (None: quoted on site; 0: free) or the price-list code it takes its price from, description.
P, H, C, A = ServiceCategory.PAID_REPAIR, ServiceCategory.HOUSEKEEPING, ServiceCategory.CONVENIENCE, \
    ServiceCategory.AGENCY
DEFAULT_CATALOGUE = [
    ("glass", P, "安装玻璃", Pricing.PER_ITEM, "60.00", "门窗玻璃安装，玻璃材料另计"),
    ("exhaust-fan", P, "安装排风扇", Pricing.PER_ITEM, "80.00", "排风扇由业主自备"),
    ("air-conditioner", P, "安装空调", Pricing.PER_ITEM, "150.00", "挂机安装，含打孔；铜管另计"),
    ("lamp", P, "安装灯具", Pricing.PER_ITEM, "40.00", "灯具由业主自备"),
    ("sanitary", P, "安装洗手间洁具", Pricing.PER_ITEM, "100.00", "坐便器、洗手盆等"),
    ("circuit", P, "检修电路", Pricing.PER_JOB, "price:labour-basic", "上门检修，更换材料按价目表另计"),
    ("curtain", P, "修理窗、帘、拉帘", Pricing.PER_JOB, "30.00", ""),
    ("drain", P, "疏通下水管道", Pricing.PER_JOB, "price:drain-clear", ""),
    ("meter", P, "修理/更换电表、水表", Pricing.PER_ITEM, "50.00", "表具由业主自备或按价另计"),
    ("switch", P, "修理、更换开关、插座、电话盒", Pricing.PER_ITEM, "20.00", "面板材料另计"),
    ("floor-wax", H, "木地板打蜡", Pricing.PER_HOUR, "60.00", ""),
    ("plants", H, "室内绿化租摆", Pricing.PER_ITEM, None, "按品种现场报价"),
    ("mail", C, "邮件收递", Pricing.PER_ITEM, "0.00", "快递、邮件代收代发"),
    ("fax", C, "市内收发传真", Pricing.PER_ITEM, "2.00", "每页"),
    ("typing", C, "中英文打字", Pricing.PER_ITEM, "5.00", "每页"),
    ("escort", C, "代接代送客人", Pricing.PER_JOB, None, "按路程现场报价"),
    ("travel", A, "酒店、旅游代订", Pricing.PER_JOB, "0.00", "酒店网络和旅行社提供"),
    ("car-club", A, "代办车友俱乐部入会", Pricing.PER_JOB, None, "证照全托、年检、上门车辆保险等"),
]


# -- the catalogue -----------------------------------------------------------------------------------------------------
@transaction.atomic
def install_default_catalogue(project) -> int:
    """The shipped catalogue with our default prices; idempotent (a code the project has is left as it is).
    Returns how many entries were added."""
    added = 0
    for order, (code, category, name, pricing, price, description) in enumerate(DEFAULT_CATALOGUE, start=1):
        if ServiceItem.objects.filter(project=project, code=code).exists():
            continue
        price_item = None
        if isinstance(price, str) and price.startswith("price:"):
            price_item = PriceItem.objects.filter(project=project, code=price.removeprefix("price:")).first()
            price = None
        ServiceItem.objects.create(project=project, code=code, category=category, name=name, pricing=pricing,
                                   price=None if price is None else Decimal(price), price_item=price_item,
                                   description=description, order=order * 10)
        added += 1
    return added


def items(actor: Actor):
    """The catalogue entries `actor` may see (owners: the active ones of their projects)."""
    return scoped(ServiceItem.objects.all(), actor).select_related("project", "price_item")


def parse_price(value) -> Decimal | None:
    """A price in yuan (0 to 100,000, two decimals at most); "" or None: quoted on site. ValueError otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        price = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(_("Enter an amount in yuan, e.g. 45.00.")) from None
    if not price.is_finite() or price != price.quantize(Decimal("0.01")) or not 0 <= price <= PRICE_MAX:
        raise ValueError(_("Enter an amount from 0 to 100,000 yuan with at most two decimals."))
    return to_money(price)


def _text(problems: Problems, field: str, value, limit: int, *, required=False) -> str:
    """core.validators.clean_text with this module's way of naming what is required."""
    return clean_text(problems, field, value, limit, required=required)


def update_item(actor: Actor, item: ServiceItem, **values) -> ServiceItem:
    """Change a catalogue entry (name, description, price, pricing, active, order) — finance and the project
    manager. A price taken from the repair price list is changed there (422 naming `price`). Recorded old → new;
    orders already taken keep their price."""
    require(actor, "catalogue.manage")
    if not items(actor).filter(pk=item.pk).exists():
        raise Http404
    problems = Problems()
    changes = {}
    if "name" in values:
        changes["name"] = _text(problems, "name", values["name"], NAME_MAX, required=True)
    if "description" in values:
        changes["description"] = _text(problems, "description", values["description"], DESCRIPTION_MAX)
    if "pricing" in values:
        if values["pricing"] not in Pricing.values:
            problems.add("pricing", _("Choose one of: %(choices)s.") % {"choices": ", ".join(Pricing.values)})
        else:
            changes["pricing"] = values["pricing"]
    if "price" in values:
        if item.price_item_id:
            problems.add("price", _("This price is the repair price list's: change it there."))
        else:
            changes["price"] = problems.check("price", parse_price, values["price"])
    if "is_active" in values:
        changes["is_active"] = bool(values["is_active"])
    if "order" in values:
        try:
            order = int(values["order"])
        except (TypeError, ValueError):
            order = -1
        if not 0 <= order <= 9999:
            problems.add("order", _("Enter a number from 0 to 9999."))
        changes["order"] = order
    problems.raise_if_any()
    with transaction.atomic():
        item = ServiceItem.objects.select_for_update().get(pk=item.pk)
        changed = {key: [_plain(getattr(item, key)), _plain(value)] for key, value in changes.items()
                   if getattr(item, key) != value}
        if changed:
            for key, value in changes.items():
                setattr(item, key, value)
            item.save(update_fields=list(changes))
            record_event(item, "catalogue.item_changed", actor=actor.user, project_id=item.project_id,
                         data={"name": item.name, "changed": sorted(changed), **(
                             {"old_price": changed["price"][0], "new_price": changed["price"][1]}
                             if "price" in changed else {})})
    return item


def _plain(value):
    return str(value) if isinstance(value, Decimal) else value


# -- reading orders ----------------------------------------------------------------------------------------------------
def orders(actor: Actor):
    """The orders `actor` may see: staff by project scope, owners their own households'."""
    return scoped(ServiceOrder.objects.all(), actor).select_related("project", "unit__building", "item", "owner",
                                                                    "ticket")


def awaiting_acceptance(actor: Actor):
    """Orders in scope the desk has not accepted yet, oldest first (the desk's to-do)."""
    return orders(actor).filter(status=S.ORDERED).order_by("created_at", "id")


def may(actor: Actor, order: ServiceOrder, action: str) -> bool:
    """Whether `actor` may take `action` on `order` now (the buttons a page shows)."""
    leaves, _target, permission = TRANSITIONS.get(action, (frozenset(), None, None))
    if order.status not in leaves or action == "settle":
        return False
    if action == "cancel" and actor.is_owner:
        return order.status == S.ORDERED and order.unit_id in actor.unit_ids
    return bool(permission) and actor.may(permission)


def actions_for(actor: Actor, order: ServiceOrder) -> list[str]:
    return [action for action in ("accept", "complete", "cancel") if may(actor, order, action)]


def bill_of(order: ServiceOrder):
    """Billing's record of the order's charge: (state, bills, receipts) read live."""
    found = billing.source_bills([order])
    return found


# -- actions -----------------------------------------------------------------------------------------------------------
def _parse_quantity(problems: Problems, value) -> int:
    quantity = value if isinstance(value, int) and not isinstance(value, bool) else (
        int(value) if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 3 else -1)
    if not 1 <= quantity <= QUANTITY_MAX:
        problems.add("quantity", _("Give a quantity from 1 to %(max)s.") % {"max": QUANTITY_MAX})
    return quantity


def place_order(actor: Actor, *, item: ServiceItem, unit, quantity=1, preferred_time: datetime | None = None,
                note: str = "", at: datetime | None = None) -> ServiceOrder:
    """An order of `item` for `unit`: by an owner for one of their homes (portal), or by the desk for a walk-in.
    The price is the catalogue's now (kept on the order); quantity 1–99 (a job priced per job: 1); preferred time
    from now to 30 days ahead; note ≤ 200 characters. Every wrong field is named at once; nothing is written then.
    The desk is told."""
    at = at or timezone.now()
    if actor.is_owner:
        require(actor, "catalogue.order")
    else:
        require(actor, "catalogue.accept")
    problems = Problems()
    if unit is None or (actor.is_owner and unit.pk not in actor.unit_ids) \
            or (not actor.is_owner and not actor.sees_project(unit.project_id)):
        problems.add("unit", _("Choose one of your own homes.") if actor.is_owner else _("Choose a unit."))
    if item is None or not item.is_active or (unit is not None and item.project_id != unit.project_id):
        problems.add("item", _("Choose a service of this community's catalogue."))
    quantity = _parse_quantity(problems, quantity)
    if item is not None and item.pricing == Pricing.PER_JOB and quantity > 1:
        problems.add("quantity", _("This service is priced per job: order one job."))
    if preferred_time is not None:
        if timezone.is_naive(preferred_time):
            problems.add("preferred_time", _("Give the time with its time zone."))
        elif not at - timedelta(minutes=5) <= preferred_time <= at + timedelta(days=DAYS_AHEAD):
            problems.add("preferred_time", _("Choose a time from now to %(days)s days ahead.") % {"days": DAYS_AHEAD})
    note = _text(problems, "note", note, NOTE_MAX)
    problems.raise_if_any()
    with transaction.atomic():
        order = ServiceOrder.objects.create(
            project_id=unit.project_id, unit=unit, owner=actor.user if actor.is_owner else None, item=item,
            quantity=quantity, preferred_time=preferred_time, note=note, unit_price=item.current_price,
            created_at=at)
        record_event(order, "catalogue.ordered", actor=actor.user, project_id=order.project_id, data={
            "service": item.name, "quantity": quantity, "unit": unit.label,
            "estimate": None if order.estimate is None else str(order.estimate), "portal": actor.is_owner})
        if actor.is_owner:
            notify(staff_users(order.project_id, Role.CUSTOMER_SERVICE),
                   _("New service order: %(service)s") % {"service": item.name},
                   _("%(unit)s ordered %(service)s × %(quantity)s.") % {
                       "unit": unit.label, "service": item.name, "quantity": quantity},
                   link=reverse("catalogue:orders") + "?status=ordered", source=order,
                   dedupe_key=f"service-order-{order.pk}")
    return order


def _lock(order: ServiceOrder) -> ServiceOrder:
    return ServiceOrder.objects.select_for_update().select_related("unit__building", "item", "project").get(
        pk=order.pk)


def _begin(actor: Actor, order: ServiceOrder, action: str) -> ServiceOrder:
    """The locked order, after the scope, role and state checks of `action`."""
    if not orders(actor).filter(pk=order.pk).exists():
        raise Http404
    order = _lock(order)
    leaves, _target, permission = TRANSITIONS[action]
    if not (action == "cancel" and actor.is_owner) and not actor.may(permission):
        raise NotAllowed(_("Your role may not do this."))
    if order.status not in leaves:
        message = _("This order is %(status)s; it cannot be changed this way.") % {
            "status": order.get_status_display()}
        raise Conflict(message, [FieldProblem("status", message)])
    return order


def _tell_owner(order: ServiceOrder, subject: str, body: str = "") -> None:
    if order.owner_id:
        notify(order.owner, subject, body, link=reverse("catalogue:h5_order", args=[order.pk]), source=order)


def accept(actor: Actor, order: ServiceOrder, *, at: datetime | None = None) -> ServiceOrder:
    """The desk accepts the order: a repair work order is opened (channel: the portal for an owner's order, the
    front desk for a walk-in's) and linked; the owner is told."""
    from wuye.workorders.models import Channel, Kind
    from wuye.workorders.services import TicketInput, create_ticket

    at = at or timezone.now()
    with transaction.atomic():
        order = _begin(actor, order, "accept")
        price = (_("quoted on site") if order.unit_price is None
                 else format_money(order.unit_price) + "/" + str(Pricing(order.item.pricing).label))
        description = _("Paid service %(service)s × %(quantity)s (%(price)s). %(note)s") % {
            "service": order.item.name, "quantity": order.quantity, "price": price, "note": order.note}
        preferred = order.preferred_time if order.preferred_time and order.preferred_time >= at else None
        ticket = create_ticket(actor, project=order.project, now=at, data=TicketInput(
            kind=Kind.REPAIR, channel=Channel.PORTAL if order.owner_id else Channel.FRONT_DESK,
            description=description.strip(), unit=order.unit, preferred_time=preferred))
        order.status, order.ticket, order.accepted_at = S.ACCEPTED, ticket, at
        order.save(update_fields=["status", "ticket", "accepted_at"])
        record_event(order, "catalogue.accepted", actor=actor.user, project_id=order.project_id,
                     data={"service": order.item.name, "ticket_number": ticket.number})
        _tell_owner(order, _("Your order of %(service)s is accepted") % {"service": order.item.name},
                    _("Work order %(number)s; we will come at the agreed time.") % {"number": ticket.number})
    return order


def complete(actor: Actor, order: ServiceOrder, *, amount=None, at: datetime | None = None) -> ServiceOrder:
    """The job is done: the order's charge — its price × quantity, or for a service quoted on site the `amount`
    agreed (required then, 0–100,000) — is posted to the unit through billing (the project's paid-service item,
    `source=order`, due after the payment-notice lead); a free service is paid at once. The owner sees the bill."""
    at = at or timezone.now()
    with transaction.atomic():
        order = _begin(actor, order, "complete")
        if order.unit_price is None:
            problems = Problems()
            if amount is None or (isinstance(amount, str) and not amount.strip()):
                problems.add("amount", _("Enter the price agreed on site."))
            else:
                amount = problems.check("amount", parse_price, amount)
            problems.raise_if_any()
        else:
            amount = to_money(order.unit_price * order.quantity)
        order.amount, order.done_at = amount, at
        order.status = S.DONE
        if amount > 0:
            due_on = timezone.localdate(at) + notice_lead(order.project)
            billing.post_charge(None, order.unit, paid_service_item(order.project_id), amount, due_on=due_on,
                                source=order, description=f"{order.item.name} × {order.quantity}")
        order.save(update_fields=["amount", "done_at", "status"])
        record_event(order, "catalogue.done", actor=actor.user, project_id=order.project_id,
                     data={"service": order.item.name, "amount": str(amount)})
        if amount > 0:
            _tell_owner(order, _("%(service)s is done") % {"service": order.item.name},
                        _("The bill of %(amount)s is on your account.") % {"amount": format_money(amount)})
        else:
            _settle(order, at)
    return order


def cancel(actor: Actor, order: ServiceOrder, *, reason: str = "", at: datetime | None = None) -> ServiceOrder:
    """Cancel an order not done yet: the owner while it is not accepted, the desk until it is done (a reason
    required from the desk, ≤ 200 characters) — its work order is cancelled with it while the job has not begun."""
    at = at or timezone.now()
    problems = Problems()
    reason = _text(problems, "reason", reason, NOTE_MAX, required=not actor.is_owner)
    problems.raise_if_any()
    with transaction.atomic():
        order = _begin(actor, order, "cancel")
        if actor.is_owner and (order.status != S.ORDERED or order.unit_id not in actor.unit_ids):
            raise Conflict(_("The desk has accepted this order: call the desk to cancel it."),
                           [FieldProblem("status", _("The desk has accepted this order: call the desk to cancel it."))])
        if order.ticket_id:
            _cancel_ticket(actor, order, reason, at)
        order.status, order.cancelled_at, order.cancel_reason = S.CANCELLED, at, reason
        order.save(update_fields=["status", "cancelled_at", "cancel_reason"])
        record_event(order, "catalogue.cancelled", actor=actor.user, project_id=order.project_id,
                     data={"service": order.item.name, "reason": reason, "by_owner": actor.is_owner})
        if not actor.is_owner:
            _tell_owner(order, _("Your order of %(service)s is cancelled") % {"service": order.item.name}, reason)
    return order


def _cancel_ticket(actor: Actor, order: ServiceOrder, reason: str, at: datetime) -> None:
    """The accepted order's work order is cancelled with it, through work orders' own `cancel` action — refused
    (409, nothing written) once the job is under way: it is finished or stopped in work orders first."""
    from wuye.workorders.models import Status as TicketStatus
    from wuye.workorders.services import ActionInput, perform

    if order.ticket.status in (TicketStatus.CANCELLED, TicketStatus.CLOSED):
        return
    perform(actor, order.ticket, "cancel", ActionInput(reason=reason), now=at)


def _settle(order: ServiceOrder, at: datetime) -> None:
    order.status, order.paid_at = S.PAID, at
    order.save(update_fields=["status", "paid_at"])
    record_event(order, "catalogue.paid", project_id=order.project_id,
                 data={"service": order.item.name, "amount": str(order.amount)})


def settle(order: ServiceOrder, *, at: datetime | None = None) -> bool:
    """A done order whose bill billing reports paid becomes paid (once). Returns whether it changed."""
    at = at or timezone.now()
    with transaction.atomic():
        order = _lock(order)
        if order.status != S.DONE:
            return False
        if order.amount and billing.source_bills([order]).state != billing.SourceState.PAID:
            return False
        _settle(order, at)
    return True


def settle_paid_orders(now: datetime | None = None) -> int:
    """Every done order whose bill is paid becomes paid; returns how many did. Safe to run twice at once."""
    return sum(settle(order, at=now) for order in ServiceOrder.objects.filter(status=S.DONE).only("pk"))


# -- sentences ---------------------------------------------------------------------------------------------------------
def _ordered(event, fields) -> str:
    if fields.raw.get("estimate") is None:
        text = _("Ordered %(service)s × %(quantity)s for %(unit)s (quoted on site)") % fields
    else:
        text = _("Ordered %(service)s × %(quantity)s for %(unit)s, about %(estimate)s") % {
            **{key: fields[key] for key in ("service", "quantity", "unit")},
            "estimate": format_money(fields.raw.get("estimate"))}
    return text if fields.raw.get("portal") else _("%(text)s, at the front desk") % {"text": text}


def _cancelled(event, fields) -> str:
    if fields.raw.get("reason"):
        return _("Order of %(service)s cancelled: %(reason)s") % fields
    return _("Order of %(service)s cancelled") % fields


def _item_changed(event, fields) -> str:
    if fields.raw.get("new_price") is not None or fields.raw.get("old_price") is not None:
        def price(key):
            value = fields.raw.get(key)
            return _("quoted on site") if value is None else format_money(value)

        return _("Price of %(name)s changed from %(old)s to %(new)s") % {
            "name": fields["name"], "old": price("old_price"), "new": price("new_price")}
    return _("Catalogue entry %(name)s changed") % fields


register_sentences({
    "catalogue.ordered": (_ordered, {"example": {"service": "安装灯具", "quantity": 2, "unit": "1-1-101",
                                                 "estimate": "80.00", "portal": True}}),
    "catalogue.accepted": (gettext_lazy("Order accepted: work order %(ticket_number)s opened"), {
        "example": {"service": "安装灯具", "ticket_number": "BX202612020001"}}),
    "catalogue.done": (gettext_lazy("%(service)s done, %(amount)s charged"), {
        "example": {"service": "安装灯具", "amount": "80.00"}}),
    "catalogue.paid": (gettext_lazy("%(service)s paid"), {"example": {"service": "安装灯具", "amount": "80.00"}}),
    "catalogue.cancelled": (_cancelled, {"example": {"service": "安装灯具", "reason": "业主改期"}}),
    "catalogue.item_changed": (_item_changed, {"example": {"name": "安装灯具", "changed": ["price"],
                                                           "old_price": "40.00", "new_price": "45.00"}}),
})
