"""Owner records (业主档案), residencies, vehicles and staff accounts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Case, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from wuye.core.access import Actor, Role, require
from wuye.core.errors import Conflict, InvalidInput, Problems
from wuye.core.events import record_event
from wuye.core.pii import mask_id_number, mask_phone
from wuye.core.validators import normalize_id_number, normalize_phone, normalize_plate
from wuye.tenancy.models import Project, Unit

from .models import OWNING_RELATIONS, Relation, Residency, Resident, StaffProfile, Vehicle, VehicleKind


@dataclass
class VehicleInput:
    plate: str
    kind: str = VehicleKind.CAR
    brand: str = ""


def _check_plate(problems: Problems, field: str, project: Project, plate: str, seen: set[str]) -> str | None:
    normalized = problems.check(field, normalize_plate, plate)
    if normalized is None:
        return None
    if normalized in seen or Vehicle.objects.filter(project=project, plate=normalized).exists():
        problems.add(field, _("Plate %(plate)s is already registered in this project.") % {"plate": normalized})
        return None
    seen.add(normalized)
    return normalized


@transaction.atomic
def register_resident(
    actor: Actor,
    *,
    unit: Unit,
    name: str,
    phone: str,
    relation: str = Relation.OWNER,
    id_number: str = "",
    email: str = "",
    started_on: date | None = None,
    vehicles: list[VehicleInput] = (),
) -> Resident:
    """Record a resident of `unit` with their vehicles — all of it or, on any wrong field, nothing.

    A resident already on record in the project with the same ID number gets the new residency added to the
    existing record instead of a duplicate.
    """
    require(actor, "people.manage_residents")
    problems = Problems()
    name = (name or "").strip()
    if not name:
        problems.add("name", _("Enter the resident's name."))
    phone = problems.check("phone", normalize_phone, phone)
    if id_number:
        id_number = problems.check("id_number", normalize_id_number, id_number)
    if relation not in Relation.values:
        problems.add("relation", _("Choose one of: %(choices)s.") % {"choices": ", ".join(Relation.values)})
    seen: set[str] = set()
    plates = [
        _check_plate(problems, f"vehicles[{index}].plate", unit.project, vehicle.plate, seen)
        for index, vehicle in enumerate(vehicles)
    ]
    problems.raise_if_any()

    resident = (
        Resident.objects.select_for_update().filter(project_id=unit.project_id, id_number=id_number).first()
        if id_number else None
    )
    created = resident is None
    if created:
        resident = Resident.objects.create(
            project_id=unit.project_id, name=name, phone=phone, id_number=id_number or "", email=email
        )
    elif Residency.objects.current().filter(unit=unit, resident=resident).exists():
        raise Conflict(_("%(name)s is already recorded for unit %(unit)s.") % {"name": resident.name, "unit": unit})
    Residency.objects.create(unit=unit, resident=resident, relation=relation, started_on=started_on)
    for plate, vehicle in zip(plates, vehicles, strict=True):
        Vehicle.objects.create(project_id=unit.project_id, resident=resident, plate=plate, kind=vehicle.kind,
                               brand=vehicle.brand)
    record_event(
        resident, "resident.registered" if created else "resident.residency_added", actor=actor.user,
        data={
            "unit": unit.label, "relation": relation, "phone": mask_phone(phone),
            "id_number": mask_id_number(id_number), "vehicles": [p for p in plates if p],
        },
    )
    return resident


@transaction.atomic
def add_vehicle(actor: Actor, resident: Resident, *, plate: str, kind: str = VehicleKind.CAR,
                brand: str = "") -> Vehicle:
    require(actor, "people.manage_vehicles")
    problems = Problems()
    normalized = _check_plate(problems, "plate", resident.project, plate, set())
    if kind not in VehicleKind.values:
        problems.add("kind", _("Choose one of: %(choices)s.") % {"choices": ", ".join(VehicleKind.values)})
    problems.raise_if_any()
    vehicle = Vehicle.objects.create(project_id=resident.project_id, resident=resident, plate=normalized,
                                     kind=kind, brand=brand)
    record_event(resident, "vehicle.added", actor=actor.user, data={"plate": normalized, "kind": kind})
    return vehicle


def owning_residencies(unit_ids: Iterable[int] | None = None, *, on: date | None = None) -> QuerySet[Residency]:
    """The residencies of the owners and co-owners of `unit_ids` (of every unit if None), with their residents,
    owners before co-owners, then by id: the current ones, or with `on` those in force that day (residencies are
    ended, never deleted, so a past day's owners are still on record)."""
    residencies = Residency.objects.filter(relation__in=OWNING_RELATIONS)
    if on is None:
        residencies = residencies.current()
    else:
        residencies = (residencies.filter(Q(started_on__isnull=True) | Q(started_on__lte=on))
                       .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=on)))
    if unit_ids is not None:
        residencies = residencies.filter(unit_id__in=list(unit_ids))
    owner_first = Case(When(relation=Relation.OWNER, then=Value(0)), default=Value(1))
    return residencies.select_related("resident").order_by(owner_first, "id")


