"""Community activities tables (SPEC §7); the rules live in `services.py`."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from wuye.core.money import MoneyField
from wuye.tenancy.models import Project, Unit


class ActivityStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open for sign-up")
    CLOSED = "closed", _("Sign-up closed")
    CANCELLED = "cancelled", _("Cancelled")
    DONE = "done", _("Activity held")


class Activity(models.Model):
    """A community activity with sign-up: `capacity` people in all, sign-up until `signup_deadline`; `fee` per
    person (0: free), billed through billing when a signed-up household checks in."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="activities")
    title = models.CharField(_("title"), max_length=60)
    description = models.TextField(_("description"), max_length=1000, blank=True)
    place = models.CharField(_("venue"), max_length=60)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    signup_deadline = models.DateTimeField(_("sign-up deadline"))
    capacity = models.PositiveIntegerField(_("places"))
    fee = MoneyField(_("fee per person"), default=0)
    status = models.CharField(_("status"), max_length=12, choices=ActivityStatus.choices,
                              default=ActivityStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    scope_project_path = "project"
    scope_unit_path = "project__units"  # owners see the activities of their communities

    class Meta:
        verbose_name = _("community activity")
        verbose_name_plural = _("community activities")
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["project", "status", "starts_at"], name="activity_status_idx")]

    def __str__(self):
        return self.title

    @classmethod
    def narrow_for_owner(cls, queryset, actor):
        return queryset.exclude(status=ActivityStatus.DRAFT)


class SignupStatus(models.TextChoices):
    SIGNED_UP = "signed_up", _("Signed up")
    CANCELLED = "cancelled", _("Cancelled")
    CHECKED_IN = "checked_in", _("Checked in")


class ActivitySignup(models.Model):
    """One household member's sign-up (one per person and activity: signing up again after cancelling reuses it)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="signups")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="activity_signups")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="activity_signups")
    people = models.PositiveSmallIntegerField(_("people"), default=1)
    status = models.CharField(_("status"), max_length=12, choices=SignupStatus.choices,
                              default=SignupStatus.SIGNED_UP)
    code = models.CharField(_("check-in code"), max_length=8)
    created_at = models.DateTimeField()
    cancelled_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_in_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+")

    scope_project_path = "project"
    scope_unit_path = "unit"

    class Meta:
        verbose_name = _("activity sign-up")
        verbose_name_plural = _("activity sign-ups")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "user"], name="activity_signup_once"),
            models.UniqueConstraint(fields=["activity", "code"], name="activity_signup_code_unique"),
        ]

    def __str__(self):
        return f"{self.activity} · {self.unit}"
