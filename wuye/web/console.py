"""The staff console (/console/). Each view reads through `scoped()`; rules live in the apps' services."""

from __future__ import annotations

from django.db.models import Case, Count, IntegerField, OuterRef, Prefetch, Subquery, When, prefetch_related_objects
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from wuye.core.access import Role, get_scoped_or_404, scoped
from wuye.core.models import Event, Notification
from wuye.core.outbox import mark_all_read, mark_read, safe_link
from wuye.core.sentences import prepare_events
from wuye.people.models import Relation, Residency, Resident, Vehicle
from wuye.tenancy.models import Building, Project, Unit

from . import workbench
from .context import CONSOLE_NAV
from .forms import ResidentFilterForm, UnitFilterForm
from .guards import staff_view
from .htmx import is_htmx, render_page
from .inbox import inbox_context, inbox_kind, inbox_url
from .paging import paginate
from .search import redirect_posted_search, search_data

# Owners first, then co-owners, tenants and family, wherever residents of a unit are listed.
RELATION_ORDER = Case(
    When(relation=Relation.OWNER, then=0), When(relation=Relation.CO_OWNER, then=1),
    When(relation=Relation.TENANT, then=2), default=3,
)


def _count_per_project(model):
    counts = model.objects.filter(project=OuterRef("pk")).order_by().values("project").annotate(n=Count("pk"))
    return Coalesce(Subquery(counts.values("n"), output_field=IntegerField()), 0)


def _events_in_scope(actor):
    events = Event.objects.select_related("actor").order_by("-created_at", "-id")
    if actor.is_superuser:
        return events
    return events.filter(project_id__in=scoped(Project.objects.all(), actor).values("id"))


FEED_LENGTH = 12


def _card_groups(cards) -> list[dict]:
    """Cards in the order given, those of one group together under its heading (the ungrouped first)."""
    groups: dict[str, list] = {}
    for card in cards:
        groups.setdefault(card.group, []).append(card)
    return [{"title": title, "cards": items} for title, items in groups.items()]


@staff_view()
def dashboard(request):
    """The workbench (工作台): the role's cards, the actor's to-dos by deadline and the events the role acts on —
    all from what the apps register with `wuye.web.workbench`."""
    actor, now = request.actor, timezone.now()
    todos, todo_total = workbench.todos_for(actor, now)
    events = _events_in_scope(actor)
    if (condition := workbench.feed_condition(actor)) is not None:
        events = events.filter(condition)
    return render(request, "web/console/dashboard.html", {
        "card_groups": _card_groups(workbench.cards_for(actor, now)),
        "todos": todos, "todo_total": todo_total, "now": now,
        "events": prepare_events(events[:FEED_LENGTH]),  # names resolved for the sentences in a few queries
        "latest_messages": Notification.objects.inbox(request.user)[:5],
    })


def _console_cards(actor, now) -> list[workbench.Card]:
    """Company administration: its places and staff, each linking to its list."""
    from wuye.people.staff import staff_in_scope

    from .staff import StaffFilterForm

    cards = [
        workbench.Card("web.projects", _("Projects"), scoped(Project.objects.all(), actor).count(),
                       url=reverse("web:projects")),
        workbench.Card("web.units", _("Units"), scoped(Unit.objects.all(), actor).count(), url=reverse("web:units")),
    ]
    if actor.may("people.manage_staff"):
        staff = StaffFilterForm({}, actor=actor).filter(staff_in_scope(actor))
        cards.append(workbench.Card("web.staff", _("Staff accounts"), staff.count(), url=reverse("web:staff")))
    return cards


def register_workbench() -> None:
    workbench.register_cards("web.console", _console_cards, roles={Role.COMPANY_ADMIN}, order=90)


@staff_view(reads="tenancy.places")
def projects(request):
    rows = scoped(Project.objects.all(), request.actor).annotate(
        building_count=_count_per_project(Building),
        unit_count=_count_per_project(Unit),
        resident_count=_count_per_project(Resident),
    )
    return render(request, "web/console/projects.html", {
        "projects": rows, "may_create_projects": request.actor.may("tenancy.manage_projects"),
        "may_import": any(request.actor.may(permission) for permission in (
            "tenancy.manage_places", "people.manage_residents", "people.manage_vehicles"))})


