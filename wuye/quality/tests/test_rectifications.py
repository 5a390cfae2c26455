"""Rectifications (整改): opened once per finding, with a working-day deadline, reported, verified or sent back."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from wuye.quality.models import Rectification
from wuye.quality.rectifications import open_rectification
from wuye.sla.models import Clock

SH = ZoneInfo("Asia/Shanghai")


def at(*parts):
    return datetime(*parts, tzinfo=SH)


@pytest.mark.django_db
def test_same_source_twice_opens_one_rectification(world):
    source = world.project1.buildings.order_by("id").first()
    first = open_rectification(source, project=world.project1, title="消防通道堆放杂物", department="engineering",
                               at=at(2026, 11, 23, 9, 0))
    again = open_rectification(source, project=world.project1, title="另一个标题", department="security")
    assert again.pk == first.pk and again.title == "消防通道堆放杂物"
    assert Rectification.objects.count() == 1
    assert Clock.objects.for_subject(first).count() == 1
