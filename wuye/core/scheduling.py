"""The job registry: periodic work is a plain function registered once with `@periodic(every=…)`.

Two engines run the same registry: the embedded scheduler (`manage.py scheduler`, started by `make run`) and
Celery beat + workers when CELERY_BROKER_URL is set (`wuye/celery.py` builds beat's schedule from here).
Each occurrence is claimed by a conditional UPDATE on `JobState.next_run_at`, so several schedulers running at
once still run each job once per interval.

Heartbeat: the engine that runs the jobs says it is alive in a JobState row of a reserved name (`heartbeat.scheduler`
— each tick of the embedded scheduler and its start; `heartbeat.celery` — each run of the `core.heartbeat` job by a
worker, every 30 s, and a worker's start). `silent_engines()` names the engine expected to run (Celery when a broker
is set, the embedded scheduler otherwise) when it has not been heard for WUYE_HEARTBEAT_SILENCE seconds: admins see
a banner and a queued long job's page says no worker is picking it up.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import JobState

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    func: Callable[[], object]
    every: timedelta
    description: str = ""


REGISTRY: dict[str, PeriodicJob] = {}


def periodic(every: timedelta, name: str | None = None):
    """Register a function as a periodic job (its name defaults to `<app>.<function>`)."""

    def register(func):
        module = func.__module__.removeprefix("wuye.").removesuffix(".jobs")
        job_name = name or f"{module}.{func.__name__}"
        REGISTRY[job_name] = PeriodicJob(job_name, func, every, (func.__doc__ or "").strip().split("\n")[0])
        return func

    return register


def run_job(name: str):
    """Run one registered job now and record the outcome in its JobState. Returns what the job returned."""
    job = REGISTRY[name]
    started = timezone.now()
    state, _ = JobState.objects.get_or_create(name=name, defaults={"next_run_at": started + job.every})
    try:
        result = job.func()
    except Exception:
        JobState.objects.filter(name=name).update(
            last_started_at=started, last_finished_at=timezone.now(), last_ok=False,
            last_error=traceback.format_exc()[-4000:], runs=state.runs + 1,
        )
        logger.exception("Job %s failed", name)
        raise
    JobState.objects.filter(name=name).update(
        last_started_at=started, last_finished_at=timezone.now(), last_ok=True, last_error="", runs=state.runs + 1
    )
    return result


def claim(job: PeriodicJob, now) -> bool:
    """Take the job's current occurrence; True for exactly one of several concurrent schedulers."""
    JobState.objects.get_or_create(name=job.name, defaults={"next_run_at": now})
    return bool(
        JobState.objects.filter(name=job.name, next_run_at__lte=now).update(next_run_at=now + job.every)
    )


def run_due_jobs(now=None) -> list[str]:
    """Run every registered job whose time has come (and that no other scheduler took). Returns their names."""
    now = now or timezone.now()
    ran = []
    for job in list(REGISTRY.values()):
        if not claim(job, now):
            continue
        # One failing job must not stop the others; the failure is in its JobState and the log.
        with contextlib.suppress(Exception):
            run_job(job.name)
        ran.append(job.name)
    return ran


# -- work spread over the workers ------------------------------------------------------------------------------
# A task is a plain function of the registry too, but run once per call rather than on a schedule: with Celery each
# `dispatch` is one message on the broker, acknowledged only after the function returned (a worker killed midway →
# the message goes to another worker), so a task must be idempotent. Apps register theirs in jobs.py.
TASKS: dict[str, Callable] = {}
_sender = None


def task(name: str):
    """Register `func` as the task `name` (`@task("billing.bill_chunk")`)."""
    def register(func):
        TASKS[name] = func
        return func
    return register


