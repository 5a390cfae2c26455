"""What the quality dashboards and the monthly quality report (月度品质报告) show, computed from the other quality
services (KPIs, scores, rectifications, surveys) and drawn with `wuye.core.charts`.

* `rectification_ages(actor, now)`: open rectifications by age (≤3 d, 4–7 d, 8–30 d, >30 d), with how many are
  overdue on their SLA clock; `by_age(rows, key, now)` is the one filter behind each bucket (the rectification
  list applies it for `?age=<key>`, so the dashboard's count is the list's length).
* `ranking_for(actor, today)`: this quarter's ranking of the actor's projects (`scores.quarterly_ranking`).
* `build_monthly_report(project, month) -> bytes`: the Chinese PDF; `generate_monthly_report(project, month)`
  stores it once per project and month and tells the project manager(s) and the quality department;
  `generate_monthly_reports(today)` is the job of the 1st (for the month before, every active project).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from urllib.parse import urlencode

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wuye.billing.periods import add_months
from wuye.core.access import Actor, Role, scoped
from wuye.core.charts import bar_chart, figure, line_chart
from wuye.core.events import record_event
from wuye.core.kpis import PERCENT
from wuye.tenancy.models import Project

from .models import Inspection, MonthlyReport, Rectification, RectificationStatus, Survey, SurveyStatus

STATUS_COLOURS = {"green": "#2e7d32", "amber": "#f59e0b", "red": "#b42318", "na": "#9aa3ad"}

# (key, label, youngest age in days, oldest age in days or None)
AGE_BUCKETS = (
    ("0-3", _("Up to 3 days"), 0, 3),
    ("4-7", _("4–7 days"), 4, 7),
    ("8-30", _("8–30 days"), 8, 30),
    ("31-", _("Over 30 days"), 31, None),
)
TREND_CODES = ("satisfaction", "complaints_on_time", "rectifications_on_time", "collection_rate")


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


def by_age(rows, key: str, now: datetime | None = None):
    """Of rectification rows: the open ones (to do or to verify) opened `key` days ago ("0-3", "4-7", "8-30",
    "31-"), counting whole calendar days as `rectifications.age_days` does. An unknown key: no rows."""
    from . import flows

    buckets = {bucket[0]: bucket for bucket in AGE_BUCKETS}
    if key not in buckets:
        return rows.none()
    _key, _label, youngest, oldest = buckets[key]
    today = timezone.localdate(now or timezone.now())
    rows = rows.filter(status__in=flows.OPEN_STATES, opened_at__lt=_day_start(today - timedelta(days=youngest - 1)))
    if oldest is not None:
        rows = rows.filter(opened_at__gte=_day_start(today - timedelta(days=oldest)))
    return rows


@dataclass
class AgeBucket:
    key: str
    label: str
    count: int
    overdue: int
    url: str


def rectification_ages(actor: Actor, now: datetime | None = None, *, project: Project | None = None) -> list[AgeBucket]:
    """The actor's open rectifications in the four age buckets, each with how many are past their deadline and
    the link to the rectification list showing exactly them."""
    from .rectifications import open_rectifications

    now = now or timezone.now()
    rows = open_rectifications(actor)
    if project is not None:
        rows = rows.filter(project=project)
    base = reverse("quality:rectifications")
    buckets = []
    for key, label, _youngest, _oldest in AGE_BUCKETS:
        found = by_age(rows, key, now).aggregate(
            n=Count("pk"), late=Count("pk", filter=Q(status=RectificationStatus.OPEN, deadline__lt=now)))
        query = {"age": key}
        if project is not None:
            query["project"] = project.pk
        buckets.append(AgeBucket(key, str(label), found["n"], found["late"], f"{base}?{urlencode(query)}"))
    return buckets


def quarter_of(day: date) -> int:
    return (day.month - 1) // 3 + 1


def ranking_for(actor: Actor, today: date):
    """(rows, total): this quarter's ranking (`scores.quarterly_ranking`) limited to the actor's projects — a
    project manager sees their own place among `total` projects, not the other projects' figures."""
    from .scores import quarterly_ranking

    visible = scoped(Project.objects.all(), actor)
    from wuye.tenancy.models import Company

    company = Company(pk=actor.company_id) if actor.company_id is not None else None  # a reference is enough
    if company is None:
        first = visible.select_related("company").order_by("pk").first()
        company = first.company if first else None
    if company is None:
        return [], 0
    ranking = quarterly_ranking(company, today.year, quarter_of(today))
    ids = set(visible.values_list("pk", flat=True))
    return [row for row in ranking if row.project.pk in ids], len(ranking)


