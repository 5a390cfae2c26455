"""The owner portal (/h5/): mobile pages for owners and residents with a portal login."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from wuye.core.access import get_scoped_or_404, scoped
from wuye.core.models import Notification
from wuye.core.outbox import mark_read
from wuye.people.models import Residency, Resident, Vehicle
from wuye.tenancy.models import Unit

from .console import RELATION_ORDER
from .context import H5_TILES
from .guards import owner_view
from .htmx import is_htmx
from .paging import paginate


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


@owner_view
def notifications(request):
    page = paginate(request, Notification.objects.inbox(request.user), per_page=20)
    return render(request, "web/h5/notifications.html", {"page": page})


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
    Notification.objects.inbox(request.user).unread().update(read_at=timezone.now())
    return redirect("web:h5_notifications")


@owner_view
def coming_soon(request, key):
    tile = H5_TILES.get(key)
    if tile is None or not tile.coming_soon:
        raise Http404
    projects = {r.unit.project_id: r.unit.project for r in _my_residencies(request.actor)}
    return render(request, "web/h5/soon.html", {"tile": tile, "projects": list(projects.values())})
