"""One sweep batch costs a fixed number of statements whatever its size: clocks locked in one query, policies and
project rules read once, subjects and assignees prefetched per type, staff looked up once per project and role,
the clocks written back in one UPDATE, the messages in one INSERT, the events in one."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import connection
from django.test.utils import CaptureQueriesContext

from wuye.core.models import Notification
from wuye.sla.engine import start_clock, sweep
from wuye.tenancy.models import Unit

SH = ZoneInfo("Asia/Shanghai")
START, LATE = datetime(2026, 11, 23, 9, 0, tzinfo=SH), datetime(2026, 11, 23, 12, 0, tzinfo=SH)


def _swept(units) -> tuple[int, object]:
    for unit in units:
        start_clock(unit, "repair.emergency.dispatch", project=unit.project, at=START)
    with CaptureQueriesContext(connection) as queries:
        result = sweep(LATE)
    return len(queries.captured_queries), result


def test_one_sweep_batch_costs_the_same_statements_for_3_clocks_as_for_6(world):
    units = list(Unit.objects.filter(project=world.project1).order_by("id")[:12])
    assert len(units) == 12
    _swept(units[:3])  # the first of the test: content types and the like come into their caches
    few, small = _swept(units[3:6])
    many, large = _swept(units[6:])
    # Three hours late: each clock breached and escalated through its whole ladder at once, with its messages.
    assert len(large.breached) == 6 and len(large.escalated) == 2 * len(small.escalated) > 0
    assert many == few
    # PostgreSQL: the plain-deadline pass (its policies; lock, step and log in one statement), then the batch —
    # clocks, policies, project rules, subjects, their buildings, staff per rung role (3), one UPDATE, one INSERT
    # of messages, one of events, and the empty next batch; with their savepoints.
    budget = 20 if connection.vendor == "postgresql" else 17
    assert many <= budget, f"{many} statements for one sweep batch (budget {budget})"
    assert Notification.objects.filter(dedupe_key__startswith="sla:").count() > 12


def test_a_second_sweep_at_the_same_moment_writes_nothing(world):
    units = list(Unit.objects.filter(project=world.project1).order_by("id")[:10])
    _swept(units)
    messages = Notification.objects.count()
    assert sweep(LATE).actions == 0 and Notification.objects.count() == messages
