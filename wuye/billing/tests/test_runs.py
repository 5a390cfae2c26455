"""Billing runs: one bill per unit and period however often a run is repeated or resumed; prices by date."""

import logging
import threading
import time
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.models import Count, Sum
from django.utils import timezone

from wuye.billing import jobs, runs
from wuye.billing.models import Bill, BillingRun, ChargeItem, LedgerEntry, Tariff
from wuye.billing.runs import run_billing, start_run
from wuye.core.errors import InvalidInput
from wuye.core.models import Event
from wuye.core.testing import run_concurrently
from wuye.people.access import actor_for
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


def test_a_month_a_process_already_billed_with_its_source_is_not_billed_again_by_the_run(world, property_fee):
    """A move-in takes the first months' property fee at the desk (posted with the move-in as its source and the
    month as its period); the month's run then bills every other unit, and that unit not a second time."""
    from wuye.billing.services import post_charge

    unit = Unit.objects.filter(project=world.project1).order_by("id").first()
    prepaid = post_charge(None, unit, property_fee, "300.00", due_on=date(2026, 11, 30), period=date(2026, 11, 1),
                          source=world.ticket(world.project1, unit=unit))
    run = run_billing(None, world.project1, date(2026, 11, 1))
    units = Unit.objects.filter(project=world.project1).count()
    assert run.bills_created == units - 1
    assert list(Bill.objects.filter(unit=unit, period=date(2026, 11, 1))) == [prepaid]
    assert Bill.objects.filter(period=date(2026, 12, 1)).count() == 0
    december = run_billing(None, world.project1, date(2026, 12, 1))
    assert december.bills_created == units  # the next month is the run's again


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
    units = Unit.objects.filter(project=world.project1)
    started = api("caiwu").post("/api/v1/billing/runs", body)
    assert started.status_code == 202
    run = started.json()
    # Answered at once: the background job bills.
    assert (run["status"], run["units_done"], run["units_total"]) == ("running", 0, units.count())
    assert run["started_by"] == "caiwu" and not Bill.objects.exists()
    jobs.continue_billing_runs()
    done = api("caiwu").get(f"/api/v1/billing/runs/{run['id']}").json()
    assert (done["status"], done["percent"], done["units_done"]) == ("done", 100, units.count())
    assert done["bills_created"] == units.count() and done["finished_at"]
    billed = Bill.objects.aggregate(total=Sum("amount"))["total"]
    assert [(line["code"], line["bills"], Decimal(line["amount"])) for line in done["summary"]] == [
        ("property-fee", units.count(), billed)]
    assert Decimal(done["amount_billed"]) == billed
    listing = api("caiwu").get("/api/v1/billing/runs", project=world.project1.pk).json()
    assert listing["count"] == 1 and listing["items"][0]["id"] == run["id"]
    assert api("kefu2").get(f"/api/v1/billing/runs/{run['id']}").status_code == 404
    assert api("kefu2").get("/api/v1/billing/runs").json()["count"] == 0
    assert api("caiwu").post("/api/v1/billing/runs", {**body, "period": "2026-13-01"}).status_code == 422
    mid_month = api("caiwu").post("/api/v1/billing/runs", {**body, "period": "2026-12-15"})
    assert mid_month.status_code == 422 and mid_month.json()["errors"][0]["field"] == "period"
    assert BillingRun.objects.count() == 1


def test_starting_a_billed_month_again_bills_only_what_is_missing(world, property_fee):
    caiwu = actor_for(world.user("caiwu"))
    run = start_run(caiwu, world.project1, date(2026, 11, 1))
    jobs.continue_billing_runs()
    first_bill = Bill.objects.order_by("id").first()
    Unit.objects.create(project=world.project1, building=first_bill.unit.building, number="9901", floor=9,
                        area=Decimal("88.00"))
    again = start_run(caiwu, world.project1, date(2026, 11, 1))
    assert again.pk == run.pk and again.status == "running" and again.units_done == 0
    jobs.continue_billing_runs()
    again.refresh_from_db()
    units = Unit.objects.filter(project=world.project1)
    assert again.status == "done" and Bill.objects.count() == units.count() == again.bills_created
    assert Event.objects.filter(verb="billing.run_started").count() == 2


