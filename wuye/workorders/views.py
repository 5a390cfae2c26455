"""Console and portal pages for work orders (thin: parse a form, call one service function, render). Every record
is read through `scoped()`; refusals of the services (DomainError) come back as form errors or a message."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, F, IntegerField, OuterRef, Subquery, When
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from wuye.core.access import Role, get_scoped_or_404, scoped
from wuye.core.errors import DomainError
from wuye.core.events import timeline
from wuye.core.models import Event
from wuye.core.pii import mask_phone, mask_text
from wuye.people.models import DEPARTMENTS, Resident
from wuye.sla.engine import clocks_for
from wuye.sla.models import ClockState
from wuye.tenancy.models import Project
from wuye.web.guards import owner_view, staff_view
from wuye.web.htmx import render_page
from wuye.web.paging import paginate

from . import improvements, photos, reports, services
from .flows import OWNER_ACTIONS, transition_for
from .forms import (
    ImprovementForm,
    NewTicketForm,
    OwnerActionForm,
    OwnerTicketForm,
    TicketFilterForm,
    action_form,
    show_problems,
)
from .models import ImprovementAction, Kind, Photo, Status, Ticket

ACTION_LABELS = {
    "dispatch": gettext_lazy("Dispatch"),
    "reassign": gettext_lazy("Reassign"),
    "accept": gettext_lazy("Accept"),
    "arrive": gettext_lazy("Arrived on site"),
    "pause": gettext_lazy("Pause"),
    "resume": gettext_lazy("Resume"),
    "complete": gettext_lazy("Complete"),
    "verify": gettext_lazy("Verify the contractor's work"),
    "confirm": gettext_lazy("Owner signed off"),
    "settle": gettext_lazy("Fee settled"),
    "return_visit": gettext_lazy("Return visit"),
    "close": gettext_lazy("Close"),
    "reopen": gettext_lazy("Reopen"),
    "cancel": gettext_lazy("Cancel ticket"),
    "assign": gettext_lazy("Assign to a department"),
    "resolve": gettext_lazy("Record the handling"),
    "approve": gettext_lazy("Approve the resolution"),
    "reject": gettext_lazy("Reject the resolution"),
    "reply": gettext_lazy("Reply"),
}
OWNER_ACTION_LABELS = {
    "confirm": gettext_lazy("Confirm the repair is done"),
    "cancel": gettext_lazy("Cancel"),
    "reopen": gettext_lazy("Not solved — reopen"),
}
PRIMARY_ACTIONS = {"dispatch", "accept", "arrive", "complete", "confirm", "return_visit", "assign", "resolve",
                   "approve", "reply", "close"}
BOARD_COLUMNS = (Status.NEW, Status.DISPATCHED, Status.ACCEPTED, Status.ON_SITE, Status.PAUSED)
BOARD_LIMIT = 40
FEEDBACK_KINDS = (Kind.COMPLAINT, Kind.SUGGESTION, Kind.PRAISE, Kind.INQUIRY)
OWNER_KINDS = (Kind.REPAIR, Kind.COMPLAINT, Kind.SUGGESTION, Kind.PRAISE)
STALE_MESSAGE = gettext_lazy("Someone else changed this ticket meanwhile, so nothing was done. The page now shows "
                             "its current state — reload and check before acting again.")


def _with_details(tickets):
    return tickets.with_people().select_related("category__parent")


def _minutes_text(minutes: float) -> str:
    minutes = round(abs(minutes))
    if minutes >= 60:
        return _("%(hours)s h %(minutes)s min") % {"hours": minutes // 60, "minutes": minutes % 60}
    return _("%(minutes)s min") % {"minutes": minutes}


def _clock_rows(ticket, now):
    """Each clock of the ticket with how it stands: met / breached / overdue / at risk / running / paused."""
    rows = []
    for clock in clocks_for(ticket):
        overrun = clock.overrun_minutes()
        if clock.state == ClockState.MET:
            css, label = "green", _("Met")
            note = _("%(time)s early") % {"time": _minutes_text(overrun)} if overrun and overrun < 0 else ""
        elif clock.state == ClockState.BREACHED:
            css, label = "red", _("Breached")
            note = _("%(time)s late") % {"time": _minutes_text(overrun)} if overrun else ""
        elif clock.state == ClockState.CANCELLED:
            css, label, note = "muted", _("Cancelled"), ""
        elif clock.state == ClockState.PAUSED:
            css, label, note = "muted", _("Paused"), ""
        elif clock.due_at < now:
            css, label = "red", _("Overdue")
            note = _("%(time)s late") % {"time": _minutes_text((now - clock.due_at) / timedelta(minutes=1))}
        elif clock.warn_at <= now:
            css, label = "amber", _("At risk")
            note = _("%(time)s left") % {"time": _minutes_text((clock.due_at - now) / timedelta(minutes=1))}
        else:
            css, label = "blue", _("Running")
            note = _("%(time)s left") % {"time": _minutes_text((clock.due_at - now) / timedelta(minutes=1))}
        rows.append({"clock": clock, "css": css, "label": label, "note": note})
    return rows


def _mark_due(rows, now):
    for row in rows:
        row.due_state = reports.due_state(row, now)
    return rows


def _staff_actions(actor, ticket) -> list[str]:
    return services.allowed_actions(actor, ticket)


# -- console: the inbox ---------------------------------------------------------------------------------------
@staff_view("workorders.view")
def inbox(request):
    actor, now = request.actor, timezone.now()
    data = request.GET
    defaulted = False
    if not data and actor.role == Role.ENGINEERING:
        data, defaulted = {"kind": Kind.REPAIR, "open": "on"}, True  # engineering starts with open repairs
    form = TicketFilterForm(data, actor=actor)
    tickets = reports.with_deadlines(form.filter(_with_details(scoped(Ticket.objects.all(), actor)),
                                                 user=request.user, now=now))
    if form.cleaned_data.get("sort") == "due":
        tickets = tickets.order_by(F("next_due_at").asc(nulls_last=True), "-created_at", "-id")
    elif actor.role == Role.ENGINEERING:  # one's own repairs first
        tickets = tickets.order_by(Case(When(assignee=request.user, then=0), default=1, output_field=IntegerField()),
                                   "-created_at", "-id")
    page = paginate(request, tickets)
    return render_page(request, "workorders/inbox.html", "workorders/partials/inbox_results.html", {
        "form": form, "page": page, "rows": _mark_due(list(page.object_list), now), "defaulted": defaulted,
        "may_create": actor.may("workorders.create"),
    })


@staff_view("workorders.create")
def new_ticket(request):
    actor = request.actor
    refresh_url = reverse("workorders:new")
    if request.method == "POST":
        form = NewTicketForm(request.POST, actor=actor, refresh_url=refresh_url)
        if form.is_valid():
            project, data = form.ticket_input()
            try:
                ticket = services.create_ticket(actor, project=project, data=data)
            except DomainError as error:
                show_problems(form, error, form.SERVICE_FIELDS)
            else:
                messages.success(request, _("Ticket %(number)s received.") % {"number": ticket.number})
                return redirect(ticket)
        return render(request, "workorders/new.html", {"form": form}, status=422)
    # A GET with `refresh` re-renders the choices that depend on project, kind and building (htmx).
    form = NewTicketForm(actor=actor, initial=request.GET.dict(), refresh_url=refresh_url)
    return render(request, "workorders/new.html", {"form": form})


# -- console: one ticket ----------------------------------------------------------------------------------------
def _ticket_page(request, ticket_id, *, failed=None, page_error="", status=None):
    actor, now = request.actor, timezone.now()
    ticket = get_scoped_or_404(_with_details(Ticket.objects.select_related("reporter", "approved_by", "repeat_of")),
                               actor, pk=ticket_id)
    charges = list(ticket.charge_lines.order_by("id"))
    opened = failed[0] if failed else request.GET.get("action", "")  # ?action=dispatch opens that form
    actions = []
    for name in _staff_actions(actor, ticket):
        form = failed[1] if failed and failed[0] == name else action_form(name, ticket, actor)
        actions.append({"name": name, "label": ACTION_LABELS.get(name, name), "form": form,
                        "open": opened == name, "primary": name in PRIMARY_ACTIONS})
    return render(request, "workorders/ticket_detail.html", {
        "ticket": ticket,
        "clocks": _clock_rows(ticket, now),
        "charges": charges,
        "charge_total": sum((line.amount for line in charges), Decimal("0.00")),
        "photos": list(ticket.photos.order_by("id")),
        "actions": actions,
        "show_pii": actor.may("people.view_pii") or ticket.reporter_id == request.user.pk,
        "may_see_units": actor.may("tenancy.view_places"),
        "department": DEPARTMENTS.get(ticket.responsible_role, "") if ticket.responsible_role else "",
        "page_error": page_error,
    }, status=status)


def ticket_detail(request, ticket_id: int):
    # Notifications link owners here too (`Ticket.get_absolute_url`): send them to their portal's page.
    if request.user.is_authenticated and request.actor.is_owner:
        return redirect("workorders:h5_ticket", ticket_id=ticket_id)
    return _staff_ticket_detail(request, ticket_id)


@staff_view("workorders.view")
def _staff_ticket_detail(request, ticket_id: int):
    return _ticket_page(request, ticket_id)


@staff_view("workorders.view")
def ticket_action(request, ticket_id: int, action: str):
    if request.method != "POST":
        return redirect("workorders:ticket", ticket_id=ticket_id)
    actor = request.actor
    ticket = get_scoped_or_404(Ticket.objects.all(), actor, pk=ticket_id)
    if transition_for(ticket.kind, action) is None:
        raise Http404
    form = action_form(action, ticket, actor, data=request.POST)
    if not form.is_valid():
        return _ticket_page(request, ticket_id, failed=(action, form), status=422)
    try:
        services.perform(actor, ticket, action, form.action_input())
    except services.StaleTicket as error:
        stale = error.message if form.cleaned_data.get("version") == error.current["version"] else STALE_MESSAGE
        return _ticket_page(request, ticket_id, page_error=stale, status=409)
    except DomainError as error:
        if error.problems:
            show_problems(form, error, form.SERVICE_FIELDS)
            return _ticket_page(request, ticket_id, failed=(action, form), status=error.status)
        return _ticket_page(request, ticket_id, page_error=error.message, status=error.status)
    messages.success(request, _("%(action)s: done.") % {"action": ACTION_LABELS.get(action, action)})
    return redirect("workorders:ticket", ticket_id=ticket_id)


def _photo_response(photo: Photo):
    try:
        handle = photo.image.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(handle, content_type=photo.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


@staff_view("workorders.view")
def ticket_photo(request, ticket_id: int, photo_id: int):
    ticket = get_scoped_or_404(Ticket.objects.all(), request.actor, pk=ticket_id)
    return _photo_response(_ticket_photo_or_404(ticket, photo_id))


def _ticket_photo_or_404(ticket, photo_id):
    photo = Photo.objects.filter(ticket=ticket, pk=photo_id).first()
    if photo is None:
        raise Http404
    return photo


# -- console: dispatch board ------------------------------------------------------------------------------------
@staff_view("workorders.view")
def dispatch_board(request):
    actor, now = request.actor, timezone.now()
    form = TicketFilterForm(request.GET, actor=actor)
    form.is_valid()
    repairs = scoped(Ticket.objects.filter(kind=Kind.REPAIR), actor)
    if form.cleaned_data.get("project"):
        repairs = repairs.filter(project=form.cleaned_data["project"])
    if form.cleaned_data.get("mine"):
        repairs = repairs.filter(assignee=request.user)
    counts = dict(repairs.filter(status__in=BOARD_COLUMNS).order_by().values_list("status").annotate(n=Count("id")))
    cards = reports.with_deadlines(_with_details(repairs)).order_by(F("next_due_at").asc(nulls_last=True),
                                                                     "created_at", "id")
    columns = []
    for status in BOARD_COLUMNS:
        rows = _mark_due(list(cards.filter(status=status)[:BOARD_LIMIT]), now)
        columns.append({"status": status, "label": Status(status).label, "cards": rows,
                        "count": counts.get(status, 0), "more": max(counts.get(status, 0) - len(rows), 0)})
    return render_page(request, "workorders/dispatch.html", "workorders/partials/board.html",
                       {"form": form, "columns": columns})


# -- console: complaint ledger and weekly analysis ------------------------------------------------------------
def _day(value, default: date) -> date:
    try:
        return date.fromisoformat(value) if value else default
    except ValueError:
        return default


def _project_param(request, name: str = "project"):
    value = request.GET.get(name) or request.POST.get(name) or ""
    if not value.isdigit():
        return None
    return scoped(Project.objects.all(), request.actor).filter(pk=int(value)).first()


LEDGER_HEADER = (
    gettext_lazy("No."), gettext_lazy("Ticket"), gettext_lazy("Received"), gettext_lazy("Project"),
    gettext_lazy("Unit or location"), gettext_lazy("Contact"), gettext_lazy("Contact phone"),
    gettext_lazy("Category"), gettext_lazy("Urgency"), gettext_lazy("Complaint (as recorded)"),
    gettext_lazy("Responsible department"), gettext_lazy("Status"), gettext_lazy("Handling result"),
    gettext_lazy("Reply"), gettext_lazy("Improvement measure"), gettext_lazy("Return-visit score"),
    gettext_lazy("Return-visit comment"),
)


def _ledger_rows(tickets, *, show_pii: bool):
    """The ledger's cells; exports always mask personal data (§1), the page only for roles without PII access."""
    for index, ticket in enumerate(tickets, start=1):
        where = ticket.unit.label if ticket.unit_id else (ticket.location or _("Public area"))
        description = ticket.description if show_pii else mask_text(ticket.description)
        yield [
            index, ticket.number, timezone.localtime(ticket.created_at).strftime("%H:%M"), ticket.project.name,
            where, ticket.contact_name, ticket.contact_phone if show_pii else mask_phone(ticket.contact_phone),
            str(ticket.category) if ticket.category_id else "", ticket.get_urgency_display(), description,
            str(DEPARTMENTS.get(ticket.responsible_role, "")) if ticket.responsible_role else "",
            ticket.get_status_display(), ticket.resolution, ticket.reply, ticket.improvement,
            ticket.satisfaction or "", ticket.visit_comment,
        ]


