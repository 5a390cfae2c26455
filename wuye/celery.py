"""Celery application: the distributed engine for the same job registry the embedded scheduler runs.

Start with `celery -A wuye worker -B` (or a separate `celery -A wuye beat`) when CELERY_BROKER_URL is set.
"""

import os

import django
from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wuye.settings")
django.setup()

from wuye.core.checks import require_production_secrets  # noqa: E402
from wuye.core.scheduling import CELERY, REGISTRY, beat, current_engine, run_job, run_task  # noqa: E402

require_production_secrets("Celery")  # worker and beat alike: outside DEBUG, no default secrets

app = Celery("wuye")
app.config_from_object("django.conf:settings", namespace="CELERY")


@app.task(name="wuye.run_job")
def run_registered_job(name: str):
    """Run one job of the registry; beat schedules one of these per registered job (`core.heartbeat` among them:
    the workers' heartbeat every 30 s)."""
    token = current_engine.set(CELERY)
    try:
        result = run_job(name)
    finally:
        current_engine.reset(token)
    return result if isinstance(result, (int, str, float, list, dict, type(None))) else str(result)


@app.task(name="wuye.run_task", acks_late=True, reject_on_worker_lost=True)
def run_registered_task(name: str, *args):
    """Run one call of a registered task (`core.scheduling.dispatch`): acknowledged after it returned, and put back
    on the queue when the worker process running it dies, so another worker does it again (tasks are idempotent)."""
    token = current_engine.set(CELERY)
    try:
        result = run_task(name, *args)
    finally:
        current_engine.reset(token)
    return result if isinstance(result, (int, str, float, list, dict, type(None))) else str(result)


@worker_ready.connect
def worker_started(**kwargs):
    """A worker that has just started is heard at once (a fresh start is not reported silent)."""
    beat(CELERY)


def beat_schedule() -> dict:
    return {
        name: {"task": "wuye.run_job", "schedule": job.every.total_seconds(), "args": (name,)}
        for name, job in sorted(REGISTRY.items())
    }


app.conf.beat_schedule = beat_schedule()
