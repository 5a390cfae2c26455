"""Facilities on the workbench: each role's cards, each count equal to the list its link opens (followed with the
role's own session), the readings due on the duty page, and the to-dos by the nearest facilities deadline."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from wuye.facilities.models import Equipment
from wuye.facilities.workbench import facility_cards, facility_todos
from wuye.people.access import actor_for

from .facilities_fixture import build

FIXED = date(2026, 10, 14)


@pytest.fixture
def fac(world):
    return build(world, FIXED)


@pytest.fixture
def live(world):
    return build(world, timezone.localdate())


def _cards(world, username, now):
    return {card.key: card for card in facility_cards(actor_for(world.user(username)), now)}


def test_engineering_cards(world, fac):
    cards = _cards(world, "gongcheng", fac.now)
    counts = {key: card.count for key, card in cards.items()}
    assert counts == {
        "facilities.my_day": None,  # the link to the phone hub
        "facilities.tasks.mine_today": 2, "facilities.tasks.mine_overdue": 1,
        "facilities.faults.open": 4, "facilities.faults.testing": 1,
        "facilities.readings.due": None, "facilities.entrapments.active": 1,
    }
    assert cards["facilities.readings.due"].figure == "1"  # the pump, never read
    assert cards["facilities.my_day"].url == reverse("facilities:my_day")
    assert cards["facilities.tasks.mine_overdue"].tone == "red"
    assert cards["facilities.tasks.mine_today"].url == (
        f"{reverse('facilities:tasks')}?due_after=2026-10-14&due_before=2026-10-14&mine=on")


def test_security_and_manager_cards(world, fac):
    security = {key: card.count for key, card in _cards(world, "zhixu", fac.now).items()}
    # Due (today's extinguisher check) and overdue (last month's) are two cards, a task on one of them only.
    assert security == {"facilities.tasks.mine_due": 1, "facilities.tasks.mine_overdue": 1,
                        "facilities.sweeps.month": 1, "facilities.entrapments.active": 1}
    manager = {key: card.count for key, card in _cards(world, "jingli", fac.now).items()}
    assert manager == {"facilities.tasks.overdue": 2, "facilities.faults.major": 1,
                       "facilities.entrapments.active": 1}
    assert _cards(world, "kefu", fac.now) == {}  # customer service: the ticket cards only
    assert _cards(world, "caiwu", fac.now) == {}
    project2 = _cards(world, "admin", fac.now)
    assert project2["facilities.faults.major"].count == 2  # the company: both projects' reported majors


def test_readings_due_figure_is_the_duty_pages_in_two_queries(world, fac, django_assert_max_num_queries):
    from wuye.facilities import reports
    from wuye.facilities.models import EquipmentCategory, EquipmentStatus, OperationReading
    from wuye.facilities.operation import readings_due

    boiler = EquipmentCategory.objects.create(company=world.company, code="boiler", name="锅炉",
                                              kind=fac.pump.category.kind, reading_interval_minutes=60)

    def item(project, category, code, read_minutes_ago=None, status=EquipmentStatus.IN_SERVICE):
        made = Equipment.objects.create(project=project, category=category, code=code, name=code, status=status,
                                        created_at=fac.now - timedelta(days=30), location="B1")
        for minutes in ([] if read_minutes_ago is None else [read_minutes_ago + 600, read_minutes_ago]):
            OperationReading.objects.create(project=project, equipment=made, values={},
                                            recorded_at=fac.now - timedelta(minutes=minutes))
        return made

    pump = fac.pump.category
    item(world.project1, pump, "SB-02", read_minutes_ago=180)  # due (every 2 h)
    item(world.project1, pump, "SB-03", read_minutes_ago=120)  # due: exactly its interval ago
    item(world.project1, pump, "SB-04", read_minutes_ago=119)  # not yet
    item(world.project1, boiler, "GL-01", read_minutes_ago=90)  # due (hourly)
    item(world.project1, boiler, "GL-02", read_minutes_ago=30)  # not yet
    item(world.project1, boiler, "GL-03", status=EquipmentStatus.FAULTY)  # never read, faulty: due
    item(world.project1, boiler, "GL-04", status=EquipmentStatus.STOPPED)  # stopped: not read
    item(world.project2, boiler, "GL-01")  # project 2: never read, due — not gongcheng's
    expected = {world.project1: 5, world.project2: 1}  # project 1: the fixture's pump, SB-02, SB-03, GL-01, GL-03
    assert {project: len(readings_due(project, fac.now)) for project in expected} == expected
    for username, due in (("gongcheng", 5), ("admin", 6)):  # admin: both projects (no card, the same count)
        actor = actor_for(world.user(username))
        with django_assert_max_num_queries(2):  # the intervals in use, the count (was one query per project)
            assert reports.readings_due_count(actor, fac.now) == due
    assert _cards(world, "gongcheng", fac.now)["facilities.readings.due"].figure == "5"


@pytest.mark.parametrize("username", ["gongcheng", "zhixu", "jingli", "pinzhi", "admin"])
def test_each_card_count_is_the_list_behind_its_link(world, live, login, username):
    client = login(username)
    response = client.get(reverse("web:console"))
    assert response.status_code == 200
    cards = [card for group in response.context["card_groups"] for card in group["cards"]
             if card.key.startswith("facilities.")]
    assert cards
    for card in cards:
        if card.count is None:
            continue
        page = client.get(card.url)
        assert page.status_code == 200, card.url
        assert page.context["page"].paginator.count == card.count, (username, card.key)


def test_todos_by_nearest_deadline(world, fac):
    todos = facility_todos(actor_for(world.user("gongcheng")), fac.now)
    dues = [todo.due_at for todo in todos]
    assert dues == sorted(dues)
    # the task overdue since 10-12, the entrapment's 5 minutes (10:02), today's tasks (by midnight), the general
    # fault's 24 hours, the major fault's 48 hours, the task due in 3 days; not security's, jingli's or project 2's
    assert [todo.url for todo in todos] == [
        fac.tasks.overdue.get_absolute_url(), fac.trapped.get_absolute_url(),
        fac.tasks.today_1.get_absolute_url(), fac.tasks.today_2.get_absolute_url(),
        fac.faults.repairing.get_absolute_url(), fac.faults.reported.get_absolute_url(),
        fac.tasks.upcoming.get_absolute_url()]
    assert todos[1].title == str(fac.trapped) and todos[1].due_at.minute == 2
    security = facility_todos(actor_for(world.user("zhixu")), fac.now)
    assert [todo.url for todo in security] == [
        fac.tasks.fire_overdue.get_absolute_url(), fac.trapped.get_absolute_url(),
        fac.tasks.fire_today.get_absolute_url()]
    assert facility_todos(actor_for(world.user("caiwu")), fac.now) == []


def test_a_handover_waits_in_the_incoming_departments_todos_not_the_writers(world, fac):
    from wuye.facilities.models import DutyPost, Handover
    from wuye.sla.engine import start_clock

    post = DutyPost.objects.create(project=world.project1, name="保洁值班室", department="environment")
    handover = Handover.objects.create(project=world.project1, post=post, shift_date=FIXED, outgoing_shift="白班",
                                       outgoing_user=world.user("admin"), handed_at=fac.now, situation="正常")
    start_clock(handover, "handover.confirm", project=world.project1, at=fac.now)
    todos = facility_todos(actor_for(world.user("huanjing")), fac.now)
    assert [(todo.url, todo.title) for todo in todos] == [(handover.get_absolute_url(), "保洁值班室 · 白班")]
    assert todos[0].due_at == fac.now + timedelta(minutes=30)
    assert handover.get_absolute_url() not in [t.url for t in facility_todos(actor_for(world.user("gongcheng")),
                                                                              fac.now)]


def test_the_todos_tasks_are_my_tasks_without_the_due_day_bound(world, fac):
    from wuye.facilities.models import MaintenanceTask
    from wuye.facilities.plans import mine_q, my_tasks

    for username in ("gongcheng", "zhixu"):
        actor = actor_for(world.user(username))
        in_todos = {todo.url for todo in facility_todos(actor, fac.now)}
        mine = MaintenanceTask.objects.filter(mine_q(actor), status="scheduled", project__in=actor.project_ids)
        assert {task.get_absolute_url() for task in mine} == {url for url in in_todos if "/tasks/" in url}
        assert set(my_tasks(actor, FIXED)) == {task for task in mine if task.due_on <= FIXED}
