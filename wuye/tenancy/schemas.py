from decimal import Decimal

from ninja import Field, Schema

from .models import ServiceLevel, UnitKind


class ProjectOut(Schema):
    id: int
    code: str
    short_code: str = Field(..., description="Prefix of its receipt and notice numbers, e.g. JH (JH-2026-000123)")
    name: str
    address: str
    phone: str
    service_level: str
    company_id: int


class ProjectIn(Schema):
    code: str = Field(..., min_length=1, max_length=32, pattern=r"^[-a-zA-Z0-9_]+$")
    short_code: str = Field("", max_length=6, description="2–6 capital letters or digits printed before receipt "
                                                          "and notice numbers; empty: derived from the code")
    name: str = Field(..., min_length=1, max_length=100)
    address: str = Field("", max_length=200)
    phone: str = Field("", max_length=20)
    service_level: ServiceLevel | None = None
    company_id: int | None = None


class BuildingOut(Schema):
    id: int
    project_id: int
    number: str
    name: str
    floors: int
    has_elevator: bool


class BuildingIn(Schema):
    project_id: int
    number: str = Field(..., min_length=1, max_length=20)
    name: str = Field("", max_length=50)
    floors: int = Field(1, ge=1, le=200)
    has_elevator: bool = True


class UnitOut(Schema):
    id: int
    project_id: int
    building_id: int
    building_number: str = Field(..., alias="building.number")
    entrance: str
    number: str
    label: str
    floor: int
    area: Decimal
    kind: UnitKind


class UnitIn(Schema):
    building_id: int
    number: str = Field(..., min_length=1, max_length=20)
    entrance: str = Field("", max_length=10)
    floor: int = Field(..., ge=-10, le=200)
    area: Decimal = Field(..., gt=0, max_digits=9, decimal_places=2)
    kind: UnitKind = UnitKind.RESIDENTIAL


class RuleChoice(Schema):
    value: str
    label: str


class RuleOut(Schema):
    name: str
    label: str
    unit: str
    value: int | str
    default: int | str
    display: str
    default_display: str
    is_default: bool
    min: int | None
    max: int | None
    choices: list[RuleChoice]
    source: str
    company_only: bool


class RulesOut(Schema):
    project_id: int
    rules: list[RuleOut]


class RulesPatch(Schema):
    """Only the rules to change; each is checked against its bounds (422 naming the field)."""

    repeat_window_days: int | None = None
    return_visit_hours: int | None = None
    complaint_approver: str | None = Field(None, max_length=32)
    notice_lead_days: int | None = None
    dunning_reminder_days: int | None = None
    dunning_letter_days: int | None = None
    reason: str = Field(..., max_length=500)
