"""The owner portal's visitor pages (H5, 390 px): my visitors (my own households only), the gate's requests to
confirm or decline, registering a visitor ahead and sharing the pass (its page with the QR and code)."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wuye.core.access import get_scoped_or_404
from wuye.core.errors import DomainError
from wuye.people.models import Residency
from wuye.web.guards import owner_view
from wuye.web.paging import paginate

from .. import visitors as service
from ..models import Visitor

OWNER_ACTIONS = {"confirm", "decline", "cancel"}
FIELDS = ("unit", "name", "phone", "plate", "purpose", "party_size", "day", "id_number")


def _homes(actor):
    return list(Residency.objects.current().filter(resident_id=actor.resident_id, unit_id__in=actor.unit_ids)
                .select_related("unit__building", "unit__project").order_by("unit_id"))


@owner_view
def h5_visitors(request):
    """Visitors to my homes: the gate's requests waiting for my answer first, then the newest."""
    visitors = service.visible_visitors(request.actor)
    waiting = list(visitors.filter(status=service.WAITING).order_by("created_at", "id")[:20])
    page = paginate(request, visitors.exclude(pk__in=[v.pk for v in waiting]), per_page=20)
    return render(request, "security/h5/visitors.html", {
        "waiting": waiting, "page": page, "rows": page.object_list, "has_home": bool(request.actor.unit_ids),
    })


def _form(request, values=None, errors=None, status=None):
    today = timezone.localdate()
    return render(request, "security/h5/visitors_new.html", {
        "homes": _homes(request.actor), "values": values or {"day": today.isoformat(), "party_size": 1},
        "errors": errors or {}, "today": today, "last_day": today + timedelta(days=service.DAYS_AHEAD_MAX),
        "party_max": service.PARTY_MAX,
    }, status=status)


@owner_view
def h5_visitor_new(request):
    """GET: register a visitor ahead; POST: the pass is made and shown to share."""
    if request.method != "POST":
        return _form(request)
    actor = request.actor
    values = {name: request.POST.get(name, "")[:200] for name in FIELDS}
    errors = {}
    raw = values["unit"]
    home = next((h for h in _homes(actor) if str(h.unit_id) == raw), None)
    if home is None:
        errors["unit_id"] = _("Choose one of your homes.")
    try:
        day = date.fromisoformat(values["day"][:10]) if values["day"] else timezone.localdate()
    except ValueError:
        errors["valid_until"] = _("Give a date as 2026-12-03.")
        day = None
    if errors:
        return _form(request, values, errors, status=422)
    try:
        visitor = service.register_visitor(
            actor, project=home.unit.project, unit=home.unit, name=values["name"], id_type="resident_id",
            id_number=values["id_number"], purpose=values["purpose"], phone=values["phone"], plate=values["plate"],
            party_size=values["party_size"] or 1, valid_until=service.end_of_day(day), pre_registered=True)
    except DomainError as error:
        errors = {p.field or "form": p.message for p in error.problems} or {"form": error.message}
        return _form(request, values, errors, status=error.status)
    messages.success(request, _("Registered. Share the pass with your visitor."))
    return redirect(reverse("security:h5_visitor", args=[visitor.pk]))


def _detail(request, visitor: Visitor, error: str = "", status=None):
    visitor = Visitor.objects.select_related("project", "unit__building").get(pk=visitor.pk)
    return render(request, "security/h5/visitors_detail.html", {
        "visitor": visitor, "actions": service.allowed_actions(request.actor, visitor), "error": error,
        "pass_link": request.build_absolute_uri(service.pass_url(visitor)),
        "shareable": visitor.status in (service.EXPECTED, service.WAITING, service.INSIDE),
    }, status=status)


@owner_view
def h5_visitor(request, pk: int):
    return _detail(request, get_scoped_or_404(Visitor.objects.all(), request.actor, pk=pk))


@require_POST
@owner_view
def h5_visitor_action(request, pk: int, action: str):
    """Confirm or decline the gate's request, or cancel a visit registered ahead."""
    if action not in OWNER_ACTIONS:
        raise Http404
    visitor = get_scoped_or_404(Visitor.objects.all(), request.actor, pk=pk)
    act = {"confirm": service.confirm_visit, "decline": service.decline_visit, "cancel": service.cancel_visit}[action]
    try:
        visitor = act(request.actor, visitor)
    except DomainError as error:
        return _detail(request, visitor, error.message, status=error.status)
    messages.success(request, {"confirm": _("Confirmed: the gate lets your visitor in."),
                               "decline": _("Declined: the gate does not let the visitor in."),
                               "cancel": _("The visit is cancelled.")}[action])
    return redirect(reverse("security:h5_visitor", args=[visitor.pk]))


urlpatterns = [
    path("h5/visitors/", h5_visitors, name="h5_visitors"),
    path("h5/visitors/new/", h5_visitor_new, name="h5_visitor_new"),
    path("h5/visitors/<int:pk>/", h5_visitor, name="h5_visitor"),
    path("h5/visitors/<int:pk>/<slug:action>/", h5_visitor_action, name="h5_visitor_action"),
]
