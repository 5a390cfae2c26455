"""KPI pages of the console: the table of every KPI for a project (or all one's projects) and a month or the trailing
twelve months, each figure linking to its drill-down — exactly the records counted, paged. Figures come from
`quality.kpis` (the same service the API and the dashboards read)."""

from __future__ import annotations

from decimal import Decimal

from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _

from wuye.core.access import scoped
from wuye.core.errors import InvalidInput
from wuye.core.kpis import HOURS, MINUTES, PER_100_HOUSEHOLDS, PERCENT, get_kpi
from wuye.tenancy.models import Project
from wuye.web.guards import staff_view
from wuye.web.paging import paginate

from .. import kpis

STATUS_BADGES = {"green": "badge-green", "amber": "badge-amber", "red": "badge-red-soft", "na": "badge-muted"}


def status_labels() -> dict[str, str]:
    return {"green": _("On target"), "amber": _("Close to target"), "red": _("Off target"), "na": _("No figure")}


def show(value: Decimal | None, unit: str) -> str:
    """96.5 % · 1.2 per 100 households · 88.0 — "—" when there is no figure."""
    if value is None:
        return "—"
    number = f"{value:.1f}"
    if unit == PERCENT:
        return f"{number} %"
    if unit == PER_100_HOUSEHOLDS:
        return _("%(value)s per 100 households") % {"value": number}
    if unit == HOURS:
        return _("%(value)s h") % {"value": number}
    if unit == MINUTES:
        return _("%(value)s min") % {"value": number}
    return number


def _count(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.2f}" if value != value.to_integral_value() else f"{value:,.0f}"


def _filters(request):
    """(projects, project, month, months, problem) from the query: a bad month reads as last month, said once."""
    actor = request.actor
    projects = list(scoped(Project.objects.all(), actor).only("id", "name").order_by("id"))
    project = next((p for p in projects if str(p.pk) == (request.GET.get("project") or "")), None)
    problem = None
    try:
        month = kpis.parse_period(request.GET.get("period"), "period", default=kpis.last_month())
    except InvalidInput as error:
        month, problem = kpis.last_month(), error.message
    months = kpis.MAX_MONTHS if request.GET.get("months") == str(kpis.MAX_MONTHS) else 1
    return projects, project, month, months, problem


@staff_view(reads="quality.kpis")
def kpi_table(request):
    projects, project, month, months, problem = _filters(request)
    labels = status_labels()
    rows = []
    for row in kpis.kpi_report(request.actor, project=project, month=month, months=months):
        rows.append({
            "row": row, "value": show(row.value, row.unit), "target": show(row.target, row.unit),
            "previous": show(row.previous, row.unit), "badge": STATUS_BADGES[row.status],
            "status": labels[row.status] if row.available else _("Not counted yet"),
            "numerator": _count(row.numerator), "denominator": _count(row.denominator),
            "better": _("higher is better") if row.higher_is_better else _("lower is better"),
        })
    return render(request, "quality/kpis/table.html", {
        "projects": projects, "project": project, "month": month, "months": months, "problem": problem,
        "rows": rows, "twelve": kpis.MAX_MONTHS,
    })


@staff_view(reads="quality.kpis")
def kpi_records(request, code: str):
    kpi = get_kpi(code)
    if kpi is None:
        raise Http404
    projects, project, month, months, problem = _filters(request)
    records = kpis.kpi_records(request.actor, code=code, project=project, month=month, months=months)
    page = paginate(request, records)
    rows = kpis.describe_records(code, page.object_list, request.actor)
    figure = kpis.kpi_figure(request.actor, code=code, project=project, month=month, months=months)
    return render(request, "quality/kpis/records.html", {
        "kpi": kpi, "projects": projects, "project": project, "month": month, "months": months,
        "problem": problem, "page": page, "rows": rows, "figure": figure,
        "value": show(figure.value if figure else None, kpi.unit),
        "numerator": _count(figure.numerator if figure else None),
        "denominator": _count(figure.denominator if figure else None),
        "back_url": kpis.table_url(project, month, months),
    })


urlpatterns = [
    path("console/quality/kpis/", kpi_table, name="kpis"),
    path("console/quality/kpis/<slug:code>/", kpi_records, name="kpi_records"),
]
