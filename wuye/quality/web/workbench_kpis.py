"""Quality's KPI cards on the workbench (wuye.web.workbench) and the quality home: each role's KPI strip of the
month — the figure, its target and last month's, amber/red when it misses — linking to the KPI's drill-down (the
records it counts), and for the project manager and the quality department this quarter's ranking. Registered from
registry.py (the rectification cards and to-dos are in quality/workbench.py)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from wuye.core.access import Role
from wuye.web.charts import figure
from wuye.web.workbench import Card, register_cards

from ..reports import unit_suffix

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


def kpi_card(row) -> Card:
    """A KPI row of `quality.kpis` as a workbench card: value, target and last month, the drill-down link."""
    unit = unit_suffix(row)
    target = figure(row.target, unit) if row.target is not None else "—"
    sign = "≥" if row.higher_is_better else "≤"
    hint = _t("Target %(sign)s%(target)s · last month %(previous)s") % {
        "sign": sign, "target": target, "previous": figure(row.previous, unit)}
    return Card(f"quality.kpi.{row.code}", row.label, None, url=row.drill_url, tone=TONES.get(row.status, ""),
                hint=hint, group=str(_("KPIs this month")), figure=figure(row.value, unit))


def kpi_cards(actor, now) -> list[Card]:
    """The actor's KPI strip for the current month, pooled over their projects."""
    from ..kpis import kpi_figure, kpi_report

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
    from ..reports import ranking_for

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


def register() -> None:
    register_cards("quality.kpis", kpi_cards, roles=set(MANAGERS) | set(ROLE_KPIS), order=60)
