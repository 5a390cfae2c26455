"""Quality API: the standards library and the service packages (§6, §9).

`GET|POST /standards`, `GET /standards/{id}` (`?version=N`), `POST /standards/{id}/versions` (revise),
`GET /standards/{id}/export` and `POST /standards/import` (Excel), `GET /service-packages`,
`POST /projects/{id}/service-package`. Staff of the company read the library; the quality department (and the
company administrator) write it. Rules are in `quality.standards`."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate
from pydantic import Field

from wuye.core.access import get_scoped_or_404, require_read
from wuye.core.api import Mapped, PagePagination, api_enum
from wuye.core.downloads import attachment, download_name
from wuye.core.errors import InvalidInput
from wuye.core.workbooks import XLSX
from wuye.tenancy.models import Company, Project, ServiceLevel

from .. import standards as library
from .. import standards_io
from ..models import StandardPurpose

router = Router(tags=["quality"])

Purpose = api_enum(StandardPurpose, "StandardPurpose")
Level = api_enum(ServiceLevel, "ServiceLevel")


class StandardItemIn(Schema):
    number: int | None = Field(None, ge=1, le=9999)
    text: str = Field(..., max_length=library.MAX_TEXT)
    points: Decimal
    deduction: Decimal = Decimal("1")
    critical: bool = False
    severity: str = "minor"
    department: str = "customer_service"


class StandardCategoryIn(Schema):
    number: int | None = Field(None, ge=1, le=9999)
    name: str = Field(..., max_length=100)
    items: list[StandardItemIn] = Field(..., max_length=library.MAX_ITEMS)


class StandardIn(Schema):
    code: str = Field(..., max_length=40)
    name: str = Field(..., max_length=100)
    purpose: Purpose = Purpose.DAILY
    description: str = Field("", max_length=2000)
    weight: Decimal = Decimal("1")
    note: str = Field("", max_length=200)
    categories: list[StandardCategoryIn] = Field(..., max_length=library.MAX_CATEGORIES)


class VersionIn(Schema):
    note: str = Field("", max_length=200)
    categories: list[StandardCategoryIn] = Field(..., max_length=library.MAX_CATEGORIES)


class StandardOut(Schema):
    id: int
    code: str
    name: str
    purpose: str
    description: str
    weight: Decimal
    is_active: bool
    current_version: int | None
    item_count: int

    @staticmethod
    def resolve_current_version(obj):
        return obj["current_version"] if isinstance(obj, dict) else getattr(obj, "current_number", None)

    @staticmethod
    def resolve_item_count(obj):
        return obj["item_count"] if isinstance(obj, dict) else getattr(obj, "item_count", None) or 0


class StandardItemOut(Schema):
    id: int
    number: int
    text: str
    points: Decimal
    deduction: Decimal
    critical: bool
    severity: str
    department: str


class StandardCategoryOut(Schema):
    number: int
    name: str
    items: list[StandardItemOut]


class VersionOut(Schema):
    number: int
    note: str
    created_at: datetime
    categories: list[StandardCategoryOut]


class StandardDetailOut(StandardOut):
    versions: list[int]
    version: VersionOut


class VersionFilter(Schema):
    version: int | None = Field(None, ge=1, le=100_000)


class PackageOut(Schema):
    id: int
    level: str
    name: str
    description: str
    sla_standard: str
    standards: list[str]


class PackageIn(Schema):
    level: Level


class AssignedOut(Schema):
    project_id: int
    level: str
    package: PackageOut


def _summary(standard) -> dict:
    return {"id": standard.pk, "code": standard.code, "name": standard.name, "purpose": standard.purpose,
            "description": standard.description, "weight": standard.weight, "is_active": standard.is_active,
            "current_version": getattr(standard, "current_number", None),
            "item_count": getattr(standard, "item_count", None) or 0}


def _version(version) -> dict:
    return {"number": version.number, "note": version.note, "created_at": version.created_at, "categories": [
        {"number": category.number, "name": category.name, "items": [
            {"id": item.pk, "number": item.number, "text": item.text, "points": item.points,
             "deduction": item.deduction, "critical": item.critical, "severity": item.severity,
             "department": item.department} for item in category.items.all()]}
        for category in version.categories.all()]}


def _detail(actor, standard_id: int, number: int | None = None) -> dict:
    standard = library.visible_standard_or_404(actor, standard_id)
    version = library.version_of(standard, number)
    return {**_summary(standard), "versions": list(standard.versions.order_by("number").values_list("number",
                                                                                                  flat=True)),
            "version": _version(version)}


def _package(package) -> dict:
    return {"id": package.pk, "level": package.level, "name": package.name, "description": package.description,
            "sla_standard": package.sla_standard.code,
            "standards": sorted(standard.code for standard in package.standards.all())}


@router.get("/standards", response=list[StandardOut])
@paginate(PagePagination)
def list_standards(request):
    """The company's standards library: each standard with its current version number and item count."""
    require_read(request.actor, "quality.standards")
    return library.visible_standards(request.actor).order_by("code")


