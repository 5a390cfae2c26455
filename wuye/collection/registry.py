"""What collection adds to the web faces, registered from `CollectionConfig.ready()`: how its event reads on the
household's timeline (the unit's billing account shows it too: events about a unit are on its account)."""

from django.utils.translation import gettext_lazy as _

from wuye.core.templatetags.timeline import register_event_labels

from .models import Method, Outcome


def contacted_sentence(event) -> str:
    """「电话催缴：承诺缴费（2026-12-10前）」 — the method, the outcome and a promised date."""
    data = event.data or {}
    method = dict(Method.choices).get(data.get("method"), _("Contact"))
    outcome = dict(Outcome.choices).get(data.get("outcome"), "")
    if data.get("promised_on"):
        return str(_("Arrears follow-up by %(method)s: %(outcome)s by %(date)s") % {
            "method": method, "outcome": outcome, "date": data["promised_on"]})
    return str(_("Arrears follow-up by %(method)s: %(outcome)s") % {"method": method, "outcome": outcome})


def register() -> None:
    register_event_labels(
        verbs={"collection.contacted": contacted_sentence},
        details={"outcome": _("outcome"), "promised_on": _("promised date")},
        values={"outcome": dict(Outcome.choices)},
    )
