"""Payment notices with each billing run, the reminder notice at 30 days overdue and the lawyer's letter at 60 —
issued by the SLA engine's sweep, stopped by payment, resumed by a refund, printed as Chinese PDFs."""

import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pypdf
import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from wuye.billing import dunning
from wuye.billing.documents import amount_in_words, notice_pdf
from wuye.billing.models import Bill, BillingNotice, ChargeItem, NoticeStage, Tariff, days_overdue
from wuye.billing.runs import run_billing
from wuye.billing.services import open_bills, pay, post_charge, refund
from wuye.core.events import timeline
from wuye.core.models import Notification
from wuye.core.money import format_money
from wuye.people.access import actor_for
from wuye.people.models import OWNING_RELATIONS, Residency
from wuye.sla.engine import sweep
from wuye.tenancy.models import Unit

NOTICE_LEAD = timedelta(days=15)  # the payment-notice lead's default (project rule; SPEC §3)

DAY = timedelta(days=1)


@pytest.fixture
def billed(world):
    """Project 1 billed for this month now; returns the moment its bills fall due (end of the due day)."""
    item = ChargeItem.objects.create(project=world.project1, code="property-fee", name="物业费", kind="property_fee")
    Tariff.objects.create(item=item, basis="per_m2_month", rate=Decimal("2.35"), effective_from=date(2020, 1, 1))
    now = timezone.now()
    run_billing(None, world.project1, timezone.localdate(now).replace(day=1), now=now)
    return dunning.due_moment(Bill.objects.filter(project=world.project1).first().due_on)


