"""Write-offs with approval: finance asks, the project manager approves or rejects with an approval comment
(审批意见), and only an approval writes the ledger entry — linked to the request, the requester told."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from wuye.billing import write_offs
from wuye.billing.models import EntryKind, LedgerEntry, WriteOffRequest
from wuye.billing.services import balance
from wuye.core.errors import InvalidInput, NotAllowed
from wuye.core.models import Event, Notification
from wuye.people.access import actor_for


@pytest.fixture
def bill(world):
    return world.bill(world.owner_unit("yezhu"), "320.50", period=date(2026, 10, 1))


def _write_offs():
    return LedgerEntry.objects.filter(kind=EntryKind.WRITE_OFF)


def test_finance_asks_and_nothing_is_written_off_until_the_manager_approves(world, bill):
    caiwu, jingli = actor_for(world.user("caiwu")), actor_for(world.user("jingli"))
    unit = bill.unit
    request = write_offs.request_write_off(caiwu, bill, "20.50", "尾差减免")
    assert request.state == WriteOffRequest.State.REQUESTED
    assert not _write_offs().exists() and balance(unit) == Decimal("320.50")
    # The manager is told, with a link to the approval list; it is on their 待审批 list.
    told = Notification.objects.get(recipient=world.user("jingli"), source_id=request.pk)
    assert told.link == reverse("billing:write_offs")
    assert list(write_offs.pending_write_offs(jingli)) == [request]
    assert not write_offs.pending_write_offs(caiwu).exists()  # finance does not decide

    write_offs.approve_write_off(jingli, request, "同意，业委会已确认")
    request.refresh_from_db()
    assert request.state == WriteOffRequest.State.APPROVED and request.decision_note == "同意，业委会已确认"
    assert request.entry == _write_offs().get() and request.entry.amount == Decimal("-20.50")
    assert balance(unit) == Decimal("300.00") and not write_offs.pending_write_offs(jingli).exists()
    assert Notification.objects.filter(recipient=world.user("caiwu"), source_id=request.pk).exists()
    kinds = list(Event.objects.filter(subject_id=request.pk, verb__startswith="billing.write_off_")
                 .values_list("verb", flat=True).order_by("id"))
    assert kinds == ["billing.write_off_requested", "billing.write_off_approved"]


def test_a_rejection_needs_an_approval_comment_and_writes_nothing(world, bill):
    caiwu, jingli = actor_for(world.user("caiwu")), actor_for(world.user("jingli"))
    request = write_offs.request_write_off(caiwu, bill, "100.00", "业主困难")
    with pytest.raises(InvalidInput) as error:
        write_offs.reject_write_off(jingli, request, "  ")
    assert error.value.problems[0].field == "note"
    write_offs.reject_write_off(jingli, request, "不符合减免条件")
    request.refresh_from_db()
    assert (request.state, request.decision_note, request.entry) == ("rejected", "不符合减免条件", None)
    assert not _write_offs().exists() and balance(bill.unit) == Decimal("320.50")
    with pytest.raises(NotAllowed):  # decided: no second decision (nor approval by the requester)
        write_offs.approve_write_off(caiwu, request, "好")


def test_requests_waiting_count_against_what_can_be_asked(world, bill):
    caiwu = actor_for(world.user("caiwu"))
    write_offs.request_write_off(caiwu, bill, "300.00", "减免")
    with pytest.raises(InvalidInput) as error:
        write_offs.request_write_off(caiwu, bill, "20.51", "再减")
    assert error.value.problems[0].field == "amount"
    write_offs.request_write_off(caiwu, bill, "20.50", "再减")


def test_the_project_managers_own_write_off_is_decided_at_once(world, bill):
    jingli = actor_for(world.user("jingli"))
    request = write_offs.request_write_off(jingli, bill, "0.50", "尾差")
    assert request.state == WriteOffRequest.State.APPROVED and request.decided_by == world.user("jingli")
    assert balance(bill.unit) == Decimal("320.00")


def test_only_the_manager_approves_and_the_requester_may_withdraw(world, bill):
    caiwu, kefu = actor_for(world.user("caiwu")), actor_for(world.user("kefu"))
    with pytest.raises(NotAllowed):
        write_offs.request_write_off(kefu, bill, "10.00", "客服减免")
    request = write_offs.request_write_off(caiwu, bill, "10.00", "减免")
    with pytest.raises(NotAllowed):
        write_offs.approve_write_off(caiwu, request, "自己批")
    write_offs.reject_write_off(caiwu, request, "填错金额，撤回")
    request.refresh_from_db()
    assert request.state == WriteOffRequest.State.REJECTED and not _write_offs().exists()


def test_the_manager_approves_on_the_console_list(world, login, bill):
    caiwu = actor_for(world.user("caiwu"))
    request = write_offs.request_write_off(caiwu, bill, "20.50", "尾差减免")
    manager = login("jingli")
    with translation.override("en"):
        page = manager.get(reverse("billing:write_offs"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert reverse("billing:write_off_approve", args=[request.pk]) in page and "尾差减免" in page
    # Finance sees the list but no approve button.
    assert reverse("billing:write_off_approve", args=[request.pk]) not in login("caiwu").get(
        reverse("billing:write_offs")).content.decode()
    no_comment = manager.post(reverse("billing:write_off_approve", args=[request.pk]), {"note": ""})
    assert no_comment.status_code == 302 and not _write_offs().exists()
    manager.post(reverse("billing:write_off_approve", args=[request.pk]), {"note": "同意"})
    assert _write_offs().get().amount == Decimal("-20.50")
    # Another project's manager does not find it.
    assert login("kefu2").post(reverse("billing:write_off_reject", args=[request.pk]),
                               {"note": "x"}).status_code in (403, 404)
