"""Printable A4 sheets of QR labels (equipment labels, patrol checkpoint labels): one home for the grid, the QR code
drawn as vector squares and the fitting of text, so every app's labels print alike. The app says what a label shows
(`draw`) and where its QR code leads; the sheet lays the labels out and frames them.

The QR code is drawn as one filled path of rectangles, one per run of dark modules in a row, so it prints sharp at
any size and the PDF stays small."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.utils.safestring import SafeString

from .pdf import Document

PAGE_W, PAGE_H = 210.0, 297.0
QR_MASK = 2
QR_BORDER = 2  # modules of quiet zone: the label's edge and blank gap give the rest
_DARK_RUN = re.compile(rb"\x01+")


@dataclass(frozen=True)
class Grid:
    """Labels of `width` × `height` mm, `columns` × `rows` a page, centred on A4."""

    columns: int
    rows: int
    width: float
    height: float

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    def place(self, index: int) -> tuple[float, float]:
        """The top-left corner (mm) of label `index` on its page."""
        row, column = divmod(index % self.per_page, self.columns)
        left = (PAGE_W - self.columns * self.width) / 2
        top = (PAGE_H - self.rows * self.height) / 2
        return left + column * self.width, top + row * self.height


# The common 24-up self-adhesive sheet (3 × 8 of 70 × 37 mm) and a 12-up one for labels read from further away.
SHEET_24 = Grid(3, 8, 70.0, 37.0)
SHEET_12 = Grid(3, 4, 70.0, 74.25)


def absolute_url(path: str, base_url: str | None = None) -> str:
    """`path` on the site's public address: `settings.WUYE_PUBLIC_URL` when set (the address phones reach the site
    at), else `base_url` (a request's own, `request.build_absolute_uri("/")`). ValueError when neither is known."""
    base = (getattr(settings, "WUYE_PUBLIC_URL", "") or base_url or "").rstrip("/")
    if not base:
        raise ValueError("A label needs the site's absolute address: set WUYE_PUBLIC_URL or pass base_url.")
    return base + path


def qr_svg(text: str) -> SafeString:
    """The QR code of `text` as inline SVG for a page (a pass or a slip shown on a phone to the gate's scanner).
    segno writes it from the QR matrix alone, so no user text reaches the markup."""
    import io

    import segno
    from django.utils.safestring import mark_safe

    buffer = io.BytesIO()
    segno.make(text, error="m", micro=False).save(buffer, kind="svg", scale=6, border=QR_BORDER, xmldecl=False,
                                                  svgns=True, omitsize=True)
    return mark_safe(buffer.getvalue().decode())


def draw_qr(pdf, text: str, x: float, y: float, size: float) -> None:
    """The QR code of `text` as a `size` mm square (quiet zone inside) with its top-left corner at (x, y)."""
    import segno

    # A fixed mask pattern: segno's choice of the best of the 8 costs ~16 ms a code (32 s for a 2,000-label
    # sheet) and picks pattern 2 for four in five of our URLs anyway; any mask decodes on every reader.
    code = segno.make(text, error="m", micro=False, mask=QR_MASK)
    matrix = code.matrix  # rows of 0/1 bytes, without the quiet zone
    module = size / (len(matrix) + 2 * QR_BORDER)
    k, page_height = pdf.k, pdf.h
    left, top = x + QR_BORDER * module, y + QR_BORDER * module
    # Raw PDF operators in module units (a `cm` transform puts them in place): through pdf.rect() each run is a
    # call with its own state changes and float formatting. Rows are 1.02 modules tall so no white seam shows
    # between them when printed.
    ops = [f"q 0 g {module * k:.4f} 0 0 {-module * k:.4f} {left * k:.3f} {(page_height - top) * k:.3f} cm"]
    for r, row in enumerate(matrix):
        for run in _DARK_RUN.finditer(bytes(row)):
            ops.append(f"{run.start()} {r} {run.end() - run.start()} 1.02 re")
    ops.append("f Q")
    pdf._out(" ".join(ops))  # fpdf2's page-content writer (the one its own drawing methods use)


def fit(pdf, text: str, width: float) -> str:
    """`text` cut (with …) to fit `width` mm in the current font."""
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text + "…"


def label_sheet(items: Sequence, *, title: str, grid: Grid, draw: Callable[[object, object, float, float], None]) \
        -> bytes:
    """An A4 PDF with one label per item, in order, `grid` a page: each framed by a hairline (the cutting guide on
    plain paper, invisible enough on a die-cut sheet) and filled by `draw(pdf, item, x, y)`."""
    doc = Document(title=title)
    pdf = doc.pdf
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.set_fill_color(0, 0, 0)
    pdf.set_draw_color(200, 200, 200)
    pdf.set_line_width(0.1)
    for index, item in enumerate(items):
        if index and not index % grid.per_page:
            pdf.add_page()
        x, y = grid.place(index)
        pdf.rect(x, y, grid.width, grid.height, style="D")
        draw(pdf, item, x, y)
    return doc.render()
