"""Ground-floor tables: working calendars, the event log, the notification outbox, job state, API tokens.

Nothing here knows a domain: events and notifications point at any subject through content types.
"""

import hashlib
import secrets
from datetime import time, timedelta

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class WorkCalendar(models.Model):
    """Working hours of a service standard; projects point at one. Statutory holidays: see wuye.core.calendar."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    morning_start = models.TimeField(_("morning start"), default=time(8, 0))
    morning_end = models.TimeField(_("morning end"), default=time(12, 0))
    afternoon_start = models.TimeField(_("afternoon start"), default=time(13, 0))
    afternoon_end = models.TimeField(_("afternoon end"), default=time(17, 0))

    class Meta:
        verbose_name = _("working calendar")
        verbose_name_plural = _("working calendars")

    def __str__(self):
        return self.name

    def clean(self):
        if not (self.morning_start < self.morning_end <= self.afternoon_start < self.afternoon_end):
            raise ValidationError(_("Working periods must be in order and must not overlap."))


class CalendarOverride(models.Model):
    """A date a calendar treats differently from the statutory calendar (a local holiday, an extra duty day)."""

    calendar = models.ForeignKey(WorkCalendar, on_delete=models.CASCADE, related_name="overrides")
    date = models.DateField(_("date"))
    is_working_day = models.BooleanField(_("is a working day"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="calendar_override_unique_date")]

    def __str__(self):
        return f"{self.date} {'+' if self.is_working_day else '-'}"


class StatutoryYear(models.Model):
    """A year whose State Council holiday schedule (放假安排) an administrator imported: the year is confirmed, and
    its days below replace every library's guess for it (see wuye.core.calendar)."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    confirmed_at = models.DateTimeField(_("imported at"), default=timezone.now)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("imported by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("statutory holiday schedule")
        verbose_name_plural = _("statutory holiday schedules")

    def __str__(self):
        return str(self.year)


