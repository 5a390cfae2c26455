"""The one ticket query behind every list of tickets: the console inbox's filter form and the API's
`GET /api/v1/tickets` both turn their parameters into a `TicketQuery` and call `filter_tickets`, so the same
filter values give the same tickets on every face."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q
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


def filter_tickets(tickets, query: TicketQuery, *, now: datetime | None = None):
    """`tickets` (already scoped to the actor) narrowed by `query`: the meaning of each filter is documented on
    `TicketQuery`. Ordering and annotations are the caller's."""
    now = now or timezone.now()
    exact = {"project_id": query.project, "kind": query.kind, "status": query.status, "urgency": query.urgency,
             "unit__building_id": query.building, "unit_id": query.unit, "assignee_id": query.assignee}
    tickets = tickets.filter(**{name: value for name, value in exact.items() if value not in (None, "")})
    if query.category is not None:
        tickets = tickets.filter(Q(category_id=query.category) | Q(category__parent_id=query.category))
    if query.open:
        tickets = tickets.open()
    if query.overdue:
        tickets = tickets.filter(pk__in=reports.overdue_ids(now))
    if query.at_risk:
        tickets = tickets.filter(pk__in=reports.at_risk_ids(now))
    if query.created_from is not None:
        tickets = tickets.filter(created_at__gte=_local_midnight(query.created_from))
    if query.created_to is not None and query.created_to < date.max:
        tickets = tickets.filter(created_at__lt=_local_midnight(query.created_to + timedelta(days=1)))
    if query.q and query.q.strip():
        tickets = tickets.filter(search_q(query.q))
    return tickets
