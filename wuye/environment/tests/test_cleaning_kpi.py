"""The KPI `cleaning_on_time`: tasks done by their deadline over the tasks that began in the period and count (done,
not done, or open past the deadline); a task whose deadline is ahead does not count yet."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import time_machine

from wuye.core.kpis import get_kpi as kpi
from wuye.environment import cleaning
from wuye.environment.models import CleaningTask

from .cleaning_fixture import DAY, NOW, at, build


def test_on_time_share(world):
    with time_machine.travel(NOW, tick=False):
        c = build(world)
        cleaning.complete_task(c.env, c.road_7, at=at(8, 10))  # late
        figure = kpi("cleaning_on_time").count([world.project1.pk], DAY, DAY + timedelta(days=1))
    # Counted at 08:45: toilet 06:00 (on time), road 07:00 (late); the lift's 08:00 (due 09:00) not yet.
    assert figure.numerator == Decimal(1) and figure.denominator == Decimal(2)
    tomorrow = DAY + timedelta(days=1)
    with time_machine.travel(at(0, 30, tomorrow), tick=False):
        cleaning.close_past_tasks()
        figure = kpi("cleaning_on_time").count([world.project1.pk], DAY, tomorrow)
        rows = kpi("cleaning_on_time").records([world.project1.pk], DAY, tomorrow)
        assert rows.count() == figure.denominator == CleaningTask.objects.filter(
            project=world.project1, starts_at__lt=at(0, day=tomorrow)).count()
    assert figure.numerator == Decimal(1) and figure.value() == Decimal("9.09")  # 1 of 11
