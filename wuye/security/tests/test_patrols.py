"""Patrols: routes every 2 h (key areas every hour, the project's rules), rounds planned ahead and opened with their
clocks, scans on time or late inside the round's window, a skipped checkpoint reported missed exactly once after its
deadline (one message per round to the security supervisors), rounds closed completed / incomplete / missed, and
findings opening a work order or a rectification. Fixed dates; the sweep is run at chosen moments."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from wuye.core.errors import Conflict, InvalidInput
from wuye.core.models import Event, Notification
from wuye.people.access import actor_for
from wuye.security import patrols
from wuye.security.models import (
    CheckpointVisit,
    PatrolFinding,
    PatrolRound,
    RoundStatus,
    VisitStatus,
)
from wuye.sla.engine import clocks_for, sweep
from wuye.sla.models import ClockState

SH = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 12, 3)


def at(hour: int, minute: int = 0, day: date = DAY) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=SH)


CHECKPOINTS = [
    {"name": "1号楼大堂", "location": "1号楼", "code": "A-01", "minutes_from_start": 10},
    {"name": "B1 消防通道", "location": "地下车库", "code": "A-02", "minutes_from_start": 20},
    {"name": "东门岗", "code": "A-03", "minutes_from_start": 30},
]


@pytest.fixture
def zhixu(world):
    return actor_for(world.user("zhixu"))


@pytest.fixture
def admin(world):
    return actor_for(world.user("admin"))


@pytest.fixture
def route(world, zhixu):
    """主干道 of project 1, every 2 h (the rule's default), three checkpoints due 10, 20 and 30 minutes into the
    round (+ 10 minutes' grace); made at 07:30, so its first round is 08:00."""
    return patrols.create_route(zhixu, project=world.project1, name="主干道", checkpoints=CHECKPOINTS,
                                now=at(7, 30))


def _round(route, hour: int) -> PatrolRound:
    return PatrolRound.objects.get(route=route, starts_at=at(hour))


def _visit(patrol_round, code: str) -> CheckpointVisit:
    return CheckpointVisit.objects.get(round=patrol_round, checkpoint__code=code)


def _missed_messages():
    return Notification.objects.filter(dedupe_key__startswith="patrol.missed:")


# -- schedule -----------------------------------------------------------------------------------------------------
def test_a_route_every_2_hours_by_default_and_a_key_area_hourly(world, zhixu):
    normal = patrols.create_route(zhixu, project=world.project1, name="主干道", checkpoints=CHECKPOINTS[:1],
                                  now=at(0, 0))
    key = patrols.create_route(zhixu, project=world.project1, name="地下车库", is_key_area=True,
                               checkpoints=[{"name": "B1 入口", "code": "K-01"}], now=at(0, 0))
    assert (normal.every_minutes, key.every_minutes) == (120, 60)
    day = (at(0, 0), at(0, 0, DAY + timedelta(days=1)))
    assert PatrolRound.objects.filter(route=normal, starts_at__gte=day[0], starts_at__lt=day[1]).count() == 12
    assert PatrolRound.objects.filter(route=key, starts_at__gte=day[0], starts_at__lt=day[1]).count() == 24
    assert [f"{slot:%H:%M}" for slot in patrols.slots_on(key, DAY)][-1] == "23:00"
    # The project's rule decides: 90 minutes makes 16 rounds a day.
    from wuye.tenancy.rules import update_rules

    update_rules(actor_for(world.user("admin")), world.project2, {"patrol_every_minutes": 90}, reason="夜间加密")
    other = patrols.create_route(actor_for(world.user("admin")), project=world.project2, name="翠湖主路",
                                 checkpoints=[{"name": "北门", "code": "N-01"}], now=at(0, 0))
    assert other.every_minutes == 90 and len(patrols.slots_on(other, DAY)) == 16


def test_checkpoints_are_due_at_their_minute_plus_ten_minutes_grace(world, route):
    first = _round(route, 8)
    assert first.ends_at == at(10) and first.checkpoints_total == 3
    assert [v.due_at for v in first.visits.order_by("order")] == [at(8, 20), at(8, 30), at(8, 40)]


def test_grace_comes_from_settings(world, zhixu, settings):
    settings.WUYE_PATROL_CHECKPOINT_GRACE_MINUTES = 11
    route = patrols.create_route(zhixu, project=world.project1, name="主干道", checkpoints=CHECKPOINTS,
                                 now=at(7, 30))
    assert _visit(_round(route, 8), "A-01").due_at == at(8, 21)


def test_minutes_default_to_an_even_share_of_the_round(world, zhixu):
    route = patrols.create_route(zhixu, project=world.project1, name="儿童乐园", is_key_area=True,
                                 round_minutes=40, checkpoints=[{"name": f"点{n}", "code": f"P-{n}"}
                                                                for n in range(1, 5)], now=at(7, 30))
    assert list(route.checkpoints.order_by("order").values_list("minutes_from_start", flat=True)) == [10, 20, 30, 40]


def test_generation_is_idempotent_and_continues_after_the_last_round(world, route):
    made = PatrolRound.objects.filter(route=route).count()
    assert made == 18  # 08:00 today to 18:00 tomorrow (36 hours from 07:30)
    assert patrols.generate_rounds(now=at(7, 30)) == 0
    assert patrols.generate_rounds(now=at(7, 59)) == 0
    assert patrols.generate_rounds(now=at(8, 0)) == 1  # 20:00 tomorrow is 36 hours ahead now
    assert patrols.generate_rounds(now=at(20, 0)) == 6  # 22:00 tomorrow to 08:00 the day after
    assert CheckpointVisit.objects.filter(round__route=route).count() == 3 * (made + 7)


def test_route_input_is_checked_and_named(world, zhixu):
    with pytest.raises(InvalidInput) as refused:
        patrols.create_route(zhixu, project=world.project1, name="", round_minutes=200, checkpoints=[
            {"name": "x" * 61, "code": "A-01"}, {"name": "东门", "code": "a-01", "minutes_from_start": 300}])
    fields = {problem.field for problem in refused.value.problems}
    assert {"name", "round_minutes", "checkpoints[1].name", "checkpoints[2].code"} <= fields
    with pytest.raises(InvalidInput) as refused:
        patrols.create_route(zhixu, project=world.project1, name="空", checkpoints=[])
    assert refused.value.problems[0].field == "checkpoints"
    with pytest.raises(InvalidInput) as refused:
        patrols.create_route(zhixu, project=world.project1, name="多", checkpoints=[
            {"name": f"点{n}", "code": f"C{n}"} for n in range(51)])
    assert refused.value.problems[0].field == "checkpoints"
    with pytest.raises(InvalidInput) as refused:
        patrols.create_route(zhixu, project=world.project1, name="超时", round_minutes=40, checkpoints=[
            {"name": "点", "code": "T-1", "minutes_from_start": 41}])
    assert refused.value.problems[0].field == "checkpoints[1].minutes_from_start"
    assert not PatrolRound.objects.exists()


def test_codes_are_unique_in_the_project_and_names_per_route(world, zhixu, route):
    with pytest.raises(InvalidInput) as refused:
        patrols.create_route(zhixu, project=world.project1, name="另一条", checkpoints=[{"name": "点", "code": "A-02"}])
    assert refused.value.problems[0].field == "checkpoints[1].code"
    with pytest.raises(Conflict):
        patrols.create_route(zhixu, project=world.project1, name="主干道", checkpoints=[{"name": "点", "code": "Z-9"}])


def test_changing_a_route_replans_the_rounds_not_yet_started(world, zhixu, route):
    patrols.open_due_rounds(at(8, 0))
    patrols.update_route(zhixu, route, checkpoints=[*CHECKPOINTS[:2], {"name": "西门岗", "code": "A-04"}],
                         now=at(9, 0))
    assert _round(route, 8).checkpoints_total == 3  # under way: kept as it was
    later = _round(route, 10)
    assert list(later.visits.order_by("order").values_list("checkpoint__code", flat=True)) == ["A-01", "A-02",
                                                                                             "A-04"]
    assert not route.checkpoints.get(code="A-03").is_active
    patrols.set_route_active(zhixu, route, False, now=at(9, 0))
    assert not PatrolRound.objects.filter(route=route, starts_at__gt=at(9, 0)).exists()
    assert patrols.generate_rounds(now=at(9, 30)) == 0


# -- opening, scanning, missing --------------------------------------------------------------------------------------
def test_opening_starts_the_clocks_at_the_rounds_start(world, route):
    assert patrols.open_due_rounds(at(7, 59)) == 0
    assert patrols.open_due_rounds(at(8, 0, )) == 1
    first = _round(route, 8)
    assert first.status == RoundStatus.OPEN
    (clock,) = clocks_for(first)
    assert (clock.key, clock.started_at, clock.due_at) == ("patrol.round", at(8), at(8, 50))
    (visit_clock,) = clocks_for(_visit(first, "A-02"))
    assert (visit_clock.key, visit_clock.due_at) == ("patrol.checkpoint", at(8, 30))
    assert patrols.open_due_rounds(at(8, 1)) == 0
    assert Event.objects.filter(verb="patrol.round.opened").count() == 1


def test_in_a_round_every_2_h_a_skipped_checkpoint_is_reported_missed_exactly_once_after_its_deadline(
        world, zhixu, route):
    patrols.open_due_rounds(at(8, 0))
    first = _round(route, 8)
    patrols.check_in(zhixu, first, code="A-01", at=at(8, 5))
    sweep(at(8, 29))  # A-02 is due at 08:30
    assert _visit(first, "A-02").status == VisitStatus.PENDING
    assert not _missed_messages().exists()
    sweep(at(8, 30))
    assert _visit(first, "A-02").status == VisitStatus.MISSED
    assert _visit(first, "A-03").status == VisitStatus.PENDING  # due 08:40
    first.refresh_from_db()
    assert first.missed == 1
    (message,) = _missed_messages()
    assert message.recipient == world.user("zhixu")  # project 1's security supervisor
    assert "主干道" in message.subject_line and "12-03 08:00" in message.subject_line
    assert "B1 消防通道" in message.subject_line and "东门岗" not in message.subject_line
    assert Event.objects.filter(verb="patrol.checkpoint.missed").count() == 1
    sweep(at(8, 31))
    sweep(at(8, 30))
    assert Event.objects.filter(verb="patrol.checkpoint.missed").count() == 1
    assert _missed_messages().count() == 1
    first.refresh_from_db()
    assert first.missed == 1


def test_one_message_per_round_for_checkpoints_missed_together(world, zhixu, route):
    patrols.open_due_rounds(at(8, 0))
    sweep(at(8, 45))  # all three are past their deadlines: one sweep, one message naming them all
    (message,) = _missed_messages()
    assert "1号楼大堂" in message.subject_line and "东门岗" in message.subject_line
    (event,) = Event.objects.filter(verb="patrol.checkpoint.missed")  # one timeline line naming the three
    assert "1号楼大堂" in event.data["checkpoint"] and "东门岗" in event.data["checkpoint"]
    assert _round(route, 8).missed == 3


def test_a_late_scan_is_recorded_late_and_a_missed_checkpoint_scanned_in_the_window_becomes_late(
        world, zhixu, route):
    patrols.open_due_rounds(at(8, 0))
    first = _round(route, 8)
    on_time = patrols.check_in(zhixu, first, code="a-01", at=at(8, 20))  # at its deadline: on time
    assert on_time.status == VisitStatus.ON_TIME
    sweep(at(8, 30))
    late = patrols.check_in(zhixu, first, code="A-02", at=at(9, 10), note="门禁故障，绕行")
    assert late.status == VisitStatus.LATE and late.note == "门禁故障，绕行"
    (clock,) = clocks_for(late)
    assert clock.state == ClockState.BREACHED
    last = patrols.check_in(zhixu, first, token=str(_visit(first, "A-03").checkpoint.label_token), at=at(9, 20))
    assert last.status == VisitStatus.LATE
    first.refresh_from_db()
    assert (first.scanned, first.late, first.missed, first.status) == (3, 2, 0, RoundStatus.COMPLETED)
    assert first.guard == world.user("zhixu") and first.completed_at == at(9, 20)
    (round_clock,) = clocks_for(first)
    assert round_clock.state == ClockState.BREACHED  # due 08:50
    assert Event.objects.filter(verb="patrol.checkpoint.scanned").count() == 3


def test_a_scan_outside_the_window_is_refused_and_nothing_written(world, zhixu, route):
    patrols.open_due_rounds(at(8, 0))
    first = _round(route, 8)
    for moment in (at(7, 59), at(10, 0)):
        with pytest.raises(InvalidInput) as refused:
            patrols.check_in(zhixu, first, code="A-01", at=moment)
        assert refused.value.problems[0].field == "at"
    visit = _visit(first, "A-01")
    assert visit.status == VisitStatus.PENDING and visit.scanned_at is None
    assert not Event.objects.filter(verb="patrol.checkpoint.scanned").exists()
    first.refresh_from_db()
    assert first.scanned == 0 and first.guard is None


def test_unknown_code_another_routes_checkpoint_and_a_second_scan(world, zhixu, route):
    other = patrols.create_route(zhixu, project=world.project1, name="地下车库", is_key_area=True,
                                 checkpoints=[{"name": "B2 配电房", "code": "K-01"}], now=at(7, 30))
    patrols.open_due_rounds(at(8, 0))
    first = _round(route, 8)
    for code in ("NOPE", "K-01", ""):
        with pytest.raises(InvalidInput) as refused:
            patrols.check_in(zhixu, first, code=code, at=at(8, 5))
        assert refused.value.problems[0].field == "code"
    patrols.check_in(zhixu, first, code="A-01", at=at(8, 5))
    with pytest.raises(Conflict):
        patrols.check_in(zhixu, first, code="A-01", at=at(8, 6))
    assert other.rounds.exists()


def test_rounds_never_overlap_across_midnight_and_a_scan_credits_the_round_still_waiting(world, zhixu, route):
    # Every 50 minutes: 1440 is no multiple of 50, so the day's last round (23:20) ends at the next day's 00:00.
    night = patrols.create_route(zhixu, project=world.project1, name="夜巡", every_minutes=50,
                                 checkpoints=[{"name": "北门", "code": "N-01"}], now=at(22, 0))
    windows = list(PatrolRound.objects.filter(route=night, starts_at__gte=at(22, 30), starts_at__lte=at(
        0, 50, DAY + timedelta(days=1))).order_by("starts_at").values_list("starts_at", "ends_at"))
    assert windows == [(at(22, 30), at(23, 20)), (at(23, 20), at(0, 0, DAY + timedelta(days=1))),
                       (at(0, 0, DAY + timedelta(days=1)), at(0, 50, DAY + timedelta(days=1))),
                       (at(0, 50, DAY + timedelta(days=1)), at(1, 40, DAY + timedelta(days=1)))]
    # A day ending early: its last round (21:40) still runs its full 50 minutes.
    evening = patrols.create_route(zhixu, project=world.project1, name="晚巡", every_minutes=50,
                                   last_round_at=time(22, 0), checkpoints=[{"name": "南门", "code": "B-01"}],
                                   now=at(21, 0))
    last = PatrolRound.objects.get(route=evening, starts_at=at(21, 40))
    assert last.ends_at == at(22, 30)
    # A route rescheduled under a round under way: the windows overlap, a scan goes to the older round still
    # waiting for the checkpoint, then to the newer one.
    patrols.open_due_rounds(at(8, 0))
    patrols.update_route(zhixu, route, every_minutes=60, now=at(8, 30))
    first, second = _round(route, 8), _round(route, 9)
    assert (first.ends_at, second.ends_at) == (at(10), at(10))
    patrols.open_due_rounds(at(9, 0))
    a03 = route.checkpoints.get(code="A-03")
    assert patrols.current_round_for(zhixu, a03, at=at(9, 5)) == first
    patrols.check_in(zhixu, first, code="A-03", at=at(9, 5))
    assert patrols.current_round_for(zhixu, a03, at=at(9, 10)) == second


def test_a_round_the_opening_job_has_not_reached_is_opened_by_its_first_scan(world, zhixu, route):
    first = _round(route, 8)
    visit = patrols.check_in(zhixu, first, code="A-01", at=at(8, 1))
    assert visit.status == VisitStatus.ON_TIME
    first.refresh_from_db()
    assert first.status == RoundStatus.OPEN
    assert {clock.key for clock in clocks_for(first)} == {"patrol.round"}


def test_zhixu_acts_on_project_1_only(world, zhixu, admin):
    other = patrols.create_route(admin, project=world.project2, name="翠湖主路",
                                 checkpoints=[{"name": "北门", "code": "A-01"}], now=at(7, 30))
    patrols.open_due_rounds(at(8, 0))
    theirs = PatrolRound.objects.get(route=other, starts_at=at(8))
    with pytest.raises(Http404):
        patrols.check_in(zhixu, theirs, code="A-01", at=at(8, 5))
    assert not patrols.rounds_on(zhixu, DAY).filter(project=world.project2).exists()
    assert patrols.rounds_on(actor_for(world.user("kefu2")), DAY).filter(project=world.project2).exists()
    assert not patrols.rounds_on(actor_for(world.user("kefu2")), DAY).filter(project=world.project1).exists()
    from wuye.core.errors import NotAllowed

    with pytest.raises(NotAllowed):
        patrols.create_route(zhixu, project=world.project2, name="越权", checkpoints=[{"name": "点", "code": "X"}])


# -- closing -----------------------------------------------------------------------------------------------------
def test_closing_rounds_completed_incomplete_and_missed(world, zhixu, route):
    patrols.open_due_rounds(at(8, 0))
    first = _round(route, 8)
    patrols.check_in(zhixu, first, code="A-01", at=at(8, 5))
    sweep(at(8, 30))
    assert patrols.close_due_rounds(at(9, 59)) == 0
    assert patrols.close_due_rounds(at(10, 0)) == 1
    first.refresh_from_db()
    assert (first.status, first.scanned, first.missed) == (RoundStatus.INCOMPLETE, 1, 2)
    assert all(not clock.is_open for clock in clocks_for(first))
    assert {clock.state for v in first.visits.exclude(status=VisitStatus.ON_TIME) for clock in clocks_for(v)} \
        == {ClockState.BREACHED}
    # The 08:40 checkpoint, swept only at close: reported missed once, in a second message.
    assert _missed_messages().count() == 2
    patrols.open_due_rounds(at(10, 0))
    assert patrols.close_due_rounds(at(12, 0)) == 1
    second = _round(route, 10)
    assert (second.status, second.missed) == (RoundStatus.MISSED, 3)
    (round_clock,) = clocks_for(second)
    assert round_clock.state == ClockState.BREACHED
    assert patrols.close_due_rounds(at(12, 0)) == 0


def test_a_round_whose_window_closed_before_it_was_opened_is_missed_at_once(world, route):
    assert patrols.open_due_rounds(at(12, 30)) == 1  # 08:00 and 10:00 were never opened (server down); 12:00 is
    assert _round(route, 8).status == RoundStatus.MISSED and _round(route, 10).status == RoundStatus.MISSED
    assert not CheckpointVisit.objects.filter(round=_round(route, 8), status=VisitStatus.PENDING).exists()
    assert _round(route, 12).status == RoundStatus.OPEN


def test_a_round_never_opened_is_reported_missed_and_its_clocks_breached(world, route):
    patrols.open_due_rounds(at(12, 30))  # the jobs were down from 08:00: 08:00 and 10:00 were never opened
    first = _round(route, 8)
    assert (first.status, first.missed, first.scanned) == (RoundStatus.MISSED, 3, 0)
    # Reported as the sweep reports a missed checkpoint: one timeline line and one message per round.
    events = Event.objects.filter(verb="patrol.checkpoint.missed")
    assert events.count() == 2
    assert "1号楼大堂" in events.get(subject_id=first.pk).data["checkpoint"]
    assert _missed_messages().count() == 2
    message = _missed_messages().get(subject_line__contains="12-03 08:00")
    assert message.recipient == world.user("zhixu") and "东门岗" in message.subject_line
    # Its clocks ran over its window and were breached: the SLA figures count it.
    (clock,) = clocks_for(first)
    assert (clock.key, clock.state, clock.started_at, clock.due_at, clock.stopped_at) == (
        "patrol.round", ClockState.BREACHED, at(8), at(8, 50), at(10))
    (visit_clock,) = clocks_for(_visit(first, "A-02"))
    assert (visit_clock.state, visit_clock.started_at, visit_clock.due_at, visit_clock.stopped_at) == (
        ClockState.BREACHED, at(8), at(8, 30), at(10))
    sweep(at(12, 5))  # stopped clocks: nothing reported twice
    assert Event.objects.filter(verb="patrol.checkpoint.missed").count() == 2 and _missed_messages().count() == 2


# -- the sweep stays O(due) ------------------------------------------------------------------------------------------
def test_the_missed_handler_takes_a_fixed_number_of_queries(world, zhixu):
    def run(routes: int) -> int:
        names = [f"线{routes}-{n}" for n in range(routes)]
        for name in names:
            patrols.create_route(zhixu, project=world.project1, name=name, now=at(7, 30), checkpoints=[
                {"name": f"{name}点{k}", "code": f"R{routes}{len(name)}{names.index(name)}{k}"} for k in range(3)])
        patrols.open_due_rounds(at(8, 0))
        from wuye.sla.models import Clock

        steps = [(clock, 1, {}) for clock in Clock.objects.filter(key="patrol.checkpoint", state="running",
                                                                   project=world.project1)]
        with CaptureQueriesContext(connection) as queries:
            patrols.report_missed(steps)
        PatrolRound.objects.all().update(status=RoundStatus.COMPLETED)
        return len(queries)

    assert run(1) == run(4)


# -- findings -----------------------------------------------------------------------------------------------------
def test_findings_open_a_public_area_work_order_or_a_rectification(world, zhixu, route):
    from wuye.quality.models import Rectification
    from wuye.workorders.models import Ticket

    patrols.open_due_rounds(at(8, 0))
    first = _round(route, 8)
    visit = patrols.check_in(zhixu, first, code="A-02", at=at(8, 10))
    repair = patrols.report_finding(zhixu, visit, description="消防通道应急灯不亮", action="work_order")
    ticket = Ticket.objects.get(pk=repair.ticket_id)
    assert ticket.is_public_area and ticket.unit_id is None and ticket.channel == "patrol"
    assert ticket.project == world.project1 and "应急灯" in ticket.description
    fix = patrols.report_finding(zhixu, visit, description="通道堆放杂物", action="rectification",
                                 department="environment")
    rect = Rectification.objects.get(pk=fix.rectification_id)
    assert rect.department == "environment" and rect.title == "通道堆放杂物"
    with pytest.raises(InvalidInput) as refused:
        patrols.report_finding(zhixu, visit, description="", action="other")
    assert {p.field for p in refused.value.problems} == {"description", "action"}
    pending = _visit(first, "A-03")
    with pytest.raises(Conflict):
        patrols.report_finding(zhixu, pending, description="灯坏", action="work_order")
    assert PatrolFinding.objects.count() == 2


# -- the KPI --------------------------------------------------------------------------------------------------------
def test_completion_counts_scanned_over_due(world, zhixu, route):
    from wuye.core.kpis import get_kpi

    patrols.open_due_rounds(at(8, 0))
    first = _round(route, 8)
    patrols.check_in(zhixu, first, code="A-01", at=at(8, 5))
    patrols.check_in(zhixu, first, code="A-03", at=at(8, 50))
    sweep(at(8, 30))
    assert patrols.completion([world.project1.pk], DAY, DAY + timedelta(days=1)) == (2, 3)
    assert patrols.completion([world.project1.pk], DAY + timedelta(days=1), DAY + timedelta(days=2)) == (0, 0)
    kpi = get_kpi("patrol_completion")
    assert kpi.available
    figure = kpi.count([world.project1.pk], DAY, DAY + timedelta(days=1))
    assert (figure.numerator, figure.denominator) == (2, 3)
    records = kpi.records([world.project1.pk], DAY, DAY + timedelta(days=1))
    assert sum(1 for row in kpi.describe(records) if row.counted) == 2
    on_time = get_kpi("patrol_on_time").count([world.project1.pk], DAY, DAY + timedelta(days=1))
    assert (on_time.numerator, on_time.denominator) == (1, 2)


def test_jobs_are_registered():
    from wuye.core.scheduling import REGISTRY

    assert REGISTRY["security.generate_patrol_rounds"].every == timedelta(minutes=30)
    assert REGISTRY["security.open_patrol_rounds"].every == timedelta(minutes=1)
    assert REGISTRY["security.close_patrol_rounds"].every == timedelta(minutes=1)
