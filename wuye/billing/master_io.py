"""Master data in Excel: the lists a company already keeps — charge items with their tariffs, meters, parking
spaces — exported and imported with the same columns, so an export edited and uploaded again is an import.

Imports are all or nothing: every row goes through the service function a page or the API calls (the same
checks, the same events), inside one transaction; if any row is refused, the transaction is rolled back and the
report lists each refusal as (row, column, message) — nothing is written. A row that is already there as it is
is skipped, one that differs in what may change is changed, so uploading the same file again changes nothing.
The upload is bounded before openpyxl parses it (`core.workbooks.read_upload`)."""

from __future__ import annotations

import io

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from wuye.core.access import Actor, require
from wuye.core.errors import DomainError
from wuye.core.spreadsheets import xlsx_row
from wuye.core.workbooks import ImportReport, RowError, cell, day, read_upload, text
from wuye.tenancy.models import Building, Project, Unit
from wuye.tenancy.search import unit_search_q

from . import master
from .models import ChargeItem, Meter, ParkingSpace, Tariff

# Who may import the lists (finance, the project manager, the company administrator): master data's permission.
PERMISSION = master.PERMISSION

# The words of the sheets (the company's own, in Chinese whatever the interface language); codes work too.
CHARGE_KINDS = {"物业费": "property_fee", "停车月卡": "parking_pass", "临时停车": "parking_temporary",
                "公摊": "shared_utility", "抄表计量": "metered", "一次性收费": "one_off", "有偿服务": "paid_service"}
METER_KINDS = {"水": "water", "电": "electricity", "燃气": "gas"}
SHARINGS = {"按面积": "by_area", "按户": "per_household"}
BASES = {"按面积每月": "per_m2_month", "按户每月": "per_unit_month", "按用量": "per_consumption",
         "按小时": "per_hour", "固定金额": "fixed"}
UNIT_KINDS = {"全部": "", "住宅": "residential", "商铺": "commercial", "车位": "parking"}
SPACE_KINDS = {"产权": "owned", "租赁": "rented", "临停": "temporary"}
YES_NO = {"是": True, "否": False, "1": True, "0": False, "true": True, "false": False}

# The download names of the three exports (core.downloads: Chinese, like their columns).
EXPORT_NAMES = {"charge-items": "收费项目", "meters": "仪表档案", "parking-spaces": "车位"}
CHARGE_COLUMNS = ("编码", "名称", "类型", "表类型", "分摊方式", "计费方式", "单价", "单元类型", "生效日期", "在用")
METER_COLUMNS = ("表号", "类型", "房号", "楼栋", "名称", "在用")
PARKING_COLUMNS = ("车位号", "区域", "类型", "房号", "在用")


class _Rollback(Exception):
    """Raised inside the import's transaction when a row was refused: nothing the earlier rows wrote stays."""


def _word(words: dict, value) -> str:
    """The stored value of a sheet word (or of the code itself); ValueError listing the words."""
    written = text(value)
    if written in words:
        return words[written]
    if written in words.values():
        return written
    raise ValueError(_("Write one of: %(words)s.") % {"words": "、".join(word for word in words if word)})


def _label(words: dict, value) -> str:
    return next((word for word, stored in words.items() if stored == value), value)


def _active(value) -> bool:
    written = text(value).lower()
    if not written:
        return True
    if written in YES_NO:
        return YES_NO[written]
    raise ValueError(_("Write 是 or 否."))


def find_unit(project: Project, value) -> Unit | None:
    """The one unit of `project` that `value` names as the front desk types it (3-1201, 3栋1201 …; the same
    parser as every unit search); None for an empty value, ValueError for none or several."""
    written = text(value)
    if not written:
        return None
    units = list(Unit.objects.filter(project=project).filter(unit_search_q(written))[:2])
    if not units:
        raise ValueError(_("No unit %(unit)s in %(project)s.") % {"unit": written, "project": project.name})
    if len(units) > 1:
        raise ValueError(_("%(unit)s names more than one unit; write building-number, e.g. 3-1201.")
                         % {"unit": written})
    return units[0]


def find_vehicle(project: Project, plate: str):
    """The vehicle of the people register with this plate in `project` (None when not registered)."""
    from wuye.core.validators import normalize_plate
    from wuye.people.models import Vehicle

    try:
        plate = normalize_plate(plate)
    except ValueError:
        return None
    return Vehicle.objects.filter(project=project, plate=plate).first()


