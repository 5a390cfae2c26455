"""Quality console pages: the quality home (品质, the nav's entry) — KPI cards against target, 12-month trends,
this quarter's ranking, open rectifications by age, projects short of surveys, links to every quality page — and
the monthly quality reports (月度品质报告): the list with downloads and the quality department's "generate now"."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wuye.billing.periods import add_months
from wuye.core.access import get_scoped_or_404, may_read, scoped
from wuye.core.downloads import attachment
from wuye.core.errors import InvalidInput
from wuye.tenancy.models import Project
from wuye.web.guards import staff_view
from wuye.web.paging import paginate

from .. import kpis, reports
from ..models import MonthlyReport
from .workbench_kpis import kpi_card


def _url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def _filters(request):
    projects = list(scoped(Project.objects.all(), request.actor).only("id", "name").order_by("id"))
    project = next((p for p in projects if str(p.pk) == (request.GET.get("project") or "")), None)
    problem = None
    this_month = timezone.localdate().replace(day=1)
    try:
        month = kpis.parse_period(request.GET.get("period"), "period", default=this_month)
    except InvalidInput as error:
        month, problem = this_month, error.message
    return projects, project, month, problem


@staff_view(reads="quality.kpis")
def home(request):
    """The quality home: the month's KPIs (pooled over the actor's projects, or one project), their trends, the
    quarter's ranking of the actor's projects, open rectifications by age and surveys short of the yearly minimum."""
    from ..surveys import projects_short_of_surveys, surveys_per_year

    actor, now = request.actor, timezone.now()
    projects, project, month, problem = _filters(request)
    rows = [row for row in kpis.kpi_report(actor, project=project, month=month) if row.available]
    ranking, ranked_total = reports.ranking_for(actor, timezone.localdate(now))
    if project is not None:
        ranking = [row for row in ranking if row.project.pk == project.pk]
    short = projects_short_of_surveys(actor, timezone.localdate(now))
    if project is not None:
        short = [entry for entry in short if entry[0].pk == project.pk]
    links = [(label, url) for label, url, resource in (
        (_("Inspections"), _url("quality:inspections"), "quality.inspections"),
        (_("Rectifications"), _url("quality:rectifications"), "quality.rectifications"),
        (_("Standards"), _url("quality:standards"), "quality.standards"),
        (_("Surveys"), _url("quality:surveys"), "quality.surveys"),
        (_("Scores"), _url("quality:scores"), "quality.reports"),
        (_("KPIs"), kpis.table_url(project, month), "quality.kpis"),
        (_("Staff assessment"), _url("quality:assessments"), "quality.assessments"),
        (_("Monthly reports"), _url("quality:reports"), "quality.reports"),
    ) if url and may_read(actor, resource)]  # only the pages the actor may open
    return render(request, "quality/dashboard/home.html", {
        "projects": projects, "project": project, "month": month, "problem": problem,
        "cards": [kpi_card(row) for row in rows],
        "kpi_chart": reports.kpi_chart(rows),
        "trend_chart": reports.trend_chart(actor, project=project, end_month=month),
        "ranking": ranking, "ranked_total": ranked_total, "quarter": reports.quarter_of(timezone.localdate(now)),
        "ranking_chart": reports.bar_chart([(row.project.name, row.score) for row in ranking], max_value=100,
                                           target=reports._pass_mark(), title=_("Quarter ranking"))
        if ranking else "",
        "ages": reports.rectification_ages(actor, now, project=project),
        "short": short, "surveys_per_year": surveys_per_year(), "links": links,
        "may_reports": actor.may("quality.view_reports"),
    })


@staff_view(reads="quality.reports")
def report_list(request):
    """The monthly quality reports of the actor's projects, newest first, each to download."""
    actor = request.actor
    rows = scoped(MonthlyReport.objects.select_related("project"), actor).order_by("-month", "project__name")
    page = paginate(request, rows)
    projects = list(scoped(Project.objects.filter(is_active=True), actor).only("id", "name").order_by("id"))
    return render(request, "quality/dashboard/reports.html", {
        "page": page, "reports": page.object_list, "projects": projects,
        "may_generate": actor.may("quality.generate_reports"),
        "last_month": add_months(timezone.localdate().replace(day=1), -1),
    })


@staff_view(reads="quality.reports")
def report_download(request, pk: int):
    report = get_scoped_or_404(MonthlyReport.objects.select_related("project"), request.actor, pk=pk)
    try:
        handle = report.document.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(handle, content_type="application/pdf")
    return attachment(response, reports.report_filename(report))


@require_POST
@staff_view("quality.generate_reports", reads="quality.reports")
def report_generate(request):
    """Make (or find) a project's report for a month now — the job's step, for a month the job has not done."""
    actor = request.actor
    project = get_scoped_or_404(Project.objects.all(), actor, pk=_int(request.POST.get("project")))
    try:
        month = kpis.parse_period(request.POST.get("period"), "period")
        if month >= timezone.localdate().replace(day=1):
            raise InvalidInput("period", _("Choose a month that has ended."))
    except InvalidInput as error:
        messages.error(request, error.message)
        return redirect("quality:reports")
    _report, created = reports.generate_monthly_report(project, month, actor=actor)
    if created:
        messages.success(request, _("The report is ready and was sent to the project manager and quality."))
    else:
        messages.info(request, _("This report was already made; it is in the list."))
    return redirect("quality:reports")


def _int(text) -> int:
    try:
        return int(text)
    except (TypeError, ValueError):
        raise Http404 from None


urlpatterns = [
    path("console/quality/", home, name="home"),
    path("console/quality/reports/", report_list, name="reports"),
    path("console/quality/reports/generate/", report_generate, name="report_generate"),
    path("console/quality/reports/<int:pk>/download/", report_download, name="report_download"),
]
