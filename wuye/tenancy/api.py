"""JSON API for projects, buildings and units (§9). Handlers parse, call a service or a scoped query, render."""

from ninja import Router, Status
from ninja.pagination import paginate

from wuye.core.access import get_scoped_or_404, get_scoped_or_invalid, require_read, scoped
from wuye.core.api import PagePagination

from . import rules as project_rules
from . import services
from .models import Building, Project, Unit
from .ordering import naturally, unit_order
from .schemas import BuildingIn, BuildingOut, RulesOut, RulesPatch, UnitIn, UnitOut
from .search import unit_search_q

router = Router(tags=["places"])


# Projects (GET|POST /projects, GET /projects/{id}) are served by wuye.onboarding.api: creating one installs the
# catalogue of the floors above this one.


@router.get("/buildings", response=list[BuildingOut])
@paginate(PagePagination)
def list_buildings(request, project: int | None = None):
    require_read(request.actor, "tenancy.places")
    buildings = scoped(Building.objects.all(), request.actor)
    if project is not None:
        buildings = buildings.filter(project_id=project)
    return naturally(buildings)


@router.post("/buildings", response={201: BuildingOut})
def create_building(request, payload: BuildingIn):
    project = get_scoped_or_invalid(Project.objects, request.actor, payload.project_id, "project_id")
    building = services.create_building(request.actor, project=project, **payload.dict(exclude={"project_id"}))
    return Status(201, building)


@router.get("/units", response=list[UnitOut])
@paginate(PagePagination)
def list_units(request, project: int | None = None, building: int | None = None, kind: str | None = None,
               q: str | None = None):
    """Units in scope, filtered by project, building, type, or `q`: a unit as the front desk types it ("1201",
    "3-1201", "3号楼1单元1201", a building's name — `tenancy.search.unit_search_q`)."""
    require_read(request.actor, "tenancy.places")
    units = scoped(Unit.objects.with_places(), request.actor)
    if project is not None:
        units = units.filter(project_id=project)
    if building is not None:
        units = units.filter(building_id=building)
    if kind:
        units = units.filter(kind=kind)
    if q:
        units = units.filter(unit_search_q(q))
    return units.order_by(*unit_order())  # 2号楼 before 10号楼


@router.get("/units/{unit_id}", response=UnitOut)
def get_unit(request, unit_id: int):
    require_read(request.actor, "tenancy.places")
    return get_scoped_or_404(Unit.objects.with_places(), request.actor, pk=unit_id)


@router.post("/units", response={201: UnitOut})
def create_unit(request, payload: UnitIn):
    building = get_scoped_or_invalid(Building.objects, request.actor, payload.building_id, "building_id")
    unit = services.create_unit(request.actor, building=building, **payload.dict(exclude={"building_id"}))
    return Status(201, unit)


@router.get("/projects/{project_id}/rules", response=RulesOut)
def get_rules(request, project_id: int):
    """The project's rules: each with its value, the seed's default, bounds and where the default comes from."""
    require_read(request.actor, "tenancy.rules")
    project = get_scoped_or_404(Project.objects, request.actor, pk=project_id)
    return {"project_id": project.pk, "rules": project_rules.describe(project)}


@router.patch("/projects/{project_id}/rules", response=RulesOut)
def change_rules(request, project_id: int, payload: RulesPatch):
    """Change some rules (project manager or company administrator) with a reason; each change is an event."""
    require_read(request.actor, "tenancy.rules")
    project = get_scoped_or_404(Project.objects, request.actor, pk=project_id)
    changes = payload.dict(exclude={"reason"}, exclude_none=True)
    project_rules.update_rules(request.actor, project, changes, reason=payload.reason)
    return {"project_id": project.pk, "rules": project_rules.describe(project)}
