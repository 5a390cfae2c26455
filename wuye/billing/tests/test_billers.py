"""Periodic billers: parking passes pro-rated by days, metered utilities by consumption, every biller idempotent in a
rerun; the temporary parking quote (grace period, started hours)."""

import calendar
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from wuye.billing.billers import temporary_parking_fee
from wuye.billing.models import (
    Bill,
    ChargeItem,
    ChargeKind,
    Meter,
    MeterReading,
    ParkingPass,
    SharedCost,
    SharingMethod,
    Tariff,
)
from wuye.billing.runs import run_billing
from wuye.core.errors import InvalidInput
from wuye.core.money import to_money
from wuye.tenancy.models import Unit

NOVEMBER = date(2026, 11, 1)


def item_with_tariff(project, code, kind, basis, rate, **fields):
    item = ChargeItem.objects.create(project=project, code=code, name=code, kind=kind, **fields)
    Tariff.objects.create(item=item, basis=basis, rate=Decimal(rate), effective_from=date(2026, 1, 1))
    return item


@pytest.fixture
def units(world):
    return list(Unit.objects.filter(project=world.project1).order_by("id"))


# -- parking passes ---------------------------------------------------------------------------------------------
def test_a_pass_starting_mid_month_pays_for_its_days(world, units):
    item = item_with_tariff(world.project1, "parking-pass", ChargeKind.PARKING_PASS, "per_unit_month", "300.00")
    full = ParkingPass.objects.create(project=world.project1, unit=units[0], item=item, plate="沪A10001",
                                      starts_on=date(2026, 1, 1))
    late = ParkingPass.objects.create(project=world.project1, unit=units[1], item=item, plate="沪A10002",
                                      starts_on=date(2026, 11, 16))
    ParkingPass.objects.create(project=world.project1, unit=units[2], item=item, plate="沪A10003",
                               starts_on=date(2026, 1, 1), ends_on=date(2026, 10, 31))  # ended: nothing
    run_billing(None, world.project1, NOVEMBER)
    bills = {bill.source_id: bill for bill in Bill.objects.filter(item=item)}
    assert set(bills) == {full.pk, late.pk}
    month_days = calendar.monthrange(2026, 11)[1]
    assert bills[full.pk].amount == Decimal("300.00")
    days = (date(2026, 11, 30) - late.starts_on).days + 1
    assert bills[late.pk].amount == to_money(Decimal("300.00") * days / month_days) < Decimal("300.00")
    assert "沪A10002" in bills[late.pk].description and "2026-11" in bills[late.pk].description
    assert bills[late.pk].source_type == ContentType.objects.get_for_model(ParkingPass)


# -- metered utilities ------------------------------------------------------------------------------------------
def test_a_metered_bill_is_the_months_consumption_times_the_rate(world, units):
    item = item_with_tariff(world.project1, "water", ChargeKind.METERED, "per_consumption", "4.50",
                            meter_kind="water")
    used = Meter.objects.create(project=world.project1, unit=units[0], kind="water", code="W1")
    idle = Meter.objects.create(project=world.project1, unit=units[1], kind="water", code="W2")
    Meter.objects.create(project=world.project1, unit=units[2], kind="electricity", code="E3")
    for meter, values in ((used, ("100.00", "105.50", "112.30")), (idle, ("40.00", "40.00", "40.00"))):
        previous = None
        for on, value in zip((date(2026, 10, 31), date(2026, 11, 15), date(2026, 11, 30)), values, strict=True):
            MeterReading.objects.create(meter=meter, read_on=on, value=Decimal(value),
                                        consumption=None if previous is None else Decimal(value) - previous)
            previous = Decimal(value)
    run_billing(None, world.project1, NOVEMBER)
    bill = Bill.objects.get(item=item)
    consumption = Decimal("112.30") - Decimal("100.00")
    assert bill.unit_id == units[0].pk and bill.source_id == used.pk
    assert bill.amount == to_money(consumption * Decimal("4.50"))
    assert f"{consumption}" in bill.description and "2026-11" in bill.description


# -- every biller at once --------------------------------------------------------------------------------------
def test_rerunning_with_every_biller_creates_nothing_twice(world, units):
    project = world.project1
    item_with_tariff(project, "property-fee", ChargeKind.PROPERTY_FEE, "per_m2_month", "2.35")
    parking = item_with_tariff(project, "parking-pass", ChargeKind.PARKING_PASS, "per_unit_month", "300.00")
    water = item_with_tariff(project, "water", ChargeKind.METERED, "per_consumption", "4.50", meter_kind="water")
    item_with_tariff(project, "shared-water", ChargeKind.SHARED_UTILITY, "per_consumption", "4.50",
                     meter_kind="water", sharing=SharingMethod.BY_AREA)
    ParkingPass.objects.create(project=project, unit=units[3], item=parking, plate="沪B20001",
                               starts_on=date(2026, 11, 10))
    for meter in (Meter.objects.create(project=project, unit=units[4], kind="water", code="W5"),
                  Meter.objects.create(project=project, kind="water", code="W-PUB")):
        MeterReading.objects.create(meter=meter, read_on=date(2026, 10, 31), value=Decimal("10.00"))
        MeterReading.objects.create(meter=meter, read_on=date(2026, 11, 30), value=Decimal("30.00"),
                                    consumption=Decimal("20.00"))
    first = run_billing(None, project, NOVEMBER, chunk=4)
    kinds = set(Bill.objects.values_list("item__kind", flat=True))
    assert kinds == {ChargeKind.PROPERTY_FEE, ChargeKind.PARKING_PASS, ChargeKind.METERED, ChargeKind.SHARED_UTILITY}
    count = Bill.objects.count()
    again = run_billing(None, project, NOVEMBER, chunk=5)
    assert Bill.objects.count() == count == first.bills_created == again.bills_created
    assert SharedCost.objects.count() == 1
    assert Bill.objects.filter(item=water).count() == 1


