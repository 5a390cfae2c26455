"""The notification outbox: `notify()` writes messages in the caller's transaction; `deliver_due()` (a periodic
job) sends them through channel adapters with retries and exponential back-off.

A channel adapter is a class with `send(notification)` that raises on failure; settings.WUYE_CHANNEL_ADAPTERS
maps channel codes to adapters, so SMS or WeChat gateways plug in without touching this module.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mail
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.module_loading import import_string

from .bulk import insert_instances
from .models import Channel, Notification, NotificationKind

logger = logging.getLogger(__name__)

CLAIM_SECONDS = 120  # a worker that crashes mid-delivery frees its messages after this long
BATCH_SIZE = 200


class DeliveryError(Exception):
    """A channel could not deliver now; the message will be retried."""


class ChannelAdapter:
    channel: str = ""

    def send(self, notification: Notification) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class InAppAdapter(ChannelAdapter):
    """In-app messages are delivered by being in the recipient's inbox."""

    channel = Channel.IN_APP

    def send(self, notification):
        return None


class EmailAdapter(ChannelAdapter):
    channel = Channel.EMAIL

    def send(self, notification):
        address = notification.recipient.email
        if not address:
            raise DeliveryError("The recipient has no e-mail address.")
        send_mail(notification.subject_line, notification.body, None, [address])


class LoggingSmsAdapter(ChannelAdapter):
    """Stands in for an SMS gateway until one is configured: logs (masked) and counts as delivered."""

    channel = Channel.SMS

    def send(self, notification):
        logger.info("SMS to user %s: %s", notification.recipient_id, notification.subject_line)


class LoggingWeChatAdapter(LoggingSmsAdapter):
    channel = Channel.WECHAT


