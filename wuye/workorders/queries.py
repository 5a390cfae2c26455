"""The one ticket query behind every list of tickets: the console inbox's filter form and the API's
`GET /api/v1/tickets` both turn their parameters into a `TicketQuery` and call `filter_tickets`, so the same
filter values give the same tickets on every face."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

from wuye.core.validators import INT64_MAX, normalize_phone
from wuye.tenancy.search import unit_search_q

from . import reports

# How the ticket number is printed (R-20261201-42: kind letter, day received, id).
TICKET_NUMBER = re.compile(r"^[A-Za-z]-\d{8}-(\d+)$")
MAX_QUERY = 50


@dataclass
class TicketQuery:
    """Filter values of a ticket list; every empty value is no filter, and the filters are combined with AND.

    * `project`, `building`, `unit` — ids: the project's tickets; tickets of units in that building; of that unit.
    * `kind`, `status`, `urgency` — exact values (repair, complaint…; new, dispatched…; emergency, general…).
    * `category` — a category id: tickets in that category or any of its sub-categories (给排水 finds 漏水渗水).
    * `open` — not yet closed or cancelled.
    * `overdue` — an open SLA clock of the ticket is past its deadline now.
    * `at_risk` — an open clock is past its warning point (80 %) but not yet due: "due soon".
    * `assignee` — a user id: tickets assigned to that engineer (the console's "assigned to me").
    * `department` — a role: complaints whose handling that department was given (`responsible_role`).
    * `stage` — where the ticket waits (the workbench's cards): `dispatch` (a new repair or complaint waiting to be
      dispatched or assigned, 待派单), `in_progress` (dispatched, on site, paused, done but not signed off, assigned,
      awaiting approval or handled but not replied, 处理中), `return_visit` (signed off or replied: the return
      visit is due, 待回访 — the statuses the flow tables allow `return_visit` from), `parts` (paused, and its
      latest pause says it waits for parts, 待料).
    * `due_today` — an open, running clock falls due before the end of today (local time), overdue ones included.
    * `created_from`, `created_to` — local days (Asia/Shanghai) the ticket was received, both included.
    * `q` — what the front desk types into the search box, any of: the ticket number (R-20261201-42) or its id;
      a unit as typed ("1201", "3-1201", "3号楼1单元1201", a building's name — `tenancy.search.unit_search_q`);
      the contact's full phone number in any spelling; part of the contact's name, of the description or of
      the location.
    """

    project: int | None = None
    kind: str = ""
    status: str = ""
    urgency: str = ""
    category: int | None = None
    building: int | None = None
    unit: int | None = None
    open: bool = False
    overdue: bool = False
    at_risk: bool = False
    assignee: int | None = None
    department: str = ""
    stage: str = ""
    due_today: bool = False
    created_from: date | None = None
    created_to: date | None = None
    q: str = ""


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def search_q(text: str) -> Q:
    """The `q` condition of `TicketQuery` (see there) as one Q over tickets."""
    text = (text or "").strip()[:MAX_QUERY]
    if not text:
        return Q()
    condition = (Q(description__icontains=text) | Q(location__icontains=text) | Q(contact_name__icontains=text)
                 | unit_search_q(text, "unit__"))
    if match := TICKET_NUMBER.match(text):
        if int(match[1]) <= INT64_MAX:
            condition |= Q(pk=int(match[1]))
    elif text.isdigit() and len(text) <= 9:
        condition |= Q(pk=int(text))
    with contextlib.suppress(ValueError):  # not a phone number: the words above are the search
        condition |= Q(contact_phone=normalize_phone(text))
    return condition


def _waiting_for_parts(tickets):
    """Paused tickets whose latest pause says they wait for parts (`services.PAUSE_REASONS`)."""
    from wuye.core.models import Event

    from .models import Status, Ticket

    pauses = Event.objects.filter(subject_type=ContentType.objects.get_for_model(Ticket), subject_id=OuterRef("pk"),
                                  verb="ticket.pause").order_by("-created_at", "-id")
    return (tickets.filter(status=Status.PAUSED).alias(last_pause=Subquery(pauses.values("id")[:1]))
            .filter(Exists(Event.objects.filter(pk=OuterRef("last_pause"), data__waiting_for="parts"))))


def _due_before_ids(moment: datetime):
    """Tickets with a running clock due before `moment` (a paused clock waits: its deadline is not today's)."""
    from wuye.sla.models import Clock, ClockState

    from .models import Ticket

    return Clock.objects.filter(subject_type=ContentType.objects.get_for_model(Ticket), state=ClockState.RUNNING,
                                due_at__lt=moment).values("subject_id")


def stage_q(stage: str) -> Q | None:
    """The `stage` condition of `TicketQuery` (see there) as one Q, None for `parts` (a subquery) or no stage."""
    from .flows import FLOWS
    from .models import Kind, Status

    if stage == "dispatch":
        return Q(status=Status.NEW, kind__in=(Kind.REPAIR, Kind.COMPLAINT))
    if stage == "in_progress":
        return Q(status__in=(Status.DISPATCHED, Status.ACCEPTED, Status.ON_SITE, Status.PAUSED, Status.COMPLETED,
                             Status.ASSIGNED, Status.PENDING_APPROVAL, Status.RESOLVED))
    if stage == "return_visit":
        condition = Q(pk__in=[])
        for kind, flow in FLOWS.items():
            if "return_visit" in flow:
                condition |= Q(kind=kind, status__in=flow["return_visit"].sources)
        return condition
    return None


STAGES = ("dispatch", "in_progress", "return_visit", "parts")


def filter_tickets(tickets, query: TicketQuery, *, now: datetime | None = None):
    """`tickets` (already scoped to the actor) narrowed by `query`: the meaning of each filter is documented on
    `TicketQuery`. Ordering and annotations are the caller's."""
    now = now or timezone.now()
    exact = {"project_id": query.project, "kind": query.kind, "status": query.status, "urgency": query.urgency,
             "unit__building_id": query.building, "unit_id": query.unit, "assignee_id": query.assignee,
             "responsible_role": query.department}
    tickets = tickets.filter(**{name: value for name, value in exact.items() if value not in (None, "")})
    if query.category is not None:
        tickets = tickets.filter(Q(category_id=query.category) | Q(category__parent_id=query.category))
    if query.open:
        tickets = tickets.open()
    if query.overdue:
        tickets = tickets.filter(pk__in=reports.overdue_ids(now))
    if query.at_risk:
        tickets = tickets.filter(pk__in=reports.at_risk_ids(now))
    if query.stage == "parts":
        tickets = _waiting_for_parts(tickets)
    elif (condition := stage_q(query.stage)) is not None:
        tickets = tickets.filter(condition)
    if query.due_today:
        end_of_today = _local_midnight(timezone.localdate(now) + timedelta(days=1))
        tickets = tickets.filter(pk__in=_due_before_ids(end_of_today))
    if query.created_from is not None:
        tickets = tickets.filter(created_at__gte=_local_midnight(query.created_from))
    if query.created_to is not None and query.created_to < date.max:
        tickets = tickets.filter(created_at__lt=_local_midnight(query.created_to + timedelta(days=1)))
    if query.q and query.q.strip():
        tickets = tickets.filter(search_q(query.q))
    return tickets
