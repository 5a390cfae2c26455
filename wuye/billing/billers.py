"""Billers of the periodic charge kinds beyond the property fee: parking passes, metered utilities, shared
utilities (registered into runs.BILLERS on import; imported from BillingConfig.ready) — and the temporary parking
fee, which is quoted at the gate rather than billed by a run.

Each biller gets a chunk of units and does a fixed number of queries for it, whatever its size; what holds for the
whole run (tariffs, shared costs and their shares) is looked up once and kept in `context.cache`.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wuye.core.errors import InvalidInput
from wuye.core.money import to_money
from wuye.tenancy.models import Project

from . import sharing
from .meters import consumption_between, held_by_meter
from .models import (
    HELD,
    BillingRunSkip,
    ChargeItem,
    ChargeKind,
    Meter,
    MeterKind,
    MeterReading,
    ParkingPass,
    SharedCost,
)
from .periods import period_end
from .runs import Charge, RunContext, register_biller, tariff_for

# What a unit of consumption is called on a bill, by meter type.
MEASURES = {MeterKind.WATER: gettext_lazy("m³"), MeterKind.ELECTRICITY: gettext_lazy("kWh"),
            MeterKind.GAS: gettext_lazy("m³")}

# -- parking passes ---------------------------------------------------------------------------------------------
def days_active(parking_pass: ParkingPass, period: date) -> int:
    """Days of the month starting `period` that the pass covers (0 if none)."""
    first = max(period, parking_pass.starts_on)
    last = min(period_end(period), parking_pass.ends_on or date.max)
    return max(0, (last - first).days + 1)


@register_biller(ChargeKind.PARKING_PASS)
def parking_pass_charges(item: ChargeItem, period: date, units: list, context: RunContext) -> list[Charge]:
    """One bill per pass and month: the monthly rate, pro-rated by the days the pass covers (a full month pays the
    full rate)."""
    kinds = {unit.pk: unit.kind for unit in units}
    month_days = calendar.monthrange(period.year, period.month)[1]
    passes = ParkingPass.objects.filter(item=item, unit_id__in=list(kinds), starts_on__lte=period_end(period)).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=period)).order_by("unit_id", "id")
    charges = []
    for parking_pass in passes:
        tariff = context.tariff(item, kinds[parking_pass.unit_id])
        days = days_active(parking_pass, period)
        if tariff is None or days == 0:
            continue
        amount = to_money(tariff.rate * days / month_days)
        if amount <= 0:
            continue
        if days == month_days:
            description = _("%(item)s %(plate)s %(period)s") % {
                "item": item.name, "plate": parking_pass.plate, "period": f"{period:%Y-%m}"}
        else:
            description = _("%(item)s %(plate)s %(period)s (%(days)s of %(month_days)s days)") % {
                "item": item.name, "plate": parking_pass.plate, "period": f"{period:%Y-%m}", "days": days,
                "month_days": month_days}
        charges.append(Charge(parking_pass.unit_id, amount, description, source=parking_pass))
    return charges


# -- metered utilities ------------------------------------------------------------------------------------------
def held_message(reading: MeterReading, meter: Meter) -> str:
    """Why a charge waits: the held reading as a sentence (meter, date, value, what was odd about it)."""
    return _("The reading %(value)s of meter %(code)s on %(date)s waits for review (%(anomaly)s); the charge is "
             "billed when the month is run again after someone confirms or corrects it.") % {
        "value": reading.value, "code": meter.code, "date": reading.read_on.isoformat(),
        "anomaly": reading.get_anomaly_display()}


@register_biller(ChargeKind.METERED)
def metered_charges(item: ChargeItem, period: date, units: list, context: RunContext) -> list[Charge]:
    """Each unit's own active meters of the item's type: consumption in the month × the rate; none → no bill. A
    meter with a reading of the month held for review is left out and reported (`context.skip`)."""
    if not item.meter_kind:
        return []
    kinds = {unit.pk: unit.kind for unit in units}
    meters = list(Meter.objects.filter(unit_id__in=list(kinds), kind=item.meter_kind, is_active=True)
                  .order_by("unit_id", "id"))
    meter_ids = [meter.pk for meter in meters]
    held_ids = set()
    used = consumption_between(meter_ids, period, period_end(period), held=held_ids)
    held = held_by_meter(held_ids, period, period_end(period)) if held_ids else {}  # a query only when some are
    measure = MEASURES.get(item.meter_kind, "")
    charges = []
    for meter in meters:
        if meter.pk in held:
            context.skip(meter.unit_id, item, BillingRunSkip.Reason.HELD_READING, held_message(held[meter.pk], meter))
            continue
        consumption = used.get(meter.pk, Decimal(0))
        tariff = context.tariff(item, kinds[meter.unit_id])
        if consumption <= 0 or tariff is None:
            continue
        amount = to_money(consumption * tariff.rate)
        if amount <= 0:
            continue
        description = _("%(item)s %(period)s %(consumption)s %(measure)s") % {
            "item": item.name, "period": f"{period:%Y-%m}", "consumption": consumption, "measure": measure}
        charges.append(Charge(meter.unit_id, amount, description, source=meter))
    return charges


# -- shared utilities -------------------------------------------------------------------------------------------
@register_biller(ChargeKind.SHARED_UTILITY)
def shared_utility_charges(item: ChargeItem, period: date, units: list, context: RunContext) -> list[Charge]:
    """Each unit's share of the month's shared costs of its building and of the whole estate; a cost not yet on
    record is computed from the public meters the first time the run needs it."""
    key = ("shared_shares", item.pk)
    if key not in context.cache:
        rows = context.cache.get(("sharing_units", item.project_id))
        if rows is None:
            rows = context.cache[("sharing_units", item.project_id)] = sharing.sharing_units(item.project_id)
        costs = sharing.costs_for_run(item, period)
        # A cost computed from a public meter's reading held for review is not billed until it is reviewed.
        held = {}
        links = (SharedCost.readings.through.objects
                 .filter(sharedcost_id__in=[cost.pk for cost in costs],
                         meterreading_id__in=MeterReading.objects.filter(HELD).values("pk"))
                 .select_related("meterreading__meter").order_by("meterreading__read_on", "id"))
        for link in links:
            held.setdefault(link.sharedcost_id, held_message(link.meterreading, link.meterreading.meter))
        context.cache[key] = [(cost, sharing.shares_from_rows(cost, rows), held.get(cost.pk)) for cost in costs]
    charges = []
    for cost, cost_shares, held in context.cache[key]:
        description = _("%(item)s %(period)s (%(method)s)") % {
            "item": item.name, "period": f"{period:%Y-%m}", "method": cost.get_method_display()}
        for unit in units:
            amount = cost_shares.get(unit.pk)
            if amount and held:
                context.skip(unit.pk, item, BillingRunSkip.Reason.HELD_READING, held)
            elif amount:
                charges.append(Charge(unit.pk, amount, description, source=cost))
    return charges


# -- temporary parking ------------------------------------------------------------------------------------------
@dataclass
class ParkingQuote:
    minutes: int
    hours_charged: int
    rate: Decimal
    amount: Decimal
    free_minutes: int = 0
    capped: bool = False  # the daily cap took something off


DAY = timedelta(hours=24)


def _started_hours(stay: timedelta) -> int:
    return -(-stay // timedelta(hours=1))


@dataclass(frozen=True)
class TemporaryTariff:
    """What a temporary stay's price needs: the hourly rate in force, the free minutes and the daily cap (0: none)."""

    rate: Decimal
    free_minutes: int
    cap: Decimal


