"""The security home (秩序, the nav's entry): today's rounds by status and the missed checkpoints, visitors inside
now, goods slips to verify today, parking occupancy and the cars inside — each figure opens the list it counts
(`security.reports`) — and links to every security page the actor may read. A figure of another stream's whose
function or page has not landed yet is left out."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from wuye.core.access import may_read
from wuye.web.guards import staff_view

from .. import reports
from ..models import RoundStatus

# The security pages a person may open from the home: the resource whose read rule decides, and for a page that
# acts (a form, the booth) the permission it needs as well — a link never leads to a refusal.
PAGES = (
    ("security:scan", "security.patrols", None), ("security:rounds", "security.patrols", None),
    ("security:missed", "security.patrols", None), ("security:routes", "security.patrols", None),
    ("security:visitors", "security.visitors", None), ("security:visitor_new", "security.visitors", "security.gate"),
    ("security:visitor_exit", "security.visitors", "security.gate"),
    ("security:worker_passes", "security.worker_passes", None), ("security:goods_releases", "security.goods", None),
    ("security:goods_verify", "security.goods", "security.verify_goods"),
    ("security:parking", "security.parking", None), ("security:parking_booth", "security.parking", "security.parking"),
    ("security:parking_sessions", "security.parking", None),
)


def _links(actor) -> list[tuple[str, str]]:
    """The security pages that exist (other streams' pages land over time) and the actor may open."""
    labels = {
        "security:scan": _("Patrol: scan a checkpoint"), "security:rounds": _("Patrol rounds"),
        "security:missed": _("Missed checkpoints"), "security:routes": _("Patrol routes"),
        "security:visitors": _("Visitors"), "security:visitor_new": _("Register a visitor"),
        "security:visitor_exit": _("Visitor leaving"), "security:worker_passes": _("Worker passes"),
        "security:goods_releases": _("Goods releases"), "security:goods_verify": _("Verify a goods slip"),
        "security:parking": _("Parking"), "security:parking_booth": _("Parking booth"),
        "security:parking_sessions": _("Parking sessions"),
    }
    links = []
    for name, resource, permission in PAGES:
        url = reports.url_or_none(name)
        if url and may_read(actor, resource) and (permission is None or actor.may(permission)):
            links.append((labels[name], url))
    return links


def _figure(rows, url) -> dict | None:
    """A figure of another stream's list: its row count and link, or None while either is missing."""
    if rows is None:
        return None
    return {"count": rows.count(), "url": url}


def overview(actor, now) -> dict:
    """What the home counts, each with the link to its list."""
    today = timezone.localdate(now)
    context: dict = {"today": today}
    if may_read(actor, "security.patrols"):
        counts = reports.round_counts(actor, today)
        context["rounds"] = [
            {"status": value, "label": label, "count": counts[value],
             "url": reports.rounds_url(reports.round_filters(day=today, status=value))}
            for value, label in RoundStatus.choices if value != RoundStatus.CANCELLED]
        context["rounds_url"] = reports.rounds_url(reports.round_filters(day=today))
        missed = reports.missed_filters(since=today, until=today)
        context["missed"] = {"count": reports.missed_rows(actor, missed, today).count(),
                             "url": reports.missed_url(missed)}
    other = reports.elsewhere(today)
    context["visitors_inside"] = _figure(reports.visitors_inside(actor), other["visitors_inside"])
    context["slips_to_verify"] = _figure(reports.slips_to_verify(actor, today), other["slips_to_verify"])
    context["open_sessions"] = _figure(reports.open_sessions(actor), other["open_sessions"])
    occupancy = reports.occupancy(actor)
    context["occupancy"] = occupancy
    context["parking_url"] = other["parking"]
    return context


@staff_view(reads="security.visitors")
def home(request):
    actor = request.actor
    context = overview(actor, timezone.now())
    context.update({"links": _links(actor), "scan_url": reports.url_or_none("security:scan")
                    if actor.may("security.patrol") else None})
    return render(request, "security/home.html", context)


urlpatterns = [
    path("console/security/", home, name="home"),
]
