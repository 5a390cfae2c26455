"""The patrol side of `make bench`: `patrol.sweep.seconds` — the SLA sweep finding BENCH_PATROL_DUE checkpoint
deadlines due (10,000; small bench 500) among BENCH_PATROL_SCHEDULED running checkpoint clocks (1,000,000; small
20,000), and the patrol handler marking those checkpoints missed and telling each round's supervisors once.

    python -m bench.patrol prepare   # routes, rounds, checkpoint visits and their running clocks (kept between runs)
    python -m bench.patrol sweep     # arrange exactly BENCH_PATROL_DUE due, time wuye.sla.engine.sweep()

The scheduled rounds lie ahead (from 2030), so nothing but the arranged visits is due; every other clock of the
database due by now is fast-forwarded first (bench.tickets.settle_others), as the scheduler would have kept up.
Rows are written with INSERT … SELECT (bench.schema): a seed is not a user action. The last stdout line is JSON.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.schema import insert_select  # noqa: E402
from bench.tickets import settle_others  # noqa: E402
from wuye.core.models import Event, Notification  # noqa: E402
from wuye.security.models import CheckpointVisit, PatrolCheckpoint, PatrolRound, PatrolRoute  # noqa: E402
from wuye.sla.engine import policy_for, sweep  # noqa: E402
from wuye.sla.models import Clock  # noqa: E402
from wuye.tenancy.models import Project  # noqa: E402

PROJECT_CODE = "bench"
ROUTES = 100
CHECKPOINTS = 8
ROUTE_PREFIX = "压测巡逻"
ANCHOR = datetime(2030, 1, 1, tzinfo=UTC)  # the scheduled rounds start here, hourly: none is due now
KEY = "patrol.checkpoint"


def log(message: str) -> None:
    print(f"bench.patrol: {message}", file=sys.stderr, flush=True)


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


def _project() -> Project:
    project = Project.objects.filter(code=PROJECT_CODE).order_by("id").first()
    if project is None:
        raise SystemExit("bench.patrol: no bench project (run bench.tickets prepare first)")
    return project


def _routes(project: Project) -> list[PatrolRoute]:
    routes = []
    for number in range(1, ROUTES + 1):
        route, created = PatrolRoute.objects.get_or_create(
            project=project, name=f"{ROUTE_PREFIX}{number:03d}",
            defaults={"every_minutes": 60, "round_minutes": 40, "is_active": False})
        if created:
            PatrolCheckpoint.objects.bulk_create(PatrolCheckpoint(
                project=project, route=route, order=n, name=f"巡更点{n}", code=f"B{number:03d}-{n}",
                minutes_from_start=5 * n) for n in range(1, CHECKPOINTS + 1))
        routes.append(route)
    return routes


def _supervisor(project: Project) -> None:
    """A security supervisor of the bench project, so the handler's messages have someone to reach."""
    from wuye.people.models import StaffProfile

    user, created = get_user_model().objects.get_or_create(username="bench_zhixu", defaults={"first_name": "压测秩序"})
    if created:
        user.set_password("wuye-demo")
        user.save()
    profile, _created = StaffProfile.objects.get_or_create(user=user, defaults={
        "company_id": project.company_id, "role": "security", "is_supervisor": True})
    profile.projects.add(project)


def prepare() -> dict:
    """BENCH_PATROL_SCHEDULED visits (rounds of 8 checkpoints over 100 hourly routes) with running clocks."""
    project = _project()
    wanted = _int("BENCH_PATROL_SCHEDULED", 1_000_000)
    routes = _routes(project)
    _supervisor(project)
    route_ids = [r.pk for r in routes]
    present = CheckpointVisit.objects.filter(round__route_id__in=route_ids).count()
    if present >= wanted:
        return {"scheduled": present, "routes": ROUTES}
    started = time.monotonic()
    rounds_per_route = -(-wanted // (ROUTES * CHECKPOINTS))
    policy = policy_for(project, KEY)
    visit_type = ContentType.objects.get_for_model(CheckpointVisit)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {Clock._meta.db_table} WHERE subject_type_id = %s AND subject_id IN "
                       f"(SELECT id FROM {CheckpointVisit._meta.db_table} WHERE round_id IN (SELECT id FROM "
                       f"{PatrolRound._meta.db_table} WHERE route_id = ANY(%s)))", [visit_type.pk, route_ids])
        cursor.execute(f"DELETE FROM {CheckpointVisit._meta.db_table} WHERE round_id IN (SELECT id FROM "
                       f"{PatrolRound._meta.db_table} WHERE route_id = ANY(%s))", [route_ids])
        cursor.execute(f"DELETE FROM {PatrolRound._meta.db_table} WHERE route_id = ANY(%s)", [route_ids])
        insert_select(cursor, PatrolRound, {
            "project_id": "%(project)s", "route_id": "r", "starts_at": "%(anchor)s + k * interval '1 hour'",
            "ends_at": "%(anchor)s + (k + 1) * interval '1 hour'", "status": "'open'",
            "checkpoints_total": str(CHECKPOINTS), "scanned": "0", "late": "0", "missed": "0"},
            "FROM unnest(%(routes)s::bigint[]) AS r, generate_series(0, %(last)s) AS k",
            {"project": project.pk, "anchor": ANCHOR, "routes": route_ids, "last": rounds_per_route - 1})
        insert_select(cursor, CheckpointVisit, {
            "project_id": "%(project)s", "round_id": "pr.id", "checkpoint_id": "c.id", "order": 'c."order"',
            "due_at": "pr.starts_at + c.minutes_from_start * interval '1 minute'", "status": "'pending'"},
            f"FROM {PatrolRound._meta.db_table} pr JOIN {PatrolCheckpoint._meta.db_table} c "
            "ON c.route_id = pr.route_id WHERE pr.route_id = ANY(%(routes)s)",
            {"project": project.pk, "routes": route_ids})
        insert_select(cursor, Clock, {
            "subject_type_id": "%(type)s", "subject_id": "v.id", "project_id": "%(project)s",
            "policy_id": "%(policy)s", "key": "%(key)s", "state": "'running'", "started_at": "pr.starts_at",
            "due_at": "v.due_at", "warn_at": "v.due_at", "next_check_at": "v.due_at", "escalation_level": "0",
            "version": "0"},
            f"FROM {CheckpointVisit._meta.db_table} v JOIN {PatrolRound._meta.db_table} pr ON pr.id = v.round_id "
            "WHERE pr.route_id = ANY(%(routes)s)",
            {"type": visit_type.pk, "project": project.pk, "policy": policy.pk, "key": KEY, "routes": route_ids})
    with connection.cursor() as cursor:
        for model in (PatrolRound, CheckpointVisit, Clock):
            cursor.execute(f"ANALYZE {model._meta.db_table}")
    made = CheckpointVisit.objects.filter(round__route_id__in=route_ids).count()
    log(f"{made:,} scheduled checkpoint visits with running clocks in {time.monotonic() - started:.1f} s")
    return {"scheduled": made, "routes": ROUTES}


