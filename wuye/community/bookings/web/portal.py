"""The owner portal's bookings (H5, 390 px): the venues of my community and my household's bookings (cancel until
the deadline); one venue's day as slots to tap (free, taken, mine); booking a tapped slot for one of my homes."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wuye.core.access import get_scoped_or_404
from wuye.core.errors import DomainError, InvalidInput
from wuye.core.validators import digits
from wuye.people.models import Residency
from wuye.web.guards import owner_view

from .. import services as service
from ..models import BookingStatus
from .console import slot_span


def _errors(error: DomainError) -> dict:
    return {problem.field or "form": problem.message for problem in error.problems} or {"form": error.message}


def _homes(actor, venue=None):
    homes = Residency.objects.current().filter(resident_id=actor.resident_id, unit_id__in=actor.unit_ids)
    if venue is not None:
        homes = homes.filter(unit__project_id=venue.project_id)
    return list(homes.select_related("unit__building", "unit__project").order_by("unit_id"))


def _venues(actor):
    return service.venues(actor).filter(is_active=True).select_related("project")


def _rows(actor):
    return service.bookings(actor).select_related("venue", "unit__building")


@owner_view
def h5_list(request):
    actor = request.actor
    now = timezone.now()
    upcoming = list(_rows(actor).filter(status=BookingStatus.BOOKED, ends_at__gte=now).order_by("starts_at", "id")[:50])
    past = list(_rows(actor).exclude(pk__in=[b.pk for b in upcoming]).order_by("-starts_at", "-id")[:20])
    return render(request, "bookings/h5_list.html", {
        "venues": _venues(actor).order_by("project_id", "name"),
        "upcoming": [{"booking": b, "may_cancel": service.may(actor, b, "cancel", now),
                      "deadline": service.cancel_deadline(b)} for b in upcoming],
        "past": past})


def _day(raw, today: date) -> date:
    try:
        day = date.fromisoformat((raw or "")[:10])
    except ValueError:
        return today
    return day if today <= day <= today + timedelta(days=366) else today


@owner_view
def h5_venue(request, pk: int):
    actor = request.actor
    venue = get_scoped_or_404(_venues(actor), actor, pk=pk)
    today = timezone.localdate()
    day = _day(request.GET.get("day"), today)
    return render(request, "bookings/h5_venue.html", {
        "venue": venue, "day": day, "slots": service.availability(actor, venue, day),
        "days": [today + timedelta(days=n) for n in range(venue.window_days + 1)]})


def _book_page(request, venue, start, *, values=None, errors=None, status=200):
    return render(request, "bookings/h5_book.html", {
        "venue": venue, "start": start, "homes": _homes(request.actor, venue), "values": values or {},
        "errors": errors or {},
        "choices": [{"slots": n, "ends_at": start + timedelta(minutes=venue.slot_minutes * n),
                     "fee": venue.fee_per_slot * n} for n in range(1, venue.max_slots + 1)] if start else []},
        status=status)


@owner_view
def h5_book(request, pk: int):
    """GET ?start=: the tapped slot with how many slots, how many people, the purpose; POST books it."""
    actor = request.actor
    venue = get_scoped_or_404(_venues(actor), actor, pk=pk)
    source = request.POST if request.method == "POST" else request.GET
    try:
        start, _end = slot_span(venue, source.get("starts_at") or source.get("start", ""), "1")
    except DomainError:
        start = None
    if request.method != "POST":
        if start is None:
            return redirect(reverse("bookings:h5_venue", args=[pk]))
        return _book_page(request, venue, start)
    post = request.POST
    homes = _homes(actor, venue)
    raw = post.get("unit") or ""
    home = next((h for h in homes if digits(raw) and len(raw) < 10 and h.unit_id == int(raw)),
                homes[0] if len(homes) == 1 else None)
    try:
        if home is None:
            raise InvalidInput("unit", _("Choose one of your own homes in the venue's community."))
        starts_at, ends_at = slot_span(venue, post.get("starts_at", ""), post.get("slots", ""))
        booking = service.book(actor, venue, unit=home.unit, starts_at=starts_at, ends_at=ends_at,
                               people=post.get("people", ""), purpose=post.get("purpose", ""))
    except DomainError as error:
        return _book_page(request, venue, start, values=post, errors=_errors(error), status=error.status)
    messages.success(request, _("Booked. See you there!"))
    return redirect(reverse("bookings:h5_detail", args=[booking.pk]))


def _h5_detail(request, booking, errors=None, status=200):
    from wuye.billing.services import source_bills

    return render(request, "bookings/h5_detail.html", {
        "booking": booking, "may_cancel": service.may(request.actor, booking, "cancel"),
        "deadline": service.cancel_deadline(booking), "bills": source_bills([booking]), "errors": errors or {}},
        status=status)


@owner_view
def h5_detail(request, pk: int):
    return _h5_detail(request, get_scoped_or_404(_rows(request.actor), request.actor, pk=pk))


@require_POST
@owner_view
def h5_cancel(request, pk: int):
    actor = request.actor
    booking = get_scoped_or_404(_rows(actor), actor, pk=pk)
    try:
        service.cancel(actor, booking, reason=request.POST.get("reason", ""))
    except DomainError as error:
        return _h5_detail(request, _rows(actor).get(pk=pk), _errors(error), error.status)
    messages.success(request, _("Booking cancelled."))
    return redirect(reverse("bookings:h5_list"))


urlpatterns = [
    path("h5/bookings/", h5_list, name="h5_list"),
    path("h5/bookings/venues/<int:pk>/", h5_venue, name="h5_venue"),
    path("h5/bookings/venues/<int:pk>/book/", h5_book, name="h5_book"),
    path("h5/bookings/<int:pk>/", h5_detail, name="h5_detail"),
    path("h5/bookings/<int:pk>/cancel/", h5_cancel, name="h5_cancel"),
]
