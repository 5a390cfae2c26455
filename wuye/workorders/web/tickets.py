"""The console's ticket pages: the inbox with its filters, the new-ticket form, one ticket with its clocks and
action forms."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.db.models import Case, F, IntegerField, When
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from wuye.core.access import Role, get_scoped_or_404, scoped
from wuye.core.errors import DomainError
from wuye.people.models import DEPARTMENTS
from wuye.sla.engine import clocks_for
from wuye.sla.models import ClockState
from wuye.tenancy.models import Project
from wuye.web.guards import staff_view
from wuye.web.htmx import render_page
from wuye.web.paging import paginate
from wuye.web.search import redirect_posted_search, search_data

from .. import frontdesk, reports, services
from ..flows import transition_for
from ..forms import NewTicketForm, TicketFilterForm, action_form, show_problems
from ..models import Kind, Ticket
from .common import mark_due, with_details

ACTION_LABELS = {
    "classify": gettext_lazy("Classify"),
    "dispatch": gettext_lazy("Dispatch"),
    "reassign": gettext_lazy("Reassign"),
    "accept": gettext_lazy("Accept"),
    "arrive": gettext_lazy("Arrived on site"),
    "pause": gettext_lazy("Pause"),
    "resume": gettext_lazy("Resume"),
    "complete": gettext_lazy("Complete"),
    "verify": gettext_lazy("Verify the contractor's work"),
    "confirm": gettext_lazy("Owner signed off"),
    "collect_fee": gettext_lazy("Fee paid now (receipt)"),
    "charge_fee": gettext_lazy("Charge to the owner's account (on account)"),
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
PRIMARY_ACTIONS = {"dispatch", "accept", "arrive", "complete", "confirm", "return_visit", "assign", "resolve",
                   "approve", "reply", "close"}
STALE_MESSAGE = gettext_lazy("Someone else changed this ticket meanwhile, so nothing was done. The page now shows "
                             "its current state — reload and check before acting again.")


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


def _staff_actions(actor, ticket) -> list[str]:
    return services.allowed_actions(actor, ticket)


# -- console: the inbox ---------------------------------------------------------------------------------------
# What the inbox shows a field department when no filter is given (the menu, page 2 of it): their open jobs —
# closed ones only when asked for.
DEFAULT_FILTERS = {
    Role.ENGINEERING: {"kind": Kind.REPAIR, "open": "on"},
    Role.SECURITY: {"open": "on"},
    Role.ENVIRONMENT: {"open": "on"},
}


@staff_view(reads="workorders.tickets")
def inbox(request):
    if request.method == "POST":  # the search may be the contact's phone: kept out of the URL (web.search)
        return redirect_posted_search(request)
    actor, now = request.actor, timezone.now()
    data = search_data(request)
    defaulted = False
    defaults = DEFAULT_FILTERS.get(actor.role)
    if defaults and not any(name in data for name in TicketFilterForm.base_fields):
        data, defaulted = data.copy(), True  # no filter chosen (a page number is not one): the open jobs
        data.update(defaults)
    form = TicketFilterForm(data, actor=actor)
    tickets = reports.with_deadlines(form.filter(with_details(scoped(Ticket.objects.all(), actor)),
                                                 user=request.user, now=now))
    if form.cleaned_data.get("sort") == "due":
        tickets = tickets.order_by(F("next_due_at").asc(nulls_last=True), "-created_at", "-id")
    elif actor.role in DEFAULT_FILTERS:  # one's own jobs first
        tickets = tickets.order_by(Case(When(assignee=request.user, then=0), default=1, output_field=IntegerField()),
                                   "-created_at", "-id")
    page = paginate(request, tickets)
    return render_page(request, "workorders/inbox.html", "workorders/partials/inbox_results.html", {
        "form": form, "page": page, "rows": mark_due(list(page.object_list), now), "defaulted": defaulted,
        "may_create": actor.may("workorders.create"),
    })


def _new_ticket_page(request, form, status=None):
    """The new-ticket form with the chosen unit's panel beside it (its tickets, arrears, a probable repeat)."""
    unit, panel = form.chosen("unit"), None
    if unit is not None:
        kind = (form.data if form.is_bound else form.initial).get("kind") or Kind.REPAIR
        panel = frontdesk.unit_panel(request.actor, unit, kind=kind, category=form.chosen("category"))
    return render(request, "workorders/new.html", {
        "form": form, "panel": panel, "caller": form.caller,
        "may_see_accounts": request.actor.may("billing.view"),
    }, status=status)


