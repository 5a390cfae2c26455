"""Takeover from the developer tables (接管验收, SPEC §7, seed 001 ch.2 §2); the rules live in `services.py`.

A takeover (per project, optionally some of its buildings) carries its checklist copied from the default list by
system (`checklists.py`), the rectification notices (整改通知书) that group findings for the developer, and the
document handover list (资料移交清单)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wuye.tenancy.models import Building, Project


class TakeoverStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("takeover", "Planned")
    INSPECTING = "inspecting", _("Inspecting")
    RECTIFYING = "rectifying", _("Developer rectifying")
    REINSPECTING = "reinspecting", _("Re-inspecting")
    ACCEPTED = "accepted", pgettext_lazy("takeover", "Accepted")
    CANCELLED = "cancelled", _("Cancelled")


class System(models.TextChoices):
    CIVIL = "civil", _("Civil works")
    PLUMBING = "plumbing", _("Water supply and drainage")
    ELECTRICAL = "electrical", _("Power distribution")
    ELEVATORS = "elevators", _("Elevators")
    FIRE = "fire", _("Fire protection")
    HVAC = "hvac", _("Heating, ventilation and air conditioning")
    WEAK_CURRENT = "weak_current", _("Weak current")
    PUBLIC_AREAS = "public_areas", _("Public areas")


class CheckResult(models.TextChoices):
    PENDING = "pending", _("Not checked yet")
    OK = "ok", _("OK")
    FINDING = "finding", _("Finding")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


class FindingState(models.TextChoices):
    """What became of a finding: open until the re-inspection finds it fixed, or the manager accepts it as is."""

    NONE = "", _("No finding")
    OPEN = "open", pgettext_lazy("takeover finding", "Open")
    FIXED = "fixed", _("Fixed")
    WAIVED = "waived", _("Accepted as is")


class NoticeStatus(models.TextChoices):
    ISSUED = "issued", pgettext_lazy("rectification notice", "Issued")
    CLOSED = "closed", _("All findings resolved")
    CANCELLED = "cancelled", _("Cancelled")


class DocumentCategory(models.TextChoices):
    DRAWING = "drawing", _("Drawings")
    CERTIFICATE = "certificate", _("Certificates")
    WARRANTY = "warranty", _("Warranty cards")
    MANUAL = "manual", _("Manuals")
    RECORD = "record", _("Construction records")
    OTHER = "other", _("Other")


class DocumentStatus(models.TextChoices):
    EXPECTED = "expected", _("Expected")
    RECEIVED = "received", pgettext_lazy("handover document", "Received")
    MISSING = "missing", _("Missing")


class Takeover(models.Model):
    """One takeover inspection of a project (or some of its buildings) from its developer."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.PROTECT,
                                related_name="takeovers")
    buildings = models.ManyToManyField(Building, verbose_name=_("buildings"), blank=True, related_name="+")
    title = models.CharField(_("title"), max_length=100)
    developer = models.CharField(_("developer"), max_length=100)
    developer_contact = models.CharField(_("developer's contact"), max_length=100, blank=True)
    planned_on = models.DateField(_("planned inspection day"))
    members = models.TextField(_("takeover team"), blank=True)
    owner_representatives = models.CharField(_("owner representatives"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=TakeoverStatus.choices,
                              default=TakeoverStatus.PLANNED)
    started_at = models.DateTimeField(_("inspection started"), null=True, blank=True)
    accepted_on = models.DateField(_("confirmation signed on"), null=True, blank=True)
    developer_signatory = models.CharField(_("signed for the developer by"), max_length=60, blank=True)
    acceptance_note = models.CharField(_("confirmation note"), max_length=500, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    cancel_reason = models.CharField(_("reason cancelled"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    scope_project_path = "project"

    class Meta:
        verbose_name = _("takeover")
        verbose_name_plural = _("takeovers")
        ordering = ["-planned_on", "-id"]
        indexes = [models.Index(fields=["project", "status"], name="takeover_project_status")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("takeovers:detail", args=[self.pk])


class RectificationNotice(models.Model):
    """A rectification notice (整改通知书) to the developer: the findings it groups, 15 working days to fix them
    (the clock of its quality rectification, policy `rectification.takeover`)."""

    takeover = models.ForeignKey(Takeover, on_delete=models.CASCADE, related_name="notices")
    number = models.PositiveSmallIntegerField(_("number"))
    status = models.CharField(_("status"), max_length=16, choices=NoticeStatus.choices, default=NoticeStatus.ISSUED)
    note = models.CharField(_("note"), max_length=500, blank=True)
    issued_at = models.DateTimeField(pgettext_lazy("rectification notice", "issued"), default=timezone.now)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    scope_project_path = "takeover__project"

    class Meta:
        verbose_name = _("rectification notice")
        verbose_name_plural = _("rectification notices")
        ordering = ["takeover_id", "number"]
        constraints = [models.UniqueConstraint(fields=["takeover", "number"], name="takeover_notice_number")]

    def __str__(self):
        return _("Rectification notice No. %(number)s") % {"number": self.number}

    def get_absolute_url(self):
        return reverse("takeovers:detail", args=[self.takeover_id]) + "#notices"

    def rectification_source_label(self) -> str:
        return f"接管验收 {self.takeover.title} · 整改通知书第{self.number}号"


class TakeoverCheck(models.Model):
    """One checklist item of a takeover, by system: checked ok, a finding, or not applicable. A finding is open
    until the re-inspection finds it fixed or the manager accepts it as is (with a note)."""

    takeover = models.ForeignKey(Takeover, on_delete=models.CASCADE, related_name="checks")
    system = models.CharField(_("system"), max_length=16, choices=System.choices)
    number = models.PositiveSmallIntegerField(_("number"))
    item = models.CharField(_("item"), max_length=200)
    standard = models.CharField(_("standard"), max_length=200, blank=True)
    result = models.CharField(_("result"), max_length=16, choices=CheckResult.choices, default=CheckResult.PENDING)
    note = models.CharField(_("note"), max_length=500, blank=True)
    location = models.CharField(_("where"), max_length=100, blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    checked_at = models.DateTimeField(_("checked"), null=True, blank=True)
    finding_state = models.CharField(_("finding"), max_length=16, choices=FindingState.choices, blank=True,
                                     default=FindingState.NONE)
    notice = models.ForeignKey(RectificationNotice, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="findings")
    reinspections = models.PositiveSmallIntegerField(_("re-inspections"), default=0)
    reinspect_note = models.CharField(_("re-inspection note"), max_length=500, blank=True)
    reinspected_at = models.DateTimeField(_("re-inspected"), null=True, blank=True)
    waive_note = models.CharField(_("why accepted as is"), max_length=500, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")

    scope_project_path = "takeover__project"

    class Meta:
        verbose_name = _("takeover check")
        verbose_name_plural = _("takeover checks")
        ordering = ["takeover_id", "number"]
        constraints = [models.UniqueConstraint(fields=["takeover", "number"], name="takeover_check_number")]
        indexes = [models.Index(fields=["takeover", "finding_state"], name="takeover_check_finding")]

    def __str__(self):
        return self.item


class HandoverDocument(models.Model):
    """A line of the document handover list (资料移交清单): expected, received (on a day, copies, where filed) or
    missing. A warranty card names its warranty end and the firm responsible."""

    takeover = models.ForeignKey(Takeover, on_delete=models.CASCADE, related_name="documents")
    number = models.PositiveSmallIntegerField(_("number"))
    category = models.CharField(_("category"), max_length=16, choices=DocumentCategory.choices)
    name = models.CharField(_("document"), max_length=100)
    status = models.CharField(_("status"), max_length=16, choices=DocumentStatus.choices,
                              default=DocumentStatus.EXPECTED)
    received_on = models.DateField(_("received on"), null=True, blank=True)
    copies = models.PositiveSmallIntegerField(_("copies"), default=0)
    filed_at = models.CharField(_("where filed"), max_length=100, blank=True)
    warranty_ends_on = models.DateField(_("warranty ends"), null=True, blank=True)
    responsible_firm = models.CharField(_("firm responsible"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    scope_project_path = "takeover__project"

    class Meta:
        verbose_name = _("handover document")
        verbose_name_plural = _("handover documents")
        ordering = ["takeover_id", "number"]
        constraints = [models.UniqueConstraint(fields=["takeover", "number"], name="takeover_document_number")]

    def __str__(self):
        return self.name
