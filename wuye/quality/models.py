"""Quality (品质管理, SPEC §6): the standards library and service packages, inspections and their scores,
rectifications (整改), satisfaction surveys, staff assessment and the monthly quality report.

Tables only; the rules live in the service modules (`standards.py`, `inspections.py`, `rectifications.py`,
`scores.py`, `surveys.py`, `assessments.py`, `reports.py`)."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wuye.core.access import Role
from wuye.tenancy.models import Building, Company, Project, ServiceLevel, Unit

STAFF_ROLES = [(value, label) for value, label in Role.choices if value != Role.OWNER]


# -- standards library ----------------------------------------------------------------------------------------
class StandardPurpose(models.TextChoices):
    DAILY = "daily", _("Daily check")
    WINDOW = "window", _("Window service")
    SPECIAL = "special", _("Special inspection")
    YEAR_END = "year_end", _("Year-end review")


class Standard(models.Model):
    """A checklist (检查标准) of the company's standards library; its content lives in numbered versions."""

    company = models.ForeignKey(Company, verbose_name=_("company"), on_delete=models.PROTECT,
                                related_name="quality_standards")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    purpose = models.CharField(_("purpose"), max_length=16, choices=StandardPurpose.choices,
                               default=StandardPurpose.DAILY)
    description = models.TextField(_("description"), blank=True)
    # Weight of this standard in a project's period score (a project inspected by several standards).
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2, default=Decimal("1"))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    scope_project_path = None  # company-wide: read through the company (standards.visible_standards)

    class Meta:
        verbose_name = _("inspection standard")
        verbose_name_plural = _("inspection standards")
        ordering = ["company_id", "code"]
        constraints = [models.UniqueConstraint(fields=["company", "code"], name="quality_standard_code_unique")]

    def __str__(self):
        return self.name


class StandardVersion(models.Model):
    """One immutable edition of a standard. Editing makes a new version; an inspection keeps the one it used."""

    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    note = models.CharField(_("what changed"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("standard version")
        verbose_name_plural = _("standard versions")
        ordering = ["standard_id", "-number"]
        constraints = [models.UniqueConstraint(fields=["standard", "number"], name="quality_version_unique")]

    def __str__(self):
        return f"{self.standard} v{self.number}"


class StandardCategory(models.Model):
    version = models.ForeignKey(StandardVersion, on_delete=models.CASCADE, related_name="categories")
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("category"), max_length=100)

    class Meta:
        verbose_name = _("standard category")
        verbose_name_plural = _("standard categories")
        ordering = ["version_id", "number"]
        constraints = [models.UniqueConstraint(fields=["version", "number"], name="quality_category_unique")]

    def __str__(self):
        return f"{self.number}. {self.name}"


class Severity(models.TextChoices):
    """How serious a failed item is: picks the rectification's time limit (rectification.<severity>)."""

    MINOR = "minor", _("Minor")
    MAJOR = "major", _("Major")
    CRITICAL = "critical", _("Critical")


class StandardItem(models.Model):
    """One checklist item: full points, the deduction per failure (never below 0), and whether failing it fails
    the whole check (a critical item)."""

    version = models.ForeignKey(StandardVersion, on_delete=models.CASCADE, related_name="items")
    category = models.ForeignKey(StandardCategory, on_delete=models.CASCADE, related_name="items")
    number = models.PositiveSmallIntegerField(_("item number"))
    text = models.TextField(_("requirement"))
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=2, default=Decimal("1"))
    deduction = models.DecimalField(_("deduction per failure"), max_digits=6, decimal_places=2,
                                    default=Decimal("1"))
    critical = models.BooleanField(_("critical (fails the whole check)"), default=False)
    severity = models.CharField(_("severity"), max_length=16, choices=Severity.choices, default=Severity.MINOR)
    department = models.CharField(_("responsible department"), max_length=32, choices=STAFF_ROLES,
                                  default=Role.CUSTOMER_SERVICE)

    class Meta:
        verbose_name = _("standard item")
        verbose_name_plural = _("standard items")
        ordering = ["version_id", "number"]
        constraints = [models.UniqueConstraint(fields=["version", "number"], name="quality_item_unique")]

    def __str__(self):
        return f"{self.number}. {self.text[:40]}"