def test_the_job_resumes_a_run_whose_process_died(world, property_fee):
    def crash_after_first_chunk(run):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_billing(None, world.project1, date(2026, 11, 1), chunk=5, progress=crash_after_first_chunk)
    assert Bill.objects.count() == 5
    jobs.continue_billing_runs()
    run = BillingRun.objects.get()
    units = Unit.objects.filter(project=world.project1)
    assert run.status == "done" and run.units_done == units.count()
    assert Bill.objects.count() == units.count() == run.bills_created
    assert sorted(Bill.objects.values_list("unit_id", flat=True)) == sorted(units.values_list("id", flat=True))


@pytest.mark.django_db(transaction=True)
def test_two_job_runners_at_once_bill_each_unit_once(world, property_fee, monkeypatch, caplog):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the race is exercised on PostgreSQL")
    fee_biller = runs.BILLERS["property_fee"]

    def slow_biller(*args):
        time.sleep(0.05)  # a chunk takes a while, so the two runners overlap
        return fee_biller(*args)

    monkeypatch.setitem(runs.BILLERS, "property_fee", slow_biller)
    start_run(actor_for(world.user("caiwu")), world.project1, date(2026, 11, 1))
    run_concurrently(lambda: runs.continue_runs(chunk=2), 2)
    run = BillingRun.objects.get()
    units = Unit.objects.filter(project=world.project1)
    per_unit = Bill.objects.values("unit_id").annotate(bills=Count("id"))
    assert sorted(row["unit_id"] for row in per_unit) == sorted(units.values_list("id", flat=True))
    assert {row["bills"] for row in per_unit} == {1}
    assert run.status == "done" and run.bills_created == units.count() == run.units_done
    assert Event.objects.filter(verb="billing.run_finished").count() == 1
    # The second runner stepped aside rather than running into the first one's bills (a unique violation).
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


@pytest.mark.django_db(transaction=True)
def test_a_runner_leaves_a_run_another_runner_moved_on(world, property_fee):
    if connection.vendor == "sqlite":
        pytest.skip("row locks are PostgreSQL's; SQLite serialises writers")
    run = start_run(actor_for(world.user("caiwu")), world.project1, date(2026, 11, 1))
    locked, release = threading.Event(), threading.Event()

    def other_runner_mid_chunk():
        try:
            with transaction.atomic():
                claimed = BillingRun.objects.select_for_update().get(pk=run.pk)
                locked.set()
                release.wait(10)
                claimed.last_unit_id = Unit.objects.filter(project=world.project1).order_by("id")[2].pk
                claimed.save(update_fields=["last_unit_id"])  # as if it had billed the first three units
        finally:
            connection.close()

    holder = threading.Thread(target=other_runner_mid_chunk)
    holder.start()
    locked.wait(10)
    threading.Timer(0.5, release.set).start()
    left = run_billing(None, world.project1, date(2026, 11, 1))  # waits for the lock, then sees the cursor moved
    holder.join()
    assert left.status == "running" and not Bill.objects.exists()


def test_a_chunks_statements_do_not_grow_with_its_units(world, property_fee, django_assert_max_num_queries):
    """No per-unit query: a chunk of every unit makes no more statements than a chunk of one unit per unit type."""
    from django.test.utils import CaptureQueriesContext

    units = list(Unit.objects.filter(project=world.project1).order_by("id"))
    assert len(units) >= 3

    def bill_chunk(period: date, chunk: list[Unit]) -> list:
        run = BillingRun.objects.create(project=world.project1, period=period)
        context = runs.RunContext(run=run, period=period, due_on=runs.period_end(period))
        bills, skips = runs._bill_chunk(run, [property_fee], chunk, context, timezone.now())
        assert not skips
        return bills

    # The baseline: one unit of each type (a tariff is looked up once per unit type and run, not per unit).
    one_of_each = list({unit.kind: unit for unit in reversed(units)}.values())
    with CaptureQueriesContext(connection) as one_unit:
        bill_chunk(date(2026, 10, 1), one_of_each)
    with django_assert_max_num_queries(len(one_unit.captured_queries)):
        bills = bill_chunk(date(2026, 11, 1), units)
    assert len(bills) == len(units)
