"""The dispatch board: open repairs in columns by status, the most urgent deadline first."""

from __future__ import annotations

from django.db.models import Count, F
from django.urls import path
from django.utils import timezone

from wuye.core.access import scoped
from wuye.web.guards import staff_view
from wuye.web.htmx import render_page

from .. import reports
from ..forms import TicketFilterForm
from ..models import Kind, Status, Ticket
from .common import mark_due, with_details

BOARD_COLUMNS = (Status.NEW, Status.DISPATCHED, Status.ACCEPTED, Status.ON_SITE, Status.PAUSED)
BOARD_LIMIT = 40


@staff_view(reads="workorders.tickets")
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
    cards = reports.with_deadlines(with_details(repairs)).order_by(F("next_due_at").asc(nulls_last=True),
                                                                     "created_at", "id")
    columns = []
    for status in BOARD_COLUMNS:
        rows = mark_due(list(cards.filter(status=status)[:BOARD_LIMIT]), now)
        columns.append({"status": status, "label": Status(status).label, "cards": rows,
                        "count": counts.get(status, 0), "more": max(counts.get(status, 0) - len(rows), 0)})
    return render_page(request, "workorders/dispatch.html", "workorders/partials/board.html",
                       {"form": form, "columns": columns})


urlpatterns = [
    path("console/tickets/dispatch/", dispatch_board, name="dispatch"),
]
