"""Places: Company → Project (小区) → Building (楼栋) → Unit (房屋)."""

import re

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from wuye.core.models import WorkCalendar


class Company(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    scope_project_path = None  # staff see their own company through its projects

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")

    def __str__(self):
        return self.name


class ServiceLevel(models.TextChoices):
    """The grade of service a project is contracted for (物业服务等级, as in the local standards)."""

    LEVEL_1 = "level_1", _("Level 1 (一级)")
    LEVEL_2 = "level_2", _("Level 2 (二级)")
    LEVEL_3 = "level_3", _("Level 3 (三级)")


SHORT_CODE_PATTERN = r"[A-Z0-9]{2,6}"


def derive_short_code(code: str, taken=()) -> str:
    """A project's number prefix from its code, for a project that has none yet: the capital initials of the
    code's parts (jinhua-garden → JG), else its first letters and digits (bench → BE, p1 → P1), 2–6 characters;
    a digit replaces the last character when `taken` (the company's other prefixes) already has it."""
    parts = [part for part in re.split(r"[^A-Za-z0-9]+", code or "") if part]
    base = "".join(part[0] for part in parts).upper()[:6]
    if len(base) < 2:
        base = re.sub(r"[^A-Z0-9]", "", (code or "").upper())[:2]
    base = (base + "XX")[:max(len(base), 2)]
    taken = {value.upper() for value in taken}
    if base not in taken:
        return base
    for n in range(2, 1000):
        candidate = base[:max(2, min(len(base), 6 - len(str(n))))] + str(n)
        candidate = candidate[:6]
        if candidate not in taken:
            return candidate
    raise ValueError("no free short code")  # a company with a thousand look-alike codes


class ProjectQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Project(models.Model):
    """A managed residential community (项目/小区)."""

    company = models.ForeignKey(Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="projects")
    code = models.SlugField(_("code"), max_length=32)
    # Printed before receipt and notice numbers (JH-2026-000123) so a clerk can read them aloud. Derived from the
    # code when left empty (derive_short_code); unique in the company.
    short_code = models.CharField(
        _("number prefix"), max_length=6, blank=True,
        validators=[RegexValidator(f"^{SHORT_CODE_PATTERN}$", _("Use 2 to 6 capital letters or digits, e.g. JH."))],
        help_text=_("2 to 6 capital letters or digits printed before receipt and notice numbers, e.g. JH."))
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("service phone"), max_length=20, blank=True)
    service_level = models.CharField(_("service level"), max_length=16, choices=ServiceLevel.choices, blank=True)
    work_calendar = models.ForeignKey(
        WorkCalendar, verbose_name=_("working calendar"), null=True, blank=True, on_delete=models.PROTECT,
        help_text=_("Working hours and local overrides; empty means 08:00–12:00 and 13:00–17:00."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ProjectQuerySet.as_manager()
    scope_project_path = "self"
    scope_unit_path = "buildings__units"

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["company_id", "code"]
        constraints = [
            models.UniqueConstraint(fields=["company", "code"], name="project_code_unique_in_company"),
            models.UniqueConstraint(fields=["company", "short_code"], name="project_short_code_unique_in_company"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.short_code:  # every project has a prefix to number its documents with
            taken = Project.objects.filter(company_id=self.company_id).exclude(pk=self.pk)
            self.short_code = derive_short_code(self.code, taken.values_list("short_code", flat=True))
        super().save(*args, **kwargs)

    @property
    def project_id(self):  # so events about a project carry their project like any other subject
        return self.pk


class Building(models.Model):
    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="buildings")
    number = models.CharField(_("building number"), max_length=20, help_text=_("e.g. 3 for 3号楼"))
    name = models.CharField(_("name"), max_length=50, blank=True)
    floors = models.PositiveSmallIntegerField(_("floors above ground"), validators=[MinValueValidator(1)], default=1)
    has_elevator = models.BooleanField(_("has elevator"), default=True)

    scope_project_path = "project"
    scope_unit_path = "units"

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["project_id", "number"]
        constraints = [models.UniqueConstraint(fields=["project", "number"], name="building_number_unique_in_project")]

    def __str__(self):
        return self.name or _("Building %(number)s") % {"number": self.number}


class UnitKind(models.TextChoices):
    RESIDENTIAL = "residential", _("Residential")
    COMMERCIAL = "commercial", _("Commercial")
    PARKING = "parking", _("Parking space")


class UnitQuerySet(models.QuerySet):
    def with_places(self):
        return self.select_related("building", "project")


class Unit(models.Model):
    """A property (房屋): a flat, a shop or a parking space. `project` repeats the building's, for scoping."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="units")
    building = models.ForeignKey(Building, verbose_name=_("building"), on_delete=models.PROTECT, related_name="units")
    entrance = models.CharField(_("entrance (单元)"), max_length=10, blank=True)
    number = models.CharField(_("unit number"), max_length=20)
    floor = models.SmallIntegerField(_("floor"))
    area = models.DecimalField(
        _("floor area (m²)"), max_digits=9, decimal_places=2, validators=[MinValueValidator(0)]
    )
    kind = models.CharField(_("type"), max_length=16, choices=UnitKind.choices, default=UnitKind.RESIDENTIAL)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = UnitQuerySet.as_manager()
    scope_project_path = "project"
    scope_unit_path = "id"
    sla_related = ("building",)  # its name (`label`) when the SLA sweep writes about it: fetched once per batch

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["building_id", "entrance", "floor", "number"]
        constraints = [
            models.UniqueConstraint(fields=["building", "number"], name="unit_number_unique_in_building"),
            models.CheckConstraint(condition=models.Q(area__gte=0), name="unit_area_not_negative"),
        ]
        indexes = [
            models.Index(fields=["project", "building", "entrance", "floor", "number"], name="unit_project_listing")
        ]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        """How staff say it: building-number, e.g. 3-2-1201 for 3号楼 unit 2-1201 (entrance 2, flat 1201)."""
        return f"{self.building.number}-{self.number}" if self.building_id else self.number


class ProjectRules(models.Model):
    """A project's own rules (规则设置): one row per project, created with the seeds' defaults on first change.
    What each rule means, its default, bounds and source are in `tenancy.rules.RULE_DEFAULTS`; read them through
    `tenancy.rules.rules_for(project)`, never this table directly."""

    project = models.OneToOneField(Project, verbose_name=_("project"), on_delete=models.CASCADE,
                                   related_name="rules")
    repeat_window_days = models.PositiveSmallIntegerField(_("repeat-repair window (days)"))
    return_visit_hours = models.PositiveSmallIntegerField(_("return-visit window (hours)"))
    complaint_approver = models.CharField(_("approver of a major complaint's resolution"), max_length=32)
    notice_lead_days = models.PositiveSmallIntegerField(_("payment-notice lead (days)"))
    dunning_reminder_days = models.PositiveSmallIntegerField(_("reminder notice at (days overdue)"))
    dunning_letter_days = models.PositiveSmallIntegerField(_("lawyer's letter at (days overdue)"))
    parking_free_minutes = models.PositiveSmallIntegerField(_("temporary parking free period (minutes)"), default=15)
    parking_daily_cap_yuan = models.PositiveSmallIntegerField(_("temporary parking cap per 24 hours (yuan)"),
                                                              default=20)
    patrol_every_minutes = models.PositiveSmallIntegerField(_("patrol round every (minutes)"), default=120)
    patrol_key_area_every_minutes = models.PositiveSmallIntegerField(_("key-area patrol round every (minutes)"),
                                                                     default=60)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    scope_project_path = "project"

    class Meta:
        verbose_name = _("project rules")
        verbose_name_plural = _("project rules")
        constraints = [models.CheckConstraint(
            condition=models.Q(dunning_letter_days__gt=models.F("dunning_reminder_days")),
            name="rules_letter_after_reminder")]

    def __str__(self):
        return str(self.project)
