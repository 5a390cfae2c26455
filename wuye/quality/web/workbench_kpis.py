"""Quality's KPI cards on the workbench (wuye.web.workbench) and the quality home: each role's KPI strip of the
month — the figure, its target and last month's, amber/red when it misses — linking to the KPI's drill-down (the
records it counts), and for the project manager and the quality department this quarter's ranking. Registered from
registry.py (the rectification cards and to-dos are in quality/workbench.py)."""

from __future__ import annotations

from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext
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
# The managers' strip on the workbench (every KPI, with last month's, is on the quality home).
MANAGER_KPIS = ("complaints_on_time", "satisfaction", "rectifications_on_time", "collection_rate")
TONES = {"amber": "amber", "red": "red"}


def kpi_card(row, *, with_previous: bool = True) -> Card:
    """A KPI row of `quality.kpis` as a card: value, target (and last month), the drill-down link."""
    unit = unit_suffix(row)
    target = figure(row.target, unit) if row.target is not None else "—"
    sign = "≥" if row.higher_is_better else "≤"
    hint = gettext("Target %(sign)s%(target)s") % {"sign": sign, "target": target}
    if with_previous:
        hint = gettext("Target %(sign)s%(target)s · last month %(previous)s") % {
            "sign": sign, "target": target, "previous": figure(row.previous, unit)}
    return Card(f"quality.kpi.{row.code}", row.label, None, url=row.drill_url, tone=TONES.get(row.status, ""),
                hint=hint, group=str(_("KPIs this month")), figure=figure(row.value, unit))


def month_rows(actor, codes, month) -> list:
    """The month's figure of each KPI of `codes` for the actor's projects (pooled), against its target, from
    `quality.kpis`' own pieces: one query for the projects, one for the targets, the figures — without last
    month's, so the workbench stays within its query budget (the quality home and the KPI table show it)."""
    from wuye.billing.periods import add_months
    from wuye.core.access import scoped
    from wuye.core.kpis import get_kpi
    from wuye.tenancy.models import Project

    from .. import kpis

    month = kpis.check_month(month)
    projects = list(scoped(Project.objects.all(), actor).order_by("pk").values_list("pk", "company_id"))
    if not projects:
        return []
    project_ids = [pk for pk, _company in projects]
    targets = kpis.targets_for(actor.company_id or projects[0][1], None)
    start, end = month, add_months(month, 1)
    rows = []
    for code in codes:
        kpi = get_kpi(code)
        if kpi is None or not kpi.available:
            continue
        found = kpi.count(project_ids, start, end)
        value = found.value(kpi.unit)
        rows.append(kpis.KpiRow(
            code=kpi.code, label=str(kpi.label), unit=kpi.unit, value=value, numerator=found.numerator,
            denominator=found.denominator, target=targets.get(code), previous=None,
            status=kpis.status_of(kpi, value, targets.get(code)), drill_url=kpis.drill_url(code, None, month),
            higher_is_better=kpi.higher_is_better))
    return rows


CACHE_SECONDS = 300


def kpi_cards(actor, now) -> list[Card]:
    """The actor's KPI strip for the current month, pooled over their projects. A month's figures move slowly
    and cost a dozen aggregate queries, so the strip is kept for CACHE_SECONDS (5 minutes) per person, month and
    language: the workbench stays within its query budget on every view but the first; the quality home and the
    drill-down pages always count afresh."""
    if not actor.may("quality.view"):
        return []
    month = timezone.localdate(now).replace(day=1)
    key = f"quality.kpi_cards:{getattr(actor.user, 'pk', None)}:{actor.role}:{month:%Y-%m}:{get_language()}"
    cards = cache.get(key)
    if cards is None:
        cards = _kpi_cards(actor, now, month)
        cache.set(key, cards, CACHE_SECONDS)
    return cards


def _kpi_cards(actor, now, month) -> list[Card]:
    role = Role.COMPANY_ADMIN if actor.is_superuser and not actor.role else actor.role
    codes = MANAGER_KPIS if role in MANAGERS else ROLE_KPIS.get(role, ())
    cards = [kpi_card(row, with_previous=False) for row in month_rows(actor, codes, month)]
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
        return [Card("quality.ranking", gettext("Quarter ranking"), None, url=url, group=group,
                     figure=f"{row.rank}/{total}", tone="red" if row.failing else "",
                     hint=gettext("%(project)s · %(score)s points") % {"project": row.project.name,
                                                                  "score": figure(row.score)})]
    best = ranked[0]
    failing = sum(1 for row in ranked if row.failing)
    hint = gettext("%(project)s first") % {"project": best.project.name}
    if failing:
        hint += " · " + gettext("%(count)s below the pass mark") % {"count": failing}
    return [Card("quality.ranking", gettext("Quarter ranking"), None, url=url, group=group,
                 figure=figure(best.score), tone="red" if failing else "", hint=hint)]


def register() -> None:
    register_cards("quality.kpis", kpi_cards, roles=set(MANAGERS) | set(ROLE_KPIS), order=60)
