"""Shared costs (公摊) and their monthly disclosure (公示); the temporary parking fee quote."""

from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone
from ninja import Field, Query, Router, Schema

from wuye.core.access import get_scoped_or_404, get_scoped_or_invalid, require_read, scoped
from wuye.tenancy.models import Project

from .. import sharing
from ..billers import temporary_parking_quote
from ..models import SharedCost
from ..periods import check_period

router = Router(tags=["fees"])


class MeterLineOut(Schema):
    meter_id: int
    code: str
    label: str
    start_value: Decimal
    end_value: Decimal
    consumption: Decimal


class SharedCostOut(Schema):
    id: int
    project_id: int
    building_id: int | None
    building: str | None = Field(..., description="Empty for a cost shared by the whole estate")
    item: str
    item_code: str
    period: date
    consumption: Decimal
    rate: Decimal
    amount: Decimal
    method: str
    units_count: int
    total_area: Decimal
    per_share: Decimal | None = Field(..., description="Per m² (by_area) or per household (per_household)")
    meters: list[MeterLineOut]
    own_share: Decimal | None = Field(None, description="Owners: what their units pay of it (null for staff)")


class SharedCostPage(Schema):
    items: list[SharedCostOut]
    count: int


class AllocateIn(Schema):
    project_id: int
    period: date = Field(..., description="First day of the month, e.g. 2026-11-01")


class TemporaryFeeOut(Schema):
    project_id: int
    entered_at: datetime
    left_at: datetime
    minutes: int
    free_minutes: int
    hours_charged: int
    rate: Decimal
    amount: Decimal
    capped: bool


def _out(cost: SharedCost, own_share: Decimal | None = None) -> dict:
    return {
        "id": cost.pk, "project_id": cost.project_id, "building_id": cost.building_id,
        "building": str(cost.building) if cost.building_id else None, "item": cost.item.name,
        "item_code": cost.item.code, "period": cost.period, "consumption": cost.consumption, "rate": cost.rate,
        "amount": cost.amount, "method": cost.method, "units_count": cost.units_count,
        "total_area": cost.total_area, "per_share": sharing.per_share(cost), "own_share": own_share,
        "meters": [{"meter_id": line["meter"].pk, "code": line["meter"].code, "label": line["meter"].label,
                    "start_value": line["start_value"], "end_value": line["end_value"],
                    "consumption": line["consumption"]} for line in sharing.meter_lines(cost)],
    }


@router.get("/shared-costs", response=SharedCostPage)
def list_shared_costs(request, project: int | None = None, period: date | None = None,
                      page: int = Query(1, ge=1, le=100_000), page_size: int = Query(50, ge=1, le=200)):
    """The monthly shared costs (公示) with meters, method and per-share figures, newest first. Owners see their
    estate's, each with what their own units pay of it."""
    actor = request.actor
    require_read(actor, "billing.shared_costs")
    costs = SharedCost.objects.filter(project__in=scoped(Project.objects.all(), actor).values("pk"))
    if project is not None:
        costs = costs.filter(project_id=project)
    if period is not None:
        costs = costs.filter(period=check_period(period))
    costs = sharing.with_readings(costs.order_by("-period", "project_id", "item_id", "building_id", "id"))
    offset = (page - 1) * page_size
    shown = list(costs[offset:offset + page_size])
    own = sharing.owner_shares(shown, actor.unit_ids) if actor.is_owner else {}
    items = []
    for cost in shown:
        parts = [amount for (cost_id, _unit), amount in own.items() if cost_id == cost.pk]
        items.append(_out(cost, sum(parts) if parts else None))
    return {"items": items, "count": costs.count()}


@router.post("/shared-costs/allocate", response=list[SharedCostOut])
def allocate_shared_costs(request, payload: AllocateIn):
    """Compute (or recompute, while nothing is billed from it) a project's shared costs of a month."""
    project = get_scoped_or_invalid(Project.objects.all(), request.actor, payload.project_id, "project_id")
    costs = sharing.allocate_shared_costs(request.actor, project, payload.period)
    loaded = sharing.with_readings(SharedCost.objects.filter(pk__in=[cost.pk for cost in costs]))
    return [_out(cost) for cost in loaded.order_by("item_id", "building_id", "id")]


@router.get("/parking/temporary-fee", response=TemporaryFeeOut)
def temporary_parking_fee(request, project: int, entered_at: datetime, left_at: datetime):
    """What a temporary stay costs at the project's hourly tariff (free within the project's free period, then every
    started hour, at most the daily cap per 24 hours)."""
    found = get_scoped_or_404(Project.objects.all(), request.actor, pk=project)
    entered_at, left_at = (moment if timezone.is_aware(moment) else timezone.make_aware(moment)
                           for moment in (entered_at, left_at))
    quote = temporary_parking_quote(found, entered_at, left_at)
    return {"project_id": found.pk, "entered_at": entered_at, "left_at": left_at, "minutes": quote.minutes,
            "free_minutes": quote.free_minutes, "hours_charged": quote.hours_charged, "rate": quote.rate,
            "amount": quote.amount, "capped": quote.capped}
