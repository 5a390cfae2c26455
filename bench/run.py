"""`make bench`: the HTTP benchmarks on PostgreSQL behind gunicorn. Method and figures: docs/benchmarks.md.

1. the bench database (created if missing), migrated, seeded once with `seed_demo --scale N`, then (bench.tickets)
   bench staff and BENCH_TICKETS work orders with their open SLA clocks, generated once with COPY;
2. gunicorn on a free 127.0.0.1 port with DEBUG off and `bench.settings`;
3. bearer tokens for `pinzhi` (quality department, sees every project of the demo company) and `bench_kefu`
   (customer service of the bench project);
4. for each target a warm-up, then BENCH_SECONDS of measurement with a fixed number of client threads, split into
   rounds that alternate between the targets; each figure is the median over the rounds;
5. gunicorn stopped, `wuye.sla.engine.sweep()` timed in-process with BENCH_SWEEP_CLOCKS clocks due, and the
   tickets the create target made deleted again;
6. (bench.billing) a billing project of BENCH_BILLING_UNITS units with BENCH_BILLING_MONTHS months of bill history,
   generated once; arrears aging timed over that history, then a billing run of every unit for the next month in
   a fresh process (time and peak RSS), the month's earlier bench bills deleted first;
7. `name value unit` lines on stdout (progress goes to stderr), merged into var/bench/latest.json; machine and
   run details in var/bench/latest.meta.json. Any failed request fails the run (exit 1, latest.json untouched).

BENCH_SMALL=1 (`make bench-small`, run by .ci/run) is the same run at a small scale on a database dropped and created
each time (BENCH_SMALL_DATABASE_URL, default wuye_bench_ci): a few thousand units and tickets, seconds of
measurement, results in var/bench/small.json. It exists to fail when a generator or a target breaks, not to judge
performance: its figures are printed, goals are not checked.

Settings (environment): BENCH_SMALL, BENCH_SMALL_DATABASE_URL, BENCH_DATABASE_URL, BENCH_SCALE, BENCH_TICKETS,
BENCH_SECONDS, BENCH_ROUNDS, BENCH_WARMUP_SECONDS, BENCH_CONCURRENCY, BENCH_WORKERS, BENCH_WORKER_CLASS,
BENCH_THREADS, BENCH_SWEEP_CLOCKS, BENCH_SWEEP_REPEATS, BENCH_RESET, BENCH_ONLY (http | billing), BENCH_BILLING_UNITS,
BENCH_SWEEP10K_CLOCKS, BENCH_BILLING_MONTHS, BENCH_AGING_REPEATS (defaults: docs/benchmarks.md).
"""

from __future__ import annotations

import http.client
import itertools
import json
import math
import os
import platform
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if __package__ in (None, ""):  # `python bench/run.py` as well as `python -m bench.run`
    sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from psycopg import sql  # noqa: E402
from psycopg.conninfo import conninfo_to_dict, make_conninfo  # noqa: E402

from bench import loadgen, serving  # noqa: E402
from bench import parking as parking_exits  # noqa: E402

HOST = "127.0.0.1"
OUT_DIR = ROOT / "var" / "bench"
DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/wuye_bench"
SMALL_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/wuye_bench_ci"
# Defaults of the full bench and of BENCH_SMALL=1 (a BENCH_* variable set in the environment wins over either).
FULL = {"BENCH_SCALE": 100_000, "BENCH_TICKETS": 1_000_000, "BENCH_SECONDS": 15, "BENCH_ROUNDS": 3,
        "BENCH_WARMUP_SECONDS": 3, "BENCH_SWEEP_CLOCKS": 1000, "BENCH_SWEEP_REPEATS": 3,
        "BENCH_SWEEP10K_CLOCKS": 10_000, "BENCH_BILLING_UNITS": 100_000, "BENCH_BILLING_MONTHS": 12,
        "BENCH_AGING_REPEATS": 5}
SMALL = {"BENCH_SCALE": 2_000, "BENCH_TICKETS": 20_000, "BENCH_SECONDS": 3, "BENCH_ROUNDS": 3,
         "BENCH_WARMUP_SECONDS": 1, "BENCH_SWEEP_CLOCKS": 50, "BENCH_SWEEP_REPEATS": 1,
         "BENCH_SWEEP10K_CLOCKS": 100,
         "BENCH_BILLING_UNITS": 2_000, "BENCH_BILLING_MONTHS": 3, "BENCH_AGING_REPEATS": 2}
BENCH_PROJECT_CODE = "bench"  # what build_scale_project names it
UNITS_PER_BUILDING = 26 * 2 * 4  # build_scale_project's plan: 26 floors × 2 entrances × 4 flats
LOGIN = {"username": "pinzhi", "password": "wuye-demo"}  # quality department: all projects of the demo company
TICKET_LOGIN = {"username": "bench_kefu", "password": "wuye-demo"}  # customer service of the bench project
TARGETS = {  # what the figures should reach (docs/benchmarks.md); a miss is reported, the run still succeeds
    # Issue 16's goals: what this machine can do, with the hand-written floor beside the create.
    "tickets.create.rps_vs_bare": (">=", 0.10),
    "tickets.create.rps_vs_floor": (">=", 0.7),
    "tickets.inbox.p95_ms": ("<", 50.0),
    "units.list.rps_vs_bare": (">=", 0.10),
    "sla.sweep.seconds": ("<", 0.2),
    "sla.sweep10k.seconds": ("<", 1.5),
    "billing.run.seconds": ("<", 15.0),
    "billing.run.peak_rss_mb": ("<", 300.0),
    "billing.aging.seconds": ("<", 0.1),
    "kpis.month.seconds": ("<", 1.0),
    "survey.results.seconds": ("<", 0.5),
    "maintenance.generate.seconds": ("<", 10.0),
    "maintenance.generate.peak_rss_mb": ("<", 300.0),
    "maintenance.generate.rerun_tasks": ("<", 1),
    "patrol.sweep.seconds": ("<", 1.0),
}


