"""Demo fees: charge items and tariffs (§3 figures), parking passes, water meters and public meters with six months
of readings, then six months of billing runs and payments through the real services — so the demo shows an honest
mix of owners who pay on time, pay late, prepay, or owe for months (reminders and lawyer's letters follow from the
SLA sweep once `make run` starts).

Readings are written in bulk (a seed is not a user action); bills, payments, receipts and the ledger go through
`run_billing` and `pay`, with their times set in the past.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from wuye.billing.models import (
    Basis,
    ChargeItem,
    ChargeKind,
    Meter,
    MeterKind,
    MeterReading,
    ParkingPass,
    SharingMethod,
    Tariff,
)
from wuye.billing.periods import add_months
from wuye.billing.runs import run_billing
from wuye.billing.services import bills_with_outstanding, pay
from wuye.demo.builders import demo_projects
from wuye.people.access import actor_for
from wuye.people.models import Residency, Vehicle
from wuye.tenancy.models import Project, Unit, UnitKind

MONTHS = 4  # billed months before the current one (enough for every arrears bucket)
CHANNELS = ("wechat", "alipay", "cash", "bank_transfer")


@dataclass(frozen=True)
class ItemPlan:
    code: str
    name: str
    kind: str
    tariffs: tuple[tuple[str, str, str], ...]  # (unit kind or "", basis, rate)
    meter_kind: str = ""
    sharing: str = ""


ITEMS = (
    ItemPlan("property-fee", "物业服务费", ChargeKind.PROPERTY_FEE,
             (("", Basis.PER_M2_MONTH, "2.35"), (UnitKind.COMMERCIAL, Basis.PER_M2_MONTH, "4.80"),
              (UnitKind.PARKING, Basis.PER_UNIT_MONTH, "60.00"))),
    ItemPlan("parking-pass", "机动车月卡", ChargeKind.PARKING_PASS, (("", Basis.PER_UNIT_MONTH, "300.00"),)),
    ItemPlan("parking-temporary", "临时停车费", ChargeKind.PARKING_TEMPORARY, (("", Basis.PER_HOUR, "2.00"),)),
    ItemPlan("water", "水费", ChargeKind.METERED, (("", Basis.PER_CONSUMPTION, "4.50"),), meter_kind=MeterKind.WATER),
    ItemPlan("shared-electricity", "公共照明及电梯用电分摊", ChargeKind.SHARED_UTILITY,
             (("", Basis.PER_CONSUMPTION, "0.62"),), meter_kind=MeterKind.ELECTRICITY, sharing=SharingMethod.BY_AREA),
    ItemPlan("shared-water", "公共用水分摊", ChargeKind.SHARED_UTILITY, (("", Basis.PER_CONSUMPTION, "4.50"),),
             meter_kind=MeterKind.WATER, sharing=SharingMethod.PER_HOUSEHOLD),
    ItemPlan("decoration-deposit", "装修保证金", ChargeKind.ONE_OFF, (("", Basis.FIXED, "3000.00"),)),
)

# How households pay: (share, months behind at the end). 0 = up to date; "prepay" pays three months ahead.
PAYERS = ((0.78, 0), (0.08, 1), (0.05, 2), (0.03, 3), (0.02, 6), (0.04, "prepay"))


def _at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def install_items(project: Project, since: date) -> dict[str, ChargeItem]:
    items = {}
    for plan in ITEMS:
        item, _created = ChargeItem.objects.get_or_create(
            project=project, code=plan.code,
            defaults={"name": plan.name, "kind": plan.kind, "meter_kind": plan.meter_kind, "sharing": plan.sharing})
        for unit_kind, basis, rate in plan.tariffs:
            Tariff.objects.get_or_create(item=item, unit_kind=unit_kind, effective_from=since,
                                         defaults={"basis": basis, "rate": Decimal(rate)})
        items[plan.code] = item
    return items


def _install_passes(project: Project, item: ChargeItem, since: date) -> None:
    """A monthly pass for every third vehicle's home."""
    vehicles = (Vehicle.objects.filter(project=project, resident__residencies__ended_on__isnull=True)
                .values_list("plate", "resident__residencies__unit_id").order_by("id"))
    passes = [ParkingPass(project=project, unit_id=unit_id, item=item, plate=plate, space=f"B1-{i + 1:03d}",
                          starts_on=since) for i, (plate, unit_id) in enumerate(vehicles[::3])]
    ParkingPass.objects.bulk_create(passes)


