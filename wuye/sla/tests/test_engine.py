"""The SLA engine: deadlines on the working calendar, warnings at 80 %, an escalation ladder walked once per rung."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from wuye.core.models import Notification
from wuye.core.testing import run_concurrently
from wuye.sla.engine import clocks_for, pause_clock, resume_clock, start_clock, stop_clock, sweep
from wuye.sla.models import ClockState, ProjectStandard, ServiceStandard
from wuye.tenancy.models import Unit

SH = ZoneInfo("Asia/Shanghai")


def at(*args):
    return datetime(*args, tzinfo=SH)


@pytest.fixture
def subject(world):
    return Unit.objects.filter(project=world.project1).first()


def test_emergency_limits_run_in_calendar_minutes_and_complaints_in_working_days(world, subject):
    friday_before_qingming = at(2026, 4, 3, 16, 50)
    dispatch = start_clock(subject, "repair.emergency.dispatch", project=world.project1, at=friday_before_qingming)
    handle = start_clock(subject, "complaint.general.handle", project=world.project1, at=friday_before_qingming)
    assert dispatch.due_at == at(2026, 4, 3, 16, 55)
    # 10 min on Friday, the 4–6 April holiday skipped, then 8 h on Tue and Wed and 7 h 50 (lunch skipped) on Thu.
    assert handle.due_at == at(2026, 4, 9, 16, 50)


def test_a_year_the_calendar_package_does_not_know_uses_python_holidays_then_weekdays(world, subject):
    handle = start_clock(subject, "complaint.general.handle", project=world.project1, at=at(2031, 10, 3, 16, 50))
    assert handle.due_at == at(2031, 10, 8, 17, 0)  # Fri 10-03 is National Day (python-holidays) → Mon–Wed
    other = Unit.objects.filter(project=world.project1).exclude(pk=subject.pk).first()
    handle = start_clock(other, "complaint.general.handle", project=world.project1, at=at(2101, 10, 7, 16, 50))
    assert handle.due_at == at(2101, 10, 12, 16, 50)  # Fri → Mon, Tue, Wed (no holiday data at all for 2101)


def test_five_star_standard_tightens_arrival(world, subject):
    ProjectStandard.objects.create(project=world.project1, standard=ServiceStandard.objects.get(code="five-star"))
    clock = start_clock(subject, "repair.emergency.arrive", project=world.project1, at=at(2026, 11, 23, 9, 0))
    assert clock.due_at == at(2026, 11, 23, 9, 15)


def test_warning_then_each_escalation_rung_exactly_once(world, subject):
    start = at(2026, 11, 23, 9, 0)
    clock = start_clock(subject, "repair.emergency.arrive", project=world.project1, at=start)  # 30 min
    assert clock.warn_at == at(2026, 11, 23, 9, 24)

    assert sweep(at(2026, 11, 23, 9, 20)).actions == 0
    result = sweep(at(2026, 11, 23, 9, 25))
    assert result.warned == [clock.pk]
    assert sweep(at(2026, 11, 23, 9, 26)).actions == 0  # warned once

    result = sweep(at(2026, 11, 23, 9, 31))
    assert result.breached == [clock.pk] and result.escalated == [(clock.pk, 1)]
    result = sweep(at(2026, 11, 23, 11, 0))  # late sweep: the remaining rungs, once each
    assert result.escalated == [(clock.pk, 2), (clock.pk, 3)]
    assert sweep(at(2026, 11, 24, 9, 0)).actions == 0

    sources = Notification.objects.filter(source_id=clock.pk)
    recipients = {(n.recipient.username, n.dedupe_key.split(":")[2]) for n in sources}
    assert ("gongcheng", "warn") in recipients  # engineering supervisor warned
    assert ("gongcheng", "level") in recipients
    assert ("jingli", "level") in recipients  # project manager
    assert ("pinzhi", "level") in recipients  # company quality
    assert not any(user == "kefu2" for user, _ in recipients)


def test_stopping_records_met_or_breached_and_by_how_much(world, subject):
    start = at(2026, 11, 23, 9, 0)
    start_clock(subject, "repair.emergency.dispatch", project=world.project1, at=start)
    met = stop_clock(subject, "repair.emergency.dispatch", at=start + timedelta(minutes=3))
    assert met.state == ClockState.MET and met.overrun == -timedelta(minutes=2)

    start_clock(subject, "repair.emergency.dispatch", project=world.project1, at=start)
    late = stop_clock(subject, "repair.emergency.dispatch", at=start + timedelta(minutes=12))
    assert late.state == ClockState.BREACHED and late.overrun == timedelta(minutes=7)
    assert [c.state for c in clocks_for(subject)] == [ClockState.MET, ClockState.BREACHED]


def test_working_time_overrun_is_measured_in_working_time(world, subject):
    start_clock(subject, "complaint.urgent.handle", project=world.project1, at=at(2026, 11, 23, 9, 0))
    clock = stop_clock(subject, "complaint.urgent.handle", at=at(2026, 11, 24, 10, 0))
    assert clock.due_at == at(2026, 11, 24, 9, 0)
    assert clock.overrun == timedelta(hours=1)


def test_pausing_stops_the_count(world, subject):
    start_clock(subject, "repair.general.complete", project=world.project1, at=at(2026, 11, 23, 9, 0))
    pause_clock(subject, "repair.general.complete", reason="waiting for parts", at=at(2026, 11, 23, 10, 0))
    assert sweep(at(2026, 11, 30, 9, 0)).actions == 0  # nothing is watched while paused
    clock = resume_clock(subject, "repair.general.complete", at=at(2026, 11, 25, 10, 0))
    assert clock.due_at == at(2026, 11, 26, 9, 0)  # 23 h were left


def test_sweep_reads_only_due_clocks(world, django_assert_max_num_queries):
    for unit in Unit.objects.filter(project=world.project1):
        start_clock(unit, "repair.return_visit", project=world.project1, at=at(2026, 11, 23, 9, 0))
    # savepoint, one indexed range query, release: nothing per clock (PostgreSQL also asks for the plain deadlines:
    # their policies, and one statement in its savepoint)
    with django_assert_max_num_queries(3 if connection.vendor != "postgresql" else 7):
        assert sweep(at(2026, 11, 23, 12, 0)).actions == 0


def test_starting_the_same_limit_twice_is_a_conflict(world, subject):
    from wuye.core.errors import Conflict

    start_clock(subject, "repair.return_visit", project=world.project1)
    with pytest.raises(Conflict):
        start_clock(subject, "repair.return_visit", project=world.project1)


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_escalate_once(world, subject):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; concurrent sweeps are exercised on PostgreSQL")
    units = list(Unit.objects.filter(project=world.project1)[:10])
    for unit in units:
        start_clock(unit, "repair.emergency.dispatch", project=world.project1, at=at(2026, 11, 23, 9, 0))
    results = run_concurrently(lambda: sweep(at(2026, 11, 23, 12, 0)), 3)
    escalations = [step for result in results for step in result.escalated]
    assert len(escalations) == len(set(escalations)) == 10 * 3  # 3 rungs per clock, each once
    assert Notification.objects.filter(dedupe_key__startswith="sla:", dedupe_key__contains=":level:1:").exists()


@pytest.fixture
def plain_deadline(world, monkeypatch):
    """A policy like a patrol checkpoint's: no warning, one quiet rung at the deadline, a handler reading only the
    subject ids (on PostgreSQL the sweep takes such clocks set-based; elsewhere the general loop — same outcome)."""
    from datetime import timedelta

    from wuye.sla import engine
    from wuye.sla.models import Policy

    Policy.objects.create(standard=ServiceStandard.objects.get(code="spec-default"), key="test.plain", name="测试",
                          target=timedelta(minutes=10), measure="calendar", responsible_role="security",
                          warn_percent=100, escalation=[{"after_minutes": 0, "role": "security", "quiet": True}])
    seen = []
    monkeypatch.setitem(engine._STEP_HANDLERS, "test.plain",
                        (lambda steps: seen.extend((clock.subject_id, level, type(clock).__name__)
                                                   for clock, level, _rung in steps), False))
    return seen


def test_a_plain_deadline_is_breached_once_at_its_deadline_and_handed_to_its_process(world, plain_deadline):
    from wuye.core.models import Event

    units = list(Unit.objects.filter(project=world.project1).order_by("id")[:3])
    for unit in units:
        start_clock(unit, "test.plain", project=world.project1, at=at(2026, 11, 23, 9, 0))
    assert sweep(at(2026, 11, 23, 9, 9)).actions == 0 and plain_deadline == []
    messages_before = Notification.objects.count()
    result = sweep(at(2026, 11, 23, 9, 10))
    assert sorted(result.breached) == sorted(c.pk for u in units for c in clocks_for(u))
    taken_as = "ClockRow" if connection.vendor == "postgresql" else "Clock"  # set-based on PostgreSQL
    assert sorted(plain_deadline) == sorted((u.pk, 1, taken_as) for u in units)
    assert Event.objects.filter(verb="sla.overdue", subject_id__in=[u.pk for u in units]).count() == 3
    assert Notification.objects.count() == messages_before  # quiet: the process tells people, not the engine
    assert sweep(at(2026, 11, 23, 12, 0)).actions == 0 and len(plain_deadline) == 3
    clock = stop_clock(units[0], "test.plain", at=at(2026, 11, 23, 9, 30))
    assert clock.state == ClockState.BREACHED and clock.breached_at == at(2026, 11, 23, 9, 10)


def test_plain_deadlines_do_not_use_up_the_sweeps_budget_for_other_clocks(world, plain_deadline):
    if connection.vendor != "postgresql":
        pytest.skip("the set-based pass for plain deadlines is PostgreSQL's; elsewhere one loop takes every clock")
    units = list(Unit.objects.filter(project=world.project1).order_by("id")[:4])
    for unit in units[:3]:
        start_clock(unit, "test.plain", project=world.project1, at=at(2026, 11, 23, 9, 0))
    start_clock(units[3], "repair.emergency.dispatch", project=world.project1, at=at(2026, 11, 23, 9, 0))
    result = sweep(at(2026, 11, 23, 12, 0), limit=3)
    assert len(plain_deadline) == 3  # the three checkpoints' deadlines …
    assert any(clock_id == clocks_for(units[3]).get().pk for clock_id, _level in result.escalated)  # … and the repair
