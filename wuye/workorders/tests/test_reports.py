"""The read-only queries behind the inbox colours, the complaint ledger and the weekly Pareto analysis."""

from datetime import date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from wuye.people.access import actor_for
from wuye.workorders import reports
from wuye.workorders.models import Category, Ticket
from wuye.workorders.services import TicketInput, create_ticket

SH = ZoneInfo("Asia/Shanghai")


def test_due_state_from_the_earliest_open_clock():
    now = datetime(2026, 11, 24, 10, 0, tzinfo=SH)
    row = lambda due, warn, state="running": SimpleNamespace(  # noqa: E731
        next_due_at=due, next_warn_at=warn, next_clock_state=state)
    assert reports.due_state(row(None, None), now) == ""
    assert reports.due_state(row(now + timedelta(hours=1), now + timedelta(minutes=30)), now) == "ok"
    assert reports.due_state(row(now + timedelta(minutes=5), now - timedelta(minutes=1)), now) == "risk"
    assert reports.due_state(row(now - timedelta(minutes=1), now - timedelta(minutes=20)), now) == "breached"
    assert reports.due_state(row(now - timedelta(minutes=1), now, "paused"), now) == "paused"


def test_week_start_and_local_day_bounds():
    assert reports.week_start(date(2026, 11, 26)) == date(2026, 11, 23)
    assert reports.week_start(date(2026, 11, 23)) == date(2026, 11, 23)
    start, end = reports.day_bounds(date(2026, 11, 24))
    assert start == datetime(2026, 11, 24, tzinfo=SH) and end - start == timedelta(days=1)


def test_pareto_rows_are_sorted_with_cumulative_shares_and_the_vital_few():
    rows = reports._pareto([("a", "态度", 5), ("b", "收费", 1), ("c", "设施", 3), ("d", "其他", 1)])
    assert [(r.label, r.count, r.percent, r.cumulative) for r in rows] == [
        ("态度", 5, 50.0, 50.0), ("设施", 3, 30.0, 80.0), ("其他", 1, 10.0, 90.0), ("收费", 1, 10.0, 100.0)]
    assert [r.vital for r in rows] == [True, True, False, False]
    assert reports._pareto([]) == []


def test_pareto_chart_geometry_stays_inside_the_drawing():
    rows = reports._pareto([(i, f"分类{i}", 20 - i) for i in range(15)])
    chart = reports.pareto_chart(rows, width=640, height=280, limit=12)
    assert len(chart["bars"]) == 12 and chart["more"] == 3
    tallest = chart["bars"][0]
    assert tallest.y == chart["top"] and tallest.height == chart["bottom_y"] - chart["top"]
    for bar in chart["bars"]:
        assert chart["left"] <= bar.x and bar.x + bar.width <= chart["right_x"]
        assert chart["top"] <= bar.cy <= chart["bottom_y"]
    assert chart["line"].count(",") == 12
    assert reports.pareto_chart([])["bars"] == []


@pytest.mark.django_db
def test_ledger_and_pareto_queries_stay_in_scope(world):
    kefu, kefu2 = actor_for(world.user("kefu")), actor_for(world.user("kefu2"))
    unit = world.owner_unit("yezhu")
    attitude = Category.objects.get(project=world.project1, kind="complaint", code="attitude")
    monday = reports.week_start(timezone.localdate())
    received = timezone.make_aware(datetime.combine(monday, datetime.min.time())) + timedelta(hours=9)
    for index in range(3):
        create_ticket(kefu, project=world.project1, now=received + timedelta(minutes=index), data=TicketInput(
            kind="complaint", channel="phone", unit=unit if index else None, category=attitude if index else None,
            description=f"投诉{index}"))
    create_ticket(kefu, project=world.project1, now=received - timedelta(days=1), data=TicketInput(
        kind="complaint", channel="phone", unit=unit, description="上周的投诉"))
    assert reports.complaint_ledger(kefu, monday).count() == 3
    assert reports.complaint_ledger(kefu2, monday).count() == 0
    start, _end = reports.day_bounds(monday)
    week = reports.complaints_between(kefu, start, start + timedelta(days=7))
    by_category = reports.pareto_by_category(week)
    assert [(r.label, r.count) for r in by_category] == [("服务态度", 2), ("未分类", 1)]
    by_building = reports.pareto_by_building(week)
    assert sorted(r.count for r in by_building) == [1, 2]
    assert "公共区域" in [r.label for r in by_building]
    annotated = reports.with_deadlines(Ticket.objects.filter(kind="complaint")).order_by("created_at")
    assert all(t.next_due_at is not None and t.next_clock_state == "running" for t in annotated)
