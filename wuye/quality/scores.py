"""Project scores (SPEC §6, seed 004's district scoring method): a project's score per period, the annual score
(60 % daily checks + 40 % year-end review), the quarterly ranking of the company's projects, failing projects and
each project's history.

The rules, in one place:

* Only SUBMITTED inspections count, each on its date (`scheduled_for`); an inspection without a score is skipped.
* A project's score for a period = the mean, weighted by `Standard.weight`, over the standards it was inspected by
  in the period, of the mean inspection score per standard. With one standard it is the plain mean. Standards whose
  weights sum to 0 give no score.
* Which inspections are the "daily checks" (日常检查考评) of the seed: the company's own checks during the year —
  kinds daily, weekly, monthly, quarterly and special (`DAILY_KINDS`). A self-inspection (自查) is the project's own
  check of itself and never counts toward the company's score of the project; the year-end review (年终考核) is
  the second part of the annual score, not a daily check.
* Daily-check average of a year = the project's period score over 1 January – 31 December with `DAILY_KINDS`.
  Year-end review score = the same over the year's `year_end` inspections (their mean; weighted by standard if
  the review used several).
* Annual score = WUYE_QUALITY_DAILY_WEIGHT % × daily average + WUYE_QUALITY_YEAR_END_WEIGHT % × year-end review
  (settings read at call time, 60 and 40 by default). A project without a year-end review yet has no annual score
  (None: "pending"), and one without daily checks neither.
* Arithmetic is exact (fractions) all the way; every figure handed out is rounded once, at the end, to 0.01
  ROUND_HALF_UP. The annual score is computed from the unrounded averages, not from the rounded ones shown beside it.
* Failing: a published (rounded) score below WUYE_QUALITY_PASS_MARK (60) — 59.995 is published as 60.00 and passes.
  The seed's district also requires "among the last three" for its 不合格 list; here (SPEC §6) every project under
  the mark fails. A pending annual score is not failing.
* Ranking: by the rounded score, highest first, ties broken by project code; ranks run 1, 2, 3… with no shared
  rank (the tie-break decides). Projects with no score for the period are listed after the ranked ones, unranked.
  Ranks are among all the company's active projects; who sees which rows is the caller's business (`scoped`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction

from django.conf import settings
from django.db.models import Count, DecimalField, Sum
from django.db.models.functions import ExtractQuarter, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _

from wuye.core.errors import InvalidInput
from wuye.tenancy.models import Company, Project

from . import flows
from .models import Inspection, InspectionKind, InspectionStatus, Rectification

DAILY_KINDS = (InspectionKind.DAILY, InspectionKind.WEEKLY, InspectionKind.MONTHLY, InspectionKind.QUARTERLY,
               InspectionKind.SPECIAL)
YEAR_END_KINDS = (InspectionKind.YEAR_END,)
QUARTERS = (1, 2, 3, 4)
CENT = Decimal("0.01")
YEAR_MIN, YEAR_MAX = 2000, 2100


# -- settings, read at call time ------------------------------------------------------------------------------
def daily_weight() -> int:
    return int(settings.WUYE_QUALITY_DAILY_WEIGHT)


def year_end_weight() -> int:
    return int(settings.WUYE_QUALITY_YEAR_END_WEIGHT)


def pass_mark() -> Decimal:
    return Decimal(settings.WUYE_QUALITY_PASS_MARK)


# -- arithmetic -----------------------------------------------------------------------------------------------
def to_cents(value: Fraction | None) -> Decimal | None:
    """An exact value rounded once to 0.01, half up (scores are never negative)."""
    if value is None:
        return None
    cents = value * 100
    whole = (cents.numerator * 2 + cents.denominator) // (cents.denominator * 2)  # floor(cents + 1/2)
    return (Decimal(whole) / 100).quantize(CENT)


def weighted_mean(per_standard: dict[int, tuple[Fraction, int]], weights: dict[int, Fraction]) -> Fraction | None:
    """Σ weight × (total / count) / Σ weight over the standards with at least one score; None without any."""
    numerator, denominator = Fraction(0), Fraction(0)
    for standard_id, (total, count) in per_standard.items():
        if not count:
            continue
        weight = weights.get(standard_id, Fraction(1))
        numerator += weight * total / count
        denominator += weight
    return numerator / denominator if denominator else None


def annual_exact(daily: Fraction | None, year_end: Fraction | None) -> Fraction | None:
    """DAILY_WEIGHT % × daily + YEAR_END_WEIGHT % × year-end, or None while either part is missing."""
    if daily is None or year_end is None:
        return None
    return (daily * daily_weight() + year_end * year_end_weight()) / 100


def is_failing(score: Decimal | None) -> bool:
    """Whether a published (rounded) score is below the pass mark; no score is not failing."""
    return score is not None and score < pass_mark()


def check_year(year: int) -> int:
    """`year` if it lies in 2000–2100, else a 422 naming `year`."""
    if not isinstance(year, int) or not YEAR_MIN <= year <= YEAR_MAX:
        raise InvalidInput("year", _("Give a year from %(first)s to %(last)s.") % {"first": YEAR_MIN, "last": YEAR_MAX})
    return year


# -- reading the inspections ----------------------------------------------------------------------------------
def _submitted():
    return Inspection.objects.filter(status=InspectionStatus.SUBMITTED, score__isnull=False)


def _to_fraction(value) -> Fraction:
    """A stored figure (2 decimals) exactly; SQLite may hand back a float."""
    return Fraction(Decimal(str(value)).quantize(CENT))


def period_score(project: Project, start: date, end: date, *, kinds=DAILY_KINDS) -> Decimal | None:
    """The project's score over `start`–`end` (both included) from its submitted inspections of `kinds` (the daily
    checks by default): weighted by standard, rounded to 0.01 half up; None when nothing was inspected."""
    return to_cents(_period_exact(project, start, end, kinds=kinds))


def _period_exact(project: Project, start: date, end: date, *, kinds) -> Fraction | None:
    rows = (_submitted().filter(project=project, kind__in=kinds, scheduled_for__range=(start, end))
            .values("version__standard_id", "version__standard__weight")
            .annotate(total=Sum("score", output_field=DecimalField(max_digits=20, decimal_places=2)), n=Count("id")))
    per_standard, weights = {}, {}
    for row in rows:
        sid = row["version__standard_id"]
        per_standard[sid] = (_to_fraction(row["total"]), row["n"])
        weights[sid] = _to_fraction(row["version__standard__weight"])
    return weighted_mean(per_standard, weights)


# Per (project, year, quarter, "daily"|"year_end"): {standard_id: (total, count)}.
Sums = dict[tuple[int, int, int, str], dict[int, tuple[Fraction, int]]]


def _sums(project_ids, first_year: int, last_year: int) -> tuple[Sums, dict[int, Fraction]]:
    """One grouped query for the submitted inspections of `project_ids` in the years given."""
    rows = (_submitted().filter(project_id__in=project_ids, kind__in=DAILY_KINDS + YEAR_END_KINDS,
                                scheduled_for__range=(date(first_year, 1, 1), date(last_year, 12, 31)))
            .annotate(year=ExtractYear("scheduled_for"), quarter=ExtractQuarter("scheduled_for"))
            .values("project_id", "year", "quarter", "kind", "version__standard_id", "version__standard__weight")
            .annotate(total=Sum("score", output_field=DecimalField(max_digits=20, decimal_places=2)), n=Count("id"))
            .order_by())
    sums: Sums = defaultdict(dict)
    weights: dict[int, Fraction] = {}
    for row in rows:
        part = "year_end" if row["kind"] in YEAR_END_KINDS else "daily"
        key = (row["project_id"], row["year"], row["quarter"], part)
        sid = row["version__standard_id"]
        total, count = sums[key].get(sid, (Fraction(0), 0))
        sums[key][sid] = (total + _to_fraction(row["total"]), count + row["n"])
        weights[sid] = _to_fraction(row["version__standard__weight"])
    return sums, weights


def _merge(sums: Sums, project_id: int, year: int, quarters, part: str) -> dict[int, tuple[Fraction, int]]:
    merged: dict[int, tuple[Fraction, int]] = {}
    for quarter in quarters:
        for sid, (total, count) in sums.get((project_id, year, quarter, part), {}).items():
            old_total, old_count = merged.get(sid, (Fraction(0), 0))
            merged[sid] = (old_total + total, old_count + count)
    return merged


# -- results --------------------------------------------------------------------------------------------------
@dataclass
class RankedProject:
    """A project's place in a quarter's ranking; `rank` None when it has no score for the quarter."""

    project: Project
    score: Decimal | None
    rank: int | None = None
    failing: bool = False
    open_rectifications: int = 0


@dataclass
class QuarterScore:
    quarter: int
    score: Decimal | None
    rank: int | None
    failing: bool


@dataclass
class AnnualScore:
    """A project's year: the daily-check average, the year-end review, the annual score (None = pending), its rank
    among the company's projects by annual score, failing, the open rectifications and the four quarters."""

    project: Project
    year: int
    daily_average: Decimal | None
    year_end: Decimal | None
    annual: Decimal | None
    rank: int | None = None
    failing: bool = False
    open_rectifications: int = 0
    quarters: list[QuarterScore] = field(default_factory=list)

    @property
    def pending(self) -> bool:
        return self.annual is None


