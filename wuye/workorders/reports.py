"""Read-only queries behind the work-order pages: deadlines for the inbox colours, the daily complaint ledger
(投诉处理台账) and the weekly Pareto analysis of complaints (§2.2). Every query starts from `scoped()`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Count, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from wuye.core.access import scoped
from wuye.core.models import Event
from wuye.sla.models import Clock, ClockState
from wuye.tenancy.ordering import natural_key

from .models import ImprovementAction, Kind, Ticket
from .satisfaction import CHOICES as SATISFACTION_CHOICES
from .satisfaction import SATISFIED_FROM

# How a ticket's earliest open deadline looks in lists: the CSS suffix of `due-…` classes.
DUE_OK, DUE_RISK, DUE_BREACHED, DUE_PAUSED = "ok", "risk", "breached", "paused"


def _open_ticket_clocks():
    return Clock.objects.open().filter(subject_type=ContentType.objects.get_for_model(Ticket))


def with_deadlines(tickets):
    """Annotate each ticket with its earliest open clock: `next_due_at`, `next_warn_at`, `next_clock_state`."""
    earliest = _open_ticket_clocks().filter(subject_id=OuterRef("pk")).order_by("due_at", "id")
    return tickets.annotate(
        next_due_at=Subquery(earliest.values("due_at")[:1]),
        next_warn_at=Subquery(earliest.values("warn_at")[:1]),
        next_clock_state=Subquery(earliest.values("state")[:1]),
    )


def overdue_ids(now: datetime):
    return _open_ticket_clocks().overdue(now).values("subject_id")


def at_risk_ids(now: datetime):
    return _open_ticket_clocks().at_risk(now).values("subject_id")


def due_state(ticket, now: datetime) -> str:
    """ok / risk (past the warning point, amber) / breached (past due, red) / paused, from the annotations of
    `with_deadlines`; "" when the ticket has no open clock."""
    due, warn = getattr(ticket, "next_due_at", None), getattr(ticket, "next_warn_at", None)
    if due is None:
        return ""
    if getattr(ticket, "next_clock_state", None) == ClockState.PAUSED:
        return DUE_PAUSED
    if due < now:
        return DUE_BREACHED
    if warn is not None and warn <= now:
        return DUE_RISK
    return DUE_OK


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The local (Asia/Shanghai) day as an aware [start, end) interval."""
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def complaints_between(actor, start: datetime, end: datetime, project=None):
    complaints = scoped(Ticket.objects.filter(kind=Kind.COMPLAINT, created_at__gte=start, created_at__lt=end), actor)
    if project is not None:
        complaints = complaints.filter(project=project)
    return complaints


LEDGER_PERIODS = ("day", "week", "month")


def period_days(day: date, period: str = "day") -> tuple[date, date]:
    """The first and last local day of the ledger period holding `day`: the day, its week (Monday to Sunday)
    or its calendar month."""
    if period == "week":
        first = week_start(day)
        return first, first + timedelta(days=6)
    if period == "month":
        first = day.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        return first, following - timedelta(days=1)
    return day, day


def complaint_ledger(actor, day: date, project=None, *, period: str = "day"):
    """Every complaint received in the day, week or month (`period`, local time) holding `day`, oldest first,
    with what the ledger shows."""
    first, last = period_days(day, period)
    start, end = day_bounds(first)[0], day_bounds(last)[1]
    return (complaints_between(actor, start, end, project)
            .select_related("project", "unit__building", "category__parent", "assignee")
            .order_by("created_at", "id"))


# -- satisfaction (满意度): the owner's own rating and the staff return visit count the same --------------------
@dataclass
class SatisfactionRow:
    score: int
    label: str
    count: int


@dataclass
class SatisfactionSummary:
    """Ratings of tickets: how many, their average, the share satisfied (满意 or 非常满意) and the count per label.
    A ticket has one rating — the owner's own in the portal or the return visit's, whichever came first; both are
    its `satisfaction` — `owner_rated` says how many the owners gave themselves."""

    rated: int
    average: Decimal | None
    satisfied: int
    satisfied_rate: Decimal | None  # percent, one decimal
    owner_rated: int
    rows: list[SatisfactionRow]


def satisfaction_of(tickets) -> SatisfactionSummary:
    """The satisfaction figures of `tickets` (a queryset or a list of tickets)."""
    if isinstance(tickets, models.QuerySet):
        rated = tickets.filter(satisfaction__isnull=False)
        counts = dict(rated.order_by().values_list("satisfaction").annotate(n=Count("id")))
        ids = rated.values("id")
    else:
        counts = {}
        for ticket in tickets:
            if ticket.satisfaction:
                counts[ticket.satisfaction] = counts.get(ticket.satisfaction, 0) + 1
        ids = [ticket.pk for ticket in tickets if ticket.satisfaction]
    total = sum(counts.values())
    owner_rated = Event.objects.filter(subject_type=ContentType.objects.get_for_model(Ticket), verb="ticket.rate",
                                       subject_id__in=ids).values("subject_id").distinct().count() if total else 0
    satisfied = sum(n for score, n in counts.items() if score >= SATISFIED_FROM)
    return SatisfactionSummary(
        rated=total,
        average=(Decimal(sum(score * n for score, n in counts.items())) / total).quantize(Decimal("0.1"))
        if total else None,
        satisfied=satisfied,
        satisfied_rate=(Decimal(100 * satisfied) / total).quantize(Decimal("0.1")) if total else None,
        owner_rated=owner_rated,
        rows=[SatisfactionRow(score, str(label), counts.get(score, 0)) for score, label in SATISFACTION_CHOICES],
    )


