"""The owner's e-receipt (电子收据): a printable page in the portal for the owner's own payments, with the PDF behind
it, linked from the payment history; plain HTML that WeChat's browser shows (no script, no download needed)."""

import re
from datetime import date

import pytest
from django.test import Client

from wuye.billing.models import ChargeItem
from wuye.billing.services import pay, post_charge
from wuye.people.access import actor_for


def _client(world, username):
    client = Client()
    client.force_login(world.user(username))
    return client


@pytest.fixture
def payment(world):
    unit = world.owner_unit("yezhu")
    fee = ChargeItem.objects.create(project=world.project1, code="property-fee", name="物业费", kind="property_fee")
    post_charge(None, unit, fee, "1320.50", period=date(2026, 10, 1), due_on=date(2026, 10, 15))
    payment, _ = pay(actor_for(world.user("caiwu")), unit, "1500.00", channel="wechat", idempotency_key="e1",
                     allow_prepayment=True)
    return payment


def test_the_owner_reads_and_prints_their_receipt(world, payment):
    owner = _client(world, "yezhu")
    history = owner.get("/h5/payments/").content.decode()
    url = f"/h5/payments/{payment.pk}/receipt/"
    assert f'href="{url}"' in history  # linked from the payment history
    assert "¥1,500.00" in history  # money as people read it

    response = owner.get(url)
    html = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert re.search(r"data-receipt-number>\s*" + re.escape(payment.receipt.code), html)
    assert "物业费" in html and "¥1,320.50" in html and "¥179.50" in html  # the bill settled and the credit left
    assert re.search(r"data-total>¥1,500.00<", html)
    assert "壹仟伍佰元整" in html  # the amount in Chinese capitals, as on paper
    assert f'href="/h5/payments/{payment.pk}/receipt.pdf"' in html  # the PDF behind it
    assert "@media print" in _css(owner) and "<script" not in html.split("<body", 1)[1]
    pdf = owner.get(f"/h5/payments/{payment.pk}/receipt.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_someone_elses_receipt_is_not_found(world, payment):
    assert _client(world, "yezhu2").get(f"/h5/payments/{payment.pk}/receipt/").status_code == 404
    assert _client(world, "yezhu2").get(f"/h5/payments/{payment.pk}/receipt.pdf").status_code == 404
    # Staff read receipts in the console: the portal sends them there.
    assert _client(world, "caiwu").get(f"/h5/payments/{payment.pk}/receipt/").status_code == 302
    assert _client(world, "yezhu").get("/h5/payments/999999/receipt/").status_code == 404


def _css(client) -> str:
    """The stylesheet the page links (served by whitenoise in production)."""
    from django.contrib.staticfiles import finders

    with open(finders.find("web/wuye.css"), encoding="utf-8") as css:
        return css.read()
