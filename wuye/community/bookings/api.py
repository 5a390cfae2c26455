"""The facility bookings API (SPEC §7, §9), mounted under /api/v1: venues and a day's slots, bookings (an owner's
own household's; staff by scope), booking, and the steps `cancel`, `used`, `no_show`."""

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from wuye.core.access import get_scoped_or_404, get_scoped_or_invalid, require_read
from wuye.core.api import Mapped, PagePagination
from wuye.core.errors import InvalidInput
from wuye.tenancy.models import Project, Unit

from . import services as service
from .models import Booking, BookingStatus, Venue

router = Router(tags=["bookings"])
ID = {"ge": 1, "le": 2_147_483_647}
BOOKINGS, VENUES = "bookings.bookings", "bookings.venues"


# -- venues ----------------------------------------------------------------------------------------------------------
class VenueOut(Schema):
    id: int
    project_id: int
    project: str
    name: str
    kind: str
    kind_label: str
    place: str
    capacity: int
    hours: list[list[str] | None] = Field(..., description="Monday first: [opening, closing] or null (closed)")
    slot_minutes: int
    max_slots: int
    window_days: int
    notice_hours: int
    cancel_hours: int
    fee_per_slot: Decimal
    rules: str
    is_active: bool


class VenueIn(Schema):
    project: int = Field(..., **ID)
    name: str = Field(..., max_length=service.NAME_MAX)
    kind: str = Field(..., max_length=16)
    place: str = Field("", max_length=service.PLACE_MAX)
    capacity: int = Field(..., ge=1, le=service.CAPACITY_MAX)
    hours: list[list[str] | None] = Field(..., max_length=7)
    slot_minutes: int = Field(..., ge=service.SLOT_MINUTES[0], le=service.SLOT_MINUTES[1])
    max_slots: int = Field(..., ge=1, le=service.MAX_SLOTS_MAX)
    window_days: int = Field(..., ge=1, le=service.WINDOW_MAX)
    notice_hours: int = Field(..., ge=0, le=service.NOTICE_MAX)
    cancel_hours: int = Field(..., ge=0, le=service.CANCEL_MAX)
    fee_per_slot: Decimal = Field(..., ge=0, le=service.FEE_MAX, decimal_places=2)
    rules: str = Field("", max_length=service.RULES_MAX)
    is_active: bool = True


def _venue_out(venue: Venue) -> dict:
    return {
        "id": venue.pk, "project_id": venue.project_id, "project": venue.project.name, "name": venue.name,
        "kind": venue.kind, "kind_label": venue.get_kind_display(), "place": venue.place, "capacity": venue.capacity,
        "hours": venue.hours, "slot_minutes": venue.slot_minutes, "max_slots": venue.max_slots,
        "window_days": venue.window_days, "notice_hours": venue.notice_hours, "cancel_hours": venue.cancel_hours,
        "fee_per_slot": venue.fee_per_slot, "rules": venue.rules, "is_active": venue.is_active,
    }


def _venues(actor):
    return service.venues(actor).select_related("project")


@router.get("/venues", response=list[VenueOut])
@paginate(PagePagination)
def list_venues(request, project: int | None = Query(None, **ID)):
    """The venues the caller may book or manage (an owner: those of their community, open ones only)."""
    require_read(request.actor, VENUES)
    rows = _venues(request.actor)
    if request.actor.is_owner:
        rows = rows.filter(is_active=True)
    if project is not None:
        rows = rows.filter(project_id=project)
    return Mapped(rows, _venue_out)


@router.post("/venues", response={201: VenueOut})
def create_venue(request, payload: VenueIn):
    """Set a venue up (the desk, the project manager): opening hours of each weekday, Monday first, as
    ["08:00", "22:00"] or null; slot length 15–240 minutes; fee per slot 0 (free) or more."""
    require_read(request.actor, VENUES)
    project = get_scoped_or_invalid(Project.objects.all(), request.actor, payload.project, "project")
    values = payload.dict(exclude={"project"})
    venue = service.create_venue(request.actor, project, **values)
    return Status(201, _venue_out(_venues(request.actor).get(pk=venue.pk)))


class BookingSlotOut(Schema):
    starts_at: datetime
    ends_at: datetime
    state: str = Field(..., description="free, taken, mine (the owner's own household's) or unavailable")
    booking_id: int | None = Field(None, description="staff only: the booking holding the slot")
    unit: str = Field("", description="staff only: its unit")


class AvailabilityOut(Schema):
    venue_id: int
    day: date
    open: bool
    slots: list[BookingSlotOut]


@router.get("/venues/{venue_id}/availability", response=AvailabilityOut)
def venue_availability(request, venue_id: int, day: date | None = None):
    """The slots of `day` (default today): free, taken, mine or unavailable. Owners never see whose a slot is."""
    require_read(request.actor, VENUES)
    venue = get_scoped_or_404(_venues(request.actor), request.actor, pk=venue_id)
    day = day or timezone.localdate()
    rows = service.availability(request.actor, venue, day)
    slots = [{"starts_at": row["starts_at"], "ends_at": row["ends_at"], "state": row["state"],
              "booking_id": row["booking"].pk if row["booking"] and request.actor.is_staff_member else None,
              "unit": row["booking"].unit.label if row["booking"] and request.actor.is_staff_member else ""}
             for row in rows]
    return {"venue_id": venue.pk, "day": day, "open": bool(rows), "slots": slots}


# -- bookings --------------------------------------------------------------------------------------------------------
class BookingFilters(Schema):
    project: int | None = Field(None, **ID)
    venue: int | None = Field(None, **ID)
    unit: int | None = Field(None, **ID)
    status: str | None = Field(None, max_length=16)
    day: date | None = Field(None, description="the day the booking starts")


