"""Refunds with approval: finance asks, a second person (project manager or finance supervisor) approves, and
only then does the money move — through the ledger, linked to the request."""

from decimal import Decimal

import pytest
from django.test import Client

from wuye.billing import refunds
from wuye.billing.models import EntryKind, LedgerEntry, Payment, RefundRequest
from wuye.billing.services import balance, pay
from wuye.core.errors import InvalidInput, NotAllowed
from wuye.core.models import Notification
from wuye.people.access import actor_for
from wuye.people.models import StaffProfile


@pytest.fixture
def payment(world):
    unit = world.owner_unit("yezhu")
    world.bill(unit, "320.50")
    payment, _ = pay(actor_for(world.user("caiwu")), unit, "400.00", channel="cash", idempotency_key="p1",
                     allow_prepayment=True)
    return payment


def _refund_entries():
    return LedgerEntry.objects.filter(kind=EntryKind.REFUND)


def _client(world, username):
    client = Client()
    client.force_login(world.user(username))
    return client


def test_only_finance_may_ask_for_a_refund(api, payment):
    response = api("kefu").post("/api/v1/refunds", {"payment_id": payment.pk, "amount": "10.00", "reason": "多收"})
    assert response.status_code == 403
    assert api("jingli").post("/api/v1/refunds", {"payment_id": payment.pk, "amount": "10.00",
                                                  "reason": "多收"}).status_code == 403
    assert not RefundRequest.objects.exists()


