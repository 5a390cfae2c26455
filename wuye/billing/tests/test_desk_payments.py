"""The finance desk takes money by cash, bank transfer, a WeChat/Alipay scan or a POS card (those three with the
provider's reference, once per channel), names who paid, settles the bills the clerk ticks (all of them, oldest
first, by default) and prints the receipt right after. Prepaid credit reads 预存, never as a negative balance."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from wuye.billing import services
from wuye.billing.models import Bill, ChargeItem, Payment
from wuye.billing.services import balance, pay_at_desk
from wuye.billing.tests.test_receipts import _pdf_text
from wuye.core.errors import InvalidInput
from wuye.people.access import actor_for

SCAN = "4200001234202612021234567890"  # a WeChat Pay transaction id: 28 digits


@pytest.fixture
def unit(world):
    unit = world.owner_unit("yezhu")
    item = ChargeItem.objects.create(project=world.project1, code="property-fee", name="物业费", kind="property_fee")
    today = timezone.localdate()
    for months_ago, amount in ((3, "100.00"), (2, "200.00"), (1, "300.00")):
        services.post_charge(None, unit, item, amount, period=date(2026, 12 - months_ago, 1),
                             due_on=today - timedelta(days=30 * months_ago))
    return unit


def _form(html):
    form = re.search(r'<form[^>]*action="([^"]*/payments/)".*?</form>', html, re.S).group(0)
    key = re.search(r'name="idempotency_key" value="([^"]+)"', form).group(1)
    ticked = re.findall(r'name="bills" value="(\d+)"[^>]*checked', form)
    amount = re.search(r'name="amount"[^>]*value="([^"]*)"', form)
    return {"action": re.search(r'action="([^"]*)"', form).group(1), "key": key, "ticked": ticked,
            "amount": amount and amount.group(1), "html": form}


def _oldest_first(unit):
    return [str(pk) for pk in Bill.objects.filter(unit=unit).order_by("due_on").values_list("pk", flat=True)]


def test_every_open_bill_is_ticked_oldest_first_and_the_amount_is_their_total(world, login, unit):
    form = _form(login("caiwu").get(reverse("billing:unit_account", args=[unit.pk])).content.decode())
    assert form["ticked"] == _oldest_first(unit)
    assert form["amount"] == "600.00"
    for code in ("wechat", "alipay", "pos", "cash", "bank_transfer"):
        assert f'value="{code}"' in form["html"]


def test_a_wechat_scan_with_its_reference_settles_the_ticked_bill_and_offers_the_receipt_at_once(world, login,
                                                                                                 unit):
    caiwu = login("caiwu")
    form = _form(caiwu.get(reverse("billing:unit_account", args=[unit.pk])).content.decode())
    newest = _oldest_first(unit)[-1]
    data = {"bills": [newest], "amount": "", "channel": "wechat", "reference": SCAN, "payer_name": "李四（租户）",
            "idempotency_key": form["key"]}
    response = caiwu.post(form["action"], data)
    assert response.status_code == 302
    payment = Payment.objects.select_related("receipt").get()
    assert (payment.channel, payment.reference, payment.payer_name, payment.amount) == (
        "wechat", SCAN, "李四（租户）", Decimal("300.00"))
    # Only the ticked bill is settled; the older ones still owe.
    assert [bill.outstanding for bill in Bill.objects.filter(unit=unit).order_by("due_on")] == [
        Decimal("100.00"), Decimal("200.00"), Decimal("0.00")]
    page = caiwu.get(response.url).content.decode()
    print_button = re.search(r'<a[^>]*id="print-receipt"[^>]*>', page).group(0)
    assert reverse("billing:receipt_pdf", args=[payment.pk]) in print_button and payment.receipt.code in page
    # A double submit of the same form pays once.
    assert caiwu.post(form["action"], data).status_code == 302 and Payment.objects.count() == 1


@pytest.mark.parametrize("channel", ["wechat", "alipay", "pos"])
def test_a_scan_or_card_needs_the_providers_reference(world, unit, channel):
    caiwu = actor_for(world.user("caiwu"))
    for reference in ("", "12345", "x" * 41, "4200 0012 34<script>"):
        with pytest.raises(InvalidInput) as error:
            pay_at_desk(caiwu, unit, channel=channel, reference=reference, idempotency_key=f"k-{reference}")
        assert error.value.problems[0].field == "reference"
    assert not Payment.objects.exists()
    with pytest.raises(InvalidInput) as error:  # cash has no reference to record
        pay_at_desk(caiwu, unit, channel="cash", reference=SCAN, idempotency_key="cash")
    assert error.value.problems[0].field == "reference"


def test_a_reference_is_used_once_per_channel(world, unit):
    caiwu = actor_for(world.user("caiwu"))
    first, _ = pay_at_desk(caiwu, unit, "100.00", channel="pos", reference="202612021234", idempotency_key="a")
    with pytest.raises(InvalidInput) as error:
        pay_at_desk(caiwu, unit, "100.00", channel="pos", reference="202612021234", idempotency_key="b")
    assert error.value.problems[0].field == "reference" and first.receipt.code in error.value.problems[0].message
    pay_at_desk(caiwu, unit, "100.00", channel="alipay", reference="202612021234", idempotency_key="c")
    assert Payment.objects.count() == 2


def test_the_receipt_names_the_payer_and_the_reference(world, login, unit):
    caiwu = actor_for(world.user("caiwu"))
    payment, _ = pay_at_desk(caiwu, unit, channel="alipay", reference="2026120222001412345678901234",
                             payer_name="王五", idempotency_key="r")
    response = login("caiwu").get(reverse("billing:receipt_pdf", args=[payment.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content)
    assert "交款人：王五" in text and "2026120222001412345678901234" in text and payment.receipt.code in text


def test_more_than_the_ticked_bills_owe_is_refused_while_older_bills_are_open(world, unit):
    caiwu = actor_for(world.user("caiwu"))
    newest = Bill.objects.filter(unit=unit).order_by("due_on").last()
    with pytest.raises(InvalidInput) as error:
        pay_at_desk(caiwu, unit, "400.00", channel="cash", bills=[newest], allow_prepayment=True,
                    idempotency_key="x")
    assert error.value.problems[0].field == "amount" and not Payment.objects.exists()
    # All ticked: the rest stays as prepaid credit.
    pay_at_desk(caiwu, unit, "700.00", channel="cash", bills=Bill.objects.filter(unit=unit), allow_prepayment=True,
                idempotency_key="y")
    assert balance(unit) == Decimal("-100.00")


def test_prepaid_credit_reads_as_prepaid_never_negative(world, login, api, unit):
    caiwu = actor_for(world.user("caiwu"))
    pay_at_desk(caiwu, unit, "720.00", channel="cash", allow_prepayment=True, idempotency_key="p")
    with translation.override("en"):
        assert services.balance_text(balance(unit)) == "Prepaid ¥120.00"
        assert services.balance_text(Decimal("1280")) == "Owes ¥1,280.00"
    client = login("caiwu")
    account = client.get(reverse("billing:unit_account", args=[unit.pk]), HTTP_ACCEPT_LANGUAGE="en")
    shown = re.search(r'id="account-balance"[^>]*>([^<]*)<', account.content.decode()).group(1)
    assert "120.00" in shown and "-" not in shown
    listing = client.get(reverse("billing:accounts"), {"q": unit.label}).content.decode()
    row = re.search(rf'href="{reverse("billing:unit_account", args=[unit.pk])}".*?</tr>', listing, re.S).group(0)
    shown = re.sub(r"<[^>]+>", " ", row)  # what a person reads (tags and attributes left out)
    assert "¥120.00" in shown and "-120" not in shown and "-¥" not in shown
    ledger = api("caiwu").get(f"/api/v1/units/{unit.pk}/ledger").json()
    assert Decimal(ledger["balance"]) == Decimal("-120.00") and "120.00" in ledger["standing"]


def test_the_api_records_a_pos_payment_with_its_reference(world, api, unit):
    client = api("caiwu")
    oldest = Bill.objects.filter(unit=unit).order_by("due_on").first()
    missing = client.post("/api/v1/payments", {"unit_id": unit.pk, "channel": "pos", "bill_ids": [oldest.pk]},
                          HTTP_IDEMPOTENCY_KEY="api-1")
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "reference"
    response = client.post("/api/v1/payments", {"unit_id": unit.pk, "channel": "pos", "reference": "000123456789",
                                                "bill_ids": [oldest.pk], "payer_name": "张三"},
                           HTTP_IDEMPOTENCY_KEY="api-2")
    assert response.status_code == 201, response.content
    body = response.json()
    assert Decimal(body["amount"]) == Decimal("100.00") and body["reference"] == "000123456789"
    assert re.fullmatch(r"JH-\d{4}-\d{6}", body["receipt_no"]) and body["payer_name"] == "张三"
