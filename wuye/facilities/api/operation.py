"""Facilities API: operation logs (运行记录) — record a duty round's readings of an item, list readings."""

from datetime import datetime
from typing import Any

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from wuye.core.access import get_scoped_or_404, get_scoped_or_invalid, require, require_read, scoped
from wuye.core.api import Mapped, PagePagination
from wuye.core.errors import InvalidInput

from .. import operation as service
from .. import register
from ..models import Equipment, OperationReading

router = Router(tags=["facilities"])


class OperationReadingIn(Schema):
    equipment: int
    values: dict[str, Any] = Field(..., description="{point code: number}, e.g. {\"voltage\": 398}")
    note: str = Field("", max_length=service.NOTE_MAX)
    recorded_at: datetime | None = Field(None, description="when read (default now; ≤ 5 min ahead, ≤ 7 days back)")


class OperationReadingFilters(Schema):
    project: int | None = None
    equipment: int | None = None
    anomalies: bool | None = Field(None, description="true: only readings with values out of range")
    recorded_after: datetime | None = None
    recorded_before: datetime | None = None


class OperationReadingValueOut(Schema):
    label: str
    value: str
    unit: str
    low: str
    high: str
    anomaly: bool


class OperationReadingOut(Schema):
    id: int
    project_id: int
    equipment_id: int
    equipment: str
    recorded_at: datetime
    recorded_by: str
    values: dict[str, float | int]
    anomalies: list[str]
    readings: list[OperationReadingValueOut]
    note: str
    fault_id: int | None


def _name(user) -> str:
    return (user.get_full_name() or "").strip() if user else ""


def _row(reading: OperationReading, limits=None) -> dict:
    return {"id": reading.pk, "project_id": reading.project_id, "equipment_id": reading.equipment_id,
            "equipment": reading.equipment.name, "recorded_at": reading.recorded_at,
            "recorded_by": _name(reading.recorded_by), "values": reading.values, "anomalies": reading.anomalies,
            "readings": service.reading_rows(reading, limits), "note": reading.note, "fault_id": reading.fault_id}



@router.post("/operation-logs", response={201: OperationReadingOut})
def record_reading(request, payload: OperationReadingIn):
    """Record one duty round's readings of an item (`values`: {point code: number}). A code the item does not
    read is a 422 naming `values.<code>`; values out of range are listed in `anomalies` and open (or join) the
    item's fault from readings, to be reported within the project's `fault.report` limit (`fault_id`)."""
    require(request.actor, "facilities.log_readings")
    equipment = get_scoped_or_invalid(Equipment.objects.all(), request.actor, payload.equipment, "equipment")
    try:
        reading = service.record_reading(request.actor, equipment, values=payload.values, note=payload.note,
                                         at=payload.recorded_at)
    except InvalidInput as error:
        # The service names its argument `at`; this API calls it `recorded_at`.
        for problem in error.problems:
            problem.field = "recorded_at" if problem.field == "at" else problem.field
        raise InvalidInput(problems=error.problems) from None
    return Status(201, _row(reading))


@router.get("/operation-logs", response=list[OperationReadingOut])
@paginate(PagePagination)
def list_readings(request, filters: Query[OperationReadingFilters]):
    """Readings in scope, newest first: filters `project`, `equipment`, `anomalies`, `recorded_after`,
    `recorded_before`."""
    require_read(request.actor, "facilities.operation")
    rows = scoped(OperationReading.objects.all(), request.actor).select_related("equipment", "recorded_by")
    if filters.project is not None:
        rows = rows.filter(project_id=filters.project)
    if filters.equipment is not None:
        rows = rows.filter(equipment_id=filters.equipment)
    if filters.anomalies is True:
        rows = rows.exclude(anomalies=[])
    # core.api.check_inputs already refused dates outside validators.date_window(), naming the field.
    if filters.recorded_after is not None:
        rows = rows.filter(recorded_at__gte=filters.recorded_after)
    if filters.recorded_before is not None:
        rows = rows.filter(recorded_at__lt=filters.recorded_before)
    limits: dict[int, dict] = {}  # each item's limits read once per page, not once per reading

    def row(reading: OperationReading) -> dict:
        if reading.equipment_id not in limits:
            limits[reading.equipment_id] = register.limits_for(reading.equipment)
        return _row(reading, limits[reading.equipment_id])

    return Mapped(rows.order_by("-recorded_at", "-id"), row)


@router.get("/operation-logs/{reading_id}", response=OperationReadingOut)
def get_reading(request, reading_id: int):
    """One reading with its values, labels and limits."""
    require_read(request.actor, "facilities.operation")
    reading = get_scoped_or_404(OperationReading.objects.select_related("equipment", "recorded_by"),
                                request.actor, pk=reading_id)
    return _row(reading)
