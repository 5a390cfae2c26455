"""The work-order KPIs (SPEC §6), counted from tickets and their SLA clocks; registered from `registry.register()`.

Time-limit KPIs (dispatch, arrival, completion on time, complaints handled on time) count the clocks of those keys
that STOPPED in the period (met or breached; cancelled clocks — a reopened or cancelled ticket — are not counted),
one row per clock: a reopened repair dispatched twice counts twice. Clocks still running are not decided yet.

The rest count tickets: first-time fix and return-visit coverage the repairs CLOSED in the period, the repeat-repair
rate the repairs RECEIVED in it, complaints per 100 households the complaints received in it over the projects'
units. Cancelled tickets count nowhere. Figures read the records as they are now: a repair closed in October and
reopened in November leaves October's first-time fix.
"""

from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from wuye.core.kpis import (
    PER_100_HOUSEHOLDS,
    PERCENT,
    DrillRow,
    Figure,
    Kpi,
    annotate_counted,
    bounds,
    figure_of,
    register_kpi,
)
from wuye.core.models import Event
from wuye.sla.models import Clock, ClockState
from wuye.tenancy.models import Unit

from .models import Kind, Status, Ticket

DISPATCH_KEYS = ("repair.emergency.dispatch", "repair.general.dispatch")
ARRIVE_KEYS = ("repair.emergency.arrive", "repair.general.arrive")
COMPLETE_KEYS = ("repair.emergency.complete", "repair.general.complete")
COMPLAINT_HANDLE_KEYS = ("complaint.urgent.handle", "complaint.important.handle", "complaint.general.handle")
# A repeat the engineer put down to the part's quality (§2.1: "因配件質量問題除外") is not a workmanship repeat.
EXCUSED_REPEAT_REASONS = ("part_quality",)


# -- time limits ----------------------------------------------------------------------------------------------

def _stopped_clocks(keys, project_ids, start, end):
    low, high = bounds(start, end)
    return Clock.objects.filter(project_id__in=project_ids, key__in=keys, stopped_at__gte=low, stopped_at__lt=high,
                                state__in=(ClockState.MET, ClockState.BREACHED))


MET = Q(state=ClockState.MET)


def _clock_kpi(keys):
    def count(project_ids, start, end) -> Figure:
        return figure_of(_stopped_clocks(keys, project_ids, start, end), MET)

    def records(project_ids, start, end):
        return annotate_counted(_stopped_clocks(keys, project_ids, start, end), MET).order_by("stopped_at", "id")

    return count, records


def _ticket_title(ticket: Ticket) -> str:
    text = " ".join(ticket.description.split())
    return f"{ticket.number} {text[:40]}{'…' if len(text) > 40 else ''}"


def describe_clocks(clocks) -> list[DrillRow]:
    """A page of clocks as the tickets they time (one query for the tickets)."""
    clocks = list(clocks)
    tickets = Ticket.objects.in_bulk([clock.subject_id for clock in clocks])
    rows = []
    for clock in clocks:
        ticket = tickets.get(clock.subject_id)
        rows.append(DrillRow(
            id=clock.subject_id, kind=ticket.get_kind_display() if ticket else str(_("Ticket")),
            title=_ticket_title(ticket) if ticket else "", counted=bool(clock.kpi_counted),
            link=ticket.get_absolute_url() if ticket else "", at=clock.stopped_at))
    return rows


def describe_tickets(tickets) -> list[DrillRow]:
    return [DrillRow(id=ticket.pk, kind=ticket.get_kind_display(), title=_ticket_title(ticket),
                     counted=bool(ticket.kpi_counted), link=ticket.get_absolute_url(),
                     at=ticket.closed_at or ticket.created_at) for ticket in tickets]


# -- tickets --------------------------------------------------------------------------------------------------

def _repairs_closed(project_ids, start, end):
    low, high = bounds(start, end)
    return Ticket.objects.filter(project_id__in=project_ids, kind=Kind.REPAIR, status=Status.CLOSED,
                                 closed_at__gte=low, closed_at__lt=high)


def _first_time_fixed() -> Q:
    """Never reopened (no `ticket.reopen` event) and no repeat repair of it (other than one put down to a part)."""
    reopened = Event.objects.filter(subject_type=ContentType.objects.get_for_model(Ticket),
                                    subject_id=OuterRef("pk"), verb="ticket.reopen")
    # `repeat_of__isnull=False` lets the planner read the few repeats by the repeat_of index instead of every ticket.
    repeated = (Ticket.objects.filter(repeat_of__isnull=False, repeat_of=OuterRef("pk"))
                .exclude(status=Status.CANCELLED)
                .exclude(repeat_reason__in=EXCUSED_REPEAT_REASONS))
    return ~Exists(reopened) & ~Exists(repeated)


