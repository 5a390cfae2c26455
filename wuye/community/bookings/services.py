"""Facility bookings (场地预约, SPEC §7): the desk sets up a project's venues — opening hours per weekday, slot length,
most slots per booking, how many days ahead and how many hours' notice, the fee per slot and the free-cancellation
deadline; owners book a venue of their community in the portal for their own household, the desk books for a unit
that calls; a booking is cancelled (by the household before the deadline, by the desk at any time), or marked used
or a no-show by the desk once it has begun.

Rules, each a 422 naming its field before anything is written: a booking covers whole consecutive slots inside the
day's opening hours (`starts_at` on a slot start, `ends_at` on a slot end), at most `max_slots` of them, starts
`notice_hours` from now at the earliest (owners; the desk books at short notice, never in the past) and on a day at
most `window_days` ahead; `people` 1 … capacity. A slot already taken is a 409 naming `starts_at`: the venue's row is
locked while booking, and `BookingSlot`'s unique (venue, slot start) refuses the second of two bookings on any
database whatever happens above it.

Money: a booking of a venue with a fee is charged through billing (`post_charge(..., source=booking)`, the project's
paid-service item — billing has no item for venue hire). A cancellation before the deadline gives it back the way
billing does it: a write-off request for what is unpaid and a refund request for what was paid, both approved in
billing; a desk person without those permissions leaves finance a message to do it. After the deadline (and for a
no-show) the fee stands.

The states are a table (`TRANSITIONS`): action → (states it leaves, state it reaches); who may take it is `may`."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wuye.core.access import Actor, Role, require, scoped
from wuye.core.errors import Conflict, FieldProblem, InvalidInput, Problems
from wuye.core.events import record_event
from wuye.core.money import format_money, to_money
from wuye.core.outbox import notify
from wuye.core.sentences import register_formatter, register_sentences, register_terms
from wuye.core.validators import check_plausible_date, clean_text

from .models import Booking, BookingSlot, BookingStatus, Venue, VenueKind

S = BookingStatus
NAME_MAX, PLACE_MAX, RULES_MAX, PURPOSE_MAX, REASON_MAX = 40, 100, 1000, 100, 200
SLOT_MINUTES = (15, 240)  # the table's check constraint
CAPACITY_MAX, MAX_SLOTS_MAX, WINDOW_MAX, NOTICE_MAX, CANCEL_MAX = 500, 24, 90, 168, 168
FEE_MAX = Decimal("10000.00")
WEEKDAYS = 7  # Venue.hours: Monday first

# action → (states it leaves, state it reaches). Who may take it: `may`.
TRANSITIONS: dict[str, tuple[frozenset, str]] = {
    "cancel": (frozenset({S.BOOKED}), S.CANCELLED),
    "used": (frozenset({S.BOOKED}), S.USED),
    "no_show": (frozenset({S.BOOKED}), S.NO_SHOW),
}
ACTIONS = tuple(TRANSITIONS)


# -- reading ---------------------------------------------------------------------------------------------------------
def venues(actor: Actor):
    """The venues `actor` may see: staff by project scope, an owner those of the projects they live in."""
    return scoped(Venue.objects.all(), actor)


def bookings(actor: Actor):
    """The bookings `actor` may see: staff by project scope, an owner only their own household's."""
    return scoped(Booking.objects.all(), actor)


def bookings_on(actor: Actor, day: date):
    """Live bookings (booked) in scope that start on `day` — the desk's "bookings today" and the list it opens."""
    start = _local(day, time(0))
    return bookings(actor).filter(status=S.BOOKED, starts_at__gte=start, starts_at__lt=start + timedelta(days=1))


def _local(day: date, at: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, at))


def opening(venue: Venue, day: date) -> tuple[datetime, datetime] | None:
    """The venue's opening and closing moment on `day`, or None when it is closed that weekday."""
    hours = venue.hours or []
    entry = hours[day.weekday()] if len(hours) == WEEKDAYS else None
    if not entry:
        return None
    return _local(day, time.fromisoformat(entry[0])), _local(day, time.fromisoformat(entry[1]))