@staff_view("workorders.create")
def new_ticket(request):
    actor = request.actor
    refresh_url = reverse("workorders:new")
    if request.method == "POST" and request.POST.get("refresh"):
        # htmx re-renders the choices that depend on project, kind, building, unit and category, with the unit's
        # panel; the typed values travel by POST, so a contact's phone never lands in a URL.
        initial = {name: value for name, value in request.POST.dict().items() if name != "csrfmiddlewaretoken"}
        return _new_ticket_page(request, NewTicketForm(actor=actor, initial=initial, refresh_url=refresh_url))
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
        return _new_ticket_page(request, form, status=422)
    # A GET with `refresh` re-renders the same (links carry ids only: project, kind, building, unit, caller).
    form = NewTicketForm(actor=actor, initial=request.GET.dict(), refresh_url=refresh_url)
    return _new_ticket_page(request, form)


@require_POST
@staff_view("workorders.create")
def caller_lookup(request):
    """The new-ticket page's caller search (htmx, POST: the text may be a phone number): current residents by
    phone (full or last four digits), unit as typed or name, within the clerk's scope and the form's project."""
    actor = request.actor
    project = None
    if project_id := request.POST.get("project"):
        project = scoped(Project.objects.all(), actor).filter(pk=_int_or_none(project_id)).first()
    text = request.POST.get("caller_q", "")
    residencies, more = frontdesk.find_callers(actor, text, project=project)
    return render(request, "workorders/partials/caller_results.html", {
        "residencies": residencies, "more": more, "searched": bool(text.strip()),
        "kind": request.POST.get("kind") or Kind.REPAIR,
    })


def _int_or_none(value):
    try:
        value = int(value)
    except (TypeError, ValueError):
        return None
    return value if 0 < value < 2**63 else None


# -- console: one ticket ----------------------------------------------------------------------------------------
def _ticket_page(request, ticket_id, *, failed=None, page_error="", status=None):
    actor, now = request.actor, timezone.now()
    ticket = get_scoped_or_404(with_details(Ticket.objects.select_related("reporter", "approved_by", "repeat_of")),
                               actor, pk=ticket_id)
    fee = services.fee_status(ticket)  # the bills' state read from billing now
    opened = failed[0] if failed else request.GET.get("action", "")  # ?action=dispatch opens that form
    actions = []
    for name in _staff_actions(actor, ticket):
        form = failed[1] if failed and failed[0] == name else action_form(name, ticket, actor)
        actions.append({"name": name, "label": ACTION_LABELS.get(name, name), "form": form,
                        "open": opened == name, "primary": name in PRIMARY_ACTIONS})
    return render(request, "workorders/ticket_detail.html", {
        "ticket": ticket,
        "clocks": _clock_rows(ticket, now),
        "fee": fee,
        "may_see_receipts": actor.may("billing.view"),
        "photos": list(ticket.photos.order_by("id")),
        "actions": actions,
        "show_pii": actor.may("people.view_pii") or ticket.reporter_id == request.user.pk,
        "contact_phone": frontdesk.contact_phone_for(actor, ticket, now=now),
        "may_see_units": actor.may("tenancy.view_places"),
        # praise and substantiated complaints go into the staff assessment (quality.assessments, the management's)
        "may_assess": ticket.kind in ("praise", "complaint") and actor.may("quality.assess_tickets"),
        "department": DEPARTMENTS.get(ticket.responsible_role, "") if ticket.responsible_role else "",
        "page_error": page_error,
    }, status=status)


def ticket_detail(request, ticket_id: int):
    # Notifications link owners here too (`Ticket.get_absolute_url`): send them to their portal's page.
    if request.user.is_authenticated and request.actor.is_owner:
        return redirect("workorders:h5_ticket", ticket_id=ticket_id)
    return _staff_ticket_detail(request, ticket_id)


@staff_view(reads="workorders.tickets")
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


urlpatterns = [
    path("console/tickets/", inbox, name="inbox"),
    path("console/tickets/new/", new_ticket, name="new"),
    path("console/tickets/new/caller/", caller_lookup, name="caller_lookup"),
    path("console/tickets/<int:ticket_id>/", ticket_detail, name="ticket"),
    path("console/tickets/<int:ticket_id>/actions/<slug:action>/", ticket_action, name="action"),
]
