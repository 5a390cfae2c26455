"""The bench's raw inserts follow the models (bench/schema.py), so a column added with a default does not break
`make bench` — which broke once when Bill.idempotency_key came. `.ci/run` runs the whole small bench too."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from bench.schema import insert_select
from wuye.billing.models import Bill, ChargeItem
from wuye.tenancy.models import Unit

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def insert_bill(world, values: dict[str, str]) -> int:
    unit = Unit.objects.filter(project=world.project1).order_by("id").first()
    item = ChargeItem.objects.create(project=world.project1, code="bench-fee", name="物业费", kind="property_fee")
    params = {"unit": unit.pk, "item": item.pk, "amount": Decimal("320.50"), "due": date(2026, 11, 30)}
    with connection.cursor() as cursor:
        return insert_select(cursor, Bill, values, f"FROM {Unit._meta.db_table} WHERE id = %(unit)s", params)


def test_columns_the_generator_does_not_name_get_the_models_defaults(world):
    before = datetime.now(SHANGHAI)
    inserted = insert_bill(world, {"project_id": "project_id", "unit_id": "id", "item_id": "%(item)s",
                                   "amount": "%(amount)s", "due_on": "%(due)s"})

    assert inserted == 1
    bill = Bill.objects.get(item__code="bench-fee")
    assert (bill.amount, bill.due_on) == (Decimal("320.50"), date(2026, 11, 30))
    assert (bill.paid, bill.written_off) == (0, 0)  # default=0
    assert bill.idempotency_key == ""  # NOT NULL, no default: '' as the ORM stores it
    assert bill.issued_at >= before  # default=timezone.now
    assert bill.period is None and bill.run_id is None  # nullable: left out


def test_a_column_the_model_lacks_stops_the_generator_by_name(world):
    with pytest.raises(RuntimeError, match="Bill has no column due_date"):
        insert_bill(world, {"project_id": "project_id", "unit_id": "id", "item_id": "%(item)s",
                            "amount": "%(amount)s", "due_date": "%(due)s"})
    assert not Bill.objects.filter(item__code="bench-fee").exists()


def test_a_not_null_column_without_default_stops_the_generator_by_name(world):
    with pytest.raises(RuntimeError, match=r"Bill\.due_on is NOT NULL without a default"):
        insert_bill(world, {"project_id": "project_id", "unit_id": "id", "item_id": "%(item)s",
                            "amount": "%(amount)s"})
    assert not Bill.objects.filter(item__code="bench-fee").exists()
