"""KPIs (§6, §9): `GET /api/v1/kpis?project=&period=YYYY-MM[&months=12]` and the drill-down
`GET /api/v1/kpis/{code}/records?project=&period=&page=`.

Readable with `quality.kpis` (every staff member; owners 403). Without `project` the figures pool every project the
caller may see (Σ numerators / Σ denominators); a project outside scope (or unknown) is a 404, and so is an unknown
KPI code. `period` defaults to last month; a malformed one, or one outside 2000-01 … 2100-12, is a 422 naming
`period`. Values are decimal strings (two places); null when there is nothing to count or the KPI is not available
yet (status "na")."""

from decimal import Decimal

from ninja import Field, Query, Router, Schema

from wuye.core.access import get_scoped_or_404, require_read
from wuye.tenancy.models import Project

from .. import kpis

router = Router(tags=["quality"])
PAGE_SIZE, MAX_PAGE_SIZE = 50, 200


class KpiQuery(Schema):
    project: int | None = Field(None, description="One project; empty: all the caller's projects, pooled")
    period: str | None = Field(None, description="YYYY-MM (2000-01 … 2100-12); default last month")
    months: int = Field(1, description="1: the month; 12: the twelve months ending with it")


class KpiOut(Schema):
    code: str
    label: str
    unit: str = Field(..., description="percent, per_100_households or score")
    value: Decimal | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    target: Decimal | None = None
    previous: Decimal | None = Field(None, description="The previous month's (or previous twelve months') value")
    status: str = Field(..., description="green (meets the target), amber (close), red, na")
    higher_is_better: bool
    available: bool


class KpisOut(Schema):
    period: str
    months: int
    project_id: int | None = None
    items: list[KpiOut]
    count: int


class RecordsQuery(KpiQuery):
    page: int = Field(1, ge=1, le=100000)
    page_size: int = Field(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


class RecordOut(Schema):
    id: str
    kind: str = Field(..., description="What the record is (a repair, a rectification, a bill …), as a reader says")
    title: str
    counted_in_numerator: bool
    link: str


class RecordsOut(Schema):
    code: str
    items: list[RecordOut]
    count: int


def _scope(request, filters: KpiQuery):
    require_read(request.actor, "quality.kpis")
    project = get_scoped_or_404(Project.objects, request.actor, pk=filters.project) if filters.project else None
    month = kpis.parse_period(filters.period, "period", default=kpis.last_month())
    return project, month


@router.get("/kpis", response=KpisOut)
def kpi_list(request, filters: Query[KpiQuery]):
    """Every KPI of the month (or trailing twelve months) with target, previous value and status."""
    project, month = _scope(request, filters)
    rows = kpis.kpi_report(request.actor, project=project, month=month, months=filters.months)
    return {"period": f"{month:%Y-%m}", "months": filters.months, "project_id": project.pk if project else None,
            "items": [row.__dict__ for row in rows], "count": len(rows)}


@router.get("/kpis/{code}/records", response=RecordsOut)
def kpi_record_list(request, code: str, filters: Query[RecordsQuery]):
    """Exactly the records the KPI's figure counts (its denominator), each saying whether it is in the numerator."""
    project, month = _scope(request, filters)
    records = kpis.kpi_records(request.actor, code=code, project=project, month=month, months=filters.months)
    start = (filters.page - 1) * filters.page_size
    page = kpis.describe_records(code, records[start:start + filters.page_size], request.actor)
    return {"code": code, "count": records.count(),
            "items": [{"id": str(row.id), "kind": row.kind, "title": row.title,
                       "counted_in_numerator": row.counted, "link": row.link} for row in page]}
