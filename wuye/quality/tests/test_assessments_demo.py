"""The quality demo's wiring (issue 12 item 11) on the small `world` company: every part that exists produces rows,
the assessments part is deterministic, idempotent and keeps the services' rules (points' signs, ticket once)."""

from __future__ import annotations

import importlib.util
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.db.models import Sum

from wuye.core.models import Event
from wuye.quality import assessments
from wuye.quality.models import AssessmentRecord

TODAY = date(2026, 11, 18)


def _exists(module: str) -> bool:
    return importlib.util.find_spec(f"wuye.demo.{module}") is not None


def test_assessments_demo_is_a_year_of_plausible_records(world):
    from wuye.demo.quality_assessments import add_demo_assessments

    with time_machine.travel("2026-11-10 09:30 +0800", tick=False):
        praise = world.ticket(world.project1, kind="praise", description="感谢前台耐心解答")
    counts = add_demo_assessments(world.company, TODAY)
    assert counts["records"] == AssessmentRecord.objects.count() > 20
    assert counts["praise"] == 1 and AssessmentRecord.objects.get(ticket=praise).points == Decimal("2")
    months = set(AssessmentRecord.objects.values_list("month", flat=True))
    assert min(months) >= date(2025, 12, 1) and max(months) <= date(2026, 11, 1)
    for record in AssessmentRecord.objects.all():
        assert (record.points < 0) == (record.kind in ("deduction", "complaint")), record.reason
    assert Event.objects.filter(verb="assessment.recorded").count() == counts["records"]
    deductions = AssessmentRecord.objects.filter(kind="deduction").aggregate(total=Sum("points"))["total"]
    assert deductions < 0
    assert add_demo_assessments(world.company, TODAY)["records"] == 0  # once
    # Everyone of project 1 has a score of the month in the manager's table.
    from wuye.people.access import actor_for

    rows = assessments.monthly_scores(actor_for(world.user("jingli")), month=date(2026, 11, 1))
    assert {row.name for row in rows} >= {"陈静", "王强", "周建华"}


def test_add_demo_quality_runs_every_part_there_is(world):
    from wuye.demo.quality import PARTS, add_demo_quality

    with time_machine.travel("2026-11-10 09:30 +0800", tick=False):
        world.ticket(world.project1, kind="praise", description="感谢保安帮忙搬运")
    results = add_demo_quality(world.company, TODAY)
    for module, function in PARTS:
        if not _exists(module):
            assert results[function] is None
            continue
        counts = results[function]
        assert isinstance(counts, dict) and any(value for value in counts.values() if isinstance(value, int)), \
            (function, counts)
    if _exists("quality_standards"):
        from wuye.quality.models import Standard

        assert Standard.objects.filter(company=world.company).exists()
    if _exists("quality_inspections"):
        from wuye.quality.models import Inspection

        assert Inspection.objects.filter(project__company=world.company).exists()
    assert AssessmentRecord.objects.filter(project__company=world.company).exists()


@pytest.mark.parametrize("module", ["quality_assessments"])
def test_parts_are_modules_of_the_demo(module):
    assert _exists(module)
