"""The collection worklist: households in arrears with owner, masked phone, amount, age and last contact, sorted
and filtered, paged with a fixed number of queries, within the actor's projects."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from wuye.billing.services import pay
from wuye.collection.worklist import households
from wuye.people.access import actor_for
from wuye.people.models import Residency

TODAY = "2026-12-10 10:00 +0800"


def units_listed(response) -> list[str]:
    return re.findall(r'<tr data-unit="([^"]+)"', response.content.decode())


def test_finance_sees_who_owes_how_much_and_for_how_long(desk, english):
    a, b, c, d = desk.units[:4]
    desk.owe(a, "100.00", date(2026, 11, 30))   # 10 days overdue
    desk.owe(b, "900.00", date(2026, 9, 30))    # 71 days overdue
    desk.owe(b, "50.00", date(2026, 11, 30))
    desk.owe(c, "300.00", date(2026, 12, 20))   # not due yet: not in arrears
    bill = desk.owe(d, "200.00", date(2026, 10, 31))
    with time_machine.travel(TODAY, tick=False):
        pay(None, d, Decimal("200.00"), channel="cash", idempotency_key="settled")
        response = english("caiwu").get(reverse("collection:worklist"))
    assert bill.unit_id == d.pk
    assert response.status_code == 200
    assert units_listed(response) == [b.label, a.label]  # largest debt first; c not due, d paid
    html = response.content.decode()
    assert "¥950.00" in html and "¥100.00" in html
    assert "71 days" in html and "61-90 days" in html
    owner = Residency.objects.current().filter(unit=b, relation="owner").select_related("resident").first()
    if owner:
        assert owner.resident.name in html
        assert owner.resident.phone not in html  # masked, as everywhere
        assert owner.resident.masked_phone in html
    assert "2 households owe ¥1,050.00 overdue" in html


def test_sort_by_age_building_and_last_contact(desk, world):
    a, b, c = desk.units[0], desk.units[3], desk.units[-1]  # c is in another building
    desk.owe(a, "500.00", date(2026, 11, 30))
    desk.owe(b, "100.00", date(2026, 8, 31))
    desk.owe(c, "300.00", date(2026, 10, 31))
    caiwu = actor_for(world.user("caiwu"))
    today = date(2026, 12, 10)

    def order(**options):
        return [row["unit_id"] for row in households(caiwu, today=today, **options)]

    assert order(sort="amount") == [a.pk, c.pk, b.pk]
    assert order(sort="age") == [b.pk, c.pk, a.pk]
    by_building = order(sort="building")
    assert by_building.index(c.pk) == 2 and a.building.number < c.building.number
    from wuye.collection.services import log_contact
    with time_machine.travel("2026-12-01 10:00 +0800", tick=False):
        log_contact(caiwu, a, method="call", outcome="refused")
    with time_machine.travel("2026-12-05 10:00 +0800", tick=False):
        log_contact(caiwu, b, method="visit", outcome="unreachable")
    # Never contacted first, then the longest ago.
    assert order(sort="contact") == [c.pk, a.pk, b.pk]


def test_filters_building_age_bucket_and_minimum_amount(desk, english):
    a, b, c = desk.units[0], desk.units[1], desk.units[-1]
    desk.owe(a, "500.00", date(2026, 11, 30))   # 10 days: 0-30
    desk.owe(b, "80.00", date(2026, 8, 31))     # 101 days: >90
    desk.owe(c, "300.00", date(2026, 10, 31))   # 40 days: 31-60, other building
    client = english("caiwu")
    url = reverse("collection:worklist")
    with time_machine.travel(TODAY, tick=False):
        project = desk.world.project1.pk
        assert units_listed(client.get(url, {"project": project, "building": a.building_id})) == [a.label, b.label]
        assert units_listed(client.get(url, {"bucket": "b31_60"})) == [c.label]
        assert units_listed(client.get(url, {"bucket": "b90_plus"})) == [b.label]
        assert units_listed(client.get(url, {"min_amount": "300"})) == [a.label, c.label]
        bad = client.get(url, {"min_amount": "lots"})
    assert bad.status_code == 200 and "Enter a number." in bad.content.decode()  # named on its field, not a 500
    assert units_listed(bad) == [a.label, c.label, b.label]


def test_who_sees_the_worklist(desk, login):
    desk.owe(desk.units[0], "100.00", date(2026, 11, 30))
    desk.owe(desk.other_units[0], "100.00", date(2026, 11, 30))
    url = reverse("collection:worklist")
    with time_machine.travel(TODAY, tick=False):
        assert units_listed(login("caiwu").get(url)) == [desk.units[0].label]  # project 1 only
        assert units_listed(login("jingli").get(url)) == [desk.units[0].label]
        assert login("kefu").get(url).status_code == 403
        assert login("yezhu").get(url).status_code == 302


def test_a_page_costs_the_same_queries_for_5_or_12_households(desk, login, world):
    client = login("caiwu")
    caiwu = actor_for(world.user("caiwu"))
    url = reverse("collection:worklist")

    def count() -> tuple[int, int]:
        with time_machine.travel(TODAY, tick=False), CaptureQueriesContext(connection) as queries:
            response = client.get(url, {"sort": "contact"})
        return len(units_listed(response)), len(queries)

    from wuye.collection.services import log_contact
    for unit in desk.units[:5]:
        desk.owe(unit, "100.00", date(2026, 11, 30))
    with time_machine.travel("2026-12-01 10:00 +0800", tick=False):
        log_contact(caiwu, desk.units[0], method="visit", outcome="refused")
    few, few_queries = count()
    for unit in desk.units[5:]:
        desk.owe(unit, "100.00", date(2026, 11, 30))
        desk.owe(unit, "100.00", date(2026, 10, 31))
        with time_machine.travel("2026-12-01 10:00 +0800", tick=False):
            log_contact(caiwu, unit, method="call", outcome="promised", promised_on=date(2026, 12, 20))
    many, many_queries = count()
    assert (few, many) == (5, len(desk.units))
    assert many_queries == few_queries
