"""Who may see what and who may do what — the one place that decides.

* `Actor` is the acting person as the rules see them: staff with a role and the projects they may see, or an
  owner with their units. `wuye.people` builds it from a user (`people.access.actor_for`).
* `scoped(queryset, actor)` narrows any queryset to what the actor may see. Each model says how it reaches a
  project (`scope_project_path`) and, when owners may see it, a unit (`scope_unit_path`). Every list and lookup in
  views, API handlers and jobs goes through it; a record outside scope answers 404 (`get_scoped_or_404`).
* `require(actor, permission)` checks what a role may do. Apps declare their permissions in `permissions.py`
  with `grant(...)`, found at start-up; the table is readable in one place at run time (`role_permissions()`).
* `resource(name, read=, write=, owners=)` declares, once per kind of record, the permission staff need to read
  it and the ones that change it; every face (API, console, portal, exports) asks `may_read` / `require_read`
  with the resource's name, so the faces cannot drift apart (`resources()` lists them for the tests).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import models
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .errors import NotAllowed


class Role(models.TextChoices):
    CUSTOMER_SERVICE = "customer_service", gettext_lazy("Customer service")
    ENGINEERING = "engineering", gettext_lazy("Engineering")
    SECURITY = "security", gettext_lazy("Order and security")
    ENVIRONMENT = "environment", gettext_lazy("Environment")
    FINANCE = "finance", gettext_lazy("Finance")
    PROJECT_MANAGER = "project_manager", gettext_lazy("Project manager")
    QUALITY = "quality", gettext_lazy("Quality")
    COMPANY_ADMIN = "company_admin", gettext_lazy("Company administrator")
    OWNER = "owner", gettext_lazy("Owner")


STAFF_ROLES = frozenset(Role) - {Role.OWNER}


@dataclass(frozen=True)
class Actor:
    """The acting person. `project_ids` None means every project of `company_id` (or every company for a superuser)."""

    user: object
    role: Role | None
    company_id: int | None = None
    project_ids: frozenset[int] | None = frozenset()
    unit_ids: frozenset[int] = field(default_factory=frozenset)
    resident_id: int | None = None
    is_superuser: bool = False
    is_supervisor: bool = False

    @property
    def is_staff_member(self) -> bool:
        return self.is_superuser or (self.role is not None and self.role != Role.OWNER)

    @property
    def is_owner(self) -> bool:
        return self.role == Role.OWNER

    def may(self, permission: str) -> bool:
        if self.is_superuser:
            return True
        return self.role is not None and permission in _PERMISSIONS.get(self.role, ())

    def sees_project(self, project_id: int | None) -> bool:
        if self.is_superuser or (self.is_staff_member and self.project_ids is None):
            return True  # company scope is enforced by scoped() on the project itself
        return project_id is not None and project_id in (self.project_ids or ())


ANONYMOUS = Actor(user=None, role=None)

_PERMISSIONS: dict[Role, set[str]] = defaultdict(set)


def grant(permissions: dict[str, Iterable[Role]]) -> None:
    """Declare, per permission name, the roles that have it (called from each app's permissions.py)."""
    for permission, roles in permissions.items():
        for role in roles:
            _PERMISSIONS[Role(role)].add(permission)


def role_permissions() -> dict[str, list[str]]:
    return {role.value: sorted(_PERMISSIONS.get(role, ())) for role in Role}


def require(actor: Actor, permission: str) -> None:
    """Raise NotAllowed (403) unless the actor's role has `permission`."""
    if not actor.may(permission):
        raise NotAllowed(_("Your role may not do this."))


@dataclass(frozen=True)
class Resource:
    """A kind of record as the faces show it: staff read it with `read`; `write` names the permissions of the
    actions that change it; `owners` says whether owners read their own rows (through `scoped`)."""

    name: str
    read: str
    write: tuple[str, ...] = ()
    owners: bool = False


_RESOURCES: dict[str, Resource] = {}


def resource(name: str, *, read: str, write: Iterable[str] = (), owners: bool = False) -> Resource:
    """Declare a resource (called from each app's permissions.py); its name is what the faces check."""
    declared = Resource(name, read, tuple(write), owners)
    _RESOURCES[name] = declared
    return declared


def resources() -> dict[str, Resource]:
    return dict(_RESOURCES)


def may_read(actor: Actor, name: str) -> bool:
    """Whether `actor` may open the lists and pages of resource `name` (which rows they see is `scoped`'s job)."""
    declared = _RESOURCES[name]  # a KeyError here is a typo in a face, found by the permission matrix test
    if actor.is_owner:
        return declared.owners
    return actor.is_staff_member and actor.may(declared.read)


def require_read(actor: Actor, name: str) -> None:
    """Raise NotAllowed (403) unless `actor` may read resource `name`."""
    if not may_read(actor, name):
        raise NotAllowed(_("Your role may not do this."))


def scoped(queryset: models.QuerySet, actor: Actor) -> models.QuerySet:
    """Only the rows of `queryset` that `actor` may see."""
    model = queryset.model
    if actor.is_superuser:
        return queryset
    project_path = getattr(model, "scope_project_path", None)
    if actor.is_owner:
        unit_path = getattr(model, "scope_unit_path", None)
        if unit_path is None or not actor.unit_ids:
            return queryset.none()
        # A subquery rather than a join keeps one row per record where the path crosses a many-relation.
        # `scope_unit_extra` narrows the same join (e.g. current residencies only, so a past owner's record
        # stays hidden from the next owner).
        conditions = {f"{unit_path}__in": actor.unit_ids, **getattr(model, "scope_unit_extra", {})}
        visible = model._default_manager.filter(**conditions).values("pk")
        queryset = queryset.filter(pk__in=visible)
        # A model may narrow further what an owner sees of their own units (e.g. only complaints they filed).
        narrow = getattr(model, "narrow_for_owner", None)
        return narrow(queryset, actor) if narrow else queryset
    if not actor.is_staff_member or project_path is None or actor.company_id is None:
        return queryset.none()
    prefix = f"{project_path}__" if project_path != "self" else ""
    queryset = queryset.filter(**{f"{prefix}company_id": actor.company_id})
    if actor.project_ids is not None:
        queryset = queryset.filter(**{f"{prefix}id__in" if prefix else "id__in": actor.project_ids})
    return queryset


def get_scoped_or_404(queryset: models.QuerySet, actor: Actor, **lookup):
    """The one record matching `lookup` within the actor's scope, else 404 — existence never leaks."""
    try:
        return scoped(queryset, actor).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_scoped_or_invalid(queryset: models.QuerySet, actor: Actor, pk, field_name: str):
    """For ids given in a request body: the record in scope, or a 422 naming the field (unknown = invisible)."""
    from .errors import InvalidInput

    try:
        return scoped(queryset, actor).get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise InvalidInput(field_name, _("No such %(thing)s.") % {"thing": queryset.model._meta.verbose_name}) from None
