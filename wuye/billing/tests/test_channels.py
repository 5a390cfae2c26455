"""Online payments: intents, signed callbacks (tampering refused, nothing written), one payment however often or
however concurrently the provider calls back, and channels that are registered but not configured."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client

from wuye.billing import channels
from wuye.billing.models import Channel, LedgerEntry, Payment, PaymentIntent, Receipt
from wuye.billing.services import balance
from wuye.core.errors import InvalidInput
from wuye.core.testing import run_concurrently
from wuye.people.access import actor_for

CALLBACK = "/api/v1/payments/callbacks/simulated"


@pytest.fixture
def unit(world):
    unit = world.owner_unit("yezhu")
    world.bill(unit, "320.50")
    return unit


@pytest.fixture
def intent(world, unit):
    return channels.start_online_payment(actor_for(world.user("yezhu")), unit)


def _signed(intent, **changes):
    payload = {"reference": intent.reference, "amount": str(intent.amount), "status": "paid",
               "paid_at": "2026-11-20T10:00:00+08:00", **changes}
    return payload, channels.adapter_for(Channel.SIMULATED).sign(payload)


def _post_callback(payload, signature):
    return Client().post(CALLBACK, json.dumps(payload), content_type="application/json",
                         HTTP_X_WUYE_SIGNATURE=signature)


def _nothing_written(intent):
    intent.refresh_from_db()
    return intent.state == PaymentIntent.State.PENDING and not Payment.objects.exists() and not Receipt.objects.exists()


def test_an_intent_defaults_to_everything_owed_and_points_to_the_gateway(world, api, unit):
    response = api("yezhu").post("/api/v1/payments/intents", {"unit_id": unit.pk})
    assert response.status_code == 201, response.content
    body = response.json()
    assert Decimal(body["amount"]) == balance(unit) and body["state"] == "pending"
    assert body["pay_url"].endswith(f"/pay/simulated/{body['reference']}/")
    assert api("yezhu").get(f"/api/v1/payments/intents/{body['reference']}").json()["state"] == "pending"
    assert api("yezhu2").get(f"/api/v1/payments/intents/{body['reference']}").status_code == 404
    assert api("kefu2").get(f"/api/v1/payments/intents/{body['reference']}").status_code == 404


def test_intent_input_is_checked(world, api, unit):
    client = api("yezhu")
    over = client.post("/api/v1/payments/intents", {"unit_id": unit.pk, "amount": str(balance(unit) + 1)})
    assert over.status_code == 422 and over.json()["errors"][0]["field"] == "amount"
    prepaid = client.post("/api/v1/payments/intents", {"unit_id": unit.pk, "amount": str(balance(unit) + 1),
                                                       "allow_prepayment": True})
    assert prepaid.status_code == 201
    foreign = world.owner_unit("yezhu2")
    response = client.post("/api/v1/payments/intents", {"unit_id": foreign.pk})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "unit_id"
    for channel in ("wechat", "alipay", "cash"):
        response = client.post("/api/v1/payments/intents", {"unit_id": unit.pk, "channel": channel})
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == "channel"
    assert "not configured" in client.post("/api/v1/payments/intents", {
        "unit_id": unit.pk, "channel": "wechat"}, HTTP_ACCEPT_LANGUAGE="en").json()["detail"]
    assert PaymentIntent.objects.count() == 1  # only the prepayment


def test_a_signed_callback_pays_once_however_often_it_comes(world, intent, unit):
    payload, signature = _signed(intent)
    for _ in range(3):
        response = _post_callback(payload, signature)
        assert response.status_code == 200, response.content
        assert response.json() == {"status": "paid", "reference": intent.reference}
    intent.refresh_from_db()
    payment = Payment.objects.get()
    assert intent.payment == payment and payment.amount == intent.amount and payment.channel == Channel.SIMULATED
    # Recorded on the provider's word (no staff received it); the intent says who paid.
    assert payment.received_by is None and intent.created_by == world.user("yezhu")
    assert payment.idempotency_key == intent.reference
    assert balance(unit) == Decimal("0.00")


@pytest.mark.parametrize("tamper", ["signature", "amount", "status", "reference", "missing"])
def test_tampered_callbacks_are_refused_and_write_nothing(intent, tamper):
    payload, signature = _signed(intent)
    if tamper == "signature":
        signature = signature[:-1] + ("0" if signature[-1] != "0" else "1")
    elif tamper == "amount":
        payload["amount"] = "0.01"
    elif tamper == "status":
        payload["status"] = "failed"
    elif tamper == "reference":
        payload["reference"] = "WY" + "0" * 20
    else:
        signature = ""
    response = _post_callback(payload, signature)
    assert response.status_code == 403 and response.json()["detail"]
    assert _nothing_written(intent) and not LedgerEntry.objects.filter(kind="payment").exists()


def test_a_signed_callback_with_another_amount_is_refused(intent):
    payload, signature = _signed(intent, amount=str(intent.amount - Decimal("0.01")))
    response = _post_callback(payload, signature)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "amount"
    assert _nothing_written(intent)


def test_a_failed_payment_marks_the_intent_and_pays_nothing(intent, unit):
    owed = balance(unit)
    response = _post_callback(*_signed(intent, status="failed", paid_at=""))
    assert response.json()["status"] == "failed"
    intent.refresh_from_db()
    assert intent.state == PaymentIntent.State.FAILED and intent.payment is None
    assert not Payment.objects.exists() and balance(unit) == owed


def test_money_taken_is_recorded_even_when_the_unit_paid_meanwhile(world, intent, unit):
    from wuye.billing.services import pay

    pay(actor_for(world.user("caiwu")), unit, balance(unit), channel="cash", idempotency_key="desk")
    channels.simulate_provider(intent, succeed=True)
    assert balance(unit) == -intent.amount  # kept as prepaid credit, never lost


def test_unknown_channels_and_reference_answer_422(intent):
    response = Client().post("/api/v1/payments/callbacks/paypal", json.dumps({}), content_type="application/json")
    assert response.status_code == 422
    with pytest.raises(InvalidInput) as error:
        channels.handle_callback("cash", {}, "x")
    assert error.value.problems[0].field == "channel"


def test_the_gateway_is_only_for_the_intents_owner_or_staff(world, intent):
    url = f"/pay/simulated/{intent.reference}/"
    assert Client().get(url).status_code == 302  # log in first
    for username, status in (("yezhu2", 404), ("kefu2", 404), ("yezhu", 200), ("caiwu", 200)):
        client = Client()
        client.force_login(world.user(username))
        assert client.get(url).status_code == status, username
    client = Client()
    client.force_login(world.user("yezhu2"))
    assert client.post(url, {"action": "pay"}).status_code == 404
    assert _nothing_written(intent)


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_callbacks_pay_once(world):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the race is exercised on PostgreSQL")
    unit = world.owner_unit("yezhu")
    world.bill(unit, "320.50")
    intent = channels.start_online_payment(actor_for(world.user("yezhu")), unit)
    payload, signature = _signed(intent)
    results = run_concurrently(lambda: channels.handle_callback("simulated", dict(payload), signature), 20)
    assert len(results) == 20 and {result.state for result in results} == {"paid"}
    assert Payment.objects.count() == Receipt.objects.count() == 1
    assert LedgerEntry.objects.filter(unit=unit, kind="payment").count() == 1
    intent.refresh_from_db()
    assert intent.payment == Payment.objects.get() and balance(unit) == Decimal("0.00")


def test_abandoned_payments_expire_but_a_late_provider_confirmation_still_counts(world, intent, unit):
    assert channels.expire_online_payments(now=intent.created_at + timedelta(minutes=29)) == 0
    assert channels.expire_online_payments(now=intent.created_at + timedelta(minutes=31)) == 1
    intent.refresh_from_db()
    assert intent.state == PaymentIntent.State.EXPIRED and not Payment.objects.exists()
    # The owner left the gateway, but the provider had taken the money: its signed word records it.
    payload, signature = _signed(intent)
    assert _post_callback(payload, signature).status_code == 200
    intent.refresh_from_db()
    assert intent.state == PaymentIntent.State.PAID and balance(unit) == Decimal("0.00")
    assert channels.expire_online_payments(now=intent.created_at + timedelta(hours=2)) == 0


def _forged(intent, secret: str):
    import hashlib
    import hmac

    payload = {"reference": intent.reference, "amount": str(intent.amount), "status": "paid",
               "paid_at": "2026-11-20T10:00:00+08:00"}
    return payload, hmac.new(secret.encode(), channels.SimulatedChannel.canonical(payload), hashlib.sha256).hexdigest()


def test_a_callback_forged_with_the_former_default_secret_is_refused(intent, unit):
    owed = balance(unit)
    response = _post_callback(*_forged(intent, "wuye-simulated-gateway-development-secret"))
    assert response.status_code == 403
    assert _nothing_written(intent) and balance(unit) == owed


def test_the_simulated_channel_exists_only_when_switched_on(settings, world, api, intent, unit):
    settings.WUYE_SIMULATED_PAYMENTS = False  # the secret is still set: a secret alone enables nothing
    url = f"/pay/simulated/{intent.reference}/"
    assert Client().get(url).status_code == 404
    owner = Client()
    owner.force_login(world.user("yezhu"))
    assert owner.get(url).status_code == 404 and owner.post(url, {"action": "pay"}).status_code == 404
    response = _post_callback(*_signed(intent))  # signed with the right key, still refused
    assert response.status_code == 403
    started = api("yezhu").post("/api/v1/payments/intents", {"unit_id": unit.pk})
    assert started.status_code == 422 and started.json()["errors"][0]["field"] == "channel"
    assert _nothing_written(intent) and PaymentIntent.objects.count() == 1


def test_without_a_secret_the_channel_is_off_outside_debug_and_keyed_per_process_under_debug(settings, intent):
    settings.PAYMENT_CALLBACK_SECRET = ""
    assert not channels.simulated_payments_enabled()
    assert _post_callback(*_forged(intent, "")).status_code == 403
    settings.DEBUG = True  # `make run` without PAYMENT_CALLBACK_SECRET: a random key of this process
    assert channels.simulated_payments_enabled()
    assert channels.SimulatedChannel.secret() not in (b"", b"wuye-simulated-gateway-development-secret")
    assert channels.simulate_provider(intent, succeed=True).state == PaymentIntent.State.PAID
