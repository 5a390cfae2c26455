"""Work orders (工单): repairs, complaints, inquiries, suggestions and praise — one ticket table, kind-specific
fields beside the shared ones. Workflow rules live in flows.py (the transition tables) and services.py."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wuye.core.access import Role
from wuye.core.money import MoneyField
from wuye.tenancy.models import Project, Unit


class Kind(models.TextChoices):
    REPAIR = "repair", _("Repair")
    COMPLAINT = "complaint", _("Complaint")
    INQUIRY = "inquiry", _("Inquiry")
    SUGGESTION = "suggestion", _("Suggestion")
    PRAISE = "praise", _("Praise")


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    FRONT_DESK = "front_desk", _("Front desk")
    PORTAL = "portal", _("Owner portal")
    EMAIL = "email", _("E-mail")
    PATROL = "patrol", _("Patrol or inspection")


class Urgency(models.TextChoices):
    EMERGENCY = "emergency", _("Emergency")  # repairs: burst pipe, power loss, entrapment
    URGENT = "urgent", _("Urgent")  # complaints
    IMPORTANT = "important", _("Important")  # complaints
    GENERAL = "general", _("General")


URGENCIES_BY_KIND = {
    Kind.REPAIR: (Urgency.EMERGENCY, Urgency.GENERAL),
    Kind.COMPLAINT: (Urgency.URGENT, Urgency.IMPORTANT, Urgency.GENERAL),
}


class Status(models.TextChoices):
    NEW = "new", _("New")
    DISPATCHED = "dispatched", _("Dispatched")
    ACCEPTED = "accepted", _("Accepted")
    ON_SITE = "on_site", _("On site")
    PAUSED = "paused", _("Paused")
    COMPLETED = "completed", _("Completed")
    CONFIRMED = "confirmed", _("Signed off")
    ASSIGNED = "assigned", _("Assigned")
    PENDING_APPROVAL = "pending_approval", _("Awaiting approval")
    RESOLVED = "resolved", _("Handled")
    REPLIED = "replied", _("Replied")
    VISITED = "visited", _("Visited")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATUSES = [s for s in Status if s not in (Status.CLOSED, Status.CANCELLED)]


class Category(models.Model):
    """A node of a project's category tree (plumbing › burst pipe …), per kind."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="ticket_categories")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=50)
    responsible_role = models.CharField(_("responsible department"), max_length=32, choices=Role.choices,
                                        blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    scope_project_path = "project"

    class Meta:
        verbose_name = _("ticket category")
        verbose_name_plural = _("ticket categories")
        ordering = ["project_id", "kind", "code"]
        constraints = [models.UniqueConstraint(fields=["project", "kind", "code"], name="category_code_unique")]

    def __str__(self):
        return f"{self.parent.name} › {self.name}" if self.parent_id else self.name


class WarrantyTerm(models.Model):
    """The developer's warranty (保修期) for a system (a repair category and its sub-categories) in a project — the
    whole project, or one building when `building` is set — and the contractor who repairs under it."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="warranty_terms")
    category = models.ForeignKey(Category, verbose_name=_("system"), on_delete=models.CASCADE,
                                 related_name="warranty_terms")
    building = models.ForeignKey("tenancy.Building", verbose_name=_("building"), null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="warranty_terms",
                                 help_text=_("Empty: every building of the project."))
    until = models.DateField(_("warranty until"))
    contractor = models.CharField(_("contractor"), max_length=100)
    contractor_phone = models.CharField(_("contractor phone"), max_length=20, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    scope_project_path = "project"

    class Meta:
        verbose_name = _("warranty term")
        verbose_name_plural = _("warranty terms")

    def __str__(self):
        return f"{self.category} → {self.until} ({self.contractor})"


class TicketQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def for_listing(self):
        """What a list row shows, and no more: one query per page however long (no project or receiver joins)."""
        return self.select_related("unit__building", "category__parent", "assignee").only(
            "id", "project_id", "kind", "status", "version", "urgency", "channel", "unit_id", "category_id",
            "description", "created_at", "assignee_id", "repeat_of_id", "reporter_id", "owner_says_urgent",
            "classified_at",
            "unit__number", "unit__building_id", "unit__building__number",
            "category__name", "category__parent_id", "category__parent__name",
            "assignee__username", "assignee__first_name", "assignee__last_name",
        )

    def with_people(self):
        return self.select_related("unit__building", "category__parent", "assignee", "first_receiver", "project")


class Ticket(models.Model):
    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="tickets")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEW)
    # Bumped by every action: two people acting on one ticket at once → one wins, the other gets 409.
    version = models.PositiveIntegerField(default=0)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="tickets", help_text=_("Empty for public areas."))
    location = models.CharField(_("location"), max_length=200, blank=True)
    category = models.ForeignKey(Category, verbose_name=_("category"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="tickets")
    urgency = models.CharField(_("urgency"), max_length=16, choices=Urgency.choices, default=Urgency.GENERAL)
    description = models.TextField(_("description"), max_length=4000)
    contact_name = models.CharField(_("contact"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    preferred_time = models.DateTimeField(_("preferred time"), null=True, blank=True)
    # The owner's own word that it cannot wait (portal); staff confirm or not by classifying (`classified_at`).
    owner_says_urgent = models.BooleanField(_("owner says urgent"), default=False)
    classified_at = models.DateTimeField(_("classified"), null=True, blank=True)
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reported by"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="reported_tickets")
    first_receiver = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("first receiver"), null=True,
                                       blank=True, on_delete=models.SET_NULL, related_name="received_tickets")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assignee"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="assigned_tickets")
    responsible_role = models.CharField(_("responsible department"), max_length=32, choices=Role.choices,
                                        blank=True)
    created_at = models.DateTimeField(_("created"), db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    # Repairs
    is_public_area = models.BooleanField(_("public area"), default=False)
    under_warranty = models.BooleanField(_("under warranty"), default=False)
    contractor = models.CharField(_("warranty contractor"), max_length=100, blank=True)
    verified_at = models.DateTimeField(_("verified by engineering"), null=True, blank=True)
    paused_from = models.CharField(max_length=20, choices=Status.choices, blank=True)
    repeat_of = models.ForeignKey("self", verbose_name=_("repeat of"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="repeats")
    repeat_reason = models.CharField(_("repeat reason"), max_length=32, blank=True)
    work_done = models.TextField(_("work done"), blank=True)
    # Complaints
    is_major = models.BooleanField(_("major complaint"), default=False)
    resolution = models.TextField(_("resolution"), blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("approved by"))
    reply = models.TextField(_("reply to the complainant"), blank=True)
    improvement = models.TextField(_("improvement measure"), blank=True)
    # Return visit (回访)
    satisfaction = models.PositiveSmallIntegerField(_("satisfaction (1–5)"), null=True, blank=True)
    visit_comment = models.TextField(_("return-visit comment"), blank=True)
    cancel_reason = models.CharField(_("cancellation reason"), max_length=200, blank=True)

    objects = TicketQuerySet.as_manager()
    scope_project_path = "project"
    scope_unit_path = "unit"

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["project", "status", "-created_at"], name="ticket_inbox"),
            # The open inbox (`?project=…&open=true`, newest first): filter and order in one partial index, and
            # its count an index-only scan over the open tickets only.
            models.Index(fields=["project", "-created_at", "-id"], name="ticket_open_inbox",
                         condition=models.Q(status__in=OPEN_STATUSES)),
            models.Index(fields=["project", "kind", "-created_at"], name="ticket_kind"),
            models.Index(fields=["unit", "category", "-created_at"], name="ticket_repeat_lookup"),
            # KPIs (workorders/kpis.py): the repairs closed in a month.
            models.Index(fields=["project", "kind", "closed_at"], name="ticket_kpi_closed",
                         condition=models.Q(closed_at__isnull=False)),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(satisfaction__isnull=True) | models.Q(
                satisfaction__gte=1, satisfaction__lte=5), name="ticket_satisfaction_1_to_5"),
        ]

    def __str__(self):
        return f"{self.number} {self.get_kind_display()}"

    def get_absolute_url(self):
        return reverse("workorders:ticket", args=[self.pk])

    @classmethod
    def narrow_for_owner(cls, queryset, actor):
        """Owners see the repairs of their units, but only the complaints and feedback they filed themselves
        (a neighbour's complaint about their flat is not theirs to read)."""
        return queryset.filter(models.Q(kind=Kind.REPAIR) | models.Q(reporter=actor.user))

    @property
    def number(self) -> str:
        """What staff read out on the phone: R-20261123-000042 (kind letter, day received, id)."""
        return f"{self.kind[0].upper()}-{timezone.localtime(self.created_at):%Y%m%d}-{self.pk:06d}"

    @property
    def is_repeat(self) -> bool:
        return self.repeat_of_id is not None


class PriceItem(models.Model):
    """A line of the project's published paid-service price list (有偿服务收费标准)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="price_items")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    unit_name = models.CharField(_("per"), max_length=10, default="次")
    price = MoneyField(_("price"))
    is_labour = models.BooleanField(_("labour"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    scope_project_path = "project"

    class Meta:
        verbose_name = _("paid-service price")
        verbose_name_plural = _("paid-service price list")
        ordering = ["project_id", "code"]
        constraints = [models.UniqueConstraint(fields=["project", "code"], name="price_item_code_unique")]

    def __str__(self):
        return f"{self.name} ¥{self.price}/{self.unit_name}"


class FeeChoice(models.TextChoices):
    """How the fee step took a repair's charges: the money now, or onto the owner's account. Whether the bill is
    paid is billing's to say (`services.fee_status`), never stored here."""

    PAID_ON_SITE = "paid_on_site", _("Paid on the spot")
    ON_ACCOUNT = "on_account", _("Charged to the owner's account")


class ChargeLine(models.Model):
    """A chargeable part or labour item used on a repair, priced from the price list when recorded. The fee step
    hands it to billing — one bill per line, the line its source — and stamps how (`taken_as`) and when
    (`charged_at`); until then it is owed to nobody."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="charge_lines")
    item = models.ForeignKey(PriceItem, on_delete=models.PROTECT, related_name="+")
    description = models.CharField(max_length=100)
    quantity = models.DecimalField(max_digits=9, decimal_places=2)
    unit_price = MoneyField()
    amount = MoneyField()
    taken_as = models.CharField(_("fee taken as"), max_length=16, choices=FeeChoice.choices, blank=True)
    charged_at = models.DateTimeField(_("handed to billing"), null=True, blank=True)

    class Meta:
        verbose_name = _("charge line")
        verbose_name_plural = _("charge lines")
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="charge_quantity_positive"),
            # Taken (and how) or not taken at all: never a "how" without its moment or the other way round.
            models.CheckConstraint(
                condition=models.Q(taken_as="", charged_at__isnull=True)
                | (~models.Q(taken_as="") & models.Q(charged_at__isnull=False)),
                name="charge_taken_with_its_moment"),
        ]

    def __str__(self):
        return f"{self.description} × {self.quantity} = {self.amount}"


class Photo(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(upload_to="tickets/%Y/%m/")
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self):
        return self.image.name


class ImprovementAction(models.Model):
    """An improvement measure decided in the weekly complaint analysis, tracked to done (闭环)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="improvement_actions")
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    title = models.CharField(_("action"), max_length=200)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("person responsible"))
    week = models.DateField(_("analysis week (Monday)"))
    due_on = models.DateField(_("due"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_project_path = "project"

    class Meta:
        verbose_name = _("improvement action")
        verbose_name_plural = _("improvement actions")
        ordering = ["-week", "id"]

    def __str__(self):
        return self.title