def day_slots(venue: Venue, day: date) -> list[tuple[datetime, datetime]]:
    """The slots of `day`: from the opening time, every `slot_minutes`, each ending by the closing time."""
    hours = opening(venue, day)
    if hours is None:
        return []
    start, close = hours
    step = timedelta(minutes=venue.slot_minutes)
    slots = []
    while start + step <= close:
        slots.append((start, start + step))
        start += step
    return slots


def earliest_start(actor: Actor, venue: Venue, now: datetime) -> datetime:
    """The earliest moment `actor` may book a slot of `venue` to start: `notice_hours` ahead for owners, now for the
    desk."""
    return now + timedelta(hours=venue.notice_hours) if actor.is_owner else now


def last_day(venue: Venue, now: datetime) -> date:
    """The last day `venue` may be booked for (`window_days` after today)."""
    return timezone.localdate(now) + timedelta(days=venue.window_days)


def availability(actor: Actor, venue: Venue, day: date, now: datetime | None = None) -> list[dict]:
    """The slots of `day` as `actor` may see them: each {starts_at, ends_at, state, booking} — state "free",
    "taken", "mine" (the owner's own household's) or "unavailable" (past, too short notice or beyond the window).
    Staff get the booking that holds a taken slot; owners never learn whose it is."""
    now = now or timezone.now()
    slots = day_slots(venue, day)
    if not slots:
        return []
    held = BookingSlot.objects.filter(venue=venue, slot_start__gte=slots[0][0], slot_start__lt=slots[-1][1])
    taken = {row.slot_start: row.booking for row in held.select_related("booking__unit__building")}
    earliest, latest = earliest_start(actor, venue, now), last_day(venue, now)
    rows = []
    for start, end in slots:
        booking = taken.get(start)
        if booking is not None:
            state = "mine" if actor.is_owner and booking.unit_id in actor.unit_ids else "taken"
        elif start < earliest or day > latest or not venue.is_active:
            state = "unavailable"
        else:
            state = "free"
        rows.append({"starts_at": start, "ends_at": end, "state": state,
                     "booking": booking if actor.is_staff_member or state == "mine" else None})
    return rows


def cancel_deadline(booking: Booking) -> datetime:
    """Until when a booking may be cancelled free of charge (and, by its household, at all)."""
    return booking.starts_at - timedelta(hours=booking.venue.cancel_hours)


def may(actor: Actor, booking: Booking, action: str, now: datetime | None = None) -> bool:
    """Whether `actor` may take `action` on `booking` now (the buttons a page shows)."""
    now = now or timezone.now()
    leaves, _target = TRANSITIONS.get(action, (frozenset(), None))
    if booking.status not in leaves:
        return False
    if action == "cancel":
        if actor.is_owner:
            return actor.may("bookings.own") and booking.unit_id in actor.unit_ids and now < cancel_deadline(booking)
        return actor.may("bookings.manage")
    return actor.may("bookings.manage") and now >= booking.starts_at


def actions_for(actor: Actor, booking: Booking, now: datetime | None = None) -> list[str]:
    return [action for action in ACTIONS if may(actor, booking, action, now)]


# -- input -----------------------------------------------------------------------------------------------------------
def _text(problems: Problems, field: str, value, limit: int, *, required: str = "") -> str:
    """core.validators.clean_text with this module's way of naming what is required."""
    return clean_text(problems, field, value, limit, required=required or False)


def _whole(problems: Problems, field: str, value, low: int, high: int) -> int | None:
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit() and len(value.strip()) <= 6:
        value = int(value.strip())
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        problems.add(field, _("Give a whole number from %(low)s to %(high)s.") % {"low": low, "high": high})
        return None
    return value


def _fee(problems: Problems, value) -> Decimal | None:
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        amount = None
    if amount is None or not amount.is_finite() or amount < 0 or amount > FEE_MAX or amount != to_money(amount):
        problems.add("fee_per_slot", _("Give the fee per slot in yuan, from 0 (free) to %(max)s, at most two "
                                       "decimals.") % {"max": FEE_MAX})
        return None
    return to_money(amount)


