"""Row sources shared by the environment pages, cards and exports: the cleaning task list's filters (`task_filters` →
`filter_tasks` → `tasks_url`), so a card's count and the list its link opens are one query; the day's tasks per
zone for the home; the greening tasks due this week and the day's checks (the greening stream's modules, read
when they are there)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from django.db.models import Count

from wuye.core.access import Actor, scoped
from wuye.core.links import url_or_none

from .cleaning import STATES, day_bounds, mine_q, state_q
from .models import CleaningTask, TaskStatus

# -- the cleaning task list ----------------------------------------------------------------------------------------
TASK_FILTERS = {"day": None, "status": "", "zone": None, "project": None, "mine": False}


def task_filters(**given) -> dict:
    """The task list's filter dict (what the list page and the API read from their query strings)."""
    unknown = set(given) - set(TASK_FILTERS)
    if unknown:
        raise ValueError(f"not a cleaning task filter: {sorted(unknown)}")
    return {**TASK_FILTERS, **given}


def filter_tasks(actor: Actor, filters: dict, now: datetime):
    """Tasks in scope narrowed by the filters: `day` (local day of the start), `status` (a state of
    `cleaning.STATES` at `now`), `zone`, `project`, `mine` (the zones I clean and those without a cleaner).
    By start time, then zone."""
    rows = scoped(CleaningTask.objects.all(), actor).select_related("zone", "project", "done_by")
    if filters.get("day"):
        low, high = day_bounds(filters["day"])
        rows = rows.filter(starts_at__gte=low, starts_at__lt=high)
    if filters.get("status") in STATES:
        rows = rows.filter(state_q(filters["status"], now))
    if filters.get("zone"):
        rows = rows.filter(zone_id=filters["zone"])
    if filters.get("project"):
        rows = rows.filter(project_id=filters["project"])
    if filters.get("mine"):
        rows = rows.filter(mine_q(actor))
    return rows.order_by("starts_at", "zone__name", "pk")


def tasks_url(filters: dict) -> str | None:
    base = url_or_none("environment:tasks")
    if base is None:
        return None
    query = urlencode({key: ("on" if value is True else value.isoformat() if isinstance(value, date) else value)
                       for key, value in filters.items() if value not in ("", None, False)})
    return f"{base}?{query}" if query else base


# -- the home ------------------------------------------------------------------------------------------------------
def zones_today(actor: Actor, day: date, now: datetime) -> list[dict]:
    """Per zone with tasks on `day`: how many are done, done late, to do (begun or later), overdue, not done — one
    aggregate query."""
    low, high = day_bounds(day)
    rows = (scoped(CleaningTask.objects.all(), actor).filter(starts_at__gte=low, starts_at__lt=high)
            .values("zone_id", "zone__name", "project__name")
            .annotate(total=Count("pk"), done=Count("pk", filter=state_q("done", now)),
                      late=Count("pk", filter=state_q("late", now)),
                      todo=Count("pk", filter=state_q("due", now) | state_q("upcoming", now)),
                      overdue=Count("pk", filter=state_q("overdue", now)),
                      missed=Count("pk", filter=state_q("missed", now)))
            .order_by("project__name", "zone__name"))
    return list(rows)


def day_counts(actor: Actor, day: date, now: datetime) -> dict[str, int]:
    """The day's tasks by state, in one query."""
    low, high = day_bounds(day)
    rows = scoped(CleaningTask.objects.all(), actor).filter(starts_at__gte=low, starts_at__lt=high)
    return rows.aggregate(total=Count("pk"), **{state: Count("pk", filter=state_q(state, now))
                                                for state in STATES if state != "cancelled"})


def greening_due(actor: Actor, today: date) -> list:
    """Greening tasks still to do that fall due this week (Monday to Sunday), earliest first."""
    from .models import GreeningTask

    monday = today - timedelta(days=today.weekday())
    return list(scoped(GreeningTask.objects.all(), actor)
                .filter(status=TaskStatus.SCHEDULED, due_on__gte=monday, due_on__lte=monday + timedelta(days=6))
                .select_related("plan", "project").order_by("due_on", "pk")[:50])


def checks_today(actor: Actor, day: date):
    """The day's environment checks from the greening stream's `checks.checks_on`, or None while it is not there."""
    from . import checks

    checks_on = getattr(checks, "checks_on", None)
    if checks_on is None:
        return None
    return list(checks_on(actor, day)[:50])
