"""Order and security figures in the KPI registry (patrol completion %), each over a set of projects and a half-open
range of local days [start, end), with its drill-down (exactly the checkpoint visits the denominator counts,
`kpi_counted` True when the numerator counts them too):

- `patrol_completion` — checkpoints scanned (on time or late) / checkpoints due in the period (scanned or missed; a
  checkpoint still pending is not yet due or not yet swept). Replaces quality's placeholder of the same code.
- `patrol_on_time` — checkpoints scanned by their deadline / checkpoints scanned in the period.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q
from django.urls import NoReverseMatch
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wuye.core.kpis import PERCENT, DrillRow, Figure, Kpi, annotate_counted, figure_of, register_kpi
from wuye.core.sentences import format_time

from .models import VisitStatus

SCANNED = Q(status__in=(VisitStatus.ON_TIME, VisitStatus.LATE))
ON_TIME = Q(status=VisitStatus.ON_TIME)


def _due(project_ids, start, end):
    from .patrols import visits_due

    return visits_due(project_ids, start, end)


def completion_count(project_ids, start, end) -> Figure:
    return figure_of(_due(project_ids, start, end), SCANNED)


def completion_records(project_ids, start, end):
    return annotate_counted(_due(project_ids, start, end), SCANNED).select_related(
        "checkpoint", "round__route").order_by("due_at", "id")


def _scanned(project_ids, start, end):
    return _due(project_ids, start, end).filter(SCANNED)


def on_time_count(project_ids, start, end) -> Figure:
    return figure_of(_scanned(project_ids, start, end), ON_TIME)


def on_time_records(project_ids, start, end):
    return annotate_counted(_scanned(project_ids, start, end), ON_TIME).select_related(
        "checkpoint", "round__route").order_by("due_at", "id")


def _link(visit) -> str:
    try:
        return visit.get_absolute_url()
    except NoReverseMatch:  # the round page is another stream's
        return ""


def describe_visits(visits) -> list[DrillRow]:
    return [DrillRow(id=visit.pk, kind=str(_("Patrol checkpoint")),
                     title=gettext("%(route)s · %(checkpoint)s, due %(due)s: %(state)s") % {
                         "route": visit.round.route.name, "checkpoint": visit.checkpoint.name,
                         "due": format_time(visit.due_at), "state": visit.get_status_display()},
                     counted=bool(visit.kpi_counted), link=_link(visit), at=visit.scanned_at or visit.due_at)
            for visit in visits]


def register() -> None:
    """Called once from the app's registry."""
    register_kpi(Kpi("patrol_completion", _("Patrol completion"), PERCENT, Decimal(100), completion_count,
                     completion_records, describe=describe_visits, order=130, resource="security.patrols",
                     help_text=_("Patrol checkpoints scanned over the checkpoints due in the period; a missed "
                                 "checkpoint counts against."),
                     numerator_label=_("scanned"), denominator_label=_("due")))
    register_kpi(Kpi("patrol_on_time", _("Patrol checkpoints scanned on time"), PERCENT, Decimal(95),
                     on_time_count, on_time_records, describe=describe_visits, order=131, resource="security.patrols",
                     numerator_label=_("on time"), denominator_label=_("scanned")))
