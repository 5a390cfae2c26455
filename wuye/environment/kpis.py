"""Environment figures in the KPI registry (cleaning tasks done on time %).

- `cleaning_on_time` — cleaning tasks done by their deadline / cleaning tasks that began in the period and count:
  done (on time or late), not done, or still open with the deadline passed. A task whose deadline is still ahead
  does not count yet; cancelled tasks never do. The drill-down lists exactly the denominator's tasks, each
  `kpi_counted` when it was done on time."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q
from django.urls import NoReverseMatch
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wuye.core.kpis import PERCENT, DrillRow, Figure, Kpi, annotate_counted, bounds, figure_of, register_kpi
from wuye.core.sentences import format_time

from .models import CleaningTask, TaskStatus

ON_TIME = Q(status=TaskStatus.DONE, late=False)


def _tasks(project_ids, start, end):
    low, high = bounds(start, end)
    return (CleaningTask.objects.filter(project_id__in=project_ids, starts_at__gte=low, starts_at__lt=high)
            .exclude(status=TaskStatus.CANCELLED)
            .filter(~Q(status=TaskStatus.SCHEDULED) | Q(due_at__lte=timezone.now())))


def on_time_count(project_ids, start, end) -> Figure:
    return figure_of(_tasks(project_ids, start, end), ON_TIME)


def on_time_records(project_ids, start, end):
    return annotate_counted(_tasks(project_ids, start, end), ON_TIME).select_related("zone").order_by(
        "starts_at", "id")


def _link(task) -> str:
    try:
        return task.get_absolute_url()
    except NoReverseMatch:  # the task page may not be there yet
        return ""


def describe_tasks(tasks) -> list[DrillRow]:
    rows = []
    for task in tasks:
        if task.status == TaskStatus.DONE:
            state = gettext("Done late") if task.late else gettext("Done")
        elif task.status == TaskStatus.MISSED:
            state = gettext("Not done")
        else:
            state = gettext("Overdue")
        rows.append(DrillRow(id=task.pk, kind=str(_("Cleaning task")),
                             title=gettext("%(zone)s, %(starts)s: %(state)s") % {
                                 "zone": task.zone.name, "starts": format_time(task.starts_at), "state": state},
                             counted=bool(task.kpi_counted), link=_link(task), at=task.done_at))
    return rows


def register() -> None:
    """Called once from the app's registry."""
    register_kpi(Kpi("cleaning_on_time", _("Cleaning done on time"), PERCENT, Decimal(95), on_time_count,
                     on_time_records, describe=describe_tasks, order=140, resource="environment.cleaning",
                     help_text=_("Cleaning tasks done by their deadline over the tasks that began in the period; "
                                 "a task not done counts against."),
                     numerator_label=_("on time"), denominator_label=_("tasks")))
