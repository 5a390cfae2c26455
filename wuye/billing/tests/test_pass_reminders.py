"""Monthly parking passes: a daily job reminds the unit's owners (in the portal and by SMS) when a pass ends within
WUYE_PARKING_PASS_REMINDER_DAYS (7: seven days ahead reminded, eight not), once per pass and end date; an ended pass
is neither reminded nor billed; an owner or the desk renews a pass and the next runs bill the new months; the
owner's "My parking" page lists the passes with days left."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from wuye.billing.models import Bill, ChargeItem, ChargeKind, ParkingPass, Tariff
from wuye.billing.passes import months_later, remind_expiring_passes, renew_pass
from wuye.billing.runs import run_billing
from wuye.core.errors import Conflict, InvalidInput, NotAllowed
from wuye.core.models import Notification
from wuye.people.access import actor_for

TODAY = date(2026, 11, 20)


@pytest.fixture
def item(world):
    item = ChargeItem.objects.create(project=world.project1, code="parking-pass", name="机动车月卡",
                                     kind=ChargeKind.PARKING_PASS)
    Tariff.objects.create(item=item, basis="per_unit_month", rate=Decimal("300.00"), effective_from=date(2026, 1, 1))
    return item


def a_pass(world, item, ends_on, plate="沪A10001"):
    return ParkingPass.objects.create(project=world.project1, unit=world.owner_unit("yezhu"), item=item, plate=plate,
                                      space="B1-001", starts_on=date(2026, 1, 1), ends_on=ends_on)


def test_seven_days_ahead_is_reminded_eight_is_not(world, item):
    seven = a_pass(world, item, TODAY + timedelta(days=7), "沪A10007")
    a_pass(world, item, TODAY + timedelta(days=8), "沪A10008")
    a_pass(world, item, TODAY - timedelta(days=1), "沪A10000")  # ended yesterday: nothing
    a_pass(world, item, None, "沪A1000X")  # open-ended: nothing
    assert remind_expiring_passes(today=TODAY) == 2  # one owner, in the portal and by SMS
    sent = Notification.objects.filter(recipient=world.user("yezhu"), dedupe_key__startswith="billing.pass_reminder")
    assert sorted(sent.values_list("channel", flat=True)) == ["inapp", "sms"]
    assert {message.source_id for message in sent} == {seven.pk}
    message = sent.get(channel="inapp")
    assert "沪A10007" in message.subject_line and "2026-11-27" in message.subject_line
    assert message.link == reverse("billing:h5_parking")


def test_the_reminder_days_are_a_setting(world, item, settings):
    a_pass(world, item, TODAY + timedelta(days=8))
    settings.WUYE_PARKING_PASS_REMINDER_DAYS = 8
    assert remind_expiring_passes(today=TODAY) == 2


def test_a_rerun_or_the_next_day_reminds_nobody_twice_but_a_renewed_end_is_reminded_again(world, item):
    parking_pass = a_pass(world, item, TODAY + timedelta(days=3))
    assert remind_expiring_passes(today=TODAY) == 2
    assert remind_expiring_passes(today=TODAY) == 0
    assert remind_expiring_passes(today=TODAY + timedelta(days=1)) == 0
    renew_pass(actor_for(world.user("yezhu")), parking_pass, months=1, today=TODAY)
    parking_pass.refresh_from_db()
    assert parking_pass.ends_on == date(2026, 12, 23)
    assert remind_expiring_passes(today=date(2026, 12, 16)) == 2


def test_renewal_moves_the_end_by_whole_months_and_the_next_run_bills_them(world, item):
    parking_pass = a_pass(world, item, date(2026, 11, 30))
    run_billing(None, world.project1, date(2026, 12, 1))
    assert not Bill.objects.filter(item=item).exists()  # ended in November: December is not billed
    renewed = renew_pass(actor_for(world.user("kefu")), parking_pass, months=3, today=TODAY)
    assert renewed.ends_on == date(2027, 2, 28)
    run_billing(None, world.project1, date(2027, 1, 1))
    assert Bill.objects.get(item=item, period=date(2027, 1, 1)).amount == Decimal("300.00")
    assert renewed.ends_on and months_later(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert months_later(date(2026, 11, 15), 1) == date(2026, 12, 15)


def test_an_expired_pass_renews_from_today(world, item):
    parking_pass = a_pass(world, item, date(2026, 10, 31))
    renewed = renew_pass(actor_for(world.user("yezhu")), parking_pass, months=1, today=TODAY)
    assert renewed.ends_on == date(2026, 12, 19)


def test_who_may_renew_and_bounds(world, item):
    parking_pass = a_pass(world, item, TODAY + timedelta(days=3))
    for username in ("yezhu2", "kefu2", "gongcheng"):
        with pytest.raises(NotAllowed):
            renew_pass(actor_for(world.user(username)), parking_pass, months=1, today=TODAY)
    for months in (0, 13, "x", "-1"):
        with pytest.raises(InvalidInput) as error:
            renew_pass(actor_for(world.user("yezhu")), parking_pass, months=months, today=TODAY)
        assert error.value.problems[0].field == "months"
    with pytest.raises(Conflict):
        renew_pass(actor_for(world.user("yezhu")), a_pass(world, item, None, "沪A1000X"), months=1, today=TODAY)
    parking_pass.refresh_from_db()
    assert parking_pass.ends_on == TODAY + timedelta(days=3)


def test_my_parking_page_lists_passes_and_renews(world, login, item):
    parking_pass = a_pass(world, item, date(2099, 1, 31), "沪A12345")
    owner = login("yezhu")
    page = owner.get(reverse("billing:h5_parking"))
    html = page.content.decode()
    assert page.status_code == 200 and "沪A12345" in html and "B1-001" in html and "2099-01-31" in html
    assert 'name="viewport"' in html
    response = owner.post(reverse("billing:h5_parking_renew", args=[parking_pass.pk]), {"months": "2"})
    assert response.status_code == 302
    parking_pass.refresh_from_db()
    assert parking_pass.ends_on == date(2099, 3, 31)
    # Another owner neither sees nor renews it; staff go to the console.
    other = login("yezhu2")
    assert "沪A12345" not in other.get(reverse("billing:h5_parking")).content.decode()
    assert other.post(reverse("billing:h5_parking_renew", args=[parking_pass.pk]), {"months": "2"}).status_code == 404
    assert login("kefu").get(reverse("billing:h5_parking")).status_code == 302


def test_the_portal_has_a_my_parking_tile(world, login):
    assert reverse("billing:h5_parking") in login("yezhu").get(reverse("web:h5_home")).content.decode()


def test_the_reminder_is_a_daily_job():
    from wuye.core.scheduling import REGISTRY

    job = REGISTRY["billing.remind_parking_passes"]
    assert job.every == timedelta(days=1)