def kpi_chart(rows) -> str:
    """The KPIs in percent as bars coloured by status (green/amber/red), with their figures."""
    bars = [(row.label, row.value, STATUS_COLOURS.get(row.status, STATUS_COLOURS["na"]))
            for row in rows if row.available and row.unit == PERCENT]
    return bar_chart(bars, unit="%", max_value=100, title=gettext("Key performance indicators"))


def trend_chart(actor: Actor, *, project: Project | None, end_month: date, codes=TREND_CODES) -> str:
    """A 12-month line per KPI of `codes` (months without records are gaps)."""
    from wuye.core.kpis import get_kpi

    from .kpis import kpi_trend

    labels, series = [], []
    for code in codes:
        kpi = get_kpi(code)
        if kpi is None or not kpi.available:
            continue
        trend = kpi_trend(actor, project=project, code=code, months=12, end_month=end_month)
        labels = [gettext("%(month)s月") % {"month": month.month} if translation.get_language() == "zh-hans"
                  else f"{month:%m}" for month, _v in trend]
        series.append((str(kpi.label), [value for _m, value in trend]))
    return line_chart(labels, series, unit="%", title=gettext("12-month trend"))


# -- the monthly report ------------------------------------------------------------------------------------------

def report_actor(project: Project) -> Actor:
    """Who the report is computed as: the quality department, limited to the one project."""
    return Actor(user=None, role=Role.QUALITY, company_id=project.company_id, project_ids=frozenset({project.pk}))


def unit_suffix(row) -> str:
    """What follows a KPI's figure: "%" for a percentage; nothing for a rate per 100 households or a score."""
    return "%" if row.unit == PERCENT else ""


def _pct(value) -> str:
    return figure(value, "%") if value is not None else "—"


def _value(row, value) -> str:
    if value is None:
        return "—"
    return figure(value, unit_suffix(row))


STATUS_LABELS = {"green": _("Met"), "amber": _("Near"), "red": _("Missed"), "na": _("No data")}


@dataclass
class MonthlyFigures:
    """Everything the report prints, computed once (the test reads the same figures)."""

    project: Project
    month: date
    kpis: list
    period_score: Decimal | None
    inspections: int
    ranking: list
    pareto: list
    complaints: int
    opened: int
    closed: int
    overdue: int
    surveys: list  # (survey, SurveyResults)


def monthly_figures(project: Project, month: date) -> MonthlyFigures:
    from wuye.workorders.reports import complaints_between, pareto_by_category

    from .kpis import kpi_report
    from .rectifications import overdue, with_deadlines
    from .scores import period_score, quarterly_ranking
    from .surveys import survey_results

    month = month.replace(day=1)
    after = add_months(month, 1)
    low, high = _day_start(month), _day_start(after)
    actor = report_actor(project)
    complaints = complaints_between(actor, low, high, project)
    rects = Rectification.objects.filter(project=project)
    surveys = (Survey.objects.filter(project=project).exclude(status=SurveyStatus.DRAFT)
               .filter(Q(opens_on__lt=after) | Q(opens_on__isnull=True))
               .filter(Q(closes_on__gte=month) | Q(closes_on__isnull=True)).order_by("opens_on", "pk"))
    return MonthlyFigures(
        project=project, month=month,
        kpis=[row for row in kpi_report(actor, project=project, month=month) if row.available],
        period_score=period_score(project, month, after - timedelta(days=1)),
        inspections=Inspection.objects.filter(project=project, submitted_at__gte=low, submitted_at__lt=high).count(),
        ranking=quarterly_ranking(project.company, month.year, quarter_of(month)),
        pareto=pareto_by_category(complaints), complaints=complaints.count(),
        opened=rects.filter(opened_at__gte=low, opened_at__lt=high).count(),
        closed=rects.filter(status=RectificationStatus.CLOSED, closed_at__gte=low, closed_at__lt=high).count(),
        overdue=overdue(with_deadlines(rects), high).count(),
        surveys=[(survey, survey_results(survey)) for survey in surveys[:10]],
    )


