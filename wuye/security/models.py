"""Order and security (秩序维护, SPEC §5, seed 001 ch.6): the gate (visitors with their temporary passes, decoration
worker passes, goods release slips), patrol rounds with their checkpoints, and parking sessions.

Tables only; the rules live in the service modules (`visitors.py`, `worker_passes.py`, `goods.py`, `patrols.py`,
`parking.py`). Every time limit is a clock on the SLA engine (keys `patrol.*`); money goes through billing's
services into the one ledger; findings open work orders or rectifications through their own services."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wuye.tenancy.models import Project, Unit

USER = settings.AUTH_USER_MODEL


# -- the gate (门岗) ------------------------------------------------------------------------------------------
class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("Resident identity card")
    PASSPORT = "passport", _("Passport")
    HK_MACAO = "hk_macao", _("Mainland travel permit for Hong Kong and Macao residents")
    TAIWAN = "taiwan", _("Mainland travel permit for Taiwan residents")
    OTHER = "other", _("Other identity document")


class HostConfirmation(models.TextChoices):
    """How the host unit agreed to the visit: in the owner portal (or by pre-registering), or by a call the gate
    made and put on record."""

    PENDING = "pending", _("Not yet confirmed")
    PORTAL = "portal", _("Confirmed by the owner in the portal")
    CALL = "call", _("Confirmed by a call to the unit")
    DECLINED = "declined", _("Declined by the unit")


class VisitorStatus(models.TextChoices):
    EXPECTED = "expected", _("Expected (registered ahead by the owner)")
    WAITING = "waiting", _("At the gate, waiting for the unit")
    INSIDE = "inside", _("Inside")
    LEFT = "left", _("Left")
    REFUSED = "refused", _("Refused entry")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Pass expired unused")


class Visitor(models.Model):
    """A visitor (来访人员) to a unit: registered at the gate or ahead by the owner, with a temporary pass (a short
    code and a QR of `pass_token`) valid from `valid_from` to `valid_until`, checked when the visitor leaves. The
    identity number is checked and kept masked; `id_digest` (keyed hash) finds the same person again."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="visitors")
    unit = models.ForeignKey(Unit, verbose_name=_("host unit"), on_delete=models.PROTECT, related_name="visitors")
    name = models.CharField(_("visitor"), max_length=40)
    id_type = models.CharField(_("identity document"), max_length=16, choices=IdType.choices,
                               default=IdType.RESIDENT_ID)
    id_masked = models.CharField(_("identity number"), max_length=40, blank=True)
    id_digest = models.CharField(max_length=64, blank=True, db_index=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    purpose = models.CharField(_("purpose"), max_length=100)
    plate = models.CharField(_("plate"), max_length=10, blank=True)
    party_size = models.PositiveSmallIntegerField(_("people"), default=1)
    status = models.CharField(_("status"), max_length=16, choices=VisitorStatus.choices,
                              default=VisitorStatus.WAITING)
    confirmation = models.CharField(_("host confirmation"), max_length=16, choices=HostConfirmation.choices,
                                    default=HostConfirmation.PENDING)
    confirmed_by = models.ForeignKey(USER, verbose_name=_("confirmed by"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    # The call on record: who at the unit answered and what they said (确认来访).
    call_note = models.CharField(_("call on record"), max_length=200, blank=True)
    pre_registered = models.BooleanField(_("registered ahead by the owner"), default=False)
    pass_code = models.CharField(_("pass code"), max_length=12)
    pass_token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"))
    entered_at = models.DateTimeField(_("entered"), null=True, blank=True)
    exited_at = models.DateTimeField(_("left"), null=True, blank=True)
    overstayed = models.BooleanField(_("left after the pass expired"), default=False)
    registered_by = models.ForeignKey(USER, verbose_name=_("registered by"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    entered_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    exited_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("registered"), default=timezone.now)

    scope_project_path = "project"
    scope_unit_path = "unit"

    class Meta:
        verbose_name = _("visitor")
        verbose_name_plural = _("visitors")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["project", "pass_code"], name="security_visitor_pass_code")]
        indexes = [models.Index(fields=["project", "status", "created_at"], name="security_visitor_status"),
                   models.Index(fields=["unit", "created_at"], name="security_visitor_unit")]

    def __str__(self):
        return f"{self.name} → {self.unit}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("security:visitor", args=[self.pk])


class WorkerPassStatus(models.TextChoices):
    ACTIVE = "active", _("Valid")
    RETURNED = "returned", _("Returned")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


class WorkerPass(models.Model):
    """A decoration worker's pass (装修出入证): the worker's identity and photo, the unit whose works it belongs to
    and their period, a pass deposit charged to the unit through the ledger (refunded when the pass comes back)."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.PROTECT,
                                related_name="worker_passes")
    unit = models.ForeignKey(Unit, verbose_name=_("unit under decoration"), on_delete=models.PROTECT,
                             related_name="worker_passes")
    # The decoration application (community operations) it belongs to; a pass issued without one describes the works.
    decoration = models.ForeignKey("decorations.Decoration", verbose_name=_("decoration"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="worker_passes")
    works = models.CharField(_("decoration works"), max_length=200, blank=True)
    worker_name = models.CharField(_("worker"), max_length=40)
    id_type = models.CharField(_("identity document"), max_length=16, choices=IdType.choices,
                               default=IdType.RESIDENT_ID)
    id_masked = models.CharField(_("identity number"), max_length=40)
    id_digest = models.CharField(max_length=64, blank=True, db_index=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    employer = models.CharField(_("decoration company"), max_length=100, blank=True)
    photo = models.FileField(_("photo"), upload_to="security/workers/%Y/%m/", blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    pass_code = models.CharField(_("pass code"), max_length=12)
    pass_token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(_("status"), max_length=16, choices=WorkerPassStatus.choices,
                              default=WorkerPassStatus.ACTIVE)
    deposit_bill = models.ForeignKey("billing.Bill", verbose_name=_("pass deposit"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    returned_at = models.DateTimeField(_("returned"), null=True, blank=True)
    issued_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("issued"), default=timezone.now)

    scope_project_path = "project"
    scope_unit_path = "unit"

    class Meta:
        verbose_name = _("worker pass")
        verbose_name_plural = _("worker passes")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "pass_code"], name="security_worker_pass_code"),
            models.CheckConstraint(condition=models.Q(valid_until__gte=models.F("valid_from")),
                                   name="security_worker_pass_period"),
        ]
        indexes = [models.Index(fields=["project", "status", "valid_until"], name="security_worker_pass_due")]

    def __str__(self):
        return f"{self.worker_name} ({self.unit})"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("security:worker_pass", args=[self.pk])


class GoodsApplicant(models.TextChoices):
    OWNER = "owner", _("Owner")
    TENANT = "tenant", _("Tenant")


class GoodsReleaseStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    APPROVED = "approved", _("Approved — slip issued")
    VERIFIED = "verified", _("Released at the gate")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired unused")


class GoodsRelease(models.Model):
    """A goods release (物品放行): an owner or tenant applies to carry goods out, the desk approves (a tenant's needs
    the owner's consent on record) and issues a slip with a code; the gate verifies it once and it is archived."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.PROTECT,
                                related_name="goods_releases")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="goods_releases")
    applicant = models.ForeignKey(USER, verbose_name=_("applicant"), null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    applicant_name = models.CharField(_("applicant"), max_length=40)
    applicant_kind = models.CharField(_("applies as"), max_length=16, choices=GoodsApplicant.choices)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    items = models.JSONField(_("goods"), default=list)  # [{"name": "冰箱", "quantity": 1}]
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    carry_out_on = models.DateField(_("carry out on"))
    plate = models.CharField(_("vehicle"), max_length=10, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=GoodsReleaseStatus.choices,
                              default=GoodsReleaseStatus.APPLIED)
    # The owner's consent to a tenant's release, on record: in the portal or by a call the desk made.
    consent = models.CharField(_("owner's consent"), max_length=16, choices=HostConfirmation.choices,
                               default=HostConfirmation.PENDING)
    consent_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    consent_at = models.DateTimeField(_("consent given"), null=True, blank=True)
    consent_note = models.CharField(_("consent on record"), max_length=200, blank=True)
    code = models.CharField(_("slip code"), max_length=12, blank=True)
    approved_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    reject_reason = models.CharField(_("reason refused"), max_length=200, blank=True)
    verified_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    verified_at = models.DateTimeField(_("released"), null=True, blank=True)
    gate_note = models.CharField(_("gate note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("applied"), default=timezone.now)

    scope_project_path = "project"
    scope_unit_path = "unit"

    class Meta:
        verbose_name = _("goods release")
        verbose_name_plural = _("goods releases")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["project", "code"], condition=~models.Q(code=""),
                                               name="security_goods_slip_code")]
        indexes = [models.Index(fields=["project", "status", "carry_out_on"], name="security_goods_status")]

    def __str__(self):
        return f"{self.unit} {self.carry_out_on:%m-%d}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("security:goods_release", args=[self.pk])


# -- patrols (巡逻) -------------------------------------------------------------------------------------------
class PatrolRoute(models.Model):
    """A patrol route (巡逻路线) with ordered checkpoints, walked every `every_minutes` between `first_round_at`
    and `last_round_at` (every 2 h; key areas such as the underground garage and the playground every 1 h —
    tenancy rules `patrol_every_minutes` / `patrol_key_area_every_minutes`). A round may take `round_minutes`;
    each checkpoint is due `minutes_from_start` after the round starts."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.PROTECT,
                                related_name="patrol_routes")
    name = models.CharField(_("route"), max_length=60)
    is_key_area = models.BooleanField(_("key area (patrolled more often)"), default=False)
    every_minutes = models.PositiveSmallIntegerField(_("a round every (minutes)"))
    first_round_at = models.TimeField(_("first round at"), default="00:00")
    last_round_at = models.TimeField(_("last round at"), default="23:59")
    round_minutes = models.PositiveSmallIntegerField(_("minutes a round may take"), default=40)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    scope_project_path = "project"

    class Meta:
        verbose_name = _("patrol route")
        verbose_name_plural = _("patrol routes")
        ordering = ["project_id", "name"]
        constraints = [models.UniqueConstraint(fields=["project", "name"], name="security_route_name")]

    def __str__(self):
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("security:route", args=[self.pk])


class PatrolCheckpoint(models.Model):
    """A checkpoint (巡更点) of a route, in walking order. Its QR label carries `label_token`; `code` is printed
    under it for typing when the camera cannot read the label (unique in the project)."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="patrol_checkpoints")
    route = models.ForeignKey(PatrolRoute, verbose_name=_("route"), on_delete=models.PROTECT,
                              related_name="checkpoints")
    order = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("checkpoint"), max_length=60)
    location = models.CharField(_("location"), max_length=100, blank=True)
    # What to look at here (消防通道是否畅通、公共设施是否损坏、可疑人员).
    checks = models.CharField(_("what to check"), max_length=200, blank=True)
    code = models.CharField(_("checkpoint code"), max_length=16)
    label_token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    minutes_from_start = models.PositiveSmallIntegerField(_("due minutes after the round starts"))
    is_active = models.BooleanField(_("active"), default=True)

    scope_project_path = "project"

    class Meta:
        verbose_name = _("patrol checkpoint")
        verbose_name_plural = _("patrol checkpoints")
        ordering = ["route_id", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["project", "code"], name="security_checkpoint_code")]

    def __str__(self):
        return self.name


class RoundStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    OPEN = "open", _("Under way")
    COMPLETED = "completed", _("Completed")
    INCOMPLETE = "incomplete", _("Checkpoints missed")
    MISSED = "missed", _("Missed")
    CANCELLED = "cancelled", _("Cancelled")


class PatrolRound(models.Model):
    """One round of a route starting at `starts_at`; scans are accepted from `starts_at` until `ends_at` (the next
    round's start). Generated ahead; its clocks (`patrol.round` and one `patrol.checkpoint` per checkpoint) start
    when it opens. The counts are kept on the row for the day's pages and the completion KPI."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.PROTECT,
                                related_name="patrol_rounds")
    route = models.ForeignKey(PatrolRoute, verbose_name=_("route"), on_delete=models.PROTECT, related_name="rounds")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("window closes"))
    status = models.CharField(_("status"), max_length=16, choices=RoundStatus.choices,
                              default=RoundStatus.SCHEDULED)
    guard = models.ForeignKey(USER, verbose_name=_("guard"), null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    checkpoints_total = models.PositiveSmallIntegerField(_("checkpoints"), default=0)
    scanned = models.PositiveSmallIntegerField(_("scanned"), default=0)
    late = models.PositiveSmallIntegerField(_("scanned late"), default=0)
    missed = models.PositiveSmallIntegerField(_("missed"), default=0)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    scope_project_path = "project"
    sla_related = ("route",)

    class Meta:
        verbose_name = _("patrol round")
        verbose_name_plural = _("patrol rounds")
        ordering = ["starts_at", "id"]
        constraints = [models.UniqueConstraint(fields=["route", "starts_at"], name="security_round_once")]
        indexes = [models.Index(fields=["project", "starts_at"], name="security_round_day"),
                   models.Index(fields=["status", "starts_at"], name="security_round_status")]

    def __str__(self):
        return f"{self.route.name} {timezone.localtime(self.starts_at):%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("security:round", args=[self.pk])


class VisitStatus(models.TextChoices):
    PENDING = "pending", _("Not yet scanned")
    ON_TIME = "on_time", _("Scanned on time")
    LATE = "late", _("Scanned late")
    MISSED = "missed", _("Missed")


class CheckpointVisit(models.Model):
    """A checkpoint's place in one round: due at `due_at` (its `patrol.checkpoint` clock's deadline); scanned on
    time, late (after the deadline, inside the round's window), or missed (reported once by the sweep)."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="+")
    round = models.ForeignKey(PatrolRound, on_delete=models.CASCADE, related_name="visits")
    checkpoint = models.ForeignKey(PatrolCheckpoint, verbose_name=_("checkpoint"), on_delete=models.PROTECT,
                                   related_name="visits")
    order = models.PositiveSmallIntegerField(_("order"))
    due_at = models.DateTimeField(_("due"))
    status = models.CharField(_("status"), max_length=16, choices=VisitStatus.choices, default=VisitStatus.PENDING)
    scanned_at = models.DateTimeField(_("scanned"), null=True, blank=True)
    scanned_by = models.ForeignKey(USER, verbose_name=_("guard"), null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    note = models.CharField(_("note"), max_length=300, blank=True)

    scope_project_path = "project"
    sla_related = ("round__route", "checkpoint")

    class Meta:
        verbose_name = _("checkpoint visit")
        verbose_name_plural = _("checkpoint visits")
        ordering = ["round_id", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["round", "checkpoint"], name="security_visit_once")]
        indexes = [models.Index(fields=["project", "status", "due_at"], name="security_visit_due")]

    def __str__(self):
        return f"{self.checkpoint.name} {timezone.localtime(self.due_at):%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("security:round", args=[self.round_id])


class FindingAction(models.TextChoices):
    WORK_ORDER = "work_order", _("Work order")
    RECTIFICATION = "rectification", _("Rectification")


class PatrolFinding(models.Model):
    """Something a guard found at a checkpoint (a blocked fire lane, a broken light, a stranger): it opens a work
    order (a repair for engineering) or a rectification for the department responsible."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="+")
    visit = models.ForeignKey(CheckpointVisit, on_delete=models.PROTECT, related_name="findings")
    description = models.CharField(_("finding"), max_length=300)
    action = models.CharField(_("opens"), max_length=16, choices=FindingAction.choices)
    department = models.CharField(_("department"), max_length=32, blank=True)
    ticket = models.ForeignKey("workorders.Ticket", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    rectification = models.ForeignKey("quality.Rectification", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+")
    reported_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("reported"), default=timezone.now)

    scope_project_path = "project"

    class Meta:
        verbose_name = _("patrol finding")
        verbose_name_plural = _("patrol findings")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.description


# -- parking (车辆管理) ---------------------------------------------------------------------------------------
class GateDirection(models.TextChoices):
    ENTRY = "entry", _("Entry")
    EXIT = "exit", _("Exit")


class ParkingGate(models.Model):
    """A vehicle gate (道闸) of a parking zone, with its plate camera: the camera adapter posts plates it reads
    here; the booth types them when the camera cannot."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.PROTECT,
                                related_name="parking_gates")
    code = models.SlugField(_("gate code"), max_length=20)
    name = models.CharField(_("gate"), max_length=40)
    zone = models.CharField(_("zone"), max_length=40)
    direction = models.CharField(_("direction"), max_length=8, choices=GateDirection.choices)
    is_active = models.BooleanField(_("active"), default=True)

    scope_project_path = "project"

    class Meta:
        verbose_name = _("parking gate")
        verbose_name_plural = _("parking gates")
        ordering = ["project_id", "zone", "code"]
        constraints = [models.UniqueConstraint(fields=["project", "code"], name="security_gate_code")]

    def __str__(self):
        return self.name


