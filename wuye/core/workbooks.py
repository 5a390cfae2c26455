"""Reading an uploaded .xlsx safely: bounded before parsing, then the header and the data rows.

The one guard for every import of a workbook (meter readings, units, owners, vehicles, price lists, master data):
the upload's size, the unpacked size of the workbook (what the zip members declare; zipfile never inflates past
it), the rows of the first sheet and the shared strings (openpyxl holds every shared string in memory) are checked
in a streamed pass before openpyxl parses anything.
Errors of single rows are `RowError`s (row number as the sheet shows it, column header, message).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from .errors import FieldProblem, InvalidInput

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ZIP_MEMBERS = 1000


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 10 * 1024 * 1024
    max_unpacked_bytes: int = 50 * 1024 * 1024
    max_rows: int = 20_000
    max_shared_strings: int = 100_000


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


def row_problems(errors: list[RowError]) -> list[FieldProblem]:
    """Row errors as fields of the standard error answer: "row 5: 证件号码"."""
    return [FieldProblem(f"row {error.row}: {error.column}", error.message) for error in errors]


_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s>/]")
_SHARED_STRING_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s>/]")
_FIRST_SHEET = re.compile(rb"<(?:[\w.-]+:)?sheet\b[^>]*?\b(?:[\w.-]+:)?id=\"([^\"]+)\"")
_RELATIONSHIP = re.compile(rb"<(?:[\w.-]+:)?Relationship\b[^>]*>")


def _count_tags(archive: zipfile.ZipFile, name: str, pattern: re.Pattern, stop_after: int) -> int:
    """How many `pattern` tags the member holds, read in 1 MB pieces; counting stops once past `stop_after`."""
    count, tail = 0, b""
    with archive.open(name) as member:
        while piece := member.read(1 << 20):
            buffer = tail + piece
            count += sum(1 for match in pattern.finditer(buffer) if match.end() > len(tail))
            if count > stop_after:
                break
            tail = buffer[-64:]
    return count


def _first_sheet_member(archive: zipfile.ZipFile, names: set[str]) -> str | None:
    try:
        if archive.getinfo("xl/workbook.xml").file_size > 1 << 20:
            return None
        sheet = _FIRST_SHEET.search(archive.read("xl/workbook.xml"))
        rels = archive.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return None
    if sheet is None:
        return None
    for tag in _RELATIONSHIP.findall(rels):
        attributes = dict(re.findall(rb'(\w+)="([^"]*)"', tag))
        if attributes.get(b"Id") == sheet.group(1):
            target = attributes.get(b"Target", b"").decode(errors="replace")
            target = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            return target if target in names else None
    return None


def _unreadable() -> InvalidInput:
    return InvalidInput("file", _("The file could not be read as an Excel workbook (.xlsx)."))


def too_many_rows(limits: Limits) -> InvalidInput:
    return InvalidInput("file", _("A file may hold at most %(count)s rows; split it into several files.")
                        % {"count": f"{limits.max_rows:,}"})


def check_workbook(data: bytes, limits: Limits) -> None:
    """Refuse (InvalidInput "file") bytes that are not an .xlsx or that are beyond `limits` once unpacked."""
    if not data.startswith(b"PK"):
        raise InvalidInput("file", _("Upload an Excel workbook (.xlsx)."))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise _unreadable() from None
    unpacked = sum(member.file_size for member in members)
    if len(members) > MAX_ZIP_MEMBERS or unpacked > limits.max_unpacked_bytes:
        raise InvalidInput("file", _("Unpacked, this workbook would take %(size)s MB; at most %(max)s MB are "
                                     "accepted. Save only the one sheet, or split the file.") % {
            "size": f"{unpacked / 1048576:,.1f}", "max": f"{limits.max_unpacked_bytes / 1048576:,.0f}"})
    names = {member.filename for member in members}
    try:
        sheet = _first_sheet_member(archive, names)
        sheets = [sheet] if sheet else [name for name in names if name.startswith("xl/worksheets/")
                                        and name.endswith(".xml")]
        for name in sheets:
            if _count_tags(archive, name, _ROW_TAG, limits.max_rows + 1) > limits.max_rows + 1:
                raise too_many_rows(limits)
        for name in names:
            if name.lower().endswith("sharedstrings.xml") and _count_tags(
                    archive, name, _SHARED_STRING_TAG, limits.max_shared_strings) > limits.max_shared_strings:
                raise InvalidInput("file", _("The workbook holds more than %(count)s different texts; save only "
                                             "the one sheet, or split the file.")
                                   % {"count": f"{limits.max_shared_strings:,}"})
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, NotImplementedError):
        raise _unreadable() from None


def read_upload(upload, required: tuple[str, ...], limits: Limits = Limits()
                ) -> tuple[dict[str, int], list[tuple[int, tuple]]]:
    """The header's column positions and the non-empty data rows (with their sheet row numbers) of the first
    sheet of the uploaded .xlsx `upload` (a file object or bytes); InvalidInput "file" when it is not a workbook,
    is beyond `limits` or lacks one of the `required` columns."""
    from openpyxl import load_workbook

    if upload is None:
        raise InvalidInput("file", _("Choose the file to upload."))
    size = getattr(upload, "size", None)
    too_big = InvalidInput("file", _("The file may be at most %(size)s MB.")
                           % {"size": f"{limits.max_file_bytes / 1048576:,.0f}"})
    if size is not None and size > limits.max_file_bytes:
        raise too_big
    data = upload.read(limits.max_file_bytes + 1) if hasattr(upload, "read") else bytes(upload)
    if len(data) > limits.max_file_bytes:
        raise too_big
    check_workbook(data, limits)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
    except Exception:  # openpyxl raises many kinds for a damaged or foreign file; each means the same to the user
        raise _unreadable() from None
    try:
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, ()) or ()
        columns: dict[str, int] = {}
        for position, name in enumerate(header):
            if isinstance(name, str) and name.strip() and name.strip() not in columns:
                columns[name.strip()] = position
        missing = [name for name in required if name not in columns]
        if missing:
            raise InvalidInput("file", _("The first row must name the columns %(columns)s; missing: %(missing)s.")
                               % {"columns": "、".join(required), "missing": "、".join(missing)})
        data_rows = []
        for number, row in enumerate(rows, start=2):
            if all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in row):
                continue
            if len(data_rows) >= limits.max_rows:
                raise too_many_rows(limits)
            data_rows.append((number, row))
    finally:
        book.close()
    return columns, data_rows


def cell(row: tuple, columns: dict[str, int], name: str):
    """The value of column `name` in `row`: stripped text, a number or a date; None when empty or absent."""
    position = columns.get(name)
    if position is None or position >= len(row):
        return None
    value = row[position]
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def text(value) -> str:
    """A cell as text: whole numbers without ".0" (Excel stores 1201 typed in a cell as 1201.0)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value).strip()


