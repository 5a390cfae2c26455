"""Shared costs (公摊) in the console — the month's allocation and how it is computed — and their disclosure
(公示) in the owner portal."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from wuye.core.access import get_scoped_or_404, scoped
from wuye.core.errors import DomainError
from wuye.tenancy.models import Project, Unit
from wuye.web.guards import owner_view, staff_view
from wuye.web.paging import paginate

from .. import sharing
from ..models import SharedCost
from ..periods import add_months, parse_month

EVENT_VERBS = {"billing.shared_cost_computed": gettext_lazy("Shared cost computed"),
               "billing.shared_costs_withdrawn": gettext_lazy("Shared costs withdrawn")}
DISCLOSED_MONTHS = 12


def _rows(costs, own=None):
    """What a page shows of each cost: the cost, its meters and readings, the per-share figure, an own share."""
    rows = []
    for cost in costs:
        parts = [amount for (cost_id, _unit), amount in (own or {}).items() if cost_id == cost.pk]
        rows.append({"cost": cost, "meters": sharing.meter_lines(cost), "per_share": sharing.per_share(cost),
                     "own_share": sum(parts) if parts else None})
    return rows


def _page(request, *, project=None, month=None, error="", status=None):
    actor = request.actor
    projects = scoped(Project.objects.all(), actor).order_by("id")
    costs = SharedCost.objects.filter(project__in=projects)
    if project is not None:
        costs = costs.filter(project=project)
    if month is not None:
        costs = costs.filter(period=month)
    page = paginate(request, sharing.with_readings(costs.order_by("-period", "project_id", "item_id",
                                                                   "building_id", "id")), per_page=20)
    today = timezone.localdate()
    return render(request, "billing/sharing/shared_costs.html", {
        "page": page, "rows": _rows(page.object_list), "projects": projects, "project": project, "month": month,
        "this_month": today.replace(day=1), "may_allocate": actor.may("billing.charge"), "error": error,
    }, status=status)


@staff_view(reads="billing.shared_costs")
def shared_costs(request):
    """The shared costs of the projects in scope, by month, with meters, readings, method and per-share figure."""
    project = month = None
    if request.GET.get("project"):
        project = get_scoped_or_404(Project.objects.all(), request.actor, pk=request.GET["project"])
    if request.GET.get("month"):
        try:
            month = parse_month(request.GET["month"], "month")
        except DomainError as error:
            return _page(request, project=project, error=error.message, status=422)
    return _page(request, project=project, month=month)


@require_POST
@staff_view("billing.charge")
def allocate(request):
    """Compute a project's shared costs of a month from its public meters (recomputes while nothing is billed)."""
    try:
        project = get_scoped_or_404(Project.objects.all(), request.actor, pk=request.POST.get("project") or 0)
        month = parse_month(request.POST.get("month", ""), "month")
        costs = sharing.allocate_shared_costs(request.actor, project, month)
    except DomainError as error:
        return _page(request, error=error.message, status=error.status)
    if costs:
        messages.success(request, _("%(count)s shared costs of %(month)s computed for %(project)s.") % {
            "count": len(costs), "month": f"{month:%Y-%m}", "project": project.name})
    else:
        messages.error(request, _("Nothing to share for %(project)s in %(month)s: no active shared utility with a "
                                  "tariff and public meter readings in that month.") % {
            "project": project.name, "month": f"{month:%Y-%m}"})
    query = urlencode({"project": project.pk, "month": f"{month:%Y-%m}"})
    return redirect(f"{reverse('billing:shared_costs')}?{query}")


@owner_view
def h5_disclosure(request):
    """The owner's estate's shared costs of the last twelve months, with the method and what their home pays."""
    actor = request.actor
    units = list(Unit.objects.filter(pk__in=actor.unit_ids).select_related("project", "building").order_by("id"))
    first_disclosed = add_months(timezone.localdate(), 1 - DISCLOSED_MONTHS)  # this month included
    costs = list(sharing.with_readings(SharedCost.objects.filter(
        project_id__in={unit.project_id for unit in units},
        period__gte=first_disclosed)).order_by("-period", "item_id", "building_id", "id"))
    own = sharing.owner_shares(costs, [unit.pk for unit in units])
    months = []
    for row in _rows(costs, own):
        if not months or months[-1]["period"] != row["cost"].period:
            months.append({"period": row["cost"].period, "rows": []})
        months[-1]["rows"].append(row)
    return render(request, "billing/h5/disclosure.html", {"months": months, "units": units})


urlpatterns = [
    path("console/billing/shared-costs/", shared_costs, name="shared_costs"),
    path("console/billing/shared-costs/allocate/", allocate, name="shared_costs_allocate"),
    path("h5/disclosure/", h5_disclosure, name="h5_disclosure"),
]
