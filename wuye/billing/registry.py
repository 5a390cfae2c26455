"""What billing adds to the web faces, registered from `BillingConfig.ready()`: the console menu item and its
tabs, the owner portal's payment tile, and readable names of billing events (each web module may define
`EVENT_VERBS`)."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

# (url name, label, permission) of the billing console's tabs, in order; a tab whose page is not there is skipped.
TABS = [
    ("billing:accounts", _("Bills and accounts"), "billing.view"),
    ("billing:runs", _("Billing runs"), "billing.charge"),
    ("billing:meters", _("Meter readings"), "billing.read_meters"),
    ("billing:shared_costs", _("Shared costs"), "billing.view"),
    ("billing:notices", _("Notices and dunning"), "billing.view"),
    ("billing:refunds", _("Refunds"), "billing.view"),
    ("billing:reports", _("Arrears and collection"), "billing.view"),
]


def tabs_for(actor, current: str) -> list[dict]:
    shown = []
    for url_name, label, permission in TABS:
        if not actor.may(permission):
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        shown.append({"url": url, "label": label, "current": url_name == current})
    return shown


def register() -> None:
    from wuye.core.templatetags.timeline import register_event_labels
    from wuye.web.context import NavItem, Tile, register_nav, register_tile

    from .models import Channel
    from .urls import urlpatterns
    from .web import accounts, meters, notices, owner, payments, reports, runs, sharing

    console_names = tuple(f"billing:{p.name}" for p in urlpatterns if str(p.pattern).startswith("console/"))
    register_nav(NavItem("billing", _("Billing"), "billing:accounts", permission="billing.view", icon="yen",
                         order=40, url_names=console_names))
    register_tile(Tile("payment", _("Pay fees"), "billing:h5_bills", icon="yen", order=30))
    register_tile(Tile("disclosure", _("Shared-cost disclosure"), "billing:h5_disclosure", icon="layers", order=35))
    verbs = {
        "billing.charged": _("Charged"),
        "billing.paid": _("Payment received"),
        "billing.refunded": _("Refunded"),
        "billing.written_off": _("Written off"),
        "billing.credit_applied": _("Prepayment applied"),
        "billing.run_finished": _("Billing run finished"),
    }
    for module in (accounts, runs, meters, sharing, notices, payments, reports, owner):
        verbs.update(getattr(module, "EVENT_VERBS", {}))
    register_event_labels(verbs=verbs, details={
        "amount": _("amount"),
        "prepaid": _("kept as prepayment"),
        "unit": _("unit"),
        "item": _("charge item"),
        "reason": _("reason"),
        "period": _("period"),
        "bills": _("bills"),
        "reference": _("reference"),
    }, values={"channel": dict(Channel.choices)})
