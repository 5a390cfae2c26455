"""The one ledger for every money movement (§3). Bills say what is owed; ledger entries are the movements
(charges +, payments −, refunds +, write-offs −) and are append-only; a unit's balance is the sum of its entries,
never a stored counter. Money is Decimal yuan with fen precision."""

from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wuye.core.models import AppendOnly
from wuye.core.money import MoneyField
from wuye.tenancy.models import Project, Unit


class ChargeKind(models.TextChoices):
    PROPERTY_FEE = "property_fee", _("Property fee")
    PARKING_PASS = "parking_pass", _("Parking monthly pass")
    PARKING_TEMPORARY = "parking_temporary", _("Temporary parking")
    SHARED_UTILITY = "shared_utility", _("Shared utilities")
    METERED = "metered", _("Metered utility")
    ONE_OFF = "one_off", _("One-off charge")
    PAID_SERVICE = "paid_service", _("Paid service")


class MeterKind(models.TextChoices):
    WATER = "water", _("Water")
    ELECTRICITY = "electricity", _("Electricity")
    GAS = "gas", _("Gas")


class SharingMethod(models.TextChoices):
    """How a shared cost (公摊) is divided among the units that share it."""

    BY_AREA = "by_area", _("By floor area")
    PER_HOUSEHOLD = "per_household", _("Per household")


class ChargeItem(models.Model):
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="charge_items")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=24, choices=ChargeKind.choices)
    # Metered and shared-utility items: which meters they read; shared utilities: how the cost is divided.
    meter_kind = models.CharField(_("meter type"), max_length=16, choices=MeterKind.choices, blank=True)
    sharing = models.CharField(_("allocation method"), max_length=16, choices=SharingMethod.choices, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    scope_project_path = "project"

    class Meta:
        verbose_name = _("charge item")
        verbose_name_plural = _("charge items")
        constraints = [models.UniqueConstraint(fields=["project", "code"], name="charge_item_code_unique")]

    def __str__(self):
        return self.name


class Basis(models.TextChoices):
    PER_M2_MONTH = "per_m2_month", _("Per m² per month")
    PER_UNIT_MONTH = "per_unit_month", _("Per unit per month")
    PER_CONSUMPTION = "per_consumption", _("Per unit of consumption (m³, kWh)")
    PER_HOUR = "per_hour", _("Per hour")
    FIXED = "fixed", _("Fixed amount")


class Tariff(models.Model):
    """The price of an item from a date on (a later row changes the price; history stays correct)."""

    item = models.ForeignKey(ChargeItem, on_delete=models.CASCADE, related_name="tariffs")
    unit_kind = models.CharField(_("unit type"), max_length=16, blank=True, help_text=_("Empty: every unit type."))
    basis = models.CharField(_("basis"), max_length=16, choices=Basis.choices)
    rate = models.DecimalField(_("rate"), max_digits=10, decimal_places=4)
    effective_from = models.DateField(_("effective from"))

    scope_project_path = "item__project"

    class Meta:
        verbose_name = _("tariff")
        verbose_name_plural = _("tariffs")
        ordering = ["item_id", "unit_kind", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["item", "unit_kind", "effective_from"], name="tariff_once_per_date"),
            models.CheckConstraint(condition=models.Q(rate__gte=0), name="tariff_rate_not_negative"),
        ]

    def __str__(self):
        return f"{self.item} {self.rate} {self.basis} from {self.effective_from}"