def _clock(text) -> time | None:
    text = str(text or "").strip()
    if len(text) != 5 or text[2] != ":":
        return None
    try:
        return time.fromisoformat(text)
    except ValueError:
        return None


def parse_hours(problems: Problems, hours, slot_minutes: int | None) -> list | None:
    """Seven entries, Monday first: ["HH:MM", "HH:MM"] (opening before closing, at least one slot long) or None
    for a closed day. Problems are named `hours[n]`."""
    if not isinstance(hours, list | tuple) or len(hours) != WEEKDAYS:
        problems.add("hours", _("Give the opening hours of each of the seven weekdays, Monday first."))
        return None
    cleaned = []
    for number, entry in enumerate(hours):
        if entry in (None, "", [], ()):
            cleaned.append(None)
            continue
        pair = list(entry) if isinstance(entry, list | tuple) else []
        opens, closes = (_clock(pair[0]), _clock(pair[1])) if len(pair) == 2 else (None, None)
        if opens is None or closes is None:
            problems.add(f"hours[{number}]", _("Give the opening and closing time as 08:00 and 22:00."))
            cleaned.append(None)
            continue
        length = (closes.hour * 60 + closes.minute) - (opens.hour * 60 + opens.minute)
        if length <= 0 or (slot_minutes and length < slot_minutes):
            problems.add(f"hours[{number}]", _("The closing time comes after the opening time, at least one slot "
                                               "later."))
        cleaned.append([opens.strftime("%H:%M"), closes.strftime("%H:%M")])
    if not any(cleaned) and not problems.items:
        problems.add("hours", _("Open the venue on at least one day of the week."))
    return cleaned


def _moment(problems: Problems, field: str, value) -> datetime | None:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip()) if 10 <= len(value.strip()) <= 40 else None
        except ValueError:
            value = None
    if not isinstance(value, datetime):
        problems.add(field, _("Give a date and time, e.g. 2026-12-05 19:00."))
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    try:
        check_plausible_date(timezone.localtime(value))
    except ValueError as error:
        problems.add(field, error)
        return None
    return value


# -- venues ----------------------------------------------------------------------------------------------------------
VENUE_FIELDS = ("name", "kind", "place", "capacity", "hours", "slot_minutes", "max_slots", "window_days",
                "notice_hours", "cancel_hours", "fee_per_slot", "rules", "is_active")


def _venue_values(problems: Problems, values: dict) -> dict:
    """The given venue fields, each checked (a field not given is left out)."""
    cleaned = {}
    if "name" in values:
        cleaned["name"] = _text(problems, "name", values["name"], NAME_MAX, required=_("Name the venue."))
    if "kind" in values:
        if values["kind"] not in VenueKind.values:
            problems.add("kind", _("Choose one of: %(values)s.") % {"values": ", ".join(VenueKind.values)})
        else:
            cleaned["kind"] = values["kind"]
    if "place" in values:
        cleaned["place"] = _text(problems, "place", values["place"], PLACE_MAX)
    if "rules" in values:
        cleaned["rules"] = _text(problems, "rules", values["rules"], RULES_MAX)
    for field, low, high in (("capacity", 1, CAPACITY_MAX), ("slot_minutes", *SLOT_MINUTES),
                             ("max_slots", 1, MAX_SLOTS_MAX), ("window_days", 1, WINDOW_MAX),
                             ("notice_hours", 0, NOTICE_MAX), ("cancel_hours", 0, CANCEL_MAX)):
        if field in values:
            number = _whole(problems, field, values[field], low, high)
            if number is not None:
                cleaned[field] = number
    if "slot_minutes" in cleaned and cleaned["slot_minutes"] % 15:
        problems.add("slot_minutes", _("A slot lasts a whole number of quarter hours (15, 30, 60 … minutes)."))
    if "fee_per_slot" in values:
        fee = _fee(problems, values["fee_per_slot"])
        if fee is not None:
            cleaned["fee_per_slot"] = fee
    if "is_active" in values:
        cleaned["is_active"] = bool(values["is_active"])
    return cleaned