@staff_view(reads="tenancy.places")
def units(request):
    actor = request.actor
    form = UnitFilterForm(request.GET, actor=actor)
    page = paginate(request, form.filter(scoped(Unit.objects.with_places(), actor)))
    rows = list(page.object_list)
    prefetch_related_objects(rows, Prefetch(
        "residencies",
        queryset=scoped(Residency.objects.current(), actor).select_related("resident").order_by(RELATION_ORDER, "id"),
        to_attr="current_residencies",
    ))
    return render_page(request, "web/console/units.html", "web/partials/unit_table.html",
                       {"form": form, "page": page, "rows": rows})


@staff_view(reads="tenancy.places")
def unit_detail(request, pk):
    actor = request.actor
    unit = get_scoped_or_404(Unit.objects.with_places(), actor, pk=pk)
    residencies = list(
        scoped(Residency.objects.filter(unit=unit), actor).select_related("resident").order_by(RELATION_ORDER, "id")
    )
    current = [r for r in residencies if r.ended_on is None]
    vehicles = scoped(Vehicle.objects.filter(resident__in=[r.resident_id for r in current]), actor).select_related(
        "resident"
    )
    return render(request, "web/console/unit_detail.html", {
        "unit": unit,
        "current": current,
        "past": [r for r in residencies if r.ended_on is not None],
        "vehicles": vehicles,
        "may_see_residents": actor.may("people.view_residents"),
    })


@staff_view(reads="people.residents")
def residents(request):
    if request.method == "POST":  # the search may be a phone number: kept out of the URL (web.search)
        return redirect_posted_search(request)
    actor = request.actor
    form = ResidentFilterForm(search_data(request), actor=actor)
    listing = scoped(Resident.objects.with_homes(), actor).select_related("project").prefetch_related("vehicles")
    page = paginate(request, form.filter(listing))
    return render_page(request, "web/console/residents.html", "web/partials/resident_table.html",
                       {"form": form, "page": page, "rows": page.object_list})


@staff_view(reads="people.residents")
def resident_detail(request, pk):
    actor = request.actor
    resident = get_scoped_or_404(Resident.objects.select_related("project"), actor, pk=pk)
    return render(request, "web/console/resident_detail.html", {
        "resident": resident,
        "show_pii": actor.may("people.view_pii"),
        "residencies": scoped(Residency.objects.filter(resident=resident), actor)
        .select_related("unit__building").order_by("ended_on", "-started_on", "id"),
        "vehicles": scoped(Vehicle.objects.filter(resident=resident), actor).order_by("plate"),
    })


@staff_view()
def notifications(request):
    return render_page(request, "web/console/notifications.html", "web/partials/notification_list.html",
                       inbox_context(request, "web:notifications"))


@staff_view()
def notification_open(request, pk):
    """Tapping a message: it is read, and the person lands on the page it is about (a local path only)."""
    message = mark_read(get_object_or_404(Notification.objects.inbox(request.user), pk=pk))
    link = safe_link(message.link)
    return redirect(link if link and not link.startswith("/h5/") else "web:notifications")


@require_POST
@staff_view()
def notification_read(request, pk):
    # A notification belongs to its recipient: the inbox is its scope, anyone else's is a 404.
    message = mark_read(get_object_or_404(Notification.objects.inbox(request.user), pk=pk))
    if is_htmx(request):
        return render(request, "web/partials/notification_row.html", {"message": message, "oob_badge": True})
    return redirect("web:notifications")


@require_POST
@staff_view()
def notifications_read_all(request):
    kind = inbox_kind(request)
    mark_all_read(request.user, kind)
    return redirect(inbox_url("web:notifications", kind))


@staff_view()
def coming_soon(request, key):
    item = CONSOLE_NAV.get(key)
    if item is None or not item.coming_soon:
        raise Http404
    return render(request, "web/console/soon.html", {"item": item})
