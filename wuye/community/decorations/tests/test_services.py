"""Decoration (装修): the owner's application, the desk's check with the deposit billed, approvals once the deposit is
paid, worker passes, inspections with rectifications, itemised deductions, acceptance on a pinned date with the
refund deadline over the National Day week, and the refund through billing's ledger with approval."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.http import Http404

from wuye.billing.models import Bill, EntryKind, LedgerEntry, RefundRequest
from wuye.billing.refunds import approve_refund, reject_refund
from wuye.community.decorations import services
from wuye.community.decorations.models import Decoration, DecorationDeduction, DecorationStatus
from wuye.core.errors import Conflict, InvalidInput, NotAllowed
from wuye.core.models import Event, Notification
from wuye.quality.models import Rectification
from wuye.sla.models import Clock

from .helpers import actor, apply, carry, documents, fields, pay_deposit, pdf

SH = ZoneInfo("Asia/Shanghai")
APPLIED = datetime(2026, 9, 1, 9, 0, tzinfo=SH)
ACCEPTED = datetime(2026, 9, 25, 10, 0, tzinfo=SH)  # a Friday, before the National Day week


@pytest.fixture
def frozen():
    with time_machine.travel(APPLIED, tick=False):
        yield


def fields_of(error):
    return {problem.field for problem in error.value.problems}


def test_the_owner_applies_and_the_desk_bills_the_deposit_from_the_setting(world, frozen):
    decoration = apply(world)
    assert decoration.status == DecorationStatus.SUBMITTED and decoration.number == "ZX2026090001"
    assert decoration.applicant == world.user("yezhu") and decoration.documents.count() == 3
    assert Notification.objects.filter(recipient=world.user("kefu"), source_id=decoration.pk).exists()
    decoration = services.check_documents(actor(world, "kefu"), decoration, note="资料齐全")
    assert decoration.status == DecorationStatus.CHECKED
    bills = services.charges(decoration).bills
    # settings.WUYE_DECORATION_DEPOSIT "2000.00": no tariff on the project's decoration-deposit item.
    assert [(bill.item.code, bill.amount) for bill in bills] == [("decoration-deposit", Decimal("2000.00"))]
    assert decoration.deposit == Decimal("2000.00")
    assert LedgerEntry.objects.filter(bill=bills[0], kind=EntryKind.CHARGE, amount=Decimal("2000.00")).exists()


def test_a_priced_deposit_and_management_fee_are_billed(world, frozen):
    from datetime import date

    from wuye.billing.models import Basis, ChargeItem, Tariff
    from wuye.billing.services import install_default_charge_items

    install_default_charge_items(world.project1)
    deposit = ChargeItem.objects.get(project=world.project1, code="decoration-deposit")
    Tariff.objects.create(item=deposit, basis=Basis.FIXED, rate=Decimal("3000"), effective_from=date(2026, 1, 1))
    fee = ChargeItem.objects.create(project=world.project1, code="decoration-fee", name="装修管理费", kind="one_off")
    Tariff.objects.create(item=fee, basis=Basis.FIXED, rate=Decimal("500"), effective_from=date(2026, 1, 1))
    decoration = carry(world, apply(world), "checked")
    assert sorted((bill.item.code, bill.amount) for bill in services.charges(decoration).bills) == [
        ("decoration-deposit", Decimal("3000.00")), ("decoration-fee", Decimal("500.00"))]


def test_bad_input_names_every_field_and_writes_nothing(world, frozen):
    with pytest.raises(InvalidInput) as error:
        apply(world, applicant_phone="12", works="", works_kinds=["roof"], contractor="", contractor_leader="",
              workers_planned=0, planned_start="2026-08-01", planned_end="2026-13-01")
    assert fields_of(error) >= {"applicant_phone", "works", "works_kinds", "contractor", "contractor_leader",
                                "workers_planned", "planned_start", "planned_end"}
    with pytest.raises(InvalidInput) as error:
        apply(world, planned_end=fields()["planned_start"] - timedelta(days=1))
    assert fields_of(error) == {"planned_end"}
    with pytest.raises(InvalidInput) as error:
        services.apply(actor(world, "yezhu"), unit=world.owner_unit("yezhu"), **fields(),
                       documents=[("plan", pdf()), ("plan", _text_file())])
    assert fields_of(error) == {"documents[1]"}
    assert not Decoration.objects.exists()


def _text_file():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("plan.pdf", b"just text", content_type="application/pdf")


def test_owners_apply_only_for_their_own_homes_and_see_only_their_own(world, frozen):
    with pytest.raises(InvalidInput) as error:
        apply(world, "yezhu2")  # yezhu's unit
    assert fields_of(error) == {"unit"}
    decoration = apply(world)
    assert not services.decorations(actor(world, "yezhu2")).filter(pk=decoration.pk).exists()
    assert services.decorations(actor(world, "yezhu")).filter(pk=decoration.pk).exists()
    assert not services.decorations(actor(world, "kefu2")).exists()
    with pytest.raises(Http404):
        services.check_documents(actor(world, "kefu2"), decoration)
    with pytest.raises(Http404):
        services.cancel(actor(world, "yezhu2"), decoration)
    assert Decoration.objects.get(pk=decoration.pk).status == DecorationStatus.SUBMITTED


def test_missing_documents_are_returned_and_resubmitted(world, frozen):
    decoration = apply(world, with_documents=False)
    with pytest.raises(Conflict) as error:
        services.check_documents(actor(world, "kefu"), decoration)
    assert fields_of(error) == {"documents"} and not Bill.objects.exists()
    with pytest.raises(InvalidInput) as error:
        services.return_for_documents(actor(world, "kefu"), decoration, note=" ")
    assert fields_of(error) == {"note"}
    decoration = services.return_for_documents(actor(world, "kefu"), decoration, note="请补充施工图纸")
    assert decoration.status == DecorationStatus.RETURNED
    assert Notification.objects.filter(recipient=world.user("yezhu"), source_id=decoration.pk).exists()
    for kind, upload in documents():
        services.add_document(actor(world, "yezhu"), decoration, kind, upload)
    assert services.available_actions(actor(world, "yezhu"), decoration) == ["resubmit", "cancel"]
    decoration = services.resubmit(actor(world, "yezhu"), decoration)
    decoration = services.check_documents(actor(world, "kefu"), decoration)
    assert decoration.status == DecorationStatus.CHECKED


def test_roles_take_only_their_own_steps(world, frozen):
    decoration = apply(world)
    with pytest.raises(NotAllowed):
        services.check_documents(actor(world, "gongcheng"), decoration)
    decoration = services.check_documents(actor(world, "kefu"), decoration)
    with pytest.raises(NotAllowed):
        services.approve_engineering(actor(world, "kefu"), decoration)
    with pytest.raises(Conflict) as error:
        services.approve(actor(world, "jingli"), decoration)  # engineering first
    assert fields_of(error) == {"status"}
    assert services.available_actions(actor(world, "gongcheng"), decoration) == ["approve_engineering", "reject"]


def test_the_manager_approves_only_once_the_deposit_is_paid(world, frozen):
    decoration = carry(world, apply(world), "engineering_approved")
    with pytest.raises(Conflict) as error:
        services.approve(actor(world, "jingli"), decoration)
    assert fields_of(error) == {"deposit"}
    assert Decoration.objects.get(pk=decoration.pk).status == DecorationStatus.ENGINEERING_APPROVED
    pay_deposit(world, decoration)
    decoration = services.approve(actor(world, "jingli"), decoration, note="同意")
    assert decoration.status == DecorationStatus.APPROVED and decoration.approved_at is not None


def test_rejection_needs_a_reason(world, frozen):
    decoration = apply(world)
    with pytest.raises(InvalidInput) as error:
        services.reject(actor(world, "kefu"), decoration, reason="")
    assert fields_of(error) == {"reason"}
    decoration = services.reject(actor(world, "kefu"), decoration, reason="拆改承重墙")
    assert decoration.status == DecorationStatus.REJECTED
    assert services.available_actions(actor(world, "kefu"), decoration) == []


def test_worker_passes_belong_to_the_decoration_and_end_by_its_planned_end(world, frozen):
    decoration = apply(world)
    pass_fields = {"worker_name": "李工", "id_type": "resident_id", "id_number": "11010519491231002X",
                   "valid_from": fields()["planned_start"], "valid_until": fields()["planned_end"]}
    with pytest.raises(Conflict):
        services.issue_worker_pass(actor(world, "kefu"), decoration, **pass_fields)
    decoration = carry(world, decoration, "approved")
    with pytest.raises(InvalidInput) as error:
        services.issue_worker_pass(actor(world, "kefu"), decoration,
                                   **{**pass_fields, "valid_until": decoration.planned_end + timedelta(days=1)})
    assert fields_of(error) == {"valid_until"}
    worker_pass = services.issue_worker_pass(actor(world, "kefu"), decoration, **pass_fields)
    assert worker_pass.decoration == decoration and worker_pass.unit == decoration.unit
    assert worker_pass.employer == "家美装饰有限公司"


def test_inspection_findings_open_a_rectification_and_violations_are_recorded(world, frozen):
    decoration = carry(world, apply(world), "in_progress")
    with pytest.raises(InvalidInput) as error:
        services.inspect(actor(world, "gongcheng"), decoration, result="findings", findings="")
    assert fields_of(error) == {"findings"}
    with pytest.raises(NotAllowed):
        services.inspect(actor(world, "kefu"), decoration, result="passed")
    inspection = services.inspect(actor(world, "gongcheng"), decoration, result="findings",
                                  findings="楼道未做成品保护")
    rect = Rectification.objects.get(source_id=inspection.pk)
    assert rect.unit == decoration.unit and "楼道未做成品保护" in rect.title
    violation = services.inspect(actor(world, "zhixu"), decoration, result="violation",
                                 violation="夜间施工，已责令停工")
    assert violation.violation == "夜间施工，已责令停工"
    assert Notification.objects.filter(recipient=world.user("jingli"), source_id=violation.pk).exists()
    assert Rectification.objects.count() == 1


def test_deductions_are_itemised_and_at_most_the_deposit_paid(world, frozen):
    decoration = carry(world, apply(world), "in_progress")
    with pytest.raises(InvalidInput) as error:
        services.add_deduction(actor(world, "gongcheng"), decoration, reason="", amount="-1")
    assert fields_of(error) == {"reason", "amount"}
    services.add_deduction(actor(world, "gongcheng"), decoration, reason="损坏电梯轿厢", amount="300")
    with pytest.raises(InvalidInput) as error:
        services.add_deduction(actor(world, "gongcheng"), decoration, reason="建筑垃圾未清运", amount="1700.01")
    assert fields_of(error) == {"amount"}
    services.add_deduction(actor(world, "gongcheng"), decoration, reason="建筑垃圾未清运", amount="200.50")
    state = services.refund_state(Decoration.objects.get(pk=decoration.pk))
    assert [(row["reason"], row["amount"]) for row in state["deductions"]] == [
        ("损坏电梯轿厢", Decimal("300.00")), ("建筑垃圾未清运", Decimal("200.50"))]
    assert state["refund"] == Decimal("1499.50") == state["paid"] - state["deductions_total"]


def test_accepted_on_friday_25_september_the_refund_is_due_after_the_national_day_week(world):
    with time_machine.travel(APPLIED, tick=False):
        decoration = carry(world, apply(world), "in_progress")
        services.add_deduction(actor(world, "gongcheng"), decoration, reason="损坏公共墙面", amount="350")
    with time_machine.travel(ACCEPTED, tick=False):
        decoration = services.accept(actor(world, "gongcheng"), decoration)
    assert decoration.status == DecorationStatus.ACCEPTED and decoration.accepted_at == ACCEPTED
    clock = Clock.objects.get(key="decoration.refund", subject_id=decoration.pk)
    # 7 working days (8 h each) from Fri 25 Sep 10:00 — itself the Mid-Autumn holiday: 28, 29, 30 Sep; 1–7 Oct is
    # the National Day week; 8, 9, 10 (the make-up Saturday) and 12 Oct: due at the end of Mon 12 Oct.
    assert clock.due_at == datetime(2026, 10, 12, 17, 0, tzinfo=SH)
    assert services.refund_state(decoration)["deadline"] == clock.due_at
    assert Notification.objects.filter(recipient=world.user("caiwu"), source_id=decoration.pk).exists()
    # No deduction after the refund is asked for; the refund goes through billing with a second person's approval.
    with time_machine.travel(ACCEPTED + timedelta(days=3), tick=False):
        with pytest.raises(NotAllowed):
            services.request_deposit_refund(actor(world, "kefu"), decoration)
        request = services.request_deposit_refund(actor(world, "caiwu"), decoration)
        assert request.amount == Decimal("1650.00") == Decimal("2000.00") - Decimal("350.00")
        with pytest.raises(Conflict) as error:
            services.add_deduction(actor(world, "gongcheng"), decoration, reason="再扣", amount="1")
        assert fields_of(error) == {"refund"}
        assert services.close_refunded() == 0  # not approved yet
        with pytest.raises(NotAllowed):
            approve_refund(actor(world, "caiwu"), request)  # never the requester
        approve_refund(actor(world, "jingli"), request, note="同意退还")
        entry = LedgerEntry.objects.get(kind=EntryKind.REFUND, unit=decoration.unit)
        assert entry.amount in (Decimal("1650.00"), Decimal("-1650.00"))
        assert services.close_refunded() == 1 and services.close_refunded() == 0
    decoration = Decoration.objects.get(pk=decoration.pk)
    assert decoration.status == DecorationStatus.CLOSED
    clock.refresh_from_db()
    assert clock.state == "met" and clock.stopped_at == RefundRequest.objects.get(pk=request.pk).decided_at
    verbs = list(Event.objects.filter(subject_id=decoration.pk, verb__startswith="decorations.")
                 .values_list("verb", flat=True).order_by("id"))
    assert verbs[-3:] == ["decorations.accepted", "decorations.refund_requested", "decorations.closed"]


def test_a_rejected_refund_can_be_asked_again_and_all_deducted_closes_at_once(world):
    with time_machine.travel(APPLIED, tick=False):
        decoration = carry(world, apply(world), "in_progress")
        decoration = services.accept(actor(world, "gongcheng"), decoration)
        request = services.request_deposit_refund(actor(world, "caiwu"), decoration)
        reject_refund(actor(world, "jingli"), request, note="先核实扣款")
        decoration = Decoration.objects.get(pk=decoration.pk)
        assert "add_deduction" in services.available_actions(actor(world, "gongcheng"), decoration)
        services.add_deduction(actor(world, "gongcheng"), decoration, reason="损坏消防设施", amount="2000")
        assert services.request_deposit_refund(actor(world, "caiwu"), Decoration.objects.get(pk=decoration.pk)) \
            is None
    decoration = Decoration.objects.get(pk=decoration.pk)
    assert decoration.status == DecorationStatus.CLOSED
    assert DecorationDeduction.objects.filter(decoration=decoration).count() == 1


def test_every_decoration_event_reads_as_a_sentence(world, frozen):
    from wuye.core.sentences import event_sentence

    decoration = carry(world, apply(world), "in_progress")
    for event in Event.objects.filter(subject_id=decoration.pk, verb__startswith="decorations."):
        text = str(event_sentence(event))
        assert text and "decorations." not in text


def test_a_refund_not_made_in_time_escalates_on_the_policys_ladder(world):
    from wuye.sla.engine import sweep

    with time_machine.travel(APPLIED, tick=False):
        decoration = carry(world, apply(world), "in_progress")
    with time_machine.travel(ACCEPTED, tick=False):
        decoration = services.accept(actor(world, "gongcheng"), decoration)
    clock = Clock.objects.get(key="decoration.refund", subject_id=decoration.pk)
    late = datetime(2026, 10, 13, 10, 0, tzinfo=SH)
    with time_machine.travel(late, tick=False):
        sweep(late)
    clock.refresh_from_db()
    # Breached at its deadline (Mon 12 Oct 17:00) and taken up the policy's ladder (finance's supervisor first).
    assert clock.breached_at == datetime(2026, 10, 12, 17, 0, tzinfo=SH) and clock.escalation_level >= 1
