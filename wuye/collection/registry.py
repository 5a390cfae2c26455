"""What collection adds to the web faces, registered from `CollectionConfig.ready()`: how its event reads
(wuye.core.sentences) on the unit's timelines — the billing account shows events about its unit too."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wuye.core.sentences import register_sentence, register_terms

from .models import Method, Outcome


def contacted(event, fields) -> str:
    """「电话催缴：承诺缴费（12-10 前）」 — the method, the outcome and a promised date."""
    if fields.raw.get("promised_on"):
        return gettext("Arrears follow-up by %(method)s: %(outcome)s by %(promised_on)s") % fields
    return gettext("Arrears follow-up by %(method)s: %(outcome)s") % fields


def register() -> None:
    register_terms(details={"note": _("note")},
                   values={"method": dict(Method.choices), "outcome": dict(Outcome.choices)})
    register_sentence("collection.contacted", contacted, details=("amount", "note"), example={
        "method": "call", "outcome": "promised", "promised_on": "2026-12-10", "amount": "1234.50",
        "note": "月底发工资后缴"})