class BookingIn(Schema):
    venue: int = Field(..., **ID)
    unit: int = Field(..., **ID)
    starts_at: datetime
    ends_at: datetime
    people: int = Field(..., ge=1, le=service.CAPACITY_MAX)
    purpose: str = Field("", max_length=service.PURPOSE_MAX)


class BookingActionIn(Schema):
    reason: str = Field("", max_length=service.REASON_MAX, description="cancel: why")


class BookingOut(Schema):
    id: int
    project_id: int
    venue_id: int
    venue: str
    unit_id: int
    unit: str
    starts_at: datetime
    ends_at: datetime
    people: int
    purpose: str
    fee: Decimal
    bill_state: str = Field(..., description="not_billed, unpaid, partly_paid, paid or written_off")
    status: str
    status_label: str
    at_desk: bool
    cancel_reason: str
    cancel_deadline: datetime
    created_at: datetime
    actions: list[str] = Field(..., description="what the caller may do now")


def _booking_out(actor, booking: Booking, now: datetime, bills=None) -> dict:
    from wuye.billing.services import bill_state

    own = bills.of(booking.pk) if bills is not None else []
    return {
        "id": booking.pk, "project_id": booking.project_id, "venue_id": booking.venue_id, "venue": booking.venue.name,
        "unit_id": booking.unit_id, "unit": booking.unit.label, "starts_at": booking.starts_at,
        "ends_at": booking.ends_at, "people": booking.people, "purpose": booking.purpose, "fee": booking.fee,
        "bill_state": bill_state(own).value if bills is not None else "not_billed", "status": booking.status,
        "status_label": booking.get_status_display(), "at_desk": booking.at_desk,
        "cancel_reason": booking.cancel_reason, "cancel_deadline": service.cancel_deadline(booking),
        "created_at": booking.created_at, "actions": service.actions_for(actor, booking, now),
    }


class _Page(Mapped):
    """Rows shaped with their bills read once per page (billing's `source_bills`)."""

    def __getitem__(self, index):
        from wuye.billing.services import source_bills

        rows = list(self.queryset[index])
        bills = source_bills(rows)
        return [self.function(row, bills) for row in rows]


def _bookings(actor):
    return service.bookings(actor).select_related("venue", "unit__building")


def _one(actor, pk: int) -> dict:
    from wuye.billing.services import source_bills

    booking = _bookings(actor).get(pk=pk)
    return _booking_out(actor, booking, timezone.now(), source_bills([booking]))


@router.get("/bookings", response=list[BookingOut])
@paginate(PagePagination)
def list_bookings(request, filters: Query[BookingFilters]):
    """Bookings in scope, by start (an owner: their own household's); filters `project`, `venue`, `unit`,
    `status`, `day`."""
    actor = request.actor
    require_read(actor, BOOKINGS)
    rows = _bookings(actor).order_by("starts_at", "id")
    if filters.project is not None:
        rows = rows.filter(project_id=filters.project)
    if filters.venue is not None:
        rows = rows.filter(venue_id=filters.venue)
    if filters.unit is not None:
        rows = rows.filter(unit_id=filters.unit)
    if filters.status is not None:
        if filters.status not in BookingStatus.values:
            raise InvalidInput("status", _("Choose one of: %(values)s.") % {"values": ", ".join(BookingStatus.values)})
        rows = rows.filter(status=filters.status)
    if filters.day is not None:
        start = timezone.make_aware(datetime.combine(filters.day, datetime.min.time()))
        rows = rows.filter(starts_at__gte=start, starts_at__lt=start + timedelta(days=1))
    now = timezone.now()
    return _Page(rows, lambda booking, bills: _booking_out(actor, booking, now, bills))


@router.post("/bookings", response={201: BookingOut})
def create_booking(request, payload: BookingIn):
    """Book `venue` for `unit` from `starts_at` to `ends_at` (whole slots). An owner for their own home; the desk
    for any unit of the venue's project. A wrong field → 422 naming it; the time already taken → 409 `starts_at`."""
    actor = request.actor
    require_read(actor, BOOKINGS)
    venue = get_scoped_or_invalid(Venue.objects.select_related("project"), actor, payload.venue, "venue")
    unit = get_scoped_or_invalid(Unit.objects.select_related("building"), actor, payload.unit, "unit")
    booking = service.book(actor, venue, unit=unit, starts_at=payload.starts_at, ends_at=payload.ends_at,
                           people=payload.people, purpose=payload.purpose)
    return Status(201, _one(actor, booking.pk))


@router.get("/bookings/{booking_id}", response=BookingOut)
def get_booking(request, booking_id: int):
    require_read(request.actor, BOOKINGS)
    booking = get_scoped_or_404(_bookings(request.actor), request.actor, pk=booking_id)
    return _one(request.actor, booking.pk)


@router.post("/bookings/{booking_id}/actions/{action}", response=BookingOut)
def act(request, booking_id: int, action: str, payload: BookingActionIn | None = None):
    """One step: `cancel` (the household before the deadline, the desk at any time; `reason`), `used`,
    `no_show` (the desk, once the booking has begun)."""
    actor = request.actor
    require_read(actor, BOOKINGS)
    booking = get_scoped_or_404(_bookings(actor), actor, pk=booking_id)
    if action not in service.ACTIONS:
        raise InvalidInput("action", _("Choose one of: %(values)s.") % {"values": ", ".join(service.ACTIONS)})
    service.take(actor, booking, action, reason=payload.reason if payload else "")
    return _one(actor, booking.pk)
