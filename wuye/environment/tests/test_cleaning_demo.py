"""The cleaning demo on the small world at 2026-10-14 10:00: zones per project with a cleaner (huanjing in project
1, one made for project 2), a week of tasks mostly done, some late, a few not done, today's open on the phone; a
rerun adds nothing."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine

from wuye.demo.environment_cleaning import ZONES, add_demo_environment_cleaning
from wuye.environment.models import CleaningTask, CleaningZone, TaskStatus
from wuye.sla.models import Clock

NOW = datetime(2026, 10, 14, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_demo_cleaning(world):
    with time_machine.travel(NOW, tick=False):
        counts = add_demo_environment_cleaning(world.company, now=NOW)
        assert counts["zones"] == 2 * len(ZONES)
        assert CleaningZone.objects.filter(project=world.project1, cleaner__username="huanjing").count() == len(ZONES)
        assert CleaningZone.objects.filter(project=world.project2, cleaner__username="huanjing2").count() == len(ZONES)
        assert counts["done"] > counts["late"] > 0 and counts["not_done"] > 0
        assert CleaningTask.objects.filter(status=TaskStatus.MISSED).count() == counts["not_done"]
        today_open = CleaningTask.objects.filter(status=TaskStatus.SCHEDULED, starts_at__lte=NOW)
        assert today_open.exists() and not today_open.filter(clock_started=False).exists()
        assert Clock.objects.filter(key="cleaning.task").count() == CleaningTask.objects.filter(
            clock_started=True).count()
        before = CleaningTask.objects.count()
        again = add_demo_environment_cleaning(world.company, now=NOW)
        assert again == {"zones": 0, "past_tasks": 0, "done": 0, "late": 0, "not_done": 0}
        assert CleaningTask.objects.count() == before


def test_a_tasks_clock_started_flag_says_whether_its_clock_exists(world):
    """`clock_started` is derived (the job that starts clocks when tasks begin skips the flagged ones without
    reading the clock table): after the demo, the clock job at a later hour and the day's close, a task is flagged
    exactly when a `cleaning.task` clock exists for it."""
    from datetime import timedelta

    from django.contrib.contenttypes.models import ContentType

    from wuye.environment import cleaning

    add_demo_environment_cleaning(world.company, now=NOW)
    later = NOW + timedelta(hours=5)
    with time_machine.travel(later, tick=False):
        cleaning.generate_tasks(now=later)
        cleaning.start_due_clocks(now=later)
        cleaning.close_past_tasks(now=later)
    with_clock = set(Clock.objects.filter(key=cleaning.CLOCK_KEY,
                                          subject_type=ContentType.objects.get_for_model(CleaningTask))
                     .values_list("subject_id", flat=True))
    flagged = set(CleaningTask.objects.filter(clock_started=True).values_list("id", flat=True))
    assert flagged and flagged == with_clock