def create_venue(actor: Actor, project, **values) -> Venue:
    """A new venue of `project` (bookings.manage_venues). Every field is required but `place`, `rules` and
    `is_active`; the name is unique in the project (422 naming `name`)."""
    require(actor, "bookings.manage_venues")
    from wuye.tenancy.models import Project

    if project is None or not scoped(Project.objects.filter(pk=project.pk), actor).exists():
        raise InvalidInput("project", _("No such project."))
    problems = Problems()
    missing = [field for field in VENUE_FIELDS if field not in values and field not in ("place", "rules", "is_active")]
    for field in missing:
        problems.add(field, _("This field is required."))
    cleaned = _venue_values(problems, {key: value for key, value in values.items() if key in VENUE_FIELDS})
    if "hours" in values:
        cleaned["hours"] = parse_hours(problems, values["hours"], cleaned.get("slot_minutes"))
    if cleaned.get("name") and Venue.objects.filter(project=project, name=cleaned["name"]).exists():
        problems.add("name", _("This project already has a venue of this name."))
    problems.raise_if_any()
    with transaction.atomic():
        venue = Venue.objects.create(project=project, **cleaned)
        record_event(venue, "bookings.venue_created", actor=actor.user, data={
            "name": venue.name, "kind": venue.kind, "slot_minutes": venue.slot_minutes,
            "fee_per_slot": str(venue.fee_per_slot)})
    return venue


def update_venue(actor: Actor, venue: Venue, **values) -> Venue:
    """Change a venue's fields (only those given). Bookings already made keep their time and fee; a closed venue
    (`is_active` false) takes no new bookings."""
    require(actor, "bookings.manage_venues")
    if not venues(actor).filter(pk=venue.pk).exists():
        raise Http404
    problems = Problems()
    cleaned = _venue_values(problems, {key: value for key, value in values.items() if key in VENUE_FIELDS})
    if "hours" in values:
        cleaned["hours"] = parse_hours(problems, values["hours"], cleaned.get("slot_minutes", venue.slot_minutes))
    if cleaned.get("name") and Venue.objects.filter(project_id=venue.project_id, name=cleaned["name"]).exclude(
            pk=venue.pk).exists():
        problems.add("name", _("This project already has a venue of this name."))
    problems.raise_if_any()
    with transaction.atomic():
        venue = Venue.objects.select_for_update().get(pk=venue.pk)
        changed = [field for field, value in cleaned.items() if getattr(venue, field) != value]
        for field in changed:
            setattr(venue, field, cleaned[field])
        if changed:
            venue.save(update_fields=changed)
            record_event(venue, "bookings.venue_changed", actor=actor.user,
                         data={"name": venue.name, "venue_fields": changed})
    return venue


# -- booking ---------------------------------------------------------------------------------------------------------
def _check_slots(problems: Problems, actor: Actor, venue: Venue, starts_at, ends_at, now: datetime) -> int:
    """How many slots `starts_at` … `ends_at` covers, each rule's refusal named by its field (0 when refused)."""
    day = timezone.localdate(starts_at)
    slots = day_slots(venue, day)
    starts = [start for start, _end in slots]
    ends = [end for _start, end in slots]
    if not slots:
        problems.add("starts_at", _("The venue is closed on that day."))
        return 0
    if starts_at not in starts:
        problems.add("starts_at", _("Start on a slot: %(first)s, then every %(minutes)s minutes until %(last)s.") % {
            "first": timezone.localtime(starts[0]).strftime("%H:%M"), "minutes": venue.slot_minutes,
            "last": timezone.localtime(starts[-1]).strftime("%H:%M")})
        return 0
    if ends_at not in ends or ends_at <= starts_at:
        problems.add("ends_at", _("End on a slot's end the same day, by %(close)s.") % {
            "close": timezone.localtime(ends[-1]).strftime("%H:%M")})
        return 0
    count = ends.index(ends_at) - starts.index(starts_at) + 1
    if count > venue.max_slots:
        problems.add("ends_at", _("Book at most %(count)s slots at a time.") % {"count": venue.max_slots})
        return 0
    if starts_at <= now:
        problems.add("starts_at", _("This slot has already begun."))
        return 0
    earliest = earliest_start(actor, venue, now)
    if starts_at < earliest:
        problems.add("starts_at", _("Book at least %(hours)s hours ahead: the earliest start is %(earliest)s.") % {
            "hours": venue.notice_hours, "earliest": timezone.localtime(earliest).strftime("%Y-%m-%d %H:%M")})
        return 0
    if day > last_day(venue, now):
        problems.add("starts_at", _("Book at most %(days)s days ahead: until %(day)s.") % {
            "days": venue.window_days, "day": last_day(venue, now).isoformat()})
        return 0
    return count


