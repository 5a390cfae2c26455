"""Move-in tables (入伙, SPEC §7); the rules live in `services.py`.

A batch (`MoveInBatch`) covers one building over a few days, each day split into time slots with a capacity
(`MoveInSlot`: one row per day and time, so a booking locks the row it fills). A unit's move-in (`MoveIn`) walks
the desk's steps — identity and contract, fees (billing, source = the move-in), the joint house inspection
(`HouseInspection` with its `InspectionItem`s; meter readings go to billing's meters), keys (`KeyHandover`,
signed on the screen), agreements, and the return visit — each step stamped with who and when."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wuye.tenancy.models import Building, Project, Unit

USER = settings.AUTH_USER_MODEL


class BatchStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    NOTIFIED = "notified", _("Owners notified")
    OPEN = "open", _("Open for booking")
    CLOSED = "closed", _("Closed")


class MoveInBatch(models.Model):
    """A move-in batch (入伙批次) of one building: its days, time slots, place, the fees owners pay; the notice
    goes to the owners ≥ WUYE_MOVE_IN_NOTICE_DAYS before the first day."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.PROTECT,
                                related_name="move_in_batches")
    building = models.ForeignKey(Building, verbose_name=_("building"), on_delete=models.PROTECT,
                                 related_name="move_in_batches")
    name = models.CharField(_("name"), max_length=60)
    first_day = models.DateField(_("first day"))
    last_day = models.DateField(_("last day"))
    place = models.CharField(_("place"), max_length=100)
    fees_note = models.CharField(_("fees"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=BatchStatus.choices, default=BatchStatus.DRAFT)
    notice_sent_at = models.DateTimeField(_("notice sent"), null=True, blank=True)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    scope_project_path = "project"

    class Meta:
        verbose_name = _("move-in batch")
        verbose_name_plural = _("move-in batches")
        ordering = ["-first_day", "-id"]
        constraints = [models.CheckConstraint(condition=models.Q(last_day__gte=models.F("first_day")),
                                              name="moveins_batch_days_in_order")]

    def __str__(self):
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("moveins:batch", args=[self.pk])


class MoveInSlot(models.Model):
    """One time slot of one day of a batch, with how many households it takes."""

    batch = models.ForeignKey(MoveInBatch, on_delete=models.CASCADE, related_name="slots")
    day = models.DateField(_("day"))
    starts = models.TimeField(_("from"))
    ends = models.TimeField(_("until"))
    capacity = models.PositiveSmallIntegerField(_("capacity"))

    class Meta:
        ordering = ["day", "starts", "id"]
        constraints = [models.UniqueConstraint(fields=["batch", "day", "starts"], name="moveins_slot_once")]

    def __str__(self):
        return f"{self.day:%m-%d} {self.starts:%H:%M}–{self.ends:%H:%M}"


class MoveInStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    IDENTITY_CHECKED = "identity_checked", _("Identity and contract checked")
    FEES_SETTLED = "fees_settled", _("Fees settled")
    INSPECTED = "inspected", _("House inspected")
    KEYS_HANDED = "keys_handed", _("Keys handed over")
    AGREEMENTS_SIGNED = "agreements_signed", _("Agreements signed")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class MoveIn(models.Model):
    """One unit's move-in in a batch: the booking and every step the desk records, each with who and when."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="+")
    batch = models.ForeignKey(MoveInBatch, verbose_name=_("batch"), on_delete=models.PROTECT,
                              related_name="move_ins")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="move_ins")
    slot = models.ForeignKey(MoveInSlot, verbose_name=_("time slot"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="move_ins")
    owner_name = models.CharField(_("owner"), max_length=40)
    booked_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=20, choices=MoveInStatus.choices, default=MoveInStatus.BOOKED)
    contract_number = models.CharField(_("purchase contract number"), max_length=40, blank=True)
    identity_note = models.CharField(_("identity check"), max_length=200, blank=True)
    identity_checked_at = models.DateTimeField(null=True, blank=True)
    identity_checked_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    fees_settled_at = models.DateTimeField(null=True, blank=True)
    fees_settled_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    inspected_at = models.DateTimeField(null=True, blank=True)
    inspected_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    keys_handed_at = models.DateTimeField(null=True, blank=True)
    keys_handed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # [{"code": "management_agreement", "signed_at": "2026-12-02T10:30:00+08:00"}, …]
    agreements = models.JSONField(_("agreements signed"), default=list, blank=True)
    agreements_signed_at = models.DateTimeField(null=True, blank=True)
    agreements_signed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    return_visit_at = models.DateTimeField(_("return visit"), null=True, blank=True)
    return_visit_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    satisfaction = models.PositiveSmallIntegerField(_("satisfaction"), null=True, blank=True)
    needs = models.CharField(_("needs noted"), max_length=500, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("booked"), default=timezone.now)

    scope_project_path = "project"
    scope_unit_path = "unit"

    class Meta:
        verbose_name = _("move-in")
        verbose_name_plural = _("move-ins")
        ordering = ["batch_id", "slot__day", "slot__starts", "id"]
        constraints = [models.UniqueConstraint(fields=["batch", "unit"], condition=~models.Q(status="cancelled"),
                                               name="moveins_once_per_unit_and_batch")]
        indexes = [models.Index(fields=["project", "status"], name="moveins_status")]

    def __str__(self):
        return f"{self.unit} {self.batch}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("moveins:detail", args=[self.pk])


class HouseInspection(models.Model):
    """The joint house inspection (验房) of a move-in: the owner and engineering go room by room."""

    move_in = models.OneToOneField(MoveIn, on_delete=models.CASCADE, related_name="inspection")
    inspected_at = models.DateTimeField(_("inspected"))
    inspected_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    owner_present = models.CharField(_("with the owner"), max_length=40, blank=True)
    # The readings billing recorded: [{"kind": "water", "meter": "W000123", "value": "12.30", "reading": 456}]
    readings = models.JSONField(_("meter readings"), default=list, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    def __str__(self):
        return f"{self.move_in}"


class InspectionItem(models.Model):
    """One line of the checklist: a room, what was checked, all right or an issue (an issue opens a
    rectification through quality's service; photos are quality's evidence of this item)."""

    inspection = models.ForeignKey(HouseInspection, on_delete=models.CASCADE, related_name="items")
    room = models.CharField(_("room"), max_length=20)
    item = models.CharField(_("item"), max_length=40)
    ok = models.BooleanField(_("all right"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.room} {self.item}"


class KeyHandover(models.Model):
    """What was handed over with the keys, and the owner's signature drawn on the desk's screen (a PNG)."""

    move_in = models.OneToOneField(MoveIn, on_delete=models.CASCADE, related_name="key_handover")
    door_keys = models.PositiveSmallIntegerField(_("door keys"))
    access_cards = models.JSONField(_("access cards"), default=list, blank=True)  # card numbers
    mailbox_keys = models.PositiveSmallIntegerField(_("mailbox keys"), default=0)
    other = models.CharField(_("other items"), max_length=200, blank=True)
    signature = models.FileField(_("owner's signature"), upload_to="moveins/signatures/%Y/%m/")
    signed_at = models.DateTimeField(_("signed"))
    handed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    def __str__(self):
        return f"{self.move_in}"
