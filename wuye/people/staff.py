"""Staff accounts (员工): the company administration creates them, gives them a role and projects, resets their
passwords and deactivates leavers. Every change is an event on the staff member's record (`StaffProfile`) naming
who did it and what changed — never a password.

Who may: `people.manage_staff` (company administrators; superusers everywhere). A company administrator sees and
changes only their own company's staff: anyone else's is a 404 (`staff_in_scope`). A company keeps at least one
active administrator, and nobody deactivates themselves (409).

A reset gives the staff member a generated one-time password, shown once to the administrator (or one the
administrator types). It is not forced to be changed at the next sign-in: the console has no password page for
staff yet, so a forced change could not be completed; the reset ends every token and session of the account.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wuye.core.access import STAFF_ROLES, Actor, Role, require
from wuye.core.errors import Conflict, InvalidInput, Problems
from wuye.core.events import record_event
from wuye.core.pii import mask_phone
from wuye.core.sentences import register_sentences
from wuye.core.sessions import end_sessions
from wuye.core.templatetags.timeline import register_event_labels
from wuye.core.tokens import revoke_all_tokens
from wuye.core.validators import normalize_phone
from wuye.tenancy.models import Company, Project

from .models import StaffProfile

STAFF_ROLE_CHOICES = [(role.value, role.label) for role in Role if role in STAFF_ROLES]
_ROLE_NAMES = dict(STAFF_ROLE_CHOICES)
# No 0/O, 1/l/I: the password is read out or copied by hand.
_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
ONE_TIME_PASSWORD_LENGTH = 12

register_sentences({
    "staff.created": (gettext_lazy("Staff account created: %(role)s"), {
        "details": ("projects", "all_projects", "is_supervisor", "in_emergency_group", "phone"), "example": {
            "username": "gongcheng", "role": "engineering", "all_projects": False, "projects": ["和园小区"],
            "is_supervisor": True, "in_emergency_group": True, "phone": "138****0001", "generated": True}}),
    "staff.changed": (gettext_lazy("Staff account changed"), {
        "details": ("name", "role_from", "role_to", "all_projects", "projects_added", "projects_removed",
                    "is_supervisor", "in_emergency_group", "phone", "employee_number", "email"), "example": {
            "role_from": "customer_service", "role_to": "engineering", "projects_added": ["和园小区"],
            "projects_removed": [], "is_supervisor": False, "in_emergency_group": True, "phone": "138****0001",
            "employee_number": "E-0012",
            "name": "王强"}}),
    "staff.deactivated": (gettext_lazy("Staff account deactivated; signed out everywhere"), {
        "example": {"tokens_revoked": 1, "sessions_ended": 2}}),
    "staff.reactivated": (gettext_lazy("Staff account reactivated"), {}),
    "staff.password_reset": (gettext_lazy("Password reset by an administrator; signed out everywhere"), {
        "example": {"generated": True, "tokens_revoked": 0, "sessions_ended": 1}}),
})
register_event_labels(
    details={
        "username": gettext_lazy("username"), "role": gettext_lazy("role"), "role_from": gettext_lazy("role before"),
        "role_to": gettext_lazy("role after"), "projects": gettext_lazy("projects"),
        "projects_added": gettext_lazy("projects added"), "projects_removed": gettext_lazy("projects removed"),
        "all_projects": gettext_lazy("all projects"), "is_supervisor": gettext_lazy("supervisor"),
        "in_emergency_group": gettext_lazy("emergency command group"),
        "name": gettext_lazy("name"), "phone": gettext_lazy("phone"), "email": gettext_lazy("e-mail"),
        "employee_number": gettext_lazy("employee number"), "tokens_revoked": gettext_lazy("API tokens ended"),
        "sessions_ended": gettext_lazy("sessions ended"), "generated": gettext_lazy("one-time password generated"),
    },
    values={"role": _ROLE_NAMES, "role_from": _ROLE_NAMES, "role_to": _ROLE_NAMES,
            "reason": {"deactivated": gettext_lazy("account deactivated"),
                       "password_reset": gettext_lazy("password reset by an administrator")}},
)


def staff_in_scope(actor: Actor) -> QuerySet[StaffProfile]:
    """The staff records `actor` may manage: their own company's (every company's for a superuser)."""
    require(actor, "people.manage_staff")
    profiles = StaffProfile.objects.select_related("user", "company").prefetch_related("projects")
    if actor.is_superuser:
        return profiles
    if actor.company_id is None:
        return profiles.none()
    return profiles.filter(company_id=actor.company_id)


def get_staff(actor: Actor, user_id) -> StaffProfile:
    """One staff member by their user id, within `actor`'s company, else 404 (another company's staff included)."""
    try:
        return staff_in_scope(actor).get(user_id=user_id)
    except (StaffProfile.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def filter_staff(profiles: QuerySet[StaffProfile], *, role: str | None = None, project: int | None = None,
                 active: bool | None = None, q: str | None = None) -> QuerySet[StaffProfile]:
    """The list's filters, the same for the console and the API. `project`: who works on it — its members and
    the company-wide staff (as `services.staff_with_role` finds them); `q`: part of a name or username, or a
    full phone number."""
    if role:
        profiles = profiles.filter(role=role)
    if project is not None:
        profiles = profiles.filter(
            Q(projects=project) | Q(all_projects=True) | Q(role=Role.COMPANY_ADMIN),
            company__projects=project,
        ).distinct()
    if active is not None:
        profiles = profiles.filter(user__is_active=active)
    if q and (text := q.strip()):
        where = Q(user__username__icontains=text) | Q(user__first_name__icontains=text)
        with contextlib.suppress(ValueError):  # not a phone number: names only
            where |= Q(phone=normalize_phone(text))
        profiles = profiles.filter(where)
    return profiles.order_by("-user__is_active", "role", "user__username")


def one_time_password() -> str:
    return "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(ONE_TIME_PASSWORD_LENGTH))


def _company(actor: Actor, company_id: int | None) -> Company:
    """The company a new staff member joins: the administrator's own; a superuser names it unless there is one."""
    companies = Company.objects.all() if actor.is_superuser else Company.objects.filter(pk=actor.company_id)
    if company_id is not None:
        company = companies.filter(pk=company_id).first()
        if company is None:
            raise InvalidInput("company_id", _("No such company."))
        return company
    found = list(companies[:2])
    if len(found) != 1:
        raise InvalidInput("company_id", _("Choose the company."))
    return found[0]


