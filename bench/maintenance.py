"""The maintenance side of `make bench`: a year of maintenance tasks for 20,000 items, made by the generator the
hourly job runs (wuye.facilities.plans.generate_tasks), timed in a fresh process with its peak RSS.

    python -m bench.maintenance prepare   # BENCH_MAINTENANCE_ITEMS elevators in the bench project, and the plan
    python -m bench.maintenance run       # the plan's tasks and clocks cleared, then a year of them made (timed),
                                          # then the same run again, which must make none

`bench.run` starts these with its environment (bench.settings, the bench database) after the bench project exists.
Progress goes to stderr; the last line on stdout is one JSON object with the results.

The plan is BENCH_MAINTENANCE_FREQUENCY (`days`: the seed's elevator routine every 15 days, 25 due days a year →
500,000 tasks for 20,000 items; `monthly`: 12 → 240,000), starting 2027-01-01 with 364 lead days, so one run
makes the whole year: every task one row (COPY), one event; only the tasks whose due day has come (the first day's)
get their `maintenance.task` clock now (plans.start_due_clocks), the rest on their day.
Items are written with INSERT … SELECT (bench.schema): a seed is not a user action.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from datetime import date

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
django.setup()

from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from bench.schema import insert_select  # noqa: E402
from wuye.facilities import plans  # noqa: E402
from wuye.facilities.models import Equipment, EquipmentCategory, MaintenancePlan, MaintenanceTask  # noqa: E402
from wuye.sla.models import Clock  # noqa: E402
from wuye.tenancy.models import Project  # noqa: E402

PROJECT_CODE = "bench"
CATEGORY_CODE = "bench-elevator"
STARTS_ON = date(2027, 1, 1)
PLAN_NAME = "压测电梯保养"


def log(message: str) -> None:
    print(f"bench.maintenance: {message}", file=sys.stderr, flush=True)


def _project() -> Project:
    project = Project.objects.filter(code=PROJECT_CODE).order_by("id").first()
    if project is None:
        raise SystemExit("bench.maintenance: no bench project (run bench.tickets prepare first)")
    return project


def _settings() -> tuple[int, str, int]:
    items = int(os.environ.get("BENCH_MAINTENANCE_ITEMS") or 20_000)
    frequency = (os.environ.get("BENCH_MAINTENANCE_FREQUENCY") or "days").strip()
    if frequency not in ("days", "monthly"):
        raise SystemExit("bench.maintenance: BENCH_MAINTENANCE_FREQUENCY must be days or monthly")
    return items, frequency, 15 if frequency == "days" else 1


def prepare() -> dict:
    """The bench's elevators (as many as asked, kept between runs) and its plan (frequency as asked)."""
    project = _project()
    wanted, frequency, interval = _settings()
    category, _ = EquipmentCategory.objects.get_or_create(company_id=project.company_id, code=CATEGORY_CODE,
                                                          defaults={"name": "压测电梯", "kind": "elevator"})
    present = Equipment.objects.filter(project=project, category=category).count()
    started = time.monotonic()
    if present < wanted:
        with transaction.atomic(), connection.cursor() as cursor:
            insert_select(cursor, Equipment, {
                "project_id": "%(project)s", "category_id": "%(category)s",
                "code": "'BENCH-DT-' || lpad(n::text, 6, '0')", "name": "'压测电梯' || n || '号'",
                "status": "'in_service'", "label_token": "gen_random_uuid()"},
                "FROM generate_series(%(first)s, %(last)s) AS n",
                {"project": project.pk, "category": category.pk, "first": present + 1, "last": wanted})
        log(f"{wanted - present:,} elevators added ({time.monotonic() - started:.1f} s)")
    elif present > wanted:
        raise SystemExit(f"bench.maintenance: the bench has {present:,} elevators, more than the {wanted:,} asked; "
                         "rebuild the bench database (BENCH_RESET=1)")
    plan, _ = MaintenancePlan.objects.update_or_create(project=project, name=PLAN_NAME, defaults={
        "kind": "routine", "category": category, "frequency": frequency, "interval": interval,
        "starts_on": STARTS_ON, "lead_days": 364, "checklist": plans.ELEVATOR_ROUTINE, "is_active": False})
    return {"project_id": project.pk, "plan_id": plan.pk, "items": wanted, "frequency": frequency,
            "interval": interval}


def _clear(plan: MaintenancePlan) -> int:
    """The plan's tasks and their clocks from an earlier run, deleted with two statements."""
    task_type = ContentType.objects.get_for_model(MaintenanceTask)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {Clock._meta.db_table} WHERE subject_type_id = %s AND subject_id IN "
                       f"(SELECT id FROM {MaintenanceTask._meta.db_table} WHERE plan_id = %s)",
                       [task_type.pk, plan.pk])
        cursor.execute(f"DELETE FROM {MaintenanceTask._meta.db_table} WHERE plan_id = %s", [plan.pk])
        deleted = cursor.rowcount
        MaintenancePlan.objects.filter(pk=plan.pk).update(generated_through=None, is_active=True)
    with connection.cursor() as cursor:
        for table in (MaintenanceTask._meta.db_table, Clock._meta.db_table):
            cursor.execute(f"VACUUM ANALYZE {table}")
    return deleted


def run() -> dict:
    """A year of the plan's tasks in this (fresh) process: seconds, peak RSS; then the rerun (must make 0)."""
    prepared = prepare()
    plan = MaintenancePlan.objects.get(pk=prepared["plan_id"])
    deleted = _clear(plan)
    if deleted:
        log(f"cleared {deleted:,} tasks of an earlier run")
    plan.refresh_from_db()
    expected = len(plans.due_dates(plan, STARTS_ON, date(2027, 12, 31))) * prepared["items"]
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    log(f"making a year of tasks: {expected:,} expected")
    began = time.perf_counter()
    made = plans.generate_tasks(STARTS_ON, plans=[plan])
    seconds = time.perf_counter() - began
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KB on Linux
    began = time.perf_counter()
    again = plans.generate_tasks(STARTS_ON, plans=[plan])
    rerun_seconds = time.perf_counter() - began
    clocks = Clock.objects.filter(key="maintenance.task", project_id=plan.project_id,
                                  subject_type=ContentType.objects.get_for_model(MaintenanceTask)).count()
    MaintenancePlan.objects.filter(pk=plan.pk).update(is_active=False)  # the hourly job leaves the bench's alone
    log(f"{made:,} tasks ({clocks:,} clocks of the days that came) in {seconds:.1f} s, "
        f"peak RSS {peak_kb / 1024:.0f} MB; rerun made {again} in {rerun_seconds:.2f} s")
    if made != expected:
        raise SystemExit(f"bench.maintenance: made {made:,} tasks, expected {expected:,}")
    return {"seconds": round(seconds, 2), "peak_rss_mb": round(peak_kb / 1024, 1),
            "rss_before_run_mb": round(rss_before / 1024, 1), "tasks": made, "clocks": clocks,
            "rerun_tasks": again, "rerun_seconds": round(rerun_seconds, 3), **prepared}


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command not in ("prepare", "run"):
        raise SystemExit("usage: python -m bench.maintenance prepare | run")
    print(json.dumps(prepare() if command == "prepare" else run(), default=str), flush=True)