class BenchError(Exception):
    """A set-up or measurement failure: reported in one line, exit 1."""


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int, low: int, high: int) -> int:
    value = int(os.environ.get(name) or default)
    if not low <= value <= high:
        raise BenchError(f"{name}={value} is outside {low}..{high}")
    return value


def env_float(name: str, default: float, low: float, high: float) -> float:
    value = float(os.environ.get(name) or default)
    if not low <= value <= high:
        raise BenchError(f"{name}={value} is outside {low}..{high}")
    return value


@dataclass(frozen=True)
class Config:
    database_url: str
    scale: int
    seconds: float  # measured seconds per target, split into `rounds` interleaved rounds
    rounds: int
    warmup_seconds: float
    concurrency: int
    workers: int
    worker_class: str
    threads: int
    reset: bool
    tickets: int
    sweep_clocks: int
    sweep_repeats: int
    sweep10k_clocks: int  # BENCH_SWEEP10K_CLOCKS: the second sweep figure (10,000 due on the full bench)
    only: str  # "" (everything), "http" (HTTP targets and the sweep) or "billing"
    billing_units: int
    billing_months: int
    aging_repeats: int
    small: bool  # BENCH_SMALL: a fresh small database each run, figures without goals, var/bench/small.json
    secret_key: str  # SECRET_KEY of every process the run starts (production refuses to start on the default)

    @classmethod
    def from_env(cls) -> Config:
        small = env_flag("BENCH_SMALL")
        preset = SMALL if small else FULL
        if small:
            database_url = os.environ.get("BENCH_SMALL_DATABASE_URL") or SMALL_DATABASE_URL
            dbname = conninfo_to_dict(database_url).get("dbname") or ""
            full_dbname = conninfo_to_dict(os.environ.get("BENCH_DATABASE_URL") or DEFAULT_DATABASE_URL).get("dbname")
            if dbname == full_dbname:  # the small bench drops its database every time: never the full bench's
                raise BenchError(f"BENCH_SMALL_DATABASE_URL names the full bench's database {dbname!r}")
        else:
            database_url = os.environ.get("BENCH_DATABASE_URL") or DEFAULT_DATABASE_URL
        worker_class = os.environ.get("BENCH_WORKER_CLASS") or "sync"
        if worker_class not in {"sync", "gthread"}:
            raise BenchError("BENCH_WORKER_CLASS must be sync or gthread")
        only = (os.environ.get("BENCH_ONLY") or "").strip().lower()
        if only not in {"", "http", "billing"}:
            raise BenchError("BENCH_ONLY must be http or billing (or empty for everything)")
        return cls(
            database_url=database_url,
            scale=env_int("BENCH_SCALE", preset["BENCH_SCALE"], 1, 5_000_000),
            seconds=env_float("BENCH_SECONDS", preset["BENCH_SECONDS"], 1, 300),
            rounds=env_int("BENCH_ROUNDS", preset["BENCH_ROUNDS"], 1, 20),
            warmup_seconds=env_float("BENCH_WARMUP_SECONDS", preset["BENCH_WARMUP_SECONDS"], 0, 60),
            concurrency=env_int("BENCH_CONCURRENCY", 4, 1, 64),
            workers=env_int("BENCH_WORKERS", 2, 1, 32),
            worker_class=worker_class,
            threads=env_int("BENCH_THREADS", 4 if worker_class == "gthread" else 1, 1, 64),
            reset=small or env_flag("BENCH_RESET"),
            tickets=env_int("BENCH_TICKETS", preset["BENCH_TICKETS"], 1_000, 10_000_000),
            sweep_clocks=env_int("BENCH_SWEEP_CLOCKS", preset["BENCH_SWEEP_CLOCKS"], 10, 5000),
            sweep_repeats=env_int("BENCH_SWEEP_REPEATS", preset["BENCH_SWEEP_REPEATS"], 1, 20),
            sweep10k_clocks=env_int("BENCH_SWEEP10K_CLOCKS", preset["BENCH_SWEEP10K_CLOCKS"], 10, 100_000),
            only=only,
            billing_units=env_int("BENCH_BILLING_UNITS", preset["BENCH_BILLING_UNITS"], 1_000, 1_000_000),
            billing_months=env_int("BENCH_BILLING_MONTHS", preset["BENCH_BILLING_MONTHS"], 1, 36),
            aging_repeats=env_int("BENCH_AGING_REPEATS", preset["BENCH_AGING_REPEATS"], 1, 50),
            small=small,
            secret_key=secrets.token_urlsafe(50),
        )

    def out(self, suffix: str) -> Path:
        """A result file in var/bench/ (`.json`, `.meta.json`, `-gunicorn.log`): latest… for the full bench,
        small… for the small one, which never overwrites the full bench's."""
        return OUT_DIR / f"{'small' if self.small else 'latest'}{suffix}"

    @property
    def expected_units(self) -> int:
        return -(-self.scale // UNITS_PER_BUILDING) * UNITS_PER_BUILDING

    @property
    def dbname(self) -> str:
        return conninfo_to_dict(self.database_url).get("dbname") or "postgres"

    def redacted_url(self) -> str:
        params = conninfo_to_dict(self.database_url)
        params.pop("password", None)
        user, host, port = params.get("user", ""), params.get("host", ""), params.get("port", 5432)
        return f"postgresql://{user}@{host}:{port}/{self.dbname}"


# -- the database ---------------------------------------------------------------------------------------------------

def ensure_database(config: Config) -> None:
    """Create the bench database when it is missing (dropped first with BENCH_RESET=1)."""
    maintenance = make_conninfo(config.database_url, dbname="postgres", connect_timeout=5)
    try:
        with psycopg.connect(maintenance, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config.dbname]).fetchone()
            if exists and config.reset:
                if "bench" not in config.dbname:
                    raise BenchError(f"BENCH_RESET refuses to drop {config.dbname!r} (its name lacks 'bench')")
                log(f"BENCH_RESET: dropping database {config.dbname}")
                conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(config.dbname)))
                exists = None
            if not exists:
                log(f"creating database {config.dbname}")
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config.dbname)))
    except psycopg.OperationalError as error:
        raise BenchError(f"PostgreSQL does not answer at {config.redacted_url()} ({str(error).strip()}); "
                         "start it or set BENCH_DATABASE_URL") from None


