import enum
from datetime import date, datetime

from ninja import Field, Schema

from wuye.core.access import STAFF_ROLES, Role
from wuye.core.pii import mask_id_number, mask_phone

from .models import Relation, VehicleKind


class VehicleIn(Schema):
    plate: str = Field(..., min_length=1, max_length=12)
    kind: VehicleKind = VehicleKind.CAR
    brand: str = Field("", max_length=50)


class VehicleOut(Schema):
    id: int
    plate: str
    kind: VehicleKind
    brand: str


class ResidencyOut(Schema):
    unit_id: int
    unit_label: str
    relation: Relation
    started_on: date | None


class ResidentIn(Schema):
    unit_id: int
    name: str = Field(..., min_length=1, max_length=50)
    phone: str = Field(..., min_length=1, max_length=20)
    relation: Relation = Relation.OWNER
    id_number: str = Field("", max_length=18)
    email: str = Field("", max_length=254, pattern=r"^$|^[^@\s]+@[^@\s]+\.[^@\s]+$")
    started_on: date | None = None
    vehicles: list[VehicleIn] = Field(default_factory=list, max_length=10)


def residency_rows(residencies) -> list[dict]:
    return [
        {"unit_id": r.unit_id, "unit_label": r.unit.label, "relation": r.relation, "started_on": r.started_on}
        for r in residencies
    ]


def _shows_pii(resident, context, *, detail: bool) -> bool:
    actor = context["request"].actor
    return actor.resident_id == resident.pk or (detail and actor.may("people.view_pii"))


class ResidentListOut(Schema):
    """A row of the owner list: phone and ID number always masked, except on the caller's own record."""

    id: int
    project_id: int
    name: str
    phone: str
    id_number: str
    email: str
    residencies: list[ResidencyOut]
    vehicles: list[VehicleOut]

    @staticmethod
    def resolve_phone(resident, context):
        return resident.phone if _shows_pii(resident, context, detail=False) else mask_phone(resident.phone)

    @staticmethod
    def resolve_id_number(resident, context):
        shown = _shows_pii(resident, context, detail=False)
        return resident.id_number if shown else mask_id_number(resident.id_number)

    @staticmethod
    def resolve_residencies(resident):
        return residency_rows(resident.current_residencies)

    @staticmethod
    def resolve_vehicles(resident):
        return list(resident.vehicles.all())


class ResidentOut(ResidentListOut):
    """One owner record: personal data in full for roles that may see it (front desk, manager, finance)."""

    @staticmethod
    def resolve_phone(resident, context):
        return resident.phone if _shows_pii(resident, context, detail=True) else mask_phone(resident.phone)

    @staticmethod
    def resolve_id_number(resident, context):
        shown = _shows_pii(resident, context, detail=True)
        return resident.id_number if shown else mask_id_number(resident.id_number)


class MeOut(Schema):
    id: int
    username: str
    name: str
    role: str | None
    department: str | None = None
    project_ids: list[int] | None
    units: list[ResidencyOut] = []


# Staff accounts (员工), managed by the company administration (wuye.people.staff).
StaffRole = enum.StrEnum("StaffRole", [(role.name, role.value) for role in Role if role in STAFF_ROLES],
                         module=__name__)
StaffRole.__doc__ = "StaffRole"


class StaffIn(Schema):
    username: str = Field(..., min_length=1, max_length=150)
    name: str = Field(..., min_length=1, max_length=150)
    role: StaffRole
    project_ids: list[int] = Field(default_factory=list, max_length=500)
    all_projects: bool = False
    is_supervisor: bool = False
    in_emergency_group: bool = Field(False, description="Member of the emergency command group (应急指挥小组).")
    phone: str = Field("", max_length=20)
    email: str = Field("", max_length=254)
    employee_number: str = Field("", max_length=20)
    password: str | None = Field(None, min_length=1, max_length=128,
                                 description="Leave out to have a one-time password generated (shown once).")
    company_id: int | None = Field(None, description="Only for a superuser with several companies.")


class StaffPatch(Schema):
    """The fields to change; those left out stay as they are."""

    name: str | None = Field(None, min_length=1, max_length=150)
    role: StaffRole | None = None
    project_ids: list[int] | None = Field(None, max_length=500)
    all_projects: bool | None = None
    is_supervisor: bool | None = None
    in_emergency_group: bool | None = None
    phone: str | None = Field(None, max_length=20)
    email: str | None = Field(None, max_length=254)
    employee_number: str | None = Field(None, max_length=20)


class StaffOut(Schema):
    id: int
    username: str
    name: str
    role: StaffRole
    department: str
    company_id: int
    is_supervisor: bool
    in_emergency_group: bool
    all_projects: bool
    project_ids: list[int]
    phone: str
    email: str
    employee_number: str
    is_active: bool
    last_login: datetime | None
    date_joined: datetime

    @staticmethod
    def resolve_id(profile):
        return profile.user_id

    @staticmethod
    def resolve_username(profile):
        return profile.user.username

    @staticmethod
    def resolve_name(profile):
        return profile.user.get_full_name() or profile.user.username

    @staticmethod
    def resolve_department(profile):
        return str(profile.department)

    @staticmethod
    def resolve_project_ids(profile):
        return sorted(project.pk for project in profile.projects.all())

    @staticmethod
    def resolve_email(profile):
        return profile.user.email

    @staticmethod
    def resolve_is_active(profile):
        return profile.user.is_active

    @staticmethod
    def resolve_last_login(profile):
        return profile.user.last_login

    @staticmethod
    def resolve_date_joined(profile):
        return profile.user.date_joined


class StaffCreatedOut(StaffOut):
    one_time_password: str | None = Field(None, description="The generated password: shown this once only.")


class PasswordResetIn(Schema):
    password: str | None = Field(None, min_length=1, max_length=128,
                                 description="Leave out to have a one-time password generated (shown once).")


class PasswordResetOut(Schema):
    one_time_password: str | None = Field(None, description="The generated password: shown this once only.")