def place(meter: Meter) -> str:
    """Where a meter is: its unit, or a public meter's building (or the whole estate)."""
    if meter.unit_id:
        return meter.unit.label
    return str(meter.building) if meter.building_id else _("Whole estate")


def unit_text(unit) -> str:
    """A unit as the import reads it back (building-entrance-number when there is an entrance)."""
    return unit.label


def _building(project: Project, value) -> Building | None:
    written = text(value)
    if not written:
        return None
    building = Building.objects.filter(project=project).filter(Q(number=written) | Q(name=written)).first()
    if building is None:
        raise ValueError(_("No building %(building)s in %(project)s.") % {"building": written, "project": project.name})
    return building


def _run(report: ImportReport, rows, apply, columns_of: dict) -> ImportReport:
    """Apply every row in one transaction; any refusal rolls all of them back and is reported by row and column
    (the service's field name mapped to the sheet's column)."""
    try:
        with transaction.atomic():
            for number, row in rows:
                cells_ok = []
                try:
                    outcome = apply(row, cells_ok)
                except _CellError as error:
                    report.errors.append(RowError(number, error.column, error.message))
                    continue
                except DomainError as error:
                    for problem in error.problems or []:
                        report.errors.append(RowError(number, columns_of.get(problem.field, problem.field),
                                                      problem.message))
                    if not error.problems:
                        report.errors.append(RowError(number, next(iter(columns_of.values())), error.message))
                    continue
                setattr(report, outcome, getattr(report, outcome) + 1)
            if report.errors:
                raise _Rollback
    except _Rollback:
        report.created = report.updated = report.skipped = 0
    report.errors.sort(key=lambda error: error.row)
    return report


class _CellError(Exception):
    def __init__(self, column: str, message):
        super().__init__(message)
        self.column, self.message = column, str(message)


def _read(row, columns, column, parse=None):
    value = cell(row, columns, column)
    if parse is None:
        return value
    try:
        return parse(value)
    except ValueError as error:
        raise _CellError(column, error) from None


# -- charge items and tariffs ---------------------------------------------------------------------------------------
def import_charge_items(actor: Actor, project: Project, upload) -> ImportReport:
    """Charge items and their tariffs from an .xlsx (`CHARGE_COLUMNS`; 编码, 名称, 类型 required; 计费方式, 单价
    and 生效日期 together add a tariff). An item already there is renamed or (de)activated when the row says so; a
    tariff already there with the same price is skipped, a different price on a billed tariff is refused (a change
    is a new row from a later date)."""
    require(actor, master.PERMISSION)
    columns, rows = read_upload(upload, ("编码", "名称", "类型"))
    report = ImportReport(kind="charge_items", rows=len(rows))
    # Read once, kept in step as rows write: a row that is already there as it is costs no query.
    known = {item.code: item for item in ChargeItem.objects.filter(project=project)}
    tariffs = {(tariff.item_id, tariff.unit_kind, tariff.effective_from): tariff
               for tariff in Tariff.objects.filter(item__project=project)}
    fields = {"code": "编码", "name": "名称", "kind": "类型", "meter_kind": "表类型", "sharing": "分摊方式",
              "basis": "计费方式", "rate": "单价", "unit_kind": "单元类型", "effective_from": "生效日期",
              "is_active": "在用"}

    def apply(row, _ok):
        code = text(cell(row, columns, "编码"))
        name = text(cell(row, columns, "名称"))
        kind = _read(row, columns, "类型", lambda v: _word(CHARGE_KINDS, v))
        meter_kind = _read(row, columns, "表类型", lambda v: _word(METER_KINDS, v) if text(v) else "")
        sharing = _read(row, columns, "分摊方式", lambda v: _word(SHARINGS, v) if text(v) else "")
        active = _read(row, columns, "在用", _active)
        basis = _read(row, columns, "计费方式", lambda v: _word(BASES, v) if text(v) else "")
        rate = cell(row, columns, "单价")
        unit_kind = _read(row, columns, "单元类型", lambda v: _word(UNIT_KINDS, v) if text(v) else "")
        effective_from = _read(row, columns, "生效日期", lambda v: day(v) if v is not None else None)
        outcome = "skipped"
        item = known.get(code) if code else None
        if item is None:
            item = known[code] = master.create_charge_item(actor, project, code=code, name=name, kind=kind,
                                                           meter_kind=meter_kind, sharing=sharing)
            outcome = "created"
            if not active:
                item = known[code] = master.update_charge_item(actor, item, is_active=False)
        else:
            if item.kind != kind:
                raise _CellError("类型", _("Item %(code)s is %(kind)s; a charge of another kind is a new item with "
                                          "its own code.") % {"code": code, "kind": _label(CHARGE_KINDS, item.kind)})
            if item.name != name or item.is_active != active:
                item = known[code] = master.update_charge_item(actor, item, name=name, is_active=active)
                outcome = "updated"
        if rate is None and not basis and effective_from is None:
            return outcome
        for column, value in (("计费方式", basis), ("单价", rate), ("生效日期", effective_from)):
            if value in (None, ""):
                raise _CellError(column, _("A tariff needs 计费方式, 单价 and 生效日期."))
        tariff = tariffs.get((item.pk, unit_kind, effective_from))
        if tariff is None:
            tariffs[(item.pk, unit_kind, effective_from)] = master.add_tariff(
                actor, item, basis=basis, rate=text(rate), effective_from=effective_from, unit_kind=unit_kind)
            return "created" if outcome == "created" else "updated"
        try:
            same = master.parse_rate(text(rate)) == tariff.rate and basis == tariff.basis
        except ValueError as error:
            raise _CellError("单价", error) from None
        if same:
            return outcome
        tariffs[(item.pk, unit_kind, effective_from)] = master.update_tariff(  # 409 if it has billed
            actor, tariff, rate=text(rate), basis=basis)
        return "updated"

    return _run(report, rows, apply, fields)


