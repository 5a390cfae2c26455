"""Security on the workbench: each role's cards, each count equal to the rows of the list its link opens (followed
with the role's own session, for the nine staff logins), the week's patrol completion for managers, and the guard's
to-dos by the nearest patrol deadline."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from wuye.people.access import actor_for
from wuye.security.workbench import security_cards, security_todos

from .patrolweb_fixture import build

FIXED = date(2026, 10, 14)  # a Wednesday
STAFF = ["admin", "kefu", "gongcheng", "zhixu", "huanjing", "caiwu", "jingli", "pinzhi", "kefu2"]


@pytest.fixture
def pw(world):
    return build(world, FIXED)


@pytest.fixture
def live(world):
    return build(world, timezone.localdate())


def _cards(world, username, now):
    return {card.key: card for card in security_cards(actor_for(world.user(username)), now)}


def test_the_guards_patrol_cards(world, pw):
    cards = _cards(world, "zhixu", pw.now)
    assert cards["security.patrol.missed_today"].count == 4
    assert cards["security.patrol.missed_today"].tone == "red"
    assert cards["security.patrol.under_way"].count == 2
    assert cards["security.patrol.scan"].url == reverse("security:scan")
    assert cards["security.patrol.missed_today"].url == (
        f"{reverse('security:missed')}?since=2026-10-14&until=2026-10-14")


def test_managers_see_missed_and_the_weeks_completion(world, pw):
    cards = _cards(world, "jingli", pw.now)
    assert cards["security.patrol.missed_today"].count == 4
    completion = cards["security.patrol.completion_week"]
    # Monday to today, decided visits of project 1: today's 3 + 3 + 2 + 1 scanned-or-missed and yesterday's 2
    # (the open rounds' pending visits and the scheduled round's are not decided yet): 5 scanned of 11.
    assert re.findall(r"\d+", completion.hint) == ["5", "11"]
    assert completion.figure == "45.5%"
    assert "security.patrol.under_way" not in cards
    company = _cards(world, "admin", pw.now)
    assert company["security.patrol.missed_today"].count == 5  # both projects
    assert _cards(world, "caiwu", pw.now) == {}
    assert _cards(world, "gongcheng", pw.now) == {}


def test_the_desk_gets_no_patrol_card(world, pw):
    assert not [key for key in _cards(world, "kefu", pw.now) if key.startswith("security.patrol.")]


@pytest.mark.parametrize("username", STAFF)
def test_each_card_count_is_the_list_behind_its_link(world, live, login, username):
    client = login(username)
    response = client.get(reverse("web:console"))
    assert response.status_code == 200
    cards = [card for group in response.context["card_groups"] for card in group["cards"]
             if card.key.startswith("security.")]
    expected = {card.key for card in security_cards(actor_for(world.user(username)), timezone.now())}
    assert {card.key for card in cards} == expected
    for card in cards:
        if card.count is None:
            continue
        page = client.get(card.url)
        assert page.status_code == 200, card.url
        assert page.context["page"].paginator.count == card.count, (username, card.key)


def test_the_missed_card_counts_the_missed_lists_rows(world, live, login):
    now = timezone.now()
    card = _cards(world, "zhixu", now)["security.patrol.missed_today"]
    assert card.count == 4
    rows = login("zhixu").get(card.url).context["page"].paginator.count
    assert rows == card.count


def test_the_guards_todos_are_the_running_patrol_clocks_nearest_first(world, pw):
    from wuye.security.models import CheckpointVisit
    from wuye.sla.engine import start_clock

    mine = CheckpointVisit.objects.get(round=pw.rounds.open, checkpoint=pw.garage_points[1])
    free = CheckpointVisit.objects.get(round=pw.rounds.open_free, checkpoint=pw.perimeter_points[0])
    other = CheckpointVisit.objects.get(round=pw.rounds.other, checkpoint=pw.other_points[0])
    for visit, minutes in ((mine, 30), (free, 20), (other, 5)):
        start_clock(visit, "patrol.checkpoint", project=visit.project, at=pw.now - timedelta(minutes=20),
                    due_at=pw.now + timedelta(minutes=minutes))
    start_clock(pw.rounds.open, "patrol.round", project=pw.rounds.open.project, at=pw.now - timedelta(minutes=20),
                due_at=pw.now + timedelta(minutes=40))
    todos = security_todos(actor_for(world.user("zhixu")), pw.now)
    assert [todo.url for todo in todos] == [pw.rounds.open_free.get_absolute_url(),
                                            pw.rounds.open.get_absolute_url(), pw.rounds.open.get_absolute_url()]
    assert todos[0].title == "周界1号点 · 周界"
    assert [todo.due_at for todo in todos] == sorted(todo.due_at for todo in todos)
    assert security_todos(actor_for(world.user("kefu")), pw.now) == []
    assert security_todos(actor_for(world.user("kefu2")), pw.now) == []