def _ledger_export(day, project, tickets, fmt):
    header = [str(title) for title in LEDGER_HEADER]
    rows = list(_ledger_rows(tickets, show_pii=False))
    filename = f"complaint-ledger-{day.isoformat()}{'-' + project.code if project else ''}"
    if fmt == "xlsx":
        from openpyxl import Workbook
        from openpyxl.styles import Alignment, Font

        book = Workbook()
        sheet = book.active
        sheet.title = day.isoformat()
        sheet.append([_("Complaint ledger %(day)s") % {"day": day.isoformat()}])
        sheet["A1"].font = Font(bold=True, size=14)
        sheet.append(header)
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(row)
        widths = (5, 20, 8, 12, 14, 10, 14, 16, 8, 40, 14, 10, 30, 30, 30, 8, 24)
        for column, width in zip("ABCDEFGHIJKLMNOPQ", widths, strict=True):
            sheet.column_dimensions[column].width = width
        for row in sheet.iter_rows(min_row=3):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.freeze_panes = "A3"
        buffer = io.BytesIO()
        book.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
        response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
        return response
    buffer = io.StringIO()
    buffer.write("\ufeff")  # so that Excel opens the Chinese text as UTF-8
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


@staff_view("workorders.view")
def ledger(request):
    actor = request.actor
    today = timezone.localdate()
    day = _day(request.GET.get("date"), today)
    project = _project_param(request)
    tickets = list(reports.complaint_ledger(actor, day, project))
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        return _ledger_export(day, project, tickets, fmt)
    show_pii = actor.may("people.view_pii")
    closed = sum(1 for t in tickets if t.status == Status.CLOSED)
    scores = [t.satisfaction for t in tickets if t.satisfaction]
    return render(request, "workorders/ledger.html", {
        "day": day, "previous": day - timedelta(days=1), "next": day + timedelta(days=1) if day < today else None,
        "project": project, "projects": scoped(Project.objects.active(), actor).only("id", "name"),
        "rows": list(zip(tickets, _ledger_rows(tickets, show_pii=show_pii), strict=True)),
        "summary": {"total": len(tickets), "closed": closed, "open": len(tickets) - closed,
                    "major": sum(1 for t in tickets if t.is_major),
                    "average": round(sum(scores) / len(scores), 1) if scores else None},
        "query": urlencode({"date": day.isoformat(), **({"project": project.pk} if project else {})}),
    })


