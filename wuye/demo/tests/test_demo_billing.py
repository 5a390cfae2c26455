"""The demo's fees: built through the real services, so the books balance and the stories the demo tells hold."""

from decimal import Decimal

import pytest

from wuye.billing.models import Bill, LedgerEntry, MeterReading, Payment, Receipt
from wuye.billing.services import balance, bills_with_outstanding
from wuye.demo.billing import MONTHS, build_demo_billing


def test_demo_fees_balance_and_leave_the_demo_owner_a_bill_to_pay(world):
    counts = build_demo_billing(world.company)
    assert counts["bills"] == Bill.objects.count() > 0
    assert counts["payments"] == Payment.objects.count() == Receipt.objects.count() > 0
    # Every unit's balance is the sum of its movements, and what bills still owe matches it for units without credit.
    for unit in world.project1.units.all():
        owed = sum((bill.outstanding for bill in bills_with_outstanding(unit)), Decimal("0.00"))
        movements = LedgerEntry.objects.filter(unit=unit).values_list("amount", flat=True)
        assert balance(unit) == sum(movements, Decimal("0.00"))  # summed in Python: exact on SQLite too
        assert owed == max(balance(unit), Decimal("0.00"))
    # yezhu still owes last month (the portal's pay button has something to do); readings cover every billed month.
    assert bills_with_outstanding(world.owner_unit("yezhu")).exists()
    assert MeterReading.objects.values("read_on").distinct().count() == MONTHS + 1


@pytest.mark.django_db(transaction=False)
def test_the_seed_as_make_run_builds_it_tickets_then_fees(settings):
    """`seed_demo` makes the tickets first — some repairs' fees land on owners' accounts as one-off bills without a
    period — and then the months of fees and payments, which must take those bills in their stride."""
    from conftest import SMALL_WORLD
    from wuye.billing.models import Bill, Payment
    from wuye.demo.builders import build_demo_company
    from wuye.sla.standards import install_standards

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    install_standards()
    company = build_demo_company(plans=SMALL_WORLD, tickets=80, billing=True)
    bills = Bill.objects.filter(project__company=company)
    assert bills.filter(period__isnull=True).exists() and bills.filter(period__isnull=False).exists()
    assert Payment.objects.filter(unit__project__company=company).exists()
