"""The environment home at 2026-10-14 08:45: today's figures, each opening the task list with exactly those rows;
the day by zone; links only to pages that exist and the reader may open."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from .cleaning_fixture import NOW, build


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_home_figures_open_their_rows(world, login):
    build(world)
    browser = login("huanjing")
    page = browser.get(reverse("environment:home"))
    assert page.status_code == 200
    cards = {str(card["label"]): card for card in page.context["cards"]}
    counts = {state: card["count"] for state, card in zip(
        ("due", "overdue", "upcoming", "done", "late", "missed"), page.context["cards"], strict=True)}
    assert counts == {"due": 2, "overdue": 1, "upcoming": 7, "done": 1, "late": 0, "missed": 0}
    for card in cards.values():
        listed = browser.get(card["url"])
        assert listed.context["page"].paginator.count == card["count"], card["url"]
    zones = {row["zone__name"]: row for row in page.context["zones"]}
    assert zones["主干道"]["overdue"] == 1 and zones["主干道"]["todo"] == 1
    assert zones["1号楼公共卫生间"]["done"] == 1 and zones["1号楼公共卫生间"]["total"] == 8
    assert len(zones) == 3  # project 2's road is not huanjing's
    labels = [label for label, _url in page.context["links"]]
    assert len(labels) >= 4


def test_home_for_managers_and_refused_to_others(world, login):
    build(world)
    assert login("jingli").get(reverse("environment:home")).status_code == 200
    pinzhi = login("pinzhi").get(reverse("environment:home"))
    assert len(pinzhi.context["zones"]) == 4
    assert login("zhixu").get(reverse("environment:home")).status_code == 403
    assert login("kefu").get(reverse("environment:home")).status_code == 403