def _analysis_context(request, monday, project, form=None):
    actor = request.actor
    start, _end = reports.day_bounds(monday)
    end = start + timedelta(days=7)
    complaints = reports.complaints_between(actor, start, end, project)
    by_category = reports.pareto_by_category(complaints)
    by_building = reports.pareto_by_building(complaints)
    this_monday = reports.week_start(timezone.localdate())
    return {
        "monday": monday, "sunday": monday + timedelta(days=6), "previous": monday - timedelta(days=7),
        "next": monday + timedelta(days=7) if monday < this_monday else None,
        "project": project, "projects": scoped(Project.objects.active(), actor).only("id", "name"),
        "total": sum(row.count for row in by_category),
        "by_category": by_category, "by_building": by_building,
        "category_chart": reports.pareto_chart(by_category), "building_chart": reports.pareto_chart(by_building),
        "actions": reports.improvements_for_week(actor, monday, project),
        "earlier": reports.open_improvements_before(actor, monday, project),
        "may_manage": improvements.may_manage(actor),
        "form": form or ImprovementForm(actor=actor, project=project),
        "today": timezone.localdate(),
    }


@staff_view("workorders.view")
def analysis(request):
    monday = reports.week_start(_day(request.GET.get("week"), timezone.localdate()))
    return render(request, "workorders/analysis.html", _analysis_context(request, monday, _project_param(request)))