class BillingRun(models.Model):
    """Billing of one project for one period; rerunning or resuming continues it and bills nothing twice."""

    class Status(models.TextChoices):
        RUNNING = "running", _("In progress")
        DONE = "done", _("Done")

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="billing_runs")
    period = models.DateField(_("period (first day)"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    units_total = models.PositiveIntegerField(default=0)
    units_done = models.PositiveIntegerField(default=0)
    # Units are billed in id order, a chunk per transaction; a resumed run goes on after the last committed one.
    last_unit_id = models.BigIntegerField(default=0)
    bills_created = models.PositiveIntegerField(default=0)
    amount_billed = MoneyField(default=0)
    # Per charge item: {"<item code>": {"name", "bills", "amount"}} — the run's summary page reads this.
    summary = models.JSONField(default=dict, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    scope_project_path = "project"

    class Meta:
        verbose_name = _("billing run")
        verbose_name_plural = _("billing runs")
        constraints = [models.UniqueConstraint(fields=["project", "period"], name="billing_run_once_per_period")]

    def __str__(self):
        return f"{self.project} {self.period:%Y-%m}"


class BillingRunChunk(models.Model):
    """A slice of a run's units (by id) billed as one task on a Celery worker (`billing.fanout`). The chunk's row is
    locked while it is billed and marked done in the same transaction as its bills, so a redelivered task (its
    worker was killed midway, or it was sent twice) finds it done — or bills it from scratch — and never bills
    a unit twice."""

    run = models.ForeignKey(BillingRun, on_delete=models.CASCADE, related_name="chunks")
    number = models.PositiveIntegerField()
    first_unit_id = models.BigIntegerField()
    last_unit_id = models.BigIntegerField()
    units = models.PositiveIntegerField()
    sent_at = models.DateTimeField(null=True, blank=True)  # last handed to the workers (sent again when stale)
    done_at = models.DateTimeField(null=True, blank=True)
    bills_created = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("billing run chunk")
        verbose_name_plural = _("billing run chunks")
        constraints = [models.UniqueConstraint(fields=["run", "number"], name="billing_run_chunk_once")]

    def __str__(self):
        return f"{self.run} #{self.number}"


class BillingRunSkip(models.Model):
    """A unit (or one of its charges) a run left unbilled, and why, as a sentence for the run page. A chunk
    replaces the records of its units each time it bills them, so a rerun that bills a unit clears its record."""

    class Reason(models.TextChoices):
        HELD_READING = "held_reading", _("A meter reading awaits review")
        FAILED = "failed", _("Billing failed")

    run = models.ForeignKey(BillingRun, on_delete=models.CASCADE, related_name="skips")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    item = models.ForeignKey("ChargeItem", verbose_name=_("charge item"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    message = models.CharField(_("message"), max_length=500)
    created_at = models.DateTimeField(default=timezone.now)

    scope_project_path = "run__project"

    class Meta:
        verbose_name = _("unit skipped by a billing run")
        verbose_name_plural = _("units skipped by billing runs")
        ordering = ["run_id", "unit_id", "id"]

    def __str__(self):
        return f"{self.run} {self.unit_id}: {self.message}"


# A bill still owes when more than half a fen is outstanding: exact on PostgreSQL; on SQLite, which adds decimals
# as floats (0.7 + 0.1 = 0.7999999999999999), it keeps a settled bill from looking open (or over-settled).
HALF_FEN = Decimal("0.005")
OPEN = models.Q(amount__gt=models.F("paid") + models.F("written_off") + models.Value(HALF_FEN))


def days_overdue(due_on, on) -> int:
    """Days a bill is overdue on the local date `on`: it is due until the end of its due day, so the next day is
    day 1 (0 on or before the due day). Reports, pages and printed notices all count this way."""
    return max((on - due_on).days, 0)


class Bill(models.Model):
    """An amount a unit owes for one item and period (or one source, such as a repair's charge line). A walk-in's
    bill (a temporary car's fee) has no unit: its source is the record it pays for and its description says who
    (临时停车 粤B12345); it is paid when it is issued (`services.take_walk_in_payment`)."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="bills")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="bills")
    item = models.ForeignKey(ChargeItem, verbose_name=_("charge item"), on_delete=models.PROTECT, related_name="+")
    period = models.DateField(_("period (first day)"), null=True, blank=True)
    amount = MoneyField(_("amount"))
    # What allocations and write-offs settled: kept in step with them under the unit's lock (the allocation rows
    # stay the record; a test checks the two agree) so open bills and arrears are one indexed scan.
    paid = MoneyField(_("paid"), default=0)
    written_off = MoneyField(_("written off"), default=0)
    due_on = models.DateField(_("due"))
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    source_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    source_id = models.BigIntegerField(null=True, blank=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    run = models.ForeignKey(BillingRun, null=True, blank=True, on_delete=models.PROTECT, related_name="bills")
    # A one-off charge entered by hand carries the key of the form or request, so sending it twice bills once.
    idempotency_key = models.CharField(max_length=100, blank=True)

    scope_project_path = "project"
    scope_unit_path = "unit"

    class Meta:
        verbose_name = _("bill")
        verbose_name_plural = _("bills")
        ordering = ["due_on", "id"]
        constraints = [
            # A billing run rerun (or resumed) never bills a unit twice for an item and period.
            models.UniqueConstraint(fields=["unit", "item", "period"],
                                    condition=models.Q(period__isnull=False, source_id__isnull=True),
                                    name="bill_once_per_unit_item_period"),
            # A source billed once (a repair's charge line), or once per period (a parking pass, a shared cost).
            models.UniqueConstraint(fields=["source_type", "source_id"],
                                    condition=models.Q(source_id__isnull=False, period__isnull=True),
                                    name="bill_once_per_source"),
            models.UniqueConstraint(fields=["unit", "source_type", "source_id", "period"],
                                    condition=models.Q(source_id__isnull=False, period__isnull=False),
                                    name="bill_once_per_source_period"),
            models.UniqueConstraint(fields=["project", "idempotency_key"], condition=~models.Q(idempotency_key=""),
                                    name="bill_idempotency_key_unique"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="bill_amount_positive"),
            # A bill without a unit is a walk-in's: it must say what it is for (its source) and who (description).
            models.CheckConstraint(condition=models.Q(unit__isnull=False)
                                   | (models.Q(source_id__isnull=False) & ~models.Q(description="")),
                                   name="bill_walk_in_has_source"),
            models.CheckConstraint(
                condition=models.Q(paid__gte=0, written_off__gte=0,
                                   amount__gt=models.F("paid") + models.F("written_off") - models.Value(HALF_FEN)),
                name="bill_settled_within_amount"),
        ]
        indexes = [
            models.Index(fields=["unit", "due_on"], name="bill_unit_due"),
            # Arrears: only open bills are in this index, so aging reads the debt, not the history.
            models.Index(fields=["project", "due_on"], name="bill_open_due", condition=OPEN),
            models.Index(fields=["project", "period"], name="bill_project_period"),
        ]

    def __str__(self):
        return f"{self.item} {self.period or ''} ¥{self.amount}"

    @property
    def is_walk_in(self) -> bool:
        return self.unit_id is None

    @property
    def account_label(self) -> str:
        """Whose bill, where a unit's label is shown: the unit, or for a walk-in its description."""
        return self.unit.label if self.unit_id else self.description

    @property
    def outstanding(self):
        return self.amount - self.paid - self.written_off

    @property
    def is_settled(self) -> bool:
        return self.outstanding <= 0


class Channel(models.TextChoices):
    CASH = "cash", _("Cash")
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    WECHAT = "wechat", _("WeChat Pay")
    ALIPAY = "alipay", _("Alipay")
    SIMULATED = "simulated", _("Simulated online payment")
    POS = "pos", _("POS card")


class Payment(models.Model):
    """Money received. A walk-in payment (a temporary car's fee at the exit) has no unit: `description` says who
    paid for what (临时停车 粤B12345) wherever a unit would be shown; owners never see it."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="payments")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="payments")
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    amount = MoneyField(_("amount"))
    idempotency_key = models.CharField(max_length=100)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    # Who handed the money over at the desk, as they gave their name (a tenant, a relative) — may not be an owner.
    payer_name = models.CharField(_("payer"), max_length=50, blank=True)
    # A WeChat/Alipay scan or a POS card at the desk: the provider's transaction or reference number from the slip,
    # as the clerk confirmed it. Used once per channel in a project. `reference_verified_at` is set when the
    # channel's adapter has looked the reference up at the provider (channels.verify_desk_reference).
    reference = models.CharField(_("provider's reference"), max_length=40, blank=True)
    reference_verified_at = models.DateTimeField(_("reference verified"), null=True, blank=True)
    # A walk-in payment's account as shown in lists and on the receipt (临时停车 粤B12345); empty for a unit's.
    description = models.CharField(_("description"), max_length=200, blank=True, default="", db_default="")

    scope_project_path = "project"
    scope_unit_path = "unit"

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.UniqueConstraint(fields=["project", "idempotency_key"], name="payment_idempotency_key_unique"),
            models.UniqueConstraint(fields=["project", "channel", "reference"], condition=~models.Q(reference=""),
                                    name="payment_reference_once_per_channel"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(condition=models.Q(unit__isnull=False) | ~models.Q(description=""),
                                   name="payment_walk_in_described"),
        ]

    def __str__(self):
        return f"¥{self.amount} {self.get_channel_display()}"

    @property
    def is_walk_in(self) -> bool:
        return self.unit_id is None

    @property
    def account_label(self) -> str:
        """Who paid, where a unit's label is shown: the unit, or for a walk-in its description."""
        return self.unit.label if self.unit_id else self.description


class Allocation(models.Model):
    """How much of a payment settled which bill; a refund that reaches allocated money adds negative rows."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="allocations")
    bill = models.ForeignKey(Bill, on_delete=models.PROTECT, related_name="allocations")
    amount = MoneyField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")

    def __str__(self):
        return f"{self.payment_id}→{self.bill_id} {self.amount}"


class Receipt(models.Model):
    """Receipt numbers run 1, 2, 3 … per project and year without gaps (taken under a lock in the payment's
    transaction); `code` is the number as printed and read aloud (JH-2026-000123), fixed when issued. Receipts
    issued before numbering by year have no year and keep their old printed number."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="receipts")
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    number = models.PositiveIntegerField(_("number"))
    code = models.CharField(_("receipt no."), max_length=40)
    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="receipt")
    issued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        constraints = [
            models.UniqueConstraint(fields=["project", "year", "number"], condition=models.Q(year__isnull=False),
                                    name="receipt_number_unique_in_year"),
            models.UniqueConstraint(fields=["project", "number"], condition=models.Q(year__isnull=True),
                                    name="receipt_legacy_number_unique"),
        ]

    def __str__(self):
        return self.code


class DocumentCounter(models.Model):
    """The last number given to a series of documents (receipts, notices) of a project in a year. Numbers are
    taken under this row's lock in the transaction that issues the document, so they run without gaps."""

    class Series(models.TextChoices):
        RECEIPT = "receipt", _("Receipt")
        NOTICE = "notice", _("Notice")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    series = models.CharField(max_length=16, choices=Series.choices)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "series", "year"], name="document_counter_unique")]

    def __str__(self):
        return f"{self.project_id} {self.series} {self.year}: {self.last_number}"


class EntryKind(models.TextChoices):
    CHARGE = "charge", _("Charge")
    PAYMENT = "payment", _("Payment")
    REFUND = "refund", _("Refund")
    WRITE_OFF = "write_off", _("Write-off")
    # Prepaid credit settling a later bill: no money moves (amount 0.00), the memo says how much was applied.
    CREDIT_APPLIED = "credit_applied", _("Prepayment applied")


class LedgerEntry(AppendOnly):
    """One money movement on a unit's account (or, unit empty, a walk-in's charge and payment, which cancel out).
    Append-only: a correction is a new entry."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_entries")
    kind = models.CharField(_("kind"), max_length=16, choices=EntryKind.choices)
    # Signed: what the unit owes goes up (+) with charges and refunds, down (−) with payments and write-offs.
    amount = MoneyField(_("amount"))
    bill = models.ForeignKey(Bill, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    payment = models.ForeignKey(Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="entries")
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    memo = models.CharField(_("memo"), max_length=200, blank=True)

    scope_project_path = "project"
    scope_unit_path = "unit"

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["unit", "created_at"], name="ledger_unit_time")]

    def __str__(self):
        return f"{self.kind} {self.amount}"


class ParkingSpaceKind(models.TextChoices):
    OWNED = "owned", _("Owned (sold with a title)")
    RENTED = "rented", _("Rented")
    TEMPORARY = "temporary", _("Temporary parking")


class ParkingSpace(models.Model):
    """A parking space (车位) of the estate, by zone: owned by a unit, rented to one, or kept for temporary
    parking. Deleting is deactivating (passes and history refer to it)."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.PROTECT,
                                related_name="parking_spaces")
    code = models.CharField(_("space number"), max_length=20)
    zone = models.CharField(_("zone"), max_length=40, blank=True, help_text=_("e.g. 地下一层B区"))
    kind = models.CharField(_("kind"), max_length=16, choices=ParkingSpaceKind.choices)
    # The unit that owns or rents the space (none for temporary spaces).
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="parking_spaces")
    # The registered car usually parked here (the people app's vehicle register), when known.
    vehicle = models.ForeignKey("people.Vehicle", verbose_name=_("vehicle"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="parking_spaces")
    is_active = models.BooleanField(_("active"), default=True, db_default=True)

    scope_project_path = "project"

    class Meta:
        verbose_name = _("parking space")
        verbose_name_plural = _("parking spaces")
        ordering = ["project_id", "zone", "code"]
        constraints = [models.UniqueConstraint(fields=["project", "code"], name="parking_space_code_unique")]

    def __str__(self):
        return f"{self.zone} {self.code}".strip()


class ParkingPass(models.Model):
    """A monthly parking pass (月卡) held by a unit: billed every period it covers."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="parking_passes")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="parking_passes")
    item = models.ForeignKey(ChargeItem, verbose_name=_("charge item"), on_delete=models.PROTECT, related_name="+")
    plate = models.CharField(_("plate"), max_length=10)
    space = models.CharField(_("parking space"), max_length=20, blank=True)
    # The space from the register when the pass is for one (`space` keeps its number as printed).
    parking_space = models.ForeignKey(ParkingSpace, verbose_name=_("parking space"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="passes")
    starts_on = models.DateField(_("valid from"))
    ends_on = models.DateField(_("valid until"), null=True, blank=True)

    scope_project_path = "project"
    scope_unit_path = "unit"

    class Meta:
        verbose_name = _("parking pass")
        verbose_name_plural = _("parking passes")
        ordering = ["unit_id", "starts_on"]

    def __str__(self):
        return f"{self.plate} {self.space}".strip()


class Meter(models.Model):
    """A water, electricity or gas meter: a unit's own, or a public meter (unit empty) whose consumption is
    shared among the units of its building (or of the project when the building is empty)."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="meters")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="meters")
    building = models.ForeignKey("tenancy.Building", verbose_name=_("building"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="meters")
    kind = models.CharField(_("meter type"), max_length=16, choices=MeterKind.choices)
    code = models.CharField(_("meter number"), max_length=40)
    label = models.CharField(_("name"), max_length=100, blank=True, help_text=_("Public meters: e.g. 1号楼电梯"))
    is_active = models.BooleanField(_("active"), default=True)

    scope_project_path = "project"
    scope_unit_path = "unit"

    class Meta:
        verbose_name = _("meter")
        verbose_name_plural = _("meters")
        ordering = ["project_id", "code"]
        constraints = [models.UniqueConstraint(fields=["project", "code"], name="meter_code_unique")]

    def __str__(self):
        return self.label or self.code

    @property
    def is_public(self) -> bool:
        return self.unit_id is None


class Review(models.TextChoices):
    """What a person decided about a flagged reading (empty: not reviewed — held if flagged)."""

    NONE = "", _("Not reviewed")
    CONFIRMED = "confirmed", _("Confirmed")
    CORRECTED = "corrected", _("Corrected")


# A reading waiting for review: flagged and nobody has confirmed or corrected it. Billing leaves it out.
HELD = ~models.Q(anomaly="") & models.Q(review="")


class MeterReading(models.Model):
    """One reading of a meter; consumption is against the meter's previous reading."""

    class Anomaly(models.TextChoices):
        NONE = "", _("None")
        SPIKE = "spike", _("Far above the usual consumption")
        ZERO = "zero", _("No consumption")

    meter = models.ForeignKey(Meter, verbose_name=_("meter"), on_delete=models.PROTECT, related_name="readings")
    read_on = models.DateField(_("read on"))
    value = models.DecimalField(_("reading"), max_digits=14, decimal_places=2)
    consumption = models.DecimalField(_("consumption"), max_digits=14, decimal_places=2, null=True, blank=True)
    anomaly = models.CharField(_("anomaly"), max_length=16, choices=Anomaly.choices, blank=True)
    anomaly_note = models.CharField(_("anomaly note"), max_length=200, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    entered_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=16, default="console")
    # A flagged reading is held (not billed) until a person confirms or corrects it. "Held" is derived — flagged and
    # not reviewed — so a reading written by any path (an import, the demo, a bulk insert) is held by default.
    review = models.CharField(_("review"), max_length=16, choices=Review.choices, blank=True, default="",
                              db_default="")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)

    scope_project_path = "meter__project"
    scope_unit_path = "meter__unit"

    class Meta:
        verbose_name = _("meter reading")
        verbose_name_plural = _("meter readings")
        ordering = ["meter_id", "read_on"]
        constraints = [
            models.UniqueConstraint(fields=["meter", "read_on"], name="reading_once_per_day"),
            models.CheckConstraint(condition=models.Q(value__gte=0), name="reading_not_negative"),
        ]
        indexes = [models.Index(fields=["meter", "read_on"], condition=HELD, name="reading_held")]

    def __str__(self):
        return f"{self.meter} {self.read_on} {self.value}"

    @property
    def is_held(self) -> bool:
        return bool(self.anomaly) and not self.review


class SharedCost(models.Model):
    """A month's shared utility cost (公摊) from public meters, divided among units; published (公示)."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="shared_costs")
    building = models.ForeignKey("tenancy.Building", verbose_name=_("building"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(ChargeItem, verbose_name=_("charge item"), on_delete=models.PROTECT, related_name="+")
    period = models.DateField(_("period (first day)"))
    consumption = models.DecimalField(_("consumption"), max_digits=14, decimal_places=2)
    rate = models.DecimalField(_("rate"), max_digits=10, decimal_places=4)
    amount = MoneyField(_("total cost"))
    method = models.CharField(_("allocation method"), max_length=16, choices=SharingMethod.choices)
    units_count = models.PositiveIntegerField(_("units sharing"))
    total_area = models.DecimalField(_("total floor area"), max_digits=14, decimal_places=2)
    readings = models.ManyToManyField(MeterReading, related_name="+", blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    scope_project_path = "project"

    class Meta:
        verbose_name = _("shared cost")
        verbose_name_plural = _("shared costs")
        ordering = ["-period", "item_id"]
        # Two partial constraints rather than nulls_distinct=False, which SQLite does not support.
        constraints = [
            models.UniqueConstraint(fields=["project", "building", "item", "period"],
                                    condition=models.Q(building__isnull=False), name="shared_cost_once_per_period"),
            models.UniqueConstraint(fields=["project", "item", "period"], condition=models.Q(building__isnull=True),
                                    name="shared_cost_estate_once_per_period"),
        ]

    def __str__(self):
        return f"{self.item} {self.period:%Y-%m} ¥{self.amount}"


class NoticeStage(models.TextChoices):
    PAYMENT_NOTICE = "payment_notice", _("Payment notice")
    REMINDER = "reminder", _("Reminder notice")
    LAWYER_LETTER = "lawyer_letter", _("Lawyer's letter")


class BillingNotice(models.Model):
    """A document sent to a unit's owners: payment notice (缴费通知单), reminder (催缴通知书) or lawyer's letter
    (律师函). `lines` is what it said when issued, so the PDF prints the same text whenever it is opened."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="billing_notices")
    stage = models.CharField(_("stage"), max_length=16, choices=NoticeStage.choices)
    issued_on = models.DateField(_("issued on"))
    issued_at = models.DateTimeField(default=timezone.now)
    due_on = models.DateField(_("pay by"), null=True, blank=True)
    total = MoneyField(_("amount"))
    lines = models.JSONField(default=list)
    bills = models.ManyToManyField(Bill, related_name="notices", blank=True)

    scope_project_path = "project"
    scope_unit_path = "unit"

    class Meta:
        verbose_name = _("billing notice")
        verbose_name_plural = _("billing notices")
        ordering = ["-issued_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["unit", "stage", "issued_on"], name="notice_once_per_day")]

    def __str__(self):
        return f"{self.get_stage_display()} {self.unit} {self.issued_on}"


class RefundRequest(models.Model):
    """A refund asked for by finance and carried out only when a second person (finance supervisor or the project
    manager) approves it."""

    class State(models.TextChoices):
        REQUESTED = "requested", _("Awaiting approval")
        APPROVED = "approved", _("Approved and refunded")
        REJECTED = "rejected", _("Rejected")

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="+")
    payment = models.ForeignKey(Payment, verbose_name=_("payment"), on_delete=models.PROTECT,
                                related_name="refund_requests")
    amount = MoneyField(_("amount"))
    reason = models.CharField(_("reason"), max_length=200)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("note"), max_length=200, blank=True)
    entry = models.OneToOneField(LedgerEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    scope_project_path = "project"
    scope_unit_path = "payment__unit"

    class Meta:
        verbose_name = _("refund request")
        verbose_name_plural = _("refund requests")
        ordering = ["-requested_at", "-id"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="refund_amount_positive")]

    def __str__(self):
        return f"{self.payment} −¥{self.amount}"


