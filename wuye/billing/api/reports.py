"""Arrears aging and collection rate (收缴率) reports (§3, §9). Money as decimal strings.

The project (or building) a report is about is the record asked for: outside the caller's scope — or unknown — it
answers 404, as a detail route does (§9); a malformed id, date or month is a 422 naming the parameter."""

from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from wuye.core.access import get_scoped_or_404, require_read
from wuye.core.errors import InvalidInput
from wuye.tenancy.models import Building, Project

from .. import reports
from ..periods import add_months, parse_month

router = Router(tags=["fees"])


class AgingQuery(Schema):
    project: int | None = None
    building: int | None = None
    group: str = Field("building", description="building or project")
    as_of: date | None = Field(None, description="Age the debt at this date (default: today)")


class BucketBills(Schema):
    not_due: int
    b0_30: int
    b31_60: int
    b61_90: int
    b90_plus: int


class AgingRowOut(Schema):
    project_id: int
    project: str
    building_id: int | None = None
    building: str | None = None
    units_in_arrears: int
    not_due: Decimal
    b0_30: Decimal
    b31_60: Decimal
    b61_90: Decimal
    b90_plus: Decimal
    total: Decimal
    bills: BucketBills


class AgingTotalsOut(Schema):
    units_in_arrears: int
    not_due: Decimal
    b0_30: Decimal
    b31_60: Decimal
    b61_90: Decimal
    b90_plus: Decimal
    total: Decimal
    bills: BucketBills


class AgingOut(Schema):
    as_of: date
    group: str
    buckets: list[str]
    rows: list[AgingRowOut]
    totals: AgingTotalsOut


class RateQuery(Schema):
    project: int
    from_: str | None = Field(None, alias="from", description="First period, YYYY-MM (default: 11 months ago)")
    to: str | None = Field(None, description="Last period, YYYY-MM (default: this month)")


class PeriodRateOut(Schema):
    period: str
    bills: int
    open_bills: int
    billed: Decimal
    collected: Decimal
    written_off: Decimal
    outstanding: Decimal
    rate: Decimal | None = Field(None, description="collected / (billed − written off), percent")
    arrears_collected: Decimal = Field(..., description="Paid in this month on bills of earlier periods")

    @staticmethod
    def resolve_period(row):
        return row.period.strftime("%Y-%m")


class RateOut(Schema):
    project_id: int
    project: str
    rows: list[PeriodRateOut]


def _staff(request) -> None:
    require_read(request.actor, "billing.reports")


def _row(row: reports.AgingRow, group: str) -> dict:
    data = {"units_in_arrears": row.units_in_arrears, "total": row.total, "bills": row.bills,
            "not_due": row.not_due, **{key: getattr(row, key) for key in reports.BUCKET_KEYS}}
    if row.project_id is not None:
        data |= {"project_id": row.project_id, "project": row.project}
    if group == "building" and row.project_id is not None:
        data |= {"building_id": row.building_id, "building": row.building}
    return data


@router.get("/reports/arrears-aging", response=AgingOut, exclude_none=True)
def arrears_aging(request, filters: Query[AgingQuery]):
    """Open bills by days overdue at `as_of` (1–30 → "0-30", 31–60, 61–90, > 90; due_on ≥ as_of → not_due), per
    building or project of the caller's projects. `paid` is today's: a past `as_of` ages today's debt."""
    _staff(request)
    actor = request.actor
    if filters.group not in reports.GROUPS:
        raise InvalidInput("group", _("Group by building or project."))
    project = building = None
    if filters.project is not None:
        project = get_scoped_or_404(Project.objects, actor, pk=filters.project)
    if filters.building is not None:
        building = get_scoped_or_404(Building.objects, actor, pk=filters.building)
        if project is not None and building.project_id != project.pk:
            raise InvalidInput("building", _("The building belongs to another project."))
    report = reports.arrears_aging(actor, as_of=filters.as_of, project=project, building=building,
                                   group_by=filters.group)
    return {"as_of": report.as_of, "group": report.group_by, "buckets": list(reports.BUCKET_LABELS),
            "rows": [_row(row, report.group_by) for row in report.rows], "totals": _row(report.totals, "")}


@router.get("/reports/collection-rate", response=RateOut)
def collection_rate(request, filters: Query[RateQuery]):
    """Per billing period from `from` to `to` (YYYY-MM, at most 36): billed, collected, written off and the
    collection rate (收缴率); per calendar month the arrears of earlier periods collected in it."""
    _staff(request)
    project = get_scoped_or_404(Project.objects, request.actor, pk=filters.project)
    periods = reports.default_periods()
    first = parse_month(filters.from_, "from") if filters.from_ else None
    last = parse_month(filters.to, "to") if filters.to else None
    if first or last:
        last = last or periods[-1]
        first = first or add_months(last, 1 - len(periods))
        periods = reports.months_between(first, last)
    rows = reports.collection_rate(request.actor, project, periods)
    return {"project_id": project.pk, "project": project.name, "rows": rows}
