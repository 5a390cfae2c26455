"""The notification outbox: written with its cause, delivered by a job, retried with back-off, never twice."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection
from django.utils import timezone

from wuye.core.models import Channel, Notification
from wuye.core.outbox import backoff, deliver_due, mark_read, notify
from wuye.core.testing import run_concurrently


class FlakyAdapter:
    """An SMS gateway that is down."""

    def send(self, notification):
        raise ConnectionError("gateway unreachable")


@pytest.fixture
def alice(db):
    return get_user_model().objects.create_user("alice", email="alice@example.com", password="x")


def test_in_app_messages_are_in_the_inbox_at_once(alice):
    notify(alice, "报修已受理", "工单 R-1 已派单")
    inbox = Notification.objects.inbox(alice)
    assert [n.subject_line for n in inbox] == ["报修已受理"]
    assert inbox[0].status == Notification.Status.SENT
    mark_read(inbox[0])
    assert not Notification.objects.inbox(alice).unread().exists()


def test_email_is_delivered_by_the_job(alice, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    notify(alice, "缴费通知", "您的物业费已出账", channels=[Channel.EMAIL])
    assert mail.outbox == []  # nothing leaves before the job runs
    assert deliver_due() == 1
    assert [m.subject for m in mail.outbox] == ["缴费通知"]
    assert Notification.objects.get(channel=Channel.EMAIL).status == Notification.Status.SENT
    assert deliver_due() == 0  # and never again


def test_failures_are_retried_with_backoff_then_given_up(alice, settings):
    settings.WUYE_CHANNEL_ADAPTERS = {**settings.WUYE_CHANNEL_ADAPTERS, "sms": f"{__name__}.FlakyAdapter"}
    settings.WUYE_OUTBOX_MAX_ATTEMPTS = 3
    (message,) = notify(alice, "停水通知", channels=[Channel.SMS])
    now = timezone.now()

    deliver_due(now)
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Notification.Status.PENDING, 1)
    assert message.next_attempt_at == now + backoff(1)
    assert "gateway unreachable" in message.last_error

    assert deliver_due(now) == 0  # not due yet: no attempt
    message.refresh_from_db()
    assert message.attempts == 1

    deliver_due(now + timedelta(minutes=1))
    deliver_due(now + timedelta(minutes=10))
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Notification.Status.FAILED, 3)


def test_backoff_doubles_and_is_capped():
    assert [backoff(n).total_seconds() / 60 for n in (1, 2, 3, 4)] == [1, 2, 4, 8]
    assert backoff(30) == timedelta(hours=6)


def test_dedupe_key_notifies_once(alice):
    notify(alice, "工单超时", dedupe_key="ticket:1:breach:1")
    notify(alice, "工单超时", dedupe_key="ticket:1:breach:1")
    assert Notification.objects.filter(recipient=alice).count() == 1


def test_a_crashed_worker_releases_its_claim(alice, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    (message,) = notify(alice, "通知", channels=[Channel.EMAIL])
    Notification.objects.filter(pk=message.pk).update(
        status=Notification.Status.SENDING, claimed_until=timezone.now() - timedelta(seconds=1)
    )
    assert deliver_due() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_deliver_each_message_once(settings):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the concurrent claim is exercised on PostgreSQL")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    user = get_user_model().objects.create_user("bob", email="bob@example.com", password="x")
    for index in range(20):
        notify(user, f"消息 {index}", channels=[Channel.EMAIL])
    assert sum(run_concurrently(deliver_due, 4)) == 20
    assert len(mail.outbox) == 20