def dispatch(name: str, *args) -> None:
    """Send one call of the task `name` to the Celery workers once the current transaction commits (a task never
    runs on rows its sender may still roll back). Only when Celery is the engine (`expected_engine()`)."""
    global _sender
    if name not in TASKS:
        raise KeyError(f"no task {name!r} is registered")
    if expected_engine() != CELERY:
        raise RuntimeError("tasks are dispatched only when Celery is the engine (CELERY_BROKER_URL)")
    if _sender is None or _sender.conf.broker_url != settings.CELERY_BROKER_URL:
        from celery import Celery  # the web process sends without loading the worker's app (wuye/celery.py)

        _sender = Celery("wuye-sender", broker=settings.CELERY_BROKER_URL)
    sender = _sender
    transaction.on_commit(lambda: sender.send_task("wuye.run_task", args=(name, *args)))


def run_task(name: str, *args):
    """Run one call of a registered task (the Celery worker's side of `dispatch`)."""
    return TASKS[name](*args)


# -- heartbeat --------------------------------------------------------------------------------------------------
HEARTBEAT_PREFIX = "heartbeat."
SCHEDULER, CELERY = "scheduler", "celery"
ENGINE_LABELS = {SCHEDULER: _("The background job scheduler"), CELERY: _("The background job service (Celery workers)")}
# Which engine is running the current job: the Celery task sets it for the job it runs.
current_engine: contextvars.ContextVar[str] = contextvars.ContextVar("wuye_job_engine", default=SCHEDULER)


def beat(engine: str, now: datetime | None = None) -> datetime:
    """Record that `engine` is alive now: one UPDATE of its heartbeat row (created on the first beat)."""
    now = now or timezone.now()
    name = f"{HEARTBEAT_PREFIX}{engine}"
    if not JobState.objects.filter(name=name).update(last_started_at=now, last_finished_at=now, last_ok=True):
        # next_run_at is far ahead: a heartbeat row is never a job any scheduler claims.
        JobState.objects.update_or_create(name=name, defaults={
            "last_started_at": now, "last_finished_at": now, "last_ok": True,
            "next_run_at": now + timedelta(days=36500)})
    return now


def expected_engine() -> str:
    """The engine that runs the jobs here: Celery workers when a broker is set, else the embedded scheduler."""
    return CELERY if getattr(settings, "CELERY_BROKER_URL", "") else SCHEDULER


def silence_limit() -> timedelta:
    return timedelta(seconds=settings.WUYE_HEARTBEAT_SILENCE)


@dataclass(frozen=True)
class Silence:
    """An engine not heard for longer than the limit: `last_heard` None when it never beat here."""

    engine: str
    last_heard: datetime | None
    now: datetime

    @property
    def label(self) -> str:
        return str(ENGINE_LABELS[self.engine])

    @property
    def minutes(self) -> int:
        return int((self.now - self.last_heard).total_seconds() // 60) if self.last_heard else 0


def last_heard(engine: str) -> datetime | None:
    return (JobState.objects.filter(name=f"{HEARTBEAT_PREFIX}{engine}")
            .values_list("last_finished_at", flat=True).first())


def silent_engines(now: datetime | None = None) -> list[Silence]:
    """The engine expected to run the jobs, when it has been silent for longer than WUYE_HEARTBEAT_SILENCE (or
    never beat at all); [] while it beats."""
    now = now or timezone.now()
    engine = expected_engine()
    heard = last_heard(engine)
    if heard is not None and now - heard <= silence_limit():
        return []
    return [Silence(engine, heard, now)]


class EmbeddedScheduler(threading.Thread):
    """Runs due jobs every `tick` seconds until stopped; the default engine when no Celery broker is set."""

    def __init__(self, tick: float = 5.0):
        super().__init__(name="wuye-scheduler", daemon=True)
        self.tick = tick
        self._stop_event = threading.Event()

    def run(self):
        logger.info("Embedded scheduler started with %d jobs: %s", len(REGISTRY), ", ".join(sorted(REGISTRY)))
        while not self._stop_event.is_set():
            close_old_connections()
            try:
                beat(SCHEDULER)  # at start (before any job: a fresh start is never reported silent) and each tick
                run_due_jobs()
            except Exception:
                logger.exception("Scheduler tick failed")
            finally:
                close_old_connections()
            self._stop_event.wait(self.tick)

    def stop(self):
        self._stop_event.set()
