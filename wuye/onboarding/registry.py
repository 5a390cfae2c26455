"""What onboarding adds to the web faces, registered from `OnboardingConfig.ready()`: readable names of its events
(the project's standard and catalogue, the imports and the changes they made)."""

from django.utils.translation import gettext_lazy as _

from wuye.core.templatetags.timeline import register_event_labels
from wuye.tenancy.models import ServiceLevel


def register() -> None:
    register_event_labels(
        verbs={
            "company.created": _("Company created"),
            "project.standard_chosen": _("Service standard chosen"),
            "project.catalogue_installed": _("Default catalogue installed"),
            "project.units_imported": _("Buildings and units imported"),
            "project.owners_imported": _("Owners and residents imported"),
            "project.vehicles_imported": _("Vehicles imported"),
            "building.updated": _("Building changed"),
            "unit.updated": _("Unit changed"),
            "resident.updated": _("Resident changed"),
            "vehicle.updated": _("Vehicle changed"),
        },
        details={
            "standard": _("service standard"),
            "service_level": _("service level"),
            "categories": _("categories"),
            "price_items": _("price list items"),
            "charge_items": _("charge items"),
            "created": _("created"),
            "updated": _("updated"),
            "skipped": _("skipped (already on record)"),
            "source": _("source"),
            "floor": _("floor"),
            "floors": _("floors"),
            "brand": _("brand and colour"),
        },
        values={"service_level": dict(ServiceLevel.choices), "source": {"import": _("Excel import")}},
    )
