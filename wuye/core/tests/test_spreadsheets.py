"""Cells that a spreadsheet would run as formulas are written as text (CSV/formula injection)."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from openpyxl import Workbook

from wuye.core.spreadsheets import formula_like, safe_cell, safe_row, xlsx_row

DANGEROUS = ['=HYPERLINK("http://evil.example","点我")', "+1+1", "-2+3", "@SUM(A1:A2)", "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("value", DANGEROUS)
def test_formula_starts_are_escaped_for_csv(value):
    assert formula_like(value)
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["物业费 2026-10", "1-1-101", "", "a=b", " =1", None, -5, Decimal("-12.50"), 0])
def test_everything_else_is_left_alone(value):
    assert not formula_like(value)
    assert safe_cell(value) is value


def test_a_csv_row_reads_back_as_text():
    buffer = io.StringIO()
    csv.writer(buffer).writerow(safe_row(["=1+1", -3, "ok"]))
    assert next(csv.reader(io.StringIO(buffer.getvalue()))) == ["'=1+1", "-3", "ok"]


@pytest.mark.parametrize("write_only", [True, False])
def test_xlsx_cells_are_strings_shown_as_typed(write_only):
    book = Workbook(write_only=write_only)
    sheet = book.create_sheet("x") if write_only else book.active
    sheet.append(xlsx_row(sheet, [*DANGEROUS, -5, Decimal("-1.25"), "plain"]))
    buffer = io.BytesIO()
    book.save(buffer)
    cells = next(openpyxl.load_workbook(io.BytesIO(buffer.getvalue())).worksheets[0].iter_rows())
    texts = cells[:len(DANGEROUS)]
    # The value is kept (XML reads a CR back as LF) and shown as typed: a string, flagged as text like a typed '=.
    assert [cell.value for cell in texts] == [value.replace("\r", "\n") for value in DANGEROUS]
    assert {cell.data_type for cell in texts} == {"s"} and all(cell.quotePrefix for cell in texts)
    assert [(cell.value, cell.data_type) for cell in cells[len(DANGEROUS):]] == [(-5, "n"), (-1.25, "n"),
                                                                                 ("plain", "s")]