def pdf_text(notice) -> str:
    data = notice_pdf(notice).render()
    # pypdf puts spaces (and NULs) between CJK glyphs.
    return re.sub(r"[\s\x00]+", "", "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages))


def owner_users(unit):
    return {r.resident.user for r in Residency.objects.current().filter(unit=unit, relation__in=OWNING_RELATIONS,
                                                                         resident__user__isnull=False)}


def notices(stage, **filters):
    return BillingNotice.objects.filter(stage=stage, **filters)


# -- payment notices -------------------------------------------------------------------------------------------
def test_a_billing_run_issues_one_payment_notice_per_unit_due_at_least_15_days_later(world, billed):
    units = Unit.objects.filter(project=world.project1)
    issued = notices(NoticeStage.PAYMENT_NOTICE)
    assert issued.count() == units.count()
    for notice in issued.prefetch_related("bills"):
        bills = list(Bill.objects.filter(unit=notice.unit))
        assert set(notice.bills.all()) == set(bills)
        assert notice.due_on >= notice.issued_on + NOTICE_LEAD
        assert notice.total == sum(bill.outstanding for bill in bills)
        assert [line["outstanding"] for line in notice.lines] == [str(bill.outstanding) for bill in bills]
    # Owners with a portal login are told, with a link to the PDF on the owner portal.
    unit = world.owner_unit("yezhu")
    notice = issued.get(unit=unit)
    message = Notification.objects.get(recipient=world.user("yezhu"), source_id=notice.pk)
    assert message.link == f"/h5/notices/{notice.pk}.pdf"
    assert {m.recipient for m in Notification.objects.filter(link=message.link)} == owner_users(unit)


def test_rerunning_the_period_issues_no_second_notice(world, billed):
    before = (BillingNotice.objects.count(), Notification.objects.count())
    run_billing(None, world.project1, timezone.localdate().replace(day=1))
    assert (BillingNotice.objects.count(), Notification.objects.count()) == before


def test_the_next_months_notice_lists_unpaid_bills_as_arrears(world, billed):
    unit = world.owner_unit("yezhu")
    later = billed + 20 * DAY
    next_period = (timezone.localdate(later).replace(day=1) + timedelta(days=32)).replace(day=1)
    run_billing(None, world.project1, next_period, now=later)
    notice = notices(NoticeStage.PAYMENT_NOTICE, unit=unit, issued_on=timezone.localdate(later)).get()
    bills = list(Bill.objects.filter(unit=unit).order_by("due_on"))
    assert len(bills) == 2 and [line["bill"] for line in notice.lines] == [bill.pk for bill in bills]
    assert notice.lines[0]["days_overdue"] == days_overdue(bills[0].due_on, timezone.localdate(later)) > 0
    assert notice.due_on == bills[1].due_on
    assert notice.total == bills[0].outstanding + bills[1].outstanding


def test_a_chunk_costs_the_same_few_queries_whatever_its_size(world):
    item = ChargeItem.objects.create(project=world.project1, code="fee", name="物业费", kind="property_fee")
    units = list(Unit.objects.filter(project=world.project1))
    due = timezone.localdate() + NOTICE_LEAD
    bills = Bill.objects.bulk_create([Bill(project=world.project1, unit=unit, item=item, amount=Decimal("100.00"),
                                           due_on=due, period=date(2026, 1, 1)) for unit in units])
    # An owner with a portal login in each slice (yezhu lives in the second unit), so both slices notify someone.
    last_owner = Residency.objects.current().filter(unit=units[-1], relation="owner").first().resident
    last_owner.user = get_user_model().objects.create_user("owner-of-the-last-unit")
    last_owner.save()
    dunning.issue_payment_notices(world.project1, bills[:1], timezone.now())  # content types now cached
    with CaptureQueriesContext(connection) as few:
        dunning.issue_payment_notices(world.project1, bills[1:3], timezone.now())
    with CaptureQueriesContext(connection) as many:
        dunning.issue_payment_notices(world.project1, bills[3:], timezone.now())
    assert len(units) > 6 and len(many) == len(few) <= 12  # 12: the batch's one event
    assert BillingNotice.objects.count() == len(units)


# -- dunning ---------------------------------------------------------------------------------------------------
def test_reminder_notice_at_30_days_overdue_not_at_29(world, billed):
    sweep(now=billed + 29 * DAY - timedelta(minutes=1))
    assert not notices(NoticeStage.REMINDER).exists()
    sweep(now=billed + 29 * DAY + timedelta(hours=3))
    owing = Unit.objects.filter(project=world.project1)
    reminders = notices(NoticeStage.REMINDER)
    assert reminders.count() == owing.count()
    for notice in reminders:
        assert notice.issued_on == timezone.localdate(billed + 29 * DAY)  # the rung's day, not the sweep's
        assert notice.due_on == notice.issued_on + dunning.GRACE
        assert [line["days_overdue"] for line in notice.lines] == [30]
    notice = reminders.get(unit=world.owner_unit("yezhu"))
    assert Notification.objects.filter(recipient=world.user("yezhu"), link__endswith=f"/{notice.pk}.pdf").exists()
    event = timeline(notice).get()
    assert event.verb == "billing.notice_issued" and event.data["total"] == str(notice.total)
    # Finance hears once per project for the whole batch, not per bill.
    owed = sum(notice.total for notice in reminders)
    finance = Notification.objects.filter(recipient=world.user("caiwu"), subject_line__contains=format_money(owed))
    assert finance.count() == 1
    assert re.search(rf"\D{owing.count()}\D", finance.get().subject_line)  # the number of reminders, any language
    assert not notices(NoticeStage.LAWYER_LETTER).exists()


def test_lawyers_letter_at_60_days_and_a_second_sweep_sends_nothing_again(world, billed):
    sweep(now=billed + 29 * DAY)
    sweep(now=billed + 59 * DAY - timedelta(minutes=1))
    assert not notices(NoticeStage.LAWYER_LETTER).exists()
    sweep(now=billed + 59 * DAY)
    letters = notices(NoticeStage.LAWYER_LETTER)
    assert letters.count() == Unit.objects.filter(project=world.project1).count()
    counts = (BillingNotice.objects.count(), Notification.objects.count())
    sweep(now=billed + 59 * DAY)
    sweep(now=billed + 89 * DAY)
    assert (BillingNotice.objects.count(), Notification.objects.count()) == counts


def test_paid_at_day_40_gets_the_reminder_but_no_lawyers_letter(world, billed):
    unit = world.owner_unit("yezhu")
    sweep(now=billed + 29 * DAY)
    assert notices(NoticeStage.REMINDER, unit=unit).exists()
    owed = sum(bill.outstanding for bill in open_bills(Bill.objects.filter(unit=unit)))
    pay(actor_for(world.user("caiwu")), unit, owed, channel="cash", idempotency_key="day-40", now=billed + 40 * DAY)
    sweep(now=billed + 60 * DAY)
    assert not notices(NoticeStage.LAWYER_LETTER, unit=unit).exists()
    others = Unit.objects.filter(project=world.project1).exclude(pk=unit.pk)
    assert notices(NoticeStage.LAWYER_LETTER).count() == others.count()


def test_a_refund_reopening_the_bill_starts_its_deadline_again(world, billed):
    unit = world.owner_unit("yezhu")
    caiwu = actor_for(world.user("caiwu"))
    sweep(now=billed + 29 * DAY)
    owed = sum(bill.outstanding for bill in open_bills(Bill.objects.filter(unit=unit)))
    payment, _ = pay(caiwu, unit, owed, channel="cash", idempotency_key="day-40", now=billed + 40 * DAY)
    refund(caiwu, payment, owed, reason="转账退回")
    sweep(now=billed + 59 * DAY)
    letter = notices(NoticeStage.LAWYER_LETTER, unit=unit).get()
    assert letter.total == owed
    assert notices(NoticeStage.REMINDER, unit=unit).count() == 1  # not sent again for the same day


def test_a_reminder_lists_every_open_overdue_bill_of_the_unit(world, billed):
    unit = world.owner_unit("yezhu")
    item = ChargeItem.objects.get(project=world.project1, code="property-fee")
    current = Bill.objects.get(unit=unit)
    older = post_charge(None, unit, item, "88.80", due_on=current.due_on - 20 * DAY, description="装修垃圾清运费")
    first_moment = dunning.due_moment(older.due_on) + 29 * DAY
    sweep(now=first_moment)  # the older bill reaches 30 days first; the current one is overdue too by then
    notice = notices(NoticeStage.REMINDER, unit=unit).get()
    assert [(line["bill"], line["days_overdue"]) for line in notice.lines] == [(older.pk, 30), (current.pk, 10)]
    assert notice.total == older.outstanding + current.outstanding
    sweep(now=billed + 29 * DAY)
    latest = notices(NoticeStage.REMINDER, unit=unit).order_by("-issued_on").first()
    assert latest != notice and latest.issued_on == timezone.localdate(billed + 29 * DAY)
    assert [(line["bill"], line["days_overdue"]) for line in latest.lines] == [(older.pk, 50), (current.pk, 30)]


# -- PDFs --------------------------------------------------------------------------------------------------------
def test_the_pdfs_say_what_is_owed_in_chinese(world, billed):
    unit = world.owner_unit("yezhu")
    sweep(now=billed + 59 * DAY)
    owed = sum(bill.outstanding for bill in Bill.objects.filter(unit=unit))
    payment_notice = notices(NoticeStage.PAYMENT_NOTICE, unit=unit).get()
    text = pdf_text(payment_notice)
    assert "缴费通知单" in text and unit.label in text and f"{owed:,.2f}" in text
    assert amount_in_words(owed) in text and world.company.name in text
    reminder = notices(NoticeStage.REMINDER, unit=unit).get()
    text = pdf_text(reminder)
    assert "催缴通知书" in text and unit.label in text and f"{owed:,.2f}" in text and "物业服务合同" in text
    assert f"{reminder.due_on.year}年{reminder.due_on.month}月{reminder.due_on.day}日前" in text
    letter = notices(NoticeStage.LAWYER_LETTER, unit=unit).get()
    text = pdf_text(letter)
    assert "律师函" in text and unit.label in text and f"{owed:,.2f}" in text and "律师事务所" in text
    assert f"{reminder.issued_on.month}月{reminder.issued_on.day}日向您发出《催缴通知书》" in text
    # Printed from the snapshot: paying later does not change what the letter said.
    pay(actor_for(world.user("caiwu")), unit, owed, channel="cash", idempotency_key="later")
    assert f"{owed:,.2f}" in pdf_text(letter)


@pytest.mark.parametrize("amount, words", [
    ("1234.50", "壹仟贰佰叁拾肆元伍角整"),
    ("1234.56", "壹仟贰佰叁拾肆元伍角陆分"),
    ("1234.05", "壹仟贰佰叁拾肆元零伍分"),
    ("1234", "壹仟贰佰叁拾肆元整"),
    ("0", "零元整"),
    ("0.50", "伍角整"),
    ("0.07", "柒分"),
    ("10", "壹拾元整"),
    ("1004", "壹仟零肆元整"),
    ("10010", "壹万零壹拾元整"),
    ("100000", "壹拾万元整"),
    ("1000000.01", "壹佰万元零壹分"),
    ("100200300", "壹亿零贰拾万零叁佰元整"),
    ("100001000", "壹亿零壹仟元整"),
    ("-320.5", "负叁佰贰拾元伍角整"),
    ("3.005", "叁元零壹分"),
])
def test_amount_in_chinese_capitals(amount, words):
    assert amount_in_words(Decimal(amount)) == words


def test_a_notice_issued_meanwhile_by_another_process_wins(world, billed, monkeypatch):
    monkeypatch.setattr(dunning, "_already_issued", lambda drafts: set())  # as if checked before the other wrote
    bill = Bill.objects.filter(project=world.project1).first()
    before = list(BillingNotice.objects.values_list("pk", "issued_at"))
    assert dunning.issue_payment_notices(world.project1, [bill], timezone.now()) == []
    assert list(BillingNotice.objects.values_list("pk", "issued_at")) == before