class VehicleClass(models.TextChoices):
    TEMPORARY = "temporary", _("Temporary vehicle")
    PASS = "pass", _("Monthly pass")
    RESIDENT = "resident", _("Resident's own space")


class SessionSource(models.TextChoices):
    BOOTH = "booth", _("Typed at the booth")
    CAMERA = "camera", _("Plate camera")


class SessionStatus(models.TextChoices):
    INSIDE = "inside", _("Inside")
    LEFT = "left", _("Left")


class ParkingSession(models.Model):
    """A vehicle's stay: entry and exit by plate. A temporary vehicle pays the temporary tariff's fee at exit
    (billing's quote), through the payment channels, as a walk-in payment in the ledger. One open session per plate
    in a project (a plate already inside cannot enter again — a database constraint)."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.PROTECT,
                                related_name="parking_sessions")
    plate = models.CharField(_("plate"), max_length=10)
    vehicle_class = models.CharField(_("vehicle"), max_length=16, choices=VehicleClass.choices,
                                     default=VehicleClass.TEMPORARY)
    zone = models.CharField(_("zone"), max_length=40)
    status = models.CharField(_("status"), max_length=8, choices=SessionStatus.choices, default=SessionStatus.INSIDE)
    entered_at = models.DateTimeField(_("entered"))
    entry_gate = models.ForeignKey(ParkingGate, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    entry_source = models.CharField(_("entry recorded by"), max_length=8, choices=SessionSource.choices)
    entered_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    exited_at = models.DateTimeField(_("left"), null=True, blank=True)
    exit_gate = models.ForeignKey(ParkingGate, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    exit_source = models.CharField(_("exit recorded by"), max_length=8, choices=SessionSource.choices, blank=True)
    exited_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    fee = models.DecimalField(_("fee"), max_digits=10, decimal_places=2, null=True, blank=True)
    payment = models.ForeignKey("billing.Payment", verbose_name=_("payment"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    vehicle = models.ForeignKey("people.Vehicle", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    parking_pass = models.ForeignKey("billing.ParkingPass", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")

    scope_project_path = "project"

    class Meta:
        verbose_name = _("parking session")
        verbose_name_plural = _("parking sessions")
        ordering = ["-entered_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "plate"], condition=models.Q(status="inside"),
                                    name="security_plate_inside_once"),
            models.CheckConstraint(condition=models.Q(fee__gte=0) | models.Q(fee__isnull=True),
                                   name="security_session_fee_not_negative"),
        ]
        indexes = [models.Index(fields=["project", "status", "zone"], name="security_session_inside"),
                   models.Index(fields=["project", "entered_at"], name="security_session_day")]

    def __str__(self):
        return f"{self.plate} {timezone.localtime(self.entered_at):%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("security:parking_session", args=[self.pk])
