"""Paid services tables (SPEC §7): the catalogue owners order from, and their orders. The rules live in
`services.py`; a repair-type entry may take its price from the work orders' price list (`price_item`), so a price
has one home."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from wuye.core.money import MoneyField
from wuye.tenancy.models import Project, Unit


class ServiceCategory(models.TextChoices):
    PAID_REPAIR = "paid_repair", _("Paid repair")
    HOUSEKEEPING = "housekeeping", _("Housekeeping")
    CONVENIENCE = "convenience", _("Convenience")
    AGENCY = "agency", _("Errands and agency")


class Pricing(models.TextChoices):
    PER_JOB = "per_job", _("per job")
    PER_HOUR = "per_hour", _("per hour")
    PER_ITEM = "per_item", _("per item")


class ServiceItem(models.Model):
    """A service of the project's catalogue (便民服务项目表). `price` None: quoted on site; 0: free. When
    `price_item` is set the price is the price list's line (edited there, by engineering)."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="service_items")
    code = models.SlugField(_("code"), max_length=40)
    category = models.CharField(_("category"), max_length=20, choices=ServiceCategory.choices)
    name = models.CharField(_("name"), max_length=60)
    pricing = models.CharField(_("priced"), max_length=10, choices=Pricing.choices, default=Pricing.PER_JOB)
    price = MoneyField(_("price"), null=True, blank=True)
    price_item = models.ForeignKey("workorders.PriceItem", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    description = models.CharField(_("description"), max_length=300, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    scope_project_path = "project"
    scope_unit_path = "project__units"  # owners see their projects' catalogues

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("service catalogue")
        ordering = ["project_id", "category", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["project", "code"], name="service_item_code_unique")]

    def __str__(self):
        return self.name

    @property
    def current_price(self):
        """The price an order is taken at now (None: quoted on site)."""
        return self.price_item.price if self.price_item_id else self.price

    @classmethod
    def narrow_for_owner(cls, queryset, actor):
        return queryset.filter(is_active=True)


class OrderStatus(models.TextChoices):
    ORDERED = "ordered", _("Ordered")
    ACCEPTED = "accepted", _("Accepted")
    DONE = "done", _("Done")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled")


class ServiceOrder(models.Model):
    """An owner's order of a catalogue service. `unit_price` is the price when ordered (None: quoted on site);
    `amount` what was charged when done. The work order the desk opens on acceptance is `ticket`."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="service_orders")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="service_orders")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="service_orders")
    item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="orders")
    quantity = models.PositiveSmallIntegerField(_("quantity"), default=1)
    preferred_time = models.DateTimeField(_("preferred time"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    unit_price = MoneyField(_("unit price"), null=True, blank=True)
    amount = MoneyField(_("amount"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=OrderStatus.choices, default=OrderStatus.ORDERED)
    ticket = models.ForeignKey("workorders.Ticket", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+")
    created_at = models.DateTimeField(_("ordered at"))
    accepted_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=200, blank=True)

    scope_project_path = "project"
    scope_unit_path = "unit"

    class Meta:
        verbose_name = _("service order")
        verbose_name_plural = _("service orders")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["project", "status"], name="service_order_status_idx")]

    def __str__(self):
        return f"{self.item.name} × {self.quantity}"

    @property
    def estimate(self):
        """What the order comes to at its snapshot price (None: quoted on site)."""
        return None if self.unit_price is None else self.unit_price * self.quantity
