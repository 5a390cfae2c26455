"""Environment pages: the checks — today's and this week's daily rounds, spot checks and greening checks (quality
inspections on the environment sheets) with their scores and the rectifications they opened; scoring happens on
quality's inspection page, linked from here. A zone's spot check is started from the zone's row (POST)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from wuye.core.access import get_scoped_or_404, scoped
from wuye.core.errors import DomainError
from wuye.core.validators import digits
from wuye.tenancy.models import Project
from wuye.web.guards import staff_view

from .. import checks as service
from ..models import CleaningZone

RESOURCE = "environment.cleaning"


def _id(value) -> int | None:
    value = (value or "").strip()
    return int(value) if digits(value) and len(value) < 12 else None


@staff_view(reads=RESOURCE)
def checks(request):
    """Today's checks, then the rest of the last seven days, each with its score and rectifications."""
    actor, today = request.actor, timezone.localdate()
    project = _id(request.GET.get("project"))
    week = service.checks_between(actor, today - timedelta(days=6), today)
    if project:
        week = week.filter(project_id=project)
    rows = service.with_rectifications(week.select_related("version__standard", "inspector")[:200])
    return render(request, "environment/checks/list.html", {
        "today_rows": [row for row in rows if row.inspection.scheduled_for == today],
        "week_rows": [row for row in rows if row.inspection.scheduled_for != today],
        "projects": scoped(Project.objects.all(), actor).only("id", "name").order_by("id"), "project": project,
        "today": today})


@require_POST
@staff_view(reads=RESOURCE)
def zone_check(request, pk: int):
    """Start a spot check of a cleaning zone and open it on quality's scoring page."""
    zone = get_scoped_or_404(CleaningZone.objects.select_related("project__company"), request.actor, pk=pk)
    try:
        inspection = service.start_zone_check(request.actor, zone)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("environment:checks")
    return redirect("quality:inspection", inspection.pk)


urlpatterns = [
    path("console/environment/checks/", checks, name="checks"),
    path("console/environment/zones/<int:pk>/check/", zone_check, name="zone_check"),
]