def rank(entries: list, score_of=lambda entry: entry.score) -> list:
    """Set `rank` on each entry: by score (highest first), then project code; unscored entries last by code,
    unranked. Returns the entries in that order."""
    scored = sorted((e for e in entries if score_of(e) is not None), key=lambda e: (-score_of(e), e.project.code))
    unscored = sorted((e for e in entries if score_of(e) is None), key=lambda e: e.project.code)
    for position, entry in enumerate(scored, start=1):
        entry.rank = position
    for entry in unscored:
        entry.rank = None
    return scored + unscored


def _company_projects(company: Company) -> list[Project]:
    return list(Project.objects.active().filter(company=company).order_by("code"))


def open_rectification_counts(project_ids) -> dict[int, int]:
    """Rectifications still to do or to verify (flows.OPEN_STATES), per project, as of now."""
    rows = (Rectification.objects.filter(project_id__in=project_ids, status__in=flows.OPEN_STATES)
            .values("project_id").annotate(n=Count("id")).order_by())
    return {row["project_id"]: row["n"] for row in rows}


def _quarter_rankings(projects: list[Project], sums: Sums, weights, year: int) -> dict[int, dict[int, RankedProject]]:
    """quarter → project id → its RankedProject."""
    result = {}
    for quarter in QUARTERS:
        entries = [RankedProject(project, to_cents(weighted_mean(_merge(sums, project.pk, year, (quarter,), "daily"),
                                                                 weights)))
                   for project in projects]
        for entry in rank(entries):
            entry.failing = is_failing(entry.score)
        result[quarter] = {entry.project.pk: entry for entry in entries}
    return result


