"""Excel export and import of the register with a row-by-row error report.

The export is the import's layout (`COLUMNS`, Chinese headers), so a register exported, edited and uploaded again
creates the new items and updates the changed ones by 设备编号; an unchanged export imports back as "skipped". All
or nothing: every bad row is reported by row number and column, and with any error nothing is written. Bounded:
2 MB and 5,000 rows (`LIMITS`). Cells taken from people's input are written as text, never as formulas.

Categories are found by name or code, buildings by name or number (3, 3号楼, 3栋), contractors by name only: an
unknown contractor is an error on its row, never created on the fly (a contractor carries its qualification)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from wuye.core.access import Actor, require, scoped
from wuye.core.errors import DomainError, InvalidInput
from wuye.core.validators import check_plausible_date
from wuye.core.workbooks import ImportReport, Limits, RowError, cell, day, read_upload, template, text
from wuye.tenancy.models import Building, Project

from .models import Contractor, Equipment, EquipmentCategory, EquipmentStatus

PERMISSION = "facilities.manage_register"
COLUMNS = ("设备编号", "名称", "类别", "楼栋", "位置", "型号", "生产厂家", "安装日期", "维保单位", "资质证号",
           "保修截止", "状态")
REQUIRED = ("设备编号", "名称", "类别")
WIDTHS = (14, 20, 12, 10, 20, 14, 18, 12, 20, 16, 12, 8)
LIMITS = Limits(max_file_bytes=2 * 1024 * 1024, max_unpacked_bytes=20 * 1024 * 1024, max_rows=5000)
EXAMPLE = ("DT-01", "1号楼1号客梯", "电梯", "1号楼", "1单元", "GeN2-MR", "奥的斯", "2018-06-01", "某某电梯工程有限公司",
           "", "2020-06-01", "在用")

# The sheet speaks Chinese whatever the UI language, so an export reads back the same under any locale.
STATUS_WORDS = {EquipmentStatus.IN_SERVICE: "在用", EquipmentStatus.FAULTY: "故障",
                EquipmentStatus.STOPPED: "停用", EquipmentStatus.SCRAPPED: "报废"}
STATUS_NAMES = {"在用": EquipmentStatus.IN_SERVICE, "正常": EquipmentStatus.IN_SERVICE,
                "运行": EquipmentStatus.IN_SERVICE, "故障": EquipmentStatus.FAULTY, "停用": EquipmentStatus.STOPPED,
                "停机": EquipmentStatus.STOPPED, "报废": EquipmentStatus.SCRAPPED}
LENGTHS = {"设备编号": 40, "名称": 100, "位置": 100, "型号": 60, "生产厂家": 100}
# The register service's field names, mapped to the sheet's columns (a refusal of the service lands on its cell).
FIELD_COLUMNS = {"code": "设备编号", "name": "名称", "category": "类别", "building": "楼栋", "location": "位置",
                 "model_number": "型号", "maker": "生产厂家", "installed_on": "安装日期", "contractor": "维保单位",
                 "warranty_ends_on": "保修截止", "status": "状态", "project": "设备编号"}


def building_text(building: Building | None) -> str:
    return (building.name or f"{building.number}号楼") if building is not None else ""


# -- export -------------------------------------------------------------------------------------------------------
def export_rows(queryset):
    """The sheet's rows of the items in `queryset`, in its order."""
    items = queryset.select_related("category", "building", "contractor")
    for item in items.iterator(chunk_size=500):
        contractor = item.contractor
        yield [item.code, item.name, item.category.name, building_text(item.building), item.location,
               item.model_number, item.maker, item.installed_on, contractor.name if contractor else "",
               contractor.qualification_number if contractor else "", item.warranty_ends_on,
               STATUS_WORDS.get(item.status, item.status)]


def export_register(queryset) -> bytes:
    """The register as .xlsx (`COLUMNS`, one row per item of `queryset`), in the import's layout; formula-like
    text is written as text (`core.spreadsheets`)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    from wuye.core.spreadsheets import xlsx_row

    book = Workbook(write_only=True)
    sheet = book.create_sheet("设备台账")
    for position, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(position)].width = width
    sheet.freeze_panes = "A2"
    header = []
    for name in COLUMNS:
        heading = WriteOnlyCell(sheet, value=name)
        heading.font = Font(bold=True)
        header.append(heading)
    sheet.append(header)
    for values in export_rows(queryset):
        for position in (7, 10):  # dates as dates, shown 2026-03-01
            if values[position] is not None:
                dated = WriteOnlyCell(sheet, value=values[position])
                dated.number_format = "yyyy-mm-dd"
                values[position] = dated
        sheet.append(xlsx_row(sheet, values))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def blank_template() -> bytes:
    """An empty sheet in the import's layout with one grey example row (never imported)."""
    return template("设备台账", COLUMNS, EXAMPLE, WIDTHS)


