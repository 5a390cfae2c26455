"""People: staff with their role and scope; residents (owners, co-owners, tenants, family) and their vehicles."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from wuye.core.access import STAFF_ROLES, Role
from wuye.core.pii import mask_id_number, mask_phone
from wuye.core.validators import validate_id_number, validate_phone, validate_plate
from wuye.tenancy.models import Company, Project, Unit

DEPARTMENTS = {
    Role.CUSTOMER_SERVICE: _("Customer service center"),
    Role.ENGINEERING: _("Engineering department"),
    Role.SECURITY: _("Order department"),
    Role.ENVIRONMENT: _("Environment department"),
    Role.FINANCE: _("Finance department"),
    Role.PROJECT_MANAGER: _("Project management office"),
    Role.QUALITY: _("Quality department"),
    Role.COMPANY_ADMIN: _("Company administration"),
}


class StaffProfile(models.Model):
    """A staff member: company, role (which also names the department) and the projects they may see."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile")
    company = models.ForeignKey(Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="staff")
    role = models.CharField(_("role"), max_length=32, choices=[(r.value, r.label) for r in Role if r in STAFF_ROLES])
    is_supervisor = models.BooleanField(_("supervisor"), default=False, help_text=_("First level of escalation."))
    all_projects = models.BooleanField(
        _("all projects"), default=False, help_text=_("Company-wide staff (quality, administration).")
    )
    projects = models.ManyToManyField(Project, verbose_name=_("projects"), blank=True, related_name="staff")
    # The project's emergency command group (应急指挥小组, seed 001 ch.7): told at once, also by SMS, when an
    # emergency runs late (an entrapment's contractor not on site in 30 minutes). people.services.emergency_group.
    in_emergency_group = models.BooleanField(_("emergency command group"), default=False)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[validate_phone])
    employee_number = models.CharField(_("employee number"), max_length=20, blank=True)

    scope_project_path = "projects"

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")

    def __str__(self):
        return f"{self.user.get_full_name() or self.user.username} ({self.get_role_display()})"

    @property
    def department(self):
        return DEPARTMENTS[Role(self.role)]


class ResidentQuerySet(models.QuerySet):
    def with_homes(self):
        return self.prefetch_related(
            models.Prefetch(
                "residencies",
                queryset=Residency.objects.current().select_related("unit__building"),
                to_attr="current_residencies",
            )
        )


class Resident(models.Model):
    """An owner or resident record (业主档案) of one project. `user` is their owner-portal login, if any."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="residents")
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20, validators=[validate_phone])
    id_number = models.CharField(
        _("ID number"), max_length=18, blank=True, validators=[validate_id_number]
    )
    email = models.EmailField(_("e-mail"), blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="resident"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ResidentQuerySet.as_manager()
    scope_project_path = "project"
    scope_unit_path = "residencies__unit"
    scope_unit_extra = {"residencies__ended_on__isnull": True}

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["project_id", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "id_number"], condition=~models.Q(id_number=""), name="resident_id_unique_in_project"
            )
        ]
        indexes = [models.Index(fields=["project", "phone"], name="resident_project_phone")]

    def __str__(self):
        return self.name

    @property
    def masked_phone(self):
        return mask_phone(self.phone)

    @property
    def masked_id_number(self):
        return mask_id_number(self.id_number)


class Relation(models.TextChoices):
    OWNER = "owner", _("Owner")
    CO_OWNER = "co_owner", _("Co-owner")
    TENANT = "tenant", _("Tenant")
    FAMILY = "family", _("Family member")


OWNING_RELATIONS = (Relation.OWNER, Relation.CO_OWNER)


class ResidencyQuerySet(models.QuerySet):
    def current(self):
        return self.filter(ended_on__isnull=True)


class Residency(models.Model):
    """A resident's link to a unit, with how they are related to it; ended rather than deleted."""

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="residencies")
    resident = models.ForeignKey(
        Resident, verbose_name=_("resident"), on_delete=models.CASCADE, related_name="residencies"
    )
    relation = models.CharField(_("relation"), max_length=16, choices=Relation.choices)
    started_on = models.DateField(_("since"), null=True, blank=True)
    ended_on = models.DateField(_("until"), null=True, blank=True)

    objects = ResidencyQuerySet.as_manager()
    scope_project_path = "unit__project"
    scope_unit_path = "unit"

    class Meta:
        verbose_name = _("residency")
        verbose_name_plural = _("residencies")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "resident"], condition=models.Q(ended_on__isnull=True), name="residency_current_unique"
            )
        ]

    def __str__(self):
        return f"{self.resident} — {self.unit} ({self.get_relation_display()})"


class VehicleKind(models.TextChoices):
    CAR = "car", _("Car")
    NEW_ENERGY = "new_energy", _("New-energy car")
    MOTORCYCLE = "motorcycle", _("Motorcycle")
    OTHER = "other", _("Other")


class Vehicle(models.Model):
    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="vehicles")
    resident = models.ForeignKey(Resident, verbose_name=_("owner"), on_delete=models.CASCADE, related_name="vehicles")
    plate = models.CharField(_("plate"), max_length=10, validators=[validate_plate])
    kind = models.CharField(_("type"), max_length=16, choices=VehicleKind.choices, default=VehicleKind.CAR)
    brand = models.CharField(_("brand and colour"), max_length=50, blank=True)

    scope_project_path = "project"
    scope_unit_path = "resident__residencies__unit"
    scope_unit_extra = {"resident__residencies__ended_on__isnull": True}

    class Meta:
        verbose_name = _("vehicle")
        verbose_name_plural = _("vehicles")
        constraints = [models.UniqueConstraint(fields=["project", "plate"], name="vehicle_plate_unique_in_project")]

    def __str__(self):
        return self.plate
