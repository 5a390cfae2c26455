"""Console and portal pages for work orders (thin: read through scope, call services)."""

from django.shortcuts import render

from wuye.core.access import get_scoped_or_404
from wuye.core.events import timeline
from wuye.sla.engine import clocks_for
from wuye.web.guards import staff_view

from .flows import available_actions
from .models import Ticket


@staff_view()
def ticket_detail(request, ticket_id: int):
    ticket = get_scoped_or_404(Ticket.objects.with_people(), request.actor, pk=ticket_id)
    return render(request, "workorders/ticket_detail.html", {
        "ticket": ticket, "events": timeline(ticket), "clocks": clocks_for(ticket),
        "actions": available_actions(ticket.kind, ticket.status, request.actor.role,
                                     superuser=request.actor.is_superuser),
    })
