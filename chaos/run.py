"""Faults and soak (issue 17): real traffic against a real server, with the machine's PostgreSQL restarted and a
gunicorn worker killed under it (`make chaos`), or at a fixed rate for minutes (`make soak`).

    python -m chaos.run chaos   # CHAOS_SECONDS (default 60), CHAOS_THREADS (6)
    python -m chaos.run soak    # SOAK_SECONDS (default 600), SOAK_RPS (default 20)

The server is the bench's (bench.run.Server: gunicorn, production settings, DEBUG off, gthread workers, no
max-requests so a leak would show) on CHAOS_DATABASE_URL (default postgresql://…/wuye_chaos; created, migrated and
seeded with the demo on first use), with `manage.py scheduler` beside it as production runs it, so a billing run
started over the API is billed in the background. Traffic is mixed, through the JSON API with bearer tokens: the
inbox and the unit list, a ticket's page, ticket creates, dispatch and accept, desk payments (each with its own
Idempotency-Key, retried with the same key until acknowledged) and, in chaos, one billing run.

Afterwards the database is read directly and the run fails (exit 1) unless: every acknowledged payment is there
exactly once, with ledger entries summing to minus its amount; every acknowledged ticket is there, and no ticket
description (unique per attempt) is there twice; every bill of the run has one unit × item and exactly one charge
entry of its amount; the billing run finished with every unit; and /healthz answered again by itself.
"""

from __future__ import annotations

import contextlib
import http.client
import itertools
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import psycopg

from bench.run import HOST, Server, django_env, free_port

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/wuye_chaos"
WRITE_RETRIES = 20  # a write that met a fault is sent again (same key) this many times, 0.5 s apart


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# -- the database and the processes -----------------------------------------------------------------------------------