def _install_meters(project: Project, today: date, rng: random.Random) -> None:
    """A water meter per home and, per building, a public electricity meter (lifts, lighting); one public water
    meter for the grounds. Monthly readings on the last day of each billed month."""
    units = list(Unit.objects.filter(project=project).exclude(kind=UnitKind.PARKING).order_by("id"))
    meters = [Meter(project=project, unit=unit, kind=MeterKind.WATER, code=f"W{unit.pk:06d}") for unit in units]
    buildings = sorted({unit.building_id for unit in units})
    meters += [Meter(project=project, building_id=b, kind=MeterKind.ELECTRICITY, code=f"E-PUB-{b}",
                     label=f"{i + 1}号楼公共用电") for i, b in enumerate(buildings)]
    meters.append(Meter(project=project, kind=MeterKind.WATER, code=f"W-PUB-{project.pk}", label="小区公共用水"))
    Meter.objects.bulk_create(meters)
    readings = []
    for meter in Meter.objects.filter(project=project):
        usual = (Decimal("9") if meter.unit_id else
                 Decimal("2600") if meter.kind == MeterKind.ELECTRICITY else Decimal("180"))
        value, previous = Decimal(rng.randint(100, 900)), None
        for back in range(MONTHS, -1, -1):
            read_on = add_months(today, -back) - timedelta(days=1)  # last day of the month before
            if previous is not None:
                value += (usual * Decimal(rng.uniform(0.7, 1.3))).quantize(Decimal("0.01"))
            readings.append(MeterReading(meter=meter, read_on=read_on, value=value, source="demo",
                                         consumption=None if previous is None else value - previous,
                                         entered_at=_at(read_on)))
            previous = value
        # One suspicious reading per thirty homes so the anomaly list has something to review.
        if meter.unit_id and meter.pk % 30 == 0:
            last = readings[-1]
            last.value += usual * 6
            last.consumption += usual * 6
            last.anomaly, last.anomaly_note = MeterReading.Anomaly.SPIKE, "demo: about 7× the usual consumption"
    MeterReading.objects.bulk_create(readings, batch_size=2000)


# Households settle once, in the last billed month (one payment per household keeps the seed fast); those behind
# leave their latest months open, so every arrears bucket has debtors.
PAYMENT_MONTHS = (1,)


def _collect(caiwu, units, habits, today: date, period: date, rng: random.Random) -> int:
    """Each household pays what it owes for periods before the months it is behind; prepayers add three months."""
    made = 0
    for unit in units:
        habit = habits[unit.pk]
        behind = 0 if habit == "prepay" else habit
        cutoff = add_months(today, -behind) if behind else date.max
        # A one-off bill (a repair's fee on account) has no period: its due date says which month it belongs to.
        owed = sum((bill.outstanding for bill in bills_with_outstanding(unit) if (bill.period or bill.due_on) < cutoff),
                   Decimal(0))
        if habit == "prepay":
            last = unit.bills.order_by("-period").values_list("amount", flat=True).first() or Decimal(0)
            owed += last * 3
        if owed <= 0:
            continue
        paid_on = period + timedelta(days=rng.randint(3, 26))
        _payment, created = pay(caiwu, unit, owed, channel=rng.choice(CHANNELS),
                                idempotency_key=f"demo-{unit.pk}-{period:%Y%m}", allow_prepayment=habit == "prepay",
                                now=_at(paid_on, 11))
        made += created
    return made


def build_demo_billing(company, *, today: date | None = None, seed: int = 2026) -> dict:
    """Six months of fees for every project of the demo company; returns counts for the seed summary."""
    from django.contrib.auth import get_user_model

    today = today or timezone.localdate()
    rng = random.Random(seed)
    caiwu = actor_for(get_user_model().objects.get(username="caiwu"))
    counts = {"bills": 0, "payments": 0}
    for project in demo_projects(company):
        first = add_months(today, -MONTHS)
        with transaction.atomic():
            items = install_items(project, first)
            _install_passes(project, items["parking-pass"], first)
            _install_meters(project, today, rng)
        units = list(Unit.objects.filter(project=project).order_by("id"))
        habits = {unit.pk: rng.choices([p[1] for p in PAYERS], weights=[p[0] for p in PAYERS])[0] for unit in units}
        # The demo owners (yezhu, yezhu2) still owe last month, so the portal has a bill to pay online.
        for unit_id in Residency.objects.current().filter(unit__project=project, resident__user__isnull=False) \
                .values_list("unit_id", flat=True):
            habits[unit_id] = 1
        for back in range(MONTHS, 0, -1):
            period = add_months(today, -back)
            run = run_billing(None, project, period, now=_at(period + timedelta(days=1), 9))
            counts["bills"] += run.bills_created
            if back in PAYMENT_MONTHS:
                counts["payments"] += _collect(caiwu, units, habits, today, period, rng)
    return counts
