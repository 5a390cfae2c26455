"""Facilities console pages: faults (故障) — the list with filters, one fault with its steps' forms, time limits
and timeline, the new-fault form (also linking an owner's repair request), the monthly fault rate and downtime
per item and category, and the fault report PDF."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wuye.core.access import Role, get_scoped_or_404, scoped
from wuye.core.errors import DomainError
from wuye.core.sentences import format_minutes, format_time
from wuye.core.validators import digits
from wuye.tenancy.models import Project
from wuye.web.guards import staff_view
from wuye.web.paging import paginate

from .. import faults as service
from .. import reports
from ..models import Contractor, Equipment, EquipmentStatus, Fault, FaultSeverity, FaultStatus

FIELD_MAX = 2000


def _errors(error: DomainError) -> dict:
    return {problem.field or "form": problem.message for problem in error.problems} or {"form": error.message}


def _filters(request) -> dict:
    get = request.GET
    return {
        "project": get.get("project") if digits(get.get("project") or "") else "",
        "equipment": get.get("equipment") if digits(get.get("equipment") or "") else "",
        "status": get.get("status") if get.get("status") in FaultStatus.values else "",
        "severity": get.get("severity") if get.get("severity") in FaultSeverity.values else "",
        "open": get.get("open") in ("on", "1", "true"),
    }


@staff_view(reads="facilities.faults")
def fault_list(request):
    actor = request.actor
    filters = _filters(request)
    # The same rows the workbench's fault cards count (reports.fault_rows): one filter for both.
    rows = reports.fault_rows(actor, filters).select_related("project", "equipment__category")
    page = paginate(request, rows.order_by("-raised_at", "-id"))
    query = urlencode({key: ("on" if value is True else value) for key, value in filters.items() if value})
    return render(request, "facilities/faults/list.html", {
        "page": page, "filters": filters, "query": query,
        "projects": scoped(Project.objects.active(), actor).only("id", "name"),
        "statuses": FaultStatus.choices, "severities": FaultSeverity.choices,
        "may_report": actor.may("facilities.report_faults"),
    })


def _detail_context(request, fault: Fault, errors: dict | None = None, failed: str = "") -> dict:
    from wuye.people.services import staff_with_role

    actor = request.actor
    fault = Fault.objects.select_related("project", "equipment__category", "assignee", "contractor", "ticket",
                                         "reported_by").get(pk=fault.pk)
    actions = [action for action in service.actions_from(fault.status) if service.may_act(actor, fault, action)]
    required = service.runs_required(fault)
    return {
        "fault": fault, "actions": actions, "errors": errors or {}, "failed_action": failed,
        "clocks": service.current_clocks(fault), "runs_required": required, "run_numbers": range(1, required + 1),
        "test_name": fault.equipment.category.post_repair_test,
        "downtime": format_minutes(fault.downtime_minutes) if fault.downtime_minutes is not None else "",
        "technicians": staff_with_role(Role.ENGINEERING, fault.project) if "start_repair" in actions else [],
        "contractors": Contractor.objects.filter(company_id=fault.project.company_id, is_active=True)
        if "start_repair" in actions else [],
        "severities": FaultSeverity.choices, "post": request.POST if failed else {},
        "readings": fault.readings.order_by("-recorded_at")[:10],
    }


@staff_view(reads="facilities.faults")
def fault_detail(request, pk: int):
    fault = get_scoped_or_404(Fault.objects.all(), request.actor, pk=pk)
    return render(request, "facilities/faults/detail.html", _detail_context(request, fault))


DONE = {"report": _("Reported; the repair time limit is running."), "start_repair": _("Repair started."),
        "record_repair": _("Repair recorded; now run the post-repair test."),
        "record_test": _("Test recorded."), "close": _("Fault report filed."), "cancel": _("Fault cancelled.")}


def _action_fields(request, fault: Fault, action: str) -> dict:
    """The posted form as the service's fields (text bounded; ids looked up within the fault's company)."""
    post = request.POST
    fields = {name: post.get(name, "")[:FIELD_MAX + 1] for name in
              ("severity", "cause", "repair_action", "parts", "note", "prevention", "reason")}
    if action == "report" and "description" in post:
        fields["description"] = post.get("description", "")[:FIELD_MAX + 1]
    if action == "start_repair":
        from django.contrib.auth import get_user_model

        assignee = post.get("assignee", "")
        contractor = post.get("contractor", "")
        fields["assignee"] = get_user_model().objects.filter(pk=int(assignee), is_active=True).first() \
            if digits(assignee) else None
        fields["contractor"] = Contractor.objects.filter(
            pk=int(contractor), company_id=fault.project.company_id).first() if digits(contractor) else None
    if action == "record_test":
        runs = []
        for number in range(1, service.MAX_TEST_RUNS + 1):
            value = post.get(f"run_{number}", "")
            if value in ("ok", "fail"):
                runs.append(value == "ok")
        fields["runs"] = runs
    return fields


@require_POST
@staff_view(reads="facilities.faults")
def fault_action(request, pk: int, action: str):
    fault = get_scoped_or_404(Fault.objects.select_related("project"), request.actor, pk=pk)
    try:
        fault = service.act(request.actor, fault, action, **_action_fields(request, fault, action))
    except DomainError as error:
        return render(request, "facilities/faults/detail.html",
                      _detail_context(request, fault, _errors(error), action), status=error.status)
    message = DONE.get(action, "")
    if action == "record_test" and fault.status == FaultStatus.IN_REPAIR:
        message = _("A test run failed: the item stays out of service and goes back to repair.")
    messages.success(request, str(message))
    return redirect(reverse("facilities:fault", args=[fault.pk]))


def _new_context(request, errors=None, ticket=None) -> dict:
    from .. import register

    items = register.visible_equipment(request.actor).exclude(status=EquipmentStatus.SCRAPPED) \
        .select_related("project").order_by("project__name", "name")
    if ticket is not None:
        items = items.filter(project_id=ticket.project_id)
    chosen = request.POST.get("equipment") or request.GET.get("equipment") or ""
    return {"items": items[:500], "chosen": chosen, "errors": errors or {}, "ticket": ticket,
            "severities": FaultSeverity.choices, "post": request.POST}


def _ticket(request):
    raw = request.POST.get("ticket") or request.GET.get("ticket") or ""
    if not raw:
        return None
    from wuye.workorders.models import Ticket

    if not digits(raw):
        raise Http404
    return get_scoped_or_404(Ticket.objects.all(), request.actor, pk=int(raw))


@staff_view(reads="facilities.faults")
def fault_new(request):
    """Report a fault of an item (`?equipment=`), or link an owner's repair request to one (`?ticket=`)."""
    if not request.actor.may("facilities.report_faults"):
        raise Http404
    ticket = _ticket(request)
    if request.method != "POST":
        return render(request, "facilities/faults/new.html", _new_context(request, ticket=ticket))
    raw = request.POST.get("equipment", "")
    equipment = scoped(Equipment.objects.all(), request.actor).filter(pk=int(raw)).first() if digits(raw) else None
    try:
        if equipment is None:
            from wuye.core.errors import InvalidInput

            raise InvalidInput("equipment", _("Choose the item."))
        severity = request.POST.get("severity", FaultSeverity.GENERAL)
        if ticket is not None:
            fault = service.fault_from_ticket(request.actor, ticket, equipment, severity=severity)
        else:
            fault = service.report_fault(request.actor, equipment, title=request.POST.get("title", "")[:1000],
                                         severity=severity,
                                         description=request.POST.get("description", "")[:FIELD_MAX + 1])
    except DomainError as error:
        return render(request, "facilities/faults/new.html", _new_context(request, _errors(error), ticket),
                      status=error.status)
    messages.success(request, _("Fault reported; engineering has been told."))
    return redirect(reverse("facilities:fault", args=[fault.pk]))


