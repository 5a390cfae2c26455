"""JSON API of the project's catalogue: ticket and complaint categories (customer service), the paid-service price
list and the warranty terms (engineering). Lists for every staff member of the project; create and PATCH through
`catalogue`'s service functions (each change an event). Registered on the work-order router (`api.py`)."""

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Schema, Status, UploadedFile
from ninja.pagination import paginate

from wuye.core.access import get_scoped_or_404, get_scoped_or_invalid, require_read, scoped
from wuye.core.api import PagePagination
from wuye.core.downloads import attachment, download_name
from wuye.core.errors import InvalidInput
from wuye.tenancy.models import Building, Project

from . import catalogue
from .api import router
from .models import Category, PriceItem, WarrantyTerm
from .schemas import (
    CategoryIn,
    CategoryOut,
    CategoryPatch,
    PriceImportOut,
    PriceItemIn,
    PriceItemOut,
    PriceItemPatch,
    TicketKind,
    WarrantyTermIn,
    WarrantyTermOut,
    WarrantyTermPatch,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class CatalogueFilters(Schema):
    project: int | None = None
    active: bool | None = None


class CategoryFilters(CatalogueFilters):
    kind: TicketKind | None = None


def _project(actor, project_id: int) -> Project:
    return get_scoped_or_invalid(Project.objects.all(), actor, project_id, "project_id")


def _in_project(model, project, record_id, field: str):
    """A record named in a body: of the same project, or a 422 naming the field (like one that does not exist)."""
    if record_id is None:
        return None
    found = model.objects.filter(pk=record_id, project=project).first()
    if found is None:
        raise InvalidInput(field, _("No such record in this project."))
    return found


def _filtered(queryset, filters: CatalogueFilters):
    if filters.project is not None:
        queryset = queryset.filter(project_id=filters.project)
    if filters.active is not None:
        queryset = queryset.filter(is_active=filters.active)
    return queryset


# -- categories ---------------------------------------------------------------------------------------------------
@router.get("/categories", response=list[CategoryOut], tags=["catalogue"])
@paginate(PagePagination)
def list_categories(request, filters: Query[CategoryFilters]):
    """The category trees (repairs, complaints, …) of the projects in scope: parents before their children."""
    require_read(request.actor, "workorders.categories")
    categories = _filtered(scoped(Category.objects.select_related("parent"), request.actor), filters)
    if filters.kind is not None:
        categories = categories.filter(kind=filters.kind.value)
    return categories.order_by("project_id", "kind", "parent__code", "parent_id", "code")


@router.post("/categories", response={201: CategoryOut}, tags=["catalogue"])
def create_category(request, payload: CategoryIn):
    """Add a category or sub-category (customer service, project managers, quality); recorded as an event."""
    project = _project(request.actor, payload.project_id)
    values = payload.dict(exclude={"project_id", "parent_id"})
    values["kind"] = payload.kind.value
    values["parent"] = _in_project(Category, project, payload.parent_id, "parent_id")
    return Status(201, catalogue.create_category(request.actor, project, **values))


@router.patch("/categories/{category_id}", response=CategoryOut, tags=["catalogue"])
def update_category(request, category_id: int, payload: CategoryPatch):
    """Change a category (name, code, parent, department) or deactivate it (`is_active: false`)."""
    category = get_scoped_or_404(Category.objects.select_related("project"), request.actor, pk=category_id)
    values = payload.dict(exclude_unset=True)
    if "parent_id" in values:
        values["parent"] = _in_project(Category, category.project, values.pop("parent_id"), "parent_id")
    return catalogue.update_category(request.actor, category, **values)


# -- the paid-service price list ----------------------------------------------------------------------------------
@router.get("/price-list", response=list[PriceItemOut], tags=["catalogue"])
@paginate(PagePagination)
def list_price_items(request, filters: Query[CatalogueFilters]):
    """The paid-service price lists (有偿服务收费标准) of the projects in scope."""
    require_read(request.actor, "workorders.price_list")
    return _filtered(scoped(PriceItem.objects.all(), request.actor), filters).order_by("project_id", "code")


@router.post("/price-list", response={201: PriceItemOut}, tags=["catalogue"])
def create_price_item(request, payload: PriceItemIn):
    """Add a line to the price list (engineering, project managers); recorded as an event."""
    project = _project(request.actor, payload.project_id)
    return Status(201, catalogue.create_price_item(request.actor, project, **payload.dict(exclude={"project_id"})))


@router.post("/price-list/import", response=PriceImportOut, tags=["catalogue"])
def import_price_list(request, project_id: Form[int], file: File[UploadedFile]):
    """Upload the price list as .xlsx (the layout of `GET /price-list.xlsx`): all or nothing — with any bad row
    nothing is written and `errors` names each by row and column; the same file again changes nothing."""
    project = _project(request.actor, project_id)
    return catalogue.import_price_list(request.actor, project, file)


@router.patch("/price-list/{item_id}", response=PriceItemOut, tags=["catalogue"])
def update_price_item(request, item_id: int, payload: PriceItemPatch):
    """Change a line (a new price applies from now on: charges already written keep theirs) or deactivate it."""
    item = get_scoped_or_404(PriceItem.objects.select_related("project"), request.actor, pk=item_id)
    return catalogue.update_price_item(request.actor, item, **payload.dict(exclude_unset=True))


@router.get("/price-list.xlsx", response={200: None}, tags=["catalogue"])
def export_price_list(request, project: int):
    """The project's price list as .xlsx, in the import's layout."""
    require_read(request.actor, "workorders.price_list")
    chosen = get_scoped_or_404(Project.objects.all(), request.actor, pk=project)
    response = HttpResponse(catalogue.price_list_workbook(chosen), content_type=XLSX)
    return attachment(response, download_name("有偿服务收费标准", chosen.name, ext="xlsx"))


# -- warranty terms -----------------------------------------------------------------------------------------------
@router.get("/warranty-terms", response=list[WarrantyTermOut], tags=["catalogue"])
@paginate(PagePagination)
def list_warranty_terms(request, filters: Query[CatalogueFilters]):
    """The developer's warranty terms per system (and building) of the projects in scope."""
    require_read(request.actor, "workorders.warranty_terms")
    terms = scoped(WarrantyTerm.objects.select_related("category__parent"), request.actor)
    return _filtered(terms, filters).order_by("project_id", "category__code", "building_id", "id")


def _term_values(project, values: dict) -> dict:
    if "category_id" in values:
        values["category"] = _in_project(Category, project, values.pop("category_id"), "category_id")
    if "building_id" in values:
        values["building"] = _in_project(Building, project, values.pop("building_id"), "building_id")
    return values


@router.post("/warranty-terms", response={201: WarrantyTermOut}, tags=["catalogue"])
def create_warranty_term(request, payload: WarrantyTermIn):
    """Record a warranty term and its contractor (engineering, project managers); recorded as an event."""
    project = _project(request.actor, payload.project_id)
    values = _term_values(project, payload.dict(exclude={"project_id"}))
    return Status(201, catalogue.create_warranty_term(request.actor, project, **values))


@router.patch("/warranty-terms/{term_id}", response=WarrantyTermOut, tags=["catalogue"])
def update_warranty_term(request, term_id: int, payload: WarrantyTermPatch):
    """Change a warranty term or end it (`is_active: false`); repairs already received keep their routing."""
    term = get_scoped_or_404(WarrantyTerm.objects.select_related("project"), request.actor, pk=term_id)
    values = _term_values(term.project, payload.dict(exclude_unset=True))
    return catalogue.update_warranty_term(request.actor, term, **values)
