"""Periodic jobs: one registry, run by the embedded scheduler or by Celery beat + workers."""

import socket
import time
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from wuye.core import scheduling
from wuye.core.models import Channel, JobState, Notification
from wuye.core.outbox import notify

calls = []


@pytest.fixture
def tick_job():
    calls.clear()
    scheduling.periodic(every=timedelta(minutes=5), name="test.tick")(lambda: calls.append(1))
    yield scheduling.REGISTRY["test.tick"]
    scheduling.REGISTRY.pop("test.tick", None)


@pytest.fixture
def broken_job():
    def broken():
        raise RuntimeError("disk full")

    scheduling.periodic(every=timedelta(minutes=5), name="test.broken")(broken)
    yield
    scheduling.REGISTRY.pop("test.broken", None)


def test_apps_register_their_jobs():
    assert "core.deliver_notifications" in scheduling.REGISTRY


@pytest.mark.django_db
def test_a_due_job_runs_once_per_interval_however_many_schedulers_ask(tick_job):
    now = timezone.now()
    assert "test.tick" in scheduling.run_due_jobs(now)
    assert "test.tick" not in scheduling.run_due_jobs(now)  # a second scheduler at the same moment
    assert "test.tick" not in scheduling.run_due_jobs(now + timedelta(minutes=4))
    assert "test.tick" in scheduling.run_due_jobs(now + timedelta(minutes=5))
    assert len(calls) == 2
    state = JobState.objects.get(name="test.tick")
    assert state.runs == 2 and state.last_ok


@pytest.mark.django_db
def test_a_failing_job_is_recorded_and_does_not_stop_the_others(tick_job, broken_job):
    ran = scheduling.run_due_jobs()
    assert {"test.tick", "test.broken"} <= set(ran)
    assert calls == [1]
    state = JobState.objects.get(name="test.broken")
    assert state.last_ok is False and "disk full" in state.last_error


@pytest.mark.django_db(transaction=True)
def test_embedded_scheduler_thread_runs_jobs(tick_job):
    scheduler = scheduling.EmbeddedScheduler(tick=0.05)
    scheduler.start()
    try:
        deadline = time.monotonic() + 10
        while not calls and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        scheduler.stop()
        scheduler.join(timeout=5)
    assert calls


def _redis_available() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
        return True
    except OSError:
        return False


def test_celery_beat_schedule_is_built_from_the_registry():
    from wuye.celery import beat_schedule

    schedule = beat_schedule()
    assert schedule["core.deliver_notifications"] == {
        "task": "wuye.run_job", "schedule": 30.0, "args": ("core.deliver_notifications",)
    }


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_celery_worker_runs_a_registered_job_through_redis(settings):
    """The real distributed path: a task sent through Redis, run by a Celery worker, delivering the outbox."""
    if not _redis_available():
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    from celery.contrib.testing.worker import start_worker

    from wuye.celery import app, run_registered_job

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    app.conf.update(broker_url="redis://127.0.0.1:6379/15", result_backend="redis://127.0.0.1:6379/15",
                    task_always_eager=False)
    user = get_user_model().objects.create_user("carol", email="carol@example.com", password="x")
    notify(user, "电梯维保通知", channels=[Channel.EMAIL])

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        result = run_registered_job.delay("core.deliver_notifications")
        assert result.get(timeout=20) == 1
    assert Notification.objects.get(recipient=user).status == Notification.Status.SENT