def export_charge_items(project: Project) -> bytes:
    """The project's charge items, a row per tariff (an item without one: a row without price) — the import's
    columns, so the file can be edited and uploaded again."""
    def rows():
        items = ChargeItem.objects.filter(project=project).prefetch_related("tariffs").order_by("code")
        for item in items:
            head = [item.code, item.name, _label(CHARGE_KINDS, item.kind), _label(METER_KINDS, item.meter_kind),
                    _label(SHARINGS, item.sharing)]
            active = "是" if item.is_active else "否"
            tariffs = sorted(item.tariffs.all(), key=lambda t: (t.unit_kind, t.effective_from))
            if not tariffs:
                yield [*head, "", None, "", None, active]
            for tariff in tariffs:
                yield [*head, _label(BASES, tariff.basis), float(tariff.rate), _label(UNIT_KINDS, tariff.unit_kind),
                       tariff.effective_from, active]
    return _workbook("收费项目", CHARGE_COLUMNS, rows(), number_columns={6})


# -- meters ---------------------------------------------------------------------------------------------------------
METER_REQUIRED = ("表号", "类型")
# The template's example row (for an onboarding sheet: `core.workbooks.template`).
METER_EXAMPLE = ("W-1-101", "水", "1-101", "", "", "是")


def import_meters(actor: Actor, project: Project, upload) -> ImportReport:
    """Meters from an .xlsx (`METER_COLUMNS`; 表号 and 类型 required): 房号 for a unit's own meter (as typed at the
    front desk), else 楼栋 for a public meter of a building, neither for the whole estate. A meter already there
    is renamed or (de)activated; its type and unit stay (a replaced meter gets a new number)."""
    require(actor, master.PERMISSION)
    columns, rows = read_upload(upload, METER_REQUIRED)
    return import_meter_rows(actor, project, columns, rows)


