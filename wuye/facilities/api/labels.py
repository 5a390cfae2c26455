"""Facilities API: the register in Excel and the QR label sheet (§4, §9).

`GET /equipment.xlsx` (the register's filters: `?project=&category=&building=&status=&q=`), `POST
/equipment/import` (multipart `file`, `project`; all or nothing, a 422 names every bad row and column as
`row 5: 类别`), `GET /equipment/labels.pdf` (same filters; at most 2,000 labels). Rules in `facilities.labels` and
`facilities.register_io`."""

from __future__ import annotations

from django.http import HttpResponse
from ninja import File, Form, Query, Router, Schema, UploadedFile
from pydantic import Field

from wuye.core.access import get_scoped_or_invalid, require_read, scoped
from wuye.core.downloads import attachment, download_name
from wuye.core.errors import InvalidInput
from wuye.core.workbooks import XLSX
from wuye.tenancy.models import Project

from .. import labels, register_io

router = Router()
READS = "facilities.equipment"


class EquipmentFileFilters(Schema):
    project: int | None = Field(None, ge=1, le=2**62)
    category: str | None = Field(None, max_length=40, description="A category's id or code.")
    building: int | None = Field(None, ge=1, le=2**62)
    status: str | None = Field(None, max_length=16)
    q: str | None = Field(None, max_length=100)


def _items(request, filters: EquipmentFileFilters):
    return labels.filtered_equipment(request.actor, **filters.dict())


def _project_name(request, filters: EquipmentFileFilters) -> str:
    if filters.project is None:
        return ""
    project = scoped(Project.objects.filter(pk=filters.project), request.actor).first()
    return project.name if project else ""  # (out of scope is already a 404 from the filter)


@router.get("/equipment.xlsx", response={200: None})
def export_equipment(request, filters: Query[EquipmentFileFilters]):
    """The register (the items the filters select in the caller's projects) as .xlsx, in the import's layout."""
    require_read(request.actor, READS)
    response = HttpResponse(register_io.export_register(_items(request, filters)), content_type=XLSX)
    return attachment(response, download_name("设备台账", _project_name(request, filters), ext="xlsx"))


class EquipmentImportOut(Schema):
    rows: int
    created: int
    updated: int
    skipped: int
    examples: int


@router.post("/equipment/import", response={200: EquipmentImportOut})
def import_equipment(request, project: Form[int], file: File[UploadedFile] = None):
    """Create or update the project's items from an .xlsx (the export's layout), matched by 设备编号. All or
    nothing: with any bad row nothing is written and the 422 names each as `row 5: 类别`. A rerun of the same
    file reports every row as skipped."""
    require_read(request.actor, READS)
    # The project first: a project outside the caller's scope is named before anything about the file.
    target = get_scoped_or_invalid(Project.objects.all(), request.actor, project, "project")
    report = register_io.import_register(request.actor, project=target, upload=file)
    if not report.ok:
        raise InvalidInput(problems=report.problems())
    return {"rows": report.rows, "created": report.created, "updated": report.updated, "skipped": report.skipped,
            "examples": report.examples}


@router.get("/equipment/labels.pdf", response={200: None})
def equipment_labels(request, filters: Query[EquipmentFileFilters]):
    """The A4 QR label sheet (3 × 8 a page) of the items the filters select; a 422 when none or more than
    2,000 match."""
    require_read(request.actor, READS)  # as the console's sheet: whoever reads the register may print its labels
    items = labels.bounded(_items(request, filters))
    content = labels.label_sheet_pdf(items, base_url=request.build_absolute_uri("/"))
    return attachment(HttpResponse(content, content_type="application/pdf"),
                      download_name("设备标签", _project_name(request, filters), ext="pdf"))
