"""PDF documents users print (§8): notices, letters, receipts — with a real embedded Chinese font (Noto Sans SC /
Noto Serif SC from the `pylopdf-fonts-zh-cn` wheel, SIL OFL; fpdf2 embeds only the glyphs used, ~10 KB a page).

    doc = Document(title="缴费通知单")
    doc.heading("缴费通知单")
    doc.paragraph("尊敬的业主：……")
    doc.table(["项目", "金额"], [["物业费 2026-11", "¥320.00"]], widths=[120, 60])
    return doc.response(filename="notice.pdf")
"""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path

import pylopdf_fonts_zh_cn
from django.http import HttpResponse
from fpdf import FPDF, FontFace
from fpdf.enums import XPos, YPos

from wuye.core.downloads import attachment

FONT_DIR = Path(pylopdf_fonts_zh_cn.__file__).parent
SANS, SERIF = "NotoSansSC", "NotoSerifSC"
logging.getLogger("fontTools").setLevel(logging.WARNING)  # it logs every subset step at INFO


@cache
def _font_files() -> dict[str, str]:
    return {SANS: str(FONT_DIR / "NotoSansSC-Regular.otf"), SERIF: str(FONT_DIR / "NotoSerifSC-Regular.otf")}


class Document:
    """An A4 document in Chinese; each method adds a block below the last."""

    def __init__(self, *, title: str, author: str = "Wuye 物业服务平台"):
        self.pdf = FPDF(format="A4", unit="mm")
        self.pdf.set_margins(20, 20, 20)
        self.pdf.set_auto_page_break(auto=True, margin=20)
        for family, path in _font_files().items():
            self.pdf.add_font(family, fname=path)
        self.pdf.set_title(title)
        self.pdf.set_author(author)
        self.pdf.set_creator("Wuye")
        self.pdf.add_page()
        self.pdf.set_font(SANS, size=11)

    def heading(self, text: str, *, size: int = 18) -> Document:
        self.pdf.set_font(SERIF, size=size)
        self.pdf.cell(0, size * 0.6, text, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.pdf.ln(4)
        self.pdf.set_font(SANS, size=11)
        return self

    def paragraph(self, text: str, *, size: int = 11, align: str = "L") -> Document:
        self.pdf.set_font(SANS, size=size)
        self.pdf.multi_cell(0, size * 0.6, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.pdf.ln(2)
        return self

    def fields(self, pairs: list[tuple[str, str]]) -> Document:
        """Label: value lines (unit, owner, date …)."""
        for label, value in pairs:
            self.pdf.set_font(SANS, size=11)
            self.pdf.cell(35, 7, f"{label}：")
            self.pdf.multi_cell(0, 7, str(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.pdf.ln(2)
        return self

    def table(self, header: list[str], rows: list[list[str]], *, widths: list[int] | None = None,
              align_right: set[int] = frozenset()) -> Document:
        """A bordered table; a long cell wraps onto more lines inside its column (the row grows), never cut."""
        widths = widths or [170 // len(header)] * len(header)
        aligns = tuple("RIGHT" if i in align_right else "LEFT" for i in range(len(header)))
        self.pdf.set_font(SANS, size=10)
        headings = FontFace(emphasis=None, fill_color=(235, 238, 242))
        with self.pdf.table(width=sum(widths), col_widths=widths, align="LEFT", text_align=aligns,
                            headings_style=headings, line_height=5.5, padding=(1, 1.5), v_align="MIDDLE",
                            first_row_as_headings=True, repeat_headings=1) as table:
            heading = table.row()
            for text in header:
                heading.cell(text, align="CENTER")
            for values in rows:
                row = table.row()
                for text in values:
                    row.cell("" if text is None else str(text))
        self.pdf.ln(3)
        return self

    def signature(self, lines: list[str]) -> Document:
        self.pdf.ln(6)
        for line in lines:
            self.paragraph(line, align="R")
        return self

    def render(self) -> bytes:
        return bytes(self.pdf.output())

    def response(self, *, filename: str, inline: bool = True) -> HttpResponse:
        """The PDF under `filename` (Chinese names allowed: `core.downloads.attachment` writes both RFC 6266
        forms); shown in the browser unless `inline=False`."""
        return attachment(HttpResponse(self.render(), content_type="application/pdf"), filename, inline=inline)