def _analysis_url(monday, project=None) -> str:
    query = {"week": monday.isoformat(), **({"project": project.pk} if project else {})}
    return f"{reverse('workorders:analysis')}?{urlencode(query)}"


@require_POST
@staff_view("workorders.view")
def improvement_create(request):
    actor = request.actor
    if not improvements.may_manage(actor):
        raise PermissionDenied
    monday = reports.week_start(_day(request.POST.get("week"), timezone.localdate()))
    shown_project = _project_param(request, "shown_project")
    form = ImprovementForm(request.POST, actor=actor)
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            improvements.create_improvement(actor, project=data["project"], category=data.get("category"),
                                            title=data["title"], owner=data.get("owner"), due_on=data.get("due_on"),
                                            week=monday)
        except DomainError as error:
            show_problems(form, error, form.SERVICE_FIELDS)
            status = error.status
        else:
            messages.success(request, _("Improvement action recorded."))
            return redirect(_analysis_url(monday, shown_project))
    context = _analysis_context(request, monday, shown_project, form=form)
    return render(request, "workorders/analysis.html", context, status=status)


@require_POST
@staff_view("workorders.view")
def improvement_done(request, pk: int):
    action = get_scoped_or_404(ImprovementAction.objects.all(), request.actor, pk=pk)
    try:
        improvements.complete_improvement(request.actor, action)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Marked as done: %(title)s") % {"title": action.title})
    back = request.POST.get("week") or action.week.isoformat()
    project = _project_param(request)
    return redirect(_analysis_url(reports.week_start(_day(back, action.week)), project))


