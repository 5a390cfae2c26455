"""Master data of fees (基础资料) in the API: charge items, tariffs, meters, parking spaces and monthly passes (§3,
§9). Reading: whoever reads the books; writing: finance, the project manager, the company administrator
(`billing.manage_master`). Each create or change is an event; a billed tariff is never edited (409)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from wuye.core.access import get_scoped_or_404, get_scoped_or_invalid, require_read, scoped
from wuye.core.api import PagePagination
from wuye.core.downloads import attachment, download_name
from wuye.core.errors import InvalidInput
from wuye.core.workbooks import XLSX
from wuye.people.models import Vehicle
from wuye.tenancy.models import Project, Unit

from .. import master as services
from .. import master_io
from ..master_io import EXPORT_NAMES
from ..models import ChargeItem, Meter, ParkingPass, ParkingSpace, Tariff
from .meters import MeterOut

router = Router(tags=["fees"])


class TariffOut(Schema):
    id: int
    item_id: int
    project_id: int
    unit_kind: str = Field(..., description="Empty: every unit type")
    basis: str
    rate: Decimal
    effective_from: date
    billed: bool = Field(..., description="A bill falls in its time: it is history and cannot be edited")

    @staticmethod
    def resolve_project_id(tariff):
        return tariff.item.project_id

    @staticmethod
    def resolve_billed(tariff):
        return services.tariff_has_billed(tariff)


class ChargeItemOut(Schema):
    id: int
    project_id: int
    code: str
    name: str
    kind: str
    meter_kind: str
    sharing: str
    is_active: bool


class ChargeItemIn(Schema):
    project_id: int
    code: str = Field(..., max_length=40, description="Unique in the project: letters, digits, - and _")
    name: str = Field(..., max_length=100)
    kind: str = Field(..., description="property_fee, parking_pass, parking_temporary, shared_utility, metered, "
                                       "one_off or paid_service")
    meter_kind: str = Field("", description="water, electricity or gas (metered and shared-utility items)")
    sharing: str = Field("", description="by_area or per_household (shared utilities)")


class ChargeItemPatch(Schema):
    name: str | None = Field(None, max_length=100)
    is_active: bool | None = None


class TariffIn(Schema):
    item_id: int
    basis: str = Field(..., description="per_m2_month, per_unit_month, per_consumption, per_hour or fixed")
    rate: Decimal = Field(..., description="Yuan, at most two decimals, not negative")
    effective_from: date
    unit_kind: str = Field("", description="residential, commercial, parking; empty for every type")


class TariffPatch(Schema):
    basis: str | None = None
    rate: Decimal | None = None
    effective_from: date | None = None


class ParkingSpaceOut(Schema):
    id: int
    project_id: int
    code: str
    zone: str
    kind: str
    unit_id: int | None
    unit: str
    vehicle_id: int | None
    plate: str
    is_active: bool

    @staticmethod
    def resolve_unit(space):
        return str(space.unit) if space.unit_id else ""

    @staticmethod
    def resolve_plate(space):
        return space.vehicle.plate if space.vehicle_id else ""


class ParkingSpaceIn(Schema):
    project_id: int
    code: str = Field(..., max_length=20)
    zone: str = Field("", max_length=40)
    kind: str = Field(..., description="owned, rented or temporary")
    unit_id: int | None = None
    vehicle_id: int | None = None


class ParkingSpacePatch(Schema):
    zone: str | None = Field(None, max_length=40)
    kind: str | None = None
    unit_id: int | None = None
    vehicle_id: int | None = None
    is_active: bool | None = None


class ParkingPassOut(Schema):
    id: int
    project_id: int
    unit_id: int
    unit: str
    item_id: int
    plate: str
    space: str
    space_id: int | None
    starts_on: date
    ends_on: date | None

    @staticmethod
    def resolve_unit(parking_pass):
        return str(parking_pass.unit)

    @staticmethod
    def resolve_space_id(parking_pass):
        return parking_pass.parking_space_id


class ParkingPassIn(Schema):
    project_id: int
    unit_id: int
    item_id: int
    plate: str = Field(..., max_length=20)
    starts_on: date
    ends_on: date | None = None
    space_id: int | None = None


class ParkingPassPatch(Schema):
    plate: str | None = Field(None, max_length=20)
    ends_on: date | None = None


def _project(request, project_id):
    return get_scoped_or_invalid(Project.objects.all(), request.actor, project_id, "project_id")


def _optional(request, model, pk, field):
    return None if pk is None else get_scoped_or_invalid(model.objects.all(), request.actor, pk, field)


# -- Excel: the lists a company keeps ------------------------------------------------------------------------------
class MasterRowErrorOut(Schema):
    row: int
    column: str
    message: str


class MasterImportOut(Schema):
    rows: int
    created: int
    updated: int
    skipped: int = Field(..., description="Rows already there as they are (sending the file again is harmless)")
    errors: list[MasterRowErrorOut]


def _import(request, project_id, file, importer):
    project = _project(request, project_id)
    if file is None:
        raise InvalidInput("file", _("Choose the file to upload."))
    report = importer(request.actor, project, file)
    if report.errors:
        error = InvalidInput(problems=report.problems())
        error.message = _("%(count)s rows of the sheet have errors; nothing was imported.") % {
            "count": report.rows_with_errors}
        raise error
    return report


def _export(request, project_id, resource, exporter, name):
    require_read(request.actor, resource)
    project = get_scoped_or_404(Project.objects.all(), request.actor, pk=project_id)
    response = HttpResponse(exporter(project), content_type=XLSX)
    return attachment(response, download_name(EXPORT_NAMES[name], project.name, ext="xlsx"))


IMPORT_NOTE = ("All or nothing: 200 with the counts (created, updated, skipped); 422 listing every wrong row as "
               "\"row 5: 单价\" with nothing written. The file is bounded before it is parsed (422 naming `file`).")


@router.post("/charge-items/import", response=MasterImportOut, description=IMPORT_NOTE)
def import_charge_items(request, project_id: Form[int], file: File[UploadedFile] = None):
    """Import charge items and their tariffs (columns 编码, 名称, 类型, 表类型, 分摊方式, 计费方式, 单价, 单元类型,
    生效日期, 在用 — the export's)."""
    return _import(request, project_id, file, master_io.import_charge_items)


@router.get("/charge-items.xlsx", response={200: None})
def export_charge_items(request, project: int):
    """The project's charge items, a row per tariff, in the import's columns."""
    return _export(request, project, "billing.charge_items", master_io.export_charge_items, "charge-items")


@router.post("/meters/import", response=MasterImportOut, description=IMPORT_NOTE)
def import_meters(request, project_id: Form[int], file: File[UploadedFile] = None):
    """Import the meter register (columns 表号, 类型, 房号, 楼栋, 名称, 在用). Readings: `/meter-readings/import`."""
    return _import(request, project_id, file, master_io.import_meters)


@router.get("/meters.xlsx", response={200: None})
def export_meters(request, project: int):
    """The project's meter register in the import's columns."""
    return _export(request, project, "billing.meters", master_io.export_meters, "meters")


@router.post("/parking/spaces/import", response=MasterImportOut, description=IMPORT_NOTE)
def import_parking_spaces(request, project_id: Form[int], file: File[UploadedFile] = None):
    """Import parking spaces (columns 车位号, 区域, 类型, 房号, 在用)."""
    return _import(request, project_id, file, master_io.import_parking_spaces)


@router.get("/parking/spaces.xlsx", response={200: None})
def export_parking_spaces(request, project: int):
    """The project's parking spaces in the import's columns."""
    return _export(request, project, "billing.parking", master_io.export_parking_spaces, "parking-spaces")


# -- charge items and tariffs ---------------------------------------------------------------------------------------
@router.get("/charge-items", response=list[ChargeItemOut])
@paginate(PagePagination)
def list_charge_items(request, project: int | None = None, active: bool | None = None):
    """Charge items in scope, by project and code."""
    require_read(request.actor, "billing.charge_items")
    items = scoped(ChargeItem.objects.all(), request.actor)
    if project is not None:
        items = items.filter(project_id=project)
    if active is not None:
        items = items.filter(is_active=active)
    return items.order_by("project_id", "code", "id")


@router.post("/charge-items", response={201: ChargeItemOut})
def create_charge_item(request, payload: ChargeItemIn):
    """A new charge item (422 naming `code` when the project has it already)."""
    project = _project(request, payload.project_id)
    data = payload.dict(exclude={"project_id"})
    return Status(201, services.create_charge_item(request.actor, project, **data))


@router.patch("/charge-items/{item_id}", response=ChargeItemOut)
def update_charge_item(request, item_id: int, payload: ChargeItemPatch):
    """Rename or (de)activate a charge item; deleting is deactivating (bills refer to it)."""
    item = get_scoped_or_404(ChargeItem.objects.all(), request.actor, pk=item_id)
    return services.update_charge_item(request.actor, item, **payload.dict(exclude_unset=True))


@router.get("/tariffs", response=list[TariffOut])
@paginate(PagePagination)
def list_tariffs(request, project: int | None = None, item: int | None = None):
    """Tariffs in scope, per item and unit type, newest first: the price in force on a day is the latest one
    from before it."""
    require_read(request.actor, "billing.charge_items")
    tariffs = scoped(Tariff.objects.all(), request.actor).select_related("item")
    if project is not None:
        tariffs = tariffs.filter(item__project_id=project)
    if item is not None:
        tariffs = tariffs.filter(item_id=item)
    return tariffs.order_by("item_id", "unit_kind", "-effective_from", "id")


@router.post("/tariffs", response={201: TariffOut})
def add_tariff(request, payload: TariffIn):
    """A price from a date on. A price change is a new tariff: months already billed keep their price (422 naming
    `effective_from` for a date already billed or already priced)."""
    item = get_scoped_or_invalid(ChargeItem.objects.all(), request.actor, payload.item_id, "item_id")
    tariff = services.add_tariff(request.actor, item, basis=payload.basis, rate=payload.rate,
                                 effective_from=payload.effective_from, unit_kind=payload.unit_kind)
    return Status(201, tariff)


@router.patch("/tariffs/{tariff_id}", response=TariffOut)
def update_tariff(request, tariff_id: int, payload: TariffPatch):
    """Correct a tariff that has not billed yet; 409 once it has (add a new one from a later date instead)."""
    tariff = get_scoped_or_404(Tariff.objects.select_related("item"), request.actor, pk=tariff_id)
    return services.update_tariff(request.actor, tariff, **payload.dict(exclude_unset=True))


# -- meters (created in api/meters.py with the list: one path, one router) -------------------------------------
class MeterPatch(Schema):
    label: str | None = Field(None, max_length=100)
    is_active: bool | None = None


@router.patch("/meters/{meter_id}", response=MeterOut)
def update_meter(request, meter_id: int, payload: MeterPatch):
    """Rename or (de)activate a meter (a replaced meter is deactivated; readings stay with it)."""
    meter = get_scoped_or_404(Meter.objects.all(), request.actor, pk=meter_id)
    return services.update_meter(request.actor, meter, **payload.dict(exclude_unset=True))


# -- parking --------------------------------------------------------------------------------------------------------
@router.get("/parking/spaces", response=list[ParkingSpaceOut])
@paginate(PagePagination)
def list_parking_spaces(request, project: int | None = None, zone: str | None = None, kind: str | None = None,
                        active: bool | None = None):
    """Parking spaces in scope by zone and number."""
    require_read(request.actor, "billing.parking")
    spaces = scoped(ParkingSpace.objects.all(), request.actor).select_related("unit__building", "vehicle")
    if project is not None:
        spaces = spaces.filter(project_id=project)
    if zone:
        spaces = spaces.filter(zone=zone)
    if kind:
        spaces = spaces.filter(kind=kind)
    if active is not None:
        spaces = spaces.filter(is_active=active)
    return spaces.order_by("project_id", "zone", "code", "id")


@router.post("/parking/spaces", response={201: ParkingSpaceOut})
def create_parking_space(request, payload: ParkingSpaceIn):
    """A parking space (owned / rented / temporary); 422 naming `code`, `unit_id` or `vehicle_id`."""
    project = _project(request, payload.project_id)
    space = services.create_parking_space(
        request.actor, project, code=payload.code, zone=payload.zone, kind=payload.kind,
        unit=_optional(request, Unit, payload.unit_id, "unit_id"),
        vehicle=_optional(request, Vehicle, payload.vehicle_id, "vehicle_id"))
    return Status(201, space)


@router.patch("/parking/spaces/{space_id}", response=ParkingSpaceOut)
def update_parking_space(request, space_id: int, payload: ParkingSpacePatch):
    """Change zone, kind, unit or vehicle, or (de)activate the space (it is never deleted: passes refer to it)."""
    space = get_scoped_or_404(ParkingSpace.objects.select_related("project"), request.actor, pk=space_id)
    changes = payload.dict(exclude_unset=True)
    if "unit_id" in changes:
        changes["unit"] = _optional(request, Unit, changes.pop("unit_id"), "unit_id")
    if "vehicle_id" in changes:
        changes["vehicle"] = _optional(request, Vehicle, changes.pop("vehicle_id"), "vehicle_id")
    return services.update_parking_space(request.actor, space, **changes)


@router.get("/parking/passes", response=list[ParkingPassOut])
@paginate(PagePagination)
def list_parking_passes(request, project: int | None = None, unit: int | None = None, current: bool = False):
    """Monthly passes in scope; `current=true` for those valid today."""
    require_read(request.actor, "billing.parking")
    passes = scoped(ParkingPass.objects.all(), request.actor).select_related("unit__building")
    if project is not None:
        passes = passes.filter(project_id=project)
    if unit is not None:
        passes = passes.filter(unit_id=unit)
    if current:
        from django.db.models import Q
        from django.utils import timezone

        today = timezone.localdate()
        passes = passes.filter(starts_on__lte=today).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
    return passes.order_by("project_id", "unit_id", "starts_on", "id")


@router.post("/parking/passes", response={201: ParkingPassOut})
def create_parking_pass(request, payload: ParkingPassIn):
    """A monthly pass of a unit, billed by the runs from `starts_on`; 422 naming the field that is wrong."""
    project = _project(request, payload.project_id)
    parking_pass = services.create_parking_pass(
        request.actor, project, unit=get_scoped_or_invalid(Unit.objects.all(), request.actor, payload.unit_id,
                                                           "unit_id"),
        item=get_scoped_or_invalid(ChargeItem.objects.all(), request.actor, payload.item_id, "item_id"),
        plate=payload.plate, starts_on=payload.starts_on, ends_on=payload.ends_on,
        space=_optional(request, ParkingSpace, payload.space_id, "space_id"))
    return Status(201, parking_pass)


@router.patch("/parking/passes/{pass_id}", response=ParkingPassOut)
def update_parking_pass(request, pass_id: int, payload: ParkingPassPatch):
    """End a pass (`ends_on`) or change its plate; not ended before a month it was billed for (422 `ends_on`)."""
    parking_pass = get_scoped_or_404(ParkingPass.objects.all(), request.actor, pk=pass_id)
    return services.update_parking_pass(request.actor, parking_pass, **payload.dict(exclude_unset=True))
