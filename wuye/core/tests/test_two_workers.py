"""Two real Celery worker processes (issue 16 item 6) on the local Redis: the outbox's deliveries, run by both at
once, send each message once. PostgreSQL only: the workers must see the test database."""

import os
import time

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from wuye.core.models import Channel
from wuye.core.outbox import notify
from wuye.core.testing import database_url, start_celery_workers, stop_celery_workers


@pytest.mark.django_db(transaction=True)
def test_two_workers_deliver_each_outbox_message_once(celery_broker, tmp_path):
    broker = celery_broker
    if connection.vendor == "sqlite":
        pytest.skip("real workers need a database another process can see (PostgreSQL)")
    from celery import Celery

    user = get_user_model().objects.create_user("carol", password="x")
    messages = [m for index in range(40) for m in notify(user, f"消息 {index}", channels=[Channel.SMS])]
    assert len(messages) == 40
    sent_log = tmp_path / "sent.log"
    env = {**os.environ, "DATABASE_URL": database_url(), "CELERY_BROKER_URL": broker, "CELERY_RESULT_BACKEND": "",
           "DEBUG": "1", "WUYE_SMS_ADAPTER": "wuye.core.tests.recording_adapter.RecordingSmsAdapter",
           "WUYE_TEST_SENT_LOG": str(sent_log), "WUYE_TEST_SEND_PAUSE": "0.02"}
    workers = start_celery_workers(2, env)
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
        stop_celery_workers(workers)
    sent = sent_log.read_text().split() if sent_log.exists() else []
    assert sorted(map(int, sent)) == sorted(m.pk for m in messages)  # every message once, none twice


def _pending(messages) -> bool:
    from wuye.core.models import Notification
    unsent = Notification.objects.filter(pk__in=[m.pk for m in messages]).exclude(status=Notification.Status.SENT)
    return unsent.exists()
