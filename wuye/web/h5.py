"""The owner portal (/h5/): mobile pages for owners and residents with a portal login."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from wuye.core.access import get_scoped_or_404, scoped
from wuye.core.models import Notification, NotificationKind
from wuye.core.outbox import mark_all_read, mark_read, safe_link
from wuye.people.models import Residency, Resident, Vehicle
from wuye.tenancy.models import Unit

from .console import RELATION_ORDER
from .context import H5_TILES
from .guards import owner_view
from .htmx import is_htmx, render_page
from .inbox import inbox_context, inbox_kind, inbox_url


def _my_residencies(actor):
    return scoped(
        Residency.objects.current().filter(resident_id=actor.resident_id), actor
    ).select_related("unit__building", "unit__project").order_by("unit__project_id", "unit__building_id", "unit_id")


@owner_view
def home(request):
    inbox = Notification.objects.inbox(request.user)
    residencies = list(_my_residencies(request.actor))
    projects = {r.unit.project_id: r.unit.project for r in residencies}
    return render(request, "web/h5/home.html", {
        "residencies": residencies,
        "projects": list(projects.values()),
        "messages_list": inbox[:5],
    })


@owner_view
def unit(request, pk):
    actor = request.actor
    unit = get_scoped_or_404(Unit.objects.with_places(), actor, pk=pk)
    household = scoped(Residency.objects.current().filter(unit=unit), actor).select_related("resident").order_by(
        RELATION_ORDER, "id"
    )
    return render(request, "web/h5/unit.html", {"unit": unit, "household": household, "unit_projects": [unit.project]})


@owner_view
def profile(request):
    actor = request.actor
    # Scoped like any record: an owner whose residencies have all ended keeps the page, without the record.
    resident = scoped(Resident.objects.select_related("project"), actor).filter(pk=actor.resident_id).first()
    return render(request, "web/h5/profile.html", {
        "resident": resident,
        "residencies": _my_residencies(actor),
        "vehicles": scoped(Vehicle.objects.filter(resident_id=actor.resident_id), actor).order_by("plate"),
    })


# Owners get no approvals to decide: their inbox has the other types.
OWNER_KINDS = (NotificationKind.TICKET, NotificationKind.BILLING, NotificationKind.SYSTEM)


@owner_view
def notifications(request):
    return render_page(request, "web/h5/notifications.html", "web/partials/h5_message_list.html",
                       inbox_context(request, "web:h5_notifications", kinds=OWNER_KINDS))


@owner_view
def notification_open(request, pk):
    """Tapping a message: it is read, and the owner lands on the portal page it is about (a portal path only —
    a message that leads nowhere in the portal lands back in the inbox)."""
    message = mark_read(get_object_or_404(Notification.objects.inbox(request.user), pk=pk))
    link = safe_link(message.link)
    return redirect(link if link.startswith("/h5/") else "web:h5_notifications")


@require_POST
@owner_view
def notification_read(request, pk):
    message = mark_read(get_object_or_404(Notification.objects.inbox(request.user), pk=pk))
    if is_htmx(request):
        return render(request, "web/partials/h5_message.html", {"message": message, "oob_badge": True})
    return redirect("web:h5_notifications")


@require_POST
@owner_view
def notifications_read_all(request):
    kind = inbox_kind(request)
    mark_all_read(request.user, kind)
    return redirect(inbox_url("web:h5_notifications", kind))


@owner_view
def coming_soon(request, key):
    tile = H5_TILES.get(key)
    if tile is None or not tile.coming_soon:
        raise Http404
    projects = {r.unit.project_id: r.unit.project for r in _my_residencies(request.actor)}
    return render(request, "web/h5/soon.html", {"tile": tile, "projects": list(projects.values())})
