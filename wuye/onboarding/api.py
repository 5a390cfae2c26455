"""JSON API for projects and their onboarding (§9): list, read and create projects (a new one gets its standard
and default catalogue), import the company's sheets, download their templates."""

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from wuye.core.access import get_scoped_or_404, require_read, scoped
from wuye.core.api import PagePagination
from wuye.core.downloads import attachment, download_name
from wuye.core.errors import InvalidInput
from wuye.core.workbooks import XLSX
from wuye.tenancy import services as tenancy
from wuye.tenancy.models import Company, Project
from wuye.tenancy.schemas import ProjectIn, ProjectOut

from . import services

router = Router(tags=["places"])


class OnboardedProjectOut(ProjectOut):
    service_standard: str

    @staticmethod
    def resolve_service_standard(project):
        return services.standard_code(project)


class NewProjectIn(ProjectIn):
    service_standard: str | None = None


class OnboardingRowErrorOut(Schema):
    row: int
    column: str
    message: str


class OnboardingImportOut(Schema):
    kind: str
    rows: int
    created: int
    updated: int
    skipped: int
    examples: int
    errors: list[OnboardingRowErrorOut]


class CompanyIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    credit_code: str = Field("", max_length=18)


class CompanyOut(Schema):
    id: int
    name: str
    credit_code: str


@router.post("/companies", response={201: CompanyOut})
def create_company(request, payload: CompanyIn):
    """A property company on the platform (the platform's operator, a superuser; anyone else 403): the first step
    on an empty database, before its projects."""
    return Status(201, tenancy.create_company(request.actor, **payload.dict()))


@router.get("/projects", response=list[OnboardedProjectOut])
@paginate(PagePagination)
def list_projects(request):
    require_read(request.actor, "tenancy.places")
    return scoped(Project.objects.active(), request.actor).select_related("sla_standard__standard")


@router.get("/projects/{project_id}", response=OnboardedProjectOut)
def get_project(request, project_id: int):
    require_read(request.actor, "tenancy.places")
    return get_scoped_or_404(Project.objects.select_related("sla_standard__standard"), request.actor, pk=project_id)


@router.post("/projects", response={201: OnboardedProjectOut})
def create_project(request, payload: NewProjectIn):
    """Create a project (company administrators): code, name, address, service phone, `service_level` (level_1,
    level_2, level_3) and `service_standard` (a standard's code; the default standard if left out). It starts with
    the default catalogue: repair and complaint categories, the paid-service price list and the charge items
    (without prices — finance sets the tariffs)."""
    # Staff create projects in their own company; only a superuser names one.
    company = Company.objects.filter(pk=request.actor.company_id or payload.company_id).first()
    if company is None:
        raise InvalidInput("company_id", _("Choose the company."))
    values = payload.dict(exclude={"company_id"})
    values["service_level"] = values["service_level"] or ""
    values["service_standard"] = values["service_standard"] or services.DEFAULT_STANDARD
    project = services.create_project(request.actor, company=company, **values)
    return Status(201, project)


class ProjectPatchIn(Schema):
    short_code: str = Field(..., max_length=6, description="2–6 capital letters or digits, unique in the company")


@router.patch("/projects/{project_id}", response=OnboardedProjectOut)
def change_project(request, project_id: int, payload: ProjectPatchIn):
    """Change the prefix of a project's receipt and notice numbers (company administrators). Numbers already
    issued keep theirs; 422 naming `short_code` when malformed or used by another project of the company."""
    project = get_scoped_or_404(Project.objects.all(), request.actor, pk=project_id)
    tenancy.set_short_code(request.actor, project, payload.short_code)
    return Project.objects.select_related("sla_standard__standard").get(pk=project.pk)


@router.post("/projects/{project_id}/imports", response=OnboardingImportOut)
def import_sheet(request, project_id: int, kind: Form[str] = None, file: File[UploadedFile] = None):
    """Import a sheet of the company (multipart: `kind` = units | owners | vehicles | meters (the register, not
    readings), `file` = the .xlsx filled in
    from `GET /imports/template?kind=`). All or nothing: 200 with the counts (created, updated, skipped — rows
    already there, so sending the file again is harmless); 422 listing every wrong row as "row 5: 证件号码" with
    nothing written. A project outside the caller's scope is 404. Meter readings: `POST /meter-readings/import`."""
    # The project first: outside the caller's scope it is 404 whatever the body.
    project = get_scoped_or_404(Project.objects.all(), request.actor, pk=project_id)
    services.check_kind(kind or "")
    if file is None:
        raise InvalidInput("file", _("Choose the file to upload."))
    report = services.import_sheet(request.actor, project, kind, file)
    if report.errors:
        error = InvalidInput(problems=report.problems())
        error.message = _("%(count)s rows of the sheet have errors; nothing was imported.") % {
            "count": report.rows_with_errors}
        raise error
    return report


@router.get("/imports/template", response={200: None})
def import_template(request, kind: str):
    """The .xlsx template of a sheet (`kind` = units | owners | vehicles | meters): its Chinese column headers and an
    example row (left in the file, the example row is passed over)."""
    services.check_kind(kind)
    response = HttpResponse(services.sheet_template(kind), content_type=XLSX)
    return attachment(response, download_name(services.SHEETS[kind][3], "导入模板", ext="xlsx"))
