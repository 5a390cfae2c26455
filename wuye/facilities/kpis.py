"""Facilities KPIs for the KPI registry (wuye.core.kpis), each over a set of projects and a half-open month range
[start, end), each with its drill-down (exactly the records the denominator counts, `kpi_counted` True when the
numerator counts them too):

- `maintenance_plan_completion` — maintenance tasks done / tasks due in the period (a skipped task counts against;
  a task still to do counts once its due day has passed; cancelled tasks do not count). Replaces quality's
  placeholder of the same code (the registry keeps a real KPI over a placeholder, whatever the load order).
- `maintenance_on_time` — tasks done in the period before their deadline / tasks done in the period.
- `equipment_fault_rate` — faults found in the period / items in the register (not scrapped), percent; lower is
  better. The numerator counts faults, the denominator items, so the drill-down lists both: each fault of the
  period (counted — the counted rows add up to the numerator, an item with two faults is two rows) and each item
  in the register (not counted — these rows are the denominator), with its number of faults.
- `fault_mean_time_to_repair` — hours from a fault being found to it being repaired, mean over the faults
  repaired in the period; lower is better.
- `entrapment_response` — entrapments whose staff arrived within the limit (the `entrapment.staff_arrive` clock
  met: the SLA engine's verdict, 5 minutes in both shipped standards) / entrapments started in the period.
- `entrapment_arrival_minutes` — mean minutes from the call to our staff on site, over the entrapments of the
  period with staff on site; lower is better.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import BooleanField, Count, Exists, OuterRef, Q, Value
from django.urls import NoReverseMatch
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wuye.core.kpis import (
    HOURS,
    MINUTES,
    PERCENT,
    Chain,
    DrillRow,
    Figure,
    Kpi,
    annotate_counted,
    bounds,
    figure_of,
    register_kpi,
)
from wuye.core.sentences import format_time
from wuye.sla.models import Clock, ClockState

from .models import (
    Entrapment,
    Equipment,
    EquipmentStatus,
    Fault,
    FaultStatus,
    MaintenanceTask,
    TaskStatus,
)

HOUR, MINUTE = Decimal(3600), Decimal(60)
PLACES = Decimal("0.01")


def _link(record) -> str:
    try:
        return record.get_absolute_url()
    except NoReverseMatch:  # the record's page may not be there yet
        return ""


# -- maintenance plan completion and on time ----------------------------------------------------------------------

def _tasks_due(project_ids, start, end):
    """Tasks due in [start, end) that count: done, skipped, or still to do with their due day gone by."""
    today = timezone.localdate()
    return (MaintenanceTask.objects.filter(project_id__in=project_ids, due_on__gte=start, due_on__lt=end)
            .exclude(status=TaskStatus.CANCELLED)
            .filter(~Q(status=TaskStatus.SCHEDULED) | Q(due_on__lt=today)))


TASK_DONE = Q(status=TaskStatus.DONE)


def completion_count(project_ids, start, end) -> Figure:
    return figure_of(_tasks_due(project_ids, start, end), TASK_DONE)


def completion_records(project_ids, start, end):
    return annotate_counted(_tasks_due(project_ids, start, end), TASK_DONE).select_related(
        "plan", "equipment").order_by("due_on", "id")


def _tasks_done(project_ids, start, end):
    low, high = bounds(start, end)
    return MaintenanceTask.objects.filter(project_id__in=project_ids, status=TaskStatus.DONE,
                                          completed_at__gte=low, completed_at__lt=high)


ON_TIME = Q(late=False)


def on_time_count(project_ids, start, end) -> Figure:
    return figure_of(_tasks_done(project_ids, start, end), ON_TIME)


def on_time_records(project_ids, start, end):
    return annotate_counted(_tasks_done(project_ids, start, end), ON_TIME).select_related(
        "plan", "equipment").order_by("completed_at", "id")


def describe_tasks(tasks) -> list[DrillRow]:
    rows = []
    for task in tasks:
        what = task.plan.name
        if task.equipment_id:
            what = f"{what} · {task.equipment.name}"
        state = task.get_status_display()
        if task.status == TaskStatus.DONE and task.late:
            state = gettext("Done late")
        rows.append(DrillRow(id=task.pk, kind=str(_("Maintenance task")),
                             title=gettext("%(task)s, due %(due)s: %(state)s") % {
                                 "task": what, "due": f"{task.due_on:%m-%d}", "state": state},
                             counted=bool(task.kpi_counted), link=_link(task), at=task.completed_at))
    return rows


# -- equipment fault rate -----------------------------------------------------------------------------------------

def _fault_window(start, end) -> Q:
    low, high = bounds(start, end)
    return Q(faults__raised_at__gte=low, faults__raised_at__lt=high) & ~Q(faults__status=FaultStatus.CANCELLED)


def _items(project_ids, start, end):
    """The register's items of the projects at the period's end (scrapped ones are out of service)."""
    _low, high = bounds(start, end)
    return Equipment.objects.filter(project_id__in=project_ids, created_at__lt=high).exclude(
        status=EquipmentStatus.SCRAPPED)


def _faults_of(items, start, end):
    low, high = bounds(start, end)
    return Fault.objects.filter(equipment__in=items.values("pk"), raised_at__gte=low, raised_at__lt=high).exclude(
        status=FaultStatus.CANCELLED)


def fault_rate_count(project_ids, start, end) -> Figure:
    """Faults found in the period on the register's items / those items (× 100)."""
    items = _items(project_ids, start, end)
    return Figure(Decimal(_faults_of(items, start, end).count()), Decimal(items.count()))


