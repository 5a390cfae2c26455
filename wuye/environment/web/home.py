"""The environment home (the nav's entry): today's cleaning by zone (done, done late, to do, overdue, not done), the
day's figures each opening the task list that shows exactly those rows, today's checks, the greening tasks due this
week, and links to every environment page there is."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from wuye.core.access import may_read
from wuye.web.guards import staff_view

from .. import reports
from ..cleaning import STATE_LABELS

# The environment pages a person may open from the home, with the resource whose read rule decides and, for a
# form, the permission it needs as well (a link never leads to a refusal); pages of other streams land over time
# and are listed once they resolve.
PAGES = (
    ("environment:my_tasks", "environment.cleaning", None), ("environment:tasks", "environment.cleaning", None),
    ("environment:zones", "environment.cleaning", None),
    ("environment:zone_new", "environment.cleaning", "environment.manage"),
    ("environment:greening", "environment.greening", None),
    ("environment:greening_plan_new", "environment.greening", "environment.manage"),
    ("environment:checks", "environment.cleaning", None),
)
CARD_STATES = (("due", "amber"), ("overdue", "red"), ("upcoming", ""), ("done", ""), ("late", "amber"),
               ("missed", "red"))


def _links(actor) -> list[tuple[str, str]]:
    labels = {
        "environment:my_tasks": _("My cleaning"), "environment:tasks": _("Cleaning tasks"),
        "environment:zones": _("Cleaning zones"), "environment:zone_new": _("New cleaning zone"),
        "environment:greening": _("Greening"), "environment:greening_plan_new": _("New greening plan"),
        "environment:checks": _("Environment checks"),
    }
    links = []
    for name, resource, permission in PAGES:
        url = reports.url_or_none(name)
        if url and may_read(actor, resource) and (permission is None or actor.may(permission)):
            links.append((labels[name], url))
    return links


@staff_view(reads="environment.cleaning")
def home(request):
    actor, now = request.actor, timezone.now()
    today = timezone.localdate(now)
    counts = reports.day_counts(actor, today, now)
    cards = [{"label": STATE_LABELS[state], "count": counts.get(state) or 0, "tone": tone if counts.get(state) else "",
              "url": reports.tasks_url(reports.task_filters(day=today, status=state))} for state, tone in CARD_STATES]
    zones = reports.zones_today(actor, today, now)
    for row in zones:
        row["url"] = reports.tasks_url(reports.task_filters(day=today, zone=row["zone_id"]))
    return render(request, "environment/home.html", {
        "today": today, "cards": cards, "total": counts.get("total") or 0, "zones": zones,
        "checks": reports.checks_today(actor, today),
        "greening": reports.greening_due(actor, today) if may_read(actor, "environment.greening") else [],
        "links": _links(actor), "my_url": reports.url_or_none("environment:my_tasks"),
    })


urlpatterns = [
    path("console/environment/", home, name="home"),
]
