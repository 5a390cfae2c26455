"""Readable names for the event verbs and detail keys of the apps built so far (tenancy, people, demo), and the
console pages that show each kind of subject. Apps added later register their own the same way."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wuye.core.sentences import changed_sentence, imported, register_sentences
from wuye.core.templatetags.timeline import register_event_labels
from wuye.people.models import Relation, VehicleKind
from wuye.tenancy.models import UnitKind

# (app_label, model) of an event's subject → the console url name of its detail page (takes the subject id).
SUBJECT_URLS: dict[tuple[str, str], str] = {
    ("tenancy", "unit"): "web:unit_detail",
    ("people", "resident"): "web:resident_detail",
}


def register_subject_url(app_label: str, model: str, url_name: str) -> None:
    SUBJECT_URLS[(app_label, model)] = url_name


def _building_created(event, fields) -> str:
    return imported(gettext("Building %(number)s created") % fields, fields)


def _unit_created(event, fields) -> str:
    return imported(gettext("Unit %(number)s created: %(area)s m², %(kind)s") % fields, fields)


def _vehicle_added(event, fields) -> str:
    return imported(gettext("Vehicle %(plate)s added (%(kind)s)") % fields, fields)


def _count_projects(event, fields) -> str:
    return gettext("Demo data created: %(count)s projects, %(units)s units") % {
        **fields, "count": len(fields.raw.get("projects") or [])}


def register_all() -> None:
    register_sentences({
        "project.created": (_("Project %(name)s created (%(service_level)s)"), {
            "example": {"code": "hy", "name": "和园小区", "service_level": "level_1"}}),
        "project.short_code_changed": (_("Number prefix of receipts and notices changed: %(from)s → %(to)s"), {
            "example": {"from": "JG", "to": "JH"}}),
        "building.created": (_building_created, {"example": {"number": "1栋", "source": "import"}}),
        "building.updated": (changed_sentence(_("Building changed")), {
            "example": {"floors": [18, 24], "name": ["一号楼", "1号楼"], "source": "import"}}),
        "unit.created": (_unit_created, {"example": {"number": "1-101", "area": "89.50", "kind": "residential",
                                                     "source": "import"}}),
        "unit.updated": (changed_sentence(_("Unit changed")), {
            "example": {"area": ["89.50", "90.00"], "kind": ["residential", "commercial"], "source": "import"}}),
        "resident.registered": (_("Registered as %(relation)s of %(unit)s"), {
            "details": ("phone", "id_number", "vehicles"), "example": {
                "unit": "1栋1单元101", "relation": "owner", "phone": "138****0001", "id_number": "3101**********0012",
                "vehicles": ["沪A12345"], "source": "import"}}),
        "resident.residency_added": (_("Added as %(relation)s of %(unit)s"), {
            "details": ("phone", "vehicles"), "example": {"unit": "1栋1单元102", "relation": "tenant",
                                                          "phone": "138****0001", "vehicles": []}}),
        "resident.residency_ended": (_("No longer living at %(unit)s from %(on)s"), {
            "example": {"unit": "1栋1单元101", "on": "2026-11-30"}}),
        "resident.portal_account_granted": (_("Owner portal account opened"), {"example": {"username": "yezhu"}}),
        "resident.updated": (changed_sentence(_("Resident changed"), named_by=("unit",)), {
            "example": {"unit": "1栋1单元101", "relation": ["tenant", "owner"], "phone": "139****0002",
                        "source": "import"}}),
        "vehicle.added": (_vehicle_added, {"example": {"plate": "沪A12345", "kind": "car", "source": "import"}}),
        "vehicle.updated": (changed_sentence(_("Vehicle changed"), named_by=("plate",)), {
            "example": {"plate": "沪A12345", "kind": ["car", "motorcycle"], "brand": ["", "大众 白色"],
                        "source": "import"}}),
        "demo.seeded": (_count_projects, {
            "example": {"projects": ["hy", "jd"], "units": 1200}}),
    })
    register_event_labels(
        details={
            "area": _("area"),
            "code": _("code"),
            "id_number": _("ID number"),
            "kind": _("type"),
            "name": _("name"),
            "number": _("number"),
            "on": _("date"),
            "phone": _("phone"),
            "plate": _("plate"),
            "projects": _("projects"),
            "relation": _("relation"),
            "role": _("role"),
            "unit": _("unit"),
            "units": _("units"),
            "username": _("username"),
            "vehicles": _("vehicles"),
        },
        values={
            "relation": dict(Relation.choices),
            "kind": {**dict(UnitKind.choices), **dict(VehicleKind.choices)},
        },
    )
