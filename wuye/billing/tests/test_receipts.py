"""Receipts (收款收据) as PDF: what the payment settled, the credit it left, the total in capitals, refunds so far —
and who may open them."""

import io
import re
from datetime import date

import pypdf
import pytest
from django.test import Client

from wuye.billing import refunds
from wuye.billing.documents import amount_in_words
from wuye.billing.models import ChargeItem
from wuye.billing.receipts import receipt_number
from wuye.billing.services import pay, post_charge
from wuye.people.access import actor_for


def _pdf_text(content: bytes) -> str:
    """The PDF's text without whitespace (pypdf spaces CJK glyphs and puts NULs between those of fpdf2's fonts)."""
    pages = pypdf.PdfReader(io.BytesIO(content)).pages
    return re.sub(r"[\s\x00]+", "", "".join(page.extract_text() for page in pages))


def _client(world, username):
    client = Client()
    client.force_login(world.user(username))
    return client


@pytest.fixture
def payment(world):
    unit = world.owner_unit("yezhu")
    fee = ChargeItem.objects.create(project=world.project1, code="property-fee", name="物业费", kind="property_fee")
    parking = ChargeItem.objects.create(project=world.project1, code="parking", name="停车月卡", kind="parking_pass")
    post_charge(None, unit, fee, "320.50", period=date(2026, 10, 1), due_on=date(2026, 10, 15))
    post_charge(None, unit, parking, "300.00", period=date(2026, 11, 1), due_on=date(2026, 11, 15))
    payment, _ = pay(actor_for(world.user("caiwu")), unit, "700.00", channel="wechat", idempotency_key="r1",
                     allow_prepayment=True)
    return payment


def test_the_receipt_lists_bills_settled_credit_and_refunds(world, payment):
    caiwu, jingli = actor_for(world.user("caiwu")), actor_for(world.user("jingli"))
    request = refunds.request_refund(caiwu, payment, "30.00", "多收退回")
    refunds.approve_refund(jingli, request)
    response = _client(world, "caiwu").get(f"/console/billing/payments/{payment.pk}/receipt.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content)
    allocations = {a.bill.item.name: a.amount for a in payment.allocations.filter(amount__gt=0)}
    credit = payment.amount - sum(allocations.values())
    assert "收款收据" in text and receipt_number(payment) in text
    assert receipt_number(payment) == f"JH-{payment.receipt.year}-{payment.receipt.number:06d}"
    for name, amount in allocations.items():
        assert name in text and f"¥{amount:,.2f}" in text
    assert "2026年10月" in text and "预存款" in text and f"¥{credit:,.2f}" in text
    assert f"¥{payment.amount:,.2f}" in text and amount_in_words(payment.amount) in text
    assert "微信支付" in text and "多收退回" in text and f"¥{request.amount:,.2f}" in text


def test_who_may_open_a_receipt(world, api, payment):
    assert _client(world, "yezhu").get(f"/h5/payments/{payment.pk}/receipt.pdf").status_code == 200
    assert _client(world, "yezhu2").get(f"/h5/payments/{payment.pk}/receipt.pdf").status_code == 404
    assert _client(world, "kefu2").get(f"/console/billing/payments/{payment.pk}/receipt.pdf").status_code == 404
    assert _client(world, "kefu").get(f"/console/billing/payments/{payment.pk}/receipt.pdf").status_code == 200
    url = f"/api/v1/payments/{payment.pk}/receipt.pdf"
    own = api("yezhu").get(url)
    assert own.status_code == 200 and "收款收据" in _pdf_text(own.content)
    assert api("yezhu2").get(url).status_code == 404 and api("kefu2").get(url).status_code == 404
