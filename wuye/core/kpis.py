"""The KPI registry (关键绩效指标): every KPI of the product is one `Kpi` registered here by the app that owns its
records (work orders its repair and complaint figures, billing the collection rate, quality the rectifications and
satisfaction). The ground floor knows no domain: a KPI is a code, a label, a unit, a default target and two
functions over a set of projects and a half-open date range [start, end):

- `count(project_ids, start, end) -> Figure(numerator, denominator)`;
- `records(project_ids, start, end) -> QuerySet | Chain` — the drill-down: exactly the records the denominator
  counts, each annotated `kpi_counted` (True when it is also in the numerator);
- `describe(records) -> list[DrillRow]` — how a page of those records reads (kind, title, time, link).

A company figure is pooled — the sum of the projects' numerators over the sum of their denominators, never a mean
of the projects' values — which is why `count` takes the whole list of projects at once.

A KPI whose module does not exist yet is registered with `available=False`: it reads "n/a" everywhere until the
owning app replaces it (registering the same code again replaces the entry).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from itertools import islice

from django.db import models
from django.utils import timezone

PERCENT, PER_100_HOUSEHOLDS, SCORE = "percent", "per_100_households", "score"
# Means (a sum of hours or minutes over a count of records): facilities' time to repair and entrapment response.
HOURS, MINUTES = "hours", "minutes"
UNITS = (PERCENT, PER_100_HOUSEHOLDS, SCORE, HOURS, MINUTES)
SCALE = {PERCENT: Decimal(100), PER_100_HOUSEHOLDS: Decimal(100), SCORE: Decimal(1), HOURS: Decimal(1),
         MINUTES: Decimal(1)}
PLACES = Decimal("0.01")


@dataclass(frozen=True)
class Figure:
    """A KPI's count over some projects and dates: the value is numerator / denominator (scaled by the unit)."""

    numerator: Decimal = Decimal(0)
    denominator: Decimal = Decimal(0)

    def __add__(self, other: Figure) -> Figure:
        return Figure(Decimal(self.numerator) + Decimal(other.numerator),
                      Decimal(self.denominator) + Decimal(other.denominator))

    def value(self, unit: str = PERCENT) -> Decimal | None:
        """numerator / denominator × the unit's scale, two decimals (half up); None when the denominator is 0."""
        if not self.denominator:
            return None
        return (Decimal(self.numerator) * SCALE[unit] / Decimal(self.denominator)).quantize(
            PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class DrillRow:
    """One record of a drill-down as a page or the API lists it."""

    id: object
    kind: str  # what the record is, as a reader says it ("报修", "整改")
    title: str
    counted: bool  # in the numerator as well as the denominator
    link: str = ""
    at: datetime | None = None


def _none(project_ids, start, end):  # the placeholder's count and records
    return Figure()


def _default_describe(records) -> list[DrillRow]:
    rows = []
    for record in records:
        url = getattr(record, "get_absolute_url", None)
        rows.append(DrillRow(id=record.pk, kind=str(record._meta.verbose_name), title=str(record),
                             counted=bool(getattr(record, "kpi_counted", False)), link=url() if url else ""))
    return rows


@dataclass
class Kpi:
    """One KPI. `target` is the default (the seed's or SPEC's figure); a company's or project's own target is a
    `quality.KpiTarget` row. `higher_is_better=False` for rates that should be low (repeat repairs, complaints)."""

    code: str
    label: object  # a lazy translation
    unit: str
    target: Decimal | None
    count: Callable[[Sequence[int], date, date], Figure] = _none
    records: Callable[[Sequence[int], date, date], object] | None = None
    describe: Callable[[Iterable], list[DrillRow]] = _default_describe
    higher_is_better: bool = True
    available: bool = True
    order: int = 100
    help_text: object = ""
    numerator_label: object = ""
    denominator_label: object = ""
    extra: dict = field(default_factory=dict)
    # The access resource that reads the drill-down's records (`security.patrols`): a reader of the KPI table who
    # may not read them sees the rows without links, never a link that answers 403.
    resource: str | None = None

    def __post_init__(self):
        if self.unit not in UNITS:
            raise ValueError(f"KPI {self.code}: unknown unit {self.unit!r}")
        if self.target is not None:
            self.target = Decimal(self.target)
        if self.available and self.records is None:
            raise ValueError(f"KPI {self.code}: an available KPI needs its drill-down records")


_REGISTRY: dict[str, Kpi] = {}


def register_kpi(kpi: Kpi) -> Kpi:
    """Add `kpi` (replacing one of the same code: an app's real KPI replaces a placeholder)."""
    existing = _REGISTRY.get(kpi.code)
    if existing is not None and existing.available and not kpi.available:
        return existing  # a placeholder never replaces the real one, whatever the order apps load in
    _REGISTRY[kpi.code] = kpi
    return kpi


def kpis() -> list[Kpi]:
    """Every registered KPI, in display order."""
    return sorted(_REGISTRY.values(), key=lambda kpi: (kpi.order, kpi.code))


def get_kpi(code: str) -> Kpi | None:
    return _REGISTRY.get(code)


# -- helpers for the apps' definitions ---------------------------------------------------------------------------

def bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The aware datetimes (current time zone, Asia/Shanghai) of the half-open day range [start, end)."""
    zone = timezone.get_current_timezone()
    return (timezone.make_aware(datetime.combine(start, time.min), zone),
            timezone.make_aware(datetime.combine(end, time.min), zone))


def figure_of(queryset: models.QuerySet, counted: models.Q) -> Figure:
    """Figure(rows matching `counted`, all rows) of `queryset` in one aggregate query."""
    totals = queryset.aggregate(all=models.Count("pk"), counted=models.Count("pk", filter=counted))
    return Figure(Decimal(totals["counted"]), Decimal(totals["all"]))


def annotate_counted(queryset: models.QuerySet, counted: models.Q) -> models.QuerySet:
    """`queryset` with the boolean `kpi_counted` (the numerator's records) for a drill-down."""
    return queryset.annotate(kpi_counted=models.ExpressionWrapper(counted, output_field=models.BooleanField()))


class Chain:
    """Several drill-down querysets (e.g. rated repairs and survey answers) read as one list: `count()`, `len`,
    slicing — enough for Django's Paginator. Each part keeps its own order."""

    def __init__(self, *parts):
        self.parts = parts

    def count(self) -> int:
        return sum(part.count() for part in self.parts)

    __len__ = count

    def __iter__(self):
        for part in self.parts:
            yield from part

    def __getitem__(self, index):
        if isinstance(index, int):
            return next(islice(iter(self), index, index + 1))
        start, stop = index.start or 0, index.stop
        rows = []
        for part in self.parts:
            size = part.count()
            if stop is not None and stop <= 0:
                break
            if start < size:
                rows.extend(part[start:stop if stop is None else min(stop, size)])
            start = max(0, start - size)
            stop = None if stop is None else stop - size
        return rows
