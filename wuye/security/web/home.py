"""The security home (秩序, the nav's entry): today's rounds by status and the missed checkpoints, visitors inside
now, goods slips to verify today, parking occupancy and the cars inside — each figure opens the list it counts
(`security.reports`) — and links to every security page the actor may read. A figure of another stream's whose
function or page has not landed yet is left out."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy

from wuye.core.access import may_read
from wuye.core.links import PageLink, page_links
from wuye.web.guards import staff_view

from .. import reports
from ..models import RoundStatus

# The security pages a person may open from the home: the resource whose read rule decides, and for a page that
# acts (a form, the booth) the permission it needs as well — a link never leads to a refusal.
PAGES = (
    PageLink("security:scan", gettext_lazy("Patrol: scan a checkpoint"), "security.patrols"),
    PageLink("security:rounds", gettext_lazy("Patrol rounds"), "security.patrols"),
    PageLink("security:missed", gettext_lazy("Missed checkpoints"), "security.patrols"),
    PageLink("security:routes", gettext_lazy("Patrol routes"), "security.patrols"),
    PageLink("security:visitors", gettext_lazy("Visitors"), "security.visitors"),
    PageLink("security:visitor_new", gettext_lazy("Register a visitor"), "security.visitors", "security.gate"),
    PageLink("security:visitor_exit", gettext_lazy("Visitor leaving"), "security.visitors", "security.gate"),
    PageLink("security:worker_passes", gettext_lazy("Worker passes"), "security.worker_passes"),
    PageLink("security:goods_releases", gettext_lazy("Goods releases"), "security.goods"),
    PageLink("security:goods_verify", gettext_lazy("Verify a goods slip"), "security.goods", "security.verify_goods"),
    PageLink("security:parking", gettext_lazy("Parking"), "security.parking"),
    PageLink("security:parking_booth", gettext_lazy("Parking booth"), "security.parking", "security.parking"),
    PageLink("security:parking_sessions", gettext_lazy("Parking sessions"), "security.parking"),
)



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
    context.update({"links": page_links(actor, PAGES), "scan_url": reports.url_or_none("security:scan")
                    if actor.may("security.patrol") else None})
    return render(request, "security/home.html", context)


urlpatterns = [
    path("console/security/", home, name="home"),
]
