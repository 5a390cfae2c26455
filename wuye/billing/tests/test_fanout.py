"""A billing run spread over two real Celery workers (issue 16 item 6): exactly one bill per unit and period, also
when one worker dies mid-chunk. PostgreSQL and Redis only: the workers are other processes."""

import os
import signal
import subprocess
import time
from datetime import date

import psycopg
import pytest
from django.db import connection
from django.db.models import Sum

from wuye.billing import fanout
from wuye.billing.models import Bill, BillingRun, BillingRunChunk, ChargeItem, LedgerEntry, Tariff
from wuye.core.models import Event
from wuye.core.testing import database_url, start_celery_workers, stop_celery_workers
from wuye.tenancy.models import Unit

PERIOD = date(2026, 11, 1)


@pytest.fixture
def spread(world, celery_broker, settings):
    """The first project with a property fee, Celery as the engine, chunks of 2 units, and the workers' env."""
    if connection.vendor != "postgresql":
        pytest.skip("real workers need a database another process can see (PostgreSQL)")
    settings.CELERY_BROKER_URL = celery_broker
    settings.WUYE_BILLING_CHUNK_UNITS = 2
    item = ChargeItem.objects.create(project=world.project1, code="fee", name="物业费", kind="property_fee")
    Tariff.objects.create(item=item, basis="per_m2_month", rate="2.50", effective_from=date(2026, 1, 1))
    env = {**os.environ, "DATABASE_URL": database_url(), "CELERY_BROKER_URL": celery_broker,
           "CELERY_RESULT_BACKEND": "", "DEBUG": "1"}
    return world.project1, env


def _wait_until_done(run: BillingRun, seconds: float = 120) -> BillingRun:
    deadline = time.monotonic() + seconds  # a wait for the workers, not a speed assertion
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.status == BillingRun.Status.DONE:
            return run
        time.sleep(0.3)
    return run


def _exactly_once(project, run: BillingRun) -> None:
    units = Unit.objects.filter(project=project).count()
    bills = Bill.objects.filter(project=project, period=PERIOD)
    assert run.status == BillingRun.Status.DONE
    assert bills.count() == units == run.bills_created  # one bill per unit, counted once
    assert bills.values("unit").distinct().count() == units
    charged = LedgerEntry.objects.filter(bill__in=bills, kind="charge").aggregate(total=Sum("amount"))["total"]
    assert charged == bills.aggregate(total=Sum("amount"))["total"] == run.amount_billed
    assert not BillingRunChunk.objects.filter(run=run, done_at__isnull=True).exists()
    assert Event.objects.filter(verb="billing.run_finished", subject_id=run.pk).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_bill_every_unit_once(spread):
    project, env = spread
    run = BillingRun.objects.create(project=project, period=PERIOD)
    workers = start_celery_workers(2, env)
    try:
        assert fanout.fan_out(run) == len(fanout.plan_chunks(run)) >= 6
        run = _wait_until_done(run)
        assert fanout.fan_out(run) == 0  # a finished run sends nothing more
    finally:
        stop_celery_workers(workers)
    _exactly_once(project, run)
    handled = set(BillingRunChunk.objects.filter(run=run).values_list("number", flat=True))
    assert handled == set(range(1, len(handled) + 1))


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_chunk_has_its_chunk_billed_again_by_the_other_never_twice(spread):
    project, env = spread
    run = BillingRun.objects.create(project=project, period=PERIOD)
    fanout.plan_chunks(run)
    # Hold the run's row: each worker bills its first chunk, then waits for the row to add its counts — both
    # chunks are in flight, their bills written but not committed.
    holder = psycopg.connect(database_url(), autocommit=False)
    holder.execute("SELECT id FROM billing_billingrun WHERE id = %s FOR UPDATE", [run.pk])
    workers = start_celery_workers(2, env)
    try:
        fanout.fan_out(run)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and _waiting_on_locks() < 2:
            time.sleep(0.2)
        assert _waiting_on_locks() == 2
        # The process running worker 0's chunk dies (as the kernel's OOM killer would kill it).
        child = subprocess.run(["pgrep", "-P", str(workers[0].pid)], capture_output=True, text=True).stdout.split()
        assert child
        os.kill(int(child[0]), signal.SIGKILL)
        time.sleep(1)
        holder.rollback()
        run = _wait_until_done(run)
    finally:
        holder.close()
        stop_celery_workers(workers)
    _exactly_once(project, run)


def _waiting_on_locks() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                       "AND wait_event_type = 'Lock'")
        return cursor.fetchone()[0]