class ServicePackage(models.Model):
    """A service level (一级/二级/三级) as a package: the standards a project of that level is inspected by and
    the SLA standard (time limits) it promises."""

    company = models.ForeignKey(Company, verbose_name=_("company"), on_delete=models.PROTECT,
                                related_name="service_packages")
    level = models.CharField(_("service level"), max_length=16, choices=ServiceLevel.choices)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("what the level promises"), blank=True)
    sla_standard = models.ForeignKey("sla.ServiceStandard", verbose_name=_("time limits"), on_delete=models.PROTECT,
                                     related_name="+")
    standards = models.ManyToManyField(Standard, verbose_name=_("inspection standards"), related_name="packages",
                                       blank=True)

    scope_project_path = None

    class Meta:
        verbose_name = _("service package")
        verbose_name_plural = _("service packages")
        ordering = ["company_id", "level"]
        constraints = [models.UniqueConstraint(fields=["company", "level"], name="quality_package_level_unique")]

    def __str__(self):
        return self.name


# -- evidence -------------------------------------------------------------------------------------------------
class Evidence(models.Model):
    """A photo kept as evidence for a quality record (an inspection item, a rectification step, an assessment).
    Checked and re-encoded without EXIF by `core.photos` before it is stored."""

    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    subject_id = models.BigIntegerField()
    subject = GenericForeignKey("subject_type", "subject_id")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="+")
    image = models.FileField(upload_to="quality/%Y/%m/")
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    created_at = models.DateTimeField(_("taken"), default=timezone.now)

    scope_project_path = "project"

    class Meta:
        verbose_name = _("photo evidence")
        verbose_name_plural = _("photo evidence")
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="quality_evidence_subject")]

    def __str__(self):
        return self.caption or self.image.name


