"""The billing side of `make bench`, each command in its own process with Django set up on the bench database.

    python -m bench.billing prepare   # the billing project, its property fee and 12 months of history (once);
                                      # then removes the bills of the measured period left by the previous run
    python -m bench.billing aging     # time wuye.billing.reports.arrears_aging over the history (median)
    python -m bench.billing run       # time run_billing(None, project, period) for every unit; peak RSS

`bench.run` starts these with its environment (bench.settings, the bench database); `run` is a fresh process, so
its peak RSS (`ru_maxrss`) is that of one billing run (plus Django's start-up). Progress goes to stderr; the last
line on stdout is one JSON object with the results.

The project (`bench-billing`, BENCH_BILLING_UNITS units, default 100,000 → 100,048 in 481 buildings) is made by
`build_scale_project`. Its history — BENCH_BILLING_MONTHS (12) months of property-fee bills for every unit, with
their charge entries, payments, allocations, receipts and write-offs — is written with INSERT … SELECT, not
through the services (a seed is not a user action), one month per transaction, only the months missing. The mix
is deterministic: 6 % of the units never pay; of the others, a bill is still open with probability 3 % for old
months and 10 / 20 / 40 % for the three newest; a third of the open ones are half paid; 0.5 % of the bills of the
older half are written off. About 14 % of the bills stay open. No SLA clocks or notices for the history (neither
report nor run reads them).

The measured period is the month after the newest history month (fixed for a database), so every run bills the
same 100,048 units from scratch: `prepare` first deletes that period's bills, their ledger entries (append-only
in the ORM; deleted with SQL here, in the benchmark only), allocations, payment clocks, the payment notices listing
them (and the owners' messages about those), the run and its event.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import sys
import time
from datetime import date
from decimal import Decimal

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
django.setup()

from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.schema import insert_select  # noqa: E402
from wuye.billing.models import (  # noqa: E402
    Allocation,
    Bill,
    BillingNotice,
    BillingRun,
    BillingRunChunk,
    ChargeItem,
    ChargeKind,
    DocumentCounter,
    EntryKind,
    LedgerEntry,
    Payment,
    Receipt,
    Tariff,
)
from wuye.billing.periods import add_months  # noqa: E402
from wuye.billing.reports import OPEN, arrears_aging  # noqa: E402
from wuye.billing.runs import run_billing  # noqa: E402
from wuye.core.models import Event, Notification  # noqa: E402
from wuye.demo.builders import build_scale_project  # noqa: E402
from wuye.sla.models import Clock  # noqa: E402
from wuye.tenancy.models import Project, Unit  # noqa: E402

PROJECT_CODE = "bench-billing"
ITEM_CODE = "property-fee"
RATE = Decimal("2.50")  # yuan per m² per month
UNITS_PER_BUILDING = 26 * 2 * 4


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


def units_wanted() -> int:
    return env_int("BENCH_BILLING_UNITS", 100_000)


def project_and_item(*, create: bool = False) -> tuple[Project, ChargeItem]:
    project = Project.objects.filter(code=PROJECT_CODE).order_by("id").first()
    if project is None:
        if not create:
            raise SystemExit("bench: the billing bench project is missing (python -m bench.billing prepare)")
        wanted = units_wanted()
        log(f"building the billing bench project: {wanted:,} units (once; later runs reuse it)")
        started = time.monotonic()
        project = build_scale_project(wanted, progress=False, code=PROJECT_CODE)
        log(f"built in {time.monotonic() - started:.1f} s")
    expected = -(-units_wanted() // UNITS_PER_BUILDING) * UNITS_PER_BUILDING
    units = Unit.objects.filter(project=project).count()
    if units < expected:
        raise SystemExit(f"bench: the billing project has {units:,} units, expected {expected:,} (an interrupted "
                         "build, or BENCH_BILLING_UNITS changed); run with BENCH_RESET=1")
    item, _ = ChargeItem.objects.get_or_create(project=project, code=ITEM_CODE,
                                               defaults={"name": "物业费", "kind": ChargeKind.PROPERTY_FEE})
    Tariff.objects.get_or_create(item=item, unit_kind="", effective_from=date(2000, 1, 1),
                                 defaults={"basis": "per_m2_month", "rate": RATE})
    return project, item


def history_periods(project: Project, item: ChargeItem) -> tuple[list[date], date]:
    """(the history months, the measured month). The history ends with the month before the one in which it was
    first generated; the measured month follows it."""
    generated = Bill.objects.filter(project=project, item=item, run__isnull=True, period__isnull=False)
    newest = generated.order_by("-period").values_list("period", flat=True).first()
    months = env_int("BENCH_BILLING_MONTHS", 12)
    last = newest or add_months(timezone.localdate().replace(day=1), -1)
    return [add_months(last, n) for n in range(1 - months, 1)], add_months(last, 1)


# -- the history ------------------------------------------------------------------------------------------------

def generate_month(project: Project, item: ChargeItem, period: date, age: int) -> int:
    """Bills, charge entries, payments, allocations, receipts and write-offs of one month (`age` 0 = newest).

    Each INSERT names only the columns it computes; `bench.schema` fills the others from the models."""
    open_percent = {0: 40, 1: 20, 2: 10}.get(age, 3)
    writes_off = age >= 6
    t = {m: m._meta.db_table for m in (Bill, Payment, DocumentCounter, Project, Unit)}
    params = {"project": project.pk, "item": item.pk, "period": period, "rate": RATE, "open": open_percent,
              "writes_off": writes_off, "label": f"物业费 {period:%Y-%m}", "charge": EntryKind.CHARGE,
              "payment": EntryKind.PAYMENT, "write_off": EntryKind.WRITE_OFF}
    with connection.cursor() as cursor:
        # r: a fixed pseudo-random 0..99 per unit and month; units with id % 100 < 6 never pay.
        bills = insert_select(cursor, Bill, {
            "project_id": "%(project)s", "unit_id": "unit_id", "item_id": "%(item)s", "period": "%(period)s",
            "amount": "amount", "paid": "paid", "written_off": "written_off",
            "due_on": "(%(period)s::date + interval '1 month' - interval '1 day')::date",
            "issued_at": "%(period)s::date + interval '1 day 9 hours'", "description": "%(label)s",
        }, "FROM settled ORDER BY unit_id", params, with_=f"""
            WITH drawn AS (
                SELECT u.id AS unit_id, round(u.area * %(rate)s, 2) AS amount,
                       ((u.id * 7919 + extract(month FROM %(period)s::date)::int * 104729
                         + extract(year FROM %(period)s::date)::int * 31) %% 100) AS r,
                       (u.id %% 100 < 6) AS never_pays
                FROM {t[Unit]} u WHERE u.project_id = %(project)s AND u.area > 0
            ), settled AS (
                SELECT unit_id, amount,
                       CASE WHEN %(writes_off)s AND NOT never_pays AND r = 99 THEN 0
                            WHEN never_pays OR r < %(open)s THEN CASE WHEN r %% 3 = 0 THEN round(amount / 2, 2)
                                                                      ELSE 0 END
                            ELSE amount END AS paid,
                       CASE WHEN %(writes_off)s AND NOT never_pays AND r = 99 THEN amount ELSE 0 END AS written_off,
                       r
                FROM drawn
            )""")
        month_bills = f"SELECT * FROM {t[Bill]} WHERE project_id = %(project)s AND item_id = %(item)s " \
                      "AND period = %(period)s AND run_id IS NULL"
        insert_select(cursor, LedgerEntry, {
            "project_id": "project_id", "unit_id": "unit_id", "kind": "%(charge)s", "amount": "amount",
            "bill_id": "id", "created_at": "issued_at", "memo": "description",
        }, f"FROM ({month_bills}) b ORDER BY id", params)
        # One payment per bill paid (in full or half), received 1–28 days after issue.
        insert_select(cursor, Payment, {
            "project_id": "project_id", "unit_id": "unit_id",
            "channel": "(ARRAY['wechat','wechat','alipay','bank_transfer','cash'])[id %% 5 + 1]", "amount": "paid",
            "idempotency_key": "'bench-bill-' || id", "received_at": "issued_at + (id %% 28 + 1) * interval '1 day'",
        }, f"FROM ({month_bills}) b WHERE paid > 0 ORDER BY id", params)
        # Fresh rows without statistics make the planner join payments to bills by a nested loop over the
        # concatenated key (seconds for 2,000 units on an empty database); ANALYZE lets it hash them.
        cursor.execute(f"ANALYZE {t[Bill]}, {t[Payment]}")
        joined = f"""FROM ({month_bills}) b JOIN {t[Payment]} p
                     ON p.project_id = b.project_id AND p.idempotency_key = 'bench-bill-' || b.id"""
        insert_select(cursor, Allocation, {
            "payment_id": "p.id", "bill_id": "b.id", "amount": "p.amount", "created_at": "p.received_at",
        }, f"{joined} ORDER BY p.id", params)
        insert_select(cursor, LedgerEntry, {
            "project_id": "p.project_id", "unit_id": "p.unit_id", "kind": "%(payment)s", "amount": "-p.amount",
            "payment_id": "p.id", "created_at": "p.received_at", "memo": "''",
        }, f"{joined} ORDER BY p.id", params)
        insert_select(cursor, LedgerEntry, {
            "project_id": "project_id", "unit_id": "unit_id", "kind": "%(write_off)s", "amount": "-written_off",
            "bill_id": "id", "created_at": "issued_at + interval '60 days'", "memo": "'压测核销'",
        }, f"FROM ({month_bills}) b WHERE written_off > 0 ORDER BY id", params)
        # Receipt numbers go on from the project's counter of the payment's year (Shanghai) without gaps, printed
        # as the app prints them (JH-2026-000123).
        year = "extract(year FROM p.received_at AT TIME ZONE 'Asia/Shanghai')::int"
        cursor.execute(f"""INSERT INTO {t[DocumentCounter]} (project_id, series, year, last_number)
                           SELECT DISTINCT p.project_id, 'receipt', {year}, 0 {joined}
                           ON CONFLICT (project_id, series, year) DO NOTHING""", params)
        number = "c.last_number + row_number() OVER (PARTITION BY c.year ORDER BY p.id)"
        insert_select(cursor, Receipt, {
            "project_id": "p.project_id", "year": "c.year", "number": number,
            "code": f"pr.short_code || '-' || c.year || '-' || lpad(({number})::text, 6, '0')",
            "payment_id": "p.id", "issued_at": "p.received_at",
        }, f"""{joined} JOIN {t[Project]} pr ON pr.id = p.project_id
               JOIN {t[DocumentCounter]} c ON c.project_id = p.project_id AND c.series = 'receipt'
                                          AND c.year = {year}""", params)
        cursor.execute(f"""UPDATE {t[DocumentCounter]} c SET last_number = c.last_number + n.payments
                           FROM (SELECT {year} AS year, count(*) AS payments {joined} GROUP BY 1) n
                           WHERE c.project_id = %(project)s AND c.series = 'receipt' AND c.year = n.year""",
                       params)
    return bills


def generate_history(project: Project, item: ChargeItem) -> dict:
    periods, _measured = history_periods(project, item)
    present = set(Bill.objects.filter(project=project, item=item, run__isnull=True, period__in=periods)
                  .values_list("period", flat=True).distinct())
    missing = [p for p in periods if p not in present]
    if not missing:
        return {"generated_bills": 0}
    log(f"generating {len(missing)} months of bill history for the billing project (once; later runs reuse it)")
    started, total = time.monotonic(), 0
    for period in missing:
        with transaction.atomic():
            total += generate_month(project, item, period, age=len(periods) - 1 - periods.index(period))
        log(f"  {period:%Y-%m}: {total:,} bills ({time.monotonic() - started:.0f} s)")
    seconds = round(time.monotonic() - started, 1)
    log(f"generated {total:,} bills with their ledger, payments and receipts in {seconds:.1f} s")
    return {"generated_bills": total, "generation_seconds": seconds}


# -- a fresh measured period ------------------------------------------------------------------------------------

def remove_period(project: Project, period: date) -> int:
    """Delete what an earlier benchmark run of `period` wrote (SQL: ledger entries and events are append-only):
    the payment notices that list its bills (with all their bill links and owner messages), the bills' clocks,
    allocations and ledger entries, the bills, the run and its event."""
    bill_type, run_type, notice_type = (ContentType.objects.get_for_model(m) for m in (Bill, BillingRun,
                                                                                          BillingNotice))
    t = {m: m._meta.db_table for m in (Bill, LedgerEntry, Allocation, BillingNotice, BillingRun, Clock, Event,
                                       Notification)}
    notice_bills = BillingNotice.bills.through._meta.db_table
    params = {"project": project.pk, "period": period, "bill_type": bill_type.pk, "run_type": run_type.pk,
              "notice_type": notice_type.pk}
    period_bills = f"SELECT id FROM {t[Bill]} WHERE project_id = %(project)s AND period = %(period)s"
    period_runs = f"SELECT id FROM {t[BillingRun]} WHERE project_id = %(project)s AND period = %(period)s"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"""CREATE TEMPORARY TABLE bench_notices ON COMMIT DROP AS
                           SELECT DISTINCT billingnotice_id AS id FROM {notice_bills}
                           WHERE bill_id IN ({period_bills})""", params)
        cursor.execute(f"DELETE FROM {t[Notification]} WHERE source_type_id = %(notice_type)s "
                       "AND source_id IN (SELECT id FROM bench_notices)", params)
        cursor.execute(f"DELETE FROM {notice_bills} WHERE billingnotice_id IN (SELECT id FROM bench_notices) "
                       f"OR bill_id IN ({period_bills})", params)
        cursor.execute(f"DELETE FROM {t[BillingNotice]} WHERE id IN (SELECT id FROM bench_notices)", params)
        cursor.execute(f"DELETE FROM {t[Clock]} WHERE subject_type_id = %(bill_type)s AND subject_id IN "
                       f"({period_bills})", params)
        cursor.execute(f"DELETE FROM {t[Allocation]} WHERE bill_id IN ({period_bills})", params)
        cursor.execute(f"DELETE FROM {t[LedgerEntry]} WHERE bill_id IN ({period_bills})", params)
        cursor.execute(f"DELETE FROM {t[Bill]} WHERE project_id = %(project)s AND period = %(period)s", params)
        removed = cursor.rowcount
        cursor.execute(f"DELETE FROM {t[Event]} WHERE subject_type_id = %(run_type)s AND subject_id IN ({period_runs})",
                       params)
        cursor.execute(f"DELETE FROM {BillingRunChunk._meta.db_table} WHERE run_id IN ({period_runs})", params)
        cursor.execute(f"DELETE FROM {t[BillingRun]} WHERE project_id = %(project)s AND period = %(period)s", params)
    return removed


def prepare() -> dict:
    if connection.vendor != "postgresql":
        raise SystemExit("bench: the billing benchmarks need PostgreSQL")
    project, item = project_and_item(create=True)
    result = generate_history(project, item)
    periods, measured = history_periods(project, item)
    removed = remove_period(project, measured)
    if removed:
        log(f"removed the {removed:,} bills of {measured:%Y-%m} an earlier run made")
    started = time.monotonic()
    tables = [m._meta.db_table for m in (Bill, LedgerEntry, Allocation, Payment, Receipt, Clock, BillingNotice,
                                         BillingNotice.bills.through, Unit)]
    with connection.cursor() as cursor:
        for table in tables:  # settled statistics and visibility map, so each run sees the same plans
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    log(f"VACUUM (ANALYZE) of the billing tables in {time.monotonic() - started:.1f} s")
    bills = Bill.objects.filter(project=project)
    result.update({
        "project_id": project.pk, "units": Unit.objects.filter(project=project).count(),
        "history": [periods[0].isoformat(), periods[-1].isoformat()], "measured_period": measured.isoformat(),
        "bills": bills.count(), "open_bills": bills.filter(OPEN).count(), "removed_bills": removed,
    })
    return result


# -- measurements -----------------------------------------------------------------------------------------------

def measure_aging() -> dict:
    """arrears_aging over the project's bills by building: one warm-up, then BENCH_AGING_REPEATS timed calls."""
    project, _item = project_and_item()
    repeats = env_int("BENCH_AGING_REPEATS", 5)
    timings = []
    report = None
    for number in range(repeats + 1):
        began = time.perf_counter()
        report = arrears_aging(None, project=project)
        seconds = time.perf_counter() - began
        if number:
            timings.append(round(seconds, 4))
        log(f"  arrears aging {'warm-up' if number == 0 else f'{number}/{repeats}'}: {seconds:.3f} s, "
            f"{len(report.rows)} buildings")
    with CaptureQueriesContext(connection) as captured:
        arrears_aging(None, project=project)
    with connection.cursor() as cursor:
        aggregate = next(q["sql"] for q in captured.captured_queries if "GROUP BY" in q["sql"])
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + aggregate)
        plan = [row[0] for row in cursor.fetchall()]
    totals = report.totals
    return {
        "seconds": statistics.median(timings), "runs": timings, "as_of": report.as_of.isoformat(),
        "bills": Bill.objects.filter(project=project).count(), "buildings": len(report.rows),
        "open_bills": sum(totals.bills.values()), "units_in_arrears": totals.units_in_arrears,
        "overdue": str(totals.total), "not_due": str(totals.not_due),
        "uses_bill_open_due": any("bill_open_due" in line for line in plan), "plan": plan,
    }


