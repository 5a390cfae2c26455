"""Done when: finance logs a call on a household in arrears with a promised date and finds the reminder on that
date; the household shows in the 'promised today' view that day and among the broken promises once the grace days
have passed with nothing paid."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine
from django.urls import reverse

from wuye.billing.services import pay
from wuye.collection.jobs import remind_promises
from wuye.collection.models import ContactLog
from wuye.collection.services import log_contact
from wuye.core.models import Notification
from wuye.core.scheduling import REGISTRY
from wuye.people.access import actor_for

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int = 9) -> datetime:
    return datetime(2026, 12, day, hour, tzinfo=SHANGHAI)


def listed(response) -> list[str]:
    return re.findall(r'<tr data-unit="([^"]+)"', response.content.decode())


def test_finance_logs_a_promise_and_is_reminded_on_the_promised_date(desk, login, world):
    unit = desk.units[0]
    desk.owe(unit, "1234.50", date(2026, 10, 31))
    caiwu = world.user("caiwu")
    client = login("caiwu")
    with time_machine.travel(at(1, 10), tick=False):
        response = client.post(reverse("collection:log_contact", args=[unit.pk]), {
            "method": "call", "outcome": "promised", "promised_on": "2026-12-05", "note": "月底发工资后缴"})
        assert response.status_code == 302
        page = client.get(reverse("collection:worklist"))
    contact = ContactLog.objects.get(unit=unit)
    assert (contact.logged_by, contact.promised_on, contact.owed) == (caiwu, date(2026, 12, 5), Decimal("1234.50"))
    html = page.content.decode()
    assert "2026-12-05" in html and "12-01" in html  # the household's line: last contact and the promise

    assert remind_promises(now=at(4, 23)) == 0  # the day before: nothing yet
    assert not Notification.objects.filter(recipient=caiwu).exists()
    assert remind_promises(now=at(5, 8)) == 1
    reminder = Notification.objects.get(recipient=caiwu)
    assert reminder.link == reverse("collection:household", args=[unit.pk])
    assert unit.label in reminder.subject_line and "¥1,234.50" in reminder.subject_line
    assert remind_promises(now=at(5, 9)) == 0  # run again (or by a second scheduler): told once
    assert Notification.objects.filter(recipient=caiwu).count() == 1
    assert "collection.remind_promises" in REGISTRY

    # The clerk follows the message's link to the household and finds the promise on its page.
    with time_machine.travel(at(5, 9), tick=False):
        household = client.get(reminder.link)
        today = client.get(reverse("collection:worklist"), {"view": "promised_today"})
    assert household.status_code == 200 and "月底发工资后缴" in household.content.decode()
    assert listed(today) == [unit.label]


def test_no_reminder_when_a_later_contact_replaced_the_promise_or_the_debt_is_paid(desk, world):
    first, second = desk.units[:2]
    desk.owe(first, "300.00", date(2026, 10, 31))
    desk.owe(second, "300.00", date(2026, 10, 31))
    caiwu = actor_for(world.user("caiwu"))
    with time_machine.travel(at(1, 10), tick=False):
        log_contact(caiwu, first, method="call", outcome="promised", promised_on=date(2026, 12, 5))
        log_contact(caiwu, second, method="call", outcome="promised", promised_on=date(2026, 12, 5))
    with time_machine.travel(at(2, 10), tick=False):
        log_contact(caiwu, first, method="visit", outcome="disputed")
        pay(None, second, Decimal("300.00"), channel="cash", idempotency_key="paid-in-full")
    assert remind_promises(now=at(5, 8)) == 0
    assert not Notification.objects.filter(recipient=caiwu.user).exists()
    assert ContactLog.objects.filter(outcome="promised", reminded_at__isnull=True).count() == 0  # handled


def test_a_promise_is_broken_three_days_after_its_date_unless_something_was_paid(desk, login, world):
    kept, broken = desk.units[:2]
    for unit in (kept, broken):
        desk.owe(unit, "300.00", date(2026, 10, 31))
        desk.owe(unit, "300.00", date(2026, 11, 30))
    caiwu = actor_for(world.user("caiwu"))
    with time_machine.travel(at(1, 10), tick=False):
        log_contact(caiwu, kept, method="call", outcome="promised", promised_on=date(2026, 12, 5))
        log_contact(caiwu, broken, method="call", outcome="promised", promised_on=date(2026, 12, 5))
    with time_machine.travel(at(6, 10), tick=False):
        pay(None, kept, Decimal("300.00"), channel="cash", idempotency_key="part")  # still owes November
    client = login("caiwu")
    url = reverse("collection:worklist")
    with time_machine.travel(at(7, 23), tick=False):
        assert listed(client.get(url, {"view": "broken"})) == []  # two days after: not yet
    with time_machine.travel(at(8, 0), tick=False):
        assert listed(client.get(url, {"view": "broken"})) == [broken.label]
        assert set(listed(client.get(url))) == {kept.label, broken.label}