# -- inspections ----------------------------------------------------------------------------------------------
class Frequency(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")


class InspectionPlan(models.Model):
    """A planned inspection round (日检/周检/月检/季检) of a project by a standard; a job generates the dated
    inspections from it."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.PROTECT,
                                related_name="inspection_plans")
    standard = models.ForeignKey(Standard, verbose_name=_("standard"), on_delete=models.PROTECT, related_name="plans")
    frequency = models.CharField(_("frequency"), max_length=16, choices=Frequency.choices)
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("inspector"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    starts_on = models.DateField(_("from"))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    scope_project_path = "project"

    class Meta:
        verbose_name = _("inspection plan")
        verbose_name_plural = _("inspection plans")
        ordering = ["project_id", "standard_id", "frequency"]

    def __str__(self):
        return f"{self.project} · {self.standard} · {self.get_frequency_display()}"


class InspectionKind(models.TextChoices):
    DAILY = "daily", _("Daily check")
    WEEKLY = "weekly", _("Weekly check")
    MONTHLY = "monthly", _("Monthly check")
    QUARTERLY = "quarterly", _("Quarterly check")
    SPECIAL = "special", _("Special inspection")
    SELF = "self", _("Self-inspection")
    YEAR_END = "year_end", _("Year-end review")


class InspectionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Submitted")
    CANCELLED = "cancelled", _("Cancelled")


class Inspection(models.Model):
    """One inspection of a project by one version of a standard. Submitting locks it: inspector, time and place
    are kept, the score is computed and every failed item opens a rectification."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.PROTECT,
                                related_name="inspections")
    plan = models.ForeignKey(InspectionPlan, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="inspections")
    version = models.ForeignKey(StandardVersion, verbose_name=_("standard"), on_delete=models.PROTECT,
                                related_name="inspections")
    kind = models.CharField(_("kind"), max_length=16, choices=InspectionKind.choices)
    # A self-inspection (自查) is done by a department of its own work.
    department = models.CharField(_("department"), max_length=32, choices=STAFF_ROLES, blank=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    scheduled_for = models.DateField(_("date"))
    status = models.CharField(_("status"), max_length=16, choices=InspectionStatus.choices,
                              default=InspectionStatus.PLANNED)
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("inspector"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    place = models.CharField(_("place"), max_length=200, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, null=True, blank=True)
    failed_critical = models.BooleanField(_("a critical item failed"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    scope_project_path = "project"

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-scheduled_for", "-id"]
        constraints = [models.UniqueConstraint(fields=["plan", "scheduled_for"], condition=models.Q(plan__isnull=False),
                                               name="quality_inspection_once_per_plan_day")]
        indexes = [models.Index(fields=["project", "status", "scheduled_for"], name="quality_inspection_period")]

    def __str__(self):
        return self.title or f"{self.version.standard} {self.scheduled_for}"


class ItemResult(models.TextChoices):
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")
    NOT_APPLICABLE = "na", _("Not applicable")


class InspectionScore(models.Model):
    """The inspector's finding on one item: pass / fail (how many failures) / not applicable, with a note."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="scores")
    item = models.ForeignKey(StandardItem, on_delete=models.PROTECT, related_name="+")
    result = models.CharField(_("result"), max_length=8, choices=ItemResult.choices)
    failures = models.PositiveSmallIntegerField(_("failures"), default=0)
    points = models.DecimalField(_("points given"), max_digits=6, decimal_places=2, default=Decimal("0"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    scored_at = models.DateTimeField(_("scored"), default=timezone.now)

    class Meta:
        verbose_name = _("item score")
        verbose_name_plural = _("item scores")
        constraints = [models.UniqueConstraint(fields=["inspection", "item"], name="quality_score_once_per_item")]

    def __str__(self):
        return f"{self.item}: {self.get_result_display()}"


# -- rectifications -------------------------------------------------------------------------------------------
class RectificationStatus(models.TextChoices):
    OPEN = "open", _("To rectify")
    SUBMITTED = "submitted", _("Awaiting verification")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class Rectification(models.Model):
    """A finding to fix (整改): who must fix it, by when (an SLA clock `rectification.<severity>`), what they did
    and whether the inspector accepted it. Opened only through `rectifications.open_rectification(source, …)`,
    whatever found it (an inspection item, a complaint's improvement action, a patrol, a move-in inspection…)."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.PROTECT,
                                related_name="rectifications")
    source_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    source_id = models.BigIntegerField()
    source = GenericForeignKey("source_type", "source_id")
    title = models.CharField(_("finding"), max_length=200)
    description = models.TextField(_("details"), blank=True)
    department = models.CharField(_("responsible department"), max_length=32, choices=STAFF_ROLES)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("person responsible"), null=True,
                                 blank=True, on_delete=models.PROTECT, related_name="+")
    severity = models.CharField(_("severity"), max_length=16, choices=Severity.choices, default=Severity.MINOR)
    building = models.ForeignKey(Building, verbose_name=_("building"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=RectificationStatus.choices,
                              default=RectificationStatus.OPEN)
    # How many times the inspector sent it back (each time with a new clock).
    rejections = models.PositiveSmallIntegerField(_("times sent back"), default=0)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    scope_project_path = "project"

    class Meta:
        verbose_name = _("rectification")
        verbose_name_plural = _("rectifications")
        ordering = ["-opened_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["source_type", "source_id"],
                                               name="quality_rectification_once_per_source")]
        indexes = [models.Index(fields=["project", "status", "opened_at"], name="quality_rectification_state")]

    def __str__(self):
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("quality:rectification", args=[self.pk])

    @property
    def sla_responsible_role(self) -> str:
        """Whose supervisors the SLA engine warns and tells first when it is overdue: the department on the row."""
        return self.department


class RectificationStepKind(models.TextChoices):
    REPORTED = "reported", _("Rectified")
    ACCEPTED = "accepted", _("Verified")
    REJECTED = "rejected", _("Sent back")


class RectificationStep(models.Model):
    """What the department did (with photos) or what the inspector decided, in order."""

    rectification = models.ForeignKey(Rectification, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(_("step"), max_length=16, choices=RectificationStepKind.choices)
    note = models.TextField(_("note"), blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("rectification step")
        verbose_name_plural = _("rectification steps")
        ordering = ["rectification_id", "at", "id"]

    def __str__(self):
        return self.get_kind_display()


# -- satisfaction surveys -------------------------------------------------------------------------------------
class SurveyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Audience(models.TextChoices):
    PROJECT = "project", _("Every household of the project")
    BUILDINGS = "buildings", _("Households of chosen buildings")
    REPAIR_OWNERS = "repair_owners", _("Households with a closed repair")


class Survey(models.Model):
    """A satisfaction questionnaire addressed to a project's households. Opening it fixes its addressees
    (`SurveyInvitation`), the denominator of the response rate."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="surveys")
    title = models.CharField(_("title"), max_length=200)
    introduction = models.TextField(_("introduction"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT)
    anonymous = models.BooleanField(_("anonymous"), default=False,
                                    help_text=_("Answers keep no link to the household that gave them."))
    audience = models.CharField(_("addressed to"), max_length=16, choices=Audience.choices, default=Audience.PROJECT)
    buildings = models.ManyToManyField(Building, verbose_name=_("buildings"), blank=True, related_name="+")
    repairs_closed_since = models.DateField(_("repairs closed since"), null=True, blank=True)
    opens_on = models.DateField(_("opens"), null=True, blank=True)
    closes_on = models.DateField(_("closes"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    scope_project_path = "project"
    scope_unit_path = "invitations__unit"  # an owner sees the surveys addressed to their household

    class Meta:
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title


class Dimension(models.TextChoices):
    OVERALL = "overall", _("Overall")
    ATTITUDE = "attitude", _("Service attitude")
    REPAIR = "repair", _("Repair response")
    ENVIRONMENT = "environment", _("Cleaning and greening")
    SECURITY = "security", _("Order and security")
    FEES = "fees", _("Fee transparency")
    FACILITIES = "facilities", _("Facilities")
    OTHER = "other", _("Other")


class QuestionKind(models.TextChoices):
    SCALE = "scale", _("1–5 scale")
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TEXT = "text", _("Open answer")


class Question(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    number = models.PositiveSmallIntegerField(_("number"))
    text = models.CharField(_("question"), max_length=300)
    kind = models.CharField(_("kind"), max_length=16, choices=QuestionKind.choices, default=QuestionKind.SCALE)
    dimension = models.CharField(_("dimension"), max_length=16, choices=Dimension.choices, default=Dimension.OVERALL)
    options = models.JSONField(_("options"), default=list, blank=True)  # the choices of a single/multiple question
    required = models.BooleanField(_("required"), default=True)

    class Meta:
        verbose_name = _("survey question")
        verbose_name_plural = _("survey questions")
        ordering = ["survey_id", "number"]
        constraints = [models.UniqueConstraint(fields=["survey", "number"], name="quality_question_unique")]

    def __str__(self):
        return self.text


class SurveyChannel(models.TextChoices):
    PORTAL = "portal", _("Owner portal")
    PHONE = "phone", _("Phone (entered by staff)")
    PAPER = "paper", _("Paper form (entered by staff)")


class SurveyInvitation(models.Model):
    """A household the survey is addressed to, and whether it has answered. This row — never the answer —
    holds the household: for an anonymous survey the answer cannot be joined back to it."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    answered_on = models.DateField(_("answered"), null=True, blank=True)

    scope_project_path = "survey__project"
    scope_unit_path = "unit"

    class Meta:
        verbose_name = _("survey addressee")
        verbose_name_plural = _("survey addressees")
        constraints = [models.UniqueConstraint(fields=["survey", "unit"], name="quality_invitation_once")]

    def __str__(self):
        return f"{self.survey} · {self.unit}"


class SurveyResponse(models.Model):
    """One household's answers. A random key, no time of day and — when the survey is anonymous — no unit, so
    neither an id sequence nor a timestamp can be matched to the invitation it settled."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    building = models.ForeignKey(Building, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(_("channel"), max_length=16, choices=SurveyChannel.choices)
    answered_on = models.DateField(_("answered"))

    scope_project_path = "survey__project"

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        constraints = [models.UniqueConstraint(fields=["survey", "unit"], condition=models.Q(unit__isnull=False),
                                               name="quality_response_once_per_unit")]

    def __str__(self):
        return f"{self.survey} · {self.answered_on}"


class Answer(models.Model):
    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    scale = models.PositiveSmallIntegerField(_("score (1–5)"), null=True, blank=True)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    text = models.TextField(_("answer"), blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="quality_answer_once"),
            models.CheckConstraint(condition=models.Q(scale__isnull=True) | models.Q(scale__gte=1, scale__lte=5),
                                   name="quality_answer_scale_1_5"),
        ]
        indexes = [models.Index(fields=["question", "scale"], name="quality_answer_question")]

    def __str__(self):
        return str(self.question)


# -- KPI targets ----------------------------------------------------------------------------------------------
class KpiTarget(models.Model):
    """A KPI's target for the company or one project, replacing the registry's default (the seed's figure)."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    code = models.CharField(_("KPI"), max_length=64)
    target = models.DecimalField(_("target"), max_digits=9, decimal_places=2)

    scope_project_path = None

    class Meta:
        verbose_name = _("KPI target")
        verbose_name_plural = _("KPI targets")
        constraints = [
            models.UniqueConstraint(fields=["company", "project", "code"], name="quality_kpi_target_unique"),
            models.UniqueConstraint(fields=["company", "code"], condition=models.Q(project__isnull=True),
                                    name="quality_kpi_company_target_unique"),
        ]

    def __str__(self):
        return f"{self.code} {self.target}"


# -- staff assessment -----------------------------------------------------------------------------------------
class AssessmentKind(models.TextChoices):
    DEDUCTION = "deduction", _("Deduction")
    AWARD = "award", _("Award")
    PRAISE = "praise", _("Owner praise")
    COMPLAINT = "complaint", _("Substantiated complaint")


class AssessmentItem(models.Model):
    """An entry of the company's assessment library (考核细则), e.g. 未按规定着装 −1."""

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("item"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=AssessmentKind.choices, default=AssessmentKind.DEDUCTION)
    points = models.DecimalField(_("points"), max_digits=5, decimal_places=1,
                                 help_text=_("Negative for a deduction, positive for an award."))
    department = models.CharField(_("department"), max_length=32, choices=STAFF_ROLES, blank=True,
                                  help_text=_("Empty: applies to every department."))
    is_active = models.BooleanField(_("active"), default=True)

    scope_project_path = None

    class Meta:
        verbose_name = _("assessment item")
        verbose_name_plural = _("assessment items")
        ordering = ["company_id", "kind", "name"]

    def __str__(self):
        return self.name


class AssessmentRecord(models.Model):
    """One deduction or award for a staff member in a month, with its reason and who recorded it; praise and
    substantiated complaints link the ticket they came from."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="+")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("staff member"), on_delete=models.PROTECT,
                              related_name="assessment_records")
    item = models.ForeignKey(AssessmentItem, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=AssessmentKind.choices)
    points = models.DecimalField(_("points"), max_digits=5, decimal_places=1)
    reason = models.CharField(_("reason"), max_length=300)
    month = models.DateField(_("month"))  # the first day of the month it counts in
    ticket = models.ForeignKey("workorders.Ticket", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    scope_project_path = "project"

    class Meta:
        verbose_name = _("assessment record")
        verbose_name_plural = _("assessment records")
        ordering = ["-month", "-recorded_at"]
        constraints = [models.UniqueConstraint(fields=["ticket", "staff", "kind"],
                                               condition=models.Q(ticket__isnull=False),
                                               name="quality_assessment_once_per_ticket")]
        indexes = [models.Index(fields=["project", "month"], name="quality_assessment_month")]

    def __str__(self):
        return self.reason


# -- monthly report -------------------------------------------------------------------------------------------
class MonthlyReport(models.Model):
    """The monthly quality report (月度品质报告) of a project, generated on the 1st for the month before."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("month"))
    document = models.FileField(upload_to="quality/reports/")
    generated_at = models.DateTimeField(_("generated"), default=timezone.now)

    scope_project_path = "project"

    class Meta:
        verbose_name = _("monthly quality report")
        verbose_name_plural = _("monthly quality reports")
        ordering = ["-month", "project_id"]
        constraints = [models.UniqueConstraint(fields=["project", "month"], name="quality_report_once_per_month")]

    def __str__(self):
        return f"{self.project} {self.month:%Y-%m}"
