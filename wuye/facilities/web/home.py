"""Facilities console pages: the facilities home (设备, the nav's entry) — counts that open their lists, active
entrapments in red, hazard sweeps of the month against two, links to every facilities page — and the technician's
phone hub (我的今天, `my_day`): my tasks today and overdue, my open faults, active entrapments, the code box that
opens an item, and the four buttons of a duty round."""

from __future__ import annotations

from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wuye.core.links import PageLink, page_links
from wuye.web.guards import staff_view

from .. import reports

# The facilities pages a person may open from the home, with the resource that decides whether they may.
PAGES = (
    PageLink("facilities:equipment_list", gettext_lazy("Equipment register"), "facilities.equipment"),
    PageLink("facilities:contractors", gettext_lazy("Contractors"), "facilities.equipment"),
    PageLink("facilities:labels", gettext_lazy("QR labels"), "facilities.equipment"),
    PageLink("facilities:plans", gettext_lazy("Maintenance plans"), "facilities.maintenance"),
    PageLink("facilities:tasks", gettext_lazy("Maintenance tasks"), "facilities.maintenance"),
    PageLink("facilities:readings", gettext_lazy("Operation logs"), "facilities.operation"),
    PageLink("facilities:faults", gettext_lazy("Faults"), "facilities.faults"),
    PageLink("facilities:fault_stats", gettext_lazy("Fault statistics"), "facilities.faults"),
    PageLink("facilities:entrapments", gettext_lazy("Elevator entrapments"), "facilities.entrapments"),
    PageLink("facilities:sweeps", gettext_lazy("Hazard sweeps"), "facilities.fire"),
    PageLink("facilities:drills", gettext_lazy("Fire drills"), "facilities.fire"),
    PageLink("facilities:posts", gettext_lazy("Duty posts"), "facilities.handovers"),
    PageLink("facilities:handovers", gettext_lazy("Shift handovers"), "facilities.handovers"),
    PageLink("facilities:my_day", gettext_lazy("My day"), "facilities.equipment"),
)



@staff_view(reads="facilities.equipment")
def home(request):
    """The facilities home: what is in service, what is due and late, what is broken, who is trapped."""
    actor = request.actor
    context = reports.overview(actor, timezone.now())
    context.update({
        "links": page_links(actor, PAGES),
        "my_day_url": reports.url_or_none("facilities:my_day"),
        "entrapment_start_url": reports.url_or_none("facilities:entrapment_start")
        if actor.may("facilities.start_entrapment") else None,
    })
    return render(request, "facilities/home/home.html", context)


def _buttons(actor) -> list[tuple[str, str, str]]:
    """The duty round's buttons the actor may use: (label, url, css class)."""
    rows = (
        (_("Log readings"), "facilities:readings", "facilities.log_readings", "btn-primary"),
        (_("Report a fault"), "facilities:fault_new", "facilities.report_faults", ""),
        (_("Start an entrapment"), "facilities:entrapment_start", "facilities.start_entrapment", "btn-danger"),
        (_("Hand over my shift"), "facilities:handover_new", "facilities.handover", ""),
    )
    return [(label, url, css) for label, name, permission, css in rows
            if actor.may(permission) and (url := reports.url_or_none(name))]


@staff_view(reads="facilities.equipment")
def my_day(request):
    """The technician's phone hub. `?code=` (the code box, or a scanned label's URL) opens the item it names in
    the actor's projects; several items of that code are listed to choose from; none is said."""
    actor = request.actor
    code = (request.GET.get("code") or "").strip()
    found, problem = [], ""
    if code:
        found = reports.find_item(actor, code)
        url = reports.url_or_none("facilities:equipment", found[0].pk) if len(found) == 1 else None
        if url:
            return redirect(url)
        for item in found:  # the item page may not be there yet: the list then names them without a link
            item.link = reports.url_or_none("facilities:equipment", item.pk)
        if not found:
            problem = _("No item with that code or label in your projects.")
    context = reports.my_day(actor, timezone.now())
    context.update({"code": code[:reports.CODE_MAX], "found": found, "problem": problem,
                    "buttons": _buttons(actor), "tasks_url": reports.url_or_none("facilities:tasks")})
    return render(request, "facilities/home/my_day.html", context)


urlpatterns = [
    path("console/facilities/", home, name="home"),
    path("console/facilities/my/", my_day, name="my_day"),
]
