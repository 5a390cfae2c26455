"""Quality's cards on the workbench (wuye.web.workbench): each department's rectifications to do as to-dos (their
deadlines), the reports waiting for verification for the inspector's side, rectification cards that open the list
with the card's filters, and the managers' inspections due. The KPI strip and the ranking are in
web/workbench_kpis.py. Registered from registry.py."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext

from wuye.core.access import Role, may_read, scoped
from wuye.web.workbench import Card, Todo, register_cards, register_todos, role_of

from . import rectifications as service
from .models import Rectification, RectificationStatus

MANAGERS = (Role.PROJECT_MANAGER, Role.QUALITY, Role.COMPANY_ADMIN)


# -- rectifications: to-dos and cards ---------------------------------------------------------------------------
VERIFIERS = frozenset({Role.QUALITY, Role.PROJECT_MANAGER, Role.COMPANY_ADMIN})
LIMIT = 40
_SEEN: dict[tuple, list] = {}  # the last page's rows: its cards and to-dos share one query


def list_url(**filters) -> str:
    return f"{reverse('quality:rectifications')}?{urlencode(filters)}"


def _rows(actor, now: datetime) -> list:
    """The rectifications still open that concern the actor, with their deadlines, in one query per page: their
    department's to rectify, and for the inspector's side every open one of their projects."""
    key = (getattr(actor.user, "pk", None), actor.role, now)
    found = _SEEN.get(key)
    if found is None:
        rows = scoped(Rectification.objects.filter(status__in=(RectificationStatus.OPEN,
                                                                RectificationStatus.SUBMITTED)), actor)
        if role_of(actor) not in VERIFIERS:
            rows = rows.filter(department=role_of(actor))
        found = list(service.with_deadlines(rows).order_by("deadline", "opened_at", "id"))
        _SEEN.clear()  # only the last page's rows are kept
        _SEEN[key] = found
    return found


def rectification_todos(actor, now: datetime) -> list[Todo]:
    if not may_read(actor, "quality.rectifications"):
        return []
    role, rows = role_of(actor), _rows(actor, now)
    todos = [Todo(what=gettext("Rectify"), title=rect.title, due_at=rect.deadline, url=rect.get_absolute_url(),
                  detail=rect.project.name)
             for rect in rows if rect.status == RectificationStatus.OPEN and rect.department == role][:LIMIT]
    if actor.may("quality.verify"):
        todos += [Todo(what=gettext("Verify the rectification"), title=rect.title, due_at=None,
                       url=rect.get_absolute_url(), detail=f"{rect.project.name} · {rect.get_department_display()}")
                  for rect in rows if rect.status == RectificationStatus.SUBMITTED][:LIMIT]
    return todos


def rectification_cards(actor, now: datetime) -> list[Card]:
    if not may_read(actor, "quality.rectifications"):
        return []
    role, rows = role_of(actor), _rows(actor, now)
    to_do = [rect for rect in rows if rect.status == RectificationStatus.OPEN]
    late = sum(1 for rect in to_do if service.is_overdue(rect, now))
    if role in VERIFIERS:
        waiting = len(rows) - len(to_do)
        return [
            Card("quality.rectifications.waiting", gettext("Rectifications to verify"), waiting,
                 url=list_url(status=RectificationStatus.SUBMITTED), tone="amber" if waiting else ""),
            Card("quality.rectifications.open", gettext("Rectifications open"), len(to_do),
                 url=list_url(status=RectificationStatus.OPEN)),
            Card("quality.rectifications.overdue", gettext("Rectifications overdue"), late,
                 url=list_url(overdue="on"), tone="red" if late else ""),
        ]
    return [
        Card("quality.rectifications.department", gettext("Rectifications for my department"), len(to_do),
             url=list_url(department=role, status=RectificationStatus.OPEN)),
        Card("quality.rectifications.department_overdue", gettext("Overdue rectifications for my department"),
             late, url=list_url(department=role, overdue="on"), tone="red" if late else ""),
    ]


def register() -> None:
    register_cards("quality.rectifications", rectification_cards, order=40)
    register_todos("quality.rectifications", rectification_todos)
    from .web.inspections import inspection_cards, inspection_todos

    register_cards("quality.inspections", inspection_cards, roles=set(MANAGERS), order=41)
    register_todos("quality.inspections", inspection_todos)
