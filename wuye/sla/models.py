"""The SLA engine's tables: service standards with their policies, and clocks on any subject.

The engine knows no process: a clock points at its subject through a content type and carries the policy key a
process chose ("repair.emergency.dispatch"). Every deadline of the product is one of these clocks (§2.3).
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from wuye.core.access import Role
from wuye.tenancy.models import Project


class ServiceStandard(models.Model):
    """A named set of time limits (the SPEC defaults, the five-star set …) that a project adopts."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("service standard")
        verbose_name_plural = _("service standards")

    def __str__(self):
        return self.name


class ProjectStandard(models.Model):
    """Which service standard a project follows (projects without one follow the default standard)."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="sla_standard")
    standard = models.ForeignKey(ServiceStandard, on_delete=models.PROTECT, related_name="+")

    scope_project_path = "project"

    class Meta:
        verbose_name = _("project service standard")
        verbose_name_plural = _("project service standards")

    def __str__(self):
        return f"{self.project}: {self.standard}"


class Measure(models.TextChoices):
    CALENDAR = "calendar", _("Calendar time")
    WORKING = "working", _("Working time")


class Policy(models.Model):
    """One time limit of a standard: target, how it is measured, when to warn, whom to escalate to and when.

    `escalation` is the ladder after the deadline: a list of {"after_minutes": n, "role": "<Role>",
    "supervisor": bool}; level 1 is the first rung. `responsible_role` names the department whose supervisor is
    told first when the ladder says so; a rung without a role goes to the responsible department — the subject's
    own when it names one (`sla_responsible_role`, e.g. a rectification's department), else the policy's.
    """

    standard = models.ForeignKey(ServiceStandard, on_delete=models.CASCADE, related_name="policies")
    key = models.CharField(_("key"), max_length=64, help_text=_("e.g. repair.emergency.dispatch"))
    name = models.CharField(_("name"), max_length=100)
    target = models.DurationField(_("target"))
    measure = models.CharField(_("measured in"), max_length=16, choices=Measure.choices, default=Measure.CALENDAR)
    warn_percent = models.PositiveSmallIntegerField(_("warning point (percent of target)"), default=80)
    responsible_role = models.CharField(_("responsible department"), max_length=32, choices=Role.choices)
    escalation = models.JSONField(_("escalation ladder"), default=list, blank=True)

    class Meta:
        verbose_name = _("time-limit policy")
        verbose_name_plural = _("time-limit policies")
        constraints = [models.UniqueConstraint(fields=["standard", "key"], name="policy_key_unique_in_standard")]

    def __str__(self):
        return f"{self.standard.code}:{self.key}"

    def rung(self, level: int) -> dict | None:
        """The escalation step `level` (1-based), or None past the top of the ladder."""
        return self.escalation[level - 1] if 0 < level <= len(self.escalation) else None


class ClockState(models.TextChoices):
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    MET = "met", _("Met")
    BREACHED = "breached", _("Breached")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATES = (ClockState.RUNNING, ClockState.PAUSED)


class ClockQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state__in=OPEN_STATES)

    def for_subject(self, subject):
        return self.filter(subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk)

    def due_for_check(self, now):
        """Clocks whose next warning or escalation moment has come: an index range scan, O(due)."""
        return self.filter(next_check_at__lte=now).order_by("next_check_at", "id")

    def overdue(self, now):
        return self.open().filter(due_at__lt=now)

    def at_risk(self, now):
        return self.open().filter(warn_at__lte=now, due_at__gte=now)


class Clock(models.Model):
    """A running time limit on a subject. `next_check_at` is the one moment the sweep must look at it again
    (the warning point, the deadline, the next escalation rung), recomputed on every change; None when there is
    nothing left to watch (paused, stopped, top of the ladder)."""

    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    subject_id = models.BigIntegerField()
    subject = GenericForeignKey("subject_type", "subject_id")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="+")
    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="clocks")
    key = models.CharField(max_length=64)

    state = models.CharField(_("state"), max_length=16, choices=ClockState.choices, default=ClockState.RUNNING)
    started_at = models.DateTimeField(_("started"))
    due_at = models.DateTimeField(_("due"))
    warn_at = models.DateTimeField(_("warn at"))
    paused_at = models.DateTimeField(null=True, blank=True)
    remaining_at_pause = models.DurationField(null=True, blank=True)
    stopped_at = models.DateTimeField(_("stopped"), null=True, blank=True)
    # Signed: negative when met early, positive = how late (measured like the target: calendar or working time).
    overrun = models.DurationField(_("overrun"), null=True, blank=True)

    warned_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(default=0)
    next_check_at = models.DateTimeField(null=True, blank=True)
    # The person currently responsible (set by the process on dispatch/reassign); warned first.
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("assignee"),
    )
    # Bumped by every change; the sweep claims a step with UPDATE … WHERE version = old, so it acts exactly once.
    version = models.PositiveIntegerField(default=0)

    objects = ClockQuerySet.as_manager()
    scope_project_path = "project"

    class Meta:
        verbose_name = _("time-limit clock")
        verbose_name_plural = _("time-limit clocks")
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id", "key"], condition=models.Q(state__in=["running", "paused"]),
                name="clock_one_open_per_subject_key",
            )
        ]
        indexes = [
            models.Index(fields=["next_check_at"], condition=models.Q(next_check_at__isnull=False),
                         name="clock_next_check"),
            models.Index(fields=["subject_type", "subject_id"], name="clock_subject"),
            models.Index(fields=["project", "state", "due_at"], name="clock_project_due"),
            # KPIs (wuye.core.kpis): the clocks of some keys stopped in a month, counted met or breached.
            models.Index(fields=["project", "key", "stopped_at"], include=["state"], name="clock_kpi_stopped",
                         condition=models.Q(stopped_at__isnull=False)),
        ]

    def __str__(self):
        return f"{self.key} → {self.due_at:%Y-%m-%d %H:%M} ({self.state})"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def met(self) -> bool | None:
        """True/False once decided (stopped, or already past due), None while it can still be met."""
        if self.state == ClockState.MET:
            return True
        if self.state == ClockState.BREACHED or self.breached_at is not None:
            return False
        return None

    def overrun_minutes(self) -> float | None:
        return None if self.overrun is None else self.overrun / timedelta(minutes=1)