class WebhookSmsAdapter(ChannelAdapter):
    """Sends an SMS through the company's gateway: POST {"to", "text"} as JSON to `WUYE_SMS_WEBHOOK_URL` with the
    bearer `WUYE_SMS_WEBHOOK_TOKEN` (most SMS providers, or a small relay in front of one, take this). The number
    is the recipient's own (`WUYE_PHONE_LOOKUP`: the staff profile's or the owner's record); none, or a refusal
    by the gateway, is a DeliveryError the outbox retries with back-off."""

    channel = Channel.SMS
    timeout = 10

    def send(self, notification):
        import json
        import urllib.error
        import urllib.request

        url = settings.WUYE_SMS_WEBHOOK_URL
        if not url:
            raise DeliveryError("WUYE_SMS_WEBHOOK_URL is not set.")
        phone = import_string(settings.WUYE_PHONE_LOOKUP)(notification.recipient)
        if not phone:
            raise DeliveryError("The recipient has no mobile number on record.")
        text = " ".join(filter(None, (notification.subject_line, notification.body)))[:500]
        headers = {"Content-Type": "application/json",
                   "Authorization": f"Bearer {settings.WUYE_SMS_WEBHOOK_TOKEN}"}
        request = urllib.request.Request(url, data=json.dumps({"to": phone, "text": text}).encode(), method="POST",
                                         headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                if not 200 <= answer.status < 300:
                    raise DeliveryError(f"The SMS gateway answered {answer.status}.")
        except (urllib.error.URLError, TimeoutError, OSError) as problem:
            raise DeliveryError(f"The SMS gateway could not be reached: {problem}") from None


def adapter_for(channel: str) -> ChannelAdapter:
    if channel == Channel.IN_APP:
        return InAppAdapter()
    try:
        return import_string(settings.WUYE_CHANNEL_ADAPTERS[channel])()
    except KeyError:
        raise DeliveryError(f"No adapter is configured for channel {channel!r}.") from None


@dataclass(frozen=True)
class Links:
    """Where a message leads, per audience: an owner opens the portal page (`/h5/…`), staff the console page
    (`/console/…`). `compose()` gives each recipient theirs; an audience without a page gets no link."""

    owner: str = ""
    staff: str = ""

    def for_recipient(self, is_staff: bool) -> str:
        return self.staff if is_staff else self.owner


def safe_link(link: str) -> str:
    """A message's link as it may be followed: a local path only ("/…"); anything else (another site,
    "//host", "javascript:") is dropped, so a message can never send its reader off the site."""
    link = (link or "").strip()
    if not link.startswith("/") or not url_has_allowed_host_and_scheme(link, allowed_hosts=set()):
        return ""
    return link


def staff_ids(users) -> set[int]:
    """Which of these users are staff (a staff profile, or a superuser): they read the console, the rest the
    portal. One query."""
    ids = [user.pk for user in users]
    if not ids:
        return set()
    user_model = get_user_model()
    # The staff profile lives in `people`, above this module: named by its reverse relation, never imported.
    return set(user_model.objects.filter(pk__in=ids).filter(
        Q(is_superuser=True) | Q(staff_profile__isnull=False)).values_list("pk", flat=True))


# What a message is about when its caller does not say: from the app of what caused it. A deadline (sla) is
# about its subject.
KINDS_BY_APP = {"workorders": NotificationKind.TICKET, "billing": NotificationKind.BILLING}


def kind_for(source) -> str:
    if source is None:
        return NotificationKind.SYSTEM
    kind = KINDS_BY_APP.get(source._meta.app_label)
    if kind is None and source._meta.app_label == "sla":
        subject = getattr(source, "subject", None)
        kind = KINDS_BY_APP.get(subject._meta.app_label) if subject is not None else None
    return kind or NotificationKind.SYSTEM


def compose(
    recipients,
    subject_line: str,
    body: str = "",
    *,
    channels: Iterable[str] = (Channel.IN_APP,),
    link: str | Links = "",
    source=None,
    dedupe_key: str | None = None,
    kind: str | None = None,
    at: datetime | None = None,
) -> list[Notification]:
    """Unsaved messages, one per recipient and channel; `post()` writes them. Use `notify()` for one cause.

    `link` is a local path, or `Links(owner=…, staff=…)` when owners and staff may both receive it; `kind` (the
    inbox filter) defaults from `source`; `at` dates a message whose cause happened earlier (a notice issued
    for a past moment), so it is not news to someone whose account is younger than that.
    """
    if not isinstance(recipients, (list, tuple, set, frozenset)) and not hasattr(recipients, "model"):
        recipients = [recipients]
    recipients = list(dict.fromkeys(recipients))
    source_type = ContentType.objects.get_for_model(source) if source is not None else None
    kind = kind if kind in NotificationKind.values else kind_for(source)
    if isinstance(link, Links):
        staff = staff_ids(recipients) if link.owner != link.staff else set()
        links = {recipient.pk: safe_link(link.for_recipient(recipient.pk in staff)) for recipient in recipients}
    else:
        links = dict.fromkeys((recipient.pk for recipient in recipients), safe_link(link))
    now = at or timezone.now()
    return [
        Notification(
            created_at=now,
            recipient=recipient,
            channel=channel,
            kind=kind,
            subject_line=subject_line[:200],
            body=body,
            link=links[recipient.pk],
            source_type=source_type,
            source_id=getattr(source, "pk", None),
            dedupe_key=f"{dedupe_key}:{recipient.pk}:{channel}" if dedupe_key else None,
            # In-app messages need no transmission: they are in the inbox as soon as the cause commits.
            status=Notification.Status.SENT if channel == Channel.IN_APP else Notification.Status.PENDING,
            sent_at=now if channel == Channel.IN_APP else None,
        )
        for recipient in recipients
        for channel in channels
    ]


def _insert_keyed(messages: list[Notification]) -> list[Notification]:
    """PostgreSQL, every message keyed: one statement (`core.bulk.insert_instances`, ON CONFLICT DO NOTHING) — the
    unique dedupe key skips what is already in the outbox, also a concurrent writer's; the messages written are
    those whose key comes back. They come back without ids."""
    unique: dict[str, Notification] = {}
    for message in messages:
        unique.setdefault(message.dedupe_key, message)
    written = {row[0] for row in insert_instances(Notification, list(unique.values()), returning=("dedupe_key",),
                                                  skip_conflicts=True)}
    return [message for key, message in unique.items() if key in written]


def post(messages: list[Notification]) -> list[Notification]:
    """Write composed messages, skipping any whose dedupe key is already in the outbox: one statement on
    PostgreSQL when every message has a key (`_insert_keyed`), else a check and a bulk insert."""
    keyed = [m.dedupe_key for m in messages if m.dedupe_key]
    if keyed and len(keyed) == len(messages) and connection.vendor == "postgresql":
        return _insert_keyed(messages)
    if keyed:
        seen = set(Notification.objects.filter(dedupe_key__in=keyed).values_list("dedupe_key", flat=True))
        messages = [m for m in messages if m.dedupe_key not in seen]
        # A concurrent writer may store the same key between the check and the insert: the unique key wins.
        Notification.objects.bulk_create(messages, ignore_conflicts=True)
    else:
        Notification.objects.bulk_create(messages)
    return messages


def notify(recipients, subject_line: str, body: str = "", **options) -> list[Notification]:
    """Put a message for each recipient and channel in the outbox; call inside the transaction of its cause.

    With `dedupe_key`, a message already in the outbox for the same key, recipient and channel is not written
    again — so a retried job or a repeated sweep never notifies twice.
    """
    return post(compose(recipients, subject_line, body, **options))


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 … minutes after the first, second, third … failure, capped at 6 hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def _claim(message_id: int, now) -> bool:
    """Take one message for delivery; exactly one of several concurrent workers wins."""
    return bool(
        Notification.objects.deliverable(now)
        .filter(pk=message_id)
        .update(status=Notification.Status.SENDING, claimed_until=now + timedelta(seconds=CLAIM_SECONDS))
    )


def deliver(message: Notification, now=None) -> Notification:
    """Send one claimed message and record the outcome."""
    now = now or timezone.now()
    try:
        adapter_for(message.channel).send(message)
    except Exception as error:  # any adapter failure is retried, never lost
        message.attempts += 1
        message.last_error = f"{type(error).__name__}: {error}"[:2000]
        if message.attempts >= settings.WUYE_OUTBOX_MAX_ATTEMPTS:
            message.status = Notification.Status.FAILED
        else:
            message.status = Notification.Status.PENDING
            message.next_attempt_at = now + backoff(message.attempts)
        logger.warning("Delivery of notification %s failed (attempt %s): %s", message.pk, message.attempts, error)
    else:
        message.attempts += 1
        message.status, message.sent_at, message.last_error = Notification.Status.SENT, now, ""
    message.claimed_until = None
    message.save(update_fields=["attempts", "status", "next_attempt_at", "sent_at", "last_error", "claimed_until"])
    return message


def deliver_due(now=None, limit: int = BATCH_SIZE) -> int:
    """Deliver messages that are due; safe to run in several processes at once. Returns how many were sent."""
    now = now or timezone.now()
    sent = 0
    candidates = list(
        Notification.objects.deliverable(now).order_by("next_attempt_at").values_list("pk", flat=True)[:limit]
    )
    for message_id in candidates:
        if not _claim(message_id, now):
            continue
        message = Notification.objects.select_related("recipient").get(pk=message_id)
        if deliver(message, now).status == Notification.Status.SENT:
            sent += 1
    return sent


def mark_read(message: Notification) -> Notification:
    if message.read_at is None:
        message.read_at = timezone.now()
        message.save(update_fields=["read_at"])
    return message


def mark_all_read(user, kind: str = "") -> int:
    """Mark a person's unread in-app messages read (only those of `kind` when it names one); returns how many."""
    return Notification.objects.inbox(user, kind).unread().update(read_at=timezone.now())
