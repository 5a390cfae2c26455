"""A small cleaning world on 2026-10-14 for the page, home, workbench and KPI tests: in project 1 a main road
(07:00, 14:00), an elevator car (08:00, disinfection) and a toilet cleaned by huanjing (every 2 h); in project 2 a
main road. Clocks started at 08:30, the 07:00 road task left undone (overdue at 08:45), the toilet's 06:00 done."""

from __future__ import annotations

from datetime import date, datetime, time
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from wuye.environment import cleaning
from wuye.environment.models import CleaningTask
from wuye.people.access import actor_for

SH = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 10, 14)
NOW = datetime.combine(DAY, time(8, 45), tzinfo=SH)


def at(hour, minute=0, day=DAY):
    return datetime.combine(day, time(hour, minute), tzinfo=SH)


def build(world) -> SimpleNamespace:
    env = actor_for(world.user("huanjing"))
    road = cleaning.create_zone(env, project=world.project1, name="主干道", kind="road", now=at(0, 5))
    lift = cleaning.create_zone(env, project=world.project1, name="1号楼电梯轿厢", kind="elevator", now=at(0, 5))
    toilet = cleaning.create_zone(env, project=world.project1, name="1号楼公共卫生间", kind="toilet",
                                  cleaner=world.user("huanjing"), now=at(0, 5))
    other = cleaning.create_zone(actor_for(world.user("admin")), project=world.project2, name="主干道", kind="road",
                                 now=at(0, 5))
    cleaning.start_due_clocks(at(8, 30))
    first_toilet = CleaningTask.objects.get(zone=toilet, starts_at=at(6))
    cleaning.complete_task(env, first_toilet, at=at(6, 40))
    return SimpleNamespace(env=env, road=road, lift=lift, toilet=toilet, other=other, now=NOW,
                           road_7=CleaningTask.objects.get(zone=road, starts_at=at(7)),
                           lift_8=CleaningTask.objects.get(zone=lift, starts_at=at(8)),
                           toilet_8=CleaningTask.objects.get(zone=toilet, starts_at=at(8)))