def _month_text(month: date) -> str:
    return gettext("%(year)s-%(month)02d") % {"year": month.year, "month": month.month}


def build_monthly_report(project: Project, month: date, *, figures: MonthlyFigures | None = None) -> bytes:
    """The monthly quality report of `project` for `month` as a Chinese PDF: KPIs against target and last month
    with charts, inspection scores and the quarter's ranking, the month's complaint Pareto, rectifications opened,
    closed and overdue, and the results of the surveys open in the month."""
    from wuye.core.charts import pdf_image
    from wuye.core.pdf import Document

    with translation.override("zh-hans"):
        data = figures or monthly_figures(project, month)
        title = gettext("Monthly quality report")
        doc = Document(title=f"{project.name} {title} {_month_text(data.month)}")
        doc.heading(title)
        doc.fields([(gettext("Project"), project.name), (gettext("Month"), _month_text(data.month)),
                    (gettext("Generated"), timezone.localtime().strftime("%Y-%m-%d %H:%M"))])

        doc.heading(gettext("1. Key performance indicators"), size=13)
        doc.table([gettext("KPI"), gettext("This month"), gettext("Last month"), gettext("Target"), gettext("Status")],
                  [[row.label, _value(row, row.value), _value(row, row.previous), _value(row, row.target),
                    str(STATUS_LABELS.get(row.status, ""))] for row in data.kpis],
                  widths=[62, 27, 27, 27, 27], align_right={1, 2, 3})
        pdf_image(doc.pdf, kpi_chart(data.kpis))
        pdf_image(doc.pdf, trend_chart(report_actor(project), project=project, end_month=data.month))

        doc.heading(gettext("2. Inspection scores and ranking"), size=13)
        doc.paragraph(gettext("Inspections submitted this month: %(count)s; score of the month: %(score)s.") % {
            "count": data.inspections, "score": figure(data.period_score) if data.period_score is not None else "—"})
        if data.ranking:
            doc.table([gettext("Rank"), gettext("Project"), gettext("Quarter score"), gettext("Open rectifications")],
                      [[str(row.rank or "—"), row.project.name + (f"（{gettext('failing')}）" if row.failing else ""),
                        figure(row.score), str(row.open_rectifications)] for row in data.ranking],
                      widths=[20, 80, 35, 35], align_right={2, 3})
            pdf_image(doc.pdf, bar_chart([(row.project.name, row.score) for row in data.ranking], unit="",
                                         max_value=100, target=_pass_mark(), title=gettext("Quarter ranking")))

        doc.heading(gettext("3. Complaints by category (Pareto)"), size=13)
        doc.paragraph(gettext("Complaints received this month: %(count)s.") % {"count": data.complaints})
        if data.pareto:
            doc.table([gettext("Category"), gettext("Complaints"), gettext("Share"), gettext("Cumulative")],
                      [[str(row.label), str(row.count), _pct(row.percent), _pct(row.cumulative)]
                       for row in data.pareto[:12]], widths=[80, 30, 30, 30], align_right={1, 2, 3})

        doc.heading(gettext("4. Rectifications"), size=13)
        doc.table([gettext("Opened this month"), gettext("Closed this month"), gettext("Overdue at month end")],
                  [[str(data.opened), str(data.closed), str(data.overdue)]], widths=[57, 57, 56],
                  align_right={0, 1, 2})

        doc.heading(gettext("5. Satisfaction surveys"), size=13)
        if data.surveys:
            doc.table([gettext("Survey"), gettext("Answered"), gettext("Response rate"), gettext("Average"),
                       gettext("Satisfied")],
                      [[survey.title, f"{res.answered}/{res.addressed}",
                        _pct(Decimal(100) * res.answered / res.addressed if res.addressed else None),
                        figure(res.overall.average) if res.visible else "—",
                        _pct(res.overall.satisfied_pct) if res.visible else "—"] for survey, res in data.surveys],
                      widths=[62, 27, 27, 27, 27], align_right={1, 2, 3, 4})
        else:
            doc.paragraph(gettext("No survey was open this month."))
        return doc.render()


