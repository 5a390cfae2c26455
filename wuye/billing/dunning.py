"""Payment deadlines and the letters that follow them (§3): every bill runs a `billing.payment` clock on the SLA
engine from issue to its due date; the policy's quiet rungs at 30 and 60 days overdue make this module issue the
reminder notice (催缴通知书) and the lawyer's letter (律师函). Paying, writing off or crediting a bill stops its clock,
so nothing more is sent once the debt is settled."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from wuye.sla import engine

from .models import Bill

PAYMENT_DEADLINE = "billing.payment"


def due_moment(due_on: date) -> datetime:
    """A bill is due until the end of its due day (local time)."""
    return timezone.make_aware(datetime.combine(due_on + timedelta(days=1), time.min))


def start_payment_deadlines(project, bills, *, at: datetime | None = None) -> int:
    """Start the payment clock of each new bill (bulk: a billing run starts one per bill)."""
    return engine.start_clocks([(bill, due_moment(bill.due_on)) for bill in bills], PAYMENT_DEADLINE,
                               project=project, at=at)


def bills_settled(bill_ids, *, at: datetime | None = None) -> int:
    """Stop the clocks of bills that are paid in full: no reminder or lawyer's letter follows."""
    return engine.stop_clocks(Bill, bill_ids, PAYMENT_DEADLINE, at=at) if bill_ids else 0


def bills_reopened(project, bills) -> int:
    """A refund made these bills owe again: their deadlines run again from the original due date."""
    return start_payment_deadlines(project, [bill for bill in bills if not bill.is_settled])