def bench_project(config: Config) -> tuple[int, int] | None:
    """(project id, units) of the bench project, or None when it is not there yet."""
    with psycopg.connect(config.database_url, connect_timeout=5) as conn:
        row = conn.execute(
            "SELECT p.id, (SELECT count(*) FROM tenancy_unit u WHERE u.project_id = p.id)"
            " FROM tenancy_project p WHERE p.code = %s ORDER BY p.id LIMIT 1",
            [BENCH_PROJECT_CODE],
        ).fetchone()
    return (row[0], row[1]) if row else None


def manage(config: Config, *args: str) -> None:
    command = [sys.executable, "manage.py", *args]
    # Its output is progress: to stderr, so stdout holds only the `name value unit` lines.
    result = subprocess.run(command, cwd=ROOT, env=django_env(config), stdout=sys.stderr, check=False)
    if result.returncode:
        raise BenchError(f"`manage.py {' '.join(args)}` failed with exit code {result.returncode}")


def seed_options(config: Config, *, progress: bool = True) -> list[str]:
    """The small bench seeds the demo company without its fees (four months of demo billing through the services
    take minutes: 4–5 of the small run's 8 on a busy machine, and no benchmark reads them) and without progress
    bars in CI's log."""
    return [*(["--no-billing"] if config.small else []), *([] if progress and not config.small else ["--no-progress"])]


def django_env(config: Config, **extra: str) -> dict[str, str]:
    """The environment of every Django process of the run (manage.py, bench.tickets, bench.billing, gunicorn):
    production settings (DEBUG off) with the run's own secrets, set explicitly rather than inherited."""
    env = dict(os.environ)
    for name in ("DATABASE_URL", "ROOT_URLCONF", "PYTHONSTARTUP", "WUYE_SIMULATED_PAYMENTS"):
        env.pop(name, None)  # the simulated payment channel stays off, as in production; the bench needs none
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DATABASE_URL=config.database_url,
        DEBUG="0",
        SECRET_KEY=config.secret_key,
        PAYMENT_CALLBACK_SECRET=secrets.token_urlsafe(32),
        SECURE_SSL_REDIRECT="0",  # the load generator speaks plain HTTP to 127.0.0.1
        WUYE_FAST_PASSWORDS="1",
        LOG_LEVEL="WARNING",
        ALLOWED_HOSTS=HOST,
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
        **extra,
    )
    return env