def _check_password(problems: Problems, password: str, user) -> None:
    try:
        validate_password(password, user)
    except ValidationError as error:
        problems.add("password", " ".join(error.messages))


def _check_scope(problems: Problems, company: Company, role: str, project_ids: Iterable[int],
                 all_projects: bool) -> list[Project]:
    """The role is a staff role; the projects exist in `company`; someone not company-wide has at least one."""
    if role not in _ROLE_NAMES:
        problems.add("role", _("Choose one of: %(choices)s.") % {"choices": ", ".join(_ROLE_NAMES)})
    wanted = list(dict.fromkeys(project_ids))
    projects = list(Project.objects.filter(company=company, pk__in=wanted).order_by("code"))
    missing = [pk for pk in wanted if pk not in {p.pk for p in projects}]
    if missing:
        problems.add("project_ids", _("No such project in this company: %(ids)s.") % {
            "ids": ", ".join(str(pk) for pk in missing)})
    elif not projects and not all_projects and role != Role.COMPANY_ADMIN:
        problems.add("project_ids", _("Choose at least one project, or all projects."))
    return projects


def _check_contact(problems: Problems, *, phone: str | None = None, email: str | None = None) -> dict:
    cleaned = {}
    if phone is not None:
        cleaned["phone"] = problems.check("phone", normalize_phone, phone) if phone.strip() else ""
    if email is not None:
        email = email.strip()
        try:
            if email:
                validate_email(email)
            cleaned["email"] = email
        except ValidationError:
            problems.add("email", _("Enter a valid e-mail address."))
    return cleaned


def _lock_company(company_id: int) -> None:
    """Serialise changes to one company's administrators, so two of them cannot remove each other at once."""
    Company.objects.select_for_update().filter(pk=company_id).first()


def _refuse_losing_last_admin(profile: StaffProfile) -> None:
    if profile.role != Role.COMPANY_ADMIN or not profile.user.is_active:
        return
    others = StaffProfile.objects.filter(company_id=profile.company_id, role=Role.COMPANY_ADMIN,
                                         user__is_active=True).exclude(pk=profile.pk)
    if not others.exists():
        raise Conflict(_("%(name)s is the company's last active administrator: make someone else an "
                         "administrator first.") % {"name": profile.user.get_full_name() or profile.user.username})


