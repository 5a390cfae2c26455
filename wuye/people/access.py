"""Builds the `Actor` (see wuye.core.access) for a user: staff role and projects, or an owner's units."""

from __future__ import annotations

from wuye.core.access import ANONYMOUS, Actor, Role

from .models import Residency, StaffProfile


def actor_for(user) -> Actor:
    """The actor for a Django user; anonymous users and users with neither profile see nothing."""
    if user is None or not user.is_authenticated:
        return ANONYMOUS
    if user.is_superuser:
        return Actor(user=user, role=Role.COMPANY_ADMIN, project_ids=None, is_superuser=True)
    relation = StaffProfile.user.field.remote_field
    if relation.is_cached(user):
        profile = relation.get_cached_value(user)  # read with the API token (core.tokens.lookup)
    else:
        profile = StaffProfile.objects.filter(user=user).first()
    if profile is not None:
        all_projects = profile.all_projects or profile.role == Role.COMPANY_ADMIN
        return Actor(
            user=user,
            role=Role(profile.role),
            company_id=profile.company_id,
            project_ids=None if all_projects else frozenset(profile.projects.values_list("id", flat=True)),
            is_supervisor=profile.is_supervisor,
        )
    resident = getattr(user, "resident", None)
    if resident is not None:
        unit_ids = frozenset(
            Residency.objects.current().filter(resident=resident).values_list("unit_id", flat=True)
        )
        return Actor(
            user=user, role=Role.OWNER, project_ids=frozenset({resident.project_id}), unit_ids=unit_ids,
            resident_id=resident.pk,
        )
    return Actor(user=user, role=None)
