"""The one ledger for every money movement (§3). Bills say what is owed; ledger entries are the movements
(charges +, payments −, refunds +, write-offs −) and are append-only; a unit's balance is the sum of its entries,
never a stored counter. Money is Decimal yuan with fen precision."""

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
    ONE_OFF = "one_off", _("One-off charge")
    PAID_SERVICE = "paid_service", _("Paid service")


class ChargeItem(models.Model):
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="charge_items")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=24, choices=ChargeKind.choices)

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


class Tariff(models.Model):
    """The price of an item from a date on (a later row changes the price; history stays correct)."""

    item = models.ForeignKey(ChargeItem, on_delete=models.CASCADE, related_name="tariffs")
    unit_kind = models.CharField(_("unit type"), max_length=16, blank=True, help_text=_("Empty: every unit type."))
    basis = models.CharField(_("basis"), max_length=16, choices=Basis.choices)
    rate = models.DecimalField(_("rate"), max_digits=10, decimal_places=4)
    effective_from = models.DateField(_("effective from"))

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
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="billing_runs")
    period = models.DateField(_("period (first day)"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    units_total = models.PositiveIntegerField(default=0)
    units_done = models.PositiveIntegerField(default=0)
    bills_created = models.PositiveIntegerField(default=0)
    amount_billed = MoneyField(default=0)

    scope_project_path = "project"

    class Meta:
        verbose_name = _("billing run")
        verbose_name_plural = _("billing runs")
        constraints = [models.UniqueConstraint(fields=["project", "period"], name="billing_run_once_per_period")]

    def __str__(self):
        return f"{self.project} {self.period:%Y-%m}"


class Bill(models.Model):
    """An amount a unit owes for one item and period (or one source, such as a repair's charge line)."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="bills")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="bills")
    item = models.ForeignKey(ChargeItem, verbose_name=_("charge item"), on_delete=models.PROTECT, related_name="+")
    period = models.DateField(_("period (first day)"), null=True, blank=True)
    amount = MoneyField(_("amount"))
    due_on = models.DateField(_("due"))
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    source_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    source_id = models.BigIntegerField(null=True, blank=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    run = models.ForeignKey(BillingRun, null=True, blank=True, on_delete=models.PROTECT, related_name="bills")

    scope_project_path = "project"
    scope_unit_path = "unit"

    class Meta:
        verbose_name = _("bill")
        verbose_name_plural = _("bills")
        ordering = ["due_on", "id"]
        constraints = [
            # A billing run rerun (or resumed) never bills a unit twice for an item and period.
            models.UniqueConstraint(fields=["unit", "item", "period"], condition=models.Q(period__isnull=False),
                                    name="bill_once_per_unit_item_period"),
            models.UniqueConstraint(fields=["source_type", "source_id"], condition=models.Q(source_id__isnull=False),
                                    name="bill_once_per_source"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="bill_amount_positive"),
        ]
        indexes = [models.Index(fields=["unit", "due_on"], name="bill_unit_due")]

    def __str__(self):
        return f"{self.item} {self.period or ''} ¥{self.amount}"


class Channel(models.TextChoices):
    CASH = "cash", _("Cash")
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    WECHAT = "wechat", _("WeChat Pay")
    ALIPAY = "alipay", _("Alipay")
    SIMULATED = "simulated", _("Simulated online payment")


class Payment(models.Model):
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="payments")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="payments")
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    amount = MoneyField(_("amount"))
    idempotency_key = models.CharField(max_length=100)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")

    scope_project_path = "project"
    scope_unit_path = "unit"

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.UniqueConstraint(fields=["project", "idempotency_key"], name="payment_idempotency_key_unique"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_amount_positive"),
        ]

    def __str__(self):
        return f"¥{self.amount} {self.get_channel_display()}"


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
    """Receipt numbers run 1, 2, 3 … per project without gaps (taken under a lock in the payment's transaction)."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="receipts")
    number = models.PositiveIntegerField(_("number"))
    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="receipt")
    issued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        constraints = [models.UniqueConstraint(fields=["project", "number"], name="receipt_number_unique")]

    def __str__(self):
        return f"{self.project_id}-{self.number:08d}"


class ReceiptCounter(models.Model):
    project = models.OneToOneField(Project, on_delete=models.CASCADE, primary_key=True, related_name="+")
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.project_id}: {self.last_number}"


class EntryKind(models.TextChoices):
    CHARGE = "charge", _("Charge")
    PAYMENT = "payment", _("Payment")
    REFUND = "refund", _("Refund")
    WRITE_OFF = "write_off", _("Write-off")


class LedgerEntry(AppendOnly):
    """One money movement on a unit's account. Append-only: a correction is a new entry."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="ledger_entries")
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
