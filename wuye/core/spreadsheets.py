"""Cells that a spreadsheet shows as text, never runs as a formula (CSV/formula injection).

Excel and LibreOffice treat a cell that begins with `=`, `+`, `-` or `@` as a formula — `=HYPERLINK(…)` in an
owner's complaint would become a live link in the ledger staff open — and a leading tab or carriage return can
hide such a start. Every export writes the cells it takes from people's input through here:

* **xlsx** (`text_cell`, `xlsx_row`): the cell is typed as a string (`t="inlineStr"`/shared string, no `<f>`
  element, so nothing is ever evaluated) and styled with `quotePrefix`, the flag Excel and LibreOffice set
  themselves when someone types `'=1+1`: the cell shows `=1+1` exactly as written, and stays text when it is
  edited. The value is not changed.
* **CSV** (`safe_cell`, `safe_row`): a CSV has no types, so the value gets a leading apostrophe, which both
  programs read as "this is text" (the OWASP recommendation); the apostrophe stays visible, the formula does not
  run.

Only strings are escaped: a negative amount written as a number stays a number.
"""

from __future__ import annotations

from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_like(value) -> bool:
    """Whether a spreadsheet would read the string `value` as (the start of) a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def safe_cell(value):
    """`value` for a CSV cell: a formula-like string prefixed with an apostrophe; anything else unchanged."""
    return "'" + value if formula_like(value) else value


def safe_row(values: Iterable) -> list:
    """A CSV row with every cell passed through `safe_cell`."""
    return [safe_cell(value) for value in values]


def text_cell(cell):
    """Make the openpyxl `cell` a text cell if its value is a formula-like string (see the module's docstring);
    returns the cell."""
    if formula_like(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def xlsx_row(sheet, values: Iterable) -> list:
    """A row for `sheet.append`: formula-like strings become text cells of `sheet` (write-only or not); other
    values and cells are passed through (a cell passed in is made safe too)."""
    from openpyxl.cell import Cell, WriteOnlyCell

    row = []
    for value in values:
        if isinstance(value, Cell):
            value = text_cell(value)
        elif formula_like(value):
            value = text_cell(WriteOnlyCell(sheet, value=value))
        row.append(value)
    return row
