"""Two real Celery worker processes (issue 16 item 6) on the local Redis: the outbox's deliveries, run by both at
once, send each message once. PostgreSQL only: the workers must see the test database."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from wuye.core.models import Channel
from wuye.core.outbox import notify

BROKER = os.environ.get("WUYE_TEST_BROKER_URL", "redis://127.0.0.1:6379/7")
ROOT = Path(__file__).resolve().parents[3]


def _database_url() -> str:
    s = connection.settings_dict
    return f"postgresql://{s['USER']}:{s['PASSWORD'] or ''}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def broker():
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(BROKER)
    try:
        client.flushdb()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {BROKER}")
    yield BROKER
    client.flushdb()


def _start_workers(count: int, env: dict) -> list[subprocess.Popen]:
    celery = str(Path(sys.executable).with_name("celery"))
    return [
        subprocess.Popen([celery, "-A", "wuye", "worker", "-c", "1", "-n", f"twotest{i}@%h", "--without-heartbeat",
                          "--without-gossip", "--without-mingle", "--loglevel", "warning"],
                         cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True)
        for i in range(count)
    ]


def _stop(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
    for worker in workers:
        try:
            worker.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)


@pytest.mark.django_db(transaction=True)
def test_two_workers_deliver_each_outbox_message_once(broker, tmp_path):
    if connection.vendor == "sqlite":
        pytest.skip("real workers need a database another process can see (PostgreSQL)")
    from celery import Celery

    user = get_user_model().objects.create_user("carol", password="x")
    messages = [m for index in range(40) for m in notify(user, f"消息 {index}", channels=[Channel.SMS])]
    assert len(messages) == 40
    sent_log = tmp_path / "sent.log"
    env = {**os.environ, "DATABASE_URL": _database_url(), "CELERY_BROKER_URL": broker, "CELERY_RESULT_BACKEND": "",
           "DEBUG": "1", "WUYE_SMS_ADAPTER": "wuye.core.tests.recording_adapter.RecordingSmsAdapter",
           "WUYE_TEST_SENT_LOG": str(sent_log), "WUYE_TEST_SEND_PAUSE": "0.02"}
    workers = _start_workers(2, env)
    try:
        sender = Celery(broker=broker)
        for _ in range(6):  # both workers take deliver_due batches over the same 40 messages
            sender.send_task("wuye.run_job", args=("core.deliver_notifications",))
        deadline = time.monotonic() + 120  # a wait for the workers, not a speed assertion
        while time.monotonic() < deadline:
            done = sent_log.exists() and len(sent_log.read_text().split()) >= 40
            if done and not _pending(messages):
                break
            time.sleep(0.5)
    finally:
        _stop(workers)
    sent = sent_log.read_text().split() if sent_log.exists() else []
    assert sorted(map(int, sent)) == sorted(m.pk for m in messages)  # every message once, none twice


def _pending(messages) -> bool:
    from wuye.core.models import Notification
    unsent = Notification.objects.filter(pk__in=[m.pk for m in messages]).exclude(status=Notification.Status.SENT)
    return unsent.exists()
