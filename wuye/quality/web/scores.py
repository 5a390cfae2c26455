"""Quality console: project scores (项目评分, seed 004) — the quarter's ranking with failing projects marked and their
open rectifications, the annual table (daily checks, year-end review, annual score or "pending"), and each project's
history with a chart. The figures come from `quality.scores`; the pages only pick the year and quarter."""

from __future__ import annotations

from urllib.parse import urlencode

from django.shortcuts import render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wuye.core.access import get_scoped_or_404, scoped
from wuye.core.errors import InvalidInput
from wuye.tenancy.models import Company, Project
from wuye.web.charts import bar_chart, line_chart
from wuye.web.guards import staff_view

from .. import scores

HISTORY_YEARS = 5


def _int_param(request, name: str, default: int) -> tuple[int, str | None]:
    raw = (request.GET.get(name) or "").strip()
    if not raw:
        return default, None
    try:
        return int(raw), None
    except ValueError:
        return default, _("Give a whole number.")


def _rectifications_url(project: Project) -> str | None:
    """The project's rectification list (it shows the open and awaiting-verification ones first, the ones counted
    here; its status filter takes one status only)."""
    try:
        base = reverse("quality:rectifications")
    except NoReverseMatch:
        return None
    return f"{base}?{urlencode({'project': project.pk})}"


def _company(actor) -> Company | None:
    if actor.company_id is not None:
        return Company.objects.filter(pk=actor.company_id).first()
    first = scoped(Project.objects.active(), actor).select_related("company").order_by("id").first()
    return first.company if first else None


@staff_view(reads="quality.reports")
def scores_page(request):
    """The year's scores of the actor's projects: the chosen quarter's ranking (failing rows marked, with their open
    rectifications) and the annual table. Ranks are among all the company's projects."""
    actor, today = request.actor, timezone.localdate()
    year, problem = _int_param(request, "year", today.year)
    try:
        scores.check_year(year)
    except InvalidInput as error:
        year, problem = today.year, error.message
    default_quarter = (today.month - 1) // 3 + 1 if year == today.year else 4
    quarter, quarter_problem = _int_param(request, "quarter", default_quarter)
    if quarter not in scores.QUARTERS:
        quarter, quarter_problem = default_quarter, _("Give a quarter from 1 to 4.")
    problem = problem or quarter_problem

    visible = set(scoped(Project.objects.all(), actor).values_list("pk", flat=True))
    company = _company(actor)
    annual = [row for row in (scores.annual_scores(company, year) if company else []) if row.project.pk in visible]
    ranking = [row for row in (scores.quarterly_ranking(company, year, quarter) if company else [])
               if row.project.pk in visible]
    for row in [*ranking, *annual]:
        row.rectifications_url = _rectifications_url(row.project)
    total = Project.objects.active().filter(company=company).count() if company else 0
    mark = scores.pass_mark()
    chart = bar_chart([(row.project.name, row.score, "#b42318" if row.failing else "#0b5cad") for row in ranking],
                      max_value=100, target=float(mark),
                      title=_("Quarter %(quarter)s scores") % {"quarter": quarter}) if ranking else ""
    return render(request, "quality/scores/scores.html", {
        "year": year, "quarter": quarter, "quarters": scores.QUARTERS, "problem": problem,
        "years": list(range(today.year, max(today.year - 6, scores.YEAR_MIN - 1), -1)),
        "ranking": ranking, "annual": annual, "ranked_total": total, "chart": chart,
        "daily_weight": scores.daily_weight(), "year_end_weight": scores.year_end_weight(), "pass_mark": mark,
    })


@staff_view(reads="quality.reports")
def history_page(request, project_id: int):
    """One project's five years up to `?year=` (default this year): per quarter its score and rank in the company,
    per year the daily-check average, year-end review and annual score; a line chart of the quarter scores."""
    project = get_scoped_or_404(Project.objects.select_related("company"), request.actor, pk=project_id)
    until, _problem = _int_param(request, "year", timezone.localdate().year)
    if not scores.YEAR_MIN <= until <= scores.YEAR_MAX:
        until = timezone.localdate().year
    history = scores.score_history(project, years=HISTORY_YEARS, until=until)
    labels = [f"{entry.year % 100:02d}Q{q.quarter}" for entry in history for q in entry.quarters]
    values = [q.score for entry in history for q in entry.quarters]
    chart = line_chart(labels, [(_("Quarter score"), values)], target=float(scores.pass_mark()),
                       title=_("Quarter scores of %(project)s") % {"project": project.name}) \
        if any(value is not None for value in values) else ""
    return render(request, "quality/scores/history.html", {
        "project": project, "history": list(reversed(history)), "chart": chart,
        "daily_weight": scores.daily_weight(), "year_end_weight": scores.year_end_weight(),
        "pass_mark": scores.pass_mark(), "rectifications_url": _rectifications_url(project),
        "open_rectifications": scores.open_rectification_counts([project.pk]).get(project.pk, 0),
    })


urlpatterns = [
    path("console/quality/scores/", scores_page, name="scores"),
    path("console/quality/scores/<int:project_id>/", history_page, name="score_history"),
]
