"""Arrears aging and collection rate (收缴率) (§3 reports): what is owed by how long it has been overdue, and how
much of each period's billing has come in. Each report is one or two aggregate queries, the same on PostgreSQL and
SQLite; money sums are rounded to fen with `to_money` (SQLite adds decimals as floats).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, DateField, DecimalField, ExpressionWrapper, F, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from wuye.core.access import Actor, require, scoped
from wuye.core.errors import InvalidInput
from wuye.core.money import to_money
from wuye.tenancy.models import Building, Project
from wuye.tenancy.ordering import natural_key

from .models import OPEN, Allocation, Bill
from .periods import add_months

ZERO = Decimal("0.00")
_MONEY = DecimalField(max_digits=14, decimal_places=2)

# Exactly the predicate of the partial index `bill_open_due` (project, due_on) WHERE amount > paid + written_off, so
# the planner can answer aging from the open bills alone (PostgreSQL matches the predicate textually).
OUTSTANDING = ExpressionWrapper(F("amount") - F("paid") - F("written_off"), output_field=_MONEY)

# (key, label, fewest days overdue, most days overdue or None): days overdue = as_of − due_on.
BUCKETS = (
    ("b0_30", "0-30", 1, 30),
    ("b31_60", "31-60", 31, 60),
    ("b61_90", "61-90", 61, 90),
    ("b90_plus", ">90", 91, None),
)
BUCKET_KEYS = tuple(key for key, *_ in BUCKETS)
BUCKET_LABELS = tuple(label for _key, label, *_ in BUCKETS)
GROUPS = ("building", "project")
MAX_PERIODS = 36


@dataclass
class AgingRow:
    """One building (or project) of the aging report; money in yuan, `bills` counts per bucket key."""

    project_id: int | None = None
    project: str = ""
    building_id: int | None = None
    building: str = ""
    building_number: str = ""
    units_in_arrears: int = 0
    not_due: Decimal = ZERO
    b0_30: Decimal = ZERO
    b31_60: Decimal = ZERO
    b61_90: Decimal = ZERO
    b90_plus: Decimal = ZERO
    bills: dict = field(default_factory=dict)

    @property
    def total(self) -> Decimal:
        """What is overdue (the four buckets); bills not yet due are in `not_due` only."""
        return sum((getattr(self, key) for key in BUCKET_KEYS), ZERO)

    def amounts(self) -> list[tuple[str, str, Decimal]]:
        return [(key, label, getattr(self, key)) for key, label, *_ in BUCKETS]


@dataclass
class AgingReport:
    as_of: date
    group_by: str
    rows: list[AgingRow]
    totals: AgingRow


def arrears_aging(actor: Actor | None, *, as_of: date | None = None, project: Project | None = None, building=None,
                  group_by: str = "building") -> AgingReport:
    """Open bills (outstanding = amount − paid − written_off > 0) of the projects `actor` sees (None: every
    project — jobs and the benchmark) by how long they are overdue at `as_of` (default: today).

    days overdue = as_of − due_on. A bill is due until the end of its due day, so it is overdue from the next day:
    1–30 days → "0-30", 31–60 → "31-60", 61–90 → "61-90", 91 and more → ">90"; due_on ≥ as_of → `not_due`.
    Each bill counts with what it still owes (a partly paid or partly written-off bill with its remainder).
    Per building (or project): the amount and number of bills in each bucket, `total` = the four buckets, and
    `units_in_arrears` = units with at least one overdue bill.

    `paid` is what is paid *now*: an `as_of` in the past gives today's debt aged as at that date, not the debt
    as it stood then (payments made since are not undone).

    One aggregate query over the partial index `bill_open_due` (open bills only, not the history), then the names
    of the projects and buildings found.
    """
    if actor is not None:
        require(actor, "billing.view")
    if group_by not in GROUPS:
        raise InvalidInput("group", _("Group by building or project."))
    as_of = as_of or timezone.localdate()
    # Arrears are units' debts: a walk-in's bill (no unit) is paid when it is issued, and is never aged.
    bills = Bill.objects.filter(OPEN, unit__isnull=False)
    if actor is not None:
        bills = scoped(bills, actor)
    if project is not None:
        bills = bills.filter(project=project)
    if building is not None:
        bills = bills.filter(unit__building=building)

    # Bucket bounds as due-date ranges (due_on ≥ as_of − 30 ⇔ at most 30 days overdue): plain index comparisons.
    lower = {key: as_of - timedelta(days=most) for key, _label, _fewest, most in BUCKETS if most is not None}
    conditions = {"not_due": Q(due_on__gte=as_of)}
    upper = as_of
    for key, *_rest in BUCKETS:
        conditions[key] = Q(due_on__lt=upper) & (Q(due_on__gte=lower[key]) if key in lower else Q())
        upper = lower.get(key)
    overdue = Q(due_on__lt=as_of)
    aggregates = {}
    for key, condition in conditions.items():
        aggregates[f"{key}_amount"] = Coalesce(Sum(OUTSTANDING, filter=condition), Value(ZERO), output_field=_MONEY)
        aggregates[f"{key}_bills"] = Count("id", filter=condition)
    aggregates["units_in_arrears"] = Count("unit_id", filter=overdue, distinct=True)

    # Grouped by ids only: PostgreSQL sorts the open bills for COUNT(DISTINCT unit), and narrow rows sort faster
    # (the names of the few hundred groups come from two small lookups after).
    keys = ("project_id", "unit__building_id") if group_by == "building" else ("project_id",)
    groups = list(bills.values(*keys).annotate(**aggregates).order_by())
    project_names = dict(Project.objects.filter(pk__in={g["project_id"] for g in groups}).values_list("id", "name"))
    buildings = Building.objects.in_bulk({g["unit__building_id"] for g in groups}) if group_by == "building" else {}
    rows = []
    for values in groups:
        row = AgingRow(project_id=values["project_id"], project=project_names[values["project_id"]],
                       units_in_arrears=values["units_in_arrears"])
        if group_by == "building":
            building = buildings[values["unit__building_id"]]
            row.building_id, row.building, row.building_number = building.pk, str(building), building.number
        for key in conditions:
            setattr(row, key, to_money(values[f"{key}_amount"]))
            row.bills[key] = values[f"{key}_bills"]
        rows.append(row)
    rows.sort(key=lambda r: (r.project, r.project_id, natural_key(r.building_number)))

    totals = AgingRow(units_in_arrears=sum(r.units_in_arrears for r in rows))
    for key in conditions:
        setattr(totals, key, to_money(sum((getattr(r, key) for r in rows), ZERO)))
        totals.bills[key] = sum(r.bills[key] for r in rows)
    return AgingReport(as_of=as_of, group_by=group_by, rows=rows, totals=totals)


# -- collection rate ----------------------------------------------------------------------------------------------

def months_between(first: date, last: date, *, first_field: str = "from", last_field: str = "to") -> list[date]:
    """Every month from `first` to `last` inclusive (at most MAX_PERIODS)."""
    if last < first:
        raise InvalidInput(last_field, _("The last month comes before the first."))
    count = (last.year - first.year) * 12 + last.month - first.month + 1
    if count > MAX_PERIODS:
        raise InvalidInput(last_field, _("At most %(count)s months at a time.") % {"count": MAX_PERIODS})
    return [add_months(first, n) for n in range(count)]


@dataclass
class PeriodRate:
    """One billing period: what was billed for it, what of that is paid and written off (now), and the rate."""

    period: date
    bills: int = 0
    open_bills: int = 0
    billed: Decimal = ZERO
    collected: Decimal = ZERO
    written_off: Decimal = ZERO
    # Allocations made in this calendar month to bills of earlier periods (arrears brought in).
    arrears_collected: Decimal = ZERO

    @property
    def outstanding(self) -> Decimal:
        return self.billed - self.collected - self.written_off

    @property
    def rate(self) -> Decimal | None:
        """collected / (billed − written off) in percent, two decimals; None when nothing is collectable."""
        collectable = self.billed - self.written_off
        if collectable <= 0:
            return None
        return (self.collected * 100 / collectable).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _check_project(actor: Actor | None, project: Project) -> None:
    if actor is not None:
        require(actor, "billing.view")
        if not scoped(Project.objects.filter(pk=project.pk), actor).exists():
            raise InvalidInput("project", _("No such %(thing)s.") % {"thing": Project._meta.verbose_name})


def _rates_by(project: Project, periods: list[date], group: str | None) -> dict[object, dict[date, PeriodRate]]:
    """{group value: {period: PeriodRate}} of `project` (group: a bill lookup such as "unit__building_id", or None
    for the whole project under the key None); the rule `collection_rate` documents, in two grouped queries."""
    keys = [group] if group else []
    # The whole project has a row for every period, even one whose only figure is arrears collected in it.
    rows: dict[object, dict[date, PeriodRate]] = {} if group else {None: {p: PeriodRate(period=p) for p in periods}}

    def row(values, period):
        key = values[group] if group else None
        return rows.setdefault(key, {p: PeriodRate(period=p) for p in periods}).get(period)

    per_period = (Bill.objects.filter(project=project, period__in=periods).values(*keys, "period")
                  .annotate(count=Count("id"), open=Count("id", filter=OPEN),
                            billed=Sum("amount"), collected=Sum("paid"), written=Sum("written_off")).order_by())
    for values in per_period:
        rate = row(values, values["period"])
        rate.bills, rate.open_bills = values["count"], values["open"]
        rate.billed, rate.collected = to_money(values["billed"]), to_money(values["collected"])
        rate.written_off = to_money(values["written"])

    zone = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(periods[0], time.min), zone)
    end = timezone.make_aware(datetime.combine(add_months(periods[-1], 1), time.min), zone)
    month = TruncMonth("created_at", output_field=DateField(), tzinfo=zone)
    arrears = (Allocation.objects.filter(bill__project=project, created_at__gte=start, created_at__lt=end)
               .annotate(month=month).filter(bill__period__lt=F("month"))
               .values(*(f"bill__{key}" for key in keys), "month").annotate(total=Sum("amount")).order_by())
    for values in arrears:
        key = values[f"bill__{group}"] if group else None
        if key in rows and values["month"] in rows[key]:
            rows[key][values["month"]].arrears_collected = to_money(values["total"])
    return rows


def collection_rate(actor: Actor | None, project: Project, periods: list[date]) -> list[PeriodRate]:
    """Collection rate (收缴率) of `project` per billing period in `periods` (first days of months), in order.

    billed = the amounts of the period's bills (one-off bills without a period are not in any period),
    collected = what of them is paid now, rate = collected / (billed − written off). Also per calendar month,
    `arrears_collected`: what allocations created in that month paid on bills of earlier periods (net of refund
    reversals). Two grouped queries.
    """
    _check_project(actor, project)
    periods = sorted(set(periods))
    if not periods:
        return []
    whole = _rates_by(project, periods, None)[None]
    return [whole[period] for period in periods]


def building_collection_rates(actor: Actor | None, project: Project,
                              periods: list[date]) -> list[tuple[Building, list[PeriodRate]]]:
    """`collection_rate` of each building of `project` (by the building of each bill's unit), the same figures
    and rule per period; buildings in natural order ("2" before "10"), those without bills in these periods left
    out. Two grouped queries and the buildings' names."""
    _check_project(actor, project)
    periods = sorted(set(periods))
    if not periods:
        return []
    rows = _rates_by(project, periods, "unit__building_id")
    buildings = Building.objects.in_bulk(rows)
    ordered = sorted(rows, key=lambda pk: natural_key(buildings[pk].number))
    return [(buildings[pk], [rows[pk][period] for period in periods]) for pk in ordered]


def default_periods(today: date | None = None, count: int = 12) -> list[date]:
    """The last `count` months up to this one."""
    this_month = (today or timezone.localdate()).replace(day=1)
    return [add_months(this_month, n) for n in range(1 - count, 1)]