def quarterly_ranking(company: Company, year: int, quarter: int) -> list[RankedProject]:
    """The company's active projects ranked by their daily-check score of the quarter (seed 004: the district ranks
    every quarter), failing ones marked, with their open rectification counts."""
    check_year(year)
    if quarter not in QUARTERS:
        raise InvalidInput("quarter", _("Give a quarter from 1 to 4."))
    projects = _company_projects(company)
    sums, weights = _sums([p.pk for p in projects], year, year)
    by_project = _quarter_rankings(projects, sums, weights, year)[quarter]
    counts = open_rectification_counts([p.pk for p in projects])
    ordered = rank(list(by_project.values()))
    for entry in ordered:
        entry.open_rectifications = counts.get(entry.project.pk, 0)
    return ordered


def _annual_for(project: Project, year: int, sums: Sums, weights) -> AnnualScore:
    daily = weighted_mean(_merge(sums, project.pk, year, QUARTERS, "daily"), weights)
    year_end = weighted_mean(_merge(sums, project.pk, year, QUARTERS, "year_end"), weights)
    annual = to_cents(annual_exact(daily, year_end))
    return AnnualScore(project, year, to_cents(daily), to_cents(year_end), annual, failing=is_failing(annual))


def annual_scores(company: Company, year: int) -> list[AnnualScore]:
    """Every active project of the company for `year`, ranked by annual score (pending ones last), each with its
    quarters (score, rank, failing) and its open rectifications."""
    check_year(year)
    projects = _company_projects(company)
    sums, weights = _sums([p.pk for p in projects], year, year)
    quarters = _quarter_rankings(projects, sums, weights, year)
    counts = open_rectification_counts([p.pk for p in projects])
    results = []
    for project in projects:
        entry = _annual_for(project, year, sums, weights)
        entry.open_rectifications = counts.get(project.pk, 0)
        entry.quarters = [QuarterScore(q, quarters[q][project.pk].score, quarters[q][project.pk].rank,
                                       quarters[q][project.pk].failing) for q in QUARTERS]
        results.append(entry)
    return rank(results, score_of=lambda entry: entry.annual)


@dataclass
class YearHistory:
    year: int
    daily_average: Decimal | None
    year_end: Decimal | None
    annual: Decimal | None
    failing: bool
    quarters: list[QuarterScore]


def score_history(project: Project, years: int = 5, *, until: int | None = None) -> list[YearHistory]:
    """The project's last `years` years up to `until` (default this year), oldest first: per year its daily-check
    average, year-end review and annual score, and per quarter its score and rank in the company."""
    until = check_year(until if until is not None else timezone.localdate().year)
    years = max(1, min(int(years), 20))
    first = max(until - years + 1, YEAR_MIN)
    projects = _company_projects(project.company)
    if project.pk not in {p.pk for p in projects}:
        projects.append(project)
    sums, weights = _sums([p.pk for p in projects], first, until)
    history = []
    for year in range(first, until + 1):
        quarters = _quarter_rankings(projects, sums, weights, year)
        entry = _annual_for(project, year, sums, weights)
        history.append(YearHistory(year, entry.daily_average, entry.year_end, entry.annual, entry.failing,
                                   [QuarterScore(q, quarters[q][project.pk].score, quarters[q][project.pk].rank,
                                                 quarters[q][project.pk].failing) for q in QUARTERS]))
    return history
