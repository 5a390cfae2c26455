"""Charts drawn on the server as plain inline SVG (no script, no chart library), for console pages and PDFs
(pages import them from `wuye.web.charts`, the faces kit; a process's PDF report from here).

    bar_chart([("锦华苑", 92.5), ("翠湖居", None)], unit="分", target=85)
    line_chart(["1月", "2月"], [("投诉及时处理率", [96.0, None])], unit="%", target=95)

Both return one `<svg>` with a fixed viewBox (it scales down to a 390 px phone: width 100 %), `role="img"` and a
`<title>` naming what it shows; labels are escaped; a value of None is a gap (no bar, a break in the line, "—").
The same string goes into an fpdf2 PDF through `pdf_image(pdf, svg, w=…)`: only rect, line, polyline, circle and
text are used, with the PDF's Chinese font family named first.
"""

from __future__ import annotations

import io
import math
import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
FONT = "NotoSansSC, 'PingFang SC', 'Microsoft YaHei', sans-serif"
BAR_COLOUR = "#0b5cad"
TARGET_COLOUR = "#b42318"
AXIS_COLOUR = "#c9ced6"
TEXT_COLOUR = "#333"
MUTED_COLOUR = "#777"
SERIES_COLOURS = ("#0b5cad", "#d9622b", "#2e7d32", "#7b1fa2", "#00838f", "#8d6e63")


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 × 10^k at or above `value` (axis end)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def short_label(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, the last one an ellipsis when it was longer."""
    text = str(text)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def figure(value: float | None, unit: str = "") -> str:
    """92.5 → "92.5", 90.0 → "90", None → "—"; the unit follows ("92.5%")."""
    if value is None:
        return "—"
    value = float(value)
    text = f"{value:,.1f}".rstrip("0").rstrip(".") if abs(value) < 1000 else f"{value:,.0f}"
    return f"{text}{unit}"


def _axis_end(values: list[float], *, unit: str, max_value: float | None, target: float | None) -> float:
    if max_value is not None:
        return float(max_value)
    peak = max([v for v in values] + ([float(target)] if target is not None else []), default=0.0)
    if unit == "%" and 0 <= peak <= 100:
        return 100.0
    return nice_ceiling(peak)


def _svg(height: float, title: str, body: list[str]) -> SafeString:
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height:g}" '
        f'width="{WIDTH}" height="{height:g}" style="width:100%;height:auto;max-width:{WIDTH}px" '
        f'role="img" aria-label="{escape(title)}" font-family="{FONT}"><title>{escape(title)}</title>'
        + "".join(body) + "</svg>")


def _text(x: float, y: float, text: str, *, size: int = 13, anchor: str = "start", colour: str = TEXT_COLOUR) -> str:
    anchor_attr = f' text-anchor="{anchor}"' if anchor != "start" else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" font-family="{FONT}" fill="{colour}"{anchor_attr}>'
            f"{escape(text)}</text>")


def bar_chart(bars: list[tuple], *, unit: str = "", max_value: float | None = None,
              target: float | None = None, title: str = "") -> SafeString:
    """A horizontal bar per (label, value[, colour]) — label on the left, figure after the bar; a dashed line at
    `target`; the axis runs from 0 to `max_value` (default: 100 for percentages, else a round number above the
    largest value)."""
    left, right, top, row_h, bar_h = 150, 78, 10, 30, 18
    rows = [(str(bar[0]), None if bar[1] is None else float(bar[1]), bar[2] if len(bar) > 2 else BAR_COLOUR)
            for bar in bars]
    end = _axis_end([v for _, v, _ in rows if v is not None], unit=unit, max_value=max_value, target=target)
    plot_w = WIDTH - left - right
    height = top + row_h * max(len(rows), 1) + 22
    body = [f'<line x1="{left}" y1="{top}" x2="{left}" y2="{height - 22}" stroke="{AXIS_COLOUR}" stroke-width="1"/>']
    for index, (label, value, colour) in enumerate(rows):
        y = top + index * row_h + (row_h - bar_h) / 2
        body.append(_text(left - 8, y + bar_h - 4, short_label(label, 10), anchor="end"))
        if value is None:
            body.append(_text(left + 6, y + bar_h - 4, "—", colour=MUTED_COLOUR))
            continue
        bar_w = plot_w * max(min(value, end), 0) / end if end else 0
        body.append(f'<rect x="{left}" y="{y:.1f}" width="{max(bar_w, 1):.1f}" height="{bar_h}" fill="{colour}"/>')
        body.append(_text(left + bar_w + 6, y + bar_h - 4, figure(value, unit)))
    if not rows:
        body.append(_text(left + 6, top + row_h - 10, "—", colour=MUTED_COLOUR))
    if target is not None and end:
        x = left + plot_w * min(float(target), end) / end
        body.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{height - 20}" stroke="{TARGET_COLOUR}" '
                    f'stroke-width="1.5" stroke-dasharray="5 3"/>')
        body.append(_text(x, height - 6, figure(target, unit), size=12, anchor="middle", colour=TARGET_COLOUR))
    for fraction in (0, 0.5, 1):
        if target is None or fraction == 0:
            body.append(_text(left + plot_w * fraction, height - 6, figure(end * fraction, unit), size=11,
                              anchor="middle", colour=MUTED_COLOUR))
    return _svg(height, title or ", ".join(f"{label} {figure(value, unit)}" for label, value, _ in rows[:12]), body)


def line_chart(labels: list[str], series: list[tuple[str, list]], *, unit: str = "",
               target: float | None = None, title: str = "") -> SafeString:
    """A line per (name, values) over the `labels` (months …); a None value breaks the line (a lone point is a
    dot); a dashed line at `target`; a legend when there is more than one series."""
    left, right, top, bottom = 56, 16, 14, 34
    legend_h = 24 if len(series) > 1 else 0
    height = 240 + legend_h
    plot_w, plot_h = WIDTH - left - right, height - top - bottom - legend_h
    values = [float(v) for _, vs in series for v in vs if v is not None]
    end = _axis_end(values, unit=unit, max_value=None, target=target)
    count = max(len(labels), 1)
    slot = plot_w / count

    def x_at(i: int) -> float:
        return left + slot * (i + 0.5)

    def y_at(v: float) -> float:
        return top + plot_h * (1 - max(min(v, end), 0) / end)

    body = []
    for fraction in (0, 0.25, 0.5, 0.75, 1):
        y = top + plot_h * (1 - fraction)
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{WIDTH - right}" y2="{y:.1f}" stroke="{AXIS_COLOUR}" '
                    f'stroke-width="{1 if fraction == 0 else 0.5}"/>')
        body.append(_text(left - 6, y + 4, figure(end * fraction, unit), size=11, anchor="end",
                          colour=MUTED_COLOUR))
    every = math.ceil(len(labels) / 12) or 1
    for i, label in enumerate(labels):
        if i % every == 0:
            body.append(_text(x_at(i), top + plot_h + 18, short_label(label, 6), size=12, anchor="middle",
                              colour=MUTED_COLOUR))
    if target is not None:
        y = y_at(float(target))
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{WIDTH - right}" y2="{y:.1f}" stroke="{TARGET_COLOUR}" '
                    f'stroke-width="1.5" stroke-dasharray="5 3"/>')
        body.append(_text(WIDTH - right - 2, y - 4, figure(target, unit), size=11, anchor="end",
                          colour=TARGET_COLOUR))
    for index, (name, points) in enumerate(series):
        colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        runs, run = [], []
        for i, value in enumerate(points[:len(labels)]):
            if value is None:
                if run:
                    runs.append(run)
                run = []
            else:
                run.append((x_at(i), y_at(float(value))))
        if run:
            runs.append(run)
        for run in runs:
            if len(run) > 1:
                coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
                body.append(f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="2"/>')
            for x, y in run:
                body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>')
        if legend_h:
            lx = left + index * 150
            ly = height - 8
            body.append(f'<rect x="{lx}" y="{ly - 10}" width="12" height="12" fill="{colour}"/>')
            body.append(_text(lx + 16, ly, short_label(name, 9), size=12))
    if not title:
        title = "; ".join(
            f"{name}: " + ", ".join(f"{label} {figure(v, unit)}" for label, v in zip(labels, points, strict=False))
            for name, points in series)
    return _svg(height, title, body)


_TITLE = re.compile(r"<title>.*?</title>", re.S)


def svg_bytes_for_pdf(svg: str) -> bytes:
    """The chart as fpdf2 reads it: the `<title>` (which fpdf2 does not draw and warns about) taken out."""
    return _TITLE.sub("", str(svg)).encode()


def pdf_image(pdf, svg: str, *, w: float = 170) -> None:
    """Draws the chart into an fpdf2 document at the cursor, `w` mm wide (the height follows the viewBox)."""
    pdf.image(io.BytesIO(svg_bytes_for_pdf(svg)), w=w)
