"""A repair's fee step says what happens to the money: paid now (a payment in the one ledger, with its receipt)
or charged to the owner's account (挂账, a bill). The ticket — console, owner portal, API — shows the bill's state
as billing has it now, not a copy."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import translation

from wuye.billing.models import Bill, ChargeItem, ChargeKind, Payment
from wuye.billing.services import balance, bills_with_outstanding, pay, post_charge, source_bills, write_off
from wuye.core.events import timeline
from wuye.core.templatetags.timeline import event_label
from wuye.people.access import actor_for
from wuye.workorders.models import ChargeLine, FeeChoice, PriceItem, Ticket
from wuye.workorders.services import ActionInput, allowed_actions, fee_status, perform

SH = ZoneInfo("Asia/Shanghai")
FEE_DAY = datetime(2026, 11, 20, 15, 0, tzinfo=SH)


@pytest.fixture
def unit(world):
    return world.owner_unit("yezhu")


def repaired(world, unit, parts=(("tap", "1"), ("labour-basic", "2"))):
    """A repair of `unit` done with `parts` (tap 45.00 + 2 × labour 30.00 = 105.00) and signed off."""
    kefu, gongcheng = actor_for(world.user("kefu")), actor_for(world.user("gongcheng"))
    ticket = perform(kefu, world.ticket(world.project1, unit=unit), "dispatch",
                     ActionInput(assignee=world.user("gongcheng")))
    ticket = perform(gongcheng, ticket, "accept")
    ticket = perform(gongcheng, ticket, "arrive")
    items = [(PriceItem.objects.get(project=world.project1, code=code), Decimal(qty)) for code, qty in parts]
    ticket = perform(gongcheng, ticket, "complete", ActionInput(work_done="更换水龙头", parts=items))
    return perform(kefu, ticket, "confirm")


def fee_event(ticket):
    return [event for event in timeline(ticket) if event.verb in ("ticket.collect_fee", "ticket.charge_fee")][-1]


def test_paid_now_is_a_payment_for_this_repair_with_a_receipt(world, unit):
    caiwu = actor_for(world.user("caiwu"))
    ticket = repaired(world, unit)
    ticket = perform(caiwu, ticket, "collect_fee", ActionInput(payment_channel="cash"), now=FEE_DAY)

    lines = list(ChargeLine.objects.filter(ticket=ticket).order_by("id"))
    assert {(line.taken_as, line.charged_at) for line in lines} == {(FeeChoice.PAID_ON_SITE, FEE_DAY)}
    bills = Bill.objects.filter(pk__in=[bill.pk for bill in source_bills(lines).bills]).select_related("item")
    assert sorted(bill.amount for bill in bills) == [Decimal("45.00"), Decimal("60.00")]
    assert all(bill.is_settled and bill.item.kind == ChargeKind.PAID_SERVICE for bill in bills)
    assert all(ticket.number in bill.description for bill in bills)
    payment = Payment.objects.get()
    assert (payment.amount, payment.channel, payment.received_at) == (Decimal("105.00"), "cash", FEE_DAY)
    assert balance(unit) == 0 and not bills_with_outstanding(unit).exists()  # nothing left on 我的账单
    receipt = f"JH-{payment.receipt.year}-000001"
    assert fee_event(ticket).data == {"from": "confirmed", "to": "confirmed", "total": "105.00",
                                      "payment_channel": "cash", "collected": "105.00", "receipt": receipt}
    with translation.override("en"):
        assert event_label(fee_event(ticket)) == f"Fee ¥105.00 collected on the spot (Cash), receipt {receipt}"
    status = fee_status(Ticket.objects.get(pk=ticket.pk))
    assert (status.state, status.taken_as, status.bills.receipts) == ("paid", ["paid_on_site"],
                                                                     [(payment.pk, receipt)])


def test_paid_now_settles_this_fee_not_the_owners_older_debt(world, unit):
    caiwu = actor_for(world.user("caiwu"))
    property_fee = ChargeItem.objects.create(project=world.project1, code="property-fee", name="物业费",
                                             kind="property_fee")
    older = post_charge(caiwu, unit, property_fee, "300.00", due_on=datetime(2026, 10, 31).date(),
                        period=datetime(2026, 10, 1).date())
    ticket = perform(caiwu, repaired(world, unit), "collect_fee", ActionInput(payment_channel="bank_transfer"))
    assert Bill.objects.get(pk=older.pk).paid == 0
    assert balance(unit) == Decimal("300.00")
    assert fee_status(ticket).state == "paid"


def test_on_account_is_a_bill_on_the_owners_account_named_as_such(world, unit, login):
    caiwu = actor_for(world.user("caiwu"))
    ticket = perform(caiwu, repaired(world, unit), "charge_fee", now=FEE_DAY)
    assert set(ChargeLine.objects.filter(ticket=ticket).values_list("taken_as", flat=True)) == {"on_account"}
    assert not Payment.objects.exists() and balance(unit) == Decimal("105.00")
    bills = list(bills_with_outstanding(unit))
    assert [bill.due_on.isoformat() for bill in bills] == ["2026-12-05", "2026-12-05"]  # 15 days' notice lead
    assert fee_event(ticket).data["total"] == "105.00"
    with translation.override("en"):
        assert event_label(fee_event(ticket)) == \
            f"Fee ¥105.00 charged to the owner's account, due {fee_event(ticket).data['due_on']}"
    # The owner sees it on 我的账单 and on the repair, which says it is on account and unpaid.
    bills_page = login("yezhu").get("/h5/bills/").content.decode()
    assert ticket.number in bills_page
    owner = login("yezhu")
    owner.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the language switch
    portal = owner.get(f"/h5/tickets/{ticket.pk}/").content.decode()
    assert "Charged to your account (on account)" in portal and "Unpaid" in portal
    assert "¥105.00 still to pay" in portal and 'href="/h5/bills/"' in portal


def test_the_ticket_reads_the_bills_live_state_paid_elsewhere_or_written_off(world, unit, api, login):
    caiwu = actor_for(world.user("caiwu"))
    ticket = perform(caiwu, repaired(world, unit), "charge_fee")
    detail = api("kefu").get(f"/api/v1/tickets/{ticket.pk}").json()
    assert (detail["fee"]["state"], detail["fee"]["outstanding"]) == ("unpaid", "105.00")

    pay(caiwu, unit, "45.00", channel="cash", idempotency_key="desk-1")  # at the desk, on the account page
    detail = api("yezhu").get(f"/api/v1/tickets/{ticket.pk}").json()  # the owner's API reads the same
    assert (detail["fee"]["state"], detail["fee"]["paid"], detail["fee"]["outstanding"]) == (
        "partly_paid", "45.00", "60.00")
    assert [c["bill_state"] for c in detail["charges"]] == ["paid", "unpaid"]
    assert len(detail["fee"]["receipts"]) == 1

    rest = next(bill for bill in source_bills(list(ChargeLine.objects.filter(ticket=ticket))).bills
                if not bill.is_settled)
    write_off(actor_for(world.user("jingli")), rest, "60.00", reason="返修减免")
    detail = api("kefu").get(f"/api/v1/tickets/{ticket.pk}").json()
    assert (detail["fee"]["state"], detail["fee"]["written_off"], detail["fee"]["outstanding"]) == (
        "paid", "60.00", "0.00")
    assert [c["bill_state"] for c in detail["charges"]] == ["paid", "written_off"]

    page = login("kefu").get(f"/console/tickets/{ticket.pk}/").content.decode()
    receipt = detail["fee"]["receipts"][0]
    assert f"/console/billing/payments/{receipt['payment_id']}/receipt.pdf" in page and receipt["number"] in page


def test_the_console_offers_the_two_named_choices_and_takes_the_payment(world, unit, login):
    ticket = repaired(world, unit)
    client = login("caiwu")
    page = client.get(f"/console/tickets/{ticket.pk}/").content.decode()
    assert "/actions/collect_fee/" in page and "/actions/charge_fee/" in page and "/actions/settle/" not in page
    version = Ticket.objects.get(pk=ticket.pk).version
    refused = client.post(f"/console/tickets/{ticket.pk}/actions/collect_fee/",
                          {"version": version, "payment_channel": "simulated"})
    assert refused.status_code == 422 and not Payment.objects.exists()
    done = client.post(f"/console/tickets/{ticket.pk}/actions/collect_fee/",
                       {"version": version, "payment_channel": "cash"})
    assert done.status_code == 302
    page = client.get(f"/console/tickets/{ticket.pk}/").content.decode()
    payment = Payment.objects.get()
    assert f"/console/billing/payments/{payment.pk}/receipt.pdf" in page
    assert "/actions/collect_fee/" not in page and "/actions/charge_fee/" not in page  # nothing left to take
    # The owner's portal links the same receipt (the owner's own copy).
    portal = login("yezhu").get(f"/h5/tickets/{ticket.pk}/").content.decode()
    assert f"/h5/payments/{payment.pk}/receipt.pdf" in portal
    assert login("yezhu").get(f"/h5/payments/{payment.pk}/receipt.pdf").status_code == 200


def test_a_fee_is_taken_once_and_only_where_there_is_one(world, unit, api):
    caiwu = api("caiwu")
    ticket = repaired(world, unit)
    assert api("caiwu").post(f"/api/v1/tickets/{ticket.pk}/actions/collect_fee", {}).status_code == 422
    assert caiwu.post(f"/api/v1/tickets/{ticket.pk}/actions/charge_fee", {}).status_code == 200
    again = caiwu.post(f"/api/v1/tickets/{ticket.pk}/actions/collect_fee", {"payment_channel": "cash"})
    assert again.status_code == 409 and Bill.objects.count() == 2 and not Payment.objects.exists()
    assert caiwu.post(f"/api/v1/tickets/{ticket.pk}/actions/settle", {}).status_code == 422  # no longer an action
    # Engineering neither collects nor charges; a repair without charges shows no fee buttons.
    assert api("gongcheng").post(f"/api/v1/tickets/{ticket.pk}/actions/charge_fee", {}).status_code == 403
    free = repaired(world, unit, parts=())
    assert not {"collect_fee", "charge_fee"} & set(allowed_actions(actor_for(world.user("caiwu")), free))
    public = repaired(world, unit)
    Ticket.objects.filter(pk=public.pk).update(unit=None, is_public_area=True)
    refused = caiwu.post(f"/api/v1/tickets/{public.pk}/actions/charge_fee", {})
    assert refused.status_code == 409 and Bill.objects.count() == 2


def test_the_timeline_reads_in_chinese(world, unit):
    caiwu = actor_for(world.user("caiwu"))
    ticket = perform(caiwu, repaired(world, unit, parts=(("labour-basic", "4"),)), "collect_fee",
                     ActionInput(payment_channel="cash"))
    other = perform(caiwu, repaired(world, unit, parts=(("labour-basic", "4"),)), "charge_fee")
    with translation.override("zh-hans"):
        receipt, due_on = fee_event(ticket).data["receipt"], fee_event(other).data["due_on"]
        assert event_label(fee_event(ticket)) == f"费用 ¥120.00 已现场收款（现金），收据 {receipt}"
        assert event_label(fee_event(other)) == f"费用 ¥120.00 已计入业主账单（挂账），{due_on} 前缴纳"
