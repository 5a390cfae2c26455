"""What billing adds to the web faces, registered from `BillingConfig.ready()`: the console menu item and its
tabs, the owner portal's payment tile, and readable names of billing events (each web module may define
`EVENT_VERBS`)."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from wuye.core.access import may_read

# (url name, label, resource) of the billing console's tabs, in order; a tab shows when its page's read rule lets
# the actor in (wuye.core.access.may_read); a tab whose page is not there is skipped.
TABS = [
    ("billing:accounts", _("Bills and accounts"), "billing.accounts"),
    ("billing:runs", _("Billing runs"), "billing.runs"),
    ("billing:meters", _("Meter readings"), "billing.meters"),
    ("billing:shared_costs", _("Shared costs"), "billing.shared_costs"),
    ("billing:notices", _("Notices and dunning"), "billing.notices"),
    ("billing:refunds", _("Refunds"), "billing.refunds"),
    ("billing:reports", _("Arrears and collection"), "billing.reports"),
    ("collection:worklist", _("Collection worklist"), "collection.worklist"),  # wuye.collection's (催缴)
    ("billing:master_items", _("Master data"), "billing.charge_items"),
]
# A tab that stands for a section of pages: it is the current tab on any page whose url name has this prefix.
TAB_SECTIONS = {"billing:master_items": "billing:master_"}


def tabs_for(actor, current: str) -> list[dict]:
    shown = []
    for url_name, label, name in TABS:
        if not may_read(actor, name):
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        section = TAB_SECTIONS.get(url_name)
        shown.append({"url": url, "label": label,
                      "current": url_name == current or bool(section and current.startswith(section))})
    return shown


def register() -> None:
    from .kpis import register as register_kpis  # the KPIs this app counts (wuye.core.kpis)

    register_kpis()
    from wuye.core.templatetags.timeline import register_event_labels
    from wuye.web.context import NavItem, Tile, register_nav, register_tile

    from .models import Channel, NoticeStage
    from .sentences import register as register_sentences
    from .urls import urlpatterns
    from .web import accounts, master, meters, notices, owner, payments, reports, runs, sharing

    console_names = tuple(f"billing:{p.name}" for p in urlpatterns if str(p.pattern).startswith("console/"))
    register_nav(NavItem("billing", _("Billing"), "billing:accounts", permission="billing.view", icon="yen",
                         order=40, url_names=console_names))
    register_tile(Tile("payment", _("Pay fees"), "billing:h5_bills", icon="yen", order=30))
    register_tile(Tile("parking", _("My parking"), "billing:h5_parking", icon="car", order=32))
    register_tile(Tile("disclosure", _("Shared-cost disclosure"), "billing:h5_disclosure", icon="layers", order=35))
    from .workbench import register as register_workbench

    register_workbench()
    verbs = {
        "billing.charged": _("Charged"),
        "billing.paid": _("Payment received"),
        "billing.refunded": _("Refunded"),
        "billing.written_off": _("Written off"),
        "billing.credit_applied": _("Prepayment applied"),
        "billing.run_finished": _("Billing run finished"),
    }
    for module in (accounts, runs, meters, sharing, notices, payments, reports, owner, master):
        verbs.update(getattr(module, "EVENT_VERBS", {}))
    register_sentences()  # each verb's sentence (wuye.billing.sentences); the labels below are the older names
    register_event_labels(verbs=verbs, details={
        "amount": _("amount"),
        "prepaid": _("kept as prepayment"),
        "unit": _("unit"),
        "item": _("charge item"),
        "reason": _("reason"),
        "period": _("period"),
        "bills": _("bills"),
        "reference": _("reference"),
        # counts of the bulk paths' events (a run's chunk, a batch of notices, shared costs withdrawn)
        "units": _("units"),
        "skipped": _("units skipped"),
        "notices": _("notices"),
        "total": _("total"),
        "stage": _("notice type"),
        "issued_on": _("issued on"),
        "withdrawn": _("withdrawn"),
        "approval_comment": _("approval comment"),
    }, values={"channel": dict(Channel.choices), "stage": dict(NoticeStage.choices)})
