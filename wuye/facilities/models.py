"""Facilities and equipment (设施设备, SPEC §4, seed 001 ch.4): the equipment register with QR labels, maintenance
plans and their dated tasks, operation logs (运行记录), faults, elevator entrapments (困人), fire safety (hazard sweeps,
drills) and shift handovers (交接班).

Tables only; the rules live in the service modules (`register.py`, `plans.py`, `operation.py`, `faults.py`,
`entrapments.py`, `fire.py`, `handovers.py`). Every dated duty is a clock on the SLA engine (keys `maintenance.*`,
`fault.*`, `entrapment.*`, `handover.*`); findings open rectifications through `quality.rectifications`."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wuye.core.access import Role
from wuye.quality.models import Severity
from wuye.tenancy.models import Building, Company, Project

STAFF_ROLES = [(value, label) for value, label in Role.choices if value != Role.OWNER]


# -- register (台账) ------------------------------------------------------------------------------------------
class CategoryKind(models.TextChoices):
    """What kind of system a category is: picks the post-repair test and which pages list it (fire safety)."""

    ELEVATOR = "elevator", _("Elevator")
    WATER = "water", _("Water supply and drainage")
    POWER = "power", _("Power distribution")
    FIRE = "fire", _("Fire system")
    HVAC = "hvac", _("HVAC")
    ACCESS = "access", _("Access control")
    CCTV = "cctv", _("CCTV")
    OTHER = "other", _("Other")


class EquipmentCategory(models.Model):
    """A category of the company's equipment (电梯, 生活水泵, 配电柜, 灭火器, 消火栓…): how often duty staff log its
    readings and the test an item must pass after a repair before it returns to service."""

    company = models.ForeignKey(Company, verbose_name=_("company"), on_delete=models.PROTECT,
                                related_name="equipment_categories")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=16, choices=CategoryKind.choices, default=CategoryKind.OTHER)
    # Operation log (运行记录) schedule: minutes between readings; 0 = no readings are logged for it.
    reading_interval_minutes = models.PositiveIntegerField(_("reading every (minutes)"), default=0)
    # The test after a repair (elevator: 3 empty runs, seed 001 ch.4 §3); 0 runs = a single "tested OK".
    post_repair_test = models.CharField(_("post-repair test"), max_length=100, blank=True)
    post_repair_test_runs = models.PositiveSmallIntegerField(_("test runs required"), default=1)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    scope_project_path = None  # company-wide

    class Meta:
        verbose_name = _("equipment category")
        verbose_name_plural = _("equipment categories")
        ordering = ["company_id", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["company", "code"], name="facilities_category_code_unique")]

    def __str__(self):
        return self.name


class ReadingPoint(models.Model):
    """One value an operation log records for items of a category (电压 V 354–406), with its limits; an item may
    carry its own limits for the same code (`equipment` set), which win over the category's."""

    category = models.ForeignKey(EquipmentCategory, on_delete=models.CASCADE, related_name="reading_points")
    equipment = models.ForeignKey("Equipment", null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="reading_points")
    code = models.SlugField(_("code"), max_length=30)
    label = models.CharField(_("reading"), max_length=40)
    unit = models.CharField(_("unit"), max_length=16, blank=True)
    low = models.DecimalField(_("lowest normal"), max_digits=12, decimal_places=3, null=True, blank=True)
    high = models.DecimalField(_("highest normal"), max_digits=12, decimal_places=3, null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("reading point")
        verbose_name_plural = _("reading points")
        ordering = ["category_id", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["category", "code"], condition=models.Q(equipment__isnull=True),
                                    name="facilities_point_per_category"),
            models.UniqueConstraint(fields=["equipment", "code"], condition=models.Q(equipment__isnull=False),
                                    name="facilities_point_per_item"),
        ]

    def __str__(self):
        return self.label