# -- owner portal (H5) -------------------------------------------------------------------------------------------
OWNER_EVENT_LABELS = {
    "ticket.created": gettext_lazy("Submitted"),
    "ticket.photo_added": gettext_lazy("Photo added"),
    "ticket.dispatch": gettext_lazy("A technician has been sent"),
    "ticket.accept": gettext_lazy("The technician accepted the job"),
    "ticket.arrive": gettext_lazy("The technician is on site"),
    "ticket.pause": gettext_lazy("Waiting (for parts or an appointment)"),
    "ticket.resume": gettext_lazy("Work continues"),
    "ticket.complete": gettext_lazy("Repair done — please check and confirm"),
    "ticket.confirm": gettext_lazy("Confirmed as done"),
    "ticket.settle": gettext_lazy("Fee paid"),
    "ticket.return_visit": gettext_lazy("Follow-up call made"),
    "ticket.close": gettext_lazy("Closed"),
    "ticket.reopen": gettext_lazy("Reopened"),
    "ticket.cancel": gettext_lazy("Cancelled"),
    "ticket.assign": gettext_lazy("Passed to the department in charge"),
    "ticket.resolve": gettext_lazy("Handled"),
    "ticket.reply": gettext_lazy("We replied"),
}
OWNER_STEPS = {
    Kind.REPAIR: (
        (gettext_lazy("Submitted"), {Status.NEW}),
        (gettext_lazy("Dispatched"), {Status.DISPATCHED}),
        (gettext_lazy("In progress"), {Status.ACCEPTED, Status.ON_SITE, Status.PAUSED}),
        (gettext_lazy("Done"), {Status.COMPLETED}),
        (gettext_lazy("Confirmed"), {Status.CONFIRMED}),
        (gettext_lazy("Finished"), {Status.VISITED, Status.CLOSED}),
    ),
    Kind.COMPLAINT: (
        (gettext_lazy("Submitted"), {Status.NEW}),
        (gettext_lazy("In progress"), {Status.ASSIGNED, Status.PENDING_APPROVAL}),
        (gettext_lazy("Handled"), {Status.RESOLVED}),
        (gettext_lazy("Replied"), {Status.REPLIED}),
        (gettext_lazy("Finished"), {Status.VISITED, Status.CLOSED}),
    ),
}
FEEDBACK_STEPS = (
    (gettext_lazy("Submitted"), {Status.NEW}),
    (gettext_lazy("Replied"), {Status.REPLIED}),
    (gettext_lazy("Finished"), {Status.CLOSED}),
)


