"""The KPI side of `make bench`: one project-month of KPIs of the bench project, timed in-process.

    python -m bench.kpis prepare   # decided SLA clocks, repeats and reopenings for the months measured (once)
    python -m bench.kpis measure   # time quality.kpis.kpi_report for the bench project's last full month

`bench.run` starts these with its environment (bench.settings, the bench database) after bench.tickets prepared
the project's year of tickets. Progress goes to stderr; the last line on stdout is one JSON object.

bench.tickets gives only the open tickets a clock (the sweep's work); the KPIs read the clocks that STOPPED in a
month. `prepare` adds them, with COPY, for every closed repair and complaint of the generated year, as the services
would have left them (~2.2 million at full scale): dispatch, arrival and completion of a repair, assignment,
handling and reply of a complaint, met or (about one in eight) breached. About 3 % of those repairs get a repeat
(the next repair received points at it) and 1 % a reopening event, so first-time fix has something to find.
Idempotent: a ticket that has a stopped clock already is skipped.

`measure` times `kpi_report(pinzhi, project=bench, month=M)` — every registered KPI, this month's and last month's
figures — BENCH_KPI_REPEATS times (default 3) and reports the median as `kpis.month.seconds`.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import time
from datetime import date, timedelta

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
django.setup()

from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Exists, OuterRef  # noqa: E402
from django.utils import timezone  # noqa: E402

from wuye.billing.periods import add_months  # noqa: E402
from wuye.core.bulk import insert_rows  # noqa: E402
from wuye.core.models import Event  # noqa: E402
from wuye.people.access import actor_for  # noqa: E402
from wuye.sla import engine as sla  # noqa: E402
from wuye.sla.models import Clock, ClockState, Policy  # noqa: E402
from wuye.tenancy.models import Project  # noqa: E402
from wuye.workorders.models import Kind, Status, Ticket  # noqa: E402

PROJECT_CODE = "bench"
LOGIN = "pinzhi"  # the quality department: every project of the demo company
REPAIR_KEYS = ("dispatch", "arrive", "complete")
COMPLAINT_KEYS = ("assign", "{urgency}.handle", "reply")
MINUTE = timedelta(minutes=1)
CHUNK = 50_000


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def bench_project() -> Project:
    project = Project.objects.filter(code=PROJECT_CODE).order_by("id").first()
    if project is None:
        raise SystemExit("bench: the bench project is missing (seed_demo --scale first)")
    return project


def measured_month(project: Project) -> date:
    """The last full month before the newest generated ticket (the bench's "last month")."""
    newest = Ticket.objects.filter(project=project).order_by("-created_at").values_list("created_at", flat=True)
    newest = newest.first()
    if newest is None:
        raise SystemExit("bench: the bench project has no tickets (bench.tickets prepare first)")
    return add_months(timezone.localtime(newest).date().replace(day=1), -1)


def _keys(kind: str, urgency: str) -> list[str]:
    if kind == Kind.REPAIR:
        return [f"repair.{urgency}.{stage}" for stage in REPAIR_KEYS]
    return [f"complaint.{key.format(urgency=urgency)}" for key in COMPLAINT_KEYS]


def _clock_rows(ticket_id, kind, urgency, created, rng, policies, ticket_type, project) -> list[dict]:
    rows, moment = [], created
    for key in _keys(kind, urgency):
        policy = policies.get(key)
        if policy is None:
            continue
        target = policy.target * (3 if policy.measure == "working" else 1)
        due = moment + target
        late = rng.random() < 0.125
        stop = due + rng.uniform(1, 120) * MINUTE if late else moment + target * rng.uniform(0.1, 0.95)
        rows.append({
            "subject_type_id": ticket_type.pk, "subject_id": ticket_id, "project_id": project.pk,
            "policy_id": policy.pk, "key": key, "state": ClockState.BREACHED if late else ClockState.MET,
            "started_at": moment, "due_at": due, "warn_at": moment + target * policy.warn_percent / 100,
            "stopped_at": stop, "overrun": stop - due, "breached_at": due if late else None,
            "escalation_level": 0, "version": 2, "next_check_at": None})
        moment = stop
    return rows


def prepare() -> dict:
    if connection.vendor != "postgresql":
        raise SystemExit("bench: the KPI benchmark needs PostgreSQL")
    project = bench_project()
    month = measured_month(project)
    ticket_type = ContentType.objects.get_for_model(Ticket)
    policies = {p.key: p for p in Policy.objects.filter(standard=sla.standard_for(project))}
    # NOT EXISTS (an anti-join): NOT IN over the 2.2 million stopped clocks of a rerun does not fit work_mem as a
    # hash, and PostgreSQL then scans them once per ticket (the rerun hung for over 13 minutes).
    stopped = Clock.objects.filter(subject_type=ticket_type, project=project, stopped_at__isnull=False,
                                   subject_id=OuterRef("pk"))
    tickets = (Ticket.objects.filter(project=project, kind__in=(Kind.REPAIR, Kind.COMPLAINT), status=Status.CLOSED)
               .filter(~Exists(stopped)).order_by("id")
               .values_list("id", "kind", "urgency", "created_at"))
    started = time.monotonic()
    clocks, repeats, reopened, chunk = 0, [], [], []
    for ticket_id, kind, urgency, created in tickets.iterator(chunk_size=CHUNK):
        rng = random.Random(ticket_id * 31 + 7)
        chunk.extend(_clock_rows(ticket_id, kind, urgency, created, rng, policies, ticket_type, project))
        if kind == Kind.REPAIR:
            draw = rng.random()
            if draw < 0.03:
                repeats.append(ticket_id)
            elif draw < 0.04:
                reopened.append(ticket_id)
        if len(chunk) >= CHUNK:
            clocks += _insert(chunk)
            log(f"  {clocks:,} decided clocks ({time.monotonic() - started:.0f} s)")
    clocks += _insert(chunk)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Ticket._meta.db_table}, {Clock._meta.db_table}")
    with transaction.atomic(), connection.cursor() as cursor:
        # A repeat: the next repair received after the drawn one points at it (`repeat_of`), a stand-in for the
        # same unit and fault coming back.
        cursor.execute(
            # The pairs are found first (one probe per drawn ticket), then joined by primary key. On a freshly
            # COPYed ticket table without statistics the planner took the (project, kind) index for the probe and
            # sorted ~700,000 rows per drawn ticket: the statement ran for over 12 minutes on an empty database;
            # after ANALYZE (below, and at the end of the ticket generation) it walks the primary key: 8 s.
            """UPDATE workorders_ticket later SET repeat_of_id = pairs.original
               FROM (SELECT t.id AS original,
                            (SELECT n.id FROM workorders_ticket n WHERE n.project_id = t.project_id
                             AND n.kind = 'repair' AND n.id > t.id AND n.repeat_of_id IS NULL
                             ORDER BY n.id LIMIT 1) AS next_id
                     FROM workorders_ticket t WHERE t.id = ANY(%s)) pairs
               WHERE later.id = pairs.next_id""", [repeats])
        repeated = cursor.rowcount
        Event.objects.bulk_create([Event(subject_type=ticket_type, subject_id=ticket_id, project_id=project.pk,
                                         verb="ticket.reopen", data={"reason": "仍未修好"}) for ticket_id in reopened],
                                  batch_size=5000)
    seconds = round(time.monotonic() - started, 1)
    log(f"{clocks:,} decided clocks, {repeated:,} repeats and {len(reopened):,} reopenings in {seconds} s")
    return {"month": f"{month:%Y-%m}", "clocks_generated": clocks, "repeats": repeated,
            "reopened": len(reopened), "seconds": seconds}


