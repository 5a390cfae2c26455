"""Creating and changing places. Each function checks the actor's role, writes, and records the event."""

from __future__ import annotations

import re
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from wuye.core.access import Actor, require
from wuye.core.errors import InvalidInput, Problems
from wuye.core.events import record_event

from .models import SHORT_CODE_PATTERN, Building, Company, Project, ServiceLevel, Unit, UnitKind


@transaction.atomic
def create_company(actor: Actor, *, name: str, credit_code: str = "") -> Company:
    """A property company on the platform (its operator, a superuser): the first step on an empty database."""
    require(actor, "tenancy.manage_companies")
    name = (name or "").strip()
    problems = Problems()
    if not name:
        problems.add("name", _("Enter the company's name."))
    elif Company.objects.filter(name=name).exists():
        problems.add("name", _("A company with this name already exists."))
    if credit_code and not re.fullmatch(r"[0-9A-HJ-NPQRTUWXY]{18}", credit_code):
        problems.add("credit_code", _("A unified social credit code has 18 digits and capital letters."))
    problems.raise_if_any()
    company = Company.objects.create(name=name, credit_code=credit_code)
    record_event(company, "company.created", actor=actor.user, data={"name": name})
    return company


def _short_code_problem(company_id, short_code: str, project_pk=None) -> str:
    """Why `short_code` cannot be the project's number prefix ("" when it can)."""
    if not re.fullmatch(SHORT_CODE_PATTERN, short_code):
        return _("Use 2 to 6 capital letters or digits, e.g. JH.")
    if Project.objects.filter(company_id=company_id, short_code=short_code).exclude(pk=project_pk).exists():
        return _("Another project of the company prints its numbers with %(code)s.") % {"code": short_code}
    return ""


@transaction.atomic
def create_project(actor: Actor, *, company, code: str, name: str, address: str = "", phone: str = "",
                   service_level: str = "", short_code: str = "") -> Project:
    """A new community of `company` (just the place: `wuye.onboarding.services.create_project` also gives it its
    service standard and default catalogue). `short_code`, the prefix of its receipt and notice numbers (JH), is
    derived from the code when left empty."""
    require(actor, "tenancy.manage_projects")
    problems = Problems()
    short_code = (short_code or "").strip().upper()
    if short_code and (problem := _short_code_problem(company.pk, short_code)):
        problems.add("short_code", problem)
    if Project.objects.filter(company=company, code__iexact=code).exists():
        problems.add("code", _("A project with this code already exists."))
    if not (name or "").strip():
        problems.add("name", _("Enter the project's name."))
    if service_level not in ("", *ServiceLevel.values):
        problems.add("service_level", _("Choose one of: %(choices)s.") % {"choices": ", ".join(ServiceLevel.values)})
    problems.raise_if_any()
    try:
        with transaction.atomic():
            project = Project.objects.create(company=company, code=code, name=name.strip(), address=address,
                                             phone=phone, service_level=service_level, short_code=short_code)
    except IntegrityError:  # the same code created meanwhile
        raise InvalidInput("code", _("A project with this code already exists.")) from None
    record_event(project, "project.created", actor=actor.user,
                 data={"code": code, "name": project.name, "service_level": service_level,
                       "short_code": project.short_code})
    return project


@transaction.atomic
def set_short_code(actor: Actor, project: Project, short_code: str) -> Project:
    """Change the prefix of the project's receipt and notice numbers (2–6 capital letters or digits, unique in the
    company). Numbers already issued keep the prefix they were printed with; the year's sequence goes on."""
    require(actor, "tenancy.manage_projects")
    short_code = (short_code or "").strip().upper()
    if problem := _short_code_problem(project.company_id, short_code, project.pk):
        raise InvalidInput("short_code", problem)
    project = Project.objects.select_for_update().get(pk=project.pk)
    old = project.short_code
    if old != short_code:
        project.short_code = short_code
        try:
            with transaction.atomic():
                project.save(update_fields=["short_code"])
        except IntegrityError:  # taken meanwhile
            raise InvalidInput("short_code", _("Another project of the company prints its numbers with %(code)s.")
                               % {"code": short_code}) from None
        record_event(project, "project.short_code_changed", actor=actor.user, data={"from": old, "to": short_code})
    return project


@transaction.atomic
def create_building(actor: Actor, *, project: Project, number: str, name: str = "", floors: int = 1,
                    has_elevator: bool = True) -> Building:
    """A building in `project`; its number is unique in the project."""
    require(actor, "tenancy.manage_places")
    if Building.objects.filter(project=project, number=number).exists():
        raise InvalidInput("number", _("Building %(number)s already exists in this project.") % {"number": number})
    building = Building.objects.create(
        project=project, number=number, name=name, floors=floors, has_elevator=has_elevator
    )
    record_event(building, "building.created", actor=actor.user, data={"number": number})
    return building


@transaction.atomic
def create_unit(actor: Actor, *, building: Building, number: str, floor: int, area: Decimal,
                kind: str = UnitKind.RESIDENTIAL, entrance: str = "") -> Unit:
    """A unit in `building`; its number is unique in the building and its floor exists."""
    require(actor, "tenancy.manage_places")
    problems = Problems()
    if Unit.objects.filter(building=building, number=number).exists():
        problems.add("number", _("Unit %(number)s already exists in this building.") % {"number": number})
    if floor == 0 or floor > building.floors:
        problems.add("floor", _("Building %(building)s has floors 1 to %(floors)s (basements below 0).")
                     % {"building": building.number, "floors": building.floors})
    if area <= 0:
        problems.add("area", _("Floor area must be greater than 0 m²."))
    problems.raise_if_any()
    unit = Unit.objects.create(
        project_id=building.project_id, building=building, number=number, floor=floor, area=area, kind=kind,
        entrance=entrance,
    )
    record_event(unit, "unit.created", actor=actor.user, data={"number": number, "area": str(area), "kind": kind})
    return unit