def _owner_steps(ticket):
    steps = OWNER_STEPS.get(ticket.kind, FEEDBACK_STEPS)
    current = next((i for i, (_label, statuses) in enumerate(steps) if ticket.status in statuses), None)
    return [{"label": label, "state": "todo" if current is None or i > current else "done" if i < current
             else "current"} for i, (label, _statuses) in enumerate(steps)]


def _owner_progress(ticket, user):
    """The ticket's events in words for owners: internal steps (reassignments, approvals, clocks) left out."""
    progress = []
    for event in timeline(ticket):
        label = OWNER_EVENT_LABELS.get(event.verb)
        if label is None:
            continue
        progress.append({"label": label, "at": event.created_at, "by_me": event.actor_id == user.pk,
                         "reason": (event.data or {}).get("reason", "") if event.verb in (
                             "ticket.pause", "ticket.cancel", "ticket.reopen") else ""})
    progress.reverse()
    return progress


def _owner_actions(request, ticket) -> list[str]:
    return services.allowed_actions(request.actor, ticket)


def _latest_step():
    return Subquery(Event.objects.filter(
        subject_type=ContentType.objects.get_for_model(Ticket), subject_id=OuterRef("pk"),
        verb__in=list(OWNER_EVENT_LABELS)).order_by("-created_at", "-id").values("verb")[:1])


@owner_view
def h5_tickets(request, group: str = ""):
    tickets = scoped(Ticket.objects.all(), request.actor).select_related("unit__building", "category__parent")
    if group == "repairs":
        tickets = tickets.filter(kind=Kind.REPAIR)
    elif group == "feedback":
        tickets = tickets.filter(kind__in=FEEDBACK_KINDS)
    page = paginate(request, tickets.annotate(latest_verb=_latest_step()), per_page=20)
    rows = list(page.object_list)
    for row in rows:
        row.latest_step = OWNER_EVENT_LABELS.get(row.latest_verb, "")
    return render(request, "workorders/h5/tickets.html", {
        "group": group, "page": page, "rows": rows, "has_home": bool(request.actor.unit_ids),
    })


