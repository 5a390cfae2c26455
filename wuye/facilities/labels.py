"""QR labels (a printable PDF sheet) and the scan landing: a label's token opens the item's page.

A sheet is A4 with 3 × 8 labels of 70 × 37 mm (the common 24-up self-adhesive sheet). Each label carries the QR
code of the item's absolute scan URL (`console/facilities/e/<token>/`, which logs a phone in and then opens the
item), its code, name and location, and the project's service phone. The QR code is drawn as vector squares (one
per run of dark modules), so it prints sharp at any size and the PDF stays small."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from wuye.core import qrlabels
from wuye.core.errors import InvalidInput
from wuye.core.pdf import SANS

from .models import Equipment

MAX_LABELS = 2000  # per sheet request: 84 pages; more is a printing job for several requests

GRID = qrlabels.SHEET_24  # 3 × 8 labels of 70 × 37 mm
LABEL_W, LABEL_H = GRID.width, GRID.height
PAD = 2.5
QR_SIZE = LABEL_H - 2 * PAD  # 32 mm square, with its quiet zone inside
QR_MASK = qrlabels.QR_MASK


def scan_path(equipment: Equipment) -> str:
    """The site-relative path a label's QR code opens."""
    return reverse("facilities:scan", args=[equipment.label_token])


def scan_url(equipment: Equipment, base_url: str | None = None) -> str:
    """The absolute URL of the item's label: `settings.WUYE_PUBLIC_URL` when it is set (the address phones reach
    the site at), else `base_url` (the request's own, `request.build_absolute_uri("/")`)."""
    return qrlabels.absolute_url(scan_path(equipment), base_url)


def location_text(equipment: Equipment) -> str:
    """Where the item is, as the label says it: building and place (3号楼 B1 水泵房)."""
    building = equipment.building
    where = (building.name or f"{building.number}号楼") if building is not None else ""
    return " ".join(part for part in (where, equipment.location) if part)


def bounded(items: Iterable[Equipment] | QuerySet, field: str = "equipment") -> list[Equipment]:
    """The items of one sheet request as a list (with project and building loaded); InvalidInput `field` when
    there are none or more than MAX_LABELS."""
    if isinstance(items, QuerySet):
        items = list(items.select_related("project", "building")[:MAX_LABELS + 1])
    else:
        items = list(items)
    if not items:
        raise InvalidInput(field, _("No equipment matches: nothing to print."))
    if len(items) > MAX_LABELS:
        raise InvalidInput(field, _("At most %(count)s labels can be printed at once; narrow the list (a category, "
                                    "a building).") % {"count": f"{MAX_LABELS:,}"})
    return items


# The QR code and the fitting of text are the shared label sheet's (wuye.core.qrlabels).
_draw_qr, _fit = qrlabels.draw_qr, qrlabels.fit


def _draw_label(pdf, equipment: Equipment, url: str, x: float, y: float) -> None:
    _draw_qr(pdf, url, x + PAD, y + PAD, QR_SIZE)
    left = x + PAD + QR_SIZE + 1.5
    width = x + LABEL_W - PAD - left
    line = y + PAD + 1.5
    pdf.set_font(SANS, size=10)
    pdf.set_xy(left, line)
    pdf.cell(width, 5, _fit(pdf, equipment.code, width))
    pdf.set_font(SANS, size=8)
    # The name may take two lines; location, project and phone one each.
    name = equipment.name
    first = _fit(pdf, name, width)
    lines = [first]
    if first.endswith("…") and first[:-1] != name:
        rest = name[len(first) - 1:]
        lines = [first[:-1], _fit(pdf, rest, width)]
    line += 6
    for text in lines:
        pdf.set_xy(left, line)
        pdf.cell(width, 4, text)
        line += 4
    pdf.set_font(SANS, size=7)
    for text in (location_text(equipment), equipment.project.name):
        if text:
            pdf.set_xy(left, line)
            pdf.cell(width, 3.6, _fit(pdf, text, width))
            line += 3.6
    if equipment.project.phone:
        pdf.set_font(SANS, size=7.5)
        pdf.set_xy(left, y + LABEL_H - PAD - 4)
        pdf.cell(width, 4, _fit(pdf, "报修电话 " + equipment.project.phone, width))


def label_sheet_pdf(equipment_list, base_url: str | None = None) -> bytes:
    """An A4 PDF of QR labels, 3 × 8 a page, one per item of `equipment_list` (a list or a queryset) in its order.
    InvalidInput "equipment" when there are none or more than MAX_LABELS. Labels print in Chinese whatever the
    UI language (they stay on the equipment)."""
    items = bounded(equipment_list)
    project_names = sorted({item.project.name for item in items})
    return qrlabels.label_sheet(items, title="设备标签 " + "、".join(project_names[:3]), grid=GRID,
                                draw=lambda pdf, item, x, y: _draw_label(pdf, item, scan_url(item, base_url), x, y))


def filtered_equipment(actor, **filters):
    """The items a label sheet or an export covers: the register's own filters (`register.filter_equipment`), so
    they are the rows the list shows, in its order."""
    from .register import filter_equipment

    return filter_equipment(actor, **filters)
