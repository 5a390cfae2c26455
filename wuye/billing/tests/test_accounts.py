"""Unit accounts in the console: who owes what and for how long, a unit's account with its bills, payments and
ledger, payments at the front desk that a double submit records once, and write-offs for those allowed."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from wuye.billing import services
from wuye.billing.models import Bill, ChargeItem, Payment
from wuye.billing.receipts import receipt_number
from wuye.people.models import Residency
from wuye.tenancy.models import Unit


@pytest.fixture
def fee(world):
    return ChargeItem.objects.create(project=world.project1, code="property-fee", name="物业费", kind="property_fee")


def charge(unit, item, amount, due_in_days):
    return services.post_charge(None, unit, item, amount, due_on=timezone.localdate() + timedelta(days=due_in_days))


def overdue_days_shown(html, unit):
    row = re.search(rf'href="{reverse("billing:unit_account", args=[unit.pk])}".*?</tr>', html, re.S)
    return row and re.search(r'data-overdue-days="(\d*)"', row.group(0)).group(1)


def test_the_arrears_filter_lists_units_with_overdue_bills_and_their_age(world, login, fee):
    late, not_due = Unit.objects.filter(project=world.project1).order_by("id")[:2]
    charge(late, fee, "120.00", -40)
    charge(late, fee, "80.00", -10)
    charge(not_due, fee, "99.00", 20)
    page = login("caiwu").get(reverse("billing:accounts"), {"arrears": "on"}).content.decode()
    assert overdue_days_shown(page, late) == "40"  # the oldest open bill counts
    assert overdue_days_shown(page, not_due) is None
    everything = login("caiwu").get(reverse("billing:accounts")).content.decode()
    assert overdue_days_shown(everything, not_due) == ""
    row = re.search(rf'href="{reverse("billing:unit_account", args=[late.pk])}".*?</tr>', everything, re.S).group(0)
    assert str(services.balance(late)) in row


def test_searching_by_owner_name_or_unit_label(world, login):
    unit = world.owner_unit("yezhu")
    owner = Residency.objects.current().get(unit=unit, relation="owner").resident
    caiwu = login("caiwu")
    account_link = reverse("billing:unit_account", args=[unit.pk])
    assert account_link in caiwu.get(reverse("billing:accounts"), {"q": owner.name}).content.decode()
    assert account_link in caiwu.get(reverse("billing:accounts"), {"q": unit.label}).content.decode()
    other = Unit.objects.filter(project=world.project1).exclude(pk=unit.pk).first()
    by_name = caiwu.get(reverse("billing:accounts"), {"q": owner.name}).content.decode()
    assert reverse("billing:unit_account", args=[other.pk]) not in by_name


def test_the_accounts_list_costs_the_same_queries_for_more_units(world, login, fee):
    units = list(Unit.objects.filter(project=world.project1).order_by("id"))
    client = login("caiwu")
    charge(units[0], fee, "10.00", -5)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("billing:accounts"), {"arrears": "on"})
    for unit in units[1:]:
        charge(unit, fee, "10.00", -5)
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("billing:accounts"), {"arrears": "on"}).content.decode()
    assert all(overdue_days_shown(page, unit) == "5" for unit in units)
    assert len(many) == len(few)


def _payment_form(html):
    form = re.search(r'<form[^>]*action="([^"]*/payments/)".*?</form>', html, re.S)
    key = re.search(r'name="idempotency_key" value="([^"]+)"', form.group(0)).group(1)
    return form.group(1), key


def test_a_front_desk_payment_submitted_twice_pays_once(world, login, fee):
    unit = world.owner_unit("yezhu")
    charge(unit, fee, "320.50", -3)
    caiwu = login("caiwu")
    action, key = _payment_form(caiwu.get(reverse("billing:unit_account", args=[unit.pk])).content.decode())
    data = {"amount": "320.50", "channel": "cash", "idempotency_key": key}
    first, second = caiwu.post(action, data), caiwu.post(action, data)
    assert (first.status_code, second.status_code) == (302, 302)
    payment = Payment.objects.get()
    assert services.balance(unit) == Decimal("0.00") and payment.received_by == world.user("caiwu")
    page = caiwu.get(first.url).content.decode()
    assert receipt_number(payment) in page
    # The next form shown carries a new key: a second real payment is not mistaken for a repeat.
    assert _payment_form(page)[1] != key


def test_paying_more_than_owed_without_prepayment_names_the_amount(world, login, fee):
    unit = world.owner_unit("yezhu")
    charge(unit, fee, "100.00", 5)
    caiwu = login("caiwu")
    action, key = _payment_form(caiwu.get(reverse("billing:unit_account", args=[unit.pk])).content.decode())
    refused = caiwu.post(action, {"amount": "150.00", "channel": "cash", "idempotency_key": key})
    assert refused.status_code == 422 and not Payment.objects.exists()
    amount_field = re.search(r'id="id_amount".*?</div>', refused.content.decode(), re.S).group(0)
    assert 'class="field-error"' in amount_field
    prepaid = caiwu.post(action, {"amount": "150.00", "channel": "bank_transfer", "allow_prepayment": "on",
                                  "idempotency_key": key})
    assert prepaid.status_code == 302 and services.balance(unit) == Decimal("-50.00")


def test_write_offs_for_finance_and_managers_only(world, login, fee):
    """Finance asks (nothing written off yet), the project manager writes off at once; customer service neither."""
    unit = world.owner_unit("yezhu")
    bill = charge(unit, fee, "100.00", -70)
    kefu = login("kefu")
    assert 'action="{}"'.format(reverse("billing:write_off", args=[unit.pk])) not in kefu.get(
        reverse("billing:unit_account", args=[unit.pk])).content.decode()
    data = {"bill": bill.pk, "amount": "30.00", "reason": "业委会同意减免"}
    assert kefu.post(reverse("billing:write_off", args=[unit.pk]), data).status_code == 403
    assert login("caiwu").post(reverse("billing:write_off", args=[unit.pk]), data).status_code == 302
    assert Bill.objects.get(pk=bill.pk).written_off == Decimal("0.00")  # a request, waiting for the manager
    assert login("jingli").post(reverse("billing:write_off", args=[unit.pk]), data).status_code == 302
    assert Bill.objects.get(pk=bill.pk).written_off == Decimal("30.00")
    assert services.balance(unit) == Decimal("70.00")
    # 70 owed, 30 of it asked for by finance: at most 40 more.
    too_much = login("caiwu").post(reverse("billing:write_off", args=[unit.pk]), {**data, "amount": "50.00"})
    assert too_much.status_code == 422 and services.balance(unit) == Decimal("70.00")


def test_other_projects_accounts_are_not_found(world, login, fee):
    unit = world.owner_unit("yezhu")
    kefu2 = login("kefu2")
    assert kefu2.get(reverse("billing:unit_account", args=[unit.pk])).status_code == 404
    assert kefu2.post(reverse("billing:record_payment", args=[unit.pk]),
                      {"amount": "1.00", "channel": "cash", "idempotency_key": "k"}).status_code == 404
    listing = kefu2.get(reverse("billing:accounts")).content.decode()
    assert reverse("billing:unit_account", args=[unit.pk]) not in listing
    assert login("gongcheng").get(reverse("billing:accounts")).status_code == 403
    assert login("yezhu").get(reverse("billing:unit_account", args=[unit.pk])).status_code == 302  # to the portal


def test_the_desk_bills_a_decoration_deposit_at_its_fixed_price(world, login):
    from wuye.billing.models import Tariff

    unit = world.owner_unit("yezhu")
    deposit = ChargeItem.objects.create(project=world.project1, code="deposit", name="装修保证金", kind="one_off")
    Tariff.objects.create(item=deposit, basis="fixed", rate=Decimal("3000.00"), effective_from=timezone.localdate())
    cleaning = ChargeItem.objects.create(project=world.project1, code="cleaning", name="装修垃圾清运", kind="one_off")
    client = login("caiwu")
    url = reverse("billing:add_charge", args=[unit.pk])
    due = (timezone.localdate() + timedelta(days=20)).isoformat()
    assert client.post(url, {"item": deposit.pk, "due_on": due}).status_code == 302
    bill = Bill.objects.get(unit=unit, item=deposit)
    assert bill.amount == Decimal("3000.00") and services.balance(unit) == Decimal("3000.00")
    # No fixed price: the amount must be given, nothing is billed without it.
    response = client.post(url, {"item": cleaning.pk, "due_on": due})
    assert response.status_code == 422 and not Bill.objects.filter(item=cleaning).exists()
    assert login("gongcheng").post(url, {"item": deposit.pk, "due_on": due}).status_code == 403


def test_submitting_the_charge_form_twice_bills_once(world, login):
    unit = world.owner_unit("yezhu")
    deposit = ChargeItem.objects.create(project=world.project1, code="deposit", name="装修保证金", kind="one_off")
    form = {"item": deposit.pk, "amount": "3000.00", "idempotency_key": "charge-form-1",
            "due_on": (timezone.localdate() + timedelta(days=20)).isoformat()}
    client = login("caiwu")
    url = reverse("billing:add_charge", args=[unit.pk])
    assert client.post(url, form).status_code == client.post(url, form).status_code == 302
    assert Bill.objects.filter(unit=unit, item=deposit).count() == 1
    assert services.balance(unit) == Decimal("3000.00")