def run_tickets(config: Config, command: str) -> dict:
    """`python -m bench.tickets <command>` on the bench database; its last stdout line is a JSON result."""
    result = subprocess.run([sys.executable, "-m", "bench.tickets", command], cwd=ROOT, env=django_env(
        config, BENCH_TICKETS=str(config.tickets), BENCH_SWEEP_CLOCKS=str(config.sweep_clocks),
        BENCH_SWEEP_REPEATS=str(config.sweep_repeats), BENCH_SWEEP10K_CLOCKS=str(config.sweep10k_clocks)),
        stdout=subprocess.PIPE, text=True, check=False)
    if result.returncode:
        raise BenchError(f"`python -m bench.tickets {command}` failed with exit code {result.returncode}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def run_kpis(config: Config, command: str) -> dict:
    """`python -m bench.kpis <command>` (bench/kpis.py) on the bench database; its last stdout line is JSON."""
    result = subprocess.run([sys.executable, "-m", "bench.kpis", command], cwd=ROOT, env=django_env(config),
                            stdout=subprocess.PIPE, text=True, check=False)
    if result.returncode:
        raise BenchError(f"`python -m bench.kpis {command}` failed with exit code {result.returncode}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def run_surveys(config: Config, command: str) -> dict:
    """`python -m bench.quality_surveys <command>` on the bench database; its last stdout line is JSON."""
    result = subprocess.run([sys.executable, "-m", "bench.quality_surveys", command], cwd=ROOT,
                            env=django_env(config), stdout=subprocess.PIPE, text=True, check=False)
    if result.returncode:
        raise BenchError(f"`python -m bench.quality_surveys {command}` failed with exit code {result.returncode}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def run_maintenance(config: Config, command: str) -> dict:
    """`python -m bench.maintenance <command>` (bench/maintenance.py) in its own process: a year of maintenance
    tasks for BENCH_MAINTENANCE_ITEMS items (20,000; small bench 500), time and peak RSS; its last line is JSON."""
    items = os.environ.get("BENCH_MAINTENANCE_ITEMS") or ("500" if config.small else "20000")
    result = subprocess.run([sys.executable, "-m", "bench.maintenance", command], cwd=ROOT,
                            env=django_env(config, BENCH_MAINTENANCE_ITEMS=items), stdout=subprocess.PIPE,
                            text=True, check=False)
    if result.returncode:
        raise BenchError(f"`python -m bench.maintenance {command}` failed with exit code {result.returncode}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def run_patrol(config: Config, command: str) -> dict:
    """`python -m bench.patrol <command>` (bench/patrol.py) in its own process: the SLA sweep over
    BENCH_PATROL_DUE checkpoint deadlines due among BENCH_PATROL_SCHEDULED (10,000 among 1,000,000; small bench 200
    among 20,000); its last line is JSON."""
    scheduled = os.environ.get("BENCH_PATROL_SCHEDULED") or ("20000" if config.small else "1000000")
    due = os.environ.get("BENCH_PATROL_DUE") or ("200" if config.small else "10000")
    repeats = os.environ.get("BENCH_PATROL_REPEATS") or ("1" if config.small else "3")
    result = subprocess.run([sys.executable, "-m", "bench.patrol", command], cwd=ROOT,
                            env=django_env(config, BENCH_PATROL_SCHEDULED=scheduled, BENCH_PATROL_DUE=due,
                                           BENCH_PATROL_REPEATS=repeats),
                            stdout=subprocess.PIPE, text=True, check=False)
    if result.returncode:
        raise BenchError(f"`python -m bench.patrol {command}` failed with exit code {result.returncode}")
    return json.loads(result.stdout.strip().splitlines()[-1])


# Seconds per set-up step of this run (meta["setup"]); a step that had nothing to do (data reused) is near 0.
SETUP: dict[str, float] = {}


def _setup_step(name: str, started: float) -> None:
    SETUP[name] = round(SETUP.get(name, 0.0) + time.monotonic() - started, 1)


def prepare_database(config: Config) -> tuple[int, int, dict]:
    ensure_database(config)
    log("migrating")
    started = time.monotonic()
    manage(config, "migrate", "--no-input", "-v", "0")
    _setup_step("migrate", started)
    log(f"migrated ({time.monotonic() - started:.1f} s)")
    found = bench_project(config)
    if found is None:
        log(f"seeding the demo company and a {config.scale:,}-unit bench project (once; later runs reuse it)")
        started = time.monotonic()
        manage(config, "seed_demo", "--scale", str(config.scale), "--tickets", "0", "--quiet-logins",
               *seed_options(config))
        _setup_step("seed", started)
        log(f"seeded in {time.monotonic() - started:.1f} s")
        found = bench_project(config)
        if found is None:
            raise BenchError("seed_demo finished but the bench project is not there")
    project_id, units = found
    if units < config.expected_units:
        raise BenchError(
            f"the bench project has {units:,} units, expected {config.expected_units:,} (an interrupted seed, or "
            f"BENCH_SCALE changed); run again with BENCH_RESET=1 to rebuild database {config.dbname}"
        )
    started = time.monotonic()
    tickets = run_tickets(config, "prepare")
    _setup_step("tickets", started)
    log(f"bench project: {tickets['tickets_present']:,} generated tickets, {tickets['open_tickets']:,} open, "
        f"{tickets['open_clocks']:,} open SLA clocks")
    started = time.monotonic()
    tickets["kpi_data"] = run_kpis(config, "prepare")  # the decided clocks the KPI month reads
    _setup_step("kpis", started)
    started = time.monotonic()
    tickets["survey_data"] = run_surveys(config, "prepare")  # a survey of 50,000 responses (bench/quality_surveys.py)
    _setup_step("surveys", started)
    # Fresh bulk-loaded tables have no planner statistics and no visibility map: autovacuum would change the plans
    # (bitmap heap scan → index-only scan for the COUNT) in the middle of some later run. Settle them first.
    started = time.monotonic()
    with psycopg.connect(config.database_url, autocommit=True, connect_timeout=5) as conn:
        conn.execute("VACUUM (ANALYZE)")
    _setup_step("vacuum", started)
    log(f"bench project id {project_id}: {units:,} units; VACUUM (ANALYZE) in {time.monotonic() - started:.1f} s")
    return project_id, units, tickets


# -- gunicorn ---------------------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn in its own process group, so stopping it leaves no worker behind."""

    def __init__(self, config: Config, port: int, log_path: Path):
        self.config, self.port, self.log_path = config, port, log_path
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = [
            sys.executable, "-m", "gunicorn", "wuye.wsgi:application",
            "--bind", f"{HOST}:{self.port}",
            "--chdir", str(ROOT),
            "--workers", str(self.config.workers),
            "--worker-class", self.config.worker_class,
            "--threads", str(self.config.threads),
            "--log-level", "warning",
            "--timeout", "60",
            "--graceful-timeout", "5",
            # gunicorn.conf.py replaces a worker every ~5,000 requests (production's guard against slow leaks); at a
            # thousand requests a second that is a restart every few seconds, and each one resets the client's
            # keep-alive connections mid-measurement (counted as failed requests). The bench keeps its workers.
            "--max-requests", "0",
            "--worker-tmp-dir", "/dev/shm" if Path("/dev/shm").is_dir() else "/tmp",
        ]
        env = django_env(self.config)
        with self.log_path.open("wb") as log_file:
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log_file,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        log(f"gunicorn pid {self.process.pid} on http://{HOST}:{self.port} "
            f"({self.config.workers} {self.config.worker_class} workers"
            + (f" × {self.config.threads} threads" if self.config.worker_class == "gthread" else "") + ")")

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"gunicorn exited with code {self.process.returncode}:\n{self.log_tail()}")
            try:
                status, _ = request(self.port, "GET", "/healthz", timeout=2)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise BenchError(f"gunicorn did not answer /healthz within {timeout:.0f} s:\n{self.log_tail()}")

    def worker_pids(self) -> list[int]:
        if self.process is None:
            return []
        return [pid for pid in _pids() if _parent(pid) == self.process.pid]

    def stop(self) -> None:
        """SIGTERM (graceful), then SIGKILL to the whole process group if anything is left."""
        if self.process is None:
            return
        for signum in (signal.SIGINT, signal.SIGTERM):  # a second Ctrl-C must not leave gunicorn behind
            signal.signal(signum, signal.SIG_IGN)
        pgid = self.process.pid  # start_new_session: the master leads its own group
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                log("gunicorn did not stop within 15 s; killing it")
        try:
            os.killpg(pgid, signal.SIGKILL)  # stray workers, if any; ProcessLookupError when none are left
            log("killed leftover gunicorn processes")
        except ProcessLookupError:
            pass
        self.process.wait(timeout=5)
        log("gunicorn stopped")

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def request(port: int, method: str, path: str, body: dict | None = None, headers: dict | None = None,
            timeout: float = 10) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        payload = json.dumps(body).encode() if body is not None else None
        all_headers = {"Accept": "application/json", **(headers or {})}
        if payload is not None:
            all_headers["Content-Type"] = "application/json"
        connection.request(method, path, body=payload, headers=all_headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


# -- CPU accounting (Linux /proc; figures are left out elsewhere) ----------------------------------------------------

_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _pids() -> list[int]:
    try:
        return [int(name) for name in os.listdir("/proc") if name.isdigit()]
    except OSError:
        return []


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2:].split()  # fields from `state` on; the command name may hold spaces


def _parent(pid: int) -> int | None:
    fields = _stat(pid)
    return int(fields[1]) if fields else None


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """User + system CPU seconds of each of these processes that /proc shows."""
    seconds = {}
    for pid in pids:
        fields = _stat(pid)
        if fields:
            seconds[pid] = (int(fields[11]) + int(fields[12])) / _TICKS  # utime, stime
    return seconds


def cpu_used(before: dict[int, float], after: dict[int, float]) -> float | None:
    """CPU seconds used between two readings. A process that appeared in between (a respawned worker, a reopened
    database connection) counts whole; one that disappeared is left out."""
    if not after:
        return None
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def machine_cpu() -> tuple[float, float] | None:
    """(busy, stolen) CPU seconds of the whole machine since boot, from /proc/stat."""
    try:
        fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    return (user + nice + system + irq + softirq) / _TICKS, steal / _TICKS


def database_backend_pids(config: Config) -> list[int]:
    with psycopg.connect(config.database_url, connect_timeout=5) as conn:
        rows = conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                            " AND pid <> pg_backend_pid()").fetchall()
    return [row[0] for row in rows]


# -- measuring --------------------------------------------------------------------------------------------------------

def get_token(port: int, login: dict = LOGIN) -> str:
    status, body = request(port, "POST", "/api/v1/auth/token", body=login)
    if status != 200:
        raise BenchError(f"POST /api/v1/auth/token as {login['username']} answered {status}: {body[:300]!r}")
    return json.loads(body)["token"]


def ticket_targets(token: str, project_id: int, tickets: dict) -> list[loadgen.Target]:
    """POST a general repair for one of 1,000 units in turn (each with a category, so the repeat-repair lookup
    runs); GET the bench project's open-ticket inbox, first page of 50."""
    headers = {"Authorization": f"Bearer {token}"}
    units, categories = tickets["units_sample"], tickets["repair_categories"]
    bodies = tuple(json.dumps({
        "kind": "repair", "urgency": "general", "channel": "phone", "unit_id": unit,
        "category_id": categories[index % len(categories)], "description": f"压测报修：厨房水龙头漏水（{index}）",
        "contact_name": "压测业主", "contact_phone": "13800138000",
    }, ensure_ascii=False).encode() for index, unit in enumerate(units))
    return [
        loadgen.Target("tickets.create", "/api/v1/tickets", headers, method="POST", bodies=bodies, expect=201),
        loadgen.Target("tickets.inbox", f"/api/v1/tickets?project={project_id}&open=true&page_size=50", headers),
        # The create's floor (bench/floor.py): the same token check and rows in hand-written SQL, same bodies.
        loadgen.Target("floor.write", "/bench/floor/tickets", headers, method="POST", bodies=bodies, expect=201),
    ]


def check_ticket_targets(port: int, create: loadgen.Target, inbox: loadgen.Target, floor: loadgen.Target) -> None:
    status, body = request(port, "POST", floor.path, body=json.loads(floor.bodies[0]), headers=floor.headers)
    if status != 201 or not json.loads(body).get("id"):
        raise BenchError(f"POST {floor.path} answered {status}: {body[:300]!r}")
    status, body = request(port, "POST", create.path, body=json.loads(create.bodies[0]), headers=create.headers)
    ticket = json.loads(body) if status == 201 else {}
    if status != 201 or ticket.get("status") != "new" or not ticket.get("deadlines"):
        raise BenchError(f"POST {create.path} answered {status}: {body[:300]!r}")
    status, body = request(port, "GET", inbox.path, headers=inbox.headers)
    page = json.loads(body) if status == 200 else {}
    if status != 200 or len(page.get("items", ())) != 50 or not page.get("count"):
        raise BenchError(f"GET {inbox.path} answered {status} with count {page.get('count')} and "
                         f"{len(page.get('items', ()))} items: {body[:300]!r}")


def check_targets(port: int, bare: loadgen.Target, units: loadgen.Target, expected_units: int) -> None:
    """One request each, checked for shape, so a fast wrong answer is never measured."""
    status, body = request(port, "GET", bare.path, headers=bare.headers)
    if status != 200 or json.loads(body) != {"ok": True}:
        raise BenchError(f"GET {bare.path} answered {status}: {body[:300]!r}")
    status, body = request(port, "GET", units.path, headers=units.headers)
    page = json.loads(body) if status == 200 else {}
    if status != 200 or len(page.get("items", ())) != 50 or page.get("count") != expected_units:
        raise BenchError(f"GET {units.path} answered {status} with count {page.get('count')} and "
                         f"{len(page.get('items', ()))} items: {body[:300]!r}")


@dataclass
class Round:
    result: loadgen.Result
    cpu_ms_per_request: dict[str, float | None]
    other_cores: float | None  # average CPU busy outside gunicorn, its PostgreSQL backends and this client
    steal_cores: float | None  # average CPU stolen by the hypervisor

    def summary(self) -> dict:
        result = self.result
        return {
            "seconds": round(result.seconds, 3),
            "requests": result.ok,
            "errors": dict(result.errors),
            "rps": round(result.rps, 1),
            "p50_ms": round(result.percentile_ms(50), 2),
            "p95_ms": round(result.percentile_ms(95), 2),
            "p99_ms": round(result.percentile_ms(99), 2),
            "max_ms": round(result.percentile_ms(100), 2),
            "bytes_per_response": round(result.bytes_received / result.ok) if result.ok else None,
            "cpu_ms_per_request": self.cpu_ms_per_request,
            "other_cores": self.other_cores,
            "steal_cores": self.steal_cores,
        }


def warm_up(config: Config, server: Server, target: loadgen.Target) -> None:
    log(f"{target.name}: warm-up {config.warmup_seconds:g} s")
    warm = loadgen.run(HOST, server.port, target, concurrency=config.concurrency, seconds=config.warmup_seconds)
    if warm.error_count:
        log(f"{target.name}: warm-up had {warm.error_count} failed requests: {dict(warm.errors)}")


def measure_round(config: Config, server: Server, target: loadgen.Target) -> Round:
    workers, backends = server.worker_pids(), database_backend_pids(config)
    before = (cpu_seconds(workers), cpu_seconds(backends), machine_cpu())
    result = loadgen.run(HOST, server.port, target, concurrency=config.concurrency,
                         seconds=config.seconds / config.rounds)
    workers, backends = [*workers, *server.worker_pids()], [*backends, *database_backend_pids(config)]
    after = (cpu_seconds(workers), cpu_seconds(backends), machine_cpu())
    requests = max(result.ok + result.error_count, 1)
    used = [cpu_used(before[0], after[0]), cpu_used(before[1], after[1])]

    def per_request(seconds: float | None) -> float | None:
        return round(seconds / requests * 1000, 3) if seconds is not None else None

    other = steal = None
    if before[2] and after[2] and None not in used:
        busy, stolen = after[2][0] - before[2][0], after[2][1] - before[2][1]
        other = round(max(0.0, busy - sum(used) - result.client_cpu_seconds) / result.seconds, 2)
        steal = round(stolen / result.seconds, 2)
    return Round(
        result=result,
        cpu_ms_per_request={"gunicorn": per_request(used[0]), "postgres": per_request(used[1]),
                            "client": per_request(result.client_cpu_seconds)},
        other_cores=other,
        steal_cores=steal,
    )


def median(values: list[float]) -> float:
    return statistics.median(values) if values else math.nan


def summarise(target: loadgen.Target, rounds: list[Round]) -> dict:
    """The median over rounds of each figure (robust to one round disturbed by something else on the machine)."""
    results = [r.result for r in rounds]
    latencies = sorted(itertools.chain.from_iterable(r.latencies for r in results))
    pooled = loadgen.Result(target=target, concurrency=results[0].concurrency, seconds=sum(r.seconds for r in results),
                            latencies=latencies, errors=sum((r.errors for r in results), Counter()),
                            bytes_received=sum(r.bytes_received for r in results),
                            client_cpu_seconds=sum(r.client_cpu_seconds for r in results))
    return {
        "path": target.path,
        "rps": round(median([r.rps for r in results]), 1),
        "p50_ms": round(median([r.percentile_ms(50) for r in results]), 2),
        "p95_ms": round(median([r.percentile_ms(95) for r in results]), 2),
        "rps_range": [round(min(r.rps for r in results), 1), round(max(r.rps for r in results), 1)],
        "requests": pooled.ok,
        "errors": dict(pooled.errors),
        "pooled": {"rps": round(pooled.rps, 1), "p50_ms": round(pooled.percentile_ms(50), 2),
                   "p95_ms": round(pooled.percentile_ms(95), 2), "p99_ms": round(pooled.percentile_ms(99), 2),
                   "max_ms": round(pooled.percentile_ms(100), 2)},
        "rounds": [r.summary() for r in rounds],
    }


def metrics_for(summaries: dict[str, dict]) -> dict[str, tuple[float, str]]:
    metrics: dict[str, tuple[float, str]] = {}
    for name, summary in summaries.items():
        metrics[f"{name}.rps"] = (summary["rps"], "req/s")
        metrics[f"{name}.p50_ms"] = (summary["p50_ms"], "ms")
        metrics[f"{name}.p95_ms"] = (summary["p95_ms"], "ms")
    bare = summaries.get("bare.json")
    for name in ("units.list", "tickets.create"):
        if bare and bare["rps"] and name in summaries:
            metrics[f"{name}.rps_vs_bare"] = (round(summaries[name]["rps"] / bare["rps"], 3), "ratio")
    floor = summaries.get("floor.write")
    if floor and floor["rps"] and "tickets.create" in summaries:
        metrics["tickets.create.rps_vs_floor"] = (round(summaries["tickets.create"]["rps"] / floor["rps"], 3), "ratio")
    return metrics


def target_misses(metrics: dict[str, tuple[float, str]]) -> list[str]:
    misses = []
    for name, (op, goal) in TARGETS.items():
        if name in metrics:
            value = metrics[name][0]
            if not (value >= goal if op == ">=" else value < goal):
                misses.append(f"{name} = {value} (target {op} {goal})")
    return misses


# -- output -----------------------------------------------------------------------------------------------------------

def write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_text(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n")
    os.replace(temporary, path)


def read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def git_state() -> dict:
    def git(*args):
        result = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
        return result.stdout.strip() if result.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    return {"commit": commit, "dirty": bool(git("status", "--porcelain")) if commit else None}


def postgres_version(config: Config) -> str | None:
    try:
        with psycopg.connect(config.database_url, connect_timeout=5) as conn:
            return conn.execute("SHOW server_version").fetchone()[0]
    except psycopg.Error:
        return None


def http_bench(config: Config, meta: dict) -> tuple[dict[str, tuple[float, str]], bool]:
    """The HTTP targets and the SLA sweep: (figures, whether every request succeeded); fills meta["http"]."""
    project_id, unit_count, tickets = prepare_database(config)

    server = Server(config, free_port(), OUT_DIR / ("small-gunicorn.log" if config.small else "gunicorn.log"))
    rounds: dict[str, list[Round]] = {}
    parking_metrics, parking_meta = {}, {}
    try:
        server.start()
        server.wait_ready()
        token = get_token(server.port)
        targets = [
            loadgen.Target("bare.json", "/bench/bare.json"),
            loadgen.Target("units.list", f"/api/v1/units?page_size=50&project={project_id}",
                           {"Authorization": f"Bearer {token}"}),
            *ticket_targets(get_token(server.port, TICKET_LOGIN), project_id, tickets),
        ]
        check_targets(server.port, *targets[:2], expected_units=unit_count)
        check_ticket_targets(server.port, *targets[2:])
        if config.warmup_seconds:
            for target in targets:
                warm_up(config, server, target)
        rounds = {target.name: [] for target in targets}
        log(f"measuring {config.seconds:g} s per target in {config.rounds} interleaved rounds, "
            f"{config.concurrency} client threads")
        for number in range(1, config.rounds + 1):
            for target in targets if number % 2 else reversed(targets):  # alternate the order: no target always first
                measured = measure_round(config, server, target)
                rounds[target.name].append(measured)
                result = measured.result
                log(f"  round {number}/{config.rounds} {target.name}: {result.rps:.1f} req/s, "
                    f"p50 {result.percentile_ms(50):.2f} ms, p95 {result.percentile_ms(95):.2f} ms, "
                    f"{result.error_count} errors; CPU ms/request {measured.cpu_ms_per_request}, "
                    f"other load {measured.other_cores} cores, steal {measured.steal_cores}")
        log("measuring parking exits (bench/parking.py): a fresh batch of cars inside per round")
        try:
            parking_metrics, parking_meta = parking_exits.measure(
                config=config, server=server, env=django_env(config), request=request, get_token=get_token,
                bare_rps=median([r.result.rps for r in rounds["bare.json"]]), loadgen=loadgen, host=HOST)
        except RuntimeError as error:
            raise BenchError(str(error)) from None
    finally:
        server.stop()

    log("comparing gunicorn's sync and gthread workers on the same targets (bench/serving.py)")
    compared = [t for t in targets if t.name in serving.TARGETS]
    meta["serving"] = serving.compare(
        config, compared, log=log, host=HOST,
        make_server=lambda variant, name: Server(variant, free_port(), OUT_DIR / f"{'small-' if config.small else ''}"
                                                                                 f"{name}.log"))

    log(f"timing the SLA sweep in-process with {config.sweep_clocks:,}, then {config.sweep10k_clocks:,} clocks due "
        f"({config.sweep_repeats} times each)")
    sweep = run_tickets(config, "sweep")
    created = run_tickets(config, "cleanup")["deleted_tickets"]
    log("timing one month of the bench project's KPIs in-process")
    kpis = run_kpis(config, "measure")
    log("timing the results of a survey of the bench project in-process")
    survey_results = run_surveys(config, "measure")
    log("timing a year of maintenance tasks (bench/maintenance.py) in a fresh process")
    maintenance = run_maintenance(config, "run")
    log("timing the SLA sweep over patrol checkpoint deadlines (bench/patrol.py) in a fresh process")
    patrol = run_patrol(config, "sweep")

    summaries = {target.name: summarise(target, rounds[target.name]) for target in targets}
    metrics = metrics_for(summaries)
    metrics.update(parking_metrics)
    metrics["sla.sweep.seconds"] = (sweep["seconds"], "s")
    metrics["sla.sweep10k.seconds"] = (sweep["sweep10k"]["seconds"], "s")
    metrics["kpis.month.seconds"] = (kpis["seconds"], "s")
    metrics["survey.results.seconds"] = (survey_results["seconds"], "s")
    metrics["maintenance.generate.seconds"] = (maintenance["seconds"], "s")
    metrics["maintenance.generate.peak_rss_mb"] = (maintenance["peak_rss_mb"], "MB")
    metrics["maintenance.generate.rerun_tasks"] = (maintenance["rerun_tasks"], "tasks")
    metrics["patrol.sweep.seconds"] = (patrol["seconds"], "s")

    busy = max((r.other_cores or 0.0) for rs in rounds.values() for r in rs)
    if busy >= 0.25:
        log(f"note: something else used up to {busy:.2f} cores during a round; figures are noisier than usual")
    errors = {name: summary["errors"] for name, summary in summaries.items() if summary["errors"]}
    if parking_meta.get("errors"):
        errors["parking.exit"] = parking_meta["errors"]
    meta["http"] = {
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "ok": not errors,
        "git": git_state(),
        "database": config.redacted_url(),
        "bench_project": {"id": project_id, "units": unit_count},
        "server": {"gunicorn_workers": config.workers, "worker_class": config.worker_class,
                   "threads": config.threads, "debug": False, "settings": "bench.settings"},
        "client": {"threads": config.concurrency, "warmup_seconds": config.warmup_seconds,
                   "seconds": config.seconds, "rounds": config.rounds,
                   "kind": "closed loop, http.client, one keep-alive connection per thread"},
        "figures": "median over rounds; `pooled` is over every request of every round",
        "other_load_max_cores": busy,
        "targets": summaries,
        "tickets": {key: value for key, value in tickets.items() if key not in ("units_sample", "repair_categories")}
        | {"created_by_benchmark_and_deleted": created},
        "sla_sweep": sweep,
        "kpis": kpis,
        "survey_results": survey_results,
        "maintenance": maintenance,
        "patrol": patrol,
        "parking": parking_meta,
        "goals": {name: f"{op} {goal}" for name, (op, goal) in TARGETS.items() if name in metrics},
        "goals_missed": [] if config.small else target_misses(metrics),
    }
    if tickets.get("generated"):  # kept from the run that generated them
        meta["ticket_generation"] = {key: tickets.get(key) for key in (
            "generated", "clocks_generated", "generation_seconds", "anchor")}
    if errors:
        log(f"FAILED: requests failed {errors}; {config.out('.json').relative_to(ROOT)} left as it was "
            f"(see {server.log_path.relative_to(ROOT)})")
    return metrics, not errors


# -- billing ----------------------------------------------------------------------------------------------------------

def run_billing_bench(config: Config, command: str, **extra: str) -> dict:
    """`python -m bench.billing <command>` in its own process; its last stdout line is a JSON result."""
    env = django_env(config, BENCH_BILLING_UNITS=str(config.billing_units),
                     BENCH_BILLING_MONTHS=str(config.billing_months), BENCH_AGING_REPEATS=str(config.aging_repeats),
                     **extra)
    result = subprocess.run([sys.executable, "-m", "bench.billing", command], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, text=True, check=False)
    if result.returncode:
        raise BenchError(f"`python -m bench.billing {command}` failed with exit code {result.returncode}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def billing_bench(config: Config, meta: dict) -> dict[str, tuple[float, str]]:
    """A billing run of every unit of the billing project (its own process: time and peak RSS) and arrears aging
    over its bill history; fills meta["billing"]."""
    started = time.monotonic()
    prepared = run_billing_bench(config, "prepare")
    _setup_step("billing_history", started)
    log(f"billing project id {prepared['project_id']}: {prepared['units']:,} units, {prepared['bills']:,} bills "
        f"({prepared['open_bills']:,} open), history {prepared['history'][0]} … {prepared['history'][1]}")
    log(f"timing arrears aging ({config.aging_repeats} times after a warm-up)")
    started, machine_before = time.monotonic(), machine_cpu()
    aging = run_billing_bench(config, "aging")
    log(f"timing a billing run of {prepared['units']:,} units for {prepared['measured_period'][:7]} "
        "in a fresh process")
    run = run_billing_bench(config, "run")
    machine_after = machine_cpu()
    spread = {}
    for workers in (1, 2):  # the same run as Celery tasks (billing.fanout), on one worker and on two
        run_billing_bench(config, "prepare")  # removes the period just billed
        log(f"timing the billing run spread over {workers} Celery worker(s)")
        spread[workers] = run_billing_bench(config, "celery", BENCH_CELERY_WORKERS=str(workers))
    metrics = {
        "billing.run.seconds": (run["seconds"], "s"),
        "billing.run.celery1.seconds": (spread[1]["seconds"], "s"),
        "billing.run.celery2.seconds": (spread[2]["seconds"], "s"),
        "billing.run.peak_rss_mb": (run["peak_rss_mb"], "MB"),
        "billing.aging.seconds": (aging["seconds"], "s"),
    }
    busy = None  # cores busy on average while measuring, the benchmark's own process and PostgreSQL included
    if machine_before and machine_after:
        busy = round((machine_after[0] - machine_before[0]) / max(time.monotonic() - started, 1e-6), 2)
    meta["billing"] = {
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "git": git_state(),
        "database": config.redacted_url(),
        "project": prepared,
        "aging": aging,
        "run": run,
        "celery_runs": spread,
        "machine_busy_cores_while_measuring": busy,
        "goals": {name: f"{op} {goal}" for name, (op, goal) in TARGETS.items() if name in metrics},
        "goals_missed": [] if config.small else target_misses(metrics),
    }
    if prepared.get("generated_bills"):  # kept from the run that generated the history
        meta["billing_generation"] = {key: prepared.get(key) for key in ("generated_bills", "generation_seconds")}
    return metrics


def main() -> int:
    def terminated(*_):
        log("terminated")
        sys.exit(143)  # unwinds through the `finally` that stops gunicorn

    signal.signal(signal.SIGTERM, terminated)
    began = time.monotonic()
    config = Config.from_env()
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    log(f"database {config.redacted_url()}" + (f" (BENCH_ONLY={config.only})" if config.only else "")
        + (" — small scale (BENCH_SMALL): a fresh database, figures without goals" if config.small else ""))
    meta = read_json(config.out(".meta.json"))
    metrics: dict[str, tuple[float, str]] = {}
    ok = True
    if config.only in ("", "http"):
        http_metrics, ok = http_bench(config, meta)
        metrics.update(http_metrics)
    if ok and config.only in ("", "billing"):
        if config.only == "billing":  # the HTTP part did not set the database up
            ensure_database(config)
            log("migrating")
            started = time.monotonic()
            manage(config, "migrate", "--no-input", "-v", "0")
            _setup_step("migrate", started)
            started = time.monotonic()
            # The demo company first (nothing to do when present): the billing project joins it, and a later
            # full run, seeing the company, must still find the demo logins it needs.
            manage(config, "seed_demo", "--tickets", "0", "--quiet-logins", *seed_options(config, progress=False))
            _setup_step("seed", started)
        metrics.update(billing_bench(config, meta))

    for name, (value, unit) in metrics.items():
        print(f"{name} {value} {unit}", flush=True)
    if not config.small:  # the goals are for the full bench's sizes; the small one only has to run
        for miss in target_misses(metrics):
            log(f"target missed: {miss} (see docs/benchmarks.md)")
    meta["scale"] = "small" if config.small else "full"
    meta["run_seconds"] = round(time.monotonic() - began, 1)  # end to end, set-up included
    meta["setup"] = dict(SETUP)  # seconds per set-up step (docs/benchmarks.md)
    meta["machine"] = {
        "hostname": platform.node(), "cpus": os.cpu_count(), "platform": platform.platform(),
        "python": platform.python_version(), "postgres": postgres_version(config),
    }
    write_json(config.out(".meta.json"), meta)
    if not ok:
        return 1
    if any(math.isnan(value) for value, _ in metrics.values()):
        log("FAILED: a target completed no request")
        return 1
    latest = read_json(config.out(".json"))
    latest.update({name: {"value": value, "unit": unit} for name, (value, unit) in metrics.items()})
    write_json(config.out(".json"), latest)
    log(f"wrote {len(metrics)} figures to {config.out('.json').relative_to(ROOT)} "
        f"({meta['run_seconds']:.0f} s end to end)")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as error:
        log(f"FAILED: {error}")
        sys.exit(1)
    except KeyboardInterrupt:
        log("interrupted")
        sys.exit(130)
