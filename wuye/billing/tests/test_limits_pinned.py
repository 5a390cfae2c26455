"""The fee limits pinned with fixed dates (issue 10, point 6): the payment notice at least 15 days before the due
date, the reminder notice on the 30th day overdue and the lawyer's letter on the 60th (SPEC §3) — each a project
rule with the seed's default; one day more or less fails a test."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from wuye.billing.models import Bill, BillingNotice, ChargeItem, NoticeStage, Tariff
from wuye.billing.runs import run_billing
from wuye.people.access import actor_for
from wuye.sla.engine import sweep
from wuye.tenancy.rules import update_rules

SH = ZoneInfo("Asia/Shanghai")
DECEMBER = date(2026, 12, 1)


def at(*args):
    return datetime(*args, tzinfo=SH)


@pytest.fixture
def item(world):
    item = ChargeItem.objects.create(project=world.project1, code="property-fee", name="物业费", kind="property_fee")
    Tariff.objects.create(item=item, basis="per_m2_month", rate=Decimal("2.35"), effective_from=date(2020, 1, 1))
    return item


def due_dates(project) -> set[date]:
    return set(Bill.objects.filter(project=project).values_list("due_on", flat=True))


@pytest.mark.parametrize(("issued", "due"), [
    (at(2026, 12, 10, 9, 0), date(2026, 12, 31)),  # the period's end is later than 15 days: it stands
    (at(2026, 12, 16, 9, 0), date(2026, 12, 31)),  # exactly 15 days
    (at(2026, 12, 17, 9, 0), date(2027, 1, 1)),  # 14 days to the end would be too short: 15 days after issue
])
def test_bills_are_due_at_the_periods_end_but_never_sooner_than_15_days_after_issue(world, item, issued, due):
    run_billing(None, world.project1, DECEMBER, now=issued)
    assert due_dates(world.project1) == {due}
    notices = BillingNotice.objects.filter(stage=NoticeStage.PAYMENT_NOTICE)
    assert notices.exists() and {(n.issued_on, n.due_on) for n in notices} == {(issued.date(), due)}


def test_the_notice_lead_follows_the_projects_rule(world, item):
    update_rules(actor_for(world.user("jingli")), world.project1, {"notice_lead_days": 20}, reason="春节前提前通知")
    run_billing(None, world.project1, DECEMBER, now=at(2026, 12, 12, 9, 0))
    assert due_dates(world.project1) == {date(2027, 1, 1)}


@pytest.fixture
def overdue(world, item):
    """December billed on 12-17: every bill due 2027-01-01, so 01-02 is the first day overdue."""
    run_billing(None, world.project1, DECEMBER, now=at(2026, 12, 17, 9, 0))
    assert due_dates(world.project1) == {date(2027, 1, 1)}
    return Bill.objects.filter(project=world.project1).count()


def issued(stage) -> set[date]:
    return set(BillingNotice.objects.filter(stage=stage).values_list("issued_on", flat=True))


def test_the_reminder_comes_on_the_30th_day_overdue_and_the_lawyers_letter_on_the_60th(world, overdue):
    sweep(now=at(2027, 1, 30, 23, 59))  # day 29
    assert issued(NoticeStage.REMINDER) == set()
    sweep(now=at(2027, 1, 31, 0, 0))  # day 30
    assert issued(NoticeStage.REMINDER) == {date(2027, 1, 31)}
    lines = BillingNotice.objects.filter(stage=NoticeStage.REMINDER).first().lines
    assert [line["days_overdue"] for line in lines] == [30]
    sweep(now=at(2027, 3, 1, 23, 59))  # day 59
    assert issued(NoticeStage.LAWYER_LETTER) == set()
    sweep(now=at(2027, 3, 2, 0, 0))  # day 60
    assert issued(NoticeStage.LAWYER_LETTER) == {date(2027, 3, 2)}
    assert BillingNotice.objects.filter(stage=NoticeStage.LAWYER_LETTER).count() == overdue


def test_changed_dunning_days_apply_to_bills_already_running(world, overdue):
    # Bills issued under 30/60; the project moves to 20/45 before they fall due: the open clocks follow.
    update_rules(actor_for(world.user("jingli")), world.project1,
                 {"dunning_reminder_days": 20, "dunning_letter_days": 45}, reason="收缴率考核")
    sweep(now=at(2027, 1, 20, 23, 59))  # day 19
    assert issued(NoticeStage.REMINDER) == set()
    sweep(now=at(2027, 1, 21, 0, 0))  # day 20
    assert issued(NoticeStage.REMINDER) == {date(2027, 1, 21)}
    sweep(now=at(2027, 2, 14, 23, 59))  # day 44
    assert issued(NoticeStage.LAWYER_LETTER) == set()
    sweep(now=at(2027, 2, 15, 0, 0))  # day 45
    assert issued(NoticeStage.LAWYER_LETTER) == {date(2027, 2, 15)}


def test_a_later_reminder_day_is_not_acted_on_early(world, overdue):
    update_rules(actor_for(world.user("jingli")), world.project1, {"dunning_reminder_days": 40}, reason="放宽")
    sweep(now=at(2027, 1, 31, 0, 0))  # day 30: the old rung, no longer the rule
    assert issued(NoticeStage.REMINDER) == set()
    sweep(now=at(2027, 2, 10, 0, 0))  # day 40
    assert issued(NoticeStage.REMINDER) == {date(2027, 2, 10)}