def tickets_between(actor, start: datetime, end: datetime, project=None, kind: str | None = None):
    """Tickets received in [start, end) that the actor may see, of one kind or all."""
    tickets = scoped(Ticket.objects.filter(created_at__gte=start, created_at__lt=end), actor)
    if kind:
        tickets = tickets.filter(kind=kind)
    if project is not None:
        tickets = tickets.filter(project=project)
    return tickets


@dataclass
class ParetoRow:
    label: str
    count: int
    percent: float
    cumulative: float
    key: object = None

    @property
    def vital(self) -> bool:
        """In the "vital few": the rows that make up the first 80 % (the row crossing 80 % included)."""
        return self.cumulative - self.percent < 80


def _pareto(counts: list[tuple[object, str, int]]) -> list[ParetoRow]:
    counts = sorted(counts, key=lambda row: (-row[2], natural_key(row[1])))  # ties: 2号楼 before 10号楼
    total = sum(row[2] for row in counts)
    rows, running = [], 0
    for key, label, count in counts:
        running += count
        rows.append(ParetoRow(label=label, count=count, percent=round(100 * count / total, 1),
                              cumulative=round(100 * running / total, 1), key=key))
    return rows


def pareto_by_category(complaints) -> list[ParetoRow]:
    grouped = (complaints.order_by().values("category_id", "category__name", "category__parent__name",
                                            "project__name").annotate(n=Count("id")))
    merged: dict[object, list] = {}
    for row in grouped:
        if row["category_id"] is None:
            key, label = None, _("Not classified")
        else:
            name = row["category__name"]
            if row["category__parent__name"]:
                name = f"{row['category__parent__name']} › {name}"
            # The same category name in several projects is one problem for the company: merge by name.
            key, label = name, name
        merged.setdefault(key, [key, label, 0])[2] += row["n"]
    return _pareto([tuple(value) for value in merged.values()])


def pareto_by_building(complaints) -> list[ParetoRow]:
    grouped = (complaints.order_by().values("unit__building_id", "unit__building__number", "unit__building__name",
                                            "project__name").annotate(n=Count("id")))
    several_projects = len({row["project__name"] for row in grouped}) > 1
    counts = []
    for row in grouped:
        if row["unit__building_id"] is None:
            label = _("Public areas")
            if several_projects:
                label = f"{row['project__name']} {label}"
            counts.append((None if not several_projects else f"public:{row['project__name']}", label, row["n"]))
            continue
        label = row["unit__building__name"] or _("Building %(number)s") % {"number": row["unit__building__number"]}
        if several_projects:
            label = f"{row['project__name']} {label}"
        counts.append((row["unit__building_id"], label, row["n"]))
    return _pareto(counts)


def improvements_for_week(actor, monday: date, project=None):
    actions = scoped(ImprovementAction.objects.filter(week=monday), actor)
    if project is not None:
        actions = actions.filter(project=project)
    return actions.select_related("project", "category", "owner").order_by("done_at", "due_on", "id")


def open_improvements_before(actor, monday: date, project=None):
    """Improvement actions of earlier weeks still not done: the loop is closed only when they are."""
    actions = scoped(ImprovementAction.objects.filter(week__lt=monday, done_at__isnull=True), actor)
    if project is not None:
        actions = actions.filter(project=project)
    return actions.select_related("project", "category", "owner").order_by("week", "due_on", "id")


# -- the Pareto chart as inline SVG geometry ------------------------------------------------------------------
@dataclass
class ChartBar:
    x: float
    y: float
    width: float
    height: float
    label: str
    short_label: str
    count: int
    cumulative: float
    cx: float
    cy: float  # the cumulative-percent point above this bar
    vital: bool


def pareto_chart(rows: list[ParetoRow], *, width: int = 640, height: int = 280, limit: int = 12) -> dict:
    """Coordinates of a Pareto chart (bars = counts on the left axis, line = cumulative % on the right axis)."""
    left, right, top, bottom = 40, 44, 16, 64
    plot_w, plot_h = width - left - right, height - top - bottom
    shown = rows[:limit]
    peak = max((row.count for row in shown), default=0) or 1
    slot = plot_w / max(len(shown), 1)
    bars = []
    for index, row in enumerate(shown):
        bar_h = plot_h * row.count / peak
        x = left + index * slot + slot * 0.15
        cx = left + index * slot + slot / 2
        cy = top + plot_h * (1 - row.cumulative / 100)
        short = row.label if len(row.label) <= 6 else row.label[:5] + "…"
        bars.append(ChartBar(x=round(x, 1), y=round(top + plot_h - bar_h, 1), width=round(slot * 0.7, 1),
                             height=round(bar_h, 1), label=row.label, short_label=short, count=row.count,
                             cumulative=row.cumulative, cx=round(cx, 1), cy=round(cy, 1), vital=row.vital))
    ticks = []
    for fraction in (0, 0.25, 0.5, 0.75, 1):
        y = round(top + plot_h * (1 - fraction), 1)
        value = peak * fraction
        ticks.append({"y": y, "count": int(value) if value == int(value) else "", "percent": int(fraction * 100)})
    return {
        "width": width, "height": height, "left": left, "top": top, "right_x": width - right,
        "bottom_y": top + plot_h, "label_y": top + plot_h + 16, "bars": bars, "ticks": ticks,
        "line": " ".join(f"{bar.cx},{bar.cy}" for bar in bars),
        "line80_y": round(top + plot_h * 0.2, 1), "more": max(len(rows) - len(shown), 0),
    }