def integer(value) -> int:
    """A whole number from a cell; ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError(_("Enter a whole number."))
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    written = text(value)
    if re.fullmatch(r"-?\d{1,6}", written):
        return int(written)
    raise ValueError(_("Enter a whole number."))


def decimal(value, places: int = 2) -> Decimal:
    """A number with at most `places` decimals from a cell; ValueError otherwise."""
    try:
        number = Decimal(text(value).replace(",", "")) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        raise ValueError(_("Enter a number.")) from None
    if not number.is_finite():
        raise ValueError(_("Enter a number."))
    # Excel keeps 89.5 as the float 89.5, but 89.55 may come back as 89.55000000000001: round the float's noise.
    if isinstance(value, float):
        number = round(number, 6).normalize()
    if number.as_tuple().exponent < -places:
        raise ValueError(_("At most %(places)s decimal places.") % {"places": places})
    return number.quantize(Decimal(1).scaleb(-places))


def day(value) -> date:
    """A date from a cell (an Excel date, 2026-03-01, 2026/3/1 or 2026年3月1日); ValueError otherwise."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    match = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text(value))
    if match:
        try:
            return date(*(int(part) for part in match.groups()))
        except ValueError:
            pass
    raise ValueError(_("Enter a date such as 2026-03-01."))


def template(title: str, columns: tuple[str, ...], example: tuple, widths: tuple[int, ...] = ()) -> bytes:
    """An .xlsx with the header `columns` (bold, frozen) and one `example` row (grey, to be overwritten)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    from .spreadsheets import xlsx_row

    book = Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append(list(columns))
    sheet.append(xlsx_row(sheet, list(example)))
    for position in range(1, len(columns) + 1):
        sheet.cell(1, position).font = Font(bold=True)
        sheet.cell(2, position).font = Font(color="808080")
        letter = get_column_letter(position)
        sheet.column_dimensions[letter].width = widths[position - 1] if position <= len(widths) else 14
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@dataclass
class ImportReport:
    """What an import of a list did. All or nothing: with any error nothing was written and `created`/`updated`
    stay 0; without, every row was created, updated (it was there with other values) or skipped (there as is)."""

    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    examples: int = 0  # the template's example row left in the file: never imported
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def rows_with_errors(self) -> int:
        return len({error.row for error in self.errors})

    def problems(self) -> list[FieldProblem]:
        return row_problems(self.errors)
