"""The environment home (the nav's entry): today's cleaning by zone (done, done late, to do, overdue, not done), the
day's figures each opening the task list that shows exactly those rows, today's checks, the greening tasks due this
week, and links to every environment page there is."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy

from wuye.core.access import may_read
from wuye.core.links import PageLink, page_links
from wuye.web.guards import staff_view

from .. import reports
from ..cleaning import STATE_LABELS

# The environment pages a person may open from the home, with the resource whose read rule decides and, for a
# form, the permission it needs as well (a link never leads to a refusal); pages of other streams land over time
# and are listed once they resolve.
PAGES = (
    PageLink("environment:my_tasks", gettext_lazy("My cleaning"), "environment.cleaning"),
    PageLink("environment:tasks", gettext_lazy("Cleaning tasks"), "environment.cleaning"),
    PageLink("environment:zones", gettext_lazy("Cleaning zones"), "environment.cleaning"),
    PageLink("environment:zone_new", gettext_lazy("New cleaning zone"), "environment.cleaning", "environment.manage"),
    PageLink("environment:greening", gettext_lazy("Greening"), "environment.greening"),
    PageLink("environment:greening_plan_new", gettext_lazy("New greening plan"), "environment.greening",
             "environment.manage"),
    PageLink("environment:checks", gettext_lazy("Environment checks"), "environment.cleaning"),
)
CARD_STATES = (("due", "amber"), ("overdue", "red"), ("upcoming", ""), ("done", ""), ("late", "amber"),
               ("missed", "red"))



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
        "links": page_links(actor, PAGES), "my_url": reports.url_or_none("environment:my_tasks"),
    })


urlpatterns = [
    path("console/environment/", home, name="home"),
]