def _pass_mark():
    from .scores import pass_mark

    return pass_mark()


def report_filename(report: MonthlyReport) -> str:
    return f"{report.project.name}-{report.month:%Y-%m}-月度品质报告.pdf"


def _recipients(project: Project):
    from wuye.people.services import staff_with_role

    managers = staff_with_role(Role.PROJECT_MANAGER, project, include_company_wide=False)
    quality = staff_with_role(Role.QUALITY, project)
    return list(dict.fromkeys(managers + quality))


def download_url(report: MonthlyReport) -> str:
    try:
        return reverse("quality:report_download", args=[report.pk])
    except NoReverseMatch:
        return ""


def generate_monthly_report(project: Project, month: date, *, actor: Actor | None = None) -> tuple[MonthlyReport, bool]:
    """The stored report of `project` for `month`, made now if there is none (once per project and month: a
    second call, or a concurrent one, returns the first) — (report, created). A new report is recorded as an
    event and announced to the project manager(s) and the quality department with a link to its download."""
    from wuye.core import outbox

    month = month.replace(day=1)
    existing = MonthlyReport.objects.filter(project=project, month=month).first()
    if existing is not None:
        return existing, False
    content = build_monthly_report(project, month)
    try:
        with transaction.atomic():
            report = MonthlyReport(project=project, month=month)
            report.document.save(f"{project.pk}-{month:%Y-%m}.pdf", ContentFile(content), save=False)
            report.save()
            user = getattr(actor, "user", None) if actor is not None else None
            record_event(report, "quality_report.generated", actor=user, data={"month": f"{month:%Y-%m}"})
            with translation.override("zh-hans"):
                subject = gettext("Monthly quality report %(month)s: %(project)s") % {
                    "month": _month_text(month), "project": project.name}
                outbox.notify(_recipients(project), subject,
                              gettext("The monthly quality report is ready to download."),
                              link=download_url(report), source=report,
                              dedupe_key=f"quality-report:{project.pk}:{month:%Y-%m}")
    except IntegrityError:  # generated meanwhile by another run
        return MonthlyReport.objects.get(project=project, month=month), False
    return report, True


def generate_monthly_reports(today: date) -> list[MonthlyReport]:
    """Last month's report of every active project that has none yet. Made on the 1st; run on a later day (the
    server was down on the 1st) it catches up the ones still missing, and otherwise finds nothing to do."""
    month = add_months(today.replace(day=1), -1)
    made = []
    missing = Project.objects.filter(is_active=True).exclude(
        pk__in=MonthlyReport.objects.filter(month=month).values("project_id"))
    for project in missing.order_by("pk"):
        report, created = generate_monthly_report(project, month)
        if created:
            made.append(report)
    return made


def register_report_sentences() -> None:
    from wuye.core.sentences import register_sentences

    register_sentences({
        "quality_report.generated": (_("Monthly quality report made for %(month)s"), {
            "example": {"month": "2026-11"}}),
    })
