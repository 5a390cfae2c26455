"""JSON API for owner records (业主档案), vehicles and the caller's own profile (§9)."""


from ninja import Router, Status
from ninja.pagination import paginate

from wuye.core.access import get_scoped_or_404, get_scoped_or_invalid, require_read, scoped
from wuye.core.api import PagePagination
from wuye.tenancy.models import Unit

from . import services, staff
from .models import Residency, Resident, StaffProfile, Vehicle
from .schemas import (
    MeOut,
    PasswordResetIn,
    PasswordResetOut,
    ResidentIn,
    ResidentListOut,
    ResidentOut,
    StaffCreatedOut,
    StaffIn,
    StaffOut,
    StaffPatch,
    StaffRole,
    VehicleIn,
    VehicleOut,
    residency_rows,
)
from .search import owner_record_q

router = Router(tags=["people"])


def _residents(actor):
    return scoped(Resident.objects.with_homes(), actor).prefetch_related("vehicles")


@router.get("/owners", response=list[ResidentListOut])
@paginate(PagePagination)
def list_owners(request, project: int | None = None, unit: int | None = None, relation: str | None = None,
                q: str | None = None):
    """Owner records in scope (personal data masked). `q` matches a name, a full phone number or a
    unit as typed ("1-101", "3号楼1单元1201": its current residents)."""
    require_read(request.actor, "people.residents")
    residents = _residents(request.actor)
    if project is not None:
        residents = residents.filter(project_id=project)
    if unit is not None or relation:
        current = Residency.objects.current()
        if unit is not None:
            current = current.filter(unit_id=unit)
        if relation:
            current = current.filter(relation=relation)
        residents = residents.filter(pk__in=current.values("resident_id"))
    if q and q.strip():
        residents = residents.filter(owner_record_q(q))
    return residents


@router.get("/owners/{resident_id}", response=ResidentOut)
def get_owner(request, resident_id: int):
    require_read(request.actor, "people.residents")
    return get_scoped_or_404(_residents(request.actor), request.actor, pk=resident_id)


@router.post("/owners", response={201: ResidentOut})
def register_owner(request, payload: ResidentIn):
    """Record an owner, co-owner, tenant or family member of a unit, with vehicles — all or nothing."""
    unit = get_scoped_or_invalid(Unit.objects.with_places(), request.actor, payload.unit_id, "unit_id")
    resident = services.register_resident(
        request.actor, unit=unit,
        vehicles=[services.VehicleInput(**v.dict()) for v in payload.vehicles],
        **payload.dict(exclude={"unit_id", "vehicles"}),
    )
    return Status(201, _residents(request.actor).get(pk=resident.pk))


@router.post("/owners/{resident_id}/vehicles", response={201: VehicleOut})
def add_vehicle(request, resident_id: int, payload: VehicleIn):
    resident = get_scoped_or_404(Resident.objects, request.actor, pk=resident_id)
    return Status(201, services.add_vehicle(request.actor, resident, **payload.dict()))


@router.get("/vehicles", response=list[VehicleOut])
@paginate(PagePagination)
def list_vehicles(request, project: int | None = None, plate: str | None = None):
    require_read(request.actor, "people.vehicles")
    vehicles = scoped(Vehicle.objects.all(), request.actor)
    if project is not None:
        vehicles = vehicles.filter(project_id=project)
    if plate:
        vehicles = vehicles.filter(plate__contains=plate.strip().upper()[:10])
    return vehicles.order_by("plate")


@router.get("/me", response=MeOut)
def me(request):
    """Who the caller is: role and projects for staff, units for an owner."""
    actor, user = request.actor, request.user
    profile = StaffProfile.objects.filter(user=user).first()
    units = []
    if actor.resident_id:
        units = residency_rows(
            Residency.objects.current().filter(resident_id=actor.resident_id).select_related("unit__building")
        )
    return {
        "id": user.pk, "username": user.username, "name": user.get_full_name() or user.username,
        "role": actor.role.value if actor.role else None,
        "department": str(profile.department) if profile else None,
        "project_ids": sorted(actor.project_ids) if actor.project_ids is not None else None,
        "units": units,
    }


# Staff accounts (员工): the company administration only; another company's staff are 404 (people.staff).
@router.get("/staff", response=list[StaffOut])
@paginate(PagePagination)
def list_staff(request, role: StaffRole | None = None, project: int | None = None, active: bool | None = None,
               q: str | None = None):
    """The company's staff. `project`: who works on it (its members and the company-wide staff); `active`:
    false for leavers; `q`: part of a name or username, or a full phone number."""
    require_read(request.actor, "people.staff")
    return staff.filter_staff(staff.staff_in_scope(request.actor), role=role, project=project, active=active, q=q)


@router.post("/staff", response={201: StaffCreatedOut})
def create_staff(request, payload: StaffIn):
    """A staff login with its role and projects. Without `password` a one-time password is generated and
    returned in `one_time_password`, this once only."""
    profile, generated = staff.create_staff_member(request.actor, **payload.dict())
    profile = staff.get_staff(request.actor, profile.user_id)
    profile.one_time_password = generated
    return Status(201, profile)


@router.get("/staff/{staff_id}", response=StaffOut)
def get_staff(request, staff_id: int):
    require_read(request.actor, "people.staff")
    return staff.get_staff(request.actor, staff_id)


@router.patch("/staff/{staff_id}", response=StaffOut)
def change_staff(request, staff_id: int, payload: StaffPatch):
    """Change role, projects, supervisor flag, name or contact; fields left out stay. Applies from the staff
    member's next request. 409 when it would leave the company without an active administrator."""
    profile = staff.get_staff(request.actor, staff_id)
    staff.update_staff_member(request.actor, profile, **payload.dict(exclude_unset=True, exclude_none=True))
    return staff.get_staff(request.actor, staff_id)


@router.post("/staff/{staff_id}/deactivate", response=StaffOut)
def deactivate_staff(request, staff_id: int):
    """A leaver: no more sign-ins, every API token ends (401 at once), every console session is deleted."""
    staff.deactivate_staff_member(request.actor, staff.get_staff(request.actor, staff_id))
    return staff.get_staff(request.actor, staff_id)


@router.post("/staff/{staff_id}/reactivate", response=StaffOut)
def reactivate_staff(request, staff_id: int):
    staff.reactivate_staff_member(request.actor, staff.get_staff(request.actor, staff_id))
    return staff.get_staff(request.actor, staff_id)


@router.post("/staff/{staff_id}/reset-password", response=PasswordResetOut)
def reset_staff_password(request, staff_id: int, payload: PasswordResetIn | None = None):
    """A new password: generated and returned once in `one_time_password`, or the one given. Ends every token and
    session of the account."""
    profile = staff.get_staff(request.actor, staff_id)
    password = payload.password if payload is not None else None
    return {"one_time_password": staff.reset_staff_password(request.actor, profile, password)}