class Contractor(models.Model):
    """A maintenance contractor (维保单位) with its qualification (e.g. 电梯维保资质); warned 30 days before expiry."""

    company = models.ForeignKey(Company, verbose_name=_("company"), on_delete=models.PROTECT,
                                related_name="contractors")
    name = models.CharField(_("name"), max_length=100)
    service = models.CharField(_("service"), max_length=100, blank=True)
    qualification_number = models.CharField(_("qualification number"), max_length=60, blank=True)
    qualification_expires_on = models.DateField(_("qualification expires"), null=True, blank=True)
    contact_name = models.CharField(_("contact"), max_length=40, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    scope_project_path = None  # company-wide

    class Meta:
        verbose_name = _("maintenance contractor")
        verbose_name_plural = _("maintenance contractors")
        ordering = ["company_id", "name"]
        constraints = [models.UniqueConstraint(fields=["company", "name"], name="facilities_contractor_unique")]

    def __str__(self):
        return self.name


class EquipmentStatus(models.TextChoices):
    IN_SERVICE = "in_service", _("In service")
    FAULTY = "faulty", _("Faulty")
    STOPPED = "stopped", _("Stopped")
    SCRAPPED = "scrapped", _("Scrapped")


class Equipment(models.Model):
    """One item of the register (设备台账): where it is, who maintains it, its warranty and status. Its QR label
    carries `label_token`, which opens the item's page on a phone."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.PROTECT,
                                related_name="equipment")
    category = models.ForeignKey(EquipmentCategory, verbose_name=_("category"), on_delete=models.PROTECT,
                                 related_name="items")
    code = models.CharField(_("equipment code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    building = models.ForeignKey(Building, verbose_name=_("building"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="equipment")
    location = models.CharField(_("location"), max_length=100, blank=True,
                                help_text=_("Room or public area, e.g. B1 水泵房, 3号楼 12层 东侧"))
    model_number = models.CharField(_("model"), max_length=60, blank=True)
    maker = models.CharField(_("maker"), max_length=100, blank=True)
    installed_on = models.DateField(_("installed"), null=True, blank=True)
    contractor = models.ForeignKey(Contractor, verbose_name=_("maintenance contractor"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="equipment")
    warranty_ends_on = models.DateField(_("warranty ends"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=EquipmentStatus.choices,
                              default=EquipmentStatus.IN_SERVICE)
    label_token = models.UUIDField(_("label"), default=uuid.uuid4, unique=True, editable=False)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    scope_project_path = "project"

    class Meta:
        verbose_name = _("equipment")
        verbose_name_plural = _("equipment")
        ordering = ["project_id", "category_id", "code"]
        constraints = [models.UniqueConstraint(fields=["project", "code"], name="facilities_equipment_code_unique")]
        indexes = [models.Index(fields=["project", "category", "status"], name="facilities_equipment_cat")]

    def __str__(self):
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("facilities:equipment", args=[self.pk])


class EquipmentDocument(models.Model):
    """A document kept with an item: manual, certificate, inspection report, warranty card (PDF or image)."""

    equipment = models.ForeignKey(Equipment, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=100)
    file = models.FileField(_("file"), upload_to="facilities/documents/%Y/%m/")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("equipment document")
        verbose_name_plural = _("equipment documents")
        ordering = ["equipment_id", "-uploaded_at"]

    def __str__(self):
        return self.title


# -- maintenance plans (维护保养计划) --------------------------------------------------------------------------
class PlanKind(models.TextChoices):
    ROUTINE = "routine", _("Routine maintenance")
    FULL = "full", _("Full maintenance")
    CLEANING = "cleaning", _("Cleaning")
    FIRE_CHECK = "fire_check", _("Fire equipment check")
    HAZARD_SWEEP = "hazard_sweep", _("Safety-hazard sweep")
    FIRE_DRILL = "fire_drill", _("Fire drill")


class PlanFrequency(models.TextChoices):
    EVERY_N_DAYS = "days", _("Every N days")
    MONTHLY = "monthly", _("Every N months")
    QUARTERLY = "quarterly", _("Quarterly")
    YEARLY = "yearly", _("Yearly")
    SEASONAL = "seasonal", _("By season")


class MaintenancePlan(models.Model):
    """A dated duty: for every item of a category (or one item, or the project itself for sweeps and drills), a
    task every `interval` days / months from `starts_on`, or on the first day of each listed month (`months`, by
    season). A job makes the tasks `lead_days` ahead, each with its SLA clock (`maintenance.task`)."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.PROTECT,
                                related_name="maintenance_plans")
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=PlanKind.choices, default=PlanKind.ROUTINE)
    category = models.ForeignKey(EquipmentCategory, verbose_name=_("category"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="plans")
    equipment = models.ForeignKey(Equipment, verbose_name=_("equipment"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="plans")
    frequency = models.CharField(_("frequency"), max_length=16, choices=PlanFrequency.choices)
    interval = models.PositiveSmallIntegerField(_("every"), default=1)
    months = models.JSONField(_("months (by season)"), default=list, blank=True)
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    checklist = models.JSONField(_("checklist"), default=list, blank=True)  # ["检查曳引机油位", …]
    responsible_role = models.CharField(_("responsible department"), max_length=32, choices=STAFF_ROLES,
                                        default=Role.ENGINEERING)
    contractor = models.ForeignKey(Contractor, verbose_name=_("contractor"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="plans")
    lead_days = models.PositiveSmallIntegerField(_("generate ahead (days)"), default=30)
    # Days after the due day a task may still be done before it is late (its clock's deadline is the end of it).
    grace_days = models.PositiveSmallIntegerField(_("grace (days)"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    generated_through = models.DateField(_("tasks generated through"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    scope_project_path = "project"

    class Meta:
        verbose_name = _("maintenance plan")
        verbose_name_plural = _("maintenance plans")
        ordering = ["project_id", "name"]
        constraints = [models.UniqueConstraint(fields=["project", "name"], name="facilities_plan_name_unique")]

    def __str__(self):
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("facilities:plan", args=[self.pk])


class TaskStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    DONE = "done", _("Done")
    SKIPPED = "skipped", _("Skipped")
    CANCELLED = "cancelled", _("Cancelled")


class MaintenanceTask(models.Model):
    """One dated task of a plan for one item (or the project): done on the phone with the checklist's results,
    readings, photos and parts; late when done after its clock's deadline; skipped with a reason."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.PROTECT,
                                related_name="maintenance_tasks")
    plan = models.ForeignKey(MaintenancePlan, verbose_name=_("plan"), on_delete=models.PROTECT,
                             related_name="tasks")
    equipment = models.ForeignKey(Equipment, verbose_name=_("equipment"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="tasks")
    due_on = models.DateField(_("due"))
    status = models.CharField(_("status"), max_length=16, choices=TaskStatus.choices,
                              default=TaskStatus.SCHEDULED)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("technician"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    completed_at = models.DateTimeField(_("done at"), null=True, blank=True)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("done by"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    late = models.BooleanField(_("late"), default=False)
    results = models.JSONField(_("checklist results"), default=list, blank=True)  # [{"step", "ok", "note"}]
    readings = models.JSONField(_("readings"), default=dict, blank=True)
    parts = models.CharField(_("parts used"), max_length=300, blank=True)
    note = models.TextField(_("note"), blank=True)
    skip_reason = models.CharField(_("reason skipped"), max_length=200, blank=True)

    scope_project_path = "project"
    sla_related = ("plan", "equipment")  # read by its name and department when the SLA sweep escalates it

    class Meta:
        verbose_name = _("maintenance task")
        verbose_name_plural = _("maintenance tasks")
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "equipment", "due_on"], condition=models.Q(equipment__isnull=False),
                                    name="facilities_task_once_per_item_day"),
            models.UniqueConstraint(fields=["plan", "due_on"], condition=models.Q(equipment__isnull=True),
                                    name="facilities_task_once_per_plan_day"),
        ]
        indexes = [models.Index(fields=["project", "status", "due_on"], name="facilities_task_due"),
                   models.Index(fields=["equipment", "due_on"], name="facilities_task_item")]

    def __str__(self):
        return f"{self.plan.name} {self.equipment.code if self.equipment_id else ''} {self.due_on:%m-%d}".strip()

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("facilities:task", args=[self.pk])

    @property
    def sla_responsible_role(self) -> str:
        return self.plan.responsible_role


# -- operation logs (运行记录) ---------------------------------------------------------------------------------
class OperationReading(models.Model):
    """A duty round's readings of one item (`values`: {point code: number}); `anomalies` lists the codes outside
    their limits, and such a reading opens a fault (`fault`)."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.PROTECT,
                                related_name="operation_readings")
    equipment = models.ForeignKey(Equipment, verbose_name=_("equipment"), on_delete=models.PROTECT,
                                  related_name="readings")
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")
    values = models.JSONField(_("readings"), default=dict)
    anomalies = models.JSONField(_("out of range"), default=list, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    fault = models.ForeignKey("Fault", null=True, blank=True, on_delete=models.SET_NULL, related_name="readings")

    scope_project_path = "project"

    class Meta:
        verbose_name = _("operation reading")
        verbose_name_plural = _("operation readings")
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["equipment", "recorded_at"], name="facilities_reading_item")]

    def __str__(self):
        return f"{self.equipment} {timezone.localtime(self.recorded_at):%m-%d %H:%M}"


# -- faults (故障) ---------------------------------------------------------------------------------------------
class FaultSeverity(models.TextChoices):
    GENERAL = "general", _("General fault")
    MAJOR = "major", _("Major fault")


class FaultSource(models.TextChoices):
    STAFF = "staff", _("Staff")
    OPERATION_LOG = "operation_log", _("Operation log")
    PATROL = "patrol", _("Patrol")
    TICKET = "ticket", _("Owner's repair request")
    ENTRAPMENT = "entrapment", _("Elevator entrapment")
    MAINTENANCE = "maintenance", _("Maintenance task")


class FaultStatus(models.TextChoices):
    RAISED = "raised", _("Awaiting report")  # found on an operation log: to be reported within 10 minutes
    REPORTED = "reported", _("Reported")
    IN_REPAIR = "in_repair", _("In repair")
    TESTING = "testing", _("Awaiting test")
    RESOLVED = "resolved", _("Back in service")
    CLOSED = "closed", _("Report filed")
    CANCELLED = "cancelled", _("Cancelled")


class Fault(models.Model):
    """A fault of an item (故障): reported → repaired (cause, parts, downtime) → tested (elevator: 3 empty runs)
    → back in service → closed with the fault report (cause and prevention measure). Repair limits are clocks:
    general ≤ 24 h, major ≤ 48 h (`fault.general.repair`, `fault.major.repair`); a fault found on an operation
    log must be reported within 10 minutes (`fault.report`)."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.PROTECT,
                                related_name="faults")
    equipment = models.ForeignKey(Equipment, verbose_name=_("equipment"), on_delete=models.PROTECT,
                                  related_name="faults")
    number = models.CharField(_("fault number"), max_length=32, blank=True)
    source = models.CharField(_("found by"), max_length=16, choices=FaultSource.choices, default=FaultSource.STAFF)
    ticket = models.OneToOneField("workorders.Ticket", verbose_name=_("repair request"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="equipment_fault")
    severity = models.CharField(_("severity"), max_length=16, choices=FaultSeverity.choices,
                                default=FaultSeverity.GENERAL)
    title = models.CharField(_("fault"), max_length=200)
    description = models.TextField(_("details"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=FaultStatus.choices, default=FaultStatus.REPORTED)
    raised_at = models.DateTimeField(_("found"), default=timezone.now)
    reported_at = models.DateTimeField(_("reported"), null=True, blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reported by"), null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("technician"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    contractor = models.ForeignKey(Contractor, verbose_name=_("contractor"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="faults")
    repair_started_at = models.DateTimeField(_("repair started"), null=True, blank=True)
    repaired_at = models.DateTimeField(_("repaired"), null=True, blank=True)
    cause = models.TextField(_("cause"), blank=True)
    repair_action = models.TextField(_("repair done"), blank=True)
    parts = models.CharField(_("parts used"), max_length=300, blank=True)
    test_runs = models.JSONField(_("post-repair test"), default=list, blank=True)  # [{"run": 1, "ok": true}]
    tested_at = models.DateTimeField(_("tested"), null=True, blank=True)
    tested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("tested by"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    back_in_service_at = models.DateTimeField(_("back in service"), null=True, blank=True)
    downtime_minutes = models.PositiveIntegerField(_("downtime (minutes)"), null=True, blank=True)
    prevention = models.TextField(_("prevention measure"), blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason cancelled"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    scope_project_path = "project"
    sla_responsible_role = Role.ENGINEERING
    sla_related = ("equipment",)

    class Meta:
        verbose_name = _("equipment fault")
        verbose_name_plural = _("equipment faults")
        ordering = ["-raised_at", "-id"]
        indexes = [models.Index(fields=["project", "status", "raised_at"], name="facilities_fault_status"),
                   models.Index(fields=["equipment", "raised_at"], name="facilities_fault_item")]

    def __str__(self):
        return f"{self.equipment.code} {self.title}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("facilities:fault", args=[self.pk])


# -- elevator entrapment (电梯困人) -----------------------------------------------------------------------------
class EntrapmentStatus(models.TextChoices):
    ACTIVE = "active", _("People trapped")
    FREED = "freed", _("People freed")
    CLOSED = "closed", _("Closed")


class Entrapment(models.Model):
    """People trapped in an elevator: one tap starts three calendar-minute clocks — our staff on site ≤ 5 min
    (`entrapment.staff_arrive`), the contractor on site ≤ 30 min (`entrapment.contractor_arrive`, else the
    project's emergency group is told at once through the urgent channel), people freed ≤ 30 min
    (`entrapment.rescue`). It opens a fault on the elevator (the repair and its 3 empty runs follow there)."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.PROTECT,
                                related_name="entrapments")
    equipment = models.ForeignKey(Equipment, verbose_name=_("elevator"), on_delete=models.PROTECT,
                                  related_name="entrapments")
    status = models.CharField(_("status"), max_length=16, choices=EntrapmentStatus.choices,
                              default=EntrapmentStatus.ACTIVE)
    started_at = models.DateTimeField(_("reported"), default=timezone.now)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reported by"), null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")
    floor = models.CharField(_("stopped at floor"), max_length=10, blank=True)
    trapped_count = models.PositiveSmallIntegerField(_("people trapped"), null=True, blank=True)
    caller = models.CharField(_("reported by (caller)"), max_length=60, blank=True)
    staff_arrived_at = models.DateTimeField(_("our staff on site"), null=True, blank=True)
    staff_arrived_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("staff on site"), null=True,
                                         blank=True, on_delete=models.PROTECT, related_name="+")
    contractor_arrived_at = models.DateTimeField(_("contractor on site"), null=True, blank=True)
    freed_at = models.DateTimeField(_("people freed"), null=True, blank=True)
    injuries = models.CharField(_("injuries"), max_length=200, blank=True)
    fault = models.OneToOneField(Fault, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="entrapment")
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True)

    scope_project_path = "project"
    sla_responsible_role = Role.SECURITY
    sla_related = ("equipment",)

    class Meta:
        verbose_name = _("elevator entrapment")
        verbose_name_plural = _("elevator entrapments")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["project", "status", "started_at"], name="facilities_entrapment_state")]

    def __str__(self):
        return str(_("Entrapment in %(elevator)s") % {"elevator": self.equipment.name})

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("facilities:entrapment", args=[self.pk])