def measure_run() -> dict:
    """run_billing for the measured period, in this (fresh) process: seconds and the process's peak RSS."""
    project, item = project_and_item()
    _periods, period = history_periods(project, item)
    if Bill.objects.filter(project=project, period=period).exists():
        raise SystemExit(f"bench: {period:%Y-%m} is already billed; run `python -m bench.billing prepare` first")
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    chunks = []
    began = time.perf_counter()

    def progress(run):
        chunks.append(run.units_done)
        if len(chunks) % 10 == 0:
            log(f"  billing run: {run.units_done:,}/{run.units_total:,} units "
                f"({time.perf_counter() - began:.1f} s)")

    run = run_billing(None, project, period, progress=progress)
    seconds = time.perf_counter() - began
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KB on Linux
    with connection.cursor() as cursor:  # without statistics on the 100,000 new rows the count below ran 13 minutes
        cursor.execute(f"ANALYZE {Bill._meta.db_table}, {Clock._meta.db_table}")
    clocks = Clock.objects.filter(project=project, subject_type=ContentType.objects.get_for_model(Bill),
                                  subject_id__in=run.bills.values("pk")).count()
    log(f"billing run {period:%Y-%m}: {run.bills_created:,} bills, ¥{run.amount_billed} in {seconds:.1f} s, "
        f"peak RSS {peak_kb / 1024:.0f} MB")
    return {"seconds": round(seconds, 2), "peak_rss_mb": round(peak_kb / 1024, 1),
            "rss_before_run_mb": round(rss_before / 1024, 1), "period": period.isoformat(), "units": run.units_total,
            "bills_created": run.bills_created, "amount_billed": str(run.amount_billed), "clocks_started": clocks,
            "chunks": len(chunks), "finished_at": timezone.localtime().isoformat(timespec="seconds")}


