"""What onboarding adds to the web faces, registered from `OnboardingConfig.ready()`: readable names of its events
(the project's standard and catalogue, the imports and the changes they made)."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wuye.core.sentences import register_preparer, register_sentences
from wuye.core.templatetags.timeline import register_event_labels
from wuye.tenancy.models import ServiceLevel


def _standard_names(events, book) -> None:
    """The names of the service standards chosen in `events` (one query, only when there are any)."""
    codes = {(e.data or {}).get("standard") for e in events if e.verb == "project.standard_chosen"}
    codes.discard(None)
    if codes:
        from wuye.sla.models import ServiceStandard

        book.extra["standards"] = dict(ServiceStandard.objects.filter(code__in=codes).values_list("code", "name"))


def _standard_chosen(event, fields) -> str:
    name = fields.book.extra.get("standards", {}).get(fields.raw.get("standard"))
    if name:
        return gettext("Service standard chosen: %(name)s") % {"name": name}
    return gettext("Service standard chosen")


def register() -> None:
    register_preparer(_standard_names)
    register_sentences({
        "company.created": (_("Company %(name)s created"), {"example": {"name": "和美物业"}}),
        "project.standard_chosen": (_standard_chosen, {"example": {"standard": "spec"}}),
        "project.catalogue_installed": (_("Default catalogue installed: %(categories)s categories, "
                                          "%(price_items)s price list items, %(charge_items)s charge items"),
                                        {"example": {"categories": 24, "price_items": 60, "charge_items": 8}}),
        "project.units_imported": (_("Buildings and units imported: %(created)s new, %(updated)s changed, "
                                     "%(skipped)s already on record"),
                                   {"example": {"created": 120, "updated": 3, "skipped": 0}}),
        "project.owners_imported": (_("Owners and residents imported: %(created)s new, %(updated)s changed, "
                                      "%(skipped)s already on record"),
                                    {"example": {"created": 300, "updated": 2, "skipped": 5}}),
        "project.vehicles_imported": (_("Vehicles imported: %(created)s new, %(updated)s changed, "
                                        "%(skipped)s already on record"),
                                      {"example": {"created": 80, "updated": 1, "skipped": 0}}),
    })
    register_event_labels(
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
