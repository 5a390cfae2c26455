"""The demo's month of work orders (wuye.demo.tickets): made through the services, in many states, on record.

The full demo (two projects, ~2,000 units, ~300 tickets) is built once for the module and rolled back at the end;
every test reads it (several seconds on SQLite, most of it the ticket services themselves).
"""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Count
from django.test import override_settings
from django.utils import timezone

from wuye.billing.services import source_bills
from wuye.core.events import timeline
from wuye.core.models import Event, Notification
from wuye.demo.builders import build_demo_company
from wuye.demo.tickets import DEMO_TICKETS
from wuye.sla.models import Clock, ClockState
from wuye.workorders.models import OPEN_STATUSES, ChargeLine, FeeChoice, Kind, Status, Ticket


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    from wuye.sla.standards import install_standards

    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast, transaction.atomic():
        install_standards()
        started = timezone.now()
        company = build_demo_company(tickets=DEMO_TICKETS)
        yield {"company": company, "started": started}
        transaction.set_rollback(True)  # leave the test database as empty as the other tests expect it


@pytest.fixture
def tickets(demo, db):
    return Ticket.objects.filter(project__company=demo["company"])


def test_a_few_hundred_tickets_of_every_kind_over_the_last_month(tickets, demo):
    assert DEMO_TICKETS * 0.9 <= tickets.count() <= DEMO_TICKETS * 1.1
    assert set(tickets.values_list("kind", flat=True)) == set(Kind.values)
    assert set(tickets.values_list("project__code", flat=True)) == {"jinhua-garden", "cuihu-bay"}
    oldest = tickets.order_by("created_at").first().created_at
    assert timezone.timedelta(days=25) < demo["started"] - oldest < timezone.timedelta(days=31)
    repairs = tickets.filter(kind=Kind.REPAIR)
    assert set(repairs.values_list("urgency", flat=True)) == {"emergency", "general"}
    assert set(tickets.filter(kind=Kind.COMPLAINT).values_list("urgency", flat=True)) == {
        "urgent", "important", "general"}
    assert tickets.filter(channel="portal", reporter__username="yezhu").exists()


def test_tickets_are_in_many_states(tickets):
    statuses = set(tickets.values_list("status", flat=True))
    assert {Status.NEW, Status.DISPATCHED, Status.ACCEPTED, Status.ON_SITE, Status.PAUSED, Status.COMPLETED,
            Status.CONFIRMED, Status.ASSIGNED, Status.PENDING_APPROVAL, Status.RESOLVED, Status.REPLIED,
            Status.CLOSED, Status.CANCELLED} <= statuses
    closed = tickets.filter(status=Status.CLOSED).count()
    assert 0.6 * tickets.count() < closed < 0.95 * tickets.count()  # mostly done, plenty still in hand


def test_clocks_were_met_and_breached_and_some_open_ones_are_overdue_or_at_risk(tickets):
    now = timezone.now()
    # The tickets' own clocks (bills charged to owners' accounts have payment deadlines of their own).
    clocks = Clock.objects.filter(project__company=tickets.first().project.company,
                                  subject_type=ContentType.objects.get_for_model(Ticket))
    states = dict(clocks.values_list("state").annotate(n=Count("id")))
    assert states[ClockState.MET] > states[ClockState.BREACHED] > 20
    overdue = clocks.overdue(now)
    assert overdue.count() >= 3
    assert overdue.filter(escalation_level__gte=1).exists()  # the sweep ran over them
    assert clocks.at_risk(now).count() >= 2
    assert clocks.filter(state=ClockState.PAUSED).exists()
    open_ids = set(tickets.filter(status__in=OPEN_STATUSES).values_list("pk", flat=True))
    assert set(overdue.values_list("subject_id", flat=True)) <= open_ids


def test_timelines_are_on_record_in_the_past_in_order(tickets, demo):
    for ticket in tickets.order_by("?")[:25]:
        events = list(timeline(ticket))
        assert events and events[0].verb == "ticket.created"
        assert events[0].created_at == ticket.created_at
        times = [event.created_at for event in events]
        assert times == sorted(times)
        assert times[-1] <= timezone.now()
    assert not Event.objects.filter(created_at__gt=timezone.now()).exists()
    # Warnings and escalations reached people's inboxes, dated when the sweep sent them.
    sla_messages = Notification.objects.filter(dedupe_key__startswith="sla:")
    assert sla_messages.count() > 20
    assert sla_messages.filter(created_at__lt=demo["started"] - timezone.timedelta(days=7)).exists()


def test_repairs_carry_charges_warranty_repeats_and_return_visits(tickets):
    assert ChargeLine.objects.filter(ticket__in=tickets).count() > 20
    # Fees either paid on the spot (a payment with its receipt) or on the owner's account (a bill).
    taken = set(ChargeLine.objects.filter(ticket__in=tickets).exclude(taken_as="").values_list("taken_as", flat=True))
    assert taken == {FeeChoice.PAID_ON_SITE, FeeChoice.ON_ACCOUNT}
    paid = ChargeLine.objects.filter(ticket__in=tickets, taken_as=FeeChoice.PAID_ON_SITE).first()
    assert source_bills([paid]).state == "paid" and source_bills([paid]).receipts
    assert tickets.filter(under_warranty=True, contractor__gt="").count() >= 1
    assert tickets.filter(repeat_of__isnull=False).exists()
    scores = set(tickets.exclude(satisfaction=None).values_list("satisfaction", flat=True))
    assert {3, 4, 5} <= scores
    closed_repair = tickets.filter(kind=Kind.REPAIR, status=Status.CLOSED).first()
    verbs = [event.verb for event in timeline(closed_repair)]
    for verb in ("ticket.dispatch", "ticket.arrive", "ticket.complete", "ticket.return_visit", "ticket.close"):
        assert verb in verbs
