"""The temporary tariff (2 CNY/h in the demo) with the project's rules: free within parking_free_minutes (15), every
started hour from entry, at most parking_daily_cap_yuan (20) per 24 hours counted from entry (0: no cap). Fixed
times; each seed number pinned (changing the rule by one fails)."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from wuye.billing.billers import temporary_parking_quote
from wuye.billing.models import ChargeItem, ChargeKind, Tariff
from wuye.people.access import actor_for
from wuye.tenancy.models import Project
from wuye.tenancy.rules import update_rules

ENTRY = timezone.make_aware(datetime(2026, 11, 20, 8, 5))


@pytest.fixture
def tariff(world):
    item = ChargeItem.objects.create(project=world.project1, code="parking-temporary", name="临时停车",
                                     kind=ChargeKind.PARKING_TEMPORARY)
    return Tariff.objects.create(item=item, basis="per_hour", rate=Decimal("2.00"), effective_from=date(2026, 1, 1))


def quote(project, stay=None, left=None):
    return temporary_parking_quote(project, ENTRY, left or ENTRY + stay)


def set_rules(world, **rules):
    update_rules(actor_for(world.user("jingli")), world.project1, rules, reason="临停收费调整")
    return Project.objects.get(pk=world.project1.pk)  # a fresh instance: rules are kept per instance


def test_0805_to_1021_pays_three_started_hours(world, tariff):
    got = quote(world.project1, left=timezone.make_aware(datetime(2026, 11, 20, 10, 21)))
    assert (got.minutes, got.hours_charged, got.rate, got.amount, got.free_minutes, got.capped) == (
        136, 3, Decimal("2.00"), Decimal("6.00"), 15, False)


def test_the_free_period_is_fifteen_minutes(world, tariff):
    assert quote(world.project1, timedelta(minutes=15)).amount == Decimal("0.00")
    assert quote(world.project1, timedelta(minutes=15)).hours_charged == 0
    assert quote(world.project1, timedelta(minutes=16)).amount == Decimal("2.00")
    assert quote(world.project1, timedelta(minutes=15, seconds=1)).amount == Decimal("2.00")


def test_a_free_period_of_fourteen_minutes_charges_the_fifteenth(world, tariff):
    project = set_rules(world, parking_free_minutes=14)
    got = quote(project, timedelta(minutes=15))
    assert (got.amount, got.free_minutes) == (Decimal("2.00"), 14)
    assert quote(project, timedelta(minutes=14)).amount == Decimal("0.00")


def test_the_daily_cap_is_twenty_yuan(world, tariff):
    assert quote(world.project1, timedelta(hours=9)).amount == Decimal("18.00")
    assert quote(world.project1, timedelta(hours=9)).capped is False
    ten = quote(world.project1, timedelta(hours=10))
    assert (ten.amount, ten.hours_charged, ten.capped) == (Decimal("20.00"), 10, False)  # exactly the cap
    eleven = quote(world.project1, timedelta(hours=10, minutes=1))
    assert (eleven.amount, eleven.hours_charged, eleven.capped) == (Decimal("20.00"), 11, True)
    assert quote(world.project1, timedelta(hours=24)).amount == Decimal("20.00")


def test_the_cap_counts_per_24_hours_from_entry(world, tariff):
    got = quote(world.project1, timedelta(hours=25))
    assert (got.amount, got.hours_charged, got.capped) == (Decimal("22.00"), 25, True)
    assert quote(world.project1, timedelta(hours=24, minutes=1)).amount == Decimal("22.00")
    assert quote(world.project1, timedelta(hours=58)).amount == Decimal("60.00")  # 20 + 20 + min(20, 10 × 2)


def test_a_cap_one_yuan_higher_changes_the_capped_fee(world, tariff):
    project = set_rules(world, parking_daily_cap_yuan=21)
    assert quote(project, timedelta(hours=10)).amount == Decimal("20.00")
    assert quote(project, timedelta(hours=11)).amount == Decimal("21.00")


def test_cap_zero_means_no_cap(world, tariff):
    project = set_rules(world, parking_daily_cap_yuan=0)
    got = quote(project, timedelta(hours=24))
    assert (got.amount, got.capped) == (Decimal("48.00"), False)


def test_the_api_answers_free_minutes_and_capped(world, api, tariff):
    query = {"project": world.project1.pk, "entered_at": "2026-11-20T08:05:00+08:00",
             "left_at": "2026-11-20T19:05:00+08:00"}
    got = api("kefu").get("/api/v1/parking/temporary-fee", **query).json()
    assert (Decimal(got["amount"]), got["capped"], got["free_minutes"], got["hours_charged"]) == (
        Decimal("20.00"), True, 15, 11)