# -- import -------------------------------------------------------------------------------------------------------
class _CellError(Exception):
    def __init__(self, column: str, message):
        super().__init__(str(message))
        self.column, self.message = column, str(message)


@dataclass
class _Row:
    number: int
    code: str
    fields: dict
    status: str | None


def _names(pairs) -> dict[str, object]:
    return {key.strip().lower(): value for key, value in pairs if key and key.strip()}


def _lookups(project: Project) -> dict[str, dict]:
    categories = list(EquipmentCategory.objects.filter(company_id=project.company_id))
    buildings = list(Building.objects.filter(project=project))
    building_names = {}
    for building in buildings:
        for name in (building.name, building.number, f"{building.number}号楼", f"{building.number}栋",
                     f"{building.number}幢", f"{building.number}#"):
            if name and name.strip():
                building_names.setdefault(name.strip().lower(), building)
    return {
        "category": {**_names((c.code, c) for c in categories), **_names((c.name, c) for c in categories)},
        "building": building_names,
        "contractor": _names((c.name, c) for c in Contractor.objects.filter(company_id=project.company_id)),
    }


def _is_example(row: tuple, columns: dict[str, int]) -> bool:
    return all(text(cell(row, columns, name)) == text(value) for name, value in zip(COLUMNS, EXAMPLE, strict=True)
               if name in columns)


def _parse_row(number: int, row: tuple, columns: dict[str, int], lookups: dict, errors: list[RowError]) -> _Row:
    fields: dict = {}

    def read(column: str, parse, required: bool = False):
        value = cell(row, columns, column)
        if value is None:
            if required:
                errors.append(RowError(number, column, _("This field is required.")))
            return None
        try:
            return parse(value)
        except _CellError as error:
            errors.append(RowError(number, error.column, error.message))
        except ValueError as error:
            errors.append(RowError(number, column, str(error)))
        return None

    def bounded_text(column: str):
        def parse(value):
            written = text(value)
            if len(written) > LENGTHS[column]:
                raise ValueError(_("At most %(count)s characters.") % {"count": LENGTHS[column]})
            return written
        return parse

    def named(what: str, column: str):
        def parse(value):
            written = text(value)[:200]
            found = lookups[what].get(written.strip().lower())
            if found is None:
                messages = {
                    "category": _("Unknown category: %(value)s. Use a category's name or code."),
                    "building": _("Unknown building: %(value)s. Use its number, e.g. 3 or 3号楼."),
                    "contractor": _("Unknown contractor: %(value)s. Add it on the contractors page first."),
                }
                raise _CellError(column, messages[what] % {"value": written[:40]})
            return found
        return parse

    def dated(value) -> date:
        return check_plausible_date(day(value))

    code = read("设备编号", bounded_text("设备编号"), required=True)
    name = read("名称", bounded_text("名称"), required=True)
    fields["category"] = read("类别", named("category", "类别"), required=True)
    fields["building"] = read("楼栋", named("building", "楼栋"))
    for column, field in (("位置", "location"), ("型号", "model_number"), ("生产厂家", "maker")):
        fields[field] = read(column, bounded_text(column)) or ""
    fields["installed_on"] = read("安装日期", dated)
    fields["warranty_ends_on"] = read("保修截止", dated)
    contractor = read("维保单位", named("contractor", "维保单位"))
    fields["contractor"] = contractor
    qualification = text(cell(row, columns, "资质证号"))[:200]
    if contractor is not None and qualification and qualification != contractor.qualification_number:
        # The number belongs to the contractor, not to the item: it is changed on the contractor's page.
        errors.append(RowError(number, "资质证号", _("%(contractor)s's qualification number is %(number)s; change "
                                                    "it on the contractors page, not in the register.")
                               % {"contractor": contractor.name, "number": contractor.qualification_number or "—"}))
    status = read("状态", lambda value: _status(text(value)))
    if fields["installed_on"] and fields["warranty_ends_on"] and fields["warranty_ends_on"] < fields["installed_on"]:
        errors.append(RowError(number, "保修截止", _("The warranty cannot end before the item was installed.")))
    fields["name"] = name or ""
    return _Row(number, code or "", fields, status)


def _status(word: str) -> str:
    lowered = word.strip().lower()
    if lowered in EquipmentStatus.values:
        return lowered
    found = STATUS_NAMES.get(word.strip()) or {str(label).lower(): value
                                               for value, label in EquipmentStatus.choices}.get(lowered)
    if found is None:
        raise ValueError(_("Write one of %(words)s.") % {"words": "、".join(STATUS_WORDS.values())})
    return found


