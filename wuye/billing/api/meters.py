"""Meters and their readings (抄表): lists, one reading at a time, and the Excel import (§3, §9). Owners read their
own units' meters; recording readings is staff work."""

from datetime import date, datetime
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from wuye.core.access import get_scoped_or_404, get_scoped_or_invalid, require, scoped
from wuye.core.api import PagePagination
from wuye.core.errors import InvalidInput
from wuye.tenancy.models import Project

from .. import meters as services
from ..models import Meter, MeterKind, MeterReading

router = Router(tags=["fees"])


def _require_read(actor) -> None:
    """Owners see their own meters through scope; staff need to read meters or the books."""
    if not actor.is_owner and not actor.may("billing.view"):
        require(actor, "billing.read_meters")


class MeterOut(Schema):
    id: int
    project_id: int
    building_id: int | None
    unit_id: int | None
    kind: MeterKind
    code: str
    label: str
    place: str
    is_public: bool
    is_active: bool
    last_read_on: date | None = None
    last_value: Decimal | None = None
    last_consumption: Decimal | None = None
    last_anomaly: str = ""

    @staticmethod
    def resolve_place(meter):
        return services.meter_place(meter)

    @staticmethod
    def resolve_last_anomaly(meter):
        return getattr(meter, "last_anomaly", None) or ""


class ReadingOut(Schema):
    id: int
    meter_id: int
    project_id: int
    read_on: date
    value: Decimal
    consumption: Decimal | None = Field(None, description="Against the previous reading; none for the first.")
    anomaly: str = Field(..., description='"spike", "zero" or empty')
    anomaly_note: str
    source: str
    entered_at: datetime

    @staticmethod
    def resolve_project_id(reading):
        return reading.meter.project_id


class ReadingIn(Schema):
    read_on: date
    value: Decimal = Field(..., ge=0, max_digits=14, decimal_places=2)
    note: str = Field("", max_length=200)


class ImportErrorOut(Schema):
    row: int
    column: str
    message: str


class FlaggedOut(Schema):
    row: int
    code: str
    anomaly: str
    note: str


class ImportOut(Schema):
    rows: int
    created: int
    skipped: int = Field(..., description="Rows identical to a reading already recorded")
    unfilled: int = Field(..., description="Rows with neither date nor reading (meters not read)")
    anomalies: int
    flagged: list[FlaggedOut]


@router.get("/meters", response=list[MeterOut])
@paginate(PagePagination)
def list_meters(request, project: int | None = None, building: int | None = None, unit: int | None = None,
                kind: MeterKind | None = None, public: bool | None = None):
    """Meters in scope (an owner: their units' own meters) with their latest reading."""
    _require_read(request.actor)
    meters = scoped(Meter.objects.all(), request.actor)
    if project is not None:
        meters = meters.filter(project_id=project)
    if building is not None:
        meters = meters.filter(Q(building_id=building) | Q(unit__building_id=building))
    if unit is not None:
        meters = meters.filter(unit_id=unit)
    if kind:
        meters = meters.filter(kind=kind)
    if public is not None:
        meters = meters.filter(unit__isnull=public)
    return services.with_last_reading(meters.select_related("unit__building", "building")).order_by("project_id",
                                                                                                   "code", "id")


@router.get("/meters/{meter_id}/readings", response=list[ReadingOut])
@paginate(PagePagination)
def meter_readings(request, meter_id: int):
    """A meter's readings, newest first."""
    _require_read(request.actor)
    meter = get_scoped_or_404(Meter.objects.all(), request.actor, pk=meter_id)
    return meter.readings.select_related("meter").order_by("-read_on", "-id")


@router.post("/meters/{meter_id}/readings", response={201: ReadingOut})
def record_reading(request, meter_id: int, payload: ReadingIn):
    """Record a reading: in date order, never lower than the last (422 naming `value` or `read_on`); the answer
    carries its consumption and anomaly flag."""
    meter = get_scoped_or_404(Meter.objects.all(), request.actor, pk=meter_id)
    reading = services.record_reading(request.actor, meter, payload.read_on, payload.value, source="api",
                                      note=payload.note)
    return Status(201, reading)


@router.post("/meter-readings/import", response=ImportOut)
def import_readings(request, project_id: Form[int], file: File[UploadedFile]):
    """Import an .xlsx (columns 表号, 抄表日期, 读数, optional 备注). All or nothing: with any bad row the answer is
    422 and `errors` names each one ("row 5: 读数"); rows already recorded are skipped."""
    project = get_scoped_or_invalid(Project.objects.all(), request.actor, project_id, "project_id")
    report = services.import_readings(request.actor, project, file)
    if report.errors:
        error = InvalidInput(problems=report.problems())
        error.message = _("%(count)s rows have errors; nothing was imported.") % {
            "count": len({problem.row for problem in report.errors})}
        raise error
    return report


@router.get("/meter-readings", response=list[ReadingOut])
@paginate(PagePagination)
def list_readings(request, project: int | None = None, meter: int | None = None, anomalies: bool = False,
                  since: date | None = None):
    """Readings in scope, newest first; `anomalies=true` for the flagged ones staff review."""
    _require_read(request.actor)
    readings = scoped(MeterReading.objects.all(), request.actor)
    if project is not None:
        readings = readings.filter(meter__project_id=project)
    if meter is not None:
        readings = readings.filter(meter_id=meter)
    if anomalies:
        readings = readings.exclude(anomaly="")
    if since is not None:
        readings = readings.filter(read_on__gte=since)
    return readings.select_related("meter").order_by("-read_on", "-id")
