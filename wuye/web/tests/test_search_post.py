"""Console searches where staff type a phone number (owner records, tickets, accounts) are sent by POST: the number
never appears in a URL (address bar, history, access log), and the results stay a pageable GET under `?s=<key>`."""

import re

import pytest
from django.urls import reverse

from wuye.people.models import Residency
from wuye.web.search import KEPT, SESSION_KEY

FILTER_FORM = re.compile(r'<form class="filters card" method="(\w+)"[^>]*?\shx-(\w+)=')
RESIDENT_LINK = re.compile(r'href="/console/residents/(\d+)/"')
TICKET_LINK = re.compile(r'href="/console/tickets/(\d+)/"')
ACCOUNT_LINK = re.compile(r'href="/console/billing/units/(\d+)/"')


@pytest.fixture
def owner(world):
    """yezhu's residency: their phone, unit and a ticket they phoned in."""
    residency = Residency.objects.current().select_related("resident", "unit").get(
        resident__user__username="yezhu", relation="owner")
    ticket = world.ticket(world.project1, unit=residency.unit, contact_phone=residency.resident.phone)
    world.ticket(world.project1, contact_phone="13900001111")  # someone else's
    return residency, ticket


def _pages(residency, ticket):
    # (user, page, the link pattern of a result, the results the phone must find)
    return [
        ("kefu", reverse("web:residents"), RESIDENT_LINK, {residency.resident_id}),
        ("kefu", reverse("workorders:inbox"), TICKET_LINK, {ticket.pk}),
        ("caiwu", reverse("billing:accounts"), ACCOUNT_LINK, {residency.unit_id}),
    ]


def test_phone_searches_are_posted_and_never_reach_a_url(world, login, owner):
    residency, ticket = owner
    phone = residency.resident.phone
    spaced = f"{phone[:3]} {phone[3:7]} {phone[7:]}"
    for username, url, link, expected in _pages(residency, ticket):
        client = login(username)
        page = client.get(url).content.decode()
        assert FILTER_FORM.search(page).groups() == ("post", "post"), url
        for typed in (phone, spaced):
            posted = client.post(url, {"project": str(world.project1.pk), "q": typed, "sort": "new"})
            assert posted.status_code == 303, url
            location = posted["Location"]
            assert phone not in location and phone[-4:] not in location and phone[3:7] not in location
            key = re.search(r"[?&]s=([a-z]+)(?:&|$)", location)[1]
            assert not re.search(r"\d", key)
            results = client.get(location).content.decode()
            assert {int(pk) for pk in link.findall(results)} == expected, (url, typed)
            # the pager's links carry the key, not the phone; htmx gets the fragment at the same address
            assert {int(pk) for pk in link.findall(client.get(location + "&page=1").content.decode())} == expected
            fragment = client.get(location, headers={"hx-request": "true"}).content.decode()
            assert "<html" not in fragment and {int(pk) for pk in link.findall(fragment)} == expected


def test_a_key_from_another_session_finds_nothing_of_it(world, login, owner):
    residency, _ticket = owner
    location = login("kefu").post(reverse("web:residents"), {"q": residency.resident.phone})["Location"]
    other = login("kefu").get(location).content.decode()  # a new session: the list, unsearched
    assert len(RESIDENT_LINK.findall(other)) > 1


def test_the_session_keeps_only_the_latest_searches(world, login):
    client = login("kefu")
    for n in range(KEPT + 5):
        client.post(reverse("web:residents"), {"q": f"1380000{n:04d}"})
    kept = client.session[SESSION_KEY]
    assert len(kept) == KEPT and {"q": f"1380000{KEPT + 4:04d}"} in kept.values()