class PaymentIntent(models.Model):
    """An online payment started by an owner: the channel's gateway confirms it with a signed callback, which
    records the `Payment` (idempotency key = the intent's reference, so a repeated callback pays once)."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for payment")
        PAID = "paid", _("Paid")
        FAILED = "failed", _("Payment failed")
        EXPIRED = "expired", _("Expired")

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    amount = MoneyField(_("amount"))
    reference = models.CharField(max_length=40, unique=True)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.PENDING)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    payment = models.OneToOneField(Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="intent")

    scope_project_path = "project"
    scope_unit_path = "unit"

    class Meta:
        verbose_name = _("online payment")
        verbose_name_plural = _("online payments")
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="intent_amount_positive")]

    def __str__(self):
        return self.reference


class WriteOffRequest(models.Model):
    """A write-off (减免/核销) asked for by finance and written to the ledger only when the project manager
    approves it, with an approval comment (审批意见) on every decision."""

    class State(models.TextChoices):
        REQUESTED = "requested", _("Awaiting approval")
        APPROVED = "approved", _("Approved and written off")
        REJECTED = "rejected", _("Rejected")

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="+")
    bill = models.ForeignKey(Bill, verbose_name=_("bill"), on_delete=models.PROTECT, related_name="write_off_requests")
    amount = MoneyField(_("amount"))
    reason = models.CharField(_("reason"), max_length=200)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("approval comment"), max_length=200, blank=True)
    entry = models.OneToOneField(LedgerEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    scope_project_path = "project"
    scope_unit_path = "bill__unit"

    class Meta:
        verbose_name = _("write-off request")
        verbose_name_plural = _("write-off requests")
        ordering = ["-requested_at", "-id"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="write_off_amount_positive")]
        indexes = [models.Index(fields=["project", "state"], name="write_off_request_state")]

    def __str__(self):
        return f"{self.bill} −¥{self.amount}"
