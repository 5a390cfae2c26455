"""The demo's rectifications reach every state from the demo inspections' findings (a short window of days)."""

from __future__ import annotations

from datetime import date

import pytest

from wuye.quality.models import Rectification


@pytest.mark.django_db
def test_demo_rectifications_reach_every_state(world):
    from wuye.demo.quality_inspections import add_demo_inspections
    from wuye.demo.quality_rectifications import add_demo_rectifications

    today = date(2026, 11, 30)  # a past day: every step is dated before it
    add_demo_inspections(world.company, today, days=30)
    opened = Rectification.objects.count()
    counts = add_demo_rectifications(world.company, today)
    assert sum(counts.values()) == opened
    states = set(Rectification.objects.values_list("status", flat=True))
    assert states == {"open", "submitted", "closed", "cancelled"}
    assert Rectification.objects.filter(rejections=1, status="closed").exists()
    assert counts["overdue"] > 0 and counts["closed_late"] > 0
