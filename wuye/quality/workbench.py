"""Quality's cards on the workbench (wuye.web.workbench): each role's KPI strip of the month — the figure, its
target and last month's, amber/red when it misses — linking to the KPI's drill-down (the records it counts), and
for the project manager and the quality department this quarter's ranking; each department's rectifications to do
as to-dos (their deadlines), the reports waiting for verification for the inspector's side, and rectification cards
that open the list with the card's filters. Registered from registry.py."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from wuye.core.access import Role, may_read, scoped
from wuye.web.charts import figure
from wuye.web.workbench import Card, Todo, register_cards, register_todos, role_of

from . import rectifications as service
from .models import Rectification, RectificationStatus

# The KPIs each role answers for (SPEC §6); the managers see every KPI that is counted.
ROLE_KPIS = {
    Role.CUSTOMER_SERVICE: ("dispatch_on_time", "return_visits", "complaints_on_time"),
    Role.ENGINEERING: ("arrival_on_time", "completion_on_time", "first_time_fix"),
    Role.FINANCE: ("collection_rate",),
    Role.SECURITY: ("rectifications_on_time",),
    Role.ENVIRONMENT: ("rectifications_on_time",),
}
MANAGERS = (Role.PROJECT_MANAGER, Role.QUALITY, Role.COMPANY_ADMIN)
TONES = {"amber": "amber", "red": "red"}


def _unit(row) -> str:
    return "%" if row.unit == "%" else ""


def kpi_card(row) -> Card:
    """A KPI row of `quality.kpis` as a workbench card: value, target and last month, the drill-down link."""
    unit = _unit(row)
    target = figure(row.target, unit) if row.target is not None else "—"
    sign = "≥" if row.higher_is_better else "≤"
    hint = _t("Target %(sign)s%(target)s · last month %(previous)s") % {
        "sign": sign, "target": target, "previous": figure(row.previous, unit)}
    return Card(f"quality.kpi.{row.code}", row.label, None, url=row.drill_url, tone=TONES.get(row.status, ""),
                hint=hint, group=str(_("KPIs this month")), figure=figure(row.value, unit))


def kpi_cards(actor, now) -> list[Card]:
    """The actor's KPI strip for the current month, pooled over their projects."""
    from .kpis import kpi_figure, kpi_report

    if not actor.may("quality.view"):
        return []
    month = timezone.localdate(now).replace(day=1)
    role = Role.COMPANY_ADMIN if actor.is_superuser and not actor.role else actor.role
    if role in MANAGERS:
        rows = [row for row in kpi_report(actor, month=month) if row.available]
    else:
        rows = [kpi_figure(actor, code=code, month=month) for code in ROLE_KPIS.get(role, ())]
    cards = [kpi_card(row) for row in rows if row.available]
    if role in MANAGERS:
        cards.extend(ranking_cards(actor, now))
    return cards


def ranking_cards(actor, now) -> list[Card]:
    """This quarter's ranking: a project manager's place ("2/5"), or for the company the top project."""
    from .reports import ranking_for

    rows, total = ranking_for(actor, timezone.localdate(now))
    ranked = [row for row in rows if row.score is not None]
    if not ranked:
        return []
    url = reverse("quality:home") + "#ranking"
    group = str(_("KPIs this month"))
    if len(rows) == 1:
        row = rows[0]
        return [Card("quality.ranking", _t("Quarter ranking"), None, url=url, group=group,
                     figure=f"{row.rank}/{total}", tone="red" if row.failing else "",
                     hint=_t("%(project)s · %(score)s points") % {"project": row.project.name,
                                                                  "score": figure(row.score)})]
    best = ranked[0]
    failing = sum(1 for row in ranked if row.failing)
    hint = _t("%(project)s first") % {"project": best.project.name}
    if failing:
        hint += " · " + _t("%(count)s below the pass mark") % {"count": failing}
    return [Card("quality.ranking", _t("Quarter ranking"), None, url=url, group=group,
                 figure=figure(best.score), tone="red" if failing else "", hint=hint)]


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
    todos = [Todo(what=_t("Rectify"), title=rect.title, due_at=rect.deadline, url=rect.get_absolute_url(),
                  detail=rect.project.name)
             for rect in rows if rect.status == RectificationStatus.OPEN and rect.department == role][:LIMIT]
    if actor.may("quality.verify"):
        todos += [Todo(what=_t("Verify the rectification"), title=rect.title, due_at=None,
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
            Card("quality.rectifications.waiting", _t("Rectifications to verify"), waiting,
                 url=list_url(status=RectificationStatus.SUBMITTED), tone="amber" if waiting else ""),
            Card("quality.rectifications.open", _t("Rectifications open"), len(to_do),
                 url=list_url(status=RectificationStatus.OPEN)),
            Card("quality.rectifications.overdue", _t("Rectifications overdue"), late,
                 url=list_url(overdue="on"), tone="red" if late else ""),
        ]
    return [
        Card("quality.rectifications.department", _t("Rectifications for my department"), len(to_do),
             url=list_url(department=role, status=RectificationStatus.OPEN)),
        Card("quality.rectifications.department_overdue", _t("Overdue rectifications for my department"),
             late, url=list_url(department=role, overdue="on"), tone="red" if late else ""),
    ]


def register() -> None:
    register_cards("quality.kpis", kpi_cards, roles=set(MANAGERS) | set(ROLE_KPIS), order=60)
    register_cards("quality.rectifications", rectification_cards, order=40)
    register_todos("quality.rectifications", rectification_todos)
    from .web.inspections import inspection_cards, inspection_todos

    register_cards("quality.inspections", inspection_cards, roles=set(MANAGERS), order=41)
    register_todos("quality.inspections", inspection_todos)
