"""Helpers the work-order pages share: the ticket queryset with what a row shows, due marks, query parameters."""

from __future__ import annotations

from wuye.core.access import scoped
from wuye.tenancy.models import Project

from .. import reports


def with_details(tickets):
    return tickets.with_people().select_related("category__parent")


def mark_due(rows, now):
    for row in rows:
        row.due_state = reports.due_state(row, now)
    return rows


def project_param(request, name: str = "project"):
    value = request.GET.get(name) or request.POST.get(name) or ""
    if not value.isdigit():
        return None
    return scoped(Project.objects.all(), request.actor).filter(pk=int(value)).first()
