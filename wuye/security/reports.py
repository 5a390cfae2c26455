"""Row sources shared by the security pages, cards and exports (one query per idea).

Every figure on the security home and the workbench is the row count of the list its link opens: a round count
is `round_rows` with the rounds list's filter values, a missed-checkpoint count is `missed_rows` with the missed
list's, and the other streams' figures come from their own list functions (`visitors.visitors_inside`,
`goods.slips_to_verify`, `goods.awaiting_approval`, `parking.open_sessions`). Those modules are written by other
hands at the same time: they are asked with `getattr`, and a figure whose function or page is not there yet is
left out rather than guessed.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from django.db.models import Q
from django.utils import timezone

from wuye.core.access import Actor, may_read, scoped
from wuye.core.links import url_or_none

from .models import CheckpointVisit, PatrolRound, RoundStatus, VisitStatus

MISSED_DAYS = 7  # the missed list's default window: the last week
# A page filter outside these years is ignored (a date the database and Python both hold, whatever is typed).
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)
ROUND_FILTERS = {"day": "", "route": "", "status": "", "project": ""}
MISSED_FILTERS = {"since": "", "until": "", "route": ""}



def with_query(base: str | None, filters: dict) -> str | None:
    if base is None:
        return None
    query = urlencode({key: value.isoformat() if isinstance(value, date) else value
                       for key, value in filters.items() if value not in ("", None, False)})
    return f"{base}?{query}" if query else base


def service(module: str, name: str):
    """`security.<module>.<name>` if that stream has written it, else None."""
    from importlib import import_module

    return getattr(import_module(f"wuye.security.{module}"), name, None)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The local day `day` as [start, next start) in Asia/Shanghai."""
    zone = timezone.get_current_timezone()
    start = datetime.combine(day, time.min, tzinfo=zone)
    return start, datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)


# -- rounds -----------------------------------------------------------------------------------------------------
def round_filters(**given) -> dict:
    unknown = set(given) - set(ROUND_FILTERS)
    if unknown:
        raise ValueError(f"not a rounds list filter: {sorted(unknown)}")
    return {**ROUND_FILTERS, **given}


def round_rows(actor: Actor, filters: dict):
    """The rounds list's rows: the rounds of `filters["day"]` (patrols.rounds_on) in scope, narrowed by route,
    status and project. The rounds page, the home and the cards count these."""
    from .patrols import rounds_on

    rows = rounds_on(actor, filters["day"] or timezone.localdate())
    if filters["route"]:
        rows = rows.filter(route_id=filters["route"])
    if filters["project"]:
        rows = rows.filter(project_id=filters["project"])
    if filters["status"]:
        rows = rows.filter(status=filters["status"])
    return rows.select_related("route", "project", "guard").order_by("route__name", "route_id", "starts_at", "id")


def rounds_url(filters: dict) -> str | None:
    return with_query(url_or_none("security:rounds"), filters)


def round_counts(actor: Actor, day: date) -> dict[str, int]:
    """{status: rounds of `day`} in scope, one query."""
    from django.db.models import Count

    counts = dict(round_rows(actor, round_filters(day=day)).order_by().values_list("status")
                  .annotate(n=Count("pk")))
    return {value: counts.get(value, 0) for value in RoundStatus.values}


def timeline_by_route(rounds) -> list[dict]:
    """Rounds grouped per route in order (the day page's timeline rows), each with its scanned/late/missed sums."""
    routes: dict[int, dict] = {}
    for row in rounds:
        entry = routes.setdefault(row.route_id, {"route": row.route, "rounds": [], "scanned": 0, "late": 0,
                                                 "missed": 0, "total": 0})
        entry["rounds"].append(row)
        for name in ("scanned", "late", "missed"):
            entry[name] += getattr(row, name)
        entry["total"] += row.checkpoints_total
    return list(routes.values())


# -- missed checkpoints -----------------------------------------------------------------------------------------
def missed_filters(**given) -> dict:
    unknown = set(given) - set(MISSED_FILTERS)
    if unknown:
        raise ValueError(f"not a missed list filter: {sorted(unknown)}")
    return {**MISSED_FILTERS, **given}


def missed_window(filters: dict, today: date) -> tuple[date, date]:
    """(since, until) of the missed list: the last `MISSED_DAYS` days unless given (the two swapped if reversed)."""
    until = filters["until"] or today
    since = filters["since"] or until - timedelta(days=MISSED_DAYS - 1)
    return (since, until) if since <= until else (until, since)


def missed_rows(actor: Actor, filters: dict, today: date):
    """The missed list's rows: missed checkpoint visits due from `since` to `until` (local days, inclusive) in
    scope — patrols.missed_visits — narrowed by route. The missed page and the missed cards count these."""
    since, until = missed_window(filters, today)
    from .patrols import missed_visits

    rows = missed_visits(actor, since, until)
    if filters["route"]:
        rows = rows.filter(round__route_id=filters["route"])
    return rows.select_related("checkpoint", "round__route", "project").order_by("-due_at", "-id")