def _month(raw: str | None, today: date) -> date:
    try:
        year, month = (int(part) for part in (raw or "").split("-"))
        if 2000 <= year <= today.year + 1 and 1 <= month <= 12:
            return date(year, month, 1)
    except ValueError:
        pass
    return today.replace(day=1)


@staff_view(reads="facilities.faults")
def fault_stats(request):
    """The month's faults per category (items, faults, fault rate, downtime, mean time to repair) and per item."""
    actor = request.actor
    today = timezone.localdate()
    month = _month(request.GET.get("month"), today)
    projects = scoped(Project.objects.active(), actor)
    chosen = request.GET.get("project", "")
    if digits(chosen):
        projects = projects.filter(pk=int(chosen))
    stats = service.fault_stats(list(projects.values_list("pk", flat=True)), month)
    for row in [*stats["categories"], *stats["items"], stats["total"]]:
        row["downtime_text"] = format_minutes(row["downtime_minutes"]) if row["downtime_minutes"] else "—"
        row["mttr_text"] = format_minutes(row["mttr_minutes"]) if row["mttr_minutes"] is not None else "—"
    previous = (month.replace(day=1) - timedelta(days=1)).replace(day=1)
    following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return render(request, "facilities/faults/stats.html", {
        "stats": stats, "month": month, "chosen": chosen, "previous": previous,
        "following": following if following <= today.replace(day=1) else None,
        "projects": scoped(Project.objects.active(), actor).only("id", "name"),
    })


