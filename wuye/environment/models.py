"""Environment (环境管理, SPEC §5, seed 001 ch.5): cleaning zones with their frequencies and the dated cleaning
tasks they generate, greening plans by season with their tasks. The supervisor's daily round, the weekly spot
checks and the weekly greening checks are quality inspections (the quality standards library's environment
check sheets); findings open rectifications through `quality.rectifications`.

Tables only; the rules live in `cleaning.py` and `greening.py`. Every task is a clock on the SLA engine
(`cleaning.task`, `greening.task`), started when its time comes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wuye.tenancy.models import Building, Project

USER = settings.AUTH_USER_MODEL


class ZoneKind(models.TextChoices):
    ROAD = "road", _("Main road")
    TOILET = "toilet", _("Public toilet")
    ELEVATOR = "elevator", _("Elevator car")
    STAIRWELL = "stairwell", _("Stairwell and corridor")
    LOBBY = "lobby", _("Lobby")
    GARAGE = "garage", _("Garage")
    SQUARE = "square", _("Square and playground")
    BINS = "bins", _("Refuse point")
    OTHER = "other", _("Other")


class CleaningZone(models.Model):
    """A cleaning zone (清洁区域) with the person responsible and its frequency: a task starts at each of `times`
    ("07:00", "14:00" — main roads twice a day; public toilets every 2 h; elevator cars disinfected daily) and is
    due `task_minutes` later."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.PROTECT,
                                related_name="cleaning_zones")
    name = models.CharField(_("zone"), max_length=60)
    kind = models.CharField(_("kind"), max_length=16, choices=ZoneKind.choices)
    building = models.ForeignKey(Building, verbose_name=_("building"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    times = models.JSONField(_("task start times"), default=list)  # ["07:00", "14:00"], sorted
    task_minutes = models.PositiveSmallIntegerField(_("minutes a task may take"), default=60)
    disinfection = models.BooleanField(_("disinfection (消毒)"), default=False)
    standard = models.CharField(_("what clean means here"), max_length=200, blank=True)
    cleaner = models.ForeignKey(USER, verbose_name=_("cleaner"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    is_active = models.BooleanField(_("active"), default=True)

    scope_project_path = "project"

    class Meta:
        verbose_name = _("cleaning zone")
        verbose_name_plural = _("cleaning zones")
        ordering = ["project_id", "name"]
        constraints = [models.UniqueConstraint(fields=["project", "name"], name="environment_zone_name")]

    def __str__(self):
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("environment:zone", args=[self.pk])


class TaskStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    DONE = "done", _("Done")
    MISSED = "missed", _("Not done")
    CANCELLED = "cancelled", _("Cancelled")


class CleaningTask(models.Model):
    """One cleaning of a zone: starts at `starts_at`, due at `due_at` (its `cleaning.task` clock); marked done on
    the phone with photos (quality evidence); late when done after the deadline; not done when the day ends."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.PROTECT,
                                related_name="cleaning_tasks")
    zone = models.ForeignKey(CleaningZone, verbose_name=_("zone"), on_delete=models.PROTECT, related_name="tasks")
    starts_at = models.DateTimeField(_("starts"))
    due_at = models.DateTimeField(_("due"))
    status = models.CharField(_("status"), max_length=16, choices=TaskStatus.choices, default=TaskStatus.SCHEDULED)
    clock_started = models.BooleanField(default=False)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(USER, verbose_name=_("done by"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    late = models.BooleanField(_("late"), default=False)
    note = models.CharField(_("note"), max_length=300, blank=True)

    scope_project_path = "project"
    sla_related = ("zone",)
    sla_responsible_role = "environment"

    class Meta:
        verbose_name = _("cleaning task")
        verbose_name_plural = _("cleaning tasks")
        ordering = ["starts_at", "id"]
        constraints = [models.UniqueConstraint(fields=["zone", "starts_at"], name="environment_task_once")]
        indexes = [models.Index(fields=["project", "starts_at"], name="environment_task_day"),
                   models.Index(fields=["status", "clock_started", "starts_at"], name="environment_task_open")]

    def __str__(self):
        return f"{self.zone.name} {timezone.localtime(self.starts_at):%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("environment:task", args=[self.pk])


class GreeningActivity(models.TextChoices):
    MOWING = "mowing", _("Mowing")
    PRUNING = "pruning", _("Pruning")
    FERTILISING = "fertilising", _("Fertilising")
    PEST_CONTROL = "pest_control", _("Pest control")
    WATERING = "watering", _("Watering")
    SHADING = "shading", _("Shading")
    LEAF_CLEARING = "leaf_clearing", _("Clearing fallen leaves")
    WINTER_PROTECTION = "winter_protection", _("Winter protection")


class GreeningPlan(models.Model):
    """A greening plan (绿化养护计划) by season: an activity on an area in the months it belongs to (seed 001
    ch.5 §2: spring pruning, fertilising and pest control; summer watering, shading and aphids; autumn leaves and
    fertilising; winter protection), every `every_days` days in those months."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.PROTECT,
                                related_name="greening_plans")
    area = models.CharField(_("green area"), max_length=60)
    activity = models.CharField(_("activity"), max_length=20, choices=GreeningActivity.choices)
    months = models.JSONField(_("months"), default=list)  # [3, 4, 5]
    every_days = models.PositiveSmallIntegerField(_("every (days)"), default=7)
    instructions = models.CharField(_("instructions"), max_length=200, blank=True)
    gardener = models.ForeignKey(USER, verbose_name=_("gardener"), null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    is_active = models.BooleanField(_("active"), default=True)

    scope_project_path = "project"

    class Meta:
        verbose_name = _("greening plan")
        verbose_name_plural = _("greening plans")
        ordering = ["project_id", "area", "activity"]
        constraints = [models.UniqueConstraint(fields=["project", "area", "activity"], name="environment_plan_once")]

    def __str__(self):
        return f"{self.area} {self.get_activity_display()}"


class GreeningTask(models.Model):
    """One dated greening task of a plan; its `greening.task` clock ends with its due day."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.PROTECT,
                                related_name="greening_tasks")
    plan = models.ForeignKey(GreeningPlan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="tasks")
    due_on = models.DateField(_("due"))
    status = models.CharField(_("status"), max_length=16, choices=TaskStatus.choices, default=TaskStatus.SCHEDULED)
    clock_started = models.BooleanField(default=False)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(USER, verbose_name=_("done by"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    late = models.BooleanField(_("late"), default=False)
    note = models.CharField(_("note"), max_length=300, blank=True)

    scope_project_path = "project"
    sla_related = ("plan",)
    sla_responsible_role = "environment"

    class Meta:
        verbose_name = _("greening task")
        verbose_name_plural = _("greening tasks")
        ordering = ["due_on", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "due_on"], name="environment_greening_once")]
        indexes = [models.Index(fields=["project", "due_on"], name="environment_greening_day")]

    def __str__(self):
        return f"{self.plan} {self.due_on:%m-%d}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("environment:greening_task", args=[self.pk])
