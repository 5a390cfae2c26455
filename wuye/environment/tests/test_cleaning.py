"""Cleaning zones and tasks (§5, seed 001 ch.5): the seed's frequencies, the generator (idempotent), clocks started
when a task begins, done on time / late with the clock's verdict, not done at the day's end, the sweep telling the
environment supervisor, and who may record a cleaning. Fixed dates throughout."""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from wuye.core.errors import Conflict, InvalidInput, NotAllowed
from wuye.core.events import timeline
from wuye.core.models import Notification
from wuye.environment import cleaning
from wuye.environment.models import CleaningTask, CleaningZone, TaskStatus
from wuye.people.access import actor_for
from wuye.sla.engine import clocks_for, sweep
from wuye.sla.models import ClockState

SH = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 10, 14)


def at(hour: int, minute: int = 0, day: date = DAY) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=SH)


def photo(name="p.jpg"):
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(out, format="JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


@pytest.fixture
def env(world):
    return actor_for(world.user("huanjing"))


def _zone(world, env, name, kind, **fields):
    return cleaning.create_zone(env, project=world.project1, name=name, kind=kind, now=at(0, 5), **fields)


def _starts(zone):
    return [task.starts_at.astimezone(SH).strftime("%H:%M")
            for task in CleaningTask.objects.filter(zone=zone, starts_at__lt=at(0, day=DAY + timedelta(days=1)))]


# -- the seed's frequencies ----------------------------------------------------------------------------------------
def test_toilets_every_two_hours_from_six_to_twenty(world, env):
    zone = _zone(world, env, "1号楼公共卫生间", "toilet")
    assert zone.times == ["06:00", "08:00", "10:00", "12:00", "14:00", "16:00", "18:00", "20:00"]
    assert _starts(zone) == zone.times  # eight tasks on the day
    assert all(t.due_at - t.starts_at == timedelta(minutes=60) for t in CleaningTask.objects.filter(zone=zone))


def test_toilet_interval_is_a_setting(world, env, settings):
    settings.WUYE_CLEANING_TOILET_EVERY_MINUTES = 121
    zone = _zone(world, env, "2号楼公共卫生间", "toilet")
    assert len(zone.times) == 8 and zone.times[1] == "08:01"


def test_main_road_twice_a_day_and_elevators_disinfected_once(world, env):
    road = _zone(world, env, "主干道", "road")
    lift = _zone(world, env, "1号楼电梯轿厢", "elevator")
    garage = _zone(world, env, "地下车库", "garage")
    assert _starts(road) == ["07:00", "14:00"] and not road.disinfection
    assert _starts(lift) == ["08:00"] and lift.disinfection
    assert _starts(garage) == ["08:00"]


def test_zone_inputs_are_checked(world, env):
    with pytest.raises(InvalidInput) as error:
        cleaning.create_zone(env, project=world.project1, name="", kind="nope", times=["7:00", "25:00"],
                             task_minutes=9, cleaner=world.user("zhixu"), now=at(0))
    assert {p.field for p in error.value.problems} == {"name", "kind", "times", "task_minutes", "cleaner"}
    for times in (["07:00", "07:00"], [f"{h:02d}:{m:02d}" for h in range(24) for m in (0, 30)] + ["23:59"], []):
        with pytest.raises(InvalidInput) as error:
            cleaning.create_zone(env, project=world.project1, name="楼道", kind="stairwell", times=times or "x",
                                 now=at(0))
        assert error.value.problems[0].field == "times"
    with pytest.raises(InvalidInput):
        cleaning.create_zone(env, project=world.project1, name="楼道", kind="stairwell", task_minutes=481, now=at(0))
    zone = cleaning.create_zone(env, project=world.project1, name="楼道", kind="stairwell", times=["14:00", "07:30"],
                                task_minutes=480, cleaner=world.user("huanjing"), now=at(0))
    assert zone.times == ["07:30", "14:00"]
    with pytest.raises(Conflict):
        cleaning.create_zone(env, project=world.project1, name="楼道", kind="stairwell", now=at(0))
    with pytest.raises(NotAllowed):
        cleaning.create_zone(actor_for(world.user("zhixu")), project=world.project1, name="x", kind="road")


# -- the generator -------------------------------------------------------------------------------------------------
def test_generation_is_idempotent_and_looks_36_hours_ahead(world, env):
    road = _zone(world, env, "主干道", "road")
    made = CleaningTask.objects.filter(zone=road).count()
    assert made == 3  # 07:00 and 14:00 today, 07:00 tomorrow (00:05 + 36 h = 12:05 tomorrow)
    assert cleaning.generate_tasks(at(0, 5)) == 0
    assert cleaning.generate_tasks(at(0, 6)) == 0
    assert cleaning.generate_tasks(at(3)) == 1  # 14:00 tomorrow came into the window (until 15:00)
    assert cleaning.generate_tasks(at(3)) == 0


def test_new_zone_gets_no_task_already_begun(world, env):
    zone = cleaning.create_zone(env, project=world.project1, name="主干道", kind="road", now=at(10))
    assert _starts(zone) == ["14:00"]


def test_changed_times_remake_future_tasks(world, env):
    zone = _zone(world, env, "主干道", "road")
    cleaning.start_due_clocks(at(7, 5))
    cleaning.update_zone(env, zone, times=["07:00", "16:00"], now=at(7, 10))
    assert _starts(zone) == ["07:00", "16:00"]
    assert CleaningTask.objects.get(zone=zone, starts_at=at(7)).clock_started  # begun: kept


def test_paused_zone_drops_tasks_not_begun(world, env):
    zone = _zone(world, env, "主干道", "road")
    cleaning.set_zone_active(env, zone, False, now=at(9))
    assert _starts(zone) == ["07:00"]
    assert cleaning.generate_tasks(at(9)) == 0


# -- clocks, done, late, not done ----------------------------------------------------------------------------------
def test_clock_starts_when_the_task_begins(world, env):
    zone = _zone(world, env, "主干道", "road")
    assert cleaning.start_due_clocks(at(6, 59)) == 0
    assert cleaning.start_due_clocks(at(7)) == 1
    assert cleaning.start_due_clocks(at(7, 5)) == 0
    task = CleaningTask.objects.get(zone=zone, starts_at=at(7))
    clock = clocks_for(task).get()
    assert task.clock_started and clock.started_at == at(7) and clock.due_at == at(8)


def test_done_in_time_meets_the_clock(world, env):
    zone = _zone(world, env, "主干道", "road")
    cleaning.start_due_clocks(at(7))
    task = CleaningTask.objects.get(zone=zone, starts_at=at(7))
    done = cleaning.complete_task(env, task, at=at(7, 50), note="已清扫")
    assert done.status == TaskStatus.DONE and not done.late
    assert clocks_for(task).get().state == ClockState.MET
    with pytest.raises(Conflict):
        cleaning.complete_task(env, task, at=at(7, 55))


def test_done_after_due_is_late_and_the_clock_breached(world, env):
    zone = _zone(world, env, "主干道", "road")
    cleaning.start_due_clocks(at(7))
    task = CleaningTask.objects.get(zone=zone, starts_at=at(7))
    done = cleaning.complete_task(env, task, at=at(8, 1))
    assert done.late
    assert clocks_for(task).get().state == ClockState.BREACHED
    verbs = [event.verb for event in timeline(task)]
    assert "cleaning.task.started" in verbs and "cleaning.task.done" in verbs


def test_done_before_the_job_came_round_still_has_its_clock(world, env):
    zone = _zone(world, env, "主干道", "road")
    task = CleaningTask.objects.get(zone=zone, starts_at=at(7))
    cleaning.complete_task(env, task, at=at(7, 30))
    assert clocks_for(task).get().state == ClockState.MET
    with pytest.raises(Conflict):  # the afternoon's task has not begun
        cleaning.complete_task(env, CleaningTask.objects.get(zone=zone, starts_at=at(14)), at=at(9))


def test_disinfection_needs_a_photo(world, env):
    lift = _zone(world, env, "1号楼电梯轿厢", "elevator")
    task = CleaningTask.objects.get(zone=lift, starts_at=at(8))
    with pytest.raises(InvalidInput) as error:
        cleaning.complete_task(env, task, at=at(8, 20))
    assert error.value.problems[0].field == "photos"
    cleaning.complete_task(env, task, at=at(8, 20), photos=[photo()])
    from wuye.quality.evidence import evidence_for

    assert evidence_for(task).count() == 1


def test_only_the_environment_staff_of_the_project_record_cleanings(world, env):
    zone = _zone(world, env, "主干道", "road")
    task = CleaningTask.objects.get(zone=zone, starts_at=at(7))
    for username in ("zhixu", "kefu", "jingli", "kefu2"):
        with pytest.raises(NotAllowed):
            cleaning.complete_task(actor_for(world.user(username)), task, at=at(7, 30))
    assert CleaningTask.objects.get(pk=task.pk).status == TaskStatus.SCHEDULED


def test_day_end_closes_undone_tasks_as_breached(world, env):
    zone = _zone(world, env, "主干道", "road")
    cleaning.start_due_clocks(at(14))
    assert cleaning.close_past_tasks(at(23, 59)) == 0  # the day has not ended
    tomorrow = DAY + timedelta(days=1)
    assert cleaning.close_past_tasks(at(0, 5, tomorrow)) == 2
    assert cleaning.close_past_tasks(at(0, 10, tomorrow)) == 0
    for task in CleaningTask.objects.filter(zone=zone, starts_at__lt=at(0, day=tomorrow)):
        assert task.status == TaskStatus.MISSED
        clock = clocks_for(task).get()
        assert clock.state == ClockState.BREACHED and clock.stopped_at == at(0, day=tomorrow)
        assert timeline(task).filter(verb="cleaning.task.missed").count() == 1
    with pytest.raises(Conflict):
        cleaning.complete_task(env, task, at=at(0, 20, tomorrow))


def test_the_sweep_tells_the_environment_supervisor(world, env):
    zone = _zone(world, env, "主干道", "road")
    cleaning.start_due_clocks(at(7))
    sweep(at(8, 1))
    huanjing = world.user("huanjing")  # the environment supervisor of project 1
    assert Notification.objects.filter(recipient=huanjing, subject_line__contains=zone.name).exists()
    assert not Notification.objects.filter(recipient=world.user("zhixu"), subject_line__contains=zone.name).exists()


def test_tasks_on_a_day_are_scoped(world, env):
    _zone(world, env, "主干道", "road")
    assert cleaning.tasks_on(env, DAY).count() == 2
    assert cleaning.tasks_on(actor_for(world.user("kefu2")), DAY).count() == 0
    assert CleaningZone.objects.count() == 1


def test_a_task_may_be_recorded_from_thirty_minutes_before_its_start(world, env):
    zone = _zone(world, env, "主干道", "road")
    task = CleaningTask.objects.get(zone=zone, starts_at=at(14))
    with pytest.raises(Conflict):
        cleaning.complete_task(env, task, at=at(13, 29))
    done = cleaning.complete_task(env, task, at=at(13, 30))
    assert done.status == TaskStatus.DONE and not done.late and clocks_for(task).get().state == ClockState.MET


def test_a_task_done_early_has_its_clock_met_and_the_job_starts_no_other(world, env):
    zone = _zone(world, env, "主干道", "road")
    task = CleaningTask.objects.get(zone=zone, starts_at=at(7))
    cleaning.complete_task(env, task, at=at(6, 45))
    task.refresh_from_db()
    clock = clocks_for(task).get()
    assert task.clock_started and not task.late
    assert (clock.state, clock.started_at, clock.stopped_at, clock.due_at) == (ClockState.MET, at(6, 45), at(6, 45),
                                                                               at(8))
    assert cleaning.start_due_clocks(at(7, 5)) == 0
    assert clocks_for(task).count() == 1


def test_the_job_makes_starts_and_closes(world, env):
    import time_machine

    from wuye.environment.jobs import cleaning_tasks

    zone = _zone(world, env, "主干道", "road")
    with time_machine.travel(at(7, 1), tick=False):
        assert cleaning_tasks() == {"made": 1, "started": 1, "closed": 0}  # 14:00 tomorrow came into view
    with time_machine.travel(at(12, 1, DAY + timedelta(days=1)), tick=False):
        result = cleaning_tasks()
    assert result["closed"] == 2 and result["started"] == 2 and result["made"] >= 1
    assert CleaningTask.objects.filter(zone=zone, status=TaskStatus.MISSED).count() == 2