def missed_rounds(actor: Actor, filters: dict, today: date):
    """Rounds nobody walked (status missed) starting in the missed list's window."""
    since, until = missed_window(filters, today)
    rows = scoped(PatrolRound.objects.filter(status=RoundStatus.MISSED, starts_at__gte=day_bounds(since)[0],
                                             starts_at__lt=day_bounds(until)[1]), actor)
    if filters["route"]:
        rows = rows.filter(route_id=filters["route"])
    return rows.select_related("route", "project").order_by("-starts_at", "-id")


def missed_url(filters: dict) -> str | None:
    return with_query(url_or_none("security:missed"), filters)


def completion_this_week(actor: Actor, today: date) -> tuple[int, int]:
    """(checkpoints scanned, checkpoints due and decided) of the week so far (Monday to today) in the actor's
    projects — patrols.completion over the projects in scope."""
    from wuye.tenancy.models import Project

    start = today - timedelta(days=today.weekday())
    project_ids = list(scoped(Project.objects.all(), actor).values_list("pk", flat=True))
    from .patrols import completion

    # completion() takes local days [start, end): today is counted, so the end is tomorrow.
    return completion(project_ids, start, today + timedelta(days=1))


def completion_parts(actor: Actor, today: date) -> tuple:
    """The rows `completion_this_week` counts, as querysets (scanned, due) over a subquery of the projects in
    scope — for `count_all`, which counts them in the same query as the cards."""
    from wuye.tenancy.models import Project

    from .patrols import SCANNED, visits_due

    start = today - timedelta(days=today.weekday())
    due = visits_due(scoped(Project.objects.all(), actor).values("pk"), start, today + timedelta(days=1))
    return due.filter(status__in=SCANNED), due


# -- the guard's phone ------------------------------------------------------------------------------------------
def my_open_rounds(actor: Actor, limit: int = 20) -> list[PatrolRound]:
    """Rounds under way now in the actor's projects that are theirs or nobody's yet, each with `next_visit` (the
    first checkpoint not scanned, in walking order) — the phone hub's list."""
    user_id = getattr(actor.user, "pk", None)
    rows = scoped(PatrolRound.objects.filter(status=RoundStatus.OPEN), actor)
    rows = rows.filter(Q(guard__isnull=True) | Q(guard_id=user_id)) if user_id else rows
    rounds = list(rows.select_related("route", "project").order_by("starts_at", "id")[:limit])
    pending: dict[int, CheckpointVisit] = {}
    for visit in (CheckpointVisit.objects.filter(round__in=rounds, status=VisitStatus.PENDING)
                  .select_related("checkpoint").order_by("round_id", "order", "id")):
        pending.setdefault(visit.round_id, visit)
    for row in rounds:
        row.next_visit = pending.get(row.pk)
    return rounds


# -- the other streams' lists -------------------------------------------------------------------------------------
def visitors_inside(actor: Actor):
    found = service("visitors", "visitors_inside")
    return found(actor) if found and may_read(actor, "security.visitors") else None


def visitors_waiting(actor: Actor):
    found = service("visitors", "visitors_waiting")
    return found(actor) if found and may_read(actor, "security.visitors") else None


def slips_to_verify(actor: Actor, day: date):
    found = service("goods", "slips_to_verify")
    return found(actor, day) if found and may_read(actor, "security.goods") else None


def awaiting_approval(actor: Actor):
    found = service("goods", "awaiting_approval")
    return found(actor) if found and may_read(actor, "security.goods") else None


def open_sessions(actor: Actor):
    found = service("parking", "open_sessions")
    return found(actor) if found and may_read(actor, "security.parking") else None


def occupancy(actor: Actor) -> list | None:
    found = service("parking", "occupancy")
    return list(found(actor)) if found and may_read(actor, "security.parking") else None


def elsewhere(today: date) -> dict[str, str | None]:
    """The other streams' list pages the home and the cards link to, with the filters their figures use."""
    return {
        "visitors_inside": with_query(url_or_none("security:visitors"), {"status": "inside"}),
        "visitors_waiting": with_query(url_or_none("security:visitors"), {"status": "waiting"}),
        "slips_to_verify": with_query(url_or_none("security:goods_releases"),
                                      {"status": "approved", "day": today}),
        "awaiting_approval": with_query(url_or_none("security:goods_releases"), {"status": "applied"}),
        "open_sessions": with_query(url_or_none("security:parking_sessions"), {"status": "inside"}),
        "parking": url_or_none("security:parking"),
    }


def count_all(user, parts: dict) -> dict[str, int]:
    """{name: rows of `parts[name]`} for querysets of any models in one query: each a scalar COUNT subquery on the
    signed-in user's row (the workbench keeps to its query budget)."""
    from django.contrib.auth import get_user_model
    from django.db.models import F, Func, IntegerField, Subquery

    if not parts:
        return {}
    counts = {name: Subquery(rows.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")[:1],
                             output_field=IntegerField())
              for name, rows in parts.items()}
    row = get_user_model().objects.filter(pk=user.pk).annotate(**counts).values(*counts).first()
    return {name: int((row or {}).get(name) or 0) for name in parts}
