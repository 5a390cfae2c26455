"""The standards library and the service packages (SPEC §6).

A standard (检查标准) is a checklist of the company's library; its content — numbered categories and items, each
item with its points, deduction per failure, whether it is critical, its severity and responsible department —
lives in numbered versions. Editing a standard never changes a version: `revise_standard` writes version
max + 1, so an inspection keeps the version it was scored against.

A service package is one of the three service levels (一级/二级/三级): the SLA standard (time limits) a project of
that level promises and the standards it is inspected by. `assign_package` puts a project on a level.

Every change records an event in the same transaction: standard.created, standard.revised, standard.changed,
service_package.created, service_package.assigned.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, OuterRef, Prefetch, Subquery
from django.http import Http404
from django.utils.translation import gettext as _

from wuye.core.access import STAFF_ROLES, Actor, Role, may_read, require
from wuye.core.errors import Conflict, InvalidInput, Problems
from wuye.core.events import record_event
from wuye.tenancy.models import Company, Project, ServiceLevel

from .models import (
    ServicePackage,
    Severity,
    Standard,
    StandardCategory,
    StandardItem,
    StandardPurpose,
    StandardVersion,
)

MANAGE = "quality.manage_standards"
MAX_CATEGORIES = 50
MAX_ITEMS = 500
MAX_TEXT = 1000
MAX_POINTS = Decimal("100")


# -- the content of a version -----------------------------------------------------------------------------------
@dataclass
class ItemInput:
    number: int
    text: str
    points: Decimal
    deduction: Decimal
    critical: bool = False
    severity: str = Severity.MINOR
    department: str = Role.CUSTOMER_SERVICE


@dataclass
class CategoryInput:
    number: int
    name: str
    items: list[ItemInput] = field(default_factory=list)


def _get(value, name: str, default=None):
    if isinstance(value, Mapping):
        return value.get(name, default)
    return getattr(value, name, default)


def _number(value, *, lowest: int = 1, highest: int = 9999) -> int:
    if isinstance(value, bool):
        raise ValueError(_("Enter a whole number."))
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValueError(_("Enter a whole number.")) from None
    if number != value and str(number) != str(value).strip():
        raise ValueError(_("Enter a whole number."))
    if not lowest <= number <= highest:
        raise ValueError(_("Enter a number from %(low)s to %(high)s.") % {"low": lowest, "high": highest})
    return number


def _points(value, *, allow_zero: bool) -> Decimal:
    if isinstance(value, bool) or value is None or value == "":
        raise ValueError(_("Enter a number."))
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(_("Enter a number.")) from None
    if not number.is_finite():
        raise ValueError(_("Enter a number."))
    if number.as_tuple().exponent < -2:
        raise ValueError(_("At most %(places)s decimal places.") % {"places": 2})
    if number < 0 or (number == 0 and not allow_zero) or number > MAX_POINTS:
        low = "0" if allow_zero else "0.01"
        raise ValueError(_("Enter a number from %(low)s to %(high)s.") % {"low": low, "high": MAX_POINTS})
    return number.quantize(Decimal("0.01"))


def _text(value, limit: int) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else None
    if text is None:
        raise ValueError(_("Enter text."))
    if not text:
        raise ValueError(_("This field is required."))
    if len(text) > limit:
        raise ValueError(_("At most %(count)s characters.") % {"count": limit})
    if "\x00" in text:
        raise ValueError(_("Enter text."))
    return text


def _choice(value, choices: Iterable[str], default: str) -> str:
    if value in (None, ""):
        return default
    value = str(value)
    allowed = list(choices)
    if value not in allowed:
        raise ValueError(_("Choose one of: %(choices)s.") % {"choices": ", ".join(allowed)})
    return value


def _flag(value) -> bool:
    if value in (None, ""):
        return False
    if isinstance(value, bool):
        return value
    raise ValueError(_("Enter true or false."))


DEPARTMENTS = tuple(sorted(role.value for role in STAFF_ROLES))


def clean_categories(categories, field_name: str = "categories") -> list[CategoryInput]:
    """The categories and items of a version, checked: every wrong value is a problem naming its place
    (`categories[0].items[2].points`), all reported at once (InvalidInput, 422). Category and item numbers are
    taken as given or counted on (1, 2, 3 …); item numbers run through the whole version, each used once."""
    problems = Problems()
    if not isinstance(categories, (list, tuple)) or not categories:
        raise InvalidInput(field_name, _("Give at least one category with its items."))
    if len(categories) > MAX_CATEGORIES:
        raise InvalidInput(field_name, _("At most %(count)s categories.") % {"count": MAX_CATEGORIES})
    if sum(len(_get(category, "items") or ()) for category in categories) > MAX_ITEMS:
        raise InvalidInput(field_name, _("At most %(count)s items in a standard.") % {"count": MAX_ITEMS})
    cleaned: list[CategoryInput] = []
    category_numbers: set[int] = set()
    item_numbers: set[int] = set()
    next_item = 1
    for c_index, category in enumerate(categories):
        where = f"{field_name}[{c_index}]"
        given = _get(category, "number")
        number = c_index + 1 if given in (None, "") else problems.check(f"{where}.number", _number, given)
        if number is not None:
            if number in category_numbers:
                problems.add(f"{where}.number", _("Category %(number)s appears twice.") % {"number": number})
            category_numbers.add(number)
        name = problems.check(f"{where}.name", lambda v: _text(v, 100), _get(category, "name"))
        items = _get(category, "items") or []
        if not isinstance(items, (list, tuple)) or not items:
            problems.add(f"{where}.items", _("Give at least one item."))
            items = []
        out = CategoryInput(number or 0, name or "")
        for i_index, item in enumerate(items):
            at = f"{where}.items[{i_index}]"
            given = _get(item, "number")
            item_number = next_item if given in (None, "") else problems.check(f"{at}.number", _number, given)
            if item_number is not None:
                if item_number in item_numbers:
                    problems.add(f"{at}.number", _("Item %(number)s appears twice.") % {"number": item_number})
                item_numbers.add(item_number)
                next_item = item_number + 1
            text = problems.check(f"{at}.text", lambda v: _text(v, MAX_TEXT), _get(item, "text"))
            points = problems.check(f"{at}.points", lambda v: _points(v, allow_zero=False), _get(item, "points"))
            deduction = problems.check(f"{at}.deduction", lambda v: _points(v, allow_zero=True),
                                       _get(item, "deduction", "1"))
            if points is not None and deduction is not None and deduction > points:
                problems.add(f"{at}.deduction", _("A failure cannot cost more than the item's points."))
            critical = problems.check(f"{at}.critical", _flag, _get(item, "critical", False))
            severity = problems.check(f"{at}.severity", lambda v: _choice(v, Severity.values, Severity.MINOR),
                                      _get(item, "severity"))
            department = problems.check(f"{at}.department",
                                        lambda v: _choice(v, DEPARTMENTS, Role.CUSTOMER_SERVICE),
                                        _get(item, "department"))
            out.items.append(ItemInput(item_number or 0, text or "", points or Decimal(0), deduction or Decimal(0),
                                       bool(critical), severity or Severity.MINOR,
                                       department or Role.CUSTOMER_SERVICE))
        cleaned.append(out)
    problems.raise_if_any()
    return cleaned


def _write_version(standard: Standard, number: int, categories: list[CategoryInput], *, note: str,
                   user) -> StandardVersion:
    version = StandardVersion.objects.create(standard=standard, number=number, note=note[:200],
                                             created_by=user if getattr(user, "pk", None) else None)
    for category in sorted(categories, key=lambda c: c.number):
        row = StandardCategory.objects.create(version=version, number=category.number, name=category.name)
        StandardItem.objects.bulk_create([
            StandardItem(version=version, category=row, number=item.number, text=item.text, points=item.points,
                         deduction=item.deduction, critical=item.critical, severity=item.severity,
                         department=item.department)
            for item in category.items])
    return version


def _user(actor: Actor | None):
    return getattr(actor, "user", None) if actor is not None else None


# -- the library --------------------------------------------------------------------------------------------------
def visible_standards(actor: Actor):
    """The standards of the actor's company (staff who may read the library; nobody else sees any), each with
    `current_number` (its newest version's number) and `item_count` (the items of that version) annotated."""
    newest = StandardVersion.objects.filter(standard=OuterRef("pk")).order_by("-number")
    items = StandardItem.objects.filter(version_id=OuterRef("current_version_id")).order_by() \
        .values("version_id").annotate(count=Count("pk")).values("count")
    standards = Standard.objects.annotate(current_version_id=Subquery(newest.values("pk")[:1]),
                                          current_number=Subquery(newest.values("number")[:1])) \
        .annotate(item_count=Subquery(items))
    if actor.is_superuser:
        return standards
    if not may_read(actor, "quality.standards") or actor.company_id is None:
        return standards.none()
    return standards.filter(company_id=actor.company_id)


def visible_standard_or_404(actor: Actor, pk) -> Standard:
    """One standard of the actor's library; 404 for any other (existence never leaks)."""
    try:
        return visible_standards(actor).get(pk=pk)
    except (Standard.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def current_version(standard: Standard) -> StandardVersion | None:
    """The newest version of `standard` (the one a new inspection uses); None for a standard without content."""
    return standard.versions.order_by("-number").first()


def version_of(standard: Standard, number: int | None = None) -> StandardVersion:
    """Version `number` of `standard` (the current one when None), its categories and items loaded; Http404 when
    there is no such version."""
    versions = standard.versions.prefetch_related(
        Prefetch("categories", queryset=StandardCategory.objects.order_by("number").prefetch_related(
            Prefetch("items", queryset=StandardItem.objects.order_by("number")))))
    version = versions.filter(number=number).first() if number is not None else versions.order_by("-number").first()
    if version is None:
        raise Http404
    return version


def versions_of(standard: Standard):
    """Every version of `standard`, newest first, with its item count and author."""
    return standard.versions.select_related("created_by").annotate(item_count=Count("items")).order_by("-number")


def version_totals(version: StandardVersion) -> dict:
    """Items, critical items and the full points of a version."""
    items = list(version.items.all())
    return {"items": len(items), "critical": sum(1 for item in items if item.critical),
            "points": sum((item.points for item in items), Decimal("0"))}


def _clean_header(*, code: str, name: str, purpose: str, description: str, weight) -> dict:
    problems = Problems()
    code = (code or "").strip().lower()
    if not code or len(code) > 40 or not all(ch.isascii() and (ch.isalnum() or ch in "-_") for ch in code):
        problems.add("code", _("Use 1–40 letters, digits, hyphens or underscores."))
    name = problems.check("name", lambda v: _text(v, 100), name)
    if purpose not in StandardPurpose.values:
        problems.add("purpose", _("Choose one of: %(choices)s.") % {"choices": ", ".join(StandardPurpose.values)})
    if description is not None and len(description) > 2000:
        problems.add("description", _("At most %(count)s characters.") % {"count": 2000})
    weight = problems.check("weight", lambda v: _points(v, allow_zero=False), weight)
    problems.raise_if_any()
    return {"code": code, "name": name, "purpose": purpose, "description": (description or "").strip(),
            "weight": weight}


@transaction.atomic
def create_standard(actor: Actor | None, company: Company, *, code: str, name: str, categories,
                    purpose: str = StandardPurpose.DAILY, description: str = "", weight="1",
                    note: str = "") -> Standard:
    """A new standard of `company`'s library with its first version (categories with their items, see
    `clean_categories`). The quality department writes it (`actor` None: the system, e.g. the shipped standards).
    A code already in the library is a 422 on `code`. Event standard.created."""
    if actor is not None:
        require(actor, MANAGE)
    if company is None:
        raise InvalidInput("code", _("Only staff of a company keep a standards library."))
    header = _clean_header(code=code, name=name, purpose=purpose, description=description, weight=weight)
    cleaned = clean_categories(categories)
    if Standard.objects.filter(company=company, code=header["code"]).exists():
        raise InvalidInput("code", _("The library already has a standard with this code."))
    try:
        with transaction.atomic():
            standard = Standard.objects.create(company=company, **header)
    except IntegrityError:
        raise InvalidInput("code", _("The library already has a standard with this code.")) from None
    version = _write_version(standard, 1, cleaned, note=note or "", user=_user(actor))
    record_event(standard, "standard.created", actor=_user(actor), data={
        "name": standard.name, "version": version.number, "items": sum(len(c.items) for c in cleaned)})
    return standard


@transaction.atomic
def revise_standard(actor: Actor, standard: Standard, *, categories, note: str = "") -> StandardVersion:
    """A new version (number max + 1) of `standard` with these categories and items; every earlier version — and
    every inspection scored against one — stays as it was. Event standard.revised."""
    require(actor, MANAGE)
    cleaned = clean_categories(categories)
    if note and len(note) > 200:
        raise InvalidInput("note", _("At most %(count)s characters.") % {"count": 200})
    Standard.objects.select_for_update().filter(pk=standard.pk).first()  # one revision at a time
    number = (standard.versions.aggregate(top=Max("number"))["top"] or 0) + 1
    try:
        with transaction.atomic():
            version = _write_version(standard, number, cleaned, note=(note or "").strip(), user=_user(actor))
    except IntegrityError:
        raise Conflict(_("Someone else saved a new version at the same moment; open the standard again.")) from None
    record_event(standard, "standard.revised", actor=_user(actor), data={
        "version": number, "items": sum(len(c.items) for c in cleaned), "note": version.note})
    return version


@transaction.atomic
def update_standard(actor: Actor, standard: Standard, *, name: str | None = None, description: str | None = None,
                    weight=None, is_active: bool | None = None) -> Standard:
    """Change what describes a standard (name, description, weight in a period score, in use or not); its content
    changes only through `revise_standard`. Event standard.changed with the changed fields."""
    require(actor, MANAGE)
    header = _clean_header(code=standard.code, purpose=standard.purpose,
                           name=standard.name if name is None else name,
                           description=standard.description if description is None else description,
                           weight=standard.weight if weight is None else weight)
    changes = {}
    for key in ("name", "description", "weight"):
        if getattr(standard, key) != header[key]:
            changes[key] = str(header[key])
            setattr(standard, key, header[key])
    if is_active is not None and is_active != standard.is_active:
        changes["is_active"] = bool(is_active)
        standard.is_active = bool(is_active)
    if changes:
        standard.save()
        record_event(standard, "standard.changed", actor=_user(actor), data=changes)
    return standard


def version_as_input(version: StandardVersion) -> list[dict]:
    """A version's content in the shape `revise_standard` takes (the editor starts from it)."""
    return [{"number": category.number, "name": category.name, "items": [
        {"number": item.number, "text": item.text, "points": item.points, "deduction": item.deduction,
         "critical": item.critical, "severity": item.severity, "department": item.department}
        for item in category.items.order_by("number")]} for category in version.categories.order_by("number")]


# -- shipped content ----------------------------------------------------------------------------------------------
@transaction.atomic
def install_shipped_standards(company: Company) -> list[Standard]:
    """The standards the product ships with (`shipped.py`: window-service, daily-residential, year-end-review) in
    `company`'s library, and the three service packages. Idempotent: a standard already there (by code), even one
    the quality department revised, is left as it is."""
    from .shipped import SHIPPED_STANDARDS

    standards = []
    for shipped in SHIPPED_STANDARDS:
        standard = Standard.objects.filter(company=company, code=shipped["code"]).first()
        if standard is None:
            standard = create_standard(None, company, code=shipped["code"], name=shipped["name"],
                                       purpose=shipped["purpose"], description=shipped["description"],
                                       categories=shipped["categories"], note=_("Shipped with the product"))
        standards.append(standard)
    install_shipped_packages(company)
    return standards


def _sla_standard(code: str):
    from wuye.sla.models import ServiceStandard

    found = ServiceStandard.objects.filter(code=code).first()
    if found is None:
        from wuye.sla.standards import install_standards

        install_standards()
        found = ServiceStandard.objects.get(code=code)
    return found


@transaction.atomic
def install_shipped_packages(company: Company) -> list[ServicePackage]:
    """The three service levels of `company` as packages (一级 → the five-star time limits and every shipped
    standard; 二级/三级 → the default time limits, the daily check and the year-end review). Idempotent: a
    package already there is left as it is. Event service_package.created."""
    from .shipped import SHIPPED_PACKAGES

    packages = []
    for level, shipped in SHIPPED_PACKAGES.items():
        package = ServicePackage.objects.filter(company=company, level=level).first()
        if package is None:
            package = ServicePackage.objects.create(company=company, level=level, name=shipped["name"],
                                                    description=shipped["description"],
                                                    sla_standard=_sla_standard(shipped["sla"]))
            package.standards.set(Standard.objects.filter(company=company, code__in=shipped["standards"]))
            record_event(package, "service_package.created", data={"name": package.name, "level": level})
        packages.append(package)
    return packages


# -- service packages ---------------------------------------------------------------------------------------------
def visible_packages(actor: Actor):
    """The service packages of the actor's company (staff who may read the library)."""
    packages = ServicePackage.objects.select_related("sla_standard").prefetch_related("standards")
    if actor.is_superuser:
        return packages
    if not may_read(actor, "quality.standards") or actor.company_id is None:
        return packages.none()
    return packages.filter(company_id=actor.company_id)


def package_for(project: Project) -> ServicePackage | None:
    """The package of `project`'s service level in its company; None when the project has no level (or the
    company no such package)."""
    if not project.service_level:
        return None
    return ServicePackage.objects.filter(company_id=project.company_id, level=project.service_level) \
        .select_related("sla_standard").first()


@transaction.atomic
def assign_package(actor: Actor, project: Project, level: str) -> ServicePackage:
    """Put `project` on service level `level` (一级/二级/三级): the project's level, and the SLA standard it
    follows becomes the package's (clocks already running keep their deadlines). The quality department or
    the company administrator decides; a project of another company is not found (404). Events
    service_package.assigned (on the project) and project.standard_chosen."""
    from wuye.onboarding.services import follow_standard

    require(actor, MANAGE)
    if not actor.is_superuser and project.company_id != actor.company_id:
        raise Http404
    if level not in ServiceLevel.values:
        raise InvalidInput("level", _("Choose one of: %(choices)s.") % {"choices": ", ".join(ServiceLevel.values)})
    package = ServicePackage.objects.filter(company_id=project.company_id, level=level).first()
    if package is None:
        install_shipped_packages(project.company)
        package = ServicePackage.objects.get(company_id=project.company_id, level=level)
    previous = project.service_level
    Project.objects.filter(pk=project.pk).update(service_level=level)
    project.service_level = level
    follow_standard(_user(actor), project, package.sla_standard)
    record_event(project, "service_package.assigned", actor=_user(actor), project_id=project.pk, data={
        "level": level, "previous": previous or "", "package": package.name})
    return package


# -- sentences ----------------------------------------------------------------------------------------------------
def register_standard_sentences() -> None:
    """How the library's events read (wuye.core.sentences); called from `registry.register()`."""
    from django.utils.translation import gettext_lazy

    from wuye.core.sentences import register_sentences, register_terms

    levels = dict(ServiceLevel.choices)
    register_terms(values={"level": levels, "previous": levels})
    register_sentences({
        "standard.created": (gettext_lazy("Standard %(name)s created (version %(version)s, %(items)s items)"),
                             {"example": {"name": "住宅项目日常检查表", "version": 1, "items": 25}}),
        "standard.revised": (gettext_lazy("Standard revised: version %(version)s with %(items)s items"),
                             {"details": ("note",), "example": {"version": 2, "items": 23, "note": "增加消防通道"}}),
        "standard.changed": (gettext_lazy("Standard details changed"),
                             {"example": {"name": "住宅项目日常检查表"}}),
        "service_package.created": (gettext_lazy("Service package %(name)s set up"),
                                    {"example": {"name": "一级服务包", "level": "level_1"}}),
        "service_package.assigned": (gettext_lazy("Service level set to %(level)s (%(package)s)"),
                                     {"example": {"level": "level_1", "previous": "level_2",
                                                  "package": "一级服务包"}}),
    })