def fault_rate_records(project_ids, start, end):
    """The faults of the period (the numerator: counted), then the register's items (the denominator: not
    counted), each item with `kpi_faults` (its faults in the period)."""
    items = _items(project_ids, start, end)
    faults = annotate_counted(_faults_of(items, start, end), Q(pk__isnull=False)).select_related(
        "equipment").order_by("raised_at", "id")
    listed = items.select_related("category").annotate(kpi_faults=Count("faults", filter=_fault_window(start, end)))
    return Chain(faults, listed.annotate(kpi_counted=Value(False, output_field=BooleanField())).order_by(
        "-kpi_faults", "category__order", "code", "id"))


def describe_fault_rate(records) -> list[DrillRow]:
    rows = []
    for record in records:
        if isinstance(record, Fault):
            rows.append(DrillRow(id=record.pk, kind=str(_("Equipment fault")),
                                 title=gettext("%(item)s · %(fault)s: found %(at)s") % {
                                     "item": record.equipment.name, "fault": record.title,
                                     "at": format_time(record.raised_at)},
                                 counted=bool(record.kpi_counted), link=_link(record), at=record.raised_at))
            continue
        rows.append(DrillRow(id=record.pk, kind=str(record.category.name),
                             title=gettext("%(item)s: an item in the register, %(count)s faults") % {
                                 "item": record.name, "count": record.kpi_faults},
                             counted=bool(record.kpi_counted), link=_link(record)))
    return rows


# -- mean time to repair ------------------------------------------------------------------------------------------

def _repaired(project_ids, start, end):
    low, high = bounds(start, end)
    return Fault.objects.filter(project_id__in=project_ids, repaired_at__gte=low, repaired_at__lt=high).exclude(
        status=FaultStatus.CANCELLED)


def _hours(fault) -> Decimal:
    seconds = Decimal((fault.repaired_at - fault.raised_at).total_seconds())
    return max(Decimal(0), seconds / HOUR)


def mttr_count(project_ids, start, end) -> Figure:
    """Σ hours from found to repaired / faults repaired in the period (one query; a month's faults are few)."""
    spans = _repaired(project_ids, start, end).values_list("raised_at", "repaired_at")
    hours = [max(Decimal(0), Decimal((repaired - raised).total_seconds()) / HOUR) for raised, repaired in spans]
    return Figure(sum(hours, Decimal(0)), Decimal(len(hours)))


def mttr_records(project_ids, start, end):
    return annotate_counted(_repaired(project_ids, start, end), Q(pk__isnull=False)).select_related(
        "equipment").order_by("repaired_at", "id")


def describe_faults(faults) -> list[DrillRow]:
    return [DrillRow(id=fault.pk, kind=str(_("Equipment fault")),
                     title=gettext("%(item)s · %(fault)s: repaired in %(hours)s h") % {
                         "item": fault.equipment.name, "fault": fault.title,
                         "hours": _hours(fault).quantize(Decimal("0.1"))},
                     counted=True, link=_link(fault), at=fault.repaired_at) for fault in faults]


# -- entrapment response ------------------------------------------------------------------------------------------

def _entrapments(project_ids, start, end):
    low, high = bounds(start, end)
    return Entrapment.objects.filter(project_id__in=project_ids, started_at__gte=low, started_at__lt=high)


def _staff_in_time() -> Q:
    """The `entrapment.staff_arrive` clock was met: the SLA engine decides, with the project's own limit."""
    met = Clock.objects.filter(subject_type=ContentType.objects.get_for_model(Entrapment), subject_id=OuterRef("pk"),
                               key="entrapment.staff_arrive", state=ClockState.MET)
    return Q(Exists(met))