def _names(projects: Iterable[Project]) -> list[str]:
    return [project.name for project in projects]


@transaction.atomic
def create_staff_member(actor: Actor, *, username: str, name: str, role: str, project_ids: Iterable[int] = (),
                        all_projects: bool = False, is_supervisor: bool = False,
                        in_emergency_group: bool = False, phone: str = "", email: str = "",
                        employee_number: str = "", password: str | None = None,
                        company_id: int | None = None) -> tuple[StaffProfile, str | None]:
    """A staff login with its role and projects (one, several, or all of the company's). Without `password` a
    one-time password is generated and returned — the only time anyone sees it; with one, it is checked against
    the password rules. Returns the record and the generated password (None when the administrator chose it)."""
    require(actor, "people.manage_staff")
    company = _company(actor, company_id)
    problems = Problems()
    username = (username or "").strip()
    user_model = get_user_model()
    if not username:
        problems.add("username", _("Enter a username."))
    else:
        try:
            UnicodeUsernameValidator()(username)
        except ValidationError as error:
            problems.add("username", " ".join(error.messages))
        if user_model.objects.filter(username__iexact=username).exists():
            problems.add("username", _("This username is taken."))
    name = (name or "").strip()
    if not name:
        problems.add("name", _("Enter the staff member's name."))
    projects = _check_scope(problems, company, role, project_ids, all_projects)
    contact = _check_contact(problems, phone=phone, email=email)
    generated = None
    if password is None:
        password = generated = one_time_password()
    else:
        _check_password(problems, password, user_model(username=username, first_name=name, email=email))
    problems.raise_if_any()

    user = user_model.objects.create_user(username=username, password=password, first_name=name,
                                          email=contact.get("email", ""))
    company_wide = all_projects or role == Role.COMPANY_ADMIN
    profile = StaffProfile.objects.create(user=user, company=company, role=role, all_projects=company_wide,
                                          is_supervisor=is_supervisor, in_emergency_group=bool(in_emergency_group),
                                          phone=contact.get("phone", ""),
                                          employee_number=(employee_number or "").strip())
    if not company_wide:
        profile.projects.set(projects)
    record_event(profile, "staff.created", actor=actor.user, data={
        "username": username, "role": role, "all_projects": company_wide,
        "projects": [] if company_wide else _names(projects), "is_supervisor": is_supervisor,
        "in_emergency_group": bool(in_emergency_group), "phone": mask_phone(profile.phone),
        "generated": generated is not None,
    })
    return profile, generated


