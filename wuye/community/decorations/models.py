"""Decoration (装修, SPEC §7, seed 003 客户服务中心): the owner's application with its documents and contractor,
the desk's document check, the deposit and fees (bills in billing's ledger, posted with `source=` the application),
approval by engineering and then the manager, worker passes (security.WorkerPass.decoration), inspections during
the works (findings open rectifications, violations are recorded), final acceptance, and the deposit refund
≤ 7 working days after acceptance (clock `decoration.refund`) through billing's refund with approval, less the
itemised deductions.

Tables only; the rules live in `services.py` (the state table `TRANSITIONS` and one function per action)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wuye.tenancy.models import Project, Unit

USER = settings.AUTH_USER_MODEL


class DecorationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted, documents to check")
    RETURNED = "returned", _("Returned to the owner for documents")
    CHECKED = "checked", _("Documents complete, awaiting engineering")
    ENGINEERING_APPROVED = "engineering_approved", _("Approved by engineering, awaiting the manager")
    APPROVED = "approved", _("Approved, works not started")
    IN_PROGRESS = "in_progress", _("Works in progress")
    ACCEPTED = "accepted", _("Accepted, deposit to refund")
    CLOSED = "closed", _("Closed, deposit refunded")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Withdrawn")


class WorksKind(models.TextChoices):
    """What the works touch (the desk and engineering look harder at the risky ones)."""

    WALLS_FLOORS = "walls_floors", _("Walls, floors and ceilings")
    WATER_ELECTRIC = "water_electric", _("Water and electrical lines")
    WATERPROOFING = "waterproofing", _("Waterproofing (kitchen, bathroom, balcony)")
    DOORS_WINDOWS = "doors_windows", _("Doors and windows")
    AIR_CONDITIONING = "air_conditioning", _("Air conditioning")
    STRUCTURE = "structure", _("Non-load-bearing walls moved")
    OTHER = "other", _("Other")


class Decoration(models.Model):
    """One decoration application of a unit (装修申请) and its whole life up to the deposit refund."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.PROTECT,
                                related_name="decorations")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="decorations")
    number = models.CharField(_("application number"), max_length=20)
    applicant = models.ForeignKey(USER, verbose_name=_("applicant"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="decorations")
    applicant_name = models.CharField(_("applicant"), max_length=40)
    applicant_phone = models.CharField(_("applicant's phone"), max_length=20)
    works = models.TextField(_("works"), max_length=1000)
    works_kinds = models.JSONField(_("kinds of works"), default=list, blank=True)  # WorksKind values
    contractor = models.CharField(_("decoration company"), max_length=100)
    contractor_licence = models.CharField(_("business licence number"), max_length=40, blank=True)
    contractor_leader = models.CharField(_("site leader"), max_length=40)
    contractor_phone = models.CharField(_("site leader's phone"), max_length=20)
    workers_planned = models.PositiveSmallIntegerField(_("workers"), default=1)
    planned_start = models.DateField(_("planned start"))
    planned_end = models.DateField(_("planned end"))
    status = models.CharField(_("status"), max_length=24, choices=DecorationStatus.choices,
                              default=DecorationStatus.SUBMITTED, db_index=True)
    deposit = models.DecimalField(_("deposit"), max_digits=10, decimal_places=2, default=0)
    deductions_total = models.DecimalField(_("deductions"), max_digits=10, decimal_places=2, default=0)
    refund_request = models.ForeignKey("billing.RefundRequest", verbose_name=_("deposit refund"), null=True,
                                       blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("note"), max_length=200, blank=True)  # the last return or rejection reason
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    checked_at = models.DateTimeField(_("documents checked"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    started_at = models.DateTimeField(_("works started"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    scope_project_path = "project"
    scope_unit_path = "unit"

    class Meta:
        verbose_name = _("decoration")
        verbose_name_plural = _("decorations")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="decoration_number"),
            models.CheckConstraint(condition=models.Q(planned_end__gte=models.F("planned_start")),
                                   name="decoration_period"),
            models.CheckConstraint(condition=models.Q(deposit__gte=0) & models.Q(deductions_total__gte=0),
                                   name="decoration_money_not_negative"),
        ]
        indexes = [models.Index(fields=["project", "status"], name="decoration_project_status")]

    def __str__(self):
        return f"{self.number} {self.unit}"


class DocumentKind(models.TextChoices):
    PLAN = "plan", _("Decoration plan and drawings")
    CONTRACTOR_LICENCE = "contractor_licence", _("Contractor's business licence and qualification")
    LEADER_ID = "leader_id", _("Site leader's identity card copy")
    FIRE_PLEDGE = "fire_pledge", _("Security and fire-safety pledge")
    OWNERSHIP = "ownership", _("Proof of ownership or owner's consent")
    OTHER = "other", _("Other")


class DecorationDocument(models.Model):
    """A document the application carries (PDF or image, checked by type and size before it is stored)."""

    decoration = models.ForeignKey(Decoration, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("document"), max_length=24, choices=DocumentKind.choices)
    file = models.FileField(_("file"), upload_to="decorations/%Y/%m/")
    name = models.CharField(_("file name"), max_length=120)
    uploaded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("decoration document")
        verbose_name_plural = _("decoration documents")
        ordering = ["kind", "id"]

    def __str__(self):
        return self.name


class InspectionResult(models.TextChoices):
    PASSED = "passed", _("No problem")
    FINDINGS = "findings", _("Problems to rectify")
    VIOLATION = "violation", _("Violation")


class DecorationInspection(models.Model):
    """An inspection during the works (装修巡查) or the final acceptance (竣工验收, `final`). Findings open a
    rectification (quality.open_rectification, source = this row); a violation (违规装修) is recorded with what
    was done about it."""

    decoration = models.ForeignKey(Decoration, on_delete=models.CASCADE, related_name="inspections")
    final = models.BooleanField(_("final acceptance"), default=False)
    result = models.CharField(_("result"), max_length=12, choices=InspectionResult.choices)
    findings = models.TextField(_("findings"), max_length=1000, blank=True)
    violation = models.CharField(_("violation"), max_length=200, blank=True)
    photos = models.JSONField(default=list, blank=True)  # stored photo names (core.photos)
    inspected_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    inspected_at = models.DateTimeField(_("inspected"), default=timezone.now)

    class Meta:
        verbose_name = _("decoration inspection")
        verbose_name_plural = _("decoration inspections")
        ordering = ["inspected_at", "id"]

    def __str__(self):
        return f"{self.decoration.number} {self.get_result_display()}"


class DecorationDeduction(models.Model):
    """One itemised deduction from the deposit (damage to common areas, rubbish left, a fine the rules name)."""

    decoration = models.ForeignKey(Decoration, on_delete=models.CASCADE, related_name="deductions")
    reason = models.CharField(_("reason"), max_length=100)
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    recorded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("deposit deduction")
        verbose_name_plural = _("deposit deductions")
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="decoration_deduction_positive")]

    def __str__(self):
        return f"{self.reason} {self.amount}"
