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
