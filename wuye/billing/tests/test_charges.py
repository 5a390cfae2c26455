"""Paid services as billing sees them: a process posts its charges with `source=` its own record, takes money for
exactly those bills when it is paid on the spot (`pay_bills`), and reads where they stand (`source_bills`) — with
no idea what the record is. The records here are buildings and units, standing for any process's records."""

from datetime import date
from decimal import Decimal

import pytest

from wuye.billing.charges import paid_service_item
from wuye.billing.models import Bill, ChargeItem, ChargeKind, Payment
from wuye.billing.services import (
    SourceState,
    balance,
    bill_state,
    pay,
    pay_bills,
    post_charge,
    refund,
    source_bills,
    write_off,
)
from wuye.core.errors import Conflict, InvalidInput, NotAllowed
from wuye.people.access import actor_for

DUE = date(2026, 12, 16)


@pytest.fixture
def unit(world):
    return world.owner_unit("yezhu")


@pytest.fixture
def caiwu(world):
    return actor_for(world.user("caiwu"))


@pytest.fixture
def fee(world):
    return ChargeItem.objects.create(project=world.project1, code="property-fee", name="物业费", kind="property_fee")


def test_the_projects_paid_service_item_is_made_once_or_its_own_is_used(world):
    made = paid_service_item(world.project1.pk)
    assert (made.code, made.name, made.kind) == ("paid-service", "有偿服务", ChargeKind.PAID_SERVICE)
    assert paid_service_item(world.project1.pk) == made
    own = ChargeItem.objects.create(project=world.project2, code="repair-fee", name="维修费",
                                    kind=ChargeKind.PAID_SERVICE)
    assert paid_service_item(world.project2.pk) == own


def test_money_taken_for_a_services_bills_settles_those_not_the_older_ones(world, unit, caiwu, fee):
    older = post_charge(caiwu, unit, fee, "300.00", period=date(2026, 10, 1), due_on=date(2026, 10, 15))
    item = paid_service_item(unit.project_id)
    sources = list(unit.building.units.order_by("id")[:2])  # two records of "some process"
    bills = [post_charge(caiwu, unit, item, amount, due_on=DUE, source=source)
             for amount, source in zip(("45.00", "75.00"), sources, strict=True)]

    payment, created = pay_bills(caiwu, bills, channel="cash", idempotency_key="fee-1")
    assert created and payment.amount == Decimal("120.00") and payment.receipt.number == 1
    assert all(bill.is_settled for bill in Bill.objects.filter(pk__in=[b.pk for b in bills]))
    assert Bill.objects.get(pk=older.pk).paid == 0  # pay() would have settled this one first
    assert balance(unit) == Decimal("300.00")

    again, created = pay_bills(caiwu, bills, channel="cash", idempotency_key="fee-1")
    assert (again, created) == (payment, False) and Payment.objects.count() == 1
    with pytest.raises(Conflict):
        pay_bills(caiwu, bills, channel="cash", idempotency_key="fee-2")  # they owe nothing now


def test_only_desk_channels_and_the_collecting_roles_take_money(world, unit, caiwu):
    bill = post_charge(caiwu, unit, paid_service_item(unit.project_id), "45.00", due_on=DUE, source=unit)
    with pytest.raises(InvalidInput) as error:
        pay_bills(caiwu, [bill], channel="simulated", idempotency_key="k")
    assert error.value.problems[0].field == "channel"
    with pytest.raises(NotAllowed):
        pay_bills(actor_for(world.user("gongcheng")), [bill], channel="cash", idempotency_key="k")
    assert not Payment.objects.exists()


def test_a_sources_bills_read_live_unpaid_partly_paid_paid_written_off_and_reopened(world, unit, caiwu):
    item = paid_service_item(unit.project_id)
    building = unit.building
    assert source_bills([building]).state == SourceState.NOT_BILLED
    bill = post_charge(caiwu, unit, item, "100.00", due_on=DUE, source=building)
    read = source_bills([building])
    assert (read.state, read.amount, read.outstanding, read.receipts) == ("unpaid", Decimal("100.00"),
                                                                          Decimal("100.00"), [])

    payment, _ = pay(caiwu, unit, "40.00", channel="cash", idempotency_key="part")  # paid at the desk, elsewhere
    read = source_bills(type(building).objects.filter(pk=building.pk))  # a queryset works as well
    assert (read.state, read.paid, read.outstanding) == ("partly_paid", Decimal("40.00"), Decimal("60.00"))
    assert [number for _id, number in read.receipts] == [f"JH-{payment.receipt.year}-000001"]

    write_off(actor_for(world.user("jingli")), bill, "60.00", reason="维修质量问题减免")
    read = source_bills([building])
    assert (read.state, read.written_off, read.outstanding) == ("paid", Decimal("60.00"), Decimal("0.00"))

    refund(caiwu, payment, "40.00", reason="全额退还")  # the bill owes again what the refund took back
    read = source_bills([building])
    assert (read.state, read.paid, read.outstanding) == ("unpaid", Decimal("0.00"), Decimal("40.00"))
    assert bill_state([Bill.objects.get(pk=bill.pk)]) == SourceState.UNPAID


def test_written_off_when_nothing_was_paid(world, unit, caiwu):
    bill = post_charge(caiwu, unit, paid_service_item(unit.project_id), "80.00", due_on=DUE, source=unit)
    write_off(actor_for(world.user("jingli")), bill, "80.00", reason="公司承担")
    assert source_bills([unit]).state == SourceState.WRITTEN_OFF
