"""Readable names for the event verbs and detail keys of the apps built so far (tenancy, people, demo), and the
console pages that show each kind of subject. Apps added later register their own the same way."""

from django.utils.translation import gettext_lazy as _

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


def register_all() -> None:
    register_event_labels(
        verbs={
            "project.created": _("Project created"),
            "building.created": _("Building created"),
            "unit.created": _("Unit created"),
            "resident.registered": _("Resident registered"),
            "resident.residency_added": _("Residency added"),
            "resident.residency_ended": _("Residency ended"),
            "resident.portal_account_granted": _("Portal account granted"),
            "vehicle.added": _("Vehicle added"),
            "staff.created": _("Staff account created"),
            "demo.seeded": _("Demo data created"),
        },
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
