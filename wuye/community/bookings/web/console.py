"""Console pages of facility bookings: today's and upcoming bookings by venue, one booking with its timeline and
the desk's steps, the venues (set up, change, close), and one venue's day with its slots and a form to book a slot
for a household that calls or walks in."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wuye.core.access import get_scoped_or_404, scoped
from wuye.core.errors import DomainError, InvalidInput
from wuye.core.validators import check_plausible_date, digits
from wuye.tenancy.models import Project, Unit
from wuye.web.guards import staff_view
from wuye.web.paging import paginate

from .. import services as service
from ..models import BookingStatus, VenueKind
from ..services import WEEKDAYS

BOOKINGS, VENUES = "bookings.bookings", "bookings.venues"
SEARCH_MAX = 40


def _errors(error: DomainError) -> dict:
    return {problem.field or "form": problem.message for problem in error.problems} or {"form": error.message}


def _day(raw) -> date | None:
    try:
        day = date.fromisoformat((raw or "")[:10])
    except ValueError:
        return None
    try:
        return check_plausible_date(day)  # the project's one date window
    except ValueError:
        return None


def _rows(actor):
    return service.bookings(actor).select_related("venue", "unit__building", "project", "user")


def booking_rows(actor, *, day: date | None, status: str, venue_id: int | None, today: date):
    """The list's rows: a day's bookings, or from today on; by venue, then start. The workbench card counts the
    same rows (`services.bookings_on` = day + booked)."""
    rows = _rows(actor)
    start = timezone.make_aware(datetime.combine(day or today, datetime.min.time()))
    rows = rows.filter(starts_at__gte=start)
    if day:
        rows = rows.filter(starts_at__lt=start + timedelta(days=1))
    if status:
        rows = rows.filter(status=status)
    if venue_id:
        rows = rows.filter(venue_id=venue_id)
    return rows.order_by("venue__name", "venue_id", "starts_at", "id")



# -- bookings --------------------------------------------------------------------------------------------------------
@staff_view(reads=BOOKINGS)
def booking_list(request):
    actor = request.actor
    today = timezone.localdate()
    day = _day(request.GET.get("day"))
    status = request.GET.get("status") or ""
    if status not in BookingStatus.values:
        status = ""
    raw = request.GET.get("venue") or ""
    venue_id = int(raw) if digits(raw) and len(raw) < 10 else None
    rows = booking_rows(actor, day=day, status=status, venue_id=venue_id, today=today)
    page = paginate(request, rows)
    return render(request, "bookings/list.html", {
        "page": page, "rows": page.object_list, "day": day, "status": status, "venue_id": venue_id,
        "statuses": BookingStatus.choices, "today": today,
        "venues": service.venues(actor).select_related("project").order_by("project_id", "name"),
        "may_manage_venues": actor.may("bookings.manage_venues")})


def _detail(request, booking, errors=None, status=200):
    from wuye.billing.services import source_bills
    from wuye.core.events import timeline

    return render(request, "bookings/detail.html", {
        "booking": booking, "actions": service.actions_for(request.actor, booking),
        "deadline": service.cancel_deadline(booking), "bills": source_bills([booking]),
        "events": list(timeline(booking)), "errors": errors or {}}, status=status)


@staff_view(reads=BOOKINGS)
def booking_detail(request, pk: int):
    return _detail(request, get_scoped_or_404(_rows(request.actor), request.actor, pk=pk))


@require_POST
@staff_view(reads=BOOKINGS)
def booking_action(request, pk: int, action: str):
    actor = request.actor
    booking = get_scoped_or_404(_rows(actor), actor, pk=pk)
    if action not in service.ACTIONS:
        raise Http404
    try:
        service.take(actor, booking, action, reason=request.POST.get("reason", ""))
    except DomainError as error:
        return _detail(request, _rows(actor).get(pk=pk), _errors(error), error.status)
    messages.success(request, _("Done."))
    return redirect(reverse("bookings:detail", args=[pk]))


# -- venues ----------------------------------------------------------------------------------------------------------
def _venue_form(post) -> dict:
    """The venue form's values as the service takes them (hours: seven rows of opening and closing time)."""
    hours = []
    for number in range(WEEKDAYS):
        opens, closes = (post.get(f"open_{number}", "").strip()[:5], post.get(f"close_{number}", "").strip()[:5])
        hours.append([opens, closes] if opens or closes else None)
    values = {field: post.get(field, "")[:1000] for field in (
        "name", "kind", "place", "capacity", "slot_minutes", "max_slots", "window_days", "notice_hours",
        "cancel_hours", "fee_per_slot", "rules")}
    values["hours"] = hours
    values["is_active"] = post.get("is_active") == "on"
    return values


