"""What work orders put on the workbench (wuye.web.workbench): cards per role that open the ticket inbox with the
card's filters, the actor's tickets with their next deadline as to-dos, and which ticket events each role acts on.

Every card is a `TicketQuery`: its count is `queries.filter_tickets` over the actor's tickets — the function the
inbox runs for the same filter values — and its link is the inbox with those values (`inbox_params`, the inverse of
`TicketFilterForm.query`). All ticket cards of one page are counted in one query.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime
from urllib.parse import urlencode

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wuye.core.access import Role, may_read, scoped
from wuye.sla.models import Clock, ClockState
from wuye.tenancy.models import Project
from wuye.web.workbench import Card, Todo, register_cards, register_feed, register_todos, role_of

from .flows import HANDLING_DEPARTMENTS
from .models import Kind, Status, Ticket
from .queries import TicketQuery, filter_tickets
from .registry import SLA_KEYS

# A handling department sees the complaints given to it (security, environment, finance; quality has its own).
DEPARTMENT_ROLES = frozenset({Role.SECURITY, Role.ENVIRONMENT, Role.FINANCE})
MANAGERS = frozenset({Role.PROJECT_MANAGER, Role.COMPANY_ADMIN})


def inbox_params(query: TicketQuery, user) -> dict[str, str]:
    """The inbox's query string for `query` (what `TicketFilterForm.query` turns back into the same query)."""
    params = {}
    for field in fields(TicketQuery):
        value = getattr(query, field.name)
        if value in (None, "", False):
            continue
        if field.name == "assignee":
            if value != user.pk:
                raise ValueError("The inbox filters by the signed-in person only ('mine').")
            params["mine"] = "on"
        elif value is True:
            params[field.name] = "on"
        else:
            params[field.name] = str(value)
    return params


def inbox_url(query: TicketQuery, user) -> str:
    return f"{reverse('workorders:inbox')}?{urlencode(inbox_params(query, user))}"


def _month_start(now: datetime):
    return timezone.localdate(now).replace(day=1)


def card_queries(actor, now: datetime) -> list[tuple[str, str, TicketQuery, str, str]]:
    """(key, label, query, tone, group) of the ticket cards `actor` gets."""
    role, user = role_of(actor), actor.user
    overdue = ("tickets.overdue", _("Overdue"), TicketQuery(overdue=True), "red", "")
    at_risk = ("tickets.at_risk", _("Due soon"), TicketQuery(at_risk=True), "amber", "")
    complaints = ("tickets.complaints_month", _("Complaints this month"),
                  TicketQuery(kind=Kind.COMPLAINT, created_from=_month_start(now)), "", "")
    if role == Role.CUSTOMER_SERVICE:
        return [
            ("tickets.dispatch", _("Waiting for dispatch"), TicketQuery(stage="dispatch"), "amber", ""),
            ("tickets.in_progress", _("In progress"), TicketQuery(stage="in_progress"), "", ""),
            ("tickets.return_visit", _("Return visit due"), TicketQuery(stage="return_visit"), "", ""),
            at_risk, overdue,
        ]
    if role == Role.ENGINEERING:
        return [
            ("tickets.mine_open", _("My open jobs"), TicketQuery(assignee=user.pk, open=True), "", ""),
            ("tickets.mine_today", _("My jobs due today"), TicketQuery(assignee=user.pk, due_today=True), "amber",
             ""),
            ("tickets.mine_overdue", _("My overdue jobs"), TicketQuery(assignee=user.pk, overdue=True), "red", ""),
            ("tickets.mine_parts", _("Waiting for parts"), TicketQuery(assignee=user.pk, stage="parts"), "amber",
             ""),
        ]
    if role in DEPARTMENT_ROLES:
        return [
            ("tickets.department_open", _("Complaints for my department"),
             TicketQuery(department=role, open=True), "", ""),
            ("tickets.department_overdue", _("Overdue complaints for my department"),
             TicketQuery(department=role, overdue=True), "red", ""),
        ]
    if role in MANAGERS:
        return [
            ("tickets.approval", _("Complaints awaiting approval"),
             TicketQuery(kind=Kind.COMPLAINT, status=Status.PENDING_APPROVAL), "amber", "approvals"),
            overdue, at_risk, complaints,
        ]
    if role == Role.QUALITY:
        cards = [overdue, at_risk, complaints]
        projects = list(scoped(Project.objects.active(), actor).order_by("id").values_list("id", "name")[:6])
        if len(projects) > 1:  # overdue per project, for the company's quality department
            cards += [(f"tickets.overdue.{pk}", name, TicketQuery(project=pk, overdue=True), "red",
                       "overdue_by_project") for pk, name in projects]
        return cards
    return []