def book(actor: Actor, venue: Venue, *, unit, starts_at, ends_at, people, purpose: str = "",
         at: datetime | None = None) -> Booking:
    """Book `venue` for `unit` from `starts_at` to `ends_at` (whole consecutive slots). An owner books for their
    own household (bookings.own), the desk for any unit of the venue's project (bookings.manage). Each wrong field
    is named (422) before anything is written; a slot already taken is a 409 naming `starts_at` (the venue's row is
    locked, and the slots' unique constraint refuses a double booking on every database). A fee is charged to the
    unit through billing."""
    at = at or timezone.now()
    if not venues(actor).filter(pk=venue.pk).exists():
        raise InvalidInput("venue", _("No such venue."))
    if actor.is_owner:
        require(actor, "bookings.own")
        if unit is None or unit.pk not in actor.unit_ids or unit.project_id != venue.project_id:
            raise InvalidInput("unit", _("Choose one of your own homes in the venue's community."))
    else:
        require(actor, "bookings.manage")
        if unit is None or unit.project_id != venue.project_id:
            raise InvalidInput("unit", _("Choose a unit of the venue's project."))
    if not venue.is_active:
        raise InvalidInput("venue", _("This venue is closed for booking."))
    problems = Problems()
    starts_at = _moment(problems, "starts_at", starts_at)
    ends_at = _moment(problems, "ends_at", ends_at)
    count = _check_slots(problems, actor, venue, starts_at, ends_at, at) if starts_at and ends_at else 0
    people = _whole(problems, "people", people, 1, venue.capacity)
    purpose = _text(problems, "purpose", purpose, PURPOSE_MAX)
    problems.raise_if_any()
    step = timedelta(minutes=venue.slot_minutes)
    wanted = [starts_at + step * n for n in range(count)]
    fee = to_money(venue.fee_per_slot * count)
    with transaction.atomic():
        Venue.objects.select_for_update().filter(pk=venue.pk).first()  # one booking of a venue at a time
        if not slots_free(venue, wanted):
            raise _taken()
        booking = Booking.objects.create(
            venue=venue, project_id=venue.project_id, unit=unit, user=actor.user, at_desk=not actor.is_owner,
            starts_at=starts_at, ends_at=ends_at, people=people, purpose=purpose, fee=fee, created_at=at)
        try:
            with transaction.atomic():  # the database's word: a slot booked meanwhile by another transaction
                BookingSlot.objects.bulk_create([BookingSlot(venue=venue, booking=booking, slot_start=start)
                                                 for start in wanted])
        except IntegrityError:
            raise _taken() from None
        if fee > 0:
            from wuye.billing.charges import paid_service_item
            from wuye.billing.services import post_charge

            post_charge(actor if actor.may("billing.charge") else None, unit, paid_service_item(venue.project_id),
                        fee, due_on=timezone.localdate(starts_at), source=booking,
                        description=f"场地预约 {venue.name} {timezone.localtime(starts_at):%m-%d %H:%M}")
        record_event(booking, "bookings.booked", actor=actor.user, data={
            "venue": venue.name, "unit": unit.label, "starts_at": timezone.localtime(starts_at).isoformat(),
            "until": timezone.localtime(ends_at).strftime("%H:%M"), "people": people, "amount": str(fee),
            "portal": actor.is_owner})
    return booking


