"""Paid services pages: the console's catalogue (prices edited by finance and the manager) and the orders list with
the desk's and engineering's actions; the owner portal's catalogue by category, the order form and "my orders"."""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from wuye.core.access import get_scoped_or_404
from wuye.core.errors import DomainError
from wuye.tenancy.models import Unit
from wuye.web.guards import owner_view, staff_view
from wuye.web.paging import paginate

from .. import services as service
from ..models import OrderStatus, ServiceCategory, ServiceItem

ITEMS, ORDERS = "catalogue.items", "catalogue.orders"


def _errors(error: DomainError) -> dict:
    return {problem.field or "form": problem.message for problem in error.problems} or {"form": error.message}


def _by_category(rows) -> list[tuple[str, list]]:
    grouped = {value: [] for value in ServiceCategory.values}
    for item in rows:
        grouped[item.category].append(item)
    return [(ServiceCategory(key).label, found) for key, found in grouped.items() if found]


# -- console -----------------------------------------------------------------------------------------------------------
@staff_view(reads=ITEMS)
def item_list(request):
    rows = service.items(request.actor).order_by("project__name", "category", "order", "id")
    return render(request, "catalogue/list.html", {
        "groups": _by_category(rows), "may_manage": request.actor.may("catalogue.manage"),
        "pricings": service.Pricing.choices})


@require_POST
@staff_view("catalogue.manage", reads=ITEMS)
def item_edit(request, pk):
    item = get_scoped_or_404(ServiceItem.objects.select_related("price_item"), request.actor, pk=pk)
    values = {"is_active": request.POST.get("is_active") == "on"}
    if not item.price_item_id:
        values["price"] = request.POST.get("price", "")
    if request.POST.get("pricing"):
        values["pricing"] = request.POST["pricing"]
    try:
        service.update_item(request.actor, item, **values)
    except DomainError as error:
        messages.error(request, f"{item.name}：{'；'.join(_errors(error).values())}")
    else:
        messages.success(request, str(_("Saved.")))
    return redirect("catalogue:list")


@staff_view(reads=ORDERS)
def order_list(request):
    rows = service.orders(request.actor)
    status = request.GET.get("status") or ""
    if status in OrderStatus.values:
        rows = rows.filter(status=status)
    else:
        status = ""
    page = paginate(request, rows)
    for order in page.object_list:
        order.actions = service.actions_for(request.actor, order)
    return render(request, "catalogue/orders.html", {
        "page": page, "rows": page.object_list, "statuses": OrderStatus.choices, "status": status})


@require_POST
@staff_view(reads=ORDERS)
def order_action(request, pk, action):
    order = get_scoped_or_404(service.orders(request.actor), request.actor, pk=pk)
    try:
        if action == "accept":
            service.accept(request.actor, order)
        elif action == "complete":
            service.complete(request.actor, order, amount=request.POST.get("amount"))
        elif action == "cancel":
            service.cancel(request.actor, order, reason=request.POST.get("reason", ""))
        else:
            raise DomainError(str(_("Unknown action.")))
    except DomainError as error:
        messages.error(request, "；".join(_errors(error).values()))
    else:
        messages.success(request, str(_("Saved.")))
    return redirect(reverse("catalogue:orders") + (f"?status={request.POST['status']}"
                                                   if request.POST.get("status") in OrderStatus.values else ""))


# -- owner portal ------------------------------------------------------------------------------------------------------
def _homes(actor):
    return list(Unit.objects.filter(pk__in=actor.unit_ids).select_related("building", "project").order_by("id"))


@owner_view
def h5_list(request):
    actor = request.actor
    mine = list(service.orders(actor)[:20])
    return render(request, "catalogue/h5_list.html", {
        "groups": _by_category(service.items(actor).order_by("category", "order", "id")), "orders": mine})


@owner_view
def h5_order_new(request, item_pk):
    actor = request.actor
    item = get_scoped_or_404(ServiceItem.objects.select_related("price_item"), actor, pk=item_pk)
    homes = [home for home in _homes(actor) if home.project_id == item.project_id]
    context = {"item": item, "homes": homes, "values": {}, "errors": {}}
    if request.method != "POST":
        return render(request, "catalogue/h5_order_new.html", context)
    post = request.POST
    unit = next((home for home in homes if str(home.pk) == post.get("unit")), None)
    preferred = None
    raw = (post.get("preferred_time") or "").strip()[:20]
    try:
        if raw:
            preferred = timezone.make_aware(datetime.fromisoformat(raw))
        order = service.place_order(actor, item=item, unit=unit, quantity=(post.get("quantity") or "1").strip(),
                                    preferred_time=preferred, note=post.get("note", ""))
    except ValueError:
        return render(request, "catalogue/h5_order_new.html", {
            **context, "values": post, "errors": {"preferred_time": _("Give a date and time.")}}, status=422)
    except DomainError as error:
        return render(request, "catalogue/h5_order_new.html", {**context, "values": post, "errors": _errors(error)},
                      status=error.status)
    messages.success(request, str(_("Ordered. The desk will call you to confirm.")))
    return redirect("catalogue:h5_order", order.pk)


@owner_view
def h5_order(request, pk):
    actor = request.actor
    order = get_scoped_or_404(service.orders(actor), actor, pk=pk)
    if request.method == "POST":
        try:
            service.cancel(actor, order)
        except DomainError as error:
            messages.error(request, "；".join(_errors(error).values()))
        return redirect("catalogue:h5_order", order.pk)
    bills = service.bill_of(order) if order.amount else None
    return render(request, "catalogue/h5_order.html", {
        "order": order, "bills": bills, "bill_state": bills.state.label if bills else "",
        "may_cancel": service.may(actor, order, "cancel")})


urlpatterns = [
    path("console/community/catalogue/", item_list, name="list"),
    path("console/community/catalogue/<int:pk>/edit", item_edit, name="item_edit"),
    path("console/community/catalogue/orders/", order_list, name="orders"),
    path("console/community/catalogue/orders/<int:pk>/<slug:action>", order_action, name="order_action"),
    path("h5/services/", h5_list, name="h5_list"),
    path("h5/services/<int:item_pk>/order", h5_order_new, name="h5_order_new"),
    path("h5/services/orders/<int:pk>/", h5_order, name="h5_order"),
]
