"""The parking side of `make bench`: exits over HTTP (`parking.exit.rps`), beside the bare view.

Each exit is a real one: `POST /api/v1/parking/sessions/{id}/exit` of a temporary car inside for 2 h 16 min, which
locks the session, quotes the fee (6.00 at the seed's 2.00 per hour) and takes it as a walk-in payment — bill,
payment, ledger entries and receipt number — in one transaction. An exit already made answers at once (idempotent),
so every measured request must hit a car still inside: before each round a fresh batch of sessions is made in the
bench project (`python -m bench.parking prepare`, written in bulk: a seed is not a user action), and the round sends
at most one request per session (each path once). `parking.exit.rps_vs_bare` divides the median over the rounds by
the bare view's median of the same run.

    python -m bench.parking prepare   # bench_zhixu (security of the bench project), the temporary tariff, a gate,
                                      # BENCH_PARKING_SESSIONS cars inside; last stdout line: JSON with their ids
    python -m bench.parking cleanup   # cars the rounds did not reach are deleted (none paid)

`measure` is the HTTP part, called by bench.run while gunicorn is up; it imports no Django."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
USERNAME = "bench_zhixu"
PROJECT_CODE = "bench"
ZONE = "地下一层"
STAY_MINUTES = 136  # 08:05 → 10:21: three started hours, 6.00 at 2.00 per hour


def log(message: str) -> None:
    print(f"bench.parking: {message}", file=sys.stderr, flush=True)


# -- the HTTP part (bench.run's process) ------------------------------------------------------------------------------
def _run(env: dict, command: str) -> dict:
    result = subprocess.run([sys.executable, "-m", "bench.parking", command], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, text=True, check=False)
    if result.returncode:
        raise RuntimeError(f"`python -m bench.parking {command}` failed with exit code {result.returncode}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def measure(*, config, server, env: dict, request, get_token, bare_rps: float | None, loadgen, host: str) -> tuple:
    """Rounds of exits over HTTP; (metrics {name: (value, unit)}, meta dict)."""
    sessions = 400 if config.small else 4000
    env = {**env, "BENCH_PARKING_SESSIONS": str(sessions)}
    prepared = _run(env, "prepare")
    token = get_token(server.port, {"username": USERNAME, "password": "wuye-demo"})
    headers = {"Authorization": f"Bearer {token}"}
    # One request checked for shape first, so a fast wrong answer is never measured.
    first = prepared["sessions"][0]
    status, body = request(server.port, "POST", f"/api/v1/parking/sessions/{first}/exit", body={"channel": "cash"},
                           headers=headers)
    answer = json.loads(body) if status == 200 else {}
    if status != 200 or answer.get("fee") != "6.00" or not answer.get("receipt"):
        raise RuntimeError(f"POST /api/v1/parking/sessions/{first}/exit answered {status}: {body[:300]!r}")
    results = []
    for number in range(1, config.rounds + 1):
        ids = prepared["sessions"][1:] if number == 1 else _run(env, "prepare")["sessions"]
        target = loadgen.Target("parking.exit", "/api/v1/parking/sessions/{id}/exit", headers, method="POST",
                                bodies=(b'{"channel": "cash"}',),
                                paths=tuple(f"/api/v1/parking/sessions/{pk}/exit" for pk in ids))
        result = loadgen.run(host, server.port, target, concurrency=config.concurrency,
                             seconds=config.seconds / config.rounds, max_requests=len(ids))
        log(f"  round {number}/{config.rounds} parking.exit: {result.rps:.1f} req/s, "
            f"p50 {result.percentile_ms(50):.2f} ms, p95 {result.percentile_ms(95):.2f} ms, "
            f"{result.error_count} errors, {result.ok} of {len(ids)} cars")
        results.append(result)
    cleaned = _run(env, "cleanup")
    rps = round(statistics.median(r.rps for r in results), 1)
    metrics = {
        "parking.exit.rps": (rps, "req/s"),
        "parking.exit.p50_ms": (round(statistics.median(r.percentile_ms(50) for r in results), 2), "ms"),
        "parking.exit.p95_ms": (round(statistics.median(r.percentile_ms(95) for r in results), 2), "ms"),
    }
    if bare_rps:
        metrics["parking.exit.rps_vs_bare"] = (round(rps / bare_rps, 3), "ratio")
    errors = {}
    for result in results:
        for name, count in result.errors.items():
            errors[name] = errors.get(name, 0) + count
    meta = {"sessions_per_round": sessions, "rounds": [
        {"rps": round(r.rps, 1), "requests": r.ok, "seconds": round(r.seconds, 3),
         "p95_ms": round(r.percentile_ms(95), 2)} for r in results],
        "errors": errors, "left_inside_and_deleted": cleaned["deleted"]}
    return metrics, meta


# -- the Django part (its own process) ---------------------------------------------------------------------------------
def _setup():
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    django.setup()


def prepare() -> dict:
    from datetime import date, timedelta

    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from wuye.billing.models import ChargeItem, ChargeKind, Tariff
    from wuye.core.access import Role
    from wuye.demo.builders import DEMO_PASSWORD
    from wuye.people.models import StaffProfile
    from wuye.security.models import ParkingGate, ParkingSession
    from wuye.tenancy.models import Project

    project = Project.objects.filter(code=PROJECT_CODE).order_by("id").first()
    if project is None:
        raise SystemExit("bench.parking: the bench project is missing (seed_demo --scale first)")
    count = int(os.environ.get("BENCH_PARKING_SESSIONS") or 4000)
    with transaction.atomic():
        user = get_user_model().objects.filter(username=USERNAME).first()
        if user is None:
            user = get_user_model().objects.create(username=USERNAME, first_name="压测保安",
                                                   password=make_password(DEMO_PASSWORD),
                                                   email=f"{USERNAME}@bench.wuye.local")
            profile = StaffProfile.objects.create(user=user, company=project.company, role=Role.SECURITY)
            profile.projects.set([project])
        item, _created = ChargeItem.objects.get_or_create(
            project=project, code="parking-temporary",
            defaults={"name": "临时停车费", "kind": ChargeKind.PARKING_TEMPORARY})
        if not Tariff.objects.filter(item=item).exists():
            Tariff.objects.create(item=item, unit_kind="", basis="per_hour", rate="2.00",
                                  effective_from=date(2020, 1, 1))
        gate, _created = ParkingGate.objects.get_or_create(
            project=project, code="bench-in", defaults={"name": "压测入口", "zone": ZONE, "direction": "entry"})
        ParkingSession.objects.filter(project=project, status="inside").delete()
        entered = timezone.now() - timedelta(minutes=STAY_MINUTES)
        rows = [ParkingSession(project=project, plate=f"粤B{number:05d}", zone=ZONE, entered_at=entered,
                               entry_gate=gate, entry_source="camera") for number in range(count)]
        created = ParkingSession.objects.bulk_create(rows, batch_size=2000)
    ids = [row.pk for row in created]
    if None in ids:  # bulk_create returns ids on PostgreSQL; elsewhere read them back
        ids = list(ParkingSession.objects.filter(project=project, status="inside").order_by("id")
                   .values_list("id", flat=True))
    log(f"{len(ids):,} cars inside the bench project")
    return {"project_id": project.pk, "sessions": ids}


def cleanup() -> dict:
    from wuye.security.models import ParkingSession

    deleted, _by_model = ParkingSession.objects.filter(project__code=PROJECT_CODE, status="inside").delete()
    return {"deleted": deleted}


if __name__ == "__main__":
    _setup()
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command not in ("prepare", "cleanup"):
        raise SystemExit("usage: python -m bench.parking prepare|cleanup")
    print(json.dumps(prepare() if command == "prepare" else cleanup()), flush=True)
