"""The security home: today's rounds by status and the missed checkpoints, each figure equal to the rows of the
list its link opens; the other streams' figures when their lists are there; links to the pages the actor may
read; scope (kefu2 counts project 2 only); who may open it."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from wuye.people.access import actor_for
from wuye.security.web.home import overview

from .patrolweb_fixture import build

FIXED = date(2026, 10, 14)


@pytest.fixture
def pw(world):
    return build(world, FIXED)


@pytest.fixture
def live(world):
    return build(world, timezone.localdate())


def test_overview_counts_of_a_fixed_day(world, pw):
    data = overview(actor_for(world.user("jingli")), pw.now)
    assert {row["status"]: row["count"] for row in data["rounds"]} == {
        "scheduled": 1, "open": 2, "completed": 1, "incomplete": 1, "missed": 1}
    assert data["missed"]["count"] == 4
    assert data["missed"]["url"] == f"{reverse('security:missed')}?since=2026-10-14&until=2026-10-14"
    project2 = overview(actor_for(world.user("kefu2")), pw.now)
    assert project2["missed"]["count"] == 1
    assert {row["status"]: row["count"] for row in project2["rounds"]}["incomplete"] == 1


@pytest.mark.parametrize("username", ["zhixu", "jingli", "kefu2", "pinzhi", "admin"])
def test_each_figure_on_the_home_is_the_list_behind_its_link(login, live, username):
    client = login(username)
    response = client.get(reverse("security:home"))
    assert response.status_code == 200
    context = response.context
    figures = [(row["url"], row["count"]) for row in context["rounds"]] + [
        (context["missed"]["url"], context["missed"]["count"])]
    figures += [(context[name]["url"], context[name]["count"]) for name in
                ("visitors_inside", "slips_to_verify", "open_sessions") if context.get(name)]
    for url, count in figures:
        page = client.get(url)
        assert page.status_code == 200, url
        assert page.context["page"].paginator.count == count, (username, url)
    html = response.content.decode()
    assert reverse("security:rounds") in html and reverse("security:missed") in html


def test_links_follow_what_the_actor_may_read_and_who_may_open_the_home(login, pw):
    guard = login("zhixu").get(reverse("security:home"))
    assert reverse("security:scan") in dict((url, label) for label, url in guard.context["links"])
    assert guard.context["scan_url"] == reverse("security:scan")
    desk = login("kefu").get(reverse("security:home"))
    assert desk.status_code == 200 and desk.context["scan_url"] is None  # the desk reads, does not patrol
    assert login("caiwu").get(reverse("security:home")).status_code == 403
    assert login("huanjing").get(reverse("security:home")).status_code == 403
    assert login("yezhu").get(reverse("security:home")).status_code == 302  # owners go to their portal


@pytest.mark.parametrize("username", ["zhixu", "kefu", "kefu2", "jingli", "pinzhi", "admin"])
def test_every_link_on_the_home_opens(login, pw, username):
    client = login(username)
    links = client.get(reverse("security:home")).context["links"]
    assert links
    for label, url in links:
        assert client.get(url).status_code == 200, (username, label, url)
