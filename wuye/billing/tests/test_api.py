"""Payments through the API: Idempotency-Key required and honoured, owners see only their own bills."""

from decimal import Decimal

from wuye.billing.models import Bill, ChargeItem, LedgerEntry, Payment


def pay(client, unit, amount, key, **extra):
    return client.post("/api/v1/payments", {"unit_id": unit.pk, "amount": amount, **extra},
                       HTTP_IDEMPOTENCY_KEY=key) if key else client.post(
        "/api/v1/payments", {"unit_id": unit.pk, "amount": amount, **extra})


def test_a_repeated_request_pays_once(world, api):
    unit = world.owner_unit("yezhu")
    world.bill(unit)
    caiwu = api("caiwu")
    first = pay(caiwu, unit, "320.50", "abc-1")
    again = pay(caiwu, unit, "320.50", "abc-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"] and first.json()["receipt_number"] == 1
    assert Payment.objects.count() == 1
    ledger = caiwu.get(f"/api/v1/units/{unit.pk}/ledger").json()
    assert Decimal(ledger["balance"]) == 0 and [e["kind"] for e in ledger["entries"]] == ["charge", "payment"]


def test_missing_key_and_overpayment_name_the_field(world, api):
    unit = world.owner_unit("yezhu")
    world.bill(unit)
    caiwu = api("caiwu")
    missing = pay(caiwu, unit, "10.00", None)
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "Idempotency-Key"
    over = pay(caiwu, unit, "999.00", "k-over")
    assert over.status_code == 422 and over.json()["errors"][0]["field"] == "amount"
    negative = pay(caiwu, unit, "-5", "k-neg")
    assert negative.status_code == 422 and negative.json()["errors"][0]["field"] == "amount"
    assert not Payment.objects.exists()


def test_owners_cannot_record_payments_themselves(world, api):
    unit = world.owner_unit("yezhu")
    world.bill(unit)
    yezhu = api("yezhu")
    # Recording money is the front desk's; an owner's online payment is confirmed by the provider's callback.
    assert pay(yezhu, unit, "320.50", "o-1").status_code == 403
    assert pay(yezhu, unit, "320.50", "o-2", channel="simulated").status_code == 403
    assert pay(api("caiwu"), unit, "320.50", "o-3", channel="simulated").json()["errors"][0]["field"] == "channel"
    assert not Payment.objects.exists()
    assert [b["unit_id"] for b in yezhu.get("/api/v1/bills").json()["items"]] == [unit.pk]


def test_engineering_does_not_read_the_books(world, api):
    unit = world.owner_unit("yezhu")
    assert api("gongcheng").get(f"/api/v1/units/{unit.pk}/ledger").status_code == 403


def test_one_off_charges_through_the_api(world, api):
    unit = world.owner_unit("yezhu")
    deposit = ChargeItem.objects.create(project=world.project1, code="deposit", name="装修保证金", kind="one_off")
    caiwu = api("caiwu")
    body = {"unit_id": unit.pk, "item_id": deposit.pk, "amount": "3000.00", "due_on": "2026-12-20"}
    response = caiwu.post("/api/v1/bills", body)
    assert response.status_code == 201 and response.json()["outstanding"] == "3000.00"
    assert LedgerEntry.objects.get(bill_id=response.json()["id"]).amount == Decimal("3000.00")
    assert caiwu.post("/api/v1/bills", {**body, "amount": "-5"}).json()["errors"][0]["field"] == "amount"
    fee = ChargeItem.objects.create(project=world.project1, code="fee", name="物业费", kind="property_fee")
    assert caiwu.post("/api/v1/bills", {**body, "item_id": fee.pk}).json()["errors"][0]["field"] == "item_id"
    foreign = world.owner_unit("yezhu2")
    assert api("kefu2").post("/api/v1/bills", body).json()["errors"][0]["field"] == "unit_id"
    assert caiwu.post("/api/v1/bills", {**body, "unit_id": foreign.pk}).json()["errors"][0]["field"] == "unit_id"
    assert api("yezhu").post("/api/v1/bills", body).status_code == 403
    assert api("gongcheng").post("/api/v1/bills", body).status_code == 403
    assert Bill.objects.count() == 1


def test_a_one_off_charge_sent_twice_with_one_key_bills_once(world, api):
    unit = world.owner_unit("yezhu")
    deposit = ChargeItem.objects.create(project=world.project1, code="deposit", name="装修保证金", kind="one_off")
    caiwu = api("caiwu")
    body = {"unit_id": unit.pk, "item_id": deposit.pk, "amount": "3000.00", "due_on": "2026-12-20"}
    first = caiwu.post("/api/v1/bills", body, HTTP_IDEMPOTENCY_KEY="deposit-1")
    again = caiwu.post("/api/v1/bills", body, HTTP_IDEMPOTENCY_KEY="deposit-1")
    assert (first.status_code, again.status_code) == (201, 200) and first.json()["id"] == again.json()["id"]
    other = caiwu.post("/api/v1/bills", {**body, "amount": "2000.00"}, HTTP_IDEMPOTENCY_KEY="deposit-1")
    assert other.status_code == 409
    assert Bill.objects.count() == LedgerEntry.objects.count() == 1
