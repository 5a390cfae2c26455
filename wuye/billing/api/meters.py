"""Meters and their readings (抄表): lists, one reading at a time, and the Excel import (§3, §9). Owners read their
own units' meters; recording readings is staff work."""

from datetime import date, datetime
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from wuye.core.access import get_scoped_or_404, get_scoped_or_invalid, require_read, scoped
from wuye.core.api import PagePagination
from wuye.core.errors import InvalidInput
from wuye.tenancy.models import Building, Project, Unit

from .. import master
from .. import meters as services
from ..models import HELD, Meter, MeterKind, MeterReading

router = Router(tags=["fees"])


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
    held: bool = Field(..., description="Flagged and not yet reviewed: billing leaves it out until it is confirmed "
                                        "or corrected")
    review: str = Field(..., description='"confirmed", "corrected" or empty (not reviewed)')
    reviewed_at: datetime | None = None
    source: str
    entered_at: datetime

    @staticmethod
    def resolve_project_id(reading):
        return reading.meter.project_id

    @staticmethod
    def resolve_held(reading):
        return reading.is_held


class ReadingIn(Schema):
    read_on: date
    value: Decimal = Field(..., ge=0, max_digits=14, decimal_places=2)
    note: str = Field("", max_length=200)


class ImportErrorOut(Schema):
    row: int
    column: str
    message: str


class ConfirmIn(Schema):
    note: str = Field("", max_length=200)


class CorrectIn(Schema):
    value: Decimal = Field(..., ge=0, max_digits=14, decimal_places=2)
    note: str = Field("", max_length=200)


class FlaggedOut(Schema):
    row: int
    code: str
    anomaly: str
    note: str


class MeterImportOut(Schema):
    rows: int
    created: int
    skipped: int = Field(..., description="Rows identical to a reading already recorded")
    unfilled: int = Field(..., description="Rows with neither date nor reading (meters not read)")
    anomalies: int
    flagged: list[FlaggedOut]
    errors: list[ImportErrorOut] = Field(..., description="Rows not recorded, each with its column and the reason")


@router.get("/meters", response=list[MeterOut])
@paginate(PagePagination)
def list_meters(request, project: int | None = None, building: int | None = None, unit: int | None = None,
                kind: MeterKind | None = None, public: bool | None = None):
    """Meters in scope (an owner: their units' own meters) with their latest reading."""
    require_read(request.actor, "billing.meters")
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
    require_read(request.actor, "billing.meters")
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


@router.post("/meter-readings/import", response=MeterImportOut)
def import_readings(request, project_id: Form[int], file: File[UploadedFile]):
    """Import an .xlsx (columns 表号, 抄表日期, 读数, optional 备注). The rows without errors are recorded and the
    answer lists the others in `errors` (row, column, reason); when no row could be recorded it is a 422 naming
    each ("row 5: 读数"). Rows already recorded are skipped, so the corrected file can be sent again. A file beyond
    the import limits (unpacked size, rows, shared strings) is refused before it is parsed (422 naming `file`)."""
    project = get_scoped_or_invalid(Project.objects.all(), request.actor, project_id, "project_id")
    report = services.import_readings(request.actor, project, file)
    if report.errors and not report.created:
        error = InvalidInput(problems=report.problems())
        error.message = _("%(count)s rows have errors; nothing was imported.") % {"count": report.rows_with_errors}
        raise error
    return report


@router.get("/meter-readings", response=list[ReadingOut])
@paginate(PagePagination)
def list_readings(request, project: int | None = None, meter: int | None = None, anomalies: bool = False,
                  held: bool = False, since: date | None = None):
    """Readings in scope, newest first; `anomalies=true` for the flagged ones, `held=true` for those waiting for
    review (billing leaves them out until they are confirmed or corrected)."""
    require_read(request.actor, "billing.meters")
    readings = scoped(MeterReading.objects.all(), request.actor)
    if project is not None:
        readings = readings.filter(meter__project_id=project)
    if meter is not None:
        readings = readings.filter(meter_id=meter)
    if anomalies:
        readings = readings.exclude(anomaly="")
    if held:
        readings = readings.filter(HELD)
    if since is not None:
        readings = readings.filter(read_on__gte=since)
    return readings.select_related("meter").order_by("-read_on", "-id")


@router.post("/meter-readings/{reading_id}/confirm", response=ReadingOut)
def confirm_reading(request, reading_id: int, payload: ConfirmIn):
    """Confirm a held reading as read (finance, project manager): billing uses it from now on, and a rerun of its
    month bills what the run skipped. 409 if it is not held (already reviewed)."""
    reading = get_scoped_or_404(MeterReading.objects.select_related("meter"), request.actor, pk=reading_id)
    return services.confirm_reading(request.actor, reading, note=payload.note)


@router.post("/meter-readings/{reading_id}/correct", response=ReadingOut)
def correct_reading(request, reading_id: int, payload: CorrectIn):
    """Correct the value of a held reading (finance, project manager): checked like a new reading (422 naming
    `value`), then released for billing with its new consumption; the event keeps the old value."""
    reading = get_scoped_or_404(MeterReading.objects.select_related("meter"), request.actor, pk=reading_id)
    return services.correct_reading(request.actor, reading, payload.value, note=payload.note)


# -- the meter register (master data: finance, the project manager, the company administrator) --------------
def _optional(request, model, pk, field):
    return None if pk is None else get_scoped_or_invalid(model.objects.all(), request.actor, pk, field)


class MeterIn(Schema):
    project_id: int
    code: str = Field(..., max_length=40)
    kind: str = Field(..., description="water, electricity or gas")
    unit_id: int | None = Field(None, description="The unit's own meter; empty for a public meter")
    building_id: int | None = Field(None, description="A public meter's building; empty for the whole estate")
    label: str = Field("", max_length=100)


@router.post("/meters", response={201: MeterOut})
def create_meter(request, payload: MeterIn):
    """A unit's meter (`unit_id`) or a public one (`building_id`, or neither for the whole estate); 422 naming
    `unit_id` for a unit of another project, `code` for a number in use."""
    project = get_scoped_or_invalid(Project.objects.all(), request.actor, payload.project_id, "project_id")
    unit = _optional(request, Unit, payload.unit_id, "unit_id")
    building = _optional(request, Building, payload.building_id, "building_id")
    meter = master.create_meter(request.actor, project, code=payload.code, kind=payload.kind, unit=unit,
                                building=building, label=payload.label)
    return Status(201, meter)
