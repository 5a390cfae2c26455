"""The ledger: balances are sums of movements, payments go to the oldest bills, receipts never skip a number,
one idempotency key pays once — also fifty times at once."""

import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wuye.billing.models import Allocation, Bill, ChargeItem, EntryKind, LedgerEntry, Payment, Receipt
from wuye.billing.services import (
    balance,
    bills_with_outstanding,
    pay,
    post_charge,
    refund,
    refunded,
    unapplied_credit,
    write_off,
)
from wuye.core.errors import InvalidInput, NotAllowed
from wuye.core.testing import run_concurrently
from wuye.people.access import actor_for


@pytest.fixture
def fee(world):
    return ChargeItem.objects.create(project=world.project1, code="property-fee", name="物业费", kind="property_fee")


@pytest.fixture
def unit(world):
    return world.owner_unit("yezhu")


@pytest.fixture
def caiwu(world):
    return actor_for(world.user("caiwu"))


def test_payments_settle_the_oldest_bills_first_and_number_receipts(world, unit, fee, caiwu):
    october = post_charge(caiwu, unit, fee, "320.50", period=date(2026, 10, 1), due_on=date(2026, 10, 15))
    november = post_charge(caiwu, unit, fee, "320.50", period=date(2026, 11, 1), due_on=date(2026, 11, 15))
    _, created = pay(caiwu, unit, "400.00", channel="cash", idempotency_key="k1")
    assert created
    paid = {bill.pk: bill.paid for bill in Bill.objects.filter(unit=unit)}
    assert paid == {october.pk: Decimal("320.50"), november.pk: Decimal("79.50")}
    pay(caiwu, unit, "241.00", channel="wechat", idempotency_key="k2")
    assert balance(unit) == Decimal("0.00")
    assert [r.number for r in Receipt.objects.filter(project=world.project1).order_by("number")] == [1, 2]


def test_paying_more_than_owed_needs_prepayment(unit, fee, caiwu):
    post_charge(caiwu, unit, fee, "100.00", period=date(2026, 11, 1), due_on=date(2026, 11, 15))
    with pytest.raises(InvalidInput) as error:
        pay(caiwu, unit, "150.00", channel="cash", idempotency_key="over")
    assert error.value.problems[0].field == "amount"
    assert not Payment.objects.exists() and not Receipt.objects.exists()
    pay(caiwu, unit, "150.00", channel="cash", idempotency_key="over", allow_prepayment=True)
    assert balance(unit) == Decimal("-50.00")  # 50 yuan of credit


@pytest.mark.parametrize("amount", ["-1", "0", "10.005", "abc"])
def test_bad_amounts_name_the_field_and_write_nothing(unit, fee, caiwu, amount):
    with pytest.raises(InvalidInput) as error:
        post_charge(caiwu, unit, fee, amount, due_on=date(2026, 11, 15))
    assert error.value.problems[0].field == "amount"
    assert not LedgerEntry.objects.exists()


def test_a_period_is_billed_once(unit, fee, caiwu):
    from wuye.core.errors import Conflict

    post_charge(caiwu, unit, fee, "100.00", period=date(2026, 11, 1), due_on=date(2026, 11, 15))
    with pytest.raises(Conflict):
        post_charge(caiwu, unit, fee, "100.00", period=date(2026, 11, 1), due_on=date(2026, 11, 15))
    assert Bill.objects.count() == LedgerEntry.objects.count() == 1


def test_refunds_only_by_finance_and_never_above_what_was_paid(world, unit, fee, caiwu):
    post_charge(caiwu, unit, fee, "100.00", period=date(2026, 11, 1), due_on=date(2026, 11, 15))
    payment, _ = pay(caiwu, unit, "150.00", channel="cash", idempotency_key="r", allow_prepayment=True)
    with pytest.raises(NotAllowed):
        refund(actor_for(world.user("kefu")), payment, "10.00", reason="多缴")
    with pytest.raises(InvalidInput):
        refund(caiwu, payment, "150.01", reason="多缴")
    refund(caiwu, payment, "80.00", reason="多缴退还")  # 50 of credit, then 30 taken back from the bill
    assert refunded(payment) == Decimal("80.00")
    assert balance(unit) == Decimal("30.00")
    assert [b.outstanding for b in bills_with_outstanding(unit)] == [Decimal("30.00")]