def _arrange(visit_ids: list[int], round_ids: list[int], now: datetime) -> int:
    """The chosen visits pending again and their clocks due one minute ago; their earlier messages and events gone;
    every other clock due by now fast-forwarded."""
    visit_type = ContentType.objects.get_for_model(CheckpointVisit)
    round_type = ContentType.objects.get_for_model(PatrolRound)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {CheckpointVisit._meta.db_table} SET status = 'pending', due_at = %s "
                       "WHERE id = ANY(%s)", [now - timedelta(minutes=1), visit_ids])
        cursor.execute(f"UPDATE {PatrolRound._meta.db_table} SET missed = 0, status = 'open' WHERE id = ANY(%s)",
                       [round_ids])
        cursor.execute(
            f"""UPDATE {Clock._meta.db_table} SET state = 'running', due_at = %(due)s, warn_at = %(due)s,
                   next_check_at = %(due)s, warned_at = NULL, breached_at = NULL, escalation_level = 0,
                   stopped_at = NULL, version = version + 1
               WHERE subject_type_id = %(type)s AND subject_id = ANY(%(ids)s) AND key = %(key)s""",
            {"due": now - timedelta(minutes=1), "type": visit_type.pk, "ids": visit_ids, "key": KEY})
        Event.objects.filter(subject_type=visit_type, subject_id__in=visit_ids).delete()
        Event.objects.filter(subject_type=round_type, subject_id__in=round_ids).exclude(verb="sla.started").delete()
        Notification.objects.filter(source_type__in=[visit_type, round_type],
                                    source_id__in=[*visit_ids, *round_ids]).delete()
        keep = list(Clock.objects.filter(subject_type=visit_type, subject_id__in=visit_ids, key=KEY)
                    .values_list("id", flat=True))
        return settle_others(now, keep)


def measure_sweep() -> dict:
    prepared = prepare()
    due = _int("BENCH_PATROL_DUE", 10_000)
    repeats = _int("BENCH_PATROL_REPEATS", 3)
    route_ids = list(PatrolRoute.objects.filter(project=_project(), name__startswith=ROUTE_PREFIX)
                     .values_list("id", flat=True))
    chosen = list(CheckpointVisit.objects.filter(round__route_id__in=route_ids).order_by("round_id", "order")
                  .values_list("id", "round_id")[:due])
    visit_ids = [v for v, _r in chosen]
    round_ids = sorted({r for _v, r in chosen})
    runs = []
    for number in range(repeats + 1):  # the first is a warm-up
        now = timezone.now()
        settled = _arrange(visit_ids, round_ids, now)
        found = Clock.objects.due_for_check(now).count()
        if found != due:
            raise SystemExit(f"bench.patrol: {found} clocks due, {due} arranged")
        began = time.perf_counter()
        result = sweep(now=now, limit=max(5000, due))
        seconds = time.perf_counter() - began
        missed = CheckpointVisit.objects.filter(pk__in=visit_ids, status="missed").count()
        messages = Notification.objects.filter(
            source_type__in=ContentType.objects.get_for_models(CheckpointVisit, PatrolRound).values(),
            source_id__in=[*visit_ids, *round_ids]).count()
        run = {"seconds": round(seconds, 4), "due": found, "breached": len(result.breached), "missed": missed,
               "rounds": len(round_ids), "messages": messages, "settled_others": settled}
        log(f"  patrol sweep {'warm-up' if number == 0 else f'{number}/{repeats}'}: {found:,} due among "
            f"{prepared['scheduled']:,} → {seconds:.3f} s ({missed:,} missed, {messages:,} messages)")
        if missed != due:
            raise SystemExit(f"bench.patrol: {missed} checkpoints marked missed, {due} due")
        if number:
            runs.append(run)
    return {"seconds": round(statistics.median(r["seconds"] for r in runs), 4), "due": due,
            "scheduled": prepared["scheduled"], "runs": runs}


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    commands = {"prepare": prepare, "sweep": measure_sweep}
    if command not in commands:
        raise SystemExit(f"usage: python -m bench.patrol {{{' | '.join(commands)}}}")
    print(json.dumps(commands[command]()))
