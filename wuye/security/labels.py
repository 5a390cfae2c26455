"""Printable QR labels of patrol checkpoints (A4 sheet), drawn by the shared label sheet (wuye.core.qrlabels).

A checkpoint's label is posted where the guard stands: 3 × 4 labels of 70 × 74 mm a page, each a large QR code of
the checkpoint's scan URL (`security:checkpoint_scan`, `console/security/c/<token>/`) with the checkpoint's name
and code under it (the code is typed when the camera cannot read the label), and the route and project small."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from wuye.core import qrlabels
from wuye.core.errors import InvalidInput
from wuye.core.pdf import SANS

from .models import PatrolCheckpoint

MAX_LABELS = 600  # 50 pages: every checkpoint of a dozen routes
GRID = qrlabels.SHEET_12
QR_SIZE = 50.0
PAD = 3.0


def scan_path(checkpoint: PatrolCheckpoint) -> str:
    """The site-relative path a checkpoint label's QR code opens."""
    try:
        return reverse("security:checkpoint_scan", args=[checkpoint.label_token])
    except NoReverseMatch:  # the scan page is the patrol pages' stream's; its path is agreed
        return f"/console/security/c/{checkpoint.label_token}/"


def scan_url(checkpoint: PatrolCheckpoint, base_url: str | None = None) -> str:
    """The label's absolute URL (`WUYE_PUBLIC_URL`, else `base_url`); the bare path when neither is known — the
    guard's code box still finds the checkpoint from it, a phone camera needs the address."""
    try:
        return qrlabels.absolute_url(scan_path(checkpoint), base_url)
    except ValueError:
        return scan_path(checkpoint)


def _draw(pdf, checkpoint: PatrolCheckpoint, url: str, x: float, y: float) -> None:
    width = GRID.width - 2 * PAD
    qrlabels.draw_qr(pdf, url, x + (GRID.width - QR_SIZE) / 2, y + PAD, QR_SIZE)
    line = y + PAD + QR_SIZE + 0.5
    pdf.set_font(SANS, size=11)
    pdf.set_xy(x + PAD, line)
    pdf.cell(width, 5.5, qrlabels.fit(pdf, checkpoint.name, width), align="C")
    pdf.set_font(SANS, size=13)
    pdf.set_xy(x + PAD, line + 5.8)
    pdf.cell(width, 6, qrlabels.fit(pdf, checkpoint.code, width), align="C")
    pdf.set_font(SANS, size=7)
    pdf.set_xy(x + PAD, line + 12)
    place = " · ".join(part for part in (checkpoint.project.name, checkpoint.route.name) if part)
    pdf.cell(width, 3.6, qrlabels.fit(pdf, place, width), align="C")


def checkpoint_sheet(checkpoints, base_url: str | None = None) -> bytes:
    """An A4 PDF of QR labels, one per checkpoint in the given order (a list or a queryset). InvalidInput
    `checkpoints` when there are none or more than MAX_LABELS. Labels print in Chinese whatever the UI language
    (they stay on the wall)."""
    if hasattr(checkpoints, "select_related"):
        checkpoints = list(checkpoints.select_related("project", "route")[:MAX_LABELS + 1])
    items = list(checkpoints)
    if not items:
        raise InvalidInput("checkpoints", _("The route has no checkpoints: nothing to print."))
    if len(items) > MAX_LABELS:
        raise InvalidInput("checkpoints", _("At most %(count)s labels can be printed at once.")
                           % {"count": MAX_LABELS})
    routes = sorted({item.route.name for item in items})
    return qrlabels.label_sheet(items, title="巡更点标签 " + "、".join(routes[:3]), grid=GRID,
                                draw=lambda pdf, item, x, y: _draw(pdf, item, scan_url(item, base_url), x, y))
