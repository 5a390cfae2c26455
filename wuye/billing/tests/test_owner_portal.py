"""The owner portal's bills: what is due per own unit, paying online through the simulated gateway, the result
page, the payment history and the receipt — all through the browser's client."""

import io
import re
from datetime import timedelta
from decimal import Decimal

import pypdf
import pytest
from django.test import Client
from django.utils import timezone

from wuye.billing.models import ChargeItem, Payment, PaymentIntent
from wuye.billing.receipts import receipt_number
from wuye.billing.services import balance, post_charge
from wuye.tenancy.models import Unit


def _client(world, username):
    client = Client()
    client.force_login(world.user(username))
    return client


def _pdf_text(content: bytes) -> str:
    """The PDF's text without whitespace (pypdf spaces CJK glyphs and puts NULs between those of fpdf2's fonts)."""
    pages = pypdf.PdfReader(io.BytesIO(content)).pages
    return re.sub(r"[\s\x00]+", "", "".join(page.extract_text() for page in pages))


@pytest.fixture
def fee(world):
    return ChargeItem.objects.create(project=world.project1, code="property-fee", name="物业费", kind="property_fee")


@pytest.fixture
def unit(world):
    return world.owner_unit("yezhu")


def test_the_bills_page_shows_what_is_due_oldest_first_with_overdue_badges(world, unit, fee):
    today = timezone.localdate()
    old = post_charge(None, unit, fee, "300.00", period=today.replace(day=1) - timedelta(days=40),
                      due_on=today - timedelta(days=12))
    new = post_charge(None, unit, fee, "320.50", period=today.replace(day=1), due_on=today + timedelta(days=15))
    neighbour = Unit.objects.filter(project=world.project1).exclude(pk=unit.pk).first()
    post_charge(None, neighbour, fee, "999.99", period=today.replace(day=1), due_on=today + timedelta(days=15))
    html = _client(world, "yezhu").get("/h5/bills/").content.decode()
    assert f'data-due="{balance(unit)}"' in html and 'width=device-width' in html
    assert html.index(f"{old.period:%Y-%m}") < html.index(f"{new.period:%Y-%m}")
    assert html.count("badge-red-soft") == 1 and re.search(r'badge-red-soft">[^<]*\b12\b', html)
    assert "999.99" not in html and neighbour.label not in html


def test_staff_are_sent_to_the_console(world):
    response = _client(world, "caiwu").get("/h5/bills/")
    assert response.status_code == 302 and response.url == "/console/"


def test_the_whole_owner_flow_from_bill_to_receipt(world, unit, fee):
    bill = post_charge(None, unit, fee, "320.50", period=timezone.localdate().replace(day=1),
                       due_on=timezone.localdate() + timedelta(days=15))
    client = _client(world, "yezhu")
    assert "320.50" in client.get("/h5/bills/").content.decode()

    to_gateway = client.post("/h5/pay/", {"unit_id": unit.pk})
    intent = PaymentIntent.objects.get()
    assert to_gateway.status_code == 302 and to_gateway.url == f"/pay/simulated/{intent.reference}/"
    gateway = client.get(to_gateway.url).content.decode()
    assert world.project1.name in gateway and world.company.name in gateway and "320.50" in gateway

    to_result = client.post(to_gateway.url, {"action": "pay"})
    assert to_result.status_code == 302 and to_result.url == f"/h5/pay/{intent.reference}/"
    payment = Payment.objects.get()
    result = client.get(to_result.url).content.decode()
    assert 'data-state="paid"' in result and f"/h5/payments/{payment.pk}/receipt.pdf" in result
    assert balance(unit) == Decimal("0.00")
    bill.refresh_from_db()
    assert bill.is_settled

    history = client.get("/h5/payments/").content.decode()
    assert f"/h5/payments/{payment.pk}/receipt.pdf" in history and receipt_number(payment) in history
    pdf = client.get(f"/h5/payments/{payment.pk}/receipt.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    text = _pdf_text(pdf.content)
    assert "收款收据" in text and str(payment.amount) in text and receipt_number(payment) in text


def test_cancelling_at_the_gateway_pays_nothing(world, unit, fee):
    post_charge(None, unit, fee, "100.00", period=timezone.localdate().replace(day=1),
                due_on=timezone.localdate() + timedelta(days=15))
    client = _client(world, "yezhu")
    gateway = client.post("/h5/pay/", {"unit_id": unit.pk, "amount": "40.00"}).url
    result = client.post(gateway, {"action": "cancel"})
    assert 'data-state="failed"' in client.get(result.url).content.decode()
    assert not Payment.objects.exists() and balance(unit) == Decimal("100.00")
    again = client.post(gateway, {"action": "pay"})  # a finished intent stays finished
    assert again.status_code == 200 and not Payment.objects.exists()


def test_a_custom_amount_pays_part_and_refusals_come_back_as_a_message(world, unit, fee):
    post_charge(None, unit, fee, "100.00", period=timezone.localdate().replace(day=1),
                due_on=timezone.localdate() + timedelta(days=15))
    client = _client(world, "yezhu")
    refused = client.post("/h5/pay/", {"unit_id": unit.pk, "amount": "100.01"}, follow=True)
    assert refused.redirect_chain[-1][0] == "/h5/bills/" and not PaymentIntent.objects.exists()
    assert "flash-error" in refused.content.decode()
    gateway = client.post("/h5/pay/", {"unit_id": unit.pk, "amount": "40.00"}).url
    client.post(gateway, {"action": "pay"})
    assert balance(unit) == Decimal("60.00")
    prepaid = client.post("/h5/pay/", {"unit_id": unit.pk, "amount": "80.00", "prepay": "1"}).url
    client.post(prepaid, {"action": "pay"})
    assert balance(unit) == Decimal("-20.00")
    assert 'data-credit="20.00"' in client.get("/h5/bills/").content.decode()


def test_owners_cannot_pay_or_see_results_of_other_units(world, unit, fee):
    other = world.owner_unit("yezhu2")
    client = _client(world, "yezhu")
    assert client.post("/h5/pay/", {"unit_id": other.pk, "amount": "1.00", "prepay": "1"}).status_code == 404
    gateway = _client(world, "yezhu2").post("/h5/pay/", {"unit_id": other.pk, "amount": "5.00", "prepay": "1"}).url
    reference = gateway.rstrip("/").rsplit("/", 1)[-1]
    assert client.get(f"/h5/pay/{reference}/").status_code == 404
    assert client.get(gateway).status_code == 404


def test_without_an_online_channel_the_portal_says_where_to_pay_instead_of_a_pay_button(world, unit, fee, settings):
    post_charge(None, unit, fee, "320.50", due_on=timezone.localdate() + timedelta(days=15))
    owner = _client(world, "yezhu")
    assert 'action="/h5/pay/"' in owner.get("/h5/bills/").content.decode()
    settings.WUYE_SIMULATED_PAYMENTS = False  # production: WeChat Pay and Alipay have no merchant keys here
    html = owner.get("/h5/bills/").content.decode()
    assert 'action="/h5/pay/"' not in html and "物业服务中心缴费" in html