def ticket_cards(actor, now: datetime) -> list[Card]:
    if not may_read(actor, "workorders.tickets"):
        return []
    specs = card_queries(actor, now)
    if not specs:
        return []
    tickets = scoped(Ticket.objects.all(), actor)
    counts = tickets.aggregate(**{
        f"c{index}": Count("pk", filter=Q(pk__in=filter_tickets(tickets, query, now=now).values("pk")))
        for index, (_key, _label, query, _tone, _group) in enumerate(specs)
    })
    groups = {"approvals": _("Awaiting approval"), "overdue_by_project": _("Overdue by project")}
    return [Card(key, label, counts[f"c{index}"], url=inbox_url(query, actor.user),
                 tone=tone if counts[f"c{index}"] else "", group=str(groups.get(group, "")))
            for index, (key, label, query, tone, group) in enumerate(specs)]


# -- to-dos: the actor's tickets with their next deadline ---------------------------------------------------------
def _approver_projects(actor) -> list[int]:
    """Projects in which the actor approves a major complaint's resolution (`services.approvers`)."""
    from .services import approvers

    role = role_of(actor)
    if role not in MANAGERS:
        return []
    return [project.pk for project in scoped(Project.objects.active(), actor) if role in approvers(project)]


def _clock_condition(actor) -> Q | None:
    """Which running ticket clocks are the actor's: assigned to them; their department's step when nobody is named
    (customer service's, or any department's for its supervisor); the complaints given to their department; the
    resolutions waiting for their approval."""
    role, user = role_of(actor), actor.user
    condition = Q(assignee_id=user.pk)
    if role == Role.CUSTOMER_SERVICE or (actor.is_supervisor and role != Role.COMPANY_ADMIN):
        condition |= Q(assignee__isnull=True, policy__responsible_role=role)
    if role in HANDLING_DEPARTMENTS:
        condition |= Q(subject_id__in=Ticket.objects.filter(responsible_role=role, status=Status.ASSIGNED)
                       .values("pk"))
    if approving := _approver_projects(actor):
        condition |= Q(subject_id__in=Ticket.objects.filter(project_id__in=approving,
                                                            status=Status.PENDING_APPROVAL).values("pk"))
    return condition


def ticket_todos(actor, now: datetime, limit: int = 40) -> list[Todo]:
    if not may_read(actor, "workorders.tickets"):
        return []
    tickets = scoped(Ticket.objects.open(), actor)
    clocks = (Clock.objects.filter(subject_type=ContentType.objects.get_for_model(Ticket), state=ClockState.RUNNING,
                                   subject_id__in=tickets.values("pk"))
              .filter(_clock_condition(actor)).order_by("due_at", "id").only("subject_id", "key", "due_at"))
    earliest: dict[int, Clock] = {}
    for clock in clocks[:limit * 3]:
        earliest.setdefault(clock.subject_id, clock)
        if len(earliest) >= limit:
            break
    rows = Ticket.objects.select_related("unit__building").in_bulk(list(earliest))
    todos = []
    for ticket_id, clock in earliest.items():
        ticket = rows.get(ticket_id)
        if ticket is None:
            continue
        what = _("Approve the resolution") if ticket.status == Status.PENDING_APPROVAL else SLA_KEYS.get(
            clock.key, ticket.get_kind_display())
        place = ticket.unit.label if ticket.unit_id else ticket.location
        summary = ticket.description if len(ticket.description) <= 40 else ticket.description[:39] + "…"
        todos.append(Todo(what=str(what), title=f"{ticket.number} {place}".strip(), due_at=clock.due_at,
                          url=ticket.get_absolute_url(), detail=summary))
    return todos


# -- the feed -------------------------------------------------------------------------------------------------------
def _ticket_events(actor) -> Q:
    return Q(subject_type=ContentType.objects.get_for_model(Ticket))


def _my_ticket_events(actor) -> Q:
    return _ticket_events(actor) & Q(subject_id__in=Ticket.objects.filter(assignee=actor.user).values("pk"))


def _department_ticket_events(actor) -> Q:
    return _ticket_events(actor) & Q(subject_id__in=Ticket.objects.filter(responsible_role=role_of(actor))
                                     .values("pk"))


def register() -> None:
    register_cards("workorders", ticket_cards, order=10)
    register_todos("workorders", ticket_todos)
    register_feed("workorders.tickets", _ticket_events, roles={Role.CUSTOMER_SERVICE})
    register_feed("workorders.mine", _my_ticket_events, roles={Role.ENGINEERING})
    register_feed("workorders.department", _department_ticket_events, roles=DEPARTMENT_ROLES)