@router.post("/standards", response={201: StandardDetailOut})
def create_standard(request, payload: StandardIn):
    """A new standard with its first version — categories with their items in one body. A wrong value is a 422
    naming its place (`categories[0].items[2].points`); nothing is written."""
    actor = request.actor
    company = Company.objects.filter(pk=actor.company_id).first()
    if company is None:
        raise InvalidInput("code", _("Only staff of a company keep a standards library."))
    standard = library.create_standard(
        actor, company, code=payload.code, name=payload.name, purpose=payload.purpose.value,
        description=payload.description, weight=payload.weight, note=payload.note,
        categories=[category.dict() for category in payload.categories])
    return Status(201, _detail(actor, standard.pk))


# Declared before /standards/{standard_id}: Django tries routes in order, and the id route would take "import".
class StandardImportOut(Schema):
    standard_id: int
    version: int
    items: int


@router.post("/standards/import", response={201: StandardImportOut})
def import_standard(request, file: File[UploadedFile], standard_id: Form[int | None] = None,
                    code: Form[str] = "", name: Form[str] = "", note: Form[str] = ""):
    """Upload a standard as .xlsx (the layout of the export): with `standard_id` a new version of it, otherwise a
    new standard `code`/`name`. All or nothing: a 422 names every bad row and column (`row 5: 分值`)."""
    actor = request.actor
    standard = library.visible_standard_or_404(actor, standard_id) if standard_id is not None else None
    company = Company.objects.filter(pk=actor.company_id).first() if standard is None else None
    report, written = standards_io.import_standard(actor, file, company=company, standard=standard, code=code,
                                                   name=name, note=note)
    if not report.ok:
        raise InvalidInput(problems=report.problems())
    version = library.current_version(written)
    return Status(201, {"standard_id": written.pk, "version": version.number, "items": report.created})


@router.get("/standards/{standard_id}", response=StandardDetailOut)
def get_standard(request, standard_id: int, filters: Query[VersionFilter]):
    """A standard with its current version's categories and items (`?version=N`: that version; every version an
    inspection used stays readable)."""
    require_read(request.actor, "quality.standards")
    return _detail(request.actor, standard_id, filters.version)


@router.post("/standards/{standard_id}/versions", response={201: StandardDetailOut})
def revise_standard(request, standard_id: int, payload: VersionIn):
    """A new version (number max + 1) with these categories and items; earlier versions stay as they were."""
    standard = library.visible_standard_or_404(request.actor, standard_id)
    version = library.revise_standard(request.actor, standard, note=payload.note,
                                      categories=[category.dict() for category in payload.categories])
    return Status(201, _detail(request.actor, standard.pk, version.number))


@router.get("/standards/{standard_id}/export", response={200: None})
def export_standard(request, standard_id: int, filters: Query[VersionFilter]):
    """A version of the standard (the current one unless `?version=N`) as .xlsx, in the import's layout."""
    require_read(request.actor, "quality.standards")
    standard = library.visible_standard_or_404(request.actor, standard_id)
    version = library.version_of(standard, filters.version)
    response = HttpResponse(standards_io.export_version(version), content_type=XLSX)
    return attachment(response, download_name(standard.name, f"v{version.number}", ext="xlsx"))




@router.get("/service-packages", response=list[PackageOut])
@paginate(PagePagination)
def list_packages(request):
    """The three service levels of the company: the SLA standard each promises and the standards it is inspected
    by."""
    require_read(request.actor, "quality.standards")
    return Mapped(library.visible_packages(request.actor), _package)


@router.post("/projects/{project_id}/service-package", response=AssignedOut)
def assign_package(request, project_id: int, payload: PackageIn):
    """Put the project on a service level: its level and the time limits it follows change (an event)."""
    project = get_scoped_or_404(Project.objects.all(), request.actor, pk=project_id)
    package = library.assign_package(request.actor, project, payload.level.value)
    return {"project_id": project.pk, "level": project.service_level, "package": _package(package)}