def measure_celery_run() -> dict:
    """The same run spread over BENCH_CELERY_WORKERS real Celery workers (billing.fanout) on the local Redis
    (BENCH_CELERY_BROKER_URL, db 6 by default, emptied first): seconds from the first chunk sent to the run done."""
    import redis

    from wuye.core.testing import start_celery_workers, stop_celery_workers

    count = env_int("BENCH_CELERY_WORKERS", 2)
    broker = os.environ.get("BENCH_CELERY_BROKER_URL") or "redis://127.0.0.1:6379/6"
    redis.Redis.from_url(broker).flushdb()
    project, item = project_and_item()
    _periods, period = history_periods(project, item)
    if Bill.objects.filter(project=project, period=period).exists():
        raise SystemExit(f"bench: {period:%Y-%m} is already billed; run `python -m bench.billing prepare` first")
    from django.conf import settings

    from wuye.billing import fanout

    settings.CELERY_BROKER_URL = broker
    workers = start_celery_workers(count, {**os.environ, "CELERY_BROKER_URL": broker, "CELERY_RESULT_BACKEND": ""})
    try:
        time.sleep(3)  # the workers start (Django set-up) before the clock does
        run = BillingRun.objects.create(project=project, period=period)
        chunks = len(fanout.plan_chunks(run))
        began = time.perf_counter()
        fanout.fan_out(run)
        while True:
            run.refresh_from_db()
            if run.status == BillingRun.Status.DONE:
                break
            if time.perf_counter() - began > 1800:
                raise SystemExit("bench: the workers did not finish the run within 30 minutes")
            time.sleep(0.2)
        seconds = time.perf_counter() - began
    finally:
        stop_celery_workers(workers)
    log(f"billing run {period:%Y-%m} on {count} Celery worker(s): {run.bills_created:,} bills in {seconds:.1f} s "
        f"({chunks} chunks)")
    return {"workers": count, "seconds": round(seconds, 2), "chunks": chunks, "bills_created": run.bills_created,
            "units": run.units_total, "period": period.isoformat()}


def main(argv: list[str]) -> int:
    commands = {"prepare": prepare, "aging": measure_aging, "run": measure_run, "celery": measure_celery_run}
    if len(argv) != 2 or argv[1] not in commands:
        print(f"usage: python -m bench.billing {{{'|'.join(commands)}}}", file=sys.stderr)
        return 2
    result = commands[argv[1]]()
    print(json.dumps(result, default=str, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
