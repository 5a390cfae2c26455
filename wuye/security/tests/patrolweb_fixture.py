"""A small patrol world for the patrol pages, the home and the workbench: in project 1 a garage route (key area,
three checkpoints) and a perimeter route (two checkpoints), in project 2 one route; rounds of `today` in every
state, visits on time, late, missed and pending; a missed round the day before. Rows are made directly (these tests
read; the patrol stream's own tests write through its services)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from wuye.security.models import (
    CheckpointVisit,
    PatrolCheckpoint,
    PatrolRound,
    PatrolRoute,
    RoundStatus,
    VisitStatus,
)

SH = ZoneInfo("Asia/Shanghai")


def line(number: int) -> str:
    """How a checkpoint line's problem begins, in the language the pages speak ("line 3: " / "第 3 行：")."""
    from django.utils.translation import gettext

    return gettext("line %(n)s: %(problem)s") % {"n": number, "problem": ""}


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=SH)


def route(project, name, codes, *, key=False, every=120):
    made = PatrolRoute.objects.create(project=project, name=name, is_key_area=key, every_minutes=every)
    points = [PatrolCheckpoint.objects.create(project=project, route=made, order=n, name=f"{name}{n}号点",
                                              location="B1", code=code, minutes_from_start=10 * n)
              for n, code in enumerate(codes, start=1)]
    return made, points


def patrol_round(route_, points, starts, status, visit_states=(), guard=None):
    """A round of `route_` at `starts` with one visit per checkpoint in `visit_states` (pending for the rest; a
    scheduled round has its visits from the start, as the generator makes them)."""
    row = PatrolRound.objects.create(project=route_.project, route=route_, starts_at=starts,
                                     ends_at=starts + timedelta(minutes=route_.every_minutes), status=status,
                                     guard=guard, checkpoints_total=len(points))
    states = list(visit_states) + [VisitStatus.PENDING] * (len(points) - len(visit_states))
    for point, state in zip(points, states, strict=True):
        due = starts + timedelta(minutes=point.minutes_from_start)
        scanned = {VisitStatus.ON_TIME: due - timedelta(minutes=2), VisitStatus.LATE: due + timedelta(minutes=5)}
        CheckpointVisit.objects.create(project=route_.project, round=row, checkpoint=point, order=point.order,
                                       due_at=due, status=state, scanned_at=scanned.get(state),
                                       scanned_by=guard if state in scanned else None)
    row.scanned = sum(s in (VisitStatus.ON_TIME, VisitStatus.LATE) for s in states)
    row.late = sum(s == VisitStatus.LATE for s in states)
    row.missed = sum(s == VisitStatus.MISSED for s in states)
    row.save()
    return row


def build(world, today: date) -> SimpleNamespace:
    p1, p2 = world.project1, world.project2
    zhixu = world.user("zhixu")
    garage, garage_points = route(p1, "地下车库", ["CK-01", "CK-02", "CK-03"], key=True, every=60)
    perimeter, perimeter_points = route(p1, "周界", ["ZJ-01", "ZJ-02"])
    other, other_points = route(p2, "地下车库", ["CK-01", "CK-02"], key=True, every=60)
    ON, LATE, MISSED = VisitStatus.ON_TIME, VisitStatus.LATE, VisitStatus.MISSED
    rounds = SimpleNamespace(
        completed=patrol_round(garage, garage_points, at(today, 8), RoundStatus.COMPLETED, [ON, ON, LATE], zhixu),
        incomplete=patrol_round(garage, garage_points, at(today, 9), RoundStatus.INCOMPLETE, [ON, MISSED, MISSED],
                                zhixu),
        missed=patrol_round(perimeter, perimeter_points, at(today, 8), RoundStatus.MISSED, [MISSED, MISSED]),
        open=patrol_round(garage, garage_points, at(today, 10), RoundStatus.OPEN, [ON], zhixu),
        open_free=patrol_round(perimeter, perimeter_points, at(today, 10), RoundStatus.OPEN),
        scheduled=patrol_round(garage, garage_points, at(today, 11), RoundStatus.SCHEDULED),
        yesterday=patrol_round(perimeter, perimeter_points, at(today - timedelta(days=1), 20), RoundStatus.MISSED,
                               [MISSED, MISSED]),
        old=patrol_round(perimeter, perimeter_points, at(today - timedelta(days=9), 20), RoundStatus.MISSED,
                         [MISSED, MISSED]),
        other=patrol_round(other, other_points, at(today, 8), RoundStatus.INCOMPLETE, [MISSED, ON]),
    )
    return SimpleNamespace(garage=garage, garage_points=garage_points, perimeter=perimeter,
                           perimeter_points=perimeter_points, other=other, other_points=other_points,
                           rounds=rounds, today=today, now=at(today, 10, 20))
