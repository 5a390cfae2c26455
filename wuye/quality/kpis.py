"""KPIs (关键绩效指标) as people read them: the month's (or trailing twelve months') figure of every registered KPI
for one project or for all the actor's projects, against its target, with last period's value and a drill-down to
exactly the records counted. Also quality's own KPIs: rectifications closed on time and owner satisfaction.

The figures come from the registry (`wuye.core.kpis`); each app defines its own (workorders/kpis.py,
billing/kpis.py, below). Targets: a project's `KpiTarget`, else the company's, else the KPI's default.
Status: green when the value meets the target, amber when it misses by at most `WUYE_KPI_AMBER_POINTS` (5),
red beyond, "na" without a value or without a target. A company figure is pooled (Σ numerators / Σ denominators).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wuye.billing.periods import add_months
from wuye.core.access import Actor, may_read, require, scoped
from wuye.core.errors import InvalidInput
from wuye.core.kpis import (
    PERCENT,
    Chain,
    DrillRow,
    Figure,
    Kpi,
    annotate_counted,
    bounds,
    figure_of,
    get_kpi,
    kpis,
    register_kpi,
)
from wuye.sla.models import Clock, ClockState
from wuye.tenancy.models import Project
from wuye.workorders.kpis import describe_tickets
from wuye.workorders.models import Kind, Ticket
from wuye.workorders.satisfaction import SATISFIED_FROM

from .models import KpiTarget, Rectification, RectificationStatus

MAX_MONTHS = 12
PERIOD = re.compile(r"(\d{4})-(\d{1,2})")
FIRST_MONTH, LAST_MONTH = date(2000, 1, 1), date(2100, 12, 1)


def amber_points() -> Decimal:
    return Decimal(str(settings.WUYE_KPI_AMBER_POINTS))


def parse_period(text: str | None, field: str = "period", *, default: date | None = None) -> date:
    """'2026-10' → date(2026, 10, 1), bounded 2000-01 … 2100-12; empty → `default`; else InvalidInput(field)."""
    text = (text or "").strip()
    if not text and default is not None:
        return default
    match = PERIOD.fullmatch(text)
    if not match or not 1 <= int(match[2]) <= 12:
        raise InvalidInput(field, _("Give a month as YYYY-MM, e.g. 2026-10."))
    return check_month(date(int(match[1]), int(match[2]), 1), field)


def last_month(today: date | None = None) -> date:
    return add_months((today or timezone.localdate()).replace(day=1), -1)


# -- quality's own KPIs -------------------------------------------------------------------------------------------

def _rectifications_closed(project_ids, start, end):
    low, high = bounds(start, end)
    return Rectification.objects.filter(project_id__in=project_ids, status=RectificationStatus.CLOSED,
                                        closed_at__gte=low, closed_at__lt=high)


def _rectified_on_time() -> Q:
    """None of its clocks (the first, and one per time it was sent back) went past its deadline."""
    late = Clock.objects.filter(subject_type=ContentType.objects.get_for_model(Rectification),
                                subject_id=OuterRef("pk")).filter(
        Q(state=ClockState.BREACHED) | Q(breached_at__isnull=False))
    return ~Exists(late)


def rectification_count(project_ids, start, end) -> Figure:
    return figure_of(_rectifications_closed(project_ids, start, end), _rectified_on_time())


def rectification_records(project_ids, start, end):
    return annotate_counted(_rectifications_closed(project_ids, start, end), _rectified_on_time()).order_by(
        "closed_at", "id")


def describe_rectifications(rects) -> list[DrillRow]:
    return [DrillRow(id=rect.pk, kind=str(_("Rectification")), title=rect.title, counted=bool(rect.kpi_counted),
                     link=rect.get_absolute_url(), at=rect.closed_at) for rect in rects]


def _rated_repairs(project_ids, start, end):
    """Repairs closed in the period that the owner rated (their own rating or the return visit's)."""
    low, high = bounds(start, end)
    return Ticket.objects.filter(project_id__in=project_ids, kind=Kind.REPAIR, closed_at__gte=low,
                                 closed_at__lt=high, satisfaction__isnull=False)


RATED_SATISFIED = Q(satisfaction__gte=SATISFIED_FROM)


def _survey_answers(project_ids, start, end):
    """The answers `surveys.satisfaction_figure` counts, as records (the drill-down of the survey half), in
    [start, end): the one rule is `surveys.satisfaction_answers` (its dates are inclusive)."""
    from .surveys import satisfaction_answers

    return satisfaction_answers(list(project_ids), start, end - timedelta(days=1))


def _survey_figure(project_ids, start, end) -> Figure:
    from .surveys import satisfaction_figure  # its dates are inclusive: the day before `end` is the last

    satisfied, answered = satisfaction_figure(list(project_ids), start, end - timedelta(days=1))
    return Figure(Decimal(satisfied), Decimal(answered))


def satisfaction_count(project_ids, start, end) -> Figure:
    """Satisfied (4 or 5 of 5) over all ratings: the owners' ratings of repairs closed in the period plus the
    survey answers of the period (`surveys.satisfaction_figure`)."""
    return (figure_of(_rated_repairs(project_ids, start, end), RATED_SATISFIED)
            + _survey_figure(project_ids, start, end))


def satisfaction_records(project_ids, start, end):
    return Chain(
        annotate_counted(_rated_repairs(project_ids, start, end), RATED_SATISFIED).order_by("closed_at", "id"),
        annotate_counted(_survey_answers(project_ids, start, end).select_related("question", "response__survey"),
                         Q(scale__gte=SATISFIED_FROM))
        .order_by("response__answered_on", "response_id", "question__number"))  # random key: not arrival order


def describe_satisfaction(records) -> list[DrillRow]:
    rows = []
    for record in records:
        if isinstance(record, Ticket):
            rows.extend(describe_tickets([record]))
            continue
        survey = record.response.survey
        rows.append(DrillRow(
            id=record.pk, kind=str(_("Survey answer")),
            title=_("%(survey)s · %(question)s: %(score)s of 5") % {
                "survey": survey.title, "question": record.question.text, "score": record.scale},
            counted=bool(record.kpi_counted), link=_survey_link(survey)))
    return rows


def _survey_link(survey) -> str:
    try:
        return reverse("quality:survey", args=[survey.pk])
    except NoReverseMatch:  # the surveys pages may not be there yet
        return ""


def register() -> None:
    register_kpi(Kpi("satisfaction", _("Owner satisfaction"), PERCENT, Decimal(85), satisfaction_count,
                     satisfaction_records, describe=describe_satisfaction, order=90,
                     numerator_label=_("satisfied"), denominator_label=_("ratings")))
    register_kpi(Kpi("rectifications_on_time", _("Rectifications closed on time"), PERCENT, Decimal(90),
                     rectification_count, rectification_records, describe=describe_rectifications, order=110,
                     numerator_label=_("on time"), denominator_label=_("closed")))
    # Maintenance plan completion and patrol completion are counted by their own apps (wuye/facilities/kpis.py,
    # wuye/security/kpis.py), which register them with their drill-down records.


# -- the report -------------------------------------------------------------------------------------------------

@dataclass
class KpiRow:
    code: str
    label: str
    unit: str
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    target: Decimal | None
    previous: Decimal | None
    status: str  # "green" | "amber" | "red" | "na"
    drill_url: str
    higher_is_better: bool = True
    available: bool = True
    numerator_label: str = ""
    denominator_label: str = ""


def check_month(month: date, field: str = "period") -> date:
    if not isinstance(month, date) or not FIRST_MONTH <= month.replace(day=1) <= LAST_MONTH:
        raise InvalidInput(field, _("Give a month from 2000-01 to 2100-12."))
    return month.replace(day=1)


def _project_ids(actor: Actor, project: Project | None) -> list[int]:
    """The projects a figure pools: `project` (404 outside the actor's scope) or every project the actor sees."""
    require(actor, "quality.view")
    projects = scoped(Project.objects.all(), actor)
    if project is not None:
        if not projects.filter(pk=project.pk).exists():
            raise Http404
        return [project.pk]
    return list(projects.order_by("pk").values_list("pk", flat=True))


def _window(month: date, months: int) -> tuple[date, date]:
    """[first day of the window, first day after it] of `months` months ending with `month`."""
    return add_months(month, 1 - months), add_months(month, 1)


def _kpi_or_404(code: str) -> Kpi:
    kpi = get_kpi(code)
    if kpi is None:
        raise Http404
    return kpi


def targets_for(company_id: int | None, project: Project | None) -> dict[str, Decimal]:
    """{code: target}: the project's own target, else the company's, else the registry's default."""
    found = {kpi.code: kpi.target for kpi in kpis()}
    if company_id is None:
        return found
    rows = KpiTarget.objects.filter(company_id=company_id).filter(
        Q(project__isnull=True) | Q(project=project) if project is not None else Q(project__isnull=True))
    # Company rows first, the project's after them: the project's own target wins.
    for row in sorted(rows, key=lambda r: r.project_id is not None):
        found[row.code] = row.target
    return found


def status_of(kpi: Kpi, value: Decimal | None, target: Decimal | None) -> str:
    if value is None or target is None or not kpi.available:
        return "na"
    gap = (target - value) if kpi.higher_is_better else (value - target)
    if gap <= 0:
        return "green"
    return "amber" if gap <= amber_points() else "red"


def _figure(kpi: Kpi, project_ids, start, end) -> Figure | None:
    if not kpi.available or not project_ids:
        return None
    return kpi.count(project_ids, start, end)


def drill_url(code: str, project: Project | None, month: date, months: int = 1) -> str:
    query = {"period": f"{month:%Y-%m}"}
    if project is not None:
        query["project"] = project.pk
    if months != 1:
        query["months"] = months
    return f"{reverse('quality:kpi_records', args=[code])}?{urlencode(query)}"


def _company_id(actor: Actor, project: Project | None, project_ids) -> int | None:
    if project is not None:
        return project.company_id
    if actor.company_id is not None:
        return actor.company_id
    first = Project.objects.filter(pk__in=project_ids[:1]).values_list("company_id", flat=True).first()
    return first


def _check_months(months: int) -> int:
    if months not in (1, MAX_MONTHS):
        raise InvalidInput("months", _("Give 1 (the month) or 12 (the trailing twelve months)."))
    return months


def _row(kpi: Kpi, project_ids, targets, project, month: date, months: int) -> KpiRow:
    start, end = _window(month, months)
    figure = _figure(kpi, project_ids, start, end)
    previous = _figure(kpi, project_ids, *_window(add_months(month, -1), months))
    value = figure.value(kpi.unit) if figure else None
    target = targets.get(kpi.code)
    return KpiRow(
        code=kpi.code, label=str(kpi.label), unit=kpi.unit, value=value,
        numerator=figure.numerator if figure else None, denominator=figure.denominator if figure else None,
        target=target, previous=previous.value(kpi.unit) if previous else None,
        status=status_of(kpi, value, target), drill_url=drill_url(kpi.code, project, month, months),
        higher_is_better=kpi.higher_is_better, available=kpi.available,
        numerator_label=str(kpi.numerator_label), denominator_label=str(kpi.denominator_label))


def kpi_report(actor: Actor, *, project: Project | None = None, month: date, months: int = 1) -> list[KpiRow]:
    """Every KPI for `project` (None: all the actor's projects, pooled) over the month `month` — or the `months`
    months ending with it (12: trailing twelve months) — with the previous window's value, target and status."""
    month, months = check_month(month), _check_months(months)
    project_ids = _project_ids(actor, project)
    targets = targets_for(_company_id(actor, project, project_ids), project)
    return [_row(kpi, project_ids, targets, project, month, months) for kpi in kpis()]


def kpi_figure(actor: Actor, *, code: str, project: Project | None = None, month: date, months: int = 1) -> KpiRow:
    """The `kpi_report` row of one KPI (404 for an unknown code)."""
    month, months = check_month(month), _check_months(months)
    kpi = _kpi_or_404(code)
    project_ids = _project_ids(actor, project)
    targets = targets_for(_company_id(actor, project, project_ids), project)
    return _row(kpi, project_ids, targets, project, month, months)


def table_url(project: Project | None, month: date, months: int = 1) -> str:
    query = {"period": f"{month:%Y-%m}"}
    if project is not None:
        query["project"] = project.pk
    if months != 1:
        query["months"] = months
    return f"{reverse('quality:kpis')}?{urlencode(query)}"


def kpi_trend(actor: Actor, *, project: Project | None = None, code: str, months: int = 12,
              end_month: date) -> list[tuple[date, Decimal | None]]:
    """The monthly value of KPI `code` over the `months` months ending with `end_month` (oldest first)."""
    end_month = check_month(end_month, "end_month")
    kpi = _kpi_or_404(code)
    months = max(1, min(int(months), 36))
    project_ids = _project_ids(actor, project)
    trend = []
    for n in range(months - 1, -1, -1):
        month = add_months(end_month, -n)
        figure = _figure(kpi, project_ids, month, add_months(month, 1))
        trend.append((month, figure.value(kpi.unit) if figure else None))
    return trend


def kpi_records(actor: Actor, *, code: str, project: Project | None = None, month: date, months: int = 1):
    """The drill-down of KPI `code`: exactly the records its figure counts (the denominator's), each with
    `kpi_counted` True when it is in the numerator too. A QuerySet, or a `Chain` of them; empty when the KPI is
    not available. Read a page of it with `describe_records`."""
    month, months = check_month(month), _check_months(months)
    kpi = _kpi_or_404(code)
    project_ids = _project_ids(actor, project)
    if not kpi.available or not project_ids or kpi.records is None:
        return Chain()
    start, end = _window(month, months)
    return kpi.records(project_ids, start, end)


def describe_records(code: str, records, actor: Actor | None = None) -> list[DrillRow]:
    """A page of `kpi_records` as rows (kind, title, counted, link, time); for `actor`, links only to pages of a
    resource they may read (the KPI's `resource`)."""
    kpi = _kpi_or_404(code)
    rows = kpi.describe(records)
    if actor is not None and kpi.resource and not may_read(actor, kpi.resource):
        rows = [replace(row, link="") for row in rows]
    return rows