@transaction.atomic
def update_staff_member(actor: Actor, profile: StaffProfile, **changes) -> StaffProfile:
    """Change a staff member's name, contact, role, projects or supervisor flag (only the fields given). The new
    role and projects apply from their next request. Refused (409) when it would leave the company without an
    active administrator."""
    require(actor, "people.manage_staff")
    allowed = {"name", "phone", "email", "employee_number", "role", "project_ids", "all_projects", "is_supervisor",
               "in_emergency_group"}
    unknown = set(changes) - allowed
    if unknown:
        raise InvalidInput(sorted(unknown)[0], _("This field cannot be changed here."))
    _lock_company(profile.company_id)
    profile = StaffProfile.objects.select_related("user").get(pk=profile.pk)
    user = profile.user
    problems = Problems()
    role = changes.get("role", profile.role)
    all_projects = changes.get("all_projects", profile.all_projects) or role == Role.COMPANY_ADMIN
    before = set(profile.projects.all())
    if "project_ids" in changes or "role" in changes or "all_projects" in changes:
        project_ids = changes["project_ids"] if "project_ids" in changes else [p.pk for p in before]
        projects = set(_check_scope(problems, profile.company, role, project_ids, all_projects))
    else:
        projects = before
    if "name" in changes and not (changes["name"] or "").strip():
        problems.add("name", _("Enter the staff member's name."))
    contact = _check_contact(problems, phone=changes.get("phone"), email=changes.get("email"))
    problems.raise_if_any()
    if role != profile.role and profile.role == Role.COMPANY_ADMIN:
        _refuse_losing_last_admin(profile)

    data: dict = {}
    if role != profile.role:
        data.update(role_from=profile.role, role_to=role)
        profile.role = role
    if all_projects != profile.all_projects:
        data["all_projects"] = all_projects
        profile.all_projects = all_projects
    if all_projects:
        projects = set()
    if projects != before:
        data["projects_added"] = _names(sorted(projects - before, key=lambda p: p.code))
        data["projects_removed"] = _names(sorted(before - projects, key=lambda p: p.code))
        profile.projects.set(projects)
    if "is_supervisor" in changes and changes["is_supervisor"] != profile.is_supervisor:
        profile.is_supervisor = data["is_supervisor"] = bool(changes["is_supervisor"])
    if "in_emergency_group" in changes and bool(changes["in_emergency_group"]) != profile.in_emergency_group:
        profile.in_emergency_group = data["in_emergency_group"] = bool(changes["in_emergency_group"])
    if "phone" in contact and contact["phone"] != profile.phone:
        profile.phone = contact["phone"]
        data["phone"] = mask_phone(profile.phone) or "—"
    if "employee_number" in changes and (number := (changes["employee_number"] or "").strip()) != \
            profile.employee_number:
        profile.employee_number = data["employee_number"] = number
    if "name" in changes and (name := changes["name"].strip()) != user.first_name:
        user.first_name = data["name"] = name
        user.last_name = ""
    if "email" in contact and contact["email"] != user.email:
        user.email = data["email"] = contact["email"]
    if not data:
        return profile  # nothing changed: nothing to record
    profile.save()
    user.save(update_fields=["first_name", "last_name", "email"])
    record_event(profile, "staff.changed", actor=actor.user, data=data)
    return profile


@transaction.atomic
def deactivate_staff_member(actor: Actor, profile: StaffProfile) -> StaffProfile:
    """A leaver: the account can no longer sign in, every API token ends at once and every console session is
    deleted (their next request is signed out). Kept on record, with their past work; reactivating restores the
    login, not the tokens or sessions."""
    require(actor, "people.manage_staff")
    _lock_company(profile.company_id)
    profile = StaffProfile.objects.select_related("user").get(pk=profile.pk)
    user = profile.user
    if user.pk == getattr(actor.user, "pk", None):
        raise Conflict(_("You cannot deactivate your own account."))
    if not user.is_active:
        raise Conflict(_("This account is already deactivated."))
    _refuse_losing_last_admin(profile)
    user.is_active = False
    user.save(update_fields=["is_active"])
    tokens = revoke_all_tokens(user, actor=actor.user, reason="deactivated")
    sessions = end_sessions(user)
    record_event(profile, "staff.deactivated", actor=actor.user,
                 data={"tokens_revoked": tokens, "sessions_ended": sessions})
    return profile


@transaction.atomic
def reactivate_staff_member(actor: Actor, profile: StaffProfile) -> StaffProfile:
    """A returning staff member signs in again with their password (reset it if they no longer know it)."""
    require(actor, "people.manage_staff")
    profile = StaffProfile.objects.select_related("user").get(pk=profile.pk)
    if profile.user.is_active:
        raise Conflict(_("This account is active."))
    profile.user.is_active = True
    profile.user.save(update_fields=["is_active"])
    record_event(profile, "staff.reactivated", actor=actor.user)
    return profile


@transaction.atomic
def reset_staff_password(actor: Actor, profile: StaffProfile, password: str | None = None) -> str | None:
    """A new password for a staff member: generated and returned (shown once) unless the administrator gives one.
    Every API token and console session of the account ends. The event records that it happened, not the
    password."""
    require(actor, "people.manage_staff")
    user = profile.user
    if password is not None:
        problems = Problems()
        _check_password(problems, password, user)
        problems.raise_if_any()
    generated = None if password is not None else one_time_password()
    # Revoked here with the administrator's name; the password-change hook then finds nothing left to revoke.
    tokens = revoke_all_tokens(user, actor=actor.user, reason="password_reset")
    user.set_password(password if password is not None else generated)
    user.save(update_fields=["password"])
    sessions = end_sessions(user)
    record_event(profile, "staff.password_reset", actor=actor.user,
                 data={"generated": generated is not None, "tokens_revoked": tokens, "sessions_ended": sessions})
    return generated
