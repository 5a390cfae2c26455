"""Billing runs: one bill per unit and period however often a run is repeated or resumed; prices by date."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from wuye.billing import runs
from wuye.billing.models import Bill, BillingRun, ChargeItem, LedgerEntry, Tariff
from wuye.billing.runs import run_billing
from wuye.core.errors import InvalidInput
from wuye.tenancy.models import Unit


@pytest.fixture
def property_fee(world):
    item = ChargeItem.objects.create(project=world.project1, code="property-fee", name="物业费", kind="property_fee")
    Tariff.objects.create(item=item, basis="per_m2_month", rate=Decimal("2.35"), effective_from=date(2026, 1, 1))
    Tariff.objects.create(item=item, basis="per_m2_month", rate=Decimal("2.60"), effective_from=date(2026, 12, 1))
    return item


def test_each_unit_is_billed_its_area_times_the_rate_in_force(world, property_fee):
    run = run_billing(None, world.project1, date(2026, 11, 1), now=timezone.make_aware(datetime(2026, 11, 1, 9)))
    units = Unit.objects.filter(project=world.project1)
    assert run.bills_created == units.count() == Bill.objects.count()
    unit = units.first()
    bill = Bill.objects.get(unit=unit)
    assert bill.amount == (unit.area * Decimal("2.35")).quantize(Decimal("0.01"))
    assert bill.due_on == date(2026, 11, 30)
    # Billed late (12-20), December's bills are due no sooner than 15 days after the notice: 2027-01-04.
    december = run_billing(None, world.project1, date(2026, 12, 1), now=timezone.make_aware(datetime(2026, 12, 20, 9)))
    assert {bill.due_on for bill in december.bills.all()} == {date(2027, 1, 4)}
    assert Bill.objects.get(unit=unit, run=december).amount == (unit.area * Decimal("2.60")).quantize(Decimal("0.01"))
    assert LedgerEntry.objects.count() == Bill.objects.count()


def test_rerunning_bills_nothing_twice(world, property_fee):
    first = run_billing(None, world.project1, date(2026, 11, 1))
    again = run_billing(None, world.project1, date(2026, 11, 1))
    assert again.pk == first.pk and again.bills_created == first.bills_created
    assert Bill.objects.count() == Unit.objects.filter(project=world.project1).count()


def test_a_run_killed_halfway_resumes_to_exactly_one_bill_per_unit(world, property_fee, monkeypatch):
    calls = []

    def crash_after_first_chunk(run):
        calls.append(run.units_done)
        raise KeyboardInterrupt  # the process dies after committing one chunk

    with pytest.raises(KeyboardInterrupt):
        run_billing(None, world.project1, date(2026, 11, 1), chunk=5, progress=crash_after_first_chunk)
    assert Bill.objects.count() == 5
    assert BillingRun.objects.get().status == "running"
    run = run_billing(None, world.project1, date(2026, 11, 1), chunk=5)
    units = Unit.objects.filter(project=world.project1)
    assert run.status == "done" and Bill.objects.count() == units.count()
    assert set(Bill.objects.values_list("unit_id", flat=True)) == set(units.values_list("id", flat=True))


def test_an_unknown_period_is_refused(world, property_fee):
    with pytest.raises(InvalidInput) as error:
        run_billing(None, world.project1, date(2026, 11, 15))
    assert error.value.problems[0].field == "period"
    assert not Bill.objects.exists()


def test_the_rate_helper_prefers_the_unit_types_own_tariff(world, property_fee):
    Tariff.objects.create(item=property_fee, unit_kind="commercial", basis="per_m2_month", rate=Decimal("5.00"),
                          effective_from=date(2026, 1, 1))
    assert runs.tariff_for(property_fee, "commercial", date(2026, 11, 1)).rate == Decimal("5.00")
    assert runs.tariff_for(property_fee, "residential", date(2026, 11, 1)).rate == Decimal("2.35")


def test_runs_through_the_api_for_finance_only_and_in_scope(world, api, property_fee):
    body = {"project_id": world.project1.pk, "period": "2026-11-01"}
    assert api("gongcheng").post("/api/v1/billing/runs", body).status_code == 403
    assert api("kefu2").post("/api/v1/billing/runs", body).json()["errors"][0]["field"] == "project_id"
    run = api("caiwu").post("/api/v1/billing/runs", body).json()
    assert run["status"] == "done" and run["bills_created"] == Unit.objects.filter(project=world.project1).count()
    assert api("caiwu").post("/api/v1/billing/runs", {**body, "period": "2026-13-01"}).status_code == 422
