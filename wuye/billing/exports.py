"""The ledger as an Excel workbook: one row per money movement with the unit's running balance, and a totals row.

Written with openpyxl's write-only mode (rows go straight to a temporary file, memory stays flat however many
entries a project has); money cells hold the Decimal itself with the number format 0.00 — never float text.
"""

from __future__ import annotations

import re
import tempfile
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Sum
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from wuye.core.downloads import attachment, download_name
from wuye.core.money import to_money
from wuye.core.spreadsheets import xlsx_row

from .models import EntryKind, LedgerEntry
from .receipts import receipt_number

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONEY_FORMAT = "0.00"
TIME_FORMAT = "yyyy-mm-dd hh:mm"
ZERO = Decimal("0.00")
# Column widths in characters: time, unit, kind, bill/period, receipt, amount, memo, balance.
WIDTHS = (17, 12, 12, 28, 14, 12, 36, 12)


def _headers() -> list[str]:
    return [_("Time"), _("Unit"), _("Kind"), _("Bill / period"), _("Receipt no."), _("Amount"), _("Memo"),
            _("Balance")]


def day_bounds(start: date | None, end: date | None) -> tuple[datetime | None, datetime | None]:
    """Local days `start`…`end` (both included) as aware datetimes [from, to)."""
    zone = timezone.get_current_timezone()
    lower = datetime.combine(start, time.min, tzinfo=zone) if start else None
    upper = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone) if end else None
    return lower, upper


def entries_between(entries, start: date | None = None, end: date | None = None):
    """`entries` in the local days `start`…`end`, ordered unit by unit (as units are listed), then by time."""
    lower, upper = day_bounds(start, end)
    if lower:
        entries = entries.filter(created_at__gte=lower)
    if upper:
        entries = entries.filter(created_at__lt=upper)
    return (entries.select_related("unit__building", "bill__item", "payment__receipt", "payment__project")
            .order_by("unit__building_id", "unit__entrance", "unit__floor", "unit__number", "unit_id",
                      "created_at", "id"))


def opening_balances(entries, start: date | None) -> dict[int, Decimal]:
    """Each unit's balance before `start` (one grouped query), so running balances continue from it."""
    lower, _upper = day_bounds(start, None)
    if lower is None:
        return {}
    rows = entries.filter(created_at__lt=lower).values("unit_id").annotate(total=Sum("amount"))
    return {row["unit_id"]: to_money(row["total"]) for row in rows}


def _bill_text(entry: LedgerEntry) -> str:
    bill = entry.bill
    if bill is None:
        return ""
    return f"{bill.item.name} {bill.period:%Y-%m}" if bill.period else (bill.description or bill.item.name)


def _account_text(entry: LedgerEntry) -> str:
    """The unit, or for a walk-in (no unit) what its charge and payment were for: 临时停车 粤B12345."""
    if entry.unit_id:
        return entry.unit.label
    return entry.bill.description if entry.bill_id else (entry.payment.description if entry.payment_id else "")


def _receipt_text(entry: LedgerEntry) -> str:
    return receipt_number(entry.payment) if entry.payment_id else ""


def write_ledger(entries, opening: dict[int, Decimal] | None = None, *, title: str = ""):
    """The workbook of `entries` (ordered unit by unit) in a temporary file, positioned at its start."""
    opening = opening or {}
    workbook = Workbook(write_only=True)
    # Sheet names may not hold \ / ? * [ ] : and have at most 31 characters.
    sheet = workbook.create_sheet(title=re.sub(r"[\\/?*\[\]:]", "-", title or _("Ledger"))[:31])
    for index, width in enumerate(WIDTHS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    bold = Font(bold=True)

    def cell(value, number_format=None, font=None):
        written = WriteOnlyCell(sheet, value=value)
        if number_format:
            written.number_format = number_format
        if font:
            written.font = font
        return written

    sheet.append([cell(header, font=bold) for header in _headers()])
    kinds = {kind.value: str(kind.label) for kind in EntryKind}
    balances: dict[int, Decimal] = {}
    total = ZERO
    for entry in entries.iterator(chunk_size=2000):
        running = balances.get(entry.unit_id, opening.get(entry.unit_id, ZERO)) + entry.amount
        balances[entry.unit_id] = running
        total += entry.amount
        # Bill descriptions and memos are people's input: a leading "=" stays text (core.spreadsheets).
        sheet.append(xlsx_row(sheet, [
            cell(timezone.localtime(entry.created_at).replace(tzinfo=None), TIME_FORMAT),
            _account_text(entry),
            kinds.get(entry.kind, entry.kind),
            _bill_text(entry),
            _receipt_text(entry),
            cell(entry.amount, MONEY_FORMAT),
            entry.memo,
            cell(running, MONEY_FORMAT),
        ]))
    # Totals: the movements listed, and the closing balance of the units listed.
    sheet.append([cell(_("Total"), font=bold), None, None, None, None, cell(total, MONEY_FORMAT, bold), None,
                  cell(sum(balances.values(), ZERO), MONEY_FORMAT, bold)])
    # Handed to FileResponse, which closes it once the download is sent.
    spooled = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    workbook.save(spooled)
    spooled.seek(0)
    return spooled


def ledger_response(entries, opening: dict[int, Decimal] | None = None, *, filename: str,
                    title: str = "") -> FileResponse:
    response = FileResponse(write_ledger(entries, opening, title=title), content_type=XLSX)
    return attachment(response, filename)


def unit_ledger_response(unit) -> FileResponse:
    """Every movement of one unit, its running balance ending at `services.balance(unit)`."""
    entries = entries_between(LedgerEntry.objects.filter(unit=unit))
    return ledger_response(entries, filename=download_name("分户账", unit.project.name, unit.label, ext="xlsx"),
                           title=unit.label)


def project_ledger_response(project, start: date, end: date) -> FileResponse:
    """The movements of a project's units in the local days `start`…`end`, balances carried from before."""
    all_entries = LedgerEntry.objects.filter(project=project)
    return ledger_response(entries_between(all_entries, start, end), opening_balances(all_entries, start),
                           filename=download_name("收费台账", project.name, f"{start:%Y-%m-%d}至{end:%Y-%m-%d}",
                                                  ext="xlsx"),
                           title=f"{start:%Y-%m-%d}~{end:%Y-%m-%d}")