def _changes(item: Equipment, fields: dict) -> dict:
    changes = {}
    for field, value in fields.items():
        current = getattr(item, field)
        if field in ("category", "building", "contractor"):
            if getattr(current, "pk", None) != getattr(value, "pk", None):
                changes[field] = value
        elif current != value:
            changes[field] = value
    return changes


def read_register(project: Project, upload) -> tuple[list[_Row], ImportReport]:
    """The rows of an uploaded sheet, checked (every problem by row and column), before anything is written."""
    columns, rows = read_upload(upload, REQUIRED, LIMITS)
    report = ImportReport(kind="equipment")
    lookups = _lookups(project)
    parsed: list[_Row] = []
    seen: dict[str, int] = {}
    for number, row in rows:
        if _is_example(row, columns):
            report.examples += 1
            continue
        item = _parse_row(number, row, columns, lookups, report.errors)
        if item.code:
            key = item.code.lower()
            if key in seen:
                report.errors.append(RowError(number, "设备编号", _("Code %(code)s is already on row %(row)s.")
                                              % {"code": item.code, "row": seen[key]}))
            else:
                seen[key] = number
        parsed.append(item)
    report.rows = len(parsed)
    if not parsed and not report.errors:
        report.errors.append(RowError(2, "设备编号", _("The sheet has no equipment.")))
    return parsed, report


class _Rollback(Exception):
    pass


def import_register(actor: Actor, *, project: Project, upload) -> ImportReport:
    """Create or update the items of `project` from an uploaded .xlsx (`COLUMNS`; 设备编号, 名称 and 类别
    required), matched by 设备编号. Returns the report: created / updated / skipped (as it was), or the errors by
    row and column — with any error nothing is written. A status change to or from 故障 is refused: a fault is
    reported and repaired on its own page. Rerunning the same file changes nothing (all skipped)."""
    from . import register

    require(actor, PERMISSION)
    if project is None or not scoped(Project.objects.filter(pk=project.pk), actor).exists():
        raise InvalidInput("project", _("Choose one of your projects."))
    rows, report = read_register(project, upload)
    if not report.ok:
        report.errors.sort(key=lambda error: (error.row, COLUMNS.index(error.column)
                                              if error.column in COLUMNS else 99))
        return report
    existing = {item.code.lower(): item for item in Equipment.objects.filter(project=project)}
    try:
        with transaction.atomic():
            for row in rows:
                try:
                    outcome = _write(actor, project, row, existing.get(row.code.lower()), register)
                except _CellError as error:
                    report.errors.append(RowError(row.number, error.column, error.message))
                    continue
                except DomainError as error:
                    for problem in error.problems or []:
                        report.errors.append(RowError(row.number, FIELD_COLUMNS.get(problem.field, problem.field),
                                                      problem.message))
                    if not error.problems:
                        report.errors.append(RowError(row.number, "设备编号", error.message))
                    continue
                setattr(report, outcome, getattr(report, outcome) + 1)
            if report.errors:
                raise _Rollback
    except _Rollback:
        report.created = report.updated = report.skipped = 0
    report.errors.sort(key=lambda error: error.row)
    return report


def _write(actor: Actor, project: Project, row: _Row, item: Equipment | None, register) -> str:
    status = row.status
    if item is None:
        if status == EquipmentStatus.FAULTY:
            raise _CellError("状态", _("A fault is reported on the faults page; import the item as 在用."))
        item = register.create_equipment(actor, project=project, code=row.code, **row.fields)
        if status and status != item.status:
            _set_status(actor, item, status, register)
        return "created"
    changes = _changes(item, row.fields)
    changed_status = status is not None and status != item.status
    if changed_status and EquipmentStatus.FAULTY in (status, item.status):
        raise _CellError("状态", _("A fault is reported and closed on the faults page, not by import."))
    if not changes and not changed_status:
        return "skipped"
    if changes:
        item = register.update_equipment(actor, item, **changes)
    if changed_status:
        _set_status(actor, item, status, register)
    return "updated"


def _set_status(actor: Actor, item: Equipment, status: str, register) -> None:
    """The register's status change (its transitions and event), its refusal put on the 状态 cell."""
    try:
        register.set_status(actor, item, status, reason=_("Excel import"))
    except DomainError as error:
        raise _CellError("状态", error.problems[0].message if error.problems else error.message) from None


def report_summary(report: ImportReport) -> str:
    """One line for the page after an import: 12 created, 3 updated, 40 unchanged."""
    return _("%(created)s created, %(updated)s updated, %(skipped)s unchanged.") % {
        "created": report.created, "updated": report.updated, "skipped": report.skipped}
