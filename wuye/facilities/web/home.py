"""Facilities console pages: the facilities home (设备, the nav's entry) — counts that open their lists, active
entrapments in red, hazard sweeps of the month against two, links to every facilities page — and the technician's
phone hub (我的今天, `my_day`): my tasks today and overdue, my open faults, active entrapments, the code box that
opens an item, and the four buttons of a duty round."""

from __future__ import annotations

from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from wuye.core.access import may_read
from wuye.web.guards import staff_view

from .. import reports

# The facilities pages a person may open from the home, with the resource that decides whether they may.
PAGES = (
    ("facilities:equipment_list", "facilities.equipment"), ("facilities:contractors", "facilities.equipment"),
    ("facilities:labels", "facilities.equipment"), ("facilities:plans", "facilities.maintenance"),
    ("facilities:tasks", "facilities.maintenance"), ("facilities:readings", "facilities.operation"),
    ("facilities:faults", "facilities.faults"), ("facilities:fault_stats", "facilities.faults"),
    ("facilities:entrapments", "facilities.entrapments"), ("facilities:sweeps", "facilities.fire"),
    ("facilities:drills", "facilities.fire"), ("facilities:posts", "facilities.handovers"),
    ("facilities:handovers", "facilities.handovers"), ("facilities:my_day", "facilities.equipment"),
)


def _links(actor) -> list[tuple[str, str]]:
    """The facilities pages that exist (other streams' pages land over time) and the actor may open."""
    labels = {
        "facilities:equipment_list": _("Equipment register"), "facilities:contractors": _("Contractors"),
        "facilities:labels": _("QR labels"), "facilities:plans": _("Maintenance plans"),
        "facilities:tasks": _("Maintenance tasks"), "facilities:readings": _("Operation logs"),
        "facilities:faults": _("Faults"), "facilities:fault_stats": _("Fault statistics"),
        "facilities:entrapments": _("Elevator entrapments"), "facilities:sweeps": _("Hazard sweeps"),
        "facilities:drills": _("Fire drills"), "facilities:posts": _("Duty posts"),
        "facilities:handovers": _("Shift handovers"), "facilities:my_day": _("My day"),
    }
    links = []
    for name, resource in PAGES:
        url = reports.url_or_none(name)
        if url and may_read(actor, resource):
            links.append((labels[name], url))
    return links


@staff_view(reads="facilities.equipment")
def home(request):
    """The facilities home: what is in service, what is due and late, what is broken, who is trapped."""
    actor = request.actor
    context = reports.overview(actor, timezone.now())
    context.update({
        "links": _links(actor),
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
