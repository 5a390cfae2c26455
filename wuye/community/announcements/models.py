"""Announcements tables (公告/公示, SPEC §7): a notice of a project (or of some of its buildings), its attachments and
who has read it. The rules live in `services.py` (the state table `TRANSITIONS` and one function per action)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wuye.tenancy.models import Building, Project

USER = settings.AUTH_USER_MODEL


class AnnouncementKind(models.TextChoices):
    NOTICE = "notice", _("Notice")
    OUTAGE_WATER = "outage_water", _("Planned water outage")
    OUTAGE_POWER = "outage_power", _("Planned power outage")
    OUTAGE_GAS = "outage_gas", _("Planned gas outage")
    DISCLOSURE = "disclosure", _("Public disclosure")
    EVENT = "event", _("Community event")


OUTAGE_KINDS = frozenset({AnnouncementKind.OUTAGE_WATER, AnnouncementKind.OUTAGE_POWER, AnnouncementKind.OUTAGE_GAS})


class AnnouncementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING_APPROVAL = "pending_approval", _("Awaiting approval")
    SCHEDULED = "scheduled", _("Approved, scheduled")
    PUBLISHED = "published", _("Published")
    EXPIRED = "expired", _("Expired")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class AnnouncementQuerySet(models.QuerySet):
    def live(self, now=None):
        """Published and not past their expiry: what the portal's feed shows."""
        now = now or timezone.now()
        return self.filter(status=AnnouncementStatus.PUBLISHED).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now))

    def due_to_publish(self, now):
        return self.filter(status=AnnouncementStatus.SCHEDULED, publish_at__lte=now)

    def due_to_expire(self, now):
        return self.filter(status=AnnouncementStatus.PUBLISHED, expires_at__lte=now)


class Announcement(models.Model):
    """A notice or disclosure of a project: to every household of the project, or of the chosen buildings."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.PROTECT,
                                related_name="announcements")
    buildings = models.ManyToManyField(Building, verbose_name=_("buildings"), blank=True, related_name="+",
                                       help_text=_("None: the whole project."))
    kind = models.CharField(_("kind"), max_length=16, choices=AnnouncementKind.choices,
                            default=AnnouncementKind.NOTICE)
    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("text"))
    precautions = models.TextField(_("precautions"), blank=True)
    outage_start = models.DateTimeField(_("outage starts"), null=True, blank=True)
    outage_end = models.DateTimeField(_("supply restored"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=AnnouncementStatus.choices,
                              default=AnnouncementStatus.DRAFT)
    pinned = models.BooleanField(_("pinned"), default=False)
    publish_at = models.DateTimeField(_("publish at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    audience_size = models.PositiveIntegerField(_("audience"), default=0)
    author = models.ForeignKey(USER, verbose_name=_("author"), null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    approver = models.ForeignKey(USER, verbose_name=_("approved by"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    reject_reason = models.CharField(_("reason returned"), max_length=200, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdraw_reason = models.CharField(_("reason withdrawn"), max_length=200, blank=True)

    objects = AnnouncementQuerySet.as_manager()
    scope_project_path = "project"
    scope_unit_path = "project__units"  # an owner reaches a notice through their project; narrowed below

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ["-pinned", "-published_at", "-created_at", "-id"]
        indexes = [
            models.Index(fields=["project", "status"], name="announcement_project_status"),
            models.Index(fields=["status", "publish_at"], name="announcement_publish_due"),
            models.Index(fields=["status", "expires_at"], name="announcement_expiry_due"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(outage_end__isnull=True) | models.Q(outage_start__isnull=True)
                                   | models.Q(outage_end__gt=models.F("outage_start")),
                                   name="announcement_outage_ends_after_start"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("announcements:detail", args=[self.pk])

    @property
    def is_outage(self) -> bool:
        return self.kind in OUTAGE_KINDS

    @classmethod
    def narrow_for_owner(cls, queryset, actor):
        """Owners read only published (or since expired) notices, of their whole project or of a building they
        live in."""
        targeted = cls.buildings.through.objects.filter(building__units__in=actor.unit_ids).values("announcement_id")
        any_building = cls.buildings.through.objects.values("announcement_id")
        return queryset.filter(status__in=(AnnouncementStatus.PUBLISHED, AnnouncementStatus.EXPIRED)).filter(
            models.Q(pk__in=targeted) | ~models.Q(pk__in=any_building))


class AnnouncementAttachment(models.Model):
    """A PDF or a picture published with a notice (a map of the outage, the disclosure's statement)."""

    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="attachments")
    title = models.CharField(_("title"), max_length=100)
    file = models.FileField(_("file"), upload_to="announcements/%Y/%m/")
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    scope_project_path = "announcement__project"

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["announcement_id", "id"]

    def __str__(self):
        return self.title

    @property
    def is_pdf(self) -> bool:
        return self.content_type == "application/pdf"


class AnnouncementRead(models.Model):
    """A person opened a published notice (counted once per person)."""

    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(_("read"), default=timezone.now)

    class Meta:
        verbose_name = _("read receipt")
        verbose_name_plural = _("read receipts")
        constraints = [models.UniqueConstraint(fields=["announcement", "user"], name="announcement_read_once")]

    def __str__(self):
        return f"{self.announcement_id}:{self.user_id}"