def _insert(rows: list[dict]) -> int:
    count = len(rows)
    if rows:
        with transaction.atomic():
            insert_rows(Clock, rows)
        rows.clear()
    return count


def measure() -> dict:
    from django.contrib.auth import get_user_model

    from wuye.quality.kpis import kpi_report

    project = bench_project()
    month = measured_month(project)
    actor = actor_for(get_user_model().objects.get(username=LOGIN))
    repeats = int(os.environ.get("BENCH_KPI_REPEATS") or 3)
    kpi_report(actor, project=project, month=month)  # warm: imports, content types, the plan cache
    timings, rows = [], []
    for _ in range(repeats):
        started = time.perf_counter()
        rows = kpi_report(actor, project=project, month=month)
        timings.append(time.perf_counter() - started)
    seconds = round(statistics.median(timings), 3)
    log(f"kpi_report of the bench project for {month:%Y-%m}: {seconds} s (median of {repeats})")
    return {"month": f"{month:%Y-%m}", "seconds": seconds, "timings": [round(t, 3) for t in timings],
            "values": {row.code: None if row.value is None else str(row.value) for row in rows},
            "denominators": {row.code: None if row.denominator is None else str(row.denominator) for row in rows}}


def main(argv: list[str]) -> int:
    commands = {"prepare": prepare, "measure": measure}
    if len(argv) != 2 or argv[1] not in commands:
        print(f"usage: python -m bench.kpis {'|'.join(commands)}", file=sys.stderr)
        return 2
    print(json.dumps(commands[argv[1]]()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
