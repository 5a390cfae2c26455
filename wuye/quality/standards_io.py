"""A standard in Excel: the export of a version (one row per item) and the import of a workbook in the same
layout as a new standard or as a new version of one. All or nothing: every bad row is reported with its row number
and column, and with any error nothing is written. Bounded: file size and rows (`LIMITS`)."""

from __future__ import annotations

import io
from decimal import Decimal

from django.utils.translation import gettext as _

from wuye.core.access import STAFF_ROLES, Actor, Role, require
from wuye.core.errors import InvalidInput
from wuye.core.workbooks import ImportReport, Limits, RowError, cell, decimal, integer, read_upload, text

from . import standards as library
from .models import Severity, Standard, StandardPurpose, StandardVersion

COLUMNS = ("类别序号", "类别", "序号", "检查内容", "分值", "每次扣分", "否决项", "严重程度", "责任部门")
REQUIRED = ("类别", "检查内容", "分值")
LIMITS = Limits(max_file_bytes=2 * 1024 * 1024, max_unpacked_bytes=20 * 1024 * 1024, max_rows=library.MAX_ITEMS)

YES = {"是", "y", "yes", "true", "1", "√", "✓", "否决"}
NO = {"否", "n", "no", "false", "0", ""}
# Names a sheet may use for a severity or a department besides the code and the label the export writes.
SEVERITY_NAMES = {"轻微": Severity.MINOR, "一般": Severity.MINOR, "较重": Severity.MAJOR, "重要": Severity.MAJOR,
                  "严重": Severity.CRITICAL}
DEPARTMENT_NAMES = {"客服": Role.CUSTOMER_SERVICE, "客服部": Role.CUSTOMER_SERVICE, "客户服务": Role.CUSTOMER_SERVICE,
                    "工程": Role.ENGINEERING, "工程部": Role.ENGINEERING, "秩序": Role.SECURITY,
                    "秩序部": Role.SECURITY, "安保": Role.SECURITY, "保安": Role.SECURITY, "环境": Role.ENVIRONMENT,
                    "环境部": Role.ENVIRONMENT, "保洁": Role.ENVIRONMENT, "绿化": Role.ENVIRONMENT,
                    "财务": Role.FINANCE, "项目经理": Role.PROJECT_MANAGER, "品质": Role.QUALITY,
                    "品质部": Role.QUALITY}


def _severity_names() -> dict[str, str]:
    names = {code: code for code in Severity.values}
    names.update({str(label).lower(): code for code, label in Severity.choices})
    names.update(SEVERITY_NAMES)
    return names


def _department_names() -> dict[str, str]:
    names = {role.value: role.value for role in STAFF_ROLES}
    names.update({str(role.label).lower(): role.value for role in STAFF_ROLES})
    names.update(DEPARTMENT_NAMES)
    return names


def _number_text(value: Decimal) -> float | int:
    return int(value) if value == value.to_integral_value() else float(value)