def first_time_fix_count(project_ids, start, end) -> Figure:
    """Two counts rather than one filtered aggregate: as a WHERE the NOT EXISTS become anti-joins (one pass over
    the reopenings and the repeats), inside COUNT(… FILTER) they would run once per repair."""
    closed = _repairs_closed(project_ids, start, end)
    return Figure(Decimal(closed.filter(_first_time_fixed()).count()), Decimal(closed.count()))


def first_time_fix_records(project_ids, start, end):
    return annotate_counted(_repairs_closed(project_ids, start, end), _first_time_fixed()).order_by("closed_at", "id")


def _repairs_received(project_ids, start, end):
    low, high = bounds(start, end)
    return (Ticket.objects.filter(project_id__in=project_ids, kind=Kind.REPAIR, created_at__gte=low,
                                  created_at__lt=high).exclude(status=Status.CANCELLED))


REPEAT = Q(repeat_of__isnull=False) & ~Q(repeat_reason__in=EXCUSED_REPEAT_REASONS)


def repeat_rate_count(project_ids, start, end) -> Figure:
    return figure_of(_repairs_received(project_ids, start, end), REPEAT)


def repeat_rate_records(project_ids, start, end):
    return annotate_counted(_repairs_received(project_ids, start, end), REPEAT).order_by("created_at", "id")


VISITED = Q(satisfaction__isnull=False)  # a staff return visit and the owner's own rating both set it


def return_visit_count(project_ids, start, end) -> Figure:
    return figure_of(_repairs_closed(project_ids, start, end), VISITED)


def return_visit_records(project_ids, start, end):
    return annotate_counted(_repairs_closed(project_ids, start, end), VISITED).order_by("closed_at", "id")


def _complaints_received(project_ids, start, end):
    low, high = bounds(start, end)
    return (Ticket.objects.filter(project_id__in=project_ids, kind=Kind.COMPLAINT, created_at__gte=low,
                                  created_at__lt=high).exclude(status=Status.CANCELLED))


def complaint_rate_count(project_ids, start, end) -> Figure:
    """Complaints received over the projects' households (units): the value is per 100 households."""
    complaints = _complaints_received(project_ids, start, end).count()
    return Figure(Decimal(complaints), Decimal(Unit.objects.filter(project_id__in=project_ids).count()))


def complaint_rate_records(project_ids, start, end):
    """The complaints counted (each in the numerator; the denominator is the households, not listed)."""
    return annotate_counted(_complaints_received(project_ids, start, end), Q(pk__isnull=False)).order_by(
        "created_at", "id")


def register() -> None:
    dispatch, dispatch_records = _clock_kpi(DISPATCH_KEYS)
    arrive, arrive_records = _clock_kpi(ARRIVE_KEYS)
    complete, complete_records = _clock_kpi(COMPLETE_KEYS)
    handle, handle_records = _clock_kpi(COMPLAINT_HANDLE_KEYS)
    clocks = {"describe": describe_clocks, "numerator_label": _("met"), "denominator_label": _("decided")}
    register_kpi(Kpi("dispatch_on_time", _("Repairs dispatched on time"), PERCENT, Decimal(95), dispatch,
                     dispatch_records, order=10, **clocks))
    register_kpi(Kpi("arrival_on_time", _("Repairs on site on time"), PERCENT, Decimal(95), arrive, arrive_records,
                     order=20, **clocks))
    register_kpi(Kpi("completion_on_time", _("Repairs done on time"), PERCENT, Decimal(90), complete,
                     complete_records, order=30, **clocks))
    register_kpi(Kpi("first_time_fix", _("First-time fix"), PERCENT, Decimal(90), first_time_fix_count,
                     first_time_fix_records, describe=describe_tickets, order=40,
                     numerator_label=_("fixed the first time"), denominator_label=_("repairs closed")))
    register_kpi(Kpi("repeat_repairs", _("Repeat repairs"), PERCENT, Decimal(5), repeat_rate_count,
                     repeat_rate_records, describe=describe_tickets, higher_is_better=False, order=50,
                     numerator_label=_("repeats"), denominator_label=_("repairs received")))
    register_kpi(Kpi("return_visits", _("Return-visit coverage"), PERCENT, Decimal(95), return_visit_count,
                     return_visit_records, describe=describe_tickets, order=60,
                     numerator_label=_("visited or rated"), denominator_label=_("repairs closed")))
    register_kpi(Kpi("complaint_rate", _("Complaints per 100 households"), PER_100_HOUSEHOLDS, Decimal(2),
                     complaint_rate_count, complaint_rate_records, describe=describe_tickets,
                     higher_is_better=False, order=70,
                     numerator_label=_("complaints"), denominator_label=_("households")))
    register_kpi(Kpi("complaints_on_time", _("Complaints handled on time"), PERCENT, Decimal(95), handle,
                     handle_records, order=80, **clocks))