@transaction.atomic
def end_residency(actor: Actor, residency: Residency, *, on: date | None = None) -> Residency:
    """A resident moves out or sells: the link ends (kept on record); their portal no longer shows the unit."""
    require(actor, "people.manage_residents")
    if residency.ended_on is not None:
        raise Conflict(_("This residency already ended on %(date)s.") % {"date": residency.ended_on})
    residency.ended_on = on or timezone.localdate()
    residency.save(update_fields=["ended_on"])
    record_event(residency.resident, "resident.residency_ended", actor=actor.user,
                 data={"unit": residency.unit.label, "on": residency.ended_on.isoformat()})
    return residency


@transaction.atomic
def grant_portal_account(actor: Actor, resident: Resident, *, username: str, password: str):
    """Give a resident an owner-portal login tied to their record (and so to their units)."""
    require(actor, "people.manage_residents")
    user_model = get_user_model()
    if resident.user_id:
        raise Conflict(_("This resident already has a portal account."))
    if user_model.objects.filter(username=username).exists():
        raise InvalidInput("username", _("This username is taken."))
    user = user_model.objects.create_user(username=username, password=password, first_name=resident.name,
                                          email=resident.email)
    resident.user = user
    resident.save(update_fields=["user"])
    record_event(resident, "resident.portal_account_granted", actor=actor.user, data={"username": username})
    return user


@transaction.atomic
def create_staff(actor: Actor, *, company, username: str, password: str, name: str, role: str,
                 projects=(), all_projects: bool = False, is_supervisor: bool = False, email: str = ""):
    """A staff login with its role and project scope: `people.staff.create_staff_member` (checks and event
    there) in the argument order its first callers used; returns the user."""
    from .staff import create_staff_member

    profile, _generated = create_staff_member(
        actor, company_id=company.pk, username=username, password=password, name=name, role=role,
        project_ids=[project.pk for project in projects], all_projects=all_projects, is_supervisor=is_supervisor,
        email=email)
    return profile.user


def staff_with_role(role: str | None, project, *, supervisors_only: bool = False, include_company_wide: bool = True):
    """Active staff of `role` (None: any role) who work on `project` (a Project or its id, or several of them): its
    members and, unless `include_company_wide` is off, the company-wide staff of that role (all projects; a company
    administrator always is) — of the project's own company only. The one lookup behind the SLA ladder, dispatch
    lists, dunning summaries, refund deciders, improvement owners and reminder jobs."""
    several = project if isinstance(project, (list, tuple, set, frozenset, QuerySet)) else [project]
    project_ids = [getattr(one, "pk", one) for one in several]
    where = Q(projects__in=project_ids)
    if include_company_wide:
        where |= Q(all_projects=True) | Q(role=Role.COMPANY_ADMIN)
    profiles = StaffProfile.objects.filter(where, user__is_active=True, company__projects__in=project_ids)
    if role is not None:
        profiles = profiles.filter(role=role)
    if supervisors_only:
        profiles = profiles.filter(is_supervisor=True)
    return [profile.user for profile in profiles.select_related("user").distinct().order_by("user_id")]


def emergency_group(project) -> list:
    """The project's emergency command group (应急指挥小组): active staff of the project (or company-wide) marked
    as members. Nobody marked: the project's managers and the company's administrators — the seed's group is the
    company's leadership, and an emergency must never reach no one."""
    project_id = getattr(project, "pk", project)
    where = Q(projects=project_id) | Q(all_projects=True) | Q(role=Role.COMPANY_ADMIN)
    profiles = StaffProfile.objects.filter(where, user__is_active=True, company__projects=project_id)
    members = profiles.filter(in_emergency_group=True)
    if not members.exists():
        members = profiles.filter(role__in=(Role.PROJECT_MANAGER, Role.COMPANY_ADMIN))
    return [profile.user for profile in members.select_related("user").distinct().order_by("user_id")]


def phone_of_user(user) -> str:
    """The mobile number an SMS to `user` goes to: their staff profile's, else their owner record's ('' if none)
    (settings.WUYE_PHONE_LOOKUP, read by the outbox's SMS adapter)."""
    profile = StaffProfile.objects.filter(user=user).values_list("phone", flat=True).first()
    if profile:
        return profile
    return Resident.objects.filter(user=user).exclude(phone="").values_list("phone", flat=True).first() or ""


def staff_users(project_id: int, role: str, *, supervisors_only: bool = False):
    """`staff_with_role` in the argument order its first callers used."""
    return staff_with_role(role, project_id, supervisors_only=supervisors_only)
