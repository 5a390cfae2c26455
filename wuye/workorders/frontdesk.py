"""The front desk (客服前台) while a ticket is received and worked on:

* `find_callers` — who is calling: a current resident found by phone (full, or its last four digits), by unit as
  the desk types it, or by name — `people.search.resident_search_q` and `tenancy.search.unit_search_q`, the one
  parser of each, within the clerk's scope;
* `unit_panel` — what the desk should know about the chosen unit: its open tickets and those of the last
  `FRONT_DESK_RECENT_DAYS` days, what it owes (billing's own reading of open bills) and a probable repeat repair
  (`services.previous_repair`, the rule that sets `repeat_of` when the ticket is received);
* `contact_phone_for` — the ticket's contact phone as this viewer may see it: staff who may read personal data
  and the reporter see it (as before); the engineer assigned to an open job sees it in full too, and that reveal
  is on record (`ticket.phone_revealed`, once per viewer, ticket and day); everyone else sees it masked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone

from wuye.billing import services as billing
from wuye.billing.models import days_overdue
from wuye.core.access import Actor, scoped
from wuye.core.events import record_event
from wuye.core.models import Event
from wuye.core.pii import mask_phone
from wuye.people.models import Relation, Residency
from wuye.people.search import resident_search_q
from wuye.tenancy.rules import rules_for
from wuye.tenancy.search import unit_search_q

from .models import OPEN_STATUSES, Kind, Ticket
from .services import previous_repair

CALLERS_SHOWN = 10
TICKETS_SHOWN = 8
RECENT_DAYS = 90  # seed default of settings.FRONT_DESK_RECENT_DAYS
PHONE_REVEALED = "ticket.phone_revealed"


def recent_days() -> int:
    """How far back the unit panel lists closed tickets (setting `FRONT_DESK_RECENT_DAYS`, 90 days by default)."""
    return int(getattr(settings, "FRONT_DESK_RECENT_DAYS", RECENT_DAYS))


# -- who is calling ------------------------------------------------------------------------------------------------
def find_callers(actor: Actor, text: str, *, project=None) -> tuple[list[Residency], bool]:
    """Current residencies (resident + unit) matching `text`: a resident's name, full phone or the phone's last four
    digits, or a unit as typed ("1-1-101", "1栋101"). Only the actor's scope, and `project` if given. Owners
    first within a unit. Returns at most `CALLERS_SHOWN` and whether there were more."""
    text = (text or "").strip()
    if not text:
        return [], False
    residencies = scoped(Residency.objects.current(), actor)
    if project is not None:
        residencies = residencies.filter(unit__project=project)
    owner_first = Case(When(relation=Relation.OWNER, then=Value(0)),
                       When(relation=Relation.CO_OWNER, then=Value(1)), default=Value(2), output_field=IntegerField())
    found = list(residencies.filter(resident_search_q(text, "resident__", last_four=True)
                                    | unit_search_q(text, "unit__"))
                 .select_related("resident", "unit__building", "unit__project")
                 .order_by("unit__project_id", "unit__building_id", "unit__number", owner_first, "id")
                 [:CALLERS_SHOWN + 1])
    return found[:CALLERS_SHOWN], len(found) > CALLERS_SHOWN


def caller_residency(actor: Actor, residency_id) -> Residency | None:
    """A residency the desk picked from the lookup, if it is current and in the actor's scope (else None)."""
    try:
        residency_id = int(residency_id)
    except (TypeError, ValueError):
        return None
    if not 0 < residency_id < 2**63:
        return None
    return (scoped(Residency.objects.current(), actor).select_related("resident", "unit__building")
            .filter(pk=residency_id).first())


# -- the chosen unit ------------------------------------------------------------------------------------------------
@dataclass
class Arrears:
    outstanding: Decimal
    bills: int
    oldest_period: date | None  # the oldest unpaid bill's period (first day of the month), if it has one
    oldest_due_on: date | None
    overdue_days: int


@dataclass
class UnitPanel:
    unit: object
    open_tickets: list = field(default_factory=list)
    recent_tickets: list = field(default_factory=list)
    recent_days: int = RECENT_DAYS
    arrears: Arrears | None = None  # None: the viewer may not read accounts
    repeat_of: Ticket | None = None
    repeat_days: int = 0


def unit_arrears(unit, today: date) -> Arrears:
    """What the unit owes on its open bills (billing's `bills_with_outstanding`, oldest due first)."""
    bills = list(billing.bills_with_outstanding(unit).only("amount", "paid", "written_off", "period", "due_on"))
    oldest = bills[0] if bills else None
    return Arrears(
        outstanding=sum((bill.outstanding for bill in bills), Decimal("0.00")), bills=len(bills),
        oldest_period=oldest.period if oldest else None, oldest_due_on=oldest.due_on if oldest else None,
        overdue_days=days_overdue(oldest.due_on, today) if oldest else 0,
    )


def unit_panel(actor: Actor, unit, *, kind: str = Kind.REPAIR, category=None, now: datetime | None = None) -> UnitPanel:
    """The side panel of the new-ticket form for `unit` (already read through the actor's scope)."""
    now = now or timezone.now()
    days = recent_days()
    tickets = scoped(Ticket.objects.filter(unit=unit), actor).for_listing().order_by("-created_at", "-id")
    panel = UnitPanel(
        unit=unit, recent_days=days,
        open_tickets=list(tickets.filter(status__in=OPEN_STATUSES)[:TICKETS_SHOWN]),
        recent_tickets=list(tickets.exclude(status__in=OPEN_STATUSES)
                            .filter(created_at__gte=now - timedelta(days=days))[:TICKETS_SHOWN]),
    )
    if actor.may("billing.view"):
        panel.arrears = unit_arrears(unit, timezone.localdate(now))
    if kind == Kind.REPAIR and category is not None:
        panel.repeat_of = previous_repair(unit, category, now)
        panel.repeat_days = rules_for(unit.project_id).repeat_window_days
    return panel


# -- the contact phone on a ticket ---------------------------------------------------------------------------------
@dataclass
class ShownPhone:
    number: str  # what the page prints: the number, or masked
    full: bool  # True: `number` is the whole number (a tel: link may dial it)


def contact_phone_for(actor: Actor, ticket: Ticket, *, now: datetime | None = None) -> ShownPhone:
    """The ticket's contact phone as `actor` may see it; a reveal to the assigned engineer is recorded."""
    phone = ticket.contact_phone or ""
    if not phone:
        return ShownPhone("", False)
    if actor.may("people.view_pii") or (ticket.reporter_id is not None and ticket.reporter_id == actor.user.pk):
        return ShownPhone(phone, True)
    if (actor.is_staff_member and ticket.assignee_id is not None and ticket.assignee_id == actor.user.pk
            and ticket.status in OPEN_STATUSES):
        _record_reveal(actor, ticket, now or timezone.now())
        return ShownPhone(phone, True)
    return ShownPhone(mask_phone(phone), False)


def _record_reveal(actor: Actor, ticket: Ticket, now: datetime) -> None:
    """One `ticket.phone_revealed` event per viewer, ticket and local day (two pages opened at the same moment may
    both write one: the record errs on the side of more)."""
    day_start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    already = Event.objects.for_subject(ticket).filter(verb=PHONE_REVEALED, actor=actor.user,
                                                       created_at__gte=day_start).exists()
    if not already:
        record_event(ticket, PHONE_REVEALED, actor=actor.user)