class StatutoryDay(models.Model):
    """A day listed in an imported schedule: off (放假), or worked (调休上班). Days not listed follow Monday–Friday."""

    schedule = models.ForeignKey(StatutoryYear, on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(_("is a working day"))
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("statutory day")
        verbose_name_plural = _("statutory days")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {'+' if self.is_working_day else '-'}"


class AppendOnly(models.Model):
    """Rows that are history (events, ledger entries): written once, never changed or deleted — a correction is a
    new row. (Bulk inserts are fine; an update or delete through the model raises.)"""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValueError(f"{type(self).__name__} rows are append-only; add a new row instead of changing one.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError(f"{type(self).__name__} rows are append-only and cannot be deleted.")


class EventQuerySet(models.QuerySet):
    def for_subject(self, subject):
        return self.filter(
            subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk
        ).order_by("created_at", "id")


class Event(AppendOnly):
    """One step on record: who did what to which subject, when. Append-only."""

    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    subject_id = models.BigIntegerField()
    subject = GenericForeignKey("subject_type", "subject_id")
    # The project the subject belongs to (a plain id: the ground floor knows no tenancy), for audit queries by scope.
    project_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    verb = models.CharField(_("action"), max_length=64)
    data = models.JSONField(_("details"), default=dict, blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [models.Index(fields=["subject_type", "subject_id", "created_at"], name="event_subject_time")]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.verb}"



class Channel(models.TextChoices):
    IN_APP = "inapp", _("In-app")
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    WECHAT = "wechat", _("WeChat")


class NotificationKind(models.TextChoices):
    """What a message is about, for the inbox's filter."""

    TICKET = "ticket", _("Repairs and complaints")
    BILLING = "billing", _("Fees and payments")
    APPROVAL = "approval", _("Approval requests")
    SYSTEM = "system", _("System")


class NotificationQuerySet(models.QuerySet):
    def inbox(self, user, kind: str = ""):
        """A person's in-app messages, newest first (of one kind when `kind` names one). Each row knows when its
        recipient's account began (`recipient_joined`), so `is_unread` needs no further query."""
        messages = self.filter(recipient=user, channel=Channel.IN_APP)
        if kind in NotificationKind.values:
            messages = messages.filter(kind=kind)
        return messages.annotate(recipient_joined=models.Value(
            user.date_joined, output_field=models.DateTimeField())).order_by("-created_at", "-id")

    def unread(self):
        """Not read yet — and written after the recipient's account began: what happened before a person had a
        login (a portal account granted later, notices dated in the past) is on record, not news."""
        return self.filter(read_at__isnull=True, created_at__gte=models.F("recipient__date_joined"))

    def deliverable(self, now):
        """Pending messages whose next attempt is due, and messages a crashed worker left claimed."""
        return self.filter(
            models.Q(status=Notification.Status.PENDING, next_attempt_at__lte=now)
            | models.Q(status=Notification.Status.SENDING, claimed_until__lt=now)
        )


class Notification(models.Model):
    """A message to a person in the outbox, written in the same transaction as its cause, delivered by a job."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    created_at = models.DateTimeField(_("created"), default=timezone.now)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.IN_APP)
    subject_line = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    kind = models.CharField(_("type"), max_length=16, choices=NotificationKind.choices,
                            default=NotificationKind.SYSTEM)
    # What caused it (a ticket, a bill …), so a cause never notifies twice for the same reason.
    source_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    source_id = models.BigIntegerField(null=True, blank=True)
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)

    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notification_due"),
            models.Index(fields=["recipient", "channel", "-created_at"], name="notification_inbox"),
        ]

    def __str__(self):
        return self.subject_line

    @property
    def is_unread(self) -> bool:
        """Unread and news to its recipient (see `NotificationQuerySet.unread`); rows from `inbox()` know when the
        account began, others ask the recipient."""
        if self.read_at is not None:
            return False
        joined = getattr(self, "recipient_joined", None) or self.recipient.date_joined
        return self.created_at >= joined


class JobState(models.Model):
    """When a registered periodic job last ran and is next due; claimed by a conditional update so that any
    number of schedulers (or Celery beat beside them) run each occurrence once."""

    name = models.CharField(max_length=100, primary_key=True)
    next_run_at = models.DateTimeField(default=timezone.now)
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_ok = models.BooleanField(null=True)
    last_error = models.TextField(blank=True)
    runs = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("periodic job")
        verbose_name_plural = _("periodic jobs")

    def __str__(self):
        return self.name


PREFIX_LENGTH = 6


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self, now=None):
        return self.filter(expires_at__gt=now or timezone.now())

    def by_raw(self, raw: str, related: tuple[str, ...] = ()):
        return self.active().select_related("user", *related).filter(key_hash=_hash_token(raw)).first()


class ApiToken(models.Model):
    """A bearer token for the JSON API. Only its hash is stored; the raw token is shown once. Revoking one deletes
    it (wuye.core.tokens)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    # The first characters of the raw token, so its owner can tell tokens apart in a list; never enough to use it.
    prefix = models.CharField(_("prefix"), max_length=8, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    expires_at = models.DateTimeField()

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.user} {self.created_at:%Y-%m-%d}"

    @classmethod
    def issue(cls, user) -> tuple["ApiToken", str]:
        raw = secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user,
            key_hash=_hash_token(raw),
            prefix=raw[:PREFIX_LENGTH],
            expires_at=timezone.now() + timedelta(days=settings.WUYE_API_TOKEN_DAYS),
        )
        return token, raw


class UserSession(models.Model):
    """Which user a console session belongs to, so a leaver's sessions end with one indexed delete instead of
    decoding every session row (wuye.core.sessions). Deleted with its session (logout, key rotation, clearsessions)."""

    session = models.OneToOneField("sessions.Session", on_delete=models.CASCADE, primary_key=True,
                                   related_name="owner")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sessions")

    class Meta:
        verbose_name = _("signed-in session")
        verbose_name_plural = _("signed-in sessions")

    def __str__(self):
        return f"{self.user} {self.session_id[:6]}"