def temporary_tariff(project: Project, day: date) -> TemporaryTariff:
    """The project's temporary parking tariff for a stay entered on `day` with its rules — read once (three
    queries) and reused for every car of a list; a 422 naming `project` when there is none."""
    from wuye.tenancy.rules import rules_for

    item = ChargeItem.objects.filter(project=project, kind=ChargeKind.PARKING_TEMPORARY, is_active=True)
    tariff = None
    if (item := item.order_by("id").first()) is not None:
        tariff = tariff_for(item, "", day)
    if tariff is None:
        raise InvalidInput("project", _("This project has no temporary parking tariff."))
    rules = rules_for(project)
    return TemporaryTariff(tariff.rate, rules.parking_free_minutes, Decimal(rules.parking_daily_cap_yuan))


def quote_with(tariff: TemporaryTariff, entered_at: datetime, left_at: datetime) -> ParkingQuote:
    """The price of a stay at `tariff` (no queries): see `temporary_parking_quote`."""
    if timezone.is_naive(entered_at):
        entered_at = timezone.make_aware(entered_at)
    if timezone.is_naive(left_at):
        left_at = timezone.make_aware(left_at)
    if left_at < entered_at:
        raise InvalidInput("left_at", _("The car cannot leave before it entered."))
    rate, free_minutes, cap = tariff.rate, tariff.free_minutes, tariff.cap
    stay = left_at - entered_at
    minutes = int(stay.total_seconds() // 60)
    if stay <= timedelta(minutes=free_minutes):
        return ParkingQuote(minutes=minutes, hours_charged=0, rate=rate, amount=to_money(0),
                            free_minutes=free_minutes)
    hours = _started_hours(stay)
    uncapped = rate * hours
    if not cap:
        return ParkingQuote(minutes=minutes, hours_charged=hours, rate=rate, amount=to_money(uncapped),
                            free_minutes=free_minutes)
    days, rest = divmod(stay, DAY)
    amount = days * min(cap, 24 * rate) + min(cap, _started_hours(rest) * rate)
    return ParkingQuote(minutes=minutes, hours_charged=hours, rate=rate, amount=to_money(amount),
                        free_minutes=free_minutes, capped=to_money(amount) < to_money(uncapped))


def temporary_parking_quote(project: Project, entered_at: datetime, left_at: datetime) -> ParkingQuote:
    """What a stay from `entered_at` to `left_at` costs at the project's temporary parking tariff (per hour), by the
    project's rules: free within `parking_free_minutes` (dropping off, turning round — "15分钟内免费"); else every
    started hour from entry at the rate ("不足1小时按1小时计"), at most `parking_daily_cap_yuan` per 24 hours counted
    from entry (0: no cap): full days × min(cap, 24 × rate) + min(cap, started hours of the rest × rate)."""
    if timezone.is_naive(entered_at):
        entered_at = timezone.make_aware(entered_at)
    if timezone.is_naive(left_at):
        left_at = timezone.make_aware(left_at)
    if left_at < entered_at:
        raise InvalidInput("left_at", _("The car cannot leave before it entered."))
    return quote_with(temporary_tariff(project, timezone.localdate(entered_at)), entered_at, left_at)


def temporary_parking_fee(project: Project, entered_at: datetime, left_at: datetime) -> Decimal:
    """The fee of a temporary stay (see `temporary_parking_quote`)."""
    return temporary_parking_quote(project, entered_at, left_at).amount
