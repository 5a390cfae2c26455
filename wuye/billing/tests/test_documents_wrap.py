"""Notice PDFs: a long charge item's name wraps inside its table cell instead of being cut at the column's edge."""

import io
import re
from datetime import date

import pypdf

from wuye.billing.documents import notice_pdf
from wuye.billing.dunning import issue_payment_notices
from wuye.billing.models import ChargeItem
from wuye.billing.services import post_charge
from wuye.core.pdf import Document

LONG_NAME = "公共照明及电梯用电分摊（按建筑面积，2026年11月）"


def _pdf_text(content: bytes) -> str:
    """The PDF's text without whitespace (pypdf spaces CJK glyphs and breaks wrapped lines)."""
    pages = pypdf.PdfReader(io.BytesIO(content)).pages
    return re.sub(r"[\s\x00]+", "", "".join(page.extract_text() for page in pages))


def test_a_notice_prints_a_long_item_name_whole(world):
    unit = world.owner_unit("yezhu")
    item = ChargeItem.objects.create(project=world.project1, code="shared-power", name=LONG_NAME, kind="shared_utility")
    bill = post_charge(None, unit, item, "86.40", period=date(2026, 11, 1), due_on=date(2026, 11, 15))
    notice, = issue_payment_notices(world.project1, [bill])
    text = _pdf_text(notice_pdf(notice).render())
    assert LONG_NAME in text
    assert "¥86.40" in text


def test_table_cells_wrap_and_the_row_grows():
    short, wrapped = Document(title="t"), Document(title="t")
    short.table(["项目", "金额"], [["物业费", "¥1.00"]], widths=[30, 30])
    wrapped.table(["项目", "金额"], [[LONG_NAME, "¥1.00"]], widths=[30, 30])
    assert wrapped.pdf.get_y() > short.pdf.get_y() + 5  # the long name took more than one line
    assert LONG_NAME in _pdf_text(wrapped.render())