def import_meter_rows(actor: Actor, project: Project, columns: dict[str, int], rows) -> ImportReport:
    """`import_meters` on rows already read (`core.workbooks.read_upload`): the shape of the onboarding sheets'
    importers, so a project's meter register can be one of its sheets."""
    require(actor, master.PERMISSION)
    report = ImportReport(kind="meters", rows=len(rows))
    known = {meter.code: meter for meter in Meter.objects.filter(project=project)}
    fields = {"code": "表号", "kind": "类型", "unit_id": "房号", "building_id": "楼栋", "label": "名称",
              "is_active": "在用"}

    def apply(row, _ok):
        code = text(cell(row, columns, "表号"))
        kind = _read(row, columns, "类型", lambda v: _word(METER_KINDS, v))
        unit = _read(row, columns, "房号", lambda v: find_unit(project, v))
        building = _read(row, columns, "楼栋", lambda v: _building(project, v))
        label = text(cell(row, columns, "名称"))
        active = _read(row, columns, "在用", _active)
        meter = known.get(code) if code else None
        if meter is None:
            meter = known[code] = master.create_meter(actor, project, code=code, kind=kind, unit=unit,
                                                      building=building, label=label)
            if not active:
                known[code] = master.update_meter(actor, meter, is_active=False)
            return "created"
        if meter.kind != kind:
            raise _CellError("类型", _("Meter %(code)s is a %(kind)s meter; a new meter gets a new number.")
                             % {"code": code, "kind": _label(METER_KINDS, meter.kind)})
        if meter.unit_id != getattr(unit, "pk", None):
            raise _CellError("房号", _("Meter %(code)s belongs to another unit; a new meter gets a new number.")
                             % {"code": code})
        if meter.label == label and meter.is_active == active:
            return "skipped"
        known[code] = master.update_meter(actor, meter, label=label, is_active=active)
        return "updated"

    return _run(report, rows, apply, fields)


def export_meters(project: Project) -> bytes:
    def rows():
        meters = Meter.objects.filter(project=project).select_related("unit__building", "building").order_by("code")
        for meter in meters:
            unit = unit_text(meter.unit) if meter.unit_id else ""
            yield [meter.code, _label(METER_KINDS, meter.kind), unit,
                   meter.building.number if meter.building_id else "", meter.label, "是" if meter.is_active else "否"]
    return _workbook("仪表", METER_COLUMNS, rows())


# -- parking spaces -------------------------------------------------------------------------------------------------
def import_parking_spaces(actor: Actor, project: Project, upload) -> ImportReport:
    """Parking spaces from an .xlsx (`PARKING_COLUMNS`; 车位号 and 类型 required, 房号 the owning or renting unit).
    A space already there takes the row's zone, kind, unit and 在用."""
    require(actor, master.PERMISSION)
    columns, rows = read_upload(upload, ("车位号", "类型"))
    report = ImportReport(kind="parking_spaces", rows=len(rows))
    known = {space.code: space for space in ParkingSpace.objects.filter(project=project)}
    fields = {"code": "车位号", "zone": "区域", "kind": "类型", "unit_id": "房号", "is_active": "在用"}

    def apply(row, _ok):
        code = text(cell(row, columns, "车位号"))
        zone = text(cell(row, columns, "区域"))
        kind = _read(row, columns, "类型", lambda v: _word(SPACE_KINDS, v))
        unit = _read(row, columns, "房号", lambda v: find_unit(project, v))
        active = _read(row, columns, "在用", _active)
        space = known.get(code) if code else None
        if space is None:
            space = known[code] = master.create_parking_space(actor, project, code=code, zone=zone, kind=kind,
                                                              unit=unit)
            if not active:
                known[code] = master.update_parking_space(actor, space, is_active=False)
            return "created"
        if (space.zone, space.kind, space.unit_id, space.is_active) == (zone, kind, getattr(unit, "pk", None),
                                                                        active):
            return "skipped"
        known[code] = master.update_parking_space(actor, space, zone=zone, kind=kind, unit=unit, is_active=active)
        return "updated"

    return _run(report, rows, apply, fields)


def export_parking_spaces(project: Project) -> bytes:
    def rows():
        spaces = ParkingSpace.objects.filter(project=project).select_related("unit__building").order_by("zone", "code")
        for space in spaces:
            unit = unit_text(space.unit) if space.unit_id else ""
            yield [space.code, space.zone, _label(SPACE_KINDS, space.kind), unit, "是" if space.is_active else "否"]
    return _workbook("车位", PARKING_COLUMNS, rows())


def _workbook(title: str, columns: tuple[str, ...], rows, number_columns: set[int] = frozenset()) -> bytes:
    """An .xlsx (write-only) with the header and the rows, people's text made safe (`core.spreadsheets`)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    sheet.append(list(columns))
    for values in rows:
        values = list(values)
        for position in number_columns:
            if values[position] is not None:
                money = WriteOnlyCell(sheet, value=values[position])
                money.number_format = "0.00"
                values[position] = money
        sheet.append(xlsx_row(sheet, values))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
