"""Decoration on the workbench and the community home: each role's cards, each count equal to the rows of the list its
link opens (followed with the role's own session), the inspection rule pinned to the day, and the home's figure."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from wuye.community.decorations import services
from wuye.community.decorations.web import lists
from wuye.community.decorations.workbench import decoration_cards

from .helpers import actor, apply, carry

SH = ZoneInfo("Asia/Shanghai")
CARDS = {
    "kefu": ["decorations.to_check"],
    "gongcheng": ["decorations.to_approve_engineering", "decorations.inspections_due"],
    "jingli": ["decorations.to_approve"],
    "caiwu": ["decorations.deposits_to_refund"],
}


@pytest.fixture
def spread(world):
    """One decoration waiting at each desk of project 1, and one at the desk of project 2."""
    with time_machine.travel(datetime(2026, 9, 1, 9, 0, tzinfo=SH), tick=False):
        old = carry(world, apply(world), "in_progress")  # started on 1 September, never inspected
        accepted = carry(world, apply(world, contractor="美家装饰"), "in_progress")
        services.accept(actor(world, "gongcheng"), accepted)
        apply(world)
        carry(world, apply(world), "checked")
        carry(world, apply(world), "engineering_approved")
        apply(world, "yezhu2", unit=world.owner_unit("yezhu2"))
    return old


@pytest.mark.parametrize("username", sorted(CARDS))
def test_each_card_counts_the_list_behind_its_link(world, spread, login, username):
    client = login(username)
    with time_machine.travel(datetime(2026, 9, 20, 9, 0, tzinfo=SH), tick=False):
        response = client.get(reverse("web:console"))
        assert response.status_code == 200
        cards = [card for group in response.context["card_groups"] for card in group["cards"]
                 if card.key.startswith("decorations.")]
        assert [card.key for card in cards] == CARDS[username]
        for card in cards:
            assert card.count == 1, card.key
            page = client.get(card.url)
            assert page.status_code == 200, card.url
            assert page.context["page"].paginator.count == card.count, (username, card.key)


def test_other_roles_get_no_decoration_card(world, spread):
    now = datetime(2026, 9, 20, 9, 0, tzinfo=SH)
    for username in ("zhixu", "huanjing", "pinzhi"):
        cards = decoration_cards(actor(world, username), now)
        assert cards == [], username
    assert decoration_cards(actor(world, "kefu2"), now)[0].count == 1  # project 2's own application


def test_an_inspection_is_due_when_the_works_go_a_week_uninspected(world, spread):
    # WUYE_DECORATION_INSPECTION_DAYS (7) from the start on 1 September 09:00: due from 8 September 09:00, not a
    # minute before.
    due = lists.decoration_filters(due="inspection")

    def count(at):
        return lists.filter_decorations(actor(world, "gongcheng"), due, at).count()

    assert count(datetime(2026, 9, 8, 8, 59, tzinfo=SH)) == 0
    assert count(datetime(2026, 9, 8, 9, 0, tzinfo=SH)) == 1
    with time_machine.travel(datetime(2026, 9, 10, 9, 0, tzinfo=SH), tick=False):
        services.inspect(actor(world, "gongcheng"), spread, result="passed")
    assert count(datetime(2026, 9, 17, 8, 59, tzinfo=SH)) == 0
    assert count(datetime(2026, 9, 17, 9, 0, tzinfo=SH)) == 1


def test_the_community_home_shows_decoration_with_its_figure(world, spread, login):
    with time_machine.travel(datetime(2026, 9, 20, 9, 0, tzinfo=SH), tick=False):
        response = login("kefu").get(reverse("community:home"))
    (section,) = [one for one in response.context["sections"] if one["key"] == "decorations"]
    assert section["url"] == reverse("decorations:list")
    assert section["figure"]["count"] == 1
    assert section["figure"]["url"] == f"{reverse('decorations:list')}?status=submitted"
    huanjing = login("huanjing").get(reverse("community:home"))
    assert "decorations" not in [one["key"] for one in huanjing.context["sections"]]


def test_the_refund_card_keeps_a_requested_refund_until_it_is_approved(world, spread):
    from wuye.billing.refunds import approve_refund

    accepted = services.decorations(actor(world, "caiwu")).get(status="accepted")
    now = datetime(2026, 9, 20, 9, 0, tzinfo=SH)
    pending = lists.decoration_filters(refund="pending")
    request = services.request_deposit_refund(actor(world, "caiwu"), accepted)
    assert lists.filter_decorations(actor(world, "caiwu"), pending, now).count() == 1
    approve_refund(actor(world, "jingli"), request)
    assert lists.filter_decorations(actor(world, "caiwu"), pending, now + timedelta(minutes=1)).count() == 0


def test_the_engineers_two_cards_are_counted_in_one_query(world, spread, django_assert_num_queries):
    engineer = actor(world, "gongcheng")
    now = datetime(2026, 9, 20, 9, 0, tzinfo=SH)
    decoration_cards(engineer, now)  # content types and rules cached, as in a running server
    with django_assert_num_queries(1):
        cards = decoration_cards(engineer, now)
    assert [card.count for card in cards] == [1, 1]
