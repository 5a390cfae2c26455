"""Emergencies tables (SPEC §7); the rules live in the service modules (`playbooks.py`, `incidents.py`).

A playbook (预案) is a project's plan for one kind of emergency: steps in order, each with the role that does it,
a title, instructions and a time limit in minutes counted from the incident's start or from the previous step's
deadline. An incident copies its playbook's steps when the duty officer starts it; each copied step runs an SLA
clock (`incident.step`, its own deadline) whose ladder tells the emergency command group when it is late."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wuye.core.access import Role
from wuye.tenancy.models import Building, Project


class Level(models.TextChoices):
    """SPEC §7 / seed 001 ch.7 §1 (三): IV is the least severe, I the most."""

    IV = "iv", _("Level IV (general)")
    III = "iii", _("Level III (larger)")
    II = "ii", _("Level II (major)")
    I = "i", _("Level I (especially major)")  # noqa: E741


# Severity rank: a larger number is more severe (IV = 1 … I = 4).
LEVEL_RANK = {Level.IV: 1, Level.III: 2, Level.II: 3, Level.I: 4}


class IncidentKind(models.TextChoices):
    ENTRAPMENT = "entrapment", _("Elevator entrapment")
    OUTAGE = "outage", _("Water or power outage")
    FIRE = "fire", _("Fire")
    PUBLIC_HEALTH = "public_health", _("Public health event")
    EARTHQUAKE = "earthquake", _("Earthquake")


class CountedFrom(models.TextChoices):
    START = "start", _("from the incident's start")
    PREVIOUS = "previous", _("from the previous step's deadline")


class IncidentStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed (report written)")


class Playbook(models.Model):
    """A project's plan for one kind of emergency (installed from the seed's defaults, steps' minutes editable
    by the manager)."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=IncidentKind.choices)
    name = models.CharField(_("name"), max_length=80)
    level = models.CharField(_("usual level"), max_length=4, choices=Level.choices)
    created_at = models.DateTimeField(default=timezone.now)

    scope_project_path = "project"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "kind"], name="emergencies_playbook_one_per_kind")]
        ordering = ["project_id", "id"]

    def __str__(self):
        return self.name


class PlaybookStep(models.Model):
    playbook = models.ForeignKey(Playbook, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("order"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    title = models.CharField(_("step"), max_length=80)
    instructions = models.CharField(_("instructions"), max_length=500, blank=True)
    minutes = models.PositiveIntegerField(_("time limit (minutes)"))
    counted_from = models.CharField(_("counted"), max_length=10, choices=CountedFrom.choices,
                                    default=CountedFrom.START)
    # The facilities clock this step stands for when the incident comes from an entrapment (its times are kept
    # there, not twice).
    mirrors = models.CharField(max_length=40, blank=True)

    scope_project_path = "playbook__project"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["playbook", "position"],
                                               name="emergencies_playbook_step_position")]
        ordering = ["playbook_id", "position"]

    def __str__(self):
        return self.title


class Incident(models.Model):
    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="+")
    playbook = models.ForeignKey(Playbook, verbose_name=_("playbook"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=IncidentKind.choices)
    level = models.CharField(_("level"), max_length=4, choices=Level.choices)
    title = models.CharField(_("title"), max_length=80)
    building = models.ForeignKey(Building, verbose_name=_("building"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    place = models.CharField(_("place"), max_length=100, blank=True)
    buildings_affected = models.PositiveSmallIntegerField(_("buildings affected"), default=1)
    reported_at = models.DateTimeField(_("reported"))
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("duty officer"), null=True,
                                   on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=IncidentStatus.choices,
                              default=IncidentStatus.ACTIVE)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    summary = models.TextField(_("summary"), max_length=2000, blank=True)
    cause = models.TextField(_("cause"), max_length=1000, blank=True)
    lessons = models.TextField(_("lessons"), max_length=1000, blank=True)
    # What the incident came from (an elevator entrapment in facilities), at most one incident per source.
    source_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    source_id = models.BigIntegerField(null=True, blank=True)
    source = GenericForeignKey("source_type", "source_id")

    scope_project_path = "project"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source_type", "source_id"],
                                               name="emergencies_incident_one_per_source")]
        indexes = [models.Index(fields=["project", "status", "-reported_at"])]
        ordering = ["-reported_at", "-id"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("emergencies:detail", args=[self.pk])


class IncidentStep(models.Model):
    """A playbook step copied into an incident; its deadline is an `incident.step` clock (unless it mirrors a
    clock of the incident's source)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    title = models.CharField(_("step"), max_length=80)
    instructions = models.CharField(_("instructions"), max_length=500, blank=True)
    minutes = models.PositiveIntegerField()
    due_at = models.DateTimeField(_("due"))
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    note = models.CharField(_("note"), max_length=300, blank=True)
    mirrors = models.CharField(max_length=40, blank=True)

    scope_project_path = "incident__project"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["incident", "position"],
                                               name="emergencies_incident_step_position")]
        ordering = ["incident_id", "position"]

    def __str__(self):
        return f"{self.incident.title} · {self.title}"

    def get_absolute_url(self):
        return reverse("emergencies:detail", args=[self.incident_id])

    @property
    def sla_responsible_role(self) -> str:
        return self.role


class IncidentLogEntry(models.Model):
    """The incident log (事件记录): what happened when, who wrote it, photos."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="log")
    at = models.DateTimeField(_("time"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    text = models.CharField(_("what happened"), max_length=500)
    created_at = models.DateTimeField(default=timezone.now)

    scope_project_path = "incident__project"

    class Meta:
        ordering = ["incident_id", "at", "id"]

    def __str__(self):
        return self.text


class IncidentPhoto(models.Model):
    entry = models.ForeignKey(IncidentLogEntry, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(upload_to="emergencies/%Y/%m/")
    content_type = models.CharField(max_length=20)

    scope_project_path = "entry__incident__project"

    def __str__(self):
        return self.image.name
