"""The collection desk's personas (demo logins over the small world): 孙敏 (caiwu, finance, project 1) works the
list, 周建华 (jingli, project manager) follows it, 陈静 (kefu, customer service) may not; bills are posted through
billing's services with the due dates a test names."""

from __future__ import annotations

from datetime import date

import pytest

from wuye.billing.models import ChargeItem
from wuye.billing.services import post_charge
from wuye.tenancy.models import Unit


class Desk:
    def __init__(self, world):
        self.world = world
        self.units = list(Unit.objects.filter(project=world.project1).select_related("building")
                          .order_by("building__number", "floor", "number"))
        self.other_units = list(Unit.objects.filter(project=world.project2).order_by("id"))

    def owe(self, unit, amount, due_on: date, period: date | None = None):
        """A bill of `amount` for `unit`, due on `due_on`."""
        item, _ = ChargeItem.objects.get_or_create(project_id=unit.project_id, code="property-fee",
                                                   defaults={"name": "物业费", "kind": "property_fee"})
        return post_charge(None, unit, item, amount, due_on=due_on, period=period)


@pytest.fixture
def desk(world):
    return Desk(world)


@pytest.fixture
def english(login):
    """`english("caiwu")`: that login's client reading the pages in English (the language cookie)."""

    def make(username: str):
        client = login(username)
        client.cookies["django_language"] = "en"
        return client

    return make