def test_a_refund_above_what_was_paid_names_the_amount_and_writes_nothing(api, payment):
    response = api("caiwu").post("/api/v1/refunds", {"payment_id": payment.pk, "amount": str(payment.amount + 1),
                                                     "reason": "多收"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "amount"
    assert not RefundRequest.objects.exists() and not _refund_entries().exists()


def test_pending_requests_count_against_what_can_be_refunded(world, payment):
    caiwu = actor_for(world.user("caiwu"))
    first = payment.amount - Decimal("100.00")
    refunds.request_refund(caiwu, payment, first, "预存款退回")
    with pytest.raises(InvalidInput) as error:
        refunds.request_refund(caiwu, payment, "100.01", "再退")
    assert error.value.problems[0].field == "amount"
    assert refunds.refundable(payment) == Decimal("100.00")
    with pytest.raises(InvalidInput) as error:
        refunds.request_refund(caiwu, payment, "1.00", "  ")
    assert error.value.problems[0].field == "reason"


def test_the_requester_cannot_approve_their_own_refund(world, api, payment):
    StaffProfile.objects.filter(user__username="caiwu").update(is_supervisor=True)  # a decider otherwise
    created = api("caiwu").post("/api/v1/refunds", {"payment_id": payment.pk, "amount": "50.00", "reason": "多收"})
    assert created.status_code == 201, created.content
    response = api("caiwu").post(f"/api/v1/refunds/{created.json()['id']}/approve", {})
    assert response.status_code == 403
    assert RefundRequest.objects.get().state == RefundRequest.State.REQUESTED and not _refund_entries().exists()
    # Customer service sees the request but does not decide it.
    assert api("kefu").post(f"/api/v1/refunds/{created.json()['id']}/approve", {}).status_code == 403


def test_the_project_manager_approves_and_the_ledger_moves(world, api, payment):
    unit = payment.unit
    before = balance(unit)
    created = api("caiwu").post("/api/v1/refunds", {"payment_id": payment.pk, "amount": "120.00",
                                                    "reason": "重复缴费"}).json()
    assert balance(unit) == before  # nothing moves on request
    jingli = world.user("jingli")
    assert Notification.objects.filter(recipient=jingli, subject_line__contains="120.00").exists()
    response = api("jingli").post(f"/api/v1/refunds/{created['id']}/approve", {"note": "同意"})
    assert response.status_code == 200, response.content
    body = response.json()
    request = RefundRequest.objects.get()
    assert body["state"] == "approved" and body["entry_id"] == request.entry_id
    assert request.entry.kind == EntryKind.REFUND and request.entry.amount == request.amount
    assert request.entry.payment == payment and request.entry.actor == world.user("caiwu")
    assert request.decided_by == jingli
    assert balance(unit) == before + request.amount
    assert Notification.objects.filter(recipient=world.user("caiwu"), source_id=request.pk).exists()
    again = api("jingli").post(f"/api/v1/refunds/{created['id']}/approve", {})
    assert again.status_code == 409 and _refund_entries().count() == 1


def test_rejecting_writes_no_ledger_entry(world, api, payment):
    created = api("caiwu").post("/api/v1/refunds", {"payment_id": payment.pk, "amount": "20.00",
                                                    "reason": "多收"}).json()
    entries = LedgerEntry.objects.count()
    no_note = api("jingli").post(f"/api/v1/refunds/{created['id']}/reject", {"note": ""})
    assert no_note.status_code == 422 and no_note.json()["errors"][0]["field"] == "note"
    response = api("jingli").post(f"/api/v1/refunds/{created['id']}/reject", {"note": "核实无误，不予退款"})
    assert response.status_code == 200 and response.json()["state"] == "rejected"
    assert LedgerEntry.objects.count() == entries and RefundRequest.objects.get().entry is None
    assert refunds.refundable(payment) == payment.amount  # the rejected request no longer holds money back


def test_a_finance_clerk_is_not_a_decider_but_a_finance_supervisor_is(world, payment):
    request = refunds.request_refund(actor_for(world.user("caiwu")), payment, "10.00", "多收")
    clerk = world.user("kefu")  # give kefu a finance desk without supervision
    StaffProfile.objects.filter(user=clerk).update(role="finance", is_supervisor=False)
    with pytest.raises(NotAllowed):
        refunds.approve_refund(actor_for(clerk), request)
    StaffProfile.objects.filter(user=clerk).update(is_supervisor=True)
    assert refunds.approve_refund(actor_for(clerk), request).state == RefundRequest.State.APPROVED


def test_kefu2_sees_no_project_1_refunds(world, api, payment):
    created = api("caiwu").post("/api/v1/refunds", {"payment_id": payment.pk, "amount": "10.00",
                                                    "reason": "多收"}).json()
    assert api("kefu2").get("/api/v1/refunds").json() == {"items": [], "count": 0}
    assert api("kefu").get("/api/v1/refunds", state="requested").json()["count"] == 1
    assert api("kefu2").post(f"/api/v1/refunds/{created['id']}/reject", {"note": "x"}).status_code == 404
    response = api("kefu2").post("/api/v1/refunds", {"payment_id": payment.pk, "amount": "1.00", "reason": "x"})
    assert response.status_code == 403  # customer service never asks for refunds
    html = _client(world, "kefu2").get("/console/billing/refunds/").content.decode()
    assert f'id="refund-{created["id"]}"' not in html
    assert api("yezhu").get("/api/v1/refunds").json()["count"] == 1  # on their own payment
    assert api("yezhu2").get("/api/v1/refunds").json()["count"] == 0


def test_console_request_and_approval(world, payment):
    caiwu = _client(world, "caiwu")
    page = caiwu.get("/console/billing/refunds/", {"payment": payment.pk})
    assert page.status_code == 200 and f'data-refundable="{payment.amount}"' in page.content.decode()
    too_much = caiwu.post("/console/billing/refunds/new/", {"payment_id": payment.pk,
                                                            "amount": str(payment.amount + 1), "reason": "多收"})
    assert too_much.status_code == 422 and not RefundRequest.objects.exists()
    response = caiwu.post("/console/billing/refunds/new/", {"payment_id": payment.pk, "amount": "30.00",
                                                            "reason": "多收"})
    assert response.status_code == 302
    request = RefundRequest.objects.get()
    assert f'/console/billing/refunds/{request.pk}/approve/' not in caiwu.get(
        "/console/billing/refunds/").content.decode()  # not for the requester
    jingli = _client(world, "jingli")
    html = jingli.get("/console/billing/refunds/").content.decode()
    assert f'/console/billing/refunds/{request.pk}/approve/' in html
    before = balance(payment.unit)
    assert jingli.post(f"/console/billing/refunds/{request.pk}/approve/").status_code == 302
    request.refresh_from_db()
    assert request.state == RefundRequest.State.APPROVED and balance(payment.unit) == before + request.amount
    assert _client(world, "kefu").post("/console/billing/refunds/new/", {
        "payment_id": payment.pk, "amount": "1.00", "reason": "x"}).status_code == 403
    assert Payment.objects.count() == 1
