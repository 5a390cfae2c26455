"""Facilities console pages: operation logs (运行记录) — the duty page (items due for readings, recent anomalies)
and the reading form of one item (a phone page: one number field per reading, its unit and normal range)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wuye.core.access import get_scoped_or_404, scoped
from wuye.core.errors import DomainError
from wuye.core.sentences import format_time
from wuye.core.validators import digits
from wuye.sla import engine
from wuye.sla.models import ClockState
from wuye.tenancy.models import Project
from wuye.web.guards import staff_view

from .. import operation as service
from ..models import Equipment, OperationReading

MAX_PROJECTS = 20


def _errors(error: DomainError) -> dict:
    return {problem.field or "form": problem.message for problem in error.problems} or {"form": error.message}


@staff_view(reads="facilities.operation")
def readings(request):
    """Items whose readings are due (most overdue first), per project in scope, and the latest anomalies."""
    actor, now = request.actor, timezone.now()
    projects = scoped(Project.objects.active(), actor).order_by("name")
    chosen = request.GET.get("project", "")
    if digits(chosen):
        projects = projects.filter(pk=int(chosen))
    groups = [{"project": project, "due": service.readings_due(project, now)}
              for project in projects[:MAX_PROJECTS]]
    readings_in_scope = scoped(OperationReading.objects.all(), actor)
    if digits(chosen):
        readings_in_scope = readings_in_scope.filter(project_id=int(chosen))
    limits: dict[int, dict] = {}  # each item's limits read once per page, not once per reading
    anomalies = [{"reading": reading, "text": service.anomaly_text(
        [service.describe(point, reading.values[code]) for code, point in _points(reading, limits).items()])}
        for reading in service.recent_anomalies(readings_in_scope)]
    return render(request, "facilities/operation/readings.html", {
        "groups": groups, "anomalies": anomalies, "now": now, "chosen": chosen,
        "projects": scoped(Project.objects.active(), actor).only("id", "name"),
        "may_log": actor.may("facilities.log_readings"),
    })


def _points(reading: OperationReading, cache: dict) -> dict:
    from .. import register

    if reading.equipment_id not in cache:
        cache[reading.equipment_id] = register.limits_for(reading.equipment)
    limits = cache[reading.equipment_id]
    return {code: limits[code] for code in reading.anomalies if code in limits and code in reading.values}


def _form_context(request, equipment: Equipment, errors: dict | None = None, values: dict | None = None) -> dict:
    from .. import register

    values = values or {}
    points = [{"point": point, "value": values.get(code, ""), "error": (errors or {}).get(f"values.{code}")}
              for code, point in register.limits_for(equipment).items()]
    last = equipment.readings.select_related("recorded_by").order_by("-recorded_at", "-id").first()
    return {"equipment": equipment, "points": points, "errors": errors or {}, "last": last,
            "last_rows": service.reading_rows(last) if last else [],
            "note": request.POST.get("note", "") if request.method == "POST" else "",
            "may_log": request.actor.may("facilities.log_readings")}


@staff_view(reads="facilities.operation")
def reading_new(request, pk: int):
    """The reading form of one item; out-of-range values open (or join) a fault to report by its `fault.report`
    clock."""
    equipment = get_scoped_or_404(Equipment.objects.select_related("category", "project", "building"),
                                  request.actor, pk=pk)
    if request.method != "POST":
        return render(request, "facilities/operation/reading_form.html", _form_context(request, equipment))
    from .. import register

    values = {code: request.POST.get(f"v_{code}", "").strip()[:20] for code in register.limits_for(equipment)}
    filled = {code: value for code, value in values.items() if value != ""}
    try:
        reading = service.record_reading(request.actor, equipment, values=filled,
                                         note=request.POST.get("note", "")[:1000])
    except DomainError as error:
        context = _form_context(request, equipment, _errors(error), values)
        return render(request, "facilities/operation/reading_form.html", context, status=error.status)
    if reading.fault_id:
        # The reporting limit is the project's `fault.report` policy: say the clock's due time, not a fixed figure.
        clock = (engine.clocks_for(reading.fault).filter(key="fault.report", state=ClockState.RUNNING)
                 .order_by("due_at").first())
        if clock is not None:
            messages.warning(request, _("Readings out of range: report the fault by %(due)s.")
                             % {"due": format_time(clock.due_at)})
        else:
            messages.warning(request, _("Readings out of range: they were added to the item's open fault."))
        return redirect(reverse("facilities:fault", args=[reading.fault_id]))
    messages.success(request, _("Readings recorded."))
    return redirect(reverse("facilities:readings") + f"?project={equipment.project_id}")


urlpatterns = [
    path("console/facilities/readings/", readings, name="readings"),
    path("console/facilities/equipment/<int:pk>/readings/new/", reading_new, name="reading_new"),
]
