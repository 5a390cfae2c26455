"""The paid services API (SPEC §7, §9), mounted under /api/v1: the catalogue with prices, owners' orders and the
desk's and engineering's actions on them."""

from datetime import datetime
from decimal import Decimal

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from wuye.core.access import get_scoped_or_404, get_scoped_or_invalid, require_read
from wuye.core.api import Mapped, PagePagination
from wuye.core.errors import InvalidInput
from wuye.tenancy.models import Unit

from . import services as service
from .models import OrderStatus, ServiceCategory, ServiceItem, ServiceOrder

router = Router(tags=["catalogue"])
ID = {"ge": 1, "le": 2_147_483_647}
ITEMS, ORDERS = "catalogue.items", "catalogue.orders"
ACTIONS = ("accept", "complete", "cancel")


class ItemFilters(Schema):
    project: int | None = Field(None, **ID)
    category: str | None = Field(None, max_length=20)


class ServiceItemOut(Schema):
    id: int
    project_id: int
    category: str
    category_label: str
    name: str
    pricing: str
    pricing_label: str
    price: Decimal | None = Field(..., description="yuan; null: quoted on site")
    from_price_list: bool
    description: str
    is_active: bool


class ServiceItemPatch(Schema):
    name: str | None = Field(None, max_length=service.NAME_MAX)
    description: str | None = Field(None, max_length=service.DESCRIPTION_MAX)
    pricing: str | None = Field(None, max_length=10)
    price: str | None = Field(None, max_length=20, description="yuan; \"\" for quoted on site")
    is_active: bool | None = None


class OrderFilters(Schema):
    project: int | None = Field(None, **ID)
    status: str | None = Field(None, max_length=12)


class OrderIn(Schema):
    item: int = Field(..., **ID)
    unit: int = Field(..., **ID)
    quantity: int = Field(1, ge=1, le=service.QUANTITY_MAX)
    preferred_time: datetime | None = None
    note: str = Field("", max_length=service.NOTE_MAX)


class OrderActionIn(Schema):
    amount: str | None = Field(None, max_length=20, description="complete: the price agreed on site (quoted items)")
    reason: str = Field("", max_length=service.NOTE_MAX, description="cancel")


class OrderOut(Schema):
    id: int
    project_id: int
    unit_id: int
    unit: str
    item_id: int
    service: str
    quantity: int
    unit_price: Decimal | None
    estimate: Decimal | None
    amount: Decimal | None
    preferred_time: datetime | None
    note: str
    status: str
    status_label: str
    ticket: str | None = Field(..., description="the work order's number, once accepted")
    bill_state: str = Field(..., description="billing's state of the order's charge")
    created_at: datetime
    actions: list[str]


def _item_out(item: ServiceItem) -> dict:
    return {"id": item.pk, "project_id": item.project_id, "category": item.category,
            "category_label": item.get_category_display(), "name": item.name, "pricing": item.pricing,
            "pricing_label": item.get_pricing_display(), "price": item.current_price,
            "from_price_list": bool(item.price_item_id), "description": item.description,
            "is_active": item.is_active}


def _order_out(actor, order: ServiceOrder) -> dict:
    state = service.bill_of(order).state if order.status in (OrderStatus.DONE, OrderStatus.PAID) else "not_billed"
    return {"id": order.pk, "project_id": order.project_id, "unit_id": order.unit_id, "unit": order.unit.label,
            "item_id": order.item_id, "service": order.item.name, "quantity": order.quantity,
            "unit_price": order.unit_price, "estimate": order.estimate, "amount": order.amount,
            "preferred_time": order.preferred_time, "note": order.note, "status": order.status,
            "status_label": order.get_status_display(), "ticket": order.ticket.number if order.ticket_id else None,
            "bill_state": str(state), "created_at": order.created_at, "actions": service.actions_for(actor, order)}


@router.get("/services", response=list[ServiceItemOut])
@paginate(PagePagination)
def list_services(request, filters: Query[ItemFilters]):
    """The catalogue of the projects in scope (owners: the active services of their communities), by category."""
    require_read(request.actor, ITEMS)
    rows = service.items(request.actor)
    if filters.project is not None:
        rows = rows.filter(project_id=filters.project)
    if filters.category is not None:
        if filters.category not in ServiceCategory.values:
            raise InvalidInput("category", _("Choose one of: %(choices)s.") % {
                "choices": ", ".join(ServiceCategory.values)})
        rows = rows.filter(category=filters.category)
    return Mapped(rows, _item_out)


@router.patch("/services/{item_id}", response=ServiceItemOut)
def update_service(request, item_id: int, payload: ServiceItemPatch):
    """Change a catalogue entry's price, name, pricing or description, or withdraw it (finance, the manager)."""
    require_read(request.actor, ITEMS)
    item = get_scoped_or_404(ServiceItem.objects.select_related("price_item"), request.actor, pk=item_id)
    values = payload.dict(exclude_unset=True)
    return _item_out(service.update_item(request.actor, item, **values))


@router.get("/service-orders", response=list[OrderOut])
@paginate(PagePagination)
def list_orders(request, filters: Query[OrderFilters]):
    """Service orders in scope, latest first (owners: their own homes')."""
    require_read(request.actor, ORDERS)
    rows = service.orders(request.actor)
    if filters.project is not None:
        rows = rows.filter(project_id=filters.project)
    if filters.status is not None:
        if filters.status not in OrderStatus.values:
            raise InvalidInput("status", _("Choose one of: %(choices)s.") % {"choices": ", ".join(OrderStatus.values)})
        rows = rows.filter(status=filters.status)
    return Mapped(rows, lambda order: _order_out(request.actor, order))


@router.post("/service-orders", response={201: OrderOut})
def create_order(request, payload: OrderIn):
    """Order a service for a unit: an owner for one of their homes, the desk for a walk-in."""
    actor = request.actor
    require_read(actor, ORDERS)
    unit = get_scoped_or_invalid(Unit.objects.select_related("project", "building"), actor, payload.unit, "unit")
    item = get_scoped_or_invalid(ServiceItem.objects.select_related("price_item"), actor, payload.item, "item")
    order = service.place_order(actor, item=item, unit=unit, quantity=payload.quantity,
                                preferred_time=payload.preferred_time, note=payload.note)
    return Status(201, _order_out(actor, service.orders(actor).get(pk=order.pk)))


@router.get("/service-orders/{order_id}", response=OrderOut)
def get_order(request, order_id: int):
    require_read(request.actor, ORDERS)
    return _order_out(request.actor, get_scoped_or_404(service.orders(request.actor), request.actor, pk=order_id))


@router.post("/service-orders/{order_id}/actions/{action}", response=OrderOut)
def act_on_order(request, order_id: int, action: str, payload: OrderActionIn | None = None):
    """`accept` (the desk: opens the work order), `complete` (the job done: the charge goes to billing; `amount`
    for a service quoted on site), `cancel` (`reason` from the desk; the owner while not accepted)."""
    actor = request.actor
    require_read(actor, ORDERS)
    order = get_scoped_or_404(service.orders(actor), actor, pk=order_id)
    payload = payload or OrderActionIn()
    if action not in ACTIONS:
        raise InvalidInput("action", _("Choose one of: %(choices)s.") % {"choices": ", ".join(ACTIONS)})
    if action == "accept":
        service.accept(actor, order)
    elif action == "complete":
        service.complete(actor, order, amount=payload.amount)
    else:
        service.cancel(actor, order, reason=payload.reason)
    return _order_out(actor, service.orders(actor).get(pk=order.pk))
