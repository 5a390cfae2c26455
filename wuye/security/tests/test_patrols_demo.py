"""The patrol demo: three routes per project (every 2 h; the garage and the playground hourly), a month of rounds
with about 95 % of the checkpoints scanned, the round under way opened with its clocks; a rerun adds nothing."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from wuye.demo.security_patrols import add_demo_security_patrols
from wuye.security.models import CheckpointVisit, PatrolRound, PatrolRoute, RoundStatus, VisitStatus
from wuye.sla.models import Clock

NOW = datetime(2026, 12, 3, 10, 25, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_demo_routes_a_month_of_rounds_and_the_round_under_way(world):
    counts = add_demo_security_patrols(world.company, now=NOW)
    assert counts["routes"] == 6
    routes = PatrolRoute.objects.filter(project=world.project1)
    assert sorted((r.name, r.every_minutes) for r in routes) == [
        ("主干道-楼幢-地下车库", 120), ("儿童乐园", 60), ("地下车库", 60)]
    assert all(5 <= r.checkpoints.count() <= 8 for r in routes)
    past = CheckpointVisit.objects.filter(project=world.project1, round__ends_at__lte=NOW)
    scanned = past.filter(status__in=(VisitStatus.ON_TIME, VisitStatus.LATE)).count()
    assert 0.92 <= scanned / past.count() <= 0.98
    assert past.filter(status=VisitStatus.LATE).exists()
    assert PatrolRound.objects.filter(status=RoundStatus.MISSED, ends_at__lte=NOW).exists()
    under_way = PatrolRound.objects.filter(project=world.project1, status=RoundStatus.OPEN)
    assert under_way.count() == 3  # one per route: 10:00 for all three
    assert Clock.objects.filter(key="patrol.round", state="running", project=world.project1).count() == 3
    assert under_way.filter(scanned__gt=0).exists()
    assert PatrolRound.objects.filter(status=RoundStatus.SCHEDULED, starts_at__gt=NOW).exists()
    before = (PatrolRound.objects.count(), CheckpointVisit.objects.count())
    assert add_demo_security_patrols(world.company, now=NOW) == {}
    assert (PatrolRound.objects.count(), CheckpointVisit.objects.count()) == before


def test_every_rounds_counters_equal_its_checkpoint_visits_after_scans_and_sweeps(world):
    """A round keeps its scanned/late/missed counts beside the visits (the round list reads them without joining
    ~20k visits); they are derived data, so after the demo's month, a real scan, the sweep that marks misses and
    the job that closes rounds, each round's counts must equal what its visits say."""
    from datetime import timedelta

    import time_machine
    from django.db.models import Count, Q

    from wuye.people.access import actor_for
    from wuye.security import patrols
    from wuye.sla.engine import sweep

    add_demo_security_patrols(world.company, now=NOW)
    under_way = PatrolRound.objects.filter(project=world.project1, status=RoundStatus.OPEN).order_by("id").first()
    pending = under_way.visits.filter(status=VisitStatus.PENDING).select_related("checkpoint").first()
    patrols.check_in(actor_for(world.user("zhixu")), under_way, code=pending.checkpoint.code,
                     at=NOW + timedelta(minutes=1))
    later = NOW + timedelta(hours=3)
    with time_machine.travel(later, tick=False):
        sweep(now=later)
        patrols.close_due_rounds(now=later)
    rows = PatrolRound.objects.annotate(
        total=Count("visits"),
        visits_scanned=Count("visits", filter=Q(visits__status__in=(VisitStatus.ON_TIME, VisitStatus.LATE))),
        visits_late=Count("visits", filter=Q(visits__status=VisitStatus.LATE)),
        visits_missed=Count("visits", filter=Q(visits__status=VisitStatus.MISSED)))
    assert rows.filter(visits_missed__gt=0, starts_at__gte=NOW - timedelta(hours=1)).exists()  # the sweep's own
    wrong = [(r.pk, (r.checkpoints_total, r.scanned, r.late, r.missed),
              (r.total, r.visits_scanned, r.visits_late, r.visits_missed)) for r in rows
             if (r.checkpoints_total, r.scanned, r.late, r.missed)
             != (r.total, r.visits_scanned, r.visits_late, r.visits_missed)]
    assert not wrong, wrong[:5]
