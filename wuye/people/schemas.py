from datetime import date

from ninja import Field, Schema

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