def slots_free(venue: Venue, starts: list[datetime]) -> bool:
    """Whether none of the slots starting at `starts` is held (read under the venue's lock: the friendly answer;
    the slots' unique constraint is the one that holds whatever happens)."""
    return not BookingSlot.objects.filter(venue=venue, slot_start__in=starts).exists()


def _taken() -> Conflict:
    message = _("This time is already booked; choose another slot.")
    return Conflict(message, [FieldProblem("starts_at", message)])


def _lock(booking: Booking) -> Booking:
    return Booking.objects.select_for_update(of=("self",)).select_related("venue", "unit__building").get(
        pk=booking.pk)


def _check_visible(actor: Actor, booking: Booking) -> None:
    """Outside the actor's sight → 404 (existence never leaks)."""
    if not bookings(actor).filter(pk=booking.pk).exists():
        raise Http404


def _refuse_state(booking: Booking) -> Conflict:
    message = _("This booking is %(status)s; it cannot be changed this way.") % {
        "status": booking.get_status_display()}
    return Conflict(message, [FieldProblem("status", message)])


def _finance(project_id: int) -> list:
    from wuye.people.services import staff_with_role  # people sits beside community; imported late

    return staff_with_role(Role.FINANCE, project_id)


def _money_back(actor: Actor, booking: Booking) -> list[str]:
    """A cancellation in time: what is unpaid of the booking's bill is written off and what was paid refunded —
    both through billing's approval flows (a request), or, when `actor` may not ask for them, by a message to
    finance. Returns what was done (codes, for the event)."""
    from wuye.billing import refunds, write_offs
    from wuye.billing.models import Allocation, Bill, Payment
    from wuye.billing.services import source_bills

    done = []
    reason = f"场地预约取消 {booking.venue.name} {timezone.localtime(booking.starts_at):%m-%d %H:%M}"
    for bill in source_bills([booking]).bills:
        paid_by: dict[int, Decimal] = {}
        for payment_id, amount in Allocation.objects.filter(bill=bill).values_list("payment_id", "amount"):
            paid_by[payment_id] = paid_by.get(payment_id, Decimal("0")) + amount
        paid_by = {pk: to_money(amount) for pk, amount in paid_by.items() if amount > 0}
        if paid_by:
            if actor.may("billing.refund"):
                for payment in Payment.objects.filter(pk__in=paid_by).order_by("id"):
                    amount = min(paid_by[payment.pk], refunds.refundable(payment))
                    if amount > 0:
                        refunds.request_refund(actor, payment, amount, reason)
                done.append("refund_requested")
            else:
                notify(_finance(booking.project_id),
                       _("Booking cancelled in time: refund %(amount)s") % {
                           "amount": format_money(sum(paid_by.values(), Decimal("0")))},
                       _("%(unit)s, %(venue)s") % {"unit": booking.unit.label, "venue": booking.venue.name},
                       link=f"{reverse('billing:refunds')}?payment={min(paid_by)}", source=booking,
                       dedupe_key=f"booking:{booking.pk}:refund")
                done.append("refund_to_finance")
        outstanding = to_money(Bill.objects.get(pk=bill.pk).outstanding)
        if outstanding > 0:
            if actor.may("billing.write_off"):
                write_offs.request_write_off(actor, bill, outstanding, reason)
                done.append("write_off_requested")
            else:
                notify(_finance(booking.project_id),
                       _("Booking cancelled in time: write off the unpaid fee of %(amount)s") % {
                           "amount": format_money(outstanding)},
                       _("%(unit)s, %(venue)s") % {"unit": booking.unit.label, "venue": booking.venue.name},
                       link=reverse("billing:unit_account", args=[bill.unit_id]), source=booking,
                       dedupe_key=f"booking:{booking.pk}:write-off")
                done.append("write_off_to_finance")
    return done


