"""Cleaning on the workbench at 2026-10-14 08:45: the cleaner's cards (due now, overdue today) and the managers' (not
done today), each count equal to the rows of the list its link opens with the same role's session."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from wuye.environment.workbench import cleaning_cards
from wuye.people.access import actor_for

from .cleaning_fixture import NOW, build


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _cards(world, username):
    return {card.key: card for card in cleaning_cards(actor_for(world.user(username)), NOW)}


def test_cards_count_the_rows_their_links_open(world, login):
    build(world)
    env = _cards(world, "huanjing")
    assert {key: card.count for key, card in env.items()} == {
        "environment.my_tasks": None, "environment.cleaning.mine_due": 2, "environment.cleaning.mine_overdue": 1}
    assert env["environment.my_tasks"].url == reverse("environment:my_tasks")
    assert env["environment.cleaning.mine_overdue"].tone == "red"
    manager = _cards(world, "jingli")
    assert {key: card.count for key, card in manager.items()} == {"environment.cleaning.overdue": 1}
    # Quality sees both projects: project 2 has its 07:00 road undone too.
    assert {key: card.count for key, card in _cards(world, "pinzhi").items()} == {"environment.cleaning.overdue": 2}
    for username, cards in (("huanjing", env), ("jingli", manager)):
        browser = login(username)
        for card in cards.values():
            if card.count is None:
                continue
            assert browser.get(card.url).context["page"].paginator.count == card.count, card.url
    assert _cards(world, "zhixu") == {} and _cards(world, "kefu") == {}


def test_the_workbench_page_shows_them(world, login):
    build(world)
    page = login("huanjing").get(reverse("web:console"))
    assert page.status_code == 200