@owner_view
def h5_new(request, kind: str):
    if kind not in OWNER_KINDS:
        raise Http404
    actor = request.actor
    resident = Resident.objects.filter(pk=actor.resident_id).first()
    if request.method == "POST":
        form = OwnerTicketForm(request.POST, request.FILES, actor=actor, kind=kind)
        if form.is_valid():
            project, data = form.ticket_input()
            try:
                ticket = photos.report_with_photos(actor, project=project, data=data,
                                                   photos=form.cleaned_data.get("photos") or [])
            except DomainError as error:
                show_problems(form, error, form.SERVICE_FIELDS)
            else:
                messages.success(request, _("Thank you — we have received it. Number: %(number)s") % {
                    "number": ticket.number})
                return redirect("workorders:h5_ticket", ticket_id=ticket.pk)
        status = 422
    else:
        form, status = OwnerTicketForm(actor=actor, kind=kind, resident=resident), None
    return render(request, "workorders/h5/new.html", {
        "form": form, "kind": kind, "kind_label": Kind(kind).label, "has_home": bool(actor.unit_ids),
        "switch": [(k, Kind(k).label) for k in FEEDBACK_KINDS if k in OWNER_KINDS] if kind != Kind.REPAIR else [],
    }, status=status)


def _h5_ticket_page(request, ticket_id, *, failed=None, page_error="", status=None):
    ticket = get_scoped_or_404(_with_details(Ticket.objects.all()), request.actor, pk=ticket_id)
    actions = []
    for name in _owner_actions(request, ticket):
        form = failed[1] if failed and failed[0] == name else OwnerActionForm(ticket=ticket, action=name)
        actions.append({"name": name, "label": OWNER_ACTION_LABELS[name], "form": form,
                        "open": bool(failed and failed[0] == name)})
    charges = list(ticket.charge_lines.order_by("id"))
    return render(request, "workorders/h5/ticket.html", {
        "ticket": ticket, "steps": _owner_steps(ticket), "progress": _owner_progress(ticket, request.user),
        "actions": actions, "photos": list(ticket.photos.order_by("id")), "charges": charges,
        "charge_total": sum((line.amount for line in charges), Decimal("0.00")), "page_error": page_error,
    }, status=status)


@owner_view
def h5_ticket(request, ticket_id: int):
    return _h5_ticket_page(request, ticket_id)


@require_POST
@owner_view
def h5_action(request, ticket_id: int, action: str):
    if action not in OWNER_ACTIONS:
        raise Http404
    ticket = get_scoped_or_404(Ticket.objects.all(), request.actor, pk=ticket_id)
    form = OwnerActionForm(request.POST, ticket=ticket, action=action)
    if not form.is_valid():
        return _h5_ticket_page(request, ticket_id, failed=(action, form), status=422)
    try:
        services.perform(request.actor, ticket, action, form.action_input())
    except services.StaleTicket:
        return _h5_ticket_page(request, ticket_id, page_error=_(
            "This request changed meanwhile — please look at its current state."), status=409)
    except DomainError as error:
        if error.problems:
            show_problems(form, error)
            return _h5_ticket_page(request, ticket_id, failed=(action, form), status=error.status)
        return _h5_ticket_page(request, ticket_id, page_error=error.message, status=error.status)
    messages.success(request, {
        "confirm": _("Thank you for confirming."), "cancel": _("Cancelled."),
        "reopen": _("Reopened — we will follow up."),
    }[action])
    return redirect("workorders:h5_ticket", ticket_id=ticket_id)


@owner_view
def h5_photo(request, ticket_id: int, photo_id: int):
    ticket = get_scoped_or_404(Ticket.objects.all(), request.actor, pk=ticket_id)
    return _photo_response(_ticket_photo_or_404(ticket, photo_id))