def cancel(actor: Actor, booking: Booking, *, reason: str = "", at: datetime | None = None) -> Booking:
    """Cancel a live booking: its household in the portal until the cancellation deadline (`cancel_hours` before
    the start; later a 409 naming `starts_at`), the desk at any time. Its slots are free again at once. Before the
    deadline the fee goes back through billing (see the module's docstring); after it, the fee stands."""
    at = at or timezone.now()
    _check_visible(actor, booking)
    if actor.is_owner:
        require(actor, "bookings.own")
    else:
        require(actor, "bookings.manage")
    problems = Problems()
    reason = _text(problems, "reason", reason, REASON_MAX)
    problems.raise_if_any()
    with transaction.atomic():
        booking = _lock(booking)
        leaves, target = TRANSITIONS["cancel"]
        if booking.status not in leaves:
            raise _refuse_state(booking)
        in_time = at < cancel_deadline(booking)
        if actor.is_owner and not in_time:
            message = _("Bookings can be cancelled until %(deadline)s; please call the service desk.") % {
                "deadline": timezone.localtime(cancel_deadline(booking)).strftime("%Y-%m-%d %H:%M")}
            raise Conflict(message, [FieldProblem("starts_at", message)])
        booking.status, booking.cancel_reason, booking.closed_at, booking.closed_by = target, reason, at, actor.user
        booking.save(update_fields=["status", "cancel_reason", "closed_at", "closed_by"])
        BookingSlot.objects.filter(booking=booking).delete()
        money = _money_back(actor, booking) if in_time and booking.fee > 0 else []
        record_event(booking, "bookings.cancelled", actor=actor.user, data={
            "venue": booking.venue.name, "starts_at": timezone.localtime(booking.starts_at).isoformat(),
            "reason": reason, "in_time": in_time, "booking_money": money, "amount": str(booking.fee)})
    return booking


def _close(actor: Actor, booking: Booking, action: str, verb: str, at: datetime | None) -> Booking:
    at = at or timezone.now()
    _check_visible(actor, booking)
    require(actor, "bookings.manage")
    with transaction.atomic():
        booking = _lock(booking)
        leaves, target = TRANSITIONS[action]
        if booking.status not in leaves:
            raise _refuse_state(booking)
        if at < booking.starts_at:
            message = _("The booking has not begun yet (it starts at %(start)s).") % {
                "start": timezone.localtime(booking.starts_at).strftime("%m-%d %H:%M")}
            raise Conflict(message, [FieldProblem("starts_at", message)])
        booking.status, booking.closed_at, booking.closed_by = target, at, actor.user
        booking.save(update_fields=["status", "closed_at", "closed_by"])
        record_event(booking, verb, actor=actor.user, data={
            "venue": booking.venue.name, "unit": booking.unit.label,
            "starts_at": timezone.localtime(booking.starts_at).isoformat()})
    return booking


def mark_used(actor: Actor, booking: Booking, *, at: datetime | None = None) -> Booking:
    """The desk records that the household came (once the booking has begun)."""
    return _close(actor, booking, "used", "bookings.used", at)


def mark_no_show(actor: Actor, booking: Booking, *, at: datetime | None = None) -> Booking:
    """The desk records that nobody came (once the booking has begun); the fee stands and the slots stay taken."""
    return _close(actor, booking, "no_show", "bookings.no_show", at)


def take(actor: Actor, booking: Booking, action: str, *, reason: str = "", at: datetime | None = None) -> Booking:
    """One step by its name (`cancel`, `used`, `no_show`) — the API's and the pages' one entry."""
    if action == "cancel":
        return cancel(actor, booking, reason=reason, at=at)
    if action == "used":
        return mark_used(actor, booking, at=at)
    if action == "no_show":
        return mark_no_show(actor, booking, at=at)
    raise InvalidInput("action", _("Choose one of: %(values)s.") % {"values": ", ".join(ACTIONS)})