# -- fire safety (消防) ----------------------------------------------------------------------------------------
class HazardSweep(models.Model):
    """A safety-hazard sweep (安全隐患排查), twice a month: where was looked at, by whom; each finding opens a
    rectification."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.PROTECT,
                                related_name="hazard_sweeps")
    task = models.OneToOneField(MaintenanceTask, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="hazard_sweep")
    conducted_at = models.DateTimeField(_("conducted"), default=timezone.now)
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("inspector"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    areas = models.CharField(_("areas swept"), max_length=300)
    note = models.TextField(_("note"), blank=True)

    scope_project_path = "project"

    class Meta:
        verbose_name = _("safety-hazard sweep")
        verbose_name_plural = _("safety-hazard sweeps")
        ordering = ["-conducted_at", "-id"]

    def __str__(self):
        return str(_("Hazard sweep %(date)s") % {"date": timezone.localtime(self.conducted_at).strftime("%Y-%m-%d")})

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("facilities:sweep", args=[self.pk])


class HazardFinding(models.Model):
    """One hazard found (消防通道堵塞, 灭火器压力不足…): tracked to closure by its rectification (source = this row)."""

    sweep = models.ForeignKey(HazardSweep, on_delete=models.CASCADE, related_name="findings")
    title = models.CharField(_("hazard"), max_length=200)
    location = models.CharField(_("location"), max_length=100, blank=True)
    severity = models.CharField(_("severity"), max_length=16, choices=Severity.choices, default=Severity.MINOR)
    department = models.CharField(_("responsible department"), max_length=32, choices=STAFF_ROLES,
                                  default=Role.SECURITY)
    equipment = models.ForeignKey(Equipment, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("hazard found")
        verbose_name_plural = _("hazards found")
        ordering = ["sweep_id", "id"]

    def __str__(self):
        return self.title

    def get_absolute_url(self) -> str:
        return self.sweep.get_absolute_url()


class FireDrill(models.Model):
    """A fire drill (消防演练), 1–2 a year: scenario, participants, what went well and what not, photos."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.PROTECT,
                                related_name="fire_drills")
    task = models.OneToOneField(MaintenanceTask, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="fire_drill")
    held_at = models.DateTimeField(_("held"))
    scenario = models.CharField(_("scenario"), max_length=200)
    participants = models.TextField(_("participants"), blank=True)  # names, one per line
    participant_count = models.PositiveIntegerField(_("number of participants"), default=0)
    owners_count = models.PositiveIntegerField(_("owners taking part"), default=0)
    summary = models.TextField(_("summary"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")

    scope_project_path = "project"

    class Meta:
        verbose_name = _("fire drill")
        verbose_name_plural = _("fire drills")
        ordering = ["-held_at", "-id"]

    def __str__(self):
        return self.scenario

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("facilities:drill", args=[self.pk])


# -- shift handover (交接班) -------------------------------------------------------------------------------------
class DutyPost(models.Model):
    """A duty post (值班岗位: 监控中心, 配电房值班, 东门岗) whose shifts hand over to each other."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.PROTECT,
                                related_name="duty_posts")
    name = models.CharField(_("name"), max_length=60)
    department = models.CharField(_("department"), max_length=32, choices=STAFF_ROLES, default=Role.ENGINEERING)
    shifts = models.JSONField(_("shifts"), default=list, blank=True)  # [{"name": "白班", "starts": "08:00"}, …]
    is_active = models.BooleanField(_("active"), default=True)

    scope_project_path = "project"

    class Meta:
        verbose_name = _("duty post")
        verbose_name_plural = _("duty posts")
        ordering = ["project_id", "name"]
        constraints = [models.UniqueConstraint(fields=["project", "name"], name="facilities_post_unique")]

    def __str__(self):
        return self.name


class HandoverStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting confirmation")
    CONFIRMED = "confirmed", _("Confirmed")


class Handover(models.Model):
    """One shift handover (交接班) at a post — 三清: the situation (情况清), items handed over (物品清) and open matters
    (记录清) written by the outgoing shift; complete only when a different user of the incoming shift confirms it
    (`handover.confirm` clock flags an unconfirmed one)."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.PROTECT,
                                related_name="handovers")
    post = models.ForeignKey(DutyPost, verbose_name=_("duty post"), on_delete=models.PROTECT,
                             related_name="handovers")
    shift_date = models.DateField(_("date"))
    outgoing_shift = models.CharField(_("outgoing shift"), max_length=20)
    incoming_shift = models.CharField(_("incoming shift"), max_length=20, blank=True)
    outgoing_user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("handed over by"),
                                      on_delete=models.PROTECT, related_name="+")
    handed_at = models.DateTimeField(_("handed over"), default=timezone.now)
    situation = models.TextField(_("situation"))
    items = models.JSONField(_("items handed over"), default=list, blank=True)  # [{"name": "对讲机", "count": 2}]
    open_matters = models.TextField(_("open matters"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=HandoverStatus.choices,
                              default=HandoverStatus.PENDING)
    incoming_user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("received by"), null=True,
                                      blank=True, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    confirm_note = models.CharField(_("note on receiving"), max_length=300, blank=True)

    scope_project_path = "project"
    sla_related = ("post",)

    class Meta:
        verbose_name = _("shift handover")
        verbose_name_plural = _("shift handovers")
        ordering = ["-handed_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["post", "shift_date", "outgoing_shift"],
                                               name="facilities_handover_once_per_shift")]
        indexes = [models.Index(fields=["project", "status", "handed_at"], name="facilities_handover_status")]

    def __str__(self):
        return f"{self.post} {self.shift_date:%m-%d} {self.outgoing_shift}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("facilities:handover", args=[self.pk])

    @property
    def sla_responsible_role(self) -> str:
        return self.post.department