# -- temporary parking ------------------------------------------------------------------------------------------
@pytest.fixture
def temporary(world):
    return item_with_tariff(world.project1, "parking-temporary", ChargeKind.PARKING_TEMPORARY, "per_hour", "2.00")


def at(hour, minute=0):
    return timezone.make_aware(datetime(2026, 11, 20, hour, minute))


def test_temporary_parking_is_free_within_the_grace_then_per_started_hour(world, temporary):
    entered = at(9)
    fee = lambda stay: temporary_parking_fee(world.project1, entered, entered + stay)  # noqa: E731
    assert fee(timedelta(minutes=15)) == 0  # the project's free period (rules: parking_free_minutes)
    assert fee(timedelta(minutes=16)) == Decimal("2.00")
    assert fee(timedelta(hours=1)) == Decimal("2.00")
    assert fee(timedelta(hours=1, seconds=1)) == Decimal("4.00")
    assert fee(timedelta(hours=5, minutes=59)) == Decimal("12.00")
    with pytest.raises(InvalidInput) as error:
        temporary_parking_fee(world.project1, entered, entered - timedelta(minutes=1))
    assert error.value.problems[0].field == "left_at"
    with pytest.raises(InvalidInput) as error:  # project 2 has no temporary tariff
        temporary_parking_fee(world.project2, entered, entered + timedelta(hours=1))
    assert error.value.problems[0].field == "project"


def test_temporary_fee_quote_through_the_api(world, api, temporary):
    query = {"project": world.project1.pk, "entered_at": "2026-11-20T09:00:00+08:00",
             "left_at": "2026-11-20T11:20:00+08:00"}
    quote = api("kefu").get("/api/v1/parking/temporary-fee", **query).json()
    assert quote["hours_charged"] == 3 and Decimal(quote["amount"]) == 3 * Decimal("2.00")
    assert quote["minutes"] == 140 and quote["free_minutes"] == 15
    assert quote["capped"] is False
    assert api("kefu2").get("/api/v1/parking/temporary-fee", **query).status_code == 404
    backwards = api("kefu").get("/api/v1/parking/temporary-fee", **{**query, "left_at": "2026-11-20T08:00:00"})
    assert backwards.status_code == 422 and backwards.json()["errors"][0]["field"] == "left_at"


def test_billers_query_per_chunk_not_per_unit(world, units):
    """A chunk of 12 units costs each biller no more queries than a chunk of 2 (the run's cache is warm)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from wuye.billing.models import BillingRun
    from wuye.billing.runs import BILLERS, RunContext

    project = world.project1
    parking = item_with_tariff(project, "parking-pass", ChargeKind.PARKING_PASS, "per_unit_month", "300.00")
    water = item_with_tariff(project, "water", ChargeKind.METERED, "per_consumption", "4.50", meter_kind="water")
    shared = item_with_tariff(project, "shared-water", ChargeKind.SHARED_UTILITY, "per_consumption", "4.50",
                              meter_kind="water", sharing=SharingMethod.PER_HOUSEHOLD)
    for unit in units:
        ParkingPass.objects.create(project=project, unit=unit, item=parking, plate=f"沪C{unit.pk:05d}",
                                   starts_on=date(2026, 1, 1))
        meter = Meter.objects.create(project=project, unit=unit, kind="water", code=f"W{unit.pk}")
        MeterReading.objects.create(meter=meter, read_on=date(2026, 11, 30), value=5, consumption=5)
    public = Meter.objects.create(project=project, kind="water", code="W-PUB")
    MeterReading.objects.create(meter=public, read_on=date(2026, 11, 30), value=50, consumption=50)
    context = RunContext(run=BillingRun.objects.create(project=project, period=NOVEMBER), period=NOVEMBER,
                         due_on=date(2026, 11, 30))
    for item in (parking, water, shared):
        BILLERS[item.kind](item, NOVEMBER, units, context)  # the first chunk fills the run's cache
        counts = []
        for chunk in (units[:2], units):
            with CaptureQueriesContext(connection) as queries:
                charges = BILLERS[item.kind](item, NOVEMBER, chunk, context)
            assert len(charges) == len(chunk)
            counts.append(len(queries))
        assert counts[0] == counts[1] <= 2, (item.kind, counts)