# -- sentences -------------------------------------------------------------------------------------------------------
# Data keys named for bookings (the labels and code names are one registry for every app).
VENUE_FIELD_LABELS = {
    "name": gettext_lazy("name"), "kind": gettext_lazy("kind"), "place": gettext_lazy("place"),
    "capacity": gettext_lazy("capacity"), "hours": gettext_lazy("opening hours"),
    "slot_minutes": gettext_lazy("slot length"), "max_slots": gettext_lazy("most slots per booking"),
    "window_days": gettext_lazy("bookable days ahead"), "notice_hours": gettext_lazy("minimum notice"),
    "cancel_hours": gettext_lazy("cancellation deadline"), "fee_per_slot": gettext_lazy("fee per slot"),
    "rules": gettext_lazy("rules"), "is_active": gettext_lazy("open for booking"),
}
register_terms(
    details={"booking_money": gettext_lazy("the fee"), "venue_fields": gettext_lazy("changed")},
    values={"booking_money": {
        "refund_requested": gettext_lazy("refund requested"),
        "refund_to_finance": gettext_lazy("finance asked to refund"),
        "write_off_requested": gettext_lazy("write-off of the unpaid fee requested"),
        "write_off_to_finance": gettext_lazy("finance asked to write off the unpaid fee")},
        "venue_fields": VENUE_FIELD_LABELS})
register_formatter("fee_per_slot", format_money)


def _booked(event, fields) -> str:
    text = (_("Booked %(venue)s in the portal for %(unit)s: %(starts_at)s to %(until)s, %(people)s people")
            if fields.raw.get("portal") else
            _("Booked %(venue)s at the desk for %(unit)s: %(starts_at)s to %(until)s, %(people)s people")) % fields
    if Decimal(str(fields.raw.get("amount") or "0")) > 0:
        text = _("%(text)s; fee %(amount)s") % {"text": text, "amount": fields["amount"]}
    return text


def _cancelled(event, fields) -> str:
    if fields.raw.get("in_time"):
        text = _("Booking of %(venue)s at %(starts_at)s cancelled in time") % fields
    else:
        text = _("Booking of %(venue)s at %(starts_at)s cancelled after the deadline; the fee stands") % fields
    if fields.raw.get("reason"):
        text = _("%(text)s: %(reason)s") % {"text": text, "reason": fields["reason"]}
    return text


def _venue_created(event, fields) -> str:
    if Decimal(str(fields.raw.get("fee_per_slot") or "0")) > 0:
        return _("Venue %(name)s set up: %(slot_minutes)s-minute slots, %(fee_per_slot)s a slot") % fields
    return _("Venue %(name)s set up: %(slot_minutes)s-minute slots, free of charge") % fields


register_sentences({
    "bookings.venue_created": (_venue_created, {"example": {
        "name": "多功能会议室", "kind": "meeting_room", "slot_minutes": 60, "fee_per_slot": "50.00"}}),
    "bookings.venue_changed": (gettext_lazy("Venue %(name)s changed: %(venue_fields)s"), {"example": {
        "name": "网球场", "venue_fields": ["hours", "fee_per_slot"]}}),
    "bookings.booked": (_booked, {"example": {
        "venue": "网球场", "unit": "1-1-101", "starts_at": "2026-12-05T19:00:00+08:00", "until": "21:00",
        "people": 4, "amount": "80.00", "portal": True}}),
    "bookings.cancelled": (_cancelled, {"details": ("booking_money",), "example": {
        "venue": "网球场", "starts_at": "2026-12-05T19:00:00+08:00", "reason": "临时有事", "in_time": True,
        "booking_money": ["write_off_to_finance"], "amount": "80.00"}}),
    "bookings.used": (gettext_lazy("%(venue)s used as booked (%(starts_at)s)"), {"example": {
        "venue": "会所", "unit": "1-1-101", "starts_at": "2026-12-05T19:00:00+08:00"}}),
    "bookings.no_show": (gettext_lazy("Nobody came for the booking of %(venue)s at %(starts_at)s"), {"example": {
        "venue": "会所", "unit": "1-1-101", "starts_at": "2026-12-05T19:00:00+08:00"}}),
})