def _weekday_rows(hours, post=None) -> list[dict]:
    names = [_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"), _("Sunday")]
    rows = []
    for number, name in enumerate(names):
        if post is not None:
            opens, closes = post.get(f"open_{number}", ""), post.get(f"close_{number}", "")
        else:
            entry = hours[number] if hours and len(hours) == WEEKDAYS and hours[number] else ["", ""]
            opens, closes = entry
        rows.append({"number": number, "name": name, "open": opens[:5], "close": closes[:5]})
    return rows


@staff_view(reads=VENUES)
def venue_list(request):
    actor = request.actor
    projects = list(scoped(Project.objects.active(), actor).only("id", "name").order_by("name"))
    context = {"venues": service.venues(actor).select_related("project").order_by("project_id", "name"),
               "projects": projects, "kinds": VenueKind.choices, "errors": {}, "values": {"is_active": True},
               "weekdays": _weekday_rows(None), "may_manage": actor.may("bookings.manage_venues")}
    if request.method != "POST":
        return render(request, "bookings/venues.html", context)
    if not actor.may("bookings.manage_venues"):
        raise Http404
    raw = request.POST.get("project") or ""
    project = next((one for one in projects if digits(raw) and len(raw) < 10 and one.pk == int(raw)), None)
    try:
        if project is None:
            raise InvalidInput("project", _("Choose the project."))
        venue = service.create_venue(actor, project, **_venue_form(request.POST))
    except DomainError as error:
        return render(request, "bookings/venues.html", {
            **context, "errors": _errors(error), "values": request.POST,
            "weekdays": _weekday_rows(None, request.POST)}, status=error.status)
    messages.success(request, _("Venue set up."))
    return redirect(reverse("bookings:venue", args=[venue.pk]))


def _venue_page(request, venue, *, errors=None, values=None, edit_post=None, status=200):
    actor = request.actor
    today = timezone.localdate()
    day = _day(request.GET.get("day")) or today
    return render(request, "bookings/venue.html", {
        "venue": venue, "day": day, "slots": service.availability(actor, venue, day),
        "days": [today + timedelta(days=n) for n in range(venue.window_days + 1)],
        "previous": day - timedelta(days=1), "next": day + timedelta(days=1),
        "errors": errors or {}, "values": values or {}, "kinds": VenueKind.choices,
        "weekdays": _weekday_rows(venue.hours, edit_post), "edit": edit_post or {},
        "may_book": actor.may("bookings.manage") and venue.is_active,
        "may_manage": actor.may("bookings.manage_venues"),
        "counts": range(1, venue.max_slots + 1)}, status=status)


@staff_view(reads=VENUES)
def venue_detail(request, pk: int):
    return _venue_page(request, get_scoped_or_404(service.venues(request.actor).select_related("project"),
                                                  request.actor, pk=pk))


def _find_unit(venue, text: str):
    """A unit of the venue's project by its label as staff say it (1-1-101: building 1, number 1-101)."""
    text = (text or "").strip()[:SEARCH_MAX]
    building, dash, number = text.partition("-")
    if not dash or not building or not number:
        return None
    return Unit.objects.filter(project_id=venue.project_id, building__number=building, number=number).select_related(
        "building").first()


@require_POST
@staff_view("bookings.manage", reads=BOOKINGS)
def venue_book(request, pk: int):
    """The desk books slots of the venue for a unit (typed as 1-1-101)."""
    actor = request.actor
    venue = get_scoped_or_404(service.venues(actor).select_related("project"), actor, pk=pk)
    post = request.POST
    try:
        unit = _find_unit(venue, post.get("unit", ""))
        if unit is None:
            raise InvalidInput("unit", _("No such unit: type it as building-number, e.g. 1-1-101."))
        starts_at, ends_at = slot_span(venue, post.get("starts_at", ""), post.get("slots", ""))
        booking = service.book(actor, venue, unit=unit, starts_at=starts_at, ends_at=ends_at,
                               people=post.get("people", ""), purpose=post.get("purpose", ""))
    except DomainError as error:
        return _venue_page(request, venue, errors=_errors(error), values=post, status=error.status)
    messages.success(request, _("Booked."))
    return redirect(reverse("bookings:detail", args=[booking.pk]))


def slot_span(venue, starts_at: str, slots: str):
    """A form's first slot (ISO time) and number of slots as the service's `starts_at` and `ends_at`."""
    try:
        start = datetime.fromisoformat((starts_at or "").strip()[:40])
    except ValueError:
        raise InvalidInput("starts_at", _("Choose a free slot.")) from None
    if timezone.is_naive(start):
        start = timezone.make_aware(start)
    count = int(slots) if digits(slots) and len(slots) < 4 else 0
    if not 1 <= count <= venue.max_slots:
        raise InvalidInput("ends_at", _("Book at most %(count)s slots at a time.") % {"count": venue.max_slots})
    return start, start + timedelta(minutes=venue.slot_minutes * count)


@require_POST
@staff_view("bookings.manage_venues", reads=VENUES)
def venue_edit(request, pk: int):
    actor = request.actor
    venue = get_scoped_or_404(service.venues(actor).select_related("project"), actor, pk=pk)
    try:
        service.update_venue(actor, venue, **_venue_form(request.POST))
    except DomainError as error:
        return _venue_page(request, venue, errors=_errors(error), edit_post=request.POST, status=error.status)
    messages.success(request, _("Venue saved."))
    return redirect(reverse("bookings:venue", args=[pk]))


urlpatterns = [
    path("console/community/bookings/", booking_list, name="list"),
    path("console/community/bookings/venues/", venue_list, name="venues"),
    path("console/community/bookings/venues/<int:pk>/", venue_detail, name="venue"),
    path("console/community/bookings/venues/<int:pk>/book/", venue_book, name="venue_book"),
    path("console/community/bookings/venues/<int:pk>/edit/", venue_edit, name="venue_edit"),
    path("console/community/bookings/<int:pk>/", booking_detail, name="detail"),
    path("console/community/bookings/<int:pk>/<slug:action>/", booking_action, name="action"),
]