def prepare(config) -> None:
    """Create, migrate and seed the database once (seed_demo does nothing the second time)."""
    admin = config.database_url.rsplit("/", 1)[0] + "/postgres"
    name = config.database_url.rsplit("/", 1)[1]
    with psycopg.connect(admin, autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')
            log(f"created database {name}")
    env = django_env(config)
    for command in (["migrate", "--no-input", "-v", "0"], ["seed_demo", "--no-progress"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL)


def start_scheduler(config, log_path: Path) -> subprocess.Popen:
    env = django_env(config)
    with log_path.open("wb") as log_file:
        return subprocess.Popen([sys.executable, "manage.py", "scheduler"], cwd=ROOT, env=env, stdout=log_file,
                                stderr=subprocess.STDOUT, start_new_session=True)


def restart_postgresql() -> float:
    """Restart the cluster the database lives on (CHAOS_PG_RESTART overrides the command); returns its seconds."""
    command = os.environ.get("CHAOS_PG_RESTART")
    if not command:
        version = sorted(os.listdir("/etc/postgresql"))[-1]
        command = f"pg_ctlcluster --skip-systemctl-redirect {version} main restart --mode fast"
    started = time.monotonic()
    subprocess.run(command, shell=True, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.monotonic() - started


def rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


# -- the client -------------------------------------------------------------------------------------------------------

class Client:
    """One keep-alive connection per thread; a socket error reconnects on the next call."""

    def __init__(self, port: int):
        self.port, self.connection = port, None

    def call(self, method: str, path: str, token: str | None = None, body: dict | None = None,
             headers: dict | None = None) -> tuple[int, dict | list | None]:
        if self.connection is None:
            self.connection = http.client.HTTPConnection(HOST, self.port, timeout=30)
        sent = {"Content-Type": "application/json", **(headers or {})}
        if token:
            sent["Authorization"] = f"Bearer {token}"
        try:
            self.connection.request(method, path, json.dumps(body) if body is not None else None, sent)
            response = self.connection.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.connection = None
            raise
        try:
            return response.status, json.loads(raw) if raw else None
        except ValueError:
            return response.status, None


@dataclass
class Ledger:
    """What the client was told: the writes acknowledged and the ones whose outcome it never learnt."""

    run: str
    payments: dict[str, str] = field(default_factory=dict)  # idempotency key → amount, acknowledged
    payments_unknown: set[str] = field(default_factory=set)
    tickets: dict[str, int] = field(default_factory=dict)  # description → id, acknowledged
    tickets_unknown: set[str] = field(default_factory=set)
    actions: Counter = field(default_factory=Counter)  # "dispatch ok", "accept retried-409", …
    statuses: Counter = field(default_factory=Counter)
    latencies: list[tuple[float, float]] = field(default_factory=list)  # (time, seconds) of every 2xx
    errors: list[tuple[float, str]] = field(default_factory=list)  # (time, what)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, started: float, status: int | str) -> None:
        now = time.monotonic()
        with self.lock:
            self.statuses[str(status)] += 1
            if isinstance(status, int) and status < 400:
                self.latencies.append((now, now - started))
            elif not (isinstance(status, int) and status in (404, 409, 422)):
                self.errors.append((now, str(status)))


class Traffic:
    """Mixed operations of the desk, the engineer and finance, chosen at random (seeded) by each thread."""

    def __init__(self, port: int, world: SimpleNamespace, ledger: Ledger, retry_writes: bool):
        self.port, self.world, self.ledger, self.retry_writes = port, world, ledger, retry_writes
        self.counter = itertools.count(1)
        self.open_tickets: list[int] = []
        self.dispatched: list[int] = []
        self.lock = threading.Lock()

    def send(self, client: Client, method, path, token, body=None, headers=None):
        started = time.monotonic()
        try:
            status, answer = client.call(method, path, token, body, headers)
        except (OSError, http.client.HTTPException) as error:
            self.ledger.note(started, type(error).__name__)
            raise
        self.ledger.note(started, status)
        return status, answer

    def write(self, client: Client, method, path, token, body, headers=None):
        """A write sent until it is answered with something other than a 5xx or a socket error (same body, same
        key), at most WRITE_RETRIES times; returns (status, answer, attempts) or None when it never was."""
        for attempt in range(1, (WRITE_RETRIES if self.retry_writes else 1) + 1):
            try:
                status, answer = self.send(client, method, path, token, body, headers)
                if status < 500:
                    return status, answer, attempt
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.5)
        return None

    def one(self, client: Client, rng: random.Random) -> None:
        w, n = self.world, next(self.counter)
        roll = rng.random()
        if roll < 0.35:
            path = rng.choice([f"/api/v1/tickets?project={w.project}&page_size=20",
                               f"/api/v1/units?project={w.project}&page_size=50"])
            with contextlib.suppress(OSError, http.client.HTTPException):
                self.send(client, "GET", path, w.tokens["kefu"])
        elif roll < 0.45 and self.open_tickets:
            with contextlib.suppress(OSError, http.client.HTTPException):
                self.send(client, "GET", f"/api/v1/tickets/{rng.choice(self.open_tickets)}", w.tokens["kefu"])
        elif roll < 0.6:
            # Tickets carry no idempotency key: a create that met a fault is not sent again (it may or may not have
            # landed: "unknown"), so a landed one is never doubled by the client.
            description = f"{self.ledger.run} ticket {n}: 厨房水槽下水管漏水"
            body = {"kind": "repair", "channel": "phone", "unit_id": rng.choice(w.units), "description": description}
            try:
                status, answer = self.send(client, "POST", "/api/v1/tickets", w.tokens["kefu"], body)
            except (OSError, http.client.HTTPException):
                status, answer = None, None
            with self.ledger.lock:
                if status == 201:
                    self.ledger.tickets[description] = answer["id"]
                else:
                    self.ledger.tickets_unknown.add(description)
            if status == 201:
                with self.lock:
                    self.open_tickets.append(answer["id"])
        elif roll < 0.75 and (self.open_tickets or self.dispatched):
            with self.lock:
                if self.dispatched and (not self.open_tickets or rng.random() < 0.5):
                    ticket, action, who = self.dispatched.pop(), "accept", "gongcheng"
                elif self.open_tickets:
                    ticket, action, who = self.open_tickets.pop(), "dispatch", "kefu"
                else:
                    return
            body = {"assignee_id": w.engineer} if action == "dispatch" else {}
            result = self.write(client, "POST", f"/api/v1/tickets/{ticket}/actions/{action}", w.tokens[who], body)
            outcome = "lost" if result is None else f"{result[0]}" + (" after retry" if result[2] > 1 else "")
            with self.ledger.lock:
                self.ledger.actions[f"{action} {outcome}"] += 1
            if result and result[0] == 200 and action == "dispatch":
                with self.lock:
                    self.dispatched.append(ticket)
        else:
            key = f"{self.ledger.run}-pay-{n}"
            amount = f"{rng.randint(1, 300)}.{rng.randint(0, 99):02d}"
            body = {"unit_id": rng.choice(w.units), "amount": amount, "channel": "cash", "allow_prepayment": True}
            result = self.write(client, "POST", "/api/v1/payments", w.tokens["caiwu"], body,
                                {"Idempotency-Key": key})
            with self.ledger.lock:
                if result and result[0] in (200, 201):
                    self.ledger.payments[key] = amount
                else:
                    self.ledger.payments_unknown.add(key)


def world_of(config, port: int) -> SimpleNamespace:
    """Tokens, the first demo project's id, its units and its engineer, read once before the traffic starts."""
    with psycopg.connect(config.database_url) as connection:
        project, = connection.execute("SELECT id FROM tenancy_project WHERE code = 'jinhua-garden'").fetchone()
        units = [row[0] for row in connection.execute(
            "SELECT id FROM tenancy_unit WHERE project_id = %s ORDER BY id LIMIT 200", [project])]
        engineer, = connection.execute("SELECT id FROM auth_user WHERE username = 'gongcheng'").fetchone()
    client, tokens = Client(port), {}
    for username in ("kefu", "gongcheng", "caiwu"):
        status, answer = client.call("POST", "/api/v1/auth/token", body={"username": username,
                                                                         "password": "wuye-demo"})
        if status != 200:
            raise SystemExit(f"{username} could not sign in: {status} {answer}")
        tokens[username] = answer["token"]
    return SimpleNamespace(project=project, units=units, engineer=engineer, tokens=tokens)


def next_period(config, project: int) -> date:
    with psycopg.connect(config.database_url) as connection:
        last, = connection.execute("SELECT max(period) FROM billing_billingrun WHERE project_id = %s",
                                   [project]).fetchone()
    last = last or date(2026, 11, 1)
    return date(last.year + (last.month == 12), last.month % 12 + 1, 1)


# -- the checks -------------------------------------------------------------------------------------------------------

def check(config, ledger: Ledger, run_id: int | None) -> list[str]:
    """Everything the client was told, read back from the database; a sentence per problem (empty: all well)."""
    problems = []
    with psycopg.connect(config.database_url) as connection:
        rows = connection.execute(
            "SELECT p.idempotency_key, p.amount, count(*) OVER (PARTITION BY p.idempotency_key), "
            "(SELECT coalesce(sum(e.amount), 0) FROM billing_ledgerentry e WHERE e.payment_id = p.id "
            " AND e.kind = 'payment') FROM billing_payment p WHERE p.idempotency_key LIKE %s",
            [f"{ledger.run}-pay-%"]).fetchall()
        found = Counter(key for key, *_ in rows)
        for key, amount, _copies, entries in rows:
            if entries != -amount:
                problems.append(f"payment {key}: ledger entries {entries}, amount {amount}")
        problems += [f"payment {key} acknowledged but missing" for key in ledger.payments if not found[key]]
        problems += [f"payment {key} recorded {count} times" for key, count in found.items() if count > 1]
        problems += [f"payment {key} acknowledged as {amount}, recorded as {a}" for key, a, *_ in rows
                     if (amount := ledger.payments.get(key)) and str(a) != amount]
        tickets = Counter(description for description, in connection.execute(
            "SELECT description FROM workorders_ticket WHERE description LIKE %s", [f"{ledger.run} ticket %"]))
        problems += [f"ticket '{d}' acknowledged but missing" for d in ledger.tickets if not tickets[d]]
        problems += [f"ticket '{d}' created {count} times" for d, count in tickets.items() if count > 1]
        if run_id is not None:
            status, done, total = connection.execute(
                "SELECT status, units_done, units_total FROM billing_billingrun WHERE id = %s", [run_id]).fetchone()
            if status != "done" or done != total:
                problems.append(f"billing run {run_id}: {status}, {done} of {total} units")
            doubled = connection.execute(
                "SELECT count(*) FROM (SELECT unit_id, item_id FROM billing_bill WHERE run_id = %s "
                "GROUP BY unit_id, item_id HAVING count(*) > 1) AS d", [run_id]).fetchone()[0]
            if doubled:
                problems.append(f"billing run {run_id}: {doubled} unit × item billed twice")
            unmatched = connection.execute(
                "SELECT count(*) FROM billing_bill b WHERE b.run_id = %s AND (SELECT coalesce(sum(e.amount), 0) "
                "FROM billing_ledgerentry e WHERE e.bill_id = b.id AND e.kind = 'charge') <> b.amount",
                [run_id]).fetchone()[0]
            if unmatched:
                problems.append(f"billing run {run_id}: {unmatched} bills whose charge entry differs from the bill")
        ledger.found = {"payments": len(found), "tickets": sum(tickets.values())}
        if run_id is not None:
            ledger.found["bills"] = connection.execute("SELECT count(*) FROM billing_bill WHERE run_id = %s",
                                                       [run_id]).fetchone()[0]
    return problems


def wait_healthy(port: int, timeout: float = 60) -> float | None:
    """Seconds until /healthz answers 200 (None: it did not within `timeout`)."""
    started, client = time.monotonic(), Client(port)
    while time.monotonic() - started < timeout:
        try:
            if client.call("GET", "/healthz")[0] == 200:
                return time.monotonic() - started
        except (OSError, http.client.HTTPException):
            pass
        time.sleep(0.1)
    return None


# -- the runs ---------------------------------------------------------------------------------------------------------

def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def drive(traffic: Traffic, threads: int, seconds: float, rate: float | None, seed: int) -> None:
    """`threads` threads sending operations for `seconds`: as fast as answered, or `rate` per second in all."""
    stop = time.monotonic() + seconds

    def worker(index: int):
        client, rng = Client(traffic.port), random.Random(seed * 100 + index)
        next_at = time.monotonic()
        while time.monotonic() < stop:
            traffic.one(client, rng)
            if rate:
                next_at += threads / rate
                time.sleep(max(0.0, next_at - time.monotonic()))

    pool = [threading.Thread(target=worker, args=(index,), daemon=True) for index in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(seconds + WRITE_RETRIES + 60)


def chaos(config, server: Server, ledger: Ledger) -> int:
    seconds = float(os.environ.get("CHAOS_SECONDS", "60"))
    world = world_of(config, server.port)
    traffic = Traffic(server.port, world, ledger, retry_writes=True)
    period = next_period(config, world.project)
    driver = threading.Thread(target=drive, args=(traffic, int(os.environ.get("CHAOS_THREADS", "6")), seconds,
                                                  None, 17))
    driver.start()
    time.sleep(seconds * 0.1)
    result = traffic.write(Client(server.port), "POST", "/api/v1/billing/runs", world.tokens["caiwu"],
                           {"project_id": world.project, "period": period.isoformat()})
    run_id = result[1]["id"] if result and result[0] == 202 else None
    log(f"billing run {run_id} started for {period:%Y-%m} ({result[0] if result else 'no answer'})")
    time.sleep(seconds * 0.1)
    log("restarting PostgreSQL")
    pg_seconds = restart_postgresql()
    restarted_at = time.monotonic()
    log(f"PostgreSQL restarted in {pg_seconds:.1f} s")
    time.sleep(seconds * 0.2)
    victim = random.Random(5).choice(server.worker_pids())
    os.kill(victim, signal.SIGKILL)
    log(f"killed gunicorn worker {victim} (SIGKILL); the master starts another")
    time.sleep(seconds * 0.2)
    log("restarting PostgreSQL again, with a worker killed while it is down")
    threading.Thread(target=restart_postgresql).start()
    time.sleep(0.5)
    pids = server.worker_pids()
    if pids:
        os.kill(pids[0], signal.SIGKILL)
    driver.join()
    healthy = wait_healthy(server.port)
    first_ok_after_restart = min((t for t, _ in ledger.latencies if t > restarted_at), default=None)
    deadline = time.monotonic() + 180  # the scheduler bills the run in the background
    while run_id and time.monotonic() < deadline:
        with psycopg.connect(config.database_url) as connection:
            if connection.execute("SELECT status FROM billing_billingrun WHERE id = %s",
                                  [run_id]).fetchone()[0] == "done":
                break
        time.sleep(1)
    problems = check(config, ledger, run_id)
    errors = Counter(what for _, what in ledger.errors)
    print()
    print(f"chaos {ledger.run}: {sum(ledger.statuses.values())} requests in {seconds:.0f} s, answers "
          f"{dict(sorted(ledger.statuses.items()))}")
    print(f"  faults: PostgreSQL restarted twice ({pg_seconds:.1f} s the first time), 2 gunicorn workers SIGKILLed")
    print(f"  failed requests (5xx or socket errors, then retried when a write): {dict(errors)}")
    print(f"  first success after the first restart: "
          f"{(first_ok_after_restart - restarted_at):.2f} s" if first_ok_after_restart else "  none after restart")
    print(f"  /healthz answered again after the run: {healthy:.2f} s" if healthy is not None else
          "  /healthz never answered again")
    print(f"  payments: {len(ledger.payments)} acknowledged, {len(ledger.payments_unknown)} never acknowledged; "
          f"{ledger.found['payments']} in the database")
    print(f"  tickets: {len(ledger.tickets)} acknowledged, {len(ledger.tickets_unknown)} unknown (not retried: no "
          f"key); {ledger.found['tickets']} in the database")
    print(f"  ticket actions: {dict(ledger.actions)}")
    print(f"  billing run {run_id}: {ledger.found.get('bills', 0)} bills")
    for problem in problems[:40]:
        print(f"  PROBLEM: {problem}")
    print("  nothing lost, nothing doubled" if not problems and healthy is not None else
          f"  {len(problems)} problems")
    return 0 if not problems and healthy is not None else 1


def soak(config, server: Server, ledger: Ledger) -> int:
    seconds = float(os.environ.get("SOAK_SECONDS", "600"))
    rate = float(os.environ.get("SOAK_RPS", "20"))
    world = world_of(config, server.port)
    traffic = Traffic(server.port, world, ledger, retry_writes=False)
    started = time.monotonic()
    memory: list[dict[int, int]] = []
    driver = threading.Thread(target=drive, args=(traffic, 4, seconds, rate, 23))
    driver.start()
    minute = 60.0 if seconds >= 300 else seconds / 5
    while driver.is_alive():
        driver.join(minute)
        elapsed = time.monotonic() - started
        window = [s for t, s in ledger.latencies if elapsed - minute <= t - started < elapsed]
        memory.append({pid: rss_kb(pid) for pid in server.worker_pids()})
        log(f"{elapsed:5.0f} s: {len(window) / minute:5.1f} req/s ok, p50 {percentile(window, 0.5) * 1000:.0f} ms, "
            f"p95 {percentile(window, 0.95) * 1000:.0f} ms, errors so far {len(ledger.errors)}, worker RSS MB "
            f"{[round(kb / 1024) for kb in memory[-1].values()]}")
    spans = [[s for t, s in ledger.latencies if k * minute <= t - started < (k + 1) * minute]
             for k in range(int(seconds // minute))]
    first, last = percentile(spans[0], 0.95), percentile(spans[-1], 0.95)
    # Memory: the first sample is after a minute of traffic (imports, caches and connections warm); growth is
    # measured from there to the end, per worker that lived through the whole soak.
    growth = {pid: memory[-1].get(pid, 0) / kb - 1 for pid, kb in memory[0].items() if kb and pid in memory[-1]}
    problems = check(config, ledger, None)
    print()
    print(f"soak {ledger.run}: {seconds:.0f} s at {rate:.0f} req/s, {sum(ledger.statuses.values())} requests, "
          f"answers {dict(sorted(ledger.statuses.items()))}, errors {len(ledger.errors)}")
    print(f"  p95 first minute {first * 1000:.0f} ms, last minute {last * 1000:.0f} ms")
    print(f"  worker memory growth after the first minute: "
          f"{', '.join(f'{share * 100:+.1f} %' for share in growth.values())}")
    stable = last <= max(first * 1.5, first + 0.05)
    flat = all(share <= 0.10 for share in growth.values())
    for problem in problems[:20]:
        print(f"  PROBLEM: {problem}")
    ok = not ledger.errors and stable and flat and not problems
    print("  0 errors, p95 stable, memory flat" if ok else
          f"  FAILED: errors {len(ledger.errors)}, p95 stable {stable}, memory flat {flat}, {len(problems)} problems")
    return 0 if ok else 1


def main(mode: str) -> int:
    config = SimpleNamespace(database_url=os.environ.get("CHAOS_DATABASE_URL", DEFAULT_URL),
                             secret_key=uuid.uuid4().hex * 2, workers=int(os.environ.get("CHAOS_WORKERS", "2")),
                             worker_class="gthread", threads=4)
    log(f"preparing {config.database_url}")
    prepare(config)
    logs = ROOT / "var" / "chaos"
    logs.mkdir(parents=True, exist_ok=True)
    server = Server(config, free_port(), logs / f"{mode}-gunicorn.log")
    scheduler = start_scheduler(config, logs / f"{mode}-scheduler.log")
    ledger = Ledger(run=f"{mode}-{uuid.uuid4().hex[:8]}")
    try:
        server.start()
        server.wait_ready()
        return chaos(config, server, ledger) if mode == "chaos" else soak(config, server, ledger)
    finally:
        server.stop()
        os.killpg(scheduler.pid, signal.SIGTERM)
        scheduler.wait(timeout=15)


if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in ("chaos", "soak"):
        raise SystemExit("usage: python -m chaos.run chaos|soak")
    sys.exit(main(sys.argv[1]))
