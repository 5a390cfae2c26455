"""The owner portal's work-order pages (H5): my requests, report a repair or give feedback, one request with its
progress in the owner's words and the owner's own actions."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from wuye.core.access import get_scoped_or_404, scoped
from wuye.core.errors import DomainError
from wuye.people.models import Resident
from wuye.web.guards import owner_view
from wuye.web.paging import paginate

from .. import photos, progress, services
from ..flows import OWNER_ACTIONS
from ..forms import OwnerActionForm, OwnerTicketForm, show_problems
from ..models import Kind, Ticket
from ..satisfaction import CHOICES as SATISFACTION_CHOICES
from ..satisfaction import label as satisfaction_label
from ..services import OWNER_COMMENT_LENGTH
from .common import with_details

OWNER_ACTION_LABELS = {
    "confirm": gettext_lazy("Confirm the repair is done"),
    "cancel": gettext_lazy("Cancel"),
    "reopen": gettext_lazy("Not solved — reopen"),
    "rate": gettext_lazy("Rate this repair"),
}


class OwnerRatingForm(forms.Form):
    """The owner's own rating after sign-off: one of the five labelled scores and, if they like, a comment."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    score = forms.TypedChoiceField(label=gettext_lazy("How satisfied are you with this repair?"), coerce=int,
                                   choices=SATISFACTION_CHOICES, widget=forms.RadioSelect,
                                   error_messages={"required": gettext_lazy("Choose how satisfied you are.")})
    comment = forms.CharField(label=gettext_lazy("Anything you want to tell us (optional)"), required=False,
                              max_length=OWNER_COMMENT_LENGTH, widget=forms.Textarea(attrs={"rows": 3}))

    SERVICE_FIELDS: dict[str, str] = {}

    def __init__(self, data=None, *, ticket, action="rate"):
        super().__init__(data, initial={"version": ticket.version}, auto_id="id_rate_%s")

    def action_input(self) -> services.ActionInput:
        return services.ActionInput(version=self.cleaned_data["version"], score=self.cleaned_data["score"],
                                    comment=self.cleaned_data.get("comment", ""))


def _action_form(name):
    return OwnerRatingForm if name == "rate" else OwnerActionForm
FEEDBACK_KINDS = (Kind.COMPLAINT, Kind.SUGGESTION, Kind.PRAISE, Kind.INQUIRY)
OWNER_KINDS = (Kind.REPAIR, Kind.COMPLAINT, Kind.SUGGESTION, Kind.PRAISE)


def _owner_actions(request, ticket) -> list[str]:
    return services.allowed_actions(request.actor, ticket)


@owner_view
def h5_tickets(request, group: str = ""):
    tickets = scoped(Ticket.objects.all(), request.actor).select_related("unit__building", "category__parent")
    if group == "repairs":
        tickets = tickets.filter(kind=Kind.REPAIR)
    elif group == "feedback":
        tickets = tickets.filter(kind__in=FEEDBACK_KINDS)
    page = paginate(request, tickets.annotate(latest_verb=progress.latest_owner_step()), per_page=20)
    rows = list(page.object_list)
    for row in rows:
        row.latest_step = progress.OWNER_EVENT_LABELS.get(row.latest_verb, "")
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
    ticket = get_scoped_or_404(with_details(Ticket.objects.all()), request.actor, pk=ticket_id)
    actions = []
    for name in _owner_actions(request, ticket):
        form = failed[1] if failed and failed[0] == name else _action_form(name)(ticket=ticket, action=name)
        actions.append({"name": name, "label": OWNER_ACTION_LABELS[name], "form": form,
                        "open": bool(failed and failed[0] == name)})
    return render(request, "workorders/h5/ticket.html", {
        "ticket": ticket, "steps": progress.owner_steps(ticket),
        "progress": progress.owner_progress(ticket, request.user),
        "actions": actions, "photos": list(ticket.photos.order_by("id")), "page_error": page_error,
        "fee": services.fee_status(ticket),  # the bills' state read from billing now
        "satisfaction_label": satisfaction_label(ticket.satisfaction),
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
    form = _action_form(action)(request.POST, ticket=ticket, action=action)
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
        "reopen": _("Reopened — we will follow up."), "rate": _("Thank you for your rating."),
    }[action])
    return redirect("workorders:h5_ticket", ticket_id=ticket_id)


urlpatterns = [
    path("h5/tickets/", h5_tickets, name="h5_tickets"),
    path("h5/repairs/", h5_tickets, {"group": "repairs"}, name="h5_repairs"),
    path("h5/feedback/", h5_tickets, {"group": "feedback"}, name="h5_feedback"),
    path("h5/tickets/new/<slug:kind>/", h5_new, name="h5_new"),
    path("h5/tickets/<int:ticket_id>/", h5_ticket, name="h5_ticket"),
    path("h5/tickets/<int:ticket_id>/actions/<slug:action>/", h5_action, name="h5_action"),
]