def entrapment_count(project_ids, start, end) -> Figure:
    return figure_of(_entrapments(project_ids, start, end), _staff_in_time())


def entrapment_records(project_ids, start, end):
    return annotate_counted(_entrapments(project_ids, start, end), _staff_in_time()).select_related(
        "equipment").order_by("started_at", "id")


def _minutes(entrapment) -> Decimal | None:
    if entrapment.staff_arrived_at is None:
        return None
    seconds = Decimal((entrapment.staff_arrived_at - entrapment.started_at).total_seconds())
    return max(Decimal(0), seconds / MINUTE)


def describe_entrapments(entrapments) -> list[DrillRow]:
    rows = []
    for entrapment in entrapments:
        minutes = _minutes(entrapment)
        arrived = (gettext("staff on site after %(minutes)s min") % {"minutes": minutes.quantize(Decimal("0.1"))}
                   if minutes is not None else gettext("no staff on site recorded"))
        rows.append(DrillRow(id=entrapment.pk, kind=str(_("Elevator entrapment")),
                             title=f"{entrapment.equipment.name} {format_time(entrapment.started_at)}: {arrived}",
                             counted=bool(entrapment.kpi_counted), link=_link(entrapment),
                             at=entrapment.started_at))
    return rows


def _arrived(project_ids, start, end):
    return _entrapments(project_ids, start, end).filter(staff_arrived_at__isnull=False)


def arrival_count(project_ids, start, end) -> Figure:
    """Σ minutes from the call to staff on site / entrapments of the period with staff on site."""
    spans = _arrived(project_ids, start, end).values_list("started_at", "staff_arrived_at")
    minutes = [max(Decimal(0), Decimal((arrived - started).total_seconds()) / MINUTE) for started, arrived in spans]
    return Figure(sum(minutes, Decimal(0)), Decimal(len(minutes)))


def arrival_records(project_ids, start, end):
    return annotate_counted(_arrived(project_ids, start, end), Q(pk__isnull=False)).select_related(
        "equipment").order_by("started_at", "id")


def register() -> None:
    register_kpi(Kpi("maintenance_plan_completion", _("Maintenance plan completion"), PERCENT, Decimal(100),
                     completion_count, completion_records, describe=describe_tasks, order=120,
                     resource="facilities.maintenance",
                     help_text=_("Maintenance tasks done over the tasks due in the period; a skipped task "
                                 "counts against."),
                     numerator_label=_("done"), denominator_label=_("due")))
    register_kpi(Kpi("maintenance_on_time", _("Maintenance done on time"), PERCENT, Decimal(95),
                     on_time_count, on_time_records, describe=describe_tasks, order=121,
                     resource="facilities.maintenance",
                     numerator_label=_("on time"), denominator_label=_("done")))
    register_kpi(Kpi("equipment_fault_rate", _("Equipment fault rate"), PERCENT, Decimal(5),
                     fault_rate_count, fault_rate_records, describe=describe_fault_rate, higher_is_better=False,
                     order=122, resource="facilities.faults",
                     help_text=_("Faults found in the period over the items in the register. The "
                                 "records list each fault (in the numerator), then each item (the "
                                 "denominator)."),
                     numerator_label=_("faults"), denominator_label=_("items")))
    register_kpi(Kpi("fault_mean_time_to_repair", _("Mean time to repair a fault"), HOURS, Decimal(24),
                     mttr_count, mttr_records, describe=describe_faults, higher_is_better=False, order=123,
                     resource="facilities.faults",
                     help_text=_("Hours from a fault being found to its repair, over the faults repaired in "
                                 "the period."),
                     numerator_label=_("hours"), denominator_label=_("faults repaired")))
    register_kpi(Kpi("entrapment_response", _("Entrapments with staff on site in time"), PERCENT, Decimal(100),
                     entrapment_count, entrapment_records, describe=describe_entrapments, order=124,
                     resource="facilities.entrapments",
                     numerator_label=_("in time"), denominator_label=_("entrapments")))
    register_kpi(Kpi("entrapment_arrival_minutes", _("Minutes to staff on site at an entrapment"), MINUTES,
                     Decimal(5), arrival_count, arrival_records, describe=describe_entrapments,
                     higher_is_better=False, order=125, resource="facilities.entrapments",
                     numerator_label=_("minutes"), denominator_label=_("entrapments with staff on site")))