@staff_view(reads="facilities.faults")
def fault_report_pdf(request, pk: int):
    """The fault report (故障报告): the item, what was wrong, cause, repair, test, downtime, prevention, timeline."""
    from wuye.core.events import timeline
    from wuye.core.pdf import Document
    from wuye.core.sentences import event_sentence, prepare_events

    fault = get_scoped_or_404(Fault.objects.select_related("project", "equipment__category", "contractor",
                                                           "assignee"), request.actor, pk=pk)
    doc = Document(title=_("Fault report"))
    doc.heading(_("Fault report"))
    doc.fields([
        (_("Project"), fault.project.name), (_("Equipment"), fault.equipment.name),
        (_("Category"), fault.equipment.category.name), (_("Fault"), fault.title),
        (_("Severity"), fault.get_severity_display()), (_("Status"), fault.get_status_display()),
        (_("Found"), format_time(fault.raised_at)), (_("Back in service"), format_time(fault.back_in_service_at)),
        (_("Downtime"), format_minutes(fault.downtime_minutes) if fault.downtime_minutes is not None else "—"),
        (_("Technician"), (fault.assignee.get_full_name() if fault.assignee else "") or "—"),
        (_("Contractor"), fault.contractor.name if fault.contractor_id else "—"),
    ])
    for label, text in ((_("Details"), fault.description), (_("Cause"), fault.cause),
                        (_("Repair done"), fault.repair_action), (_("Parts used"), fault.parts),
                        (_("Prevention measure"), fault.prevention)):
        doc.paragraph(f"{label}：{text or '—'}")
    events = prepare_events(timeline(fault))
    doc.table([_("Time"), _("Step")], [[format_time(event.created_at), event_sentence(event)] for event in events],
              widths=[30, 140])
    return doc.response(filename=_("fault-report-%(date)s.pdf") % {
        "date": timezone.localtime(fault.raised_at).strftime("%Y%m%d")})


urlpatterns = [
    path("console/facilities/faults/", fault_list, name="faults"),
    path("console/facilities/faults/new/", fault_new, name="fault_new"),
    path("console/facilities/faults/stats/", fault_stats, name="fault_stats"),
    path("console/facilities/faults/<int:pk>/", fault_detail, name="fault"),
    path("console/facilities/faults/<int:pk>/report.pdf", fault_report_pdf, name="fault_report_pdf"),
    path("console/facilities/faults/<int:pk>/<str:action>/", fault_action, name="fault_action"),
]
