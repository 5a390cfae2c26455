"""Project scores (§6, seed 004): `GET /api/v1/reports/project-scores?year=YYYY[&quarter=N][&project=ID]`.

Readable with `quality.reports` (quality.view_reports: quality department, project managers, administrators; the
front desk and the other departments get 403, owners too). Each caller gets the rows of the projects they may see
(`scoped`); ranks are among all the company's active projects. A project outside scope (or unknown) is a 404, a
year outside 2000–2100 or a quarter outside 1–4 a 422 naming it. Scores are decimal strings rounded to 0.01."""

from decimal import Decimal

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from wuye.core.access import get_scoped_or_404, require_read, scoped
from wuye.core.errors import InvalidInput
from wuye.tenancy.models import Company, Project

from .. import scores

router = Router(tags=["quality"])


class ScoresQuery(Schema):
    year: int = Field(..., description="Year, 2000–2100")
    quarter: int | None = Field(None, description="1–4: rank and failing are that quarter's, rows in its order")
    project: int | None = Field(None, description="Only this project")


class QuarterOut(Schema):
    quarter: int
    score: Decimal | None = Field(None, description="Daily-check score of the quarter; null: not inspected")
    rank: int | None = None
    failing: bool


class ProjectScoreOut(Schema):
    project_id: int
    project: str
    daily_average: Decimal | None = Field(None, description="Mean daily-check score of the year (by standard weight)")
    year_end: Decimal | None = Field(None, description="Year-end review score; null: not reviewed yet")
    annual: Decimal | None = Field(None, description="daily_weight % × daily + year_end_weight % × year-end; "
                                                     "null: pending")
    pending: bool
    rank: int | None = None
    failing: bool
    open_rectifications: int
    quarters: list[QuarterOut]


class ProjectScoresOut(Schema):
    year: int
    quarter: int | None = None
    daily_weight: int
    year_end_weight: int
    pass_mark: Decimal
    items: list[ProjectScoreOut]


def _company(actor, project: Project | None) -> Company | None:
    if project is not None:
        return project.company
    if actor.company_id is not None:
        return Company.objects.filter(pk=actor.company_id).first()
    first = scoped(Project.objects.active(), actor).select_related("company").order_by("id").first()
    return first.company if first else None


@router.get("/reports/project-scores", response=ProjectScoresOut)
def project_scores(request, filters: Query[ScoresQuery]):
    """Per project of the caller's: the year's daily-check average, year-end review, annual score (60/40 by default,
    null until the year-end review), rank, failing (below the pass mark), open rectifications, and per quarter its
    score and rank. With `quarter`, rank and failing are that quarter's and the rows come in its order."""
    actor = request.actor
    require_read(actor, "quality.reports")
    year = scores.check_year(filters.year)
    if filters.quarter is not None and filters.quarter not in scores.QUARTERS:
        raise InvalidInput("quarter", _("Give a quarter from 1 to 4."))
    project = (get_scoped_or_404(Project.objects.select_related("company"), actor, pk=filters.project)
               if filters.project is not None else None)
    company = _company(actor, project)
    visible = set(scoped(Project.objects.all(), actor).values_list("pk", flat=True))
    rows = scores.annual_scores(company, year) if company else []
    rows = [row for row in rows if row.project.pk in visible and (project is None or row.project.pk == project.pk)]
    if filters.quarter is not None:
        rows = sorted(rows, key=lambda row: _quarter_order(row, filters.quarter))
    items = []
    for row in rows:
        in_quarter = row.quarters[filters.quarter - 1] if filters.quarter is not None else None
        items.append({
            "project_id": row.project.pk, "project": row.project.name, "daily_average": row.daily_average,
            "year_end": row.year_end, "annual": row.annual, "pending": row.pending,
            "rank": in_quarter.rank if in_quarter else row.rank,
            "failing": in_quarter.failing if in_quarter else row.failing,
            "open_rectifications": row.open_rectifications,
            "quarters": [vars(q) for q in row.quarters],
        })
    return {"year": year, "quarter": filters.quarter, "daily_weight": scores.daily_weight(),
            "year_end_weight": scores.year_end_weight(), "pass_mark": scores.pass_mark(), "items": items}


def _quarter_order(row: scores.AnnualScore, quarter: int):
    rank = row.quarters[quarter - 1].rank
    return (rank is None, rank or 0, row.project.code)