def export_version(version: StandardVersion) -> bytes:
    """The .xlsx of one version: a header row (`COLUMNS`) and a row per item, category by category."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from wuye.core.spreadsheets import xlsx_row

    book = Workbook()
    sheet = book.active
    sheet.title = "检查标准"
    sheet.append(list(COLUMNS))
    for category in version.categories.order_by("number").prefetch_related("items"):
        for item in sorted(category.items.all(), key=lambda i: i.number):
            sheet.append(xlsx_row(sheet, [
                category.number, category.name, item.number, item.text, _number_text(item.points),
                _number_text(item.deduction), "是" if item.critical else "否", str(item.get_severity_display()),
                str(item.get_department_display())]))
    for position, width in enumerate((9, 16, 7, 60, 8, 9, 8, 10, 12), start=1):
        sheet.column_dimensions[chr(64 + position)].width = width
        sheet.cell(1, position).font = Font(bold=True)
    for row in sheet.iter_rows(min_row=2, min_col=4, max_col=4):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def read_categories(upload) -> tuple[list[dict], ImportReport]:
    """The categories and items of an uploaded sheet, and the report of its rows (errors by row and column).
    Rows of one category are grouped by its number (or, without one, its name) in the order they come."""
    columns, rows = read_upload(upload, REQUIRED, LIMITS)
    report = ImportReport(kind="standard", rows=len(rows))
    severities, departments = _severity_names(), _department_names()
    categories: dict[object, dict] = {}
    numbers_seen: dict[int, int] = {}
    for row_number, row in rows:
        def fail(column: str, message: str, row_number=row_number) -> None:
            report.errors.append(RowError(row_number, column, str(message)))

        def read(column: str, parse, required: bool = False, row=row):
            value = cell(row, columns, column)
            if value is None:
                if required:
                    fail(column, _("This field is required."))
                return None
            try:
                return parse(value)
            except ValueError as error:
                fail(column, str(error))
                return None

        category_number = read("类别序号", integer)
        category_name = read("类别", lambda v: text(v)[:101], required=True)
        if category_name is not None and len(category_name) > 100:
            fail("类别", _("At most %(count)s characters.") % {"count": 100})
        item_number = read("序号", integer)
        if item_number is not None:
            if not 1 <= item_number <= 9999:
                fail("序号", _("Enter a number from %(low)s to %(high)s.") % {"low": 1, "high": 9999})
            elif item_number in numbers_seen:
                fail("序号", _("Item %(number)s is already on row %(row)s.")
                     % {"number": item_number, "row": numbers_seen[item_number]})
            else:
                numbers_seen[item_number] = row_number
        requirement = read("检查内容", text, required=True)
        if requirement is not None and len(requirement) > library.MAX_TEXT:
            fail("检查内容", _("At most %(count)s characters.") % {"count": library.MAX_TEXT})
        points = read("分值", decimal, required=True)
        if points is not None and not Decimal("0") < points <= library.MAX_POINTS:
            fail("分值", _("Enter a number from %(low)s to %(high)s.") % {"low": "0.01", "high": library.MAX_POINTS})
            points = None
        deduction = read("每次扣分", decimal)
        if deduction is not None and not Decimal("0") <= deduction <= library.MAX_POINTS:
            fail("每次扣分", _("Enter a number from %(low)s to %(high)s.") % {"low": 0, "high": library.MAX_POINTS})
        elif deduction is not None and points is not None and deduction > points:
            fail("每次扣分", _("A failure cannot cost more than the item's points."))

        def flag(value):
            written = text(value).lower()
            if written in YES:
                return True
            if written in NO:
                return False
            raise ValueError(_("Write 是 or 否."))

        critical = read("否决项", flag)

        def named(names, what):
            def parse(value):
                found = names.get(text(value).lower()) or names.get(text(value))
                if found is None:
                    raise ValueError(_("Unknown %(what)s: %(value)s.") % {"what": what, "value": text(value)[:40]})
                return found
            return parse

        severity = read("严重程度", named(severities, _("severity")))
        department = read("责任部门", named(departments, _("department")))
        key = category_number if category_number is not None else category_name
        if key is None:
            continue
        category = categories.setdefault(key, {"number": category_number, "name": category_name, "items": []})
        if category_name and category["name"] != category_name:
            fail("类别", _("Category %(number)s is named %(name)s on an earlier row.")
                 % {"number": category_number, "name": category["name"]})
        category["items"].append({"number": item_number, "text": requirement, "points": points,
                                  "deduction": deduction if deduction is not None else Decimal("1"),
                                  "critical": bool(critical), "severity": severity, "department": department})
    if not rows:
        report.errors.append(RowError(2, "检查内容", _("The sheet has no items.")))
    result = list(categories.values())
    for index, category in enumerate(result, start=1):
        if category["number"] is None:
            category["number"] = index if index not in {c["number"] for c in result} else None
    return result, report


def import_standard(actor: Actor, upload, *, company=None, standard: Standard | None = None, code: str = "",
                    name: str = "", purpose: str = StandardPurpose.DAILY, note: str = "") -> tuple[ImportReport,
                                                                                                   Standard | None]:
    """Read the sheet and, when every row is right, write it as a new version of `standard` or as a new standard
    `code`/`name` of `company`. Returns the report (its errors by row and column; nothing written when there is
    one) and the standard written to. Problems of the request itself (the file, the code, the name) raise
    InvalidInput naming the field."""
    require(actor, library.MANAGE)
    if standard is None:
        if company is None:
            raise InvalidInput("standard", _("Choose the standard to revise, or name a new one."))
        library._clean_header(code=code, name=name, purpose=purpose, description="", weight="1")
        if Standard.objects.filter(company=company, code=(code or "").strip().lower()).exists():
            raise InvalidInput("code", _("The library already has a standard with this code."))
    categories, report = read_categories(upload)
    if not report.ok:
        return report, None
    try:
        if standard is None:
            written = library.create_standard(actor, company, code=code, name=name, purpose=purpose,
                                              categories=categories, note=note or _("Imported from Excel"))
        else:
            library.revise_standard(actor, standard, categories=categories, note=note or _("Imported from Excel"))
            written = standard
    except InvalidInput as error:
        # A rule of the whole version (e.g. two categories with one number) that no single row shows.
        report.errors.extend(RowError(0, problem.field, problem.message) for problem in error.problems)
        return report, None
    report.created = sum(len(category["items"]) for category in categories)
    return report, written