def test_ledger_entries_are_append_only(unit, fee, caiwu):
    post_charge(caiwu, unit, fee, "100.00", due_on=date(2026, 11, 15))
    entry = LedgerEntry.objects.get()
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()


operations = st.lists(
    st.one_of(
        st.tuples(st.just("charge"), st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999"), places=2)),
        st.tuples(st.just("pay"), st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999"), places=2),
                  st.booleans()),
        # Refund any earlier payment (by position), not only the newest: refunds reopen bills beside other credit.
        st.tuples(st.just("refund"), st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999"), places=2),
                  st.integers(min_value=0, max_value=11)),
        st.tuples(st.just("write_off"), st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999"), places=2)),
    ),
    max_size=12,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_any_sequence_keeps_the_books_straight(world, unit, fee, caiwu, ops):
    jingli = actor_for(world.user("jingli"))
    start = balance(unit)  # the world is shared across examples: compare deltas
    charges = payments = refunds = write_offs = Decimal("0")
    for op in ops:
        try:
            if op[0] == "charge":
                post_charge(caiwu, unit, fee, op[1], due_on=date(2026, 11, 15))
                charges += op[1]
            elif op[0] == "pay":
                payment, created = pay(caiwu, unit, op[1], channel="cash", allow_prepayment=op[2],
                                       idempotency_key=uuid.uuid4().hex)
                payments += op[1] if created else 0
            elif op[0] == "refund":
                paid = list(Payment.objects.filter(unit=unit).order_by("id"))
                if paid:
                    refund(caiwu, paid[op[2] % len(paid)], op[1], reason="调整")
                    refunds += op[1]
            else:
                bill = bills_with_outstanding(unit).first()
                if bill is not None:
                    write_off(jingli, bill, op[1], reason="减免")
                    write_offs += op[1]
        except InvalidInput:
            pass  # refused input changes nothing
    assert balance(unit) - start == charges - payments + refunds - write_offs
    for bill in Bill.objects.filter(unit=unit):
        assert Decimal("0") <= bill.paid <= bill.amount  # never paid twice
        # The kept `paid` is exactly what the allocation rows say.
        assert bill.paid == sum((a.amount for a in bill.allocations.all()), Decimal("0.00"))
        assert bill.paid + bill.written_off <= bill.amount
    # Prepaid credit never waits beside an open bill: it is applied as soon as a bill arrives.
    if bills_with_outstanding(unit).exists():
        assert all(unapplied_credit(payment) == 0 for payment in Payment.objects.filter(unit=unit))
    for payment in Payment.objects.filter(unit=unit):
        allocated = sum((a.amount for a in Allocation.objects.filter(payment=payment)), Decimal("0"))
        assert allocated <= payment.amount - refunded(payment)
    assert sum(e.amount for e in LedgerEntry.objects.filter(unit=unit)) == balance(unit)
    assert set(LedgerEntry.objects.filter(unit=unit).values_list("kind", flat=True)) <= set(EntryKind.values)


@pytest.mark.django_db(transaction=True)
def test_fifty_identical_payment_requests_pay_once(world, fee):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the race is exercised on PostgreSQL")
    unit = world.owner_unit("yezhu")
    caiwu = actor_for(world.user("caiwu"))
    post_charge(caiwu, unit, fee, "320.50", period=date(2026, 11, 1), due_on=date(2026, 11, 15))
    results = run_concurrently(lambda: pay(caiwu, unit, "320.50", channel="wechat", idempotency_key="same"), 50)
    assert len(results) == 50  # every request answered (run_concurrently drops what raised)
    assert len({payment.pk for payment, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    assert Payment.objects.count() == Receipt.objects.count() == 1
    assert balance(unit) == Decimal("0.00")
