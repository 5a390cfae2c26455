"""Shared costs (公摊): what the public meters of a building (or of the whole estate) used in a month, priced at
the item's tariff and divided among the units that share it — by floor area or per household — then billed to
each unit and published every month (公示).

A `SharedCost` is computed once per project, building, item and period. Recomputing it (new readings) replaces it
as long as no bill was issued from it; after that it is on record and stays as billed. Parking spaces are not
households and their area is not part of the shared area, so they share nothing.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from wuye.core.access import Actor, require
from wuye.core.errors import Conflict
from wuye.core.events import record_event
from wuye.core.money import to_money
from wuye.tenancy.models import Project, Unit, UnitKind

from .models import Bill, ChargeItem, ChargeKind, Meter, MeterReading, SharedCost, SharingMethod
from .periods import check_period, period_end
from .runs import tariff_for

AREA = Decimal("0.01")


# -- dividing a cost --------------------------------------------------------------------------------------------
def split(amount: Decimal, weights: dict[int, Decimal]) -> dict[int, Decimal]:
    """Divide `amount` in proportion to `weights` so the parts add up to it exactly in fen (largest remainder:
    every part is its exact value rounded down to fen, and the fen left over go to the largest remainders, ties
    to the lower key). No part is off its exact value by a whole fen."""
    if not weights:
        return {}
    # In whole numbers (weights scaled to integers), so the remainders are exact and 100,000 parts take little time.
    places = max(max(0, -Decimal(weight).as_tuple().exponent) for weight in weights.values())
    scaled = {key: int(Decimal(weight).scaleb(places)) for key, weight in weights.items()}
    total_weight = sum(scaled.values())
    if total_weight <= 0 or min(scaled.values()) < 0:
        raise ValueError("weights must not be negative and must add up to more than zero")
    total_fen = int(to_money(amount) * 100)
    fen, remainders = {}, {}
    for key, weight in scaled.items():
        fen[key], remainders[key] = divmod(total_fen * weight, total_weight)
    left_over = total_fen - sum(fen.values())
    for key in heapq.nsmallest(left_over, remainders, key=lambda k: (-remainders[k], k)):
        fen[key] += 1
    return {key: Decimal(value).scaleb(-2) for key, value in fen.items()}


def weight_of(method: str, area: Decimal) -> Decimal:
    return Decimal(area) if method == SharingMethod.BY_AREA else Decimal(1)


def shares(shared_cost: SharedCost, units: Iterable[Unit]) -> dict[int, Decimal]:
    """Each sharing unit's part of the cost, `{unit_id: amount}`, adding up exactly to the cost. `units` are all
    the units that share it (the building's, or the project's for an estate-wide cost)."""
    return split(shared_cost.amount, {unit.pk: weight_of(shared_cost.method, unit.area) for unit in units})


def sharing_units(project_id: int) -> list[tuple[int, int, Decimal]]:
    """(unit id, building id, area) of every unit of the project that shares utilities."""
    return list(Unit.objects.filter(project_id=project_id).exclude(kind=UnitKind.PARKING)
                .order_by("id").values_list("id", "building_id", "area"))


def shares_from_rows(shared_cost: SharedCost, rows: list[tuple[int, int, Decimal]]) -> dict[int, Decimal]:
    """`shares()` over `sharing_units()` rows (one query for a whole project instead of one per cost)."""
    weights = {unit_id: weight_of(shared_cost.method, area) for unit_id, building_id, area in rows
               if shared_cost.building_id is None or building_id == shared_cost.building_id}
    return split(shared_cost.amount, weights) if weights else {}


def per_share(shared_cost: SharedCost) -> Decimal | None:
    """What one m² (by area) or one household (per household) pays, to four places, as published."""
    divisor = shared_cost.total_area if shared_cost.method == SharingMethod.BY_AREA else shared_cost.units_count
    return (shared_cost.amount / divisor).quantize(Decimal("0.0001")) if divisor else None


# -- computing the month's costs ---------------------------------------------------------------------------------
def _billed_cost_ids(cost_ids) -> set[int]:
    source_type = ContentType.objects.get_for_model(SharedCost)
    return set(Bill.objects.filter(source_type=source_type, source_id__in=list(cost_ids))
               .values_list("source_id", flat=True))


def _groups(item: ChargeItem, period: date) -> dict[int | None, list[MeterReading]]:
    """The period's readings of the item's active public meters, by building (None = the whole estate). A group
    without any reading in the period is left out: its meters have not been read yet."""
    meters = {meter.pk: meter for meter in Meter.objects.filter(
        project_id=item.project_id, unit__isnull=True, kind=item.meter_kind, is_active=True)}
    readings = MeterReading.objects.filter(meter_id__in=list(meters), read_on__range=(period, period_end(period)))
    groups = defaultdict(list)
    for reading in readings.order_by("meter_id", "read_on"):
        reading.meter = meters[reading.meter_id]
        groups[reading.meter.building_id].append(reading)
    return groups


def _sharers(project_id: int) -> dict[int | None, tuple[int, Decimal]]:
    """(number of units, total area) sharing per building, and for the whole estate under None."""
    per_building = defaultdict(lambda: [0, Decimal(0)])
    for _unit_id, building_id, area in sharing_units(project_id):
        for key in (building_id, None):
            per_building[key][0] += 1
            per_building[key][1] += area
    return {key: (count, area.quantize(AREA)) for key, (count, area) in per_building.items()}


def _compute_item(item: ChargeItem, period: date, *, replace: bool, user=None) -> list[SharedCost]:
    """The item's shared costs for the period: missing ones computed; existing ones kept, or with `replace`
    recomputed (refused once billed). Items without meter type, method or tariff have nothing to share."""
    tariff = tariff_for(item, "", period)
    if not item.meter_kind or not item.sharing or tariff is None:
        return []
    existing = {cost.building_id: cost for cost in SharedCost.objects.filter(
        project_id=item.project_id, item=item, period=period).select_related("building", "item")}
    groups = _groups(item, period)
    if replace:
        billed = _billed_cost_ids(cost.pk for cost in existing.values())
        for cost in existing.values():
            if cost.pk in billed:
                raise Conflict(_("Bills were already issued from the shared cost %(cost)s; it stays as billed.")
                               % {"cost": cost})
        # A cost whose meters are no longer read (or active) is withdrawn rather than left to be billed; the
        # project's timeline says what went, since the rows themselves are gone.
        stale = [cost for key, cost in existing.items() if key not in groups]
        if stale:
            SharedCost.objects.filter(pk__in=[cost.pk for cost in stale]).delete()
            record_event(item.project, "billing.shared_costs_withdrawn", actor=user, project_id=item.project_id,
                         data={"period": period.strftime("%Y-%m"), "item": item.name,
                               "withdrawn": [{"building": str(cost.building) if cost.building_id else "",
                                              "amount": str(cost.amount)} for cost in stale]})
    elif all(key in existing for key in groups):
        return list(existing.values())
    sharers = _sharers(item.project_id)
    costs = [] if replace else [cost for key, cost in existing.items() if key not in groups]
    for building_id, readings in groups.items():
        cost = existing.get(building_id)
        if cost is not None and not replace:
            costs.append(cost)
            continue
        units_count, total_area = sharers.get(building_id, (0, Decimal(0)))
        if units_count == 0 or (item.sharing == SharingMethod.BY_AREA and total_area <= 0):
            continue  # nobody to share it with
        consumption = sum((r.consumption or Decimal(0) for r in readings), Decimal(0))
        values = {"consumption": consumption, "rate": tariff.rate, "amount": to_money(consumption * tariff.rate),
                  "method": item.sharing, "units_count": units_count, "total_area": total_area}
        if cost is None:
            cost = SharedCost.objects.create(project_id=item.project_id, building_id=building_id, item=item,
                                             period=period, **values)
        else:
            for name, value in values.items():
                setattr(cost, name, value)
            cost.save(update_fields=list(values))
        cost.readings.set(readings)
        record_event(cost, "billing.shared_cost_computed", actor=user, project_id=item.project_id,
                     data={"period": period.strftime("%Y-%m"), "item": item.code, "building": building_id,
                           "consumption": str(consumption), "amount": str(cost.amount), "method": item.sharing})
        costs.append(cost)
    return costs


def allocate_shared_costs(actor: Actor | None, project: Project, period: date) -> list[SharedCost]:
    """Compute (or recompute) the month's shared cost of every active shared-utility item of the project from
    its public meters. Refused with Conflict — nothing changed — if any of them was billed already."""
    if actor is not None:
        require(actor, "billing.charge")
    check_period(period)
    items = ChargeItem.objects.filter(project=project, kind=ChargeKind.SHARED_UTILITY, is_active=True).order_by("id")
    try:
        with transaction.atomic():
            return [cost for item in items
                    for cost in _compute_item(item, period, replace=True, user=getattr(actor, "user", None))]
    except IntegrityError:  # someone computed the same month at the same moment
        raise Conflict(_("The shared costs of this month are being computed by someone else; try again.")) from None


def recompute_for_readings(readings, user=None) -> list[SharedCost]:
    """After public-meter readings changed (a held reading corrected, and the next one's consumption with it): the
    shared costs built from them are computed again while none of their item's month is billed; a billed month
    stays as billed (its bills are the record). Returns the costs recomputed."""
    costs = SharedCost.objects.filter(readings__in=[reading.pk for reading in readings]).select_related(
        "item", "item__project")
    recomputed = []
    for item, period in {(cost.item, cost.period) for cost in costs}:
        try:
            with transaction.atomic():
                recomputed += _compute_item(item, period, replace=True, user=user)
        except Conflict:
            continue
    return recomputed


def costs_for_run(item: ChargeItem, period: date) -> list[SharedCost]:
    """The item's shared costs of the period for a billing run: those on record, the missing ones computed."""
    return _compute_item(item, period, replace=False)


# -- the disclosure (公示) -------------------------------------------------------------------------------------
def with_readings(costs):
    """Costs with building, item and their readings (and meters) loaded — one query each, not one per cost."""
    from django.db.models import Prefetch

    return costs.select_related("project", "building", "item").prefetch_related(
        Prefetch("readings", queryset=MeterReading.objects.select_related("meter").order_by("meter_id", "read_on")))


def meter_lines(cost: SharedCost) -> list[dict]:
    """Per public meter of the cost: its readings in the period, the value before and after, and consumption."""
    by_meter = defaultdict(list)
    for reading in cost.readings.all():
        by_meter[reading.meter_id].append(reading)
    lines = []
    for readings in by_meter.values():
        first, last = readings[0], readings[-1]
        consumption = sum((r.consumption or Decimal(0) for r in readings), Decimal(0))
        lines.append({"meter": first.meter, "readings": readings, "start_value": first.value - (first.consumption
                      or Decimal(0)), "end_value": last.value, "consumption": consumption})
    return sorted(lines, key=lambda line: line["meter"].code)


def owner_shares(costs: list[SharedCost], unit_ids) -> dict[tuple[int, int], Decimal]:
    """`{(cost id, unit id): amount}` for the given units: the billed amount where a bill exists, else the share
    the unit would be billed. Two or three queries whatever the number of costs."""
    unit_ids = set(unit_ids)
    source_type = ContentType.objects.get_for_model(SharedCost)
    found = {(source_id, unit_id): amount for source_id, unit_id, amount in Bill.objects.filter(
        source_type=source_type, source_id__in=[cost.pk for cost in costs], unit_id__in=unit_ids)
        .values_list("source_id", "unit_id", "amount")}
    billed_costs = {cost_id for cost_id, _unit in found}
    rows_by_project = {}
    for cost in costs:
        if cost.pk in billed_costs:
            continue
        if cost.project_id not in rows_by_project:
            rows_by_project[cost.project_id] = sharing_units(cost.project_id)
        for unit_id, amount in shares_from_rows(cost, rows_by_project[cost.project_id]).items():
            if unit_id in unit_ids:
                found[(cost.pk, unit_id)] = amount
    return found
