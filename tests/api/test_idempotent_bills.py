"""Every repeat of an Idempotency-Key answers 200, also when the repeats arrive at the same moment (issue 9,
point 8): the 201 comes from the one call that inserted the bill."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client

from wuye.billing.models import Bill, ChargeItem, LedgerEntry
from wuye.core.testing import run_concurrently


@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_repeats_of_one_key_answer_201_once(world, api):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the race is exercised on PostgreSQL")
    unit = world.owner_unit("yezhu")
    deposit = ChargeItem.objects.create(project=world.project1, code="deposit", name="装修保证金", kind="one_off")
    headers = api("caiwu").headers
    body = json.dumps({"unit_id": unit.pk, "item_id": deposit.pk, "amount": "3000.00", "due_on": "2026-12-20"})

    def send():
        response = Client().post("/api/v1/bills", body, content_type="application/json",
                                 HTTP_IDEMPOTENCY_KEY="desk-2026-12-01-7", **headers)
        return response.status_code, response.json().get("id")

    results = run_concurrently(send, 20)
    assert len(results) == 20  # every request answered
    assert sorted(status for status, _ in results) == [200] * 19 + [201]
    assert len({bill_id for _, bill_id in results}) == 1
    assert Bill.objects.filter(idempotency_key="desk-2026-12-01-7").count() == 1
    assert LedgerEntry.objects.filter(bill__idempotency_key="desk-2026-12-01-7").count() == 1


def test_a_repeat_answers_200_with_the_first_bill(world, api):
    unit = world.owner_unit("yezhu")
    deposit = ChargeItem.objects.create(project=world.project1, code="deposit", name="装修保证金", kind="one_off")
    caiwu = api("caiwu")
    body = {"unit_id": unit.pk, "item_id": deposit.pk, "amount": "3000.00", "due_on": "2026-12-20"}
    answers = [caiwu.post("/api/v1/bills", body, HTTP_IDEMPOTENCY_KEY="k-1") for _ in range(3)]
    assert [a.status_code for a in answers] == [201, 200, 200]
    assert len({a.json()["id"] for a in answers}) == 1
    # The same key on another unit is a different charge: 409, never a second bill.
    other = world.owner_unit("yezhu").building.units.exclude(pk=unit.pk).first()
    assert caiwu.post("/api/v1/bills", {**body, "unit_id": other.pk}, HTTP_IDEMPOTENCY_KEY="k-1").status_code == 409
    assert Bill.objects.filter(idempotency_key="k-1").count() == 1
