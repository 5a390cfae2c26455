"""Messages that lead somewhere, through the pages: an owner taps a message in the portal and lands on its page
(now read); staff tap a ticket message and land on the console's ticket page; the type tabs filter; "mark all
read" clears all or one type; a dunning rerun brings no new unread message."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from wuye.billing import dunning
from wuye.billing.models import Bill, BillingNotice, ChargeItem, NoticeStage, Tariff
from wuye.billing.runs import run_billing
from wuye.core.models import Notification, NotificationKind
from wuye.people.access import actor_for
from wuye.sla.engine import sweep
from wuye.workorders.services import ActionInput, TicketInput, create_ticket, perform


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # pages are Chinese unless the switch chose English
    return client


@pytest.fixture(autouse=True)
def empty_inboxes(world):
    Notification.objects.all().delete()  # the demo's welcome messages


def unread(user, **filters):
    return Notification.objects.inbox(user).unread().filter(**filters)


@pytest.fixture
def repaired(world):
    """yezhu reports a burst pipe in the portal; customer service dispatches it, the engineer repairs it."""
    yezhu, kefu, engineer = (actor_for(world.user(name)) for name in ("yezhu", "kefu", "gongcheng"))
    with override("en"):
        ticket = create_ticket(yezhu, project=world.project1, data=TicketInput(
            kind="repair", channel="portal", unit=world.owner_unit("yezhu"),
            description="厨房水管爆裂，水流到客厅了，请尽快来修"))
        ticket = perform(kefu, ticket, "dispatch", ActionInput(assignee=engineer.user))
        for step in ("accept", "arrive"):
            ticket = perform(engineer, ticket, step)
        ticket = perform(engineer, ticket, "complete", ActionInput(work_done="更换三通接头"))
    return ticket


def test_the_owners_messages_say_what_happened_to_their_repair(world, repaired):
    titles = list(Notification.objects.inbox(world.user("yezhu")).values_list("subject_line", flat=True))
    assert titles == ["Your repair “厨房水管爆裂” is done — please check and sign off",
                      f"Your repair “厨房水管爆裂” has been sent to Engineering department "
                      f"{world.user('gongcheng').get_full_name()}"]
    assert all(repaired.number not in title for title in titles)  # the owner's words, not a number
    done = Notification.objects.inbox(world.user("yezhu")).first()
    assert "更换三通接头" in done.body and done.kind == NotificationKind.TICKET


def test_an_owner_taps_a_message_and_lands_on_the_repair_in_the_portal(world, repaired, login):
    yezhu = world.user("yezhu")
    message = Notification.objects.inbox(yezhu).first()
    assert message.link == reverse("workorders:h5_ticket", args=[repaired.pk])
    client = english(login("yezhu"))
    inbox = client.get(reverse("web:h5_notifications"))
    tap = reverse("web:h5_notification_open", args=[message.pk])
    assert tap.encode() in inbox.content  # the row leads somewhere
    page = client.get(tap, follow=True)
    assert page.status_code == 200
    assert page.redirect_chain == [(message.link, 302)]
    assert "厨房水管爆裂" in page.content.decode()  # the repair's own page
    message.refresh_from_db()
    assert message.read_at is not None
    assert unread(yezhu).count() == 1  # the dispatch message is still new


def test_an_owner_taps_a_fee_notice_and_gets_the_notice(world, login):
    item = ChargeItem.objects.create(project=world.project1, code="property-fee", name="物业费", kind="property_fee")
    Tariff.objects.create(item=item, basis="per_m2_month", rate=Decimal("2.35"), effective_from=timezone.localdate()
                          - timedelta(days=400))
    with override("en"):
        run_billing(None, world.project1, timezone.localdate().replace(day=1))
    yezhu = world.user("yezhu")
    message = Notification.objects.inbox(yezhu).get()
    notice = BillingNotice.objects.get(unit=world.owner_unit("yezhu"))
    assert message.kind == NotificationKind.BILLING and message.is_unread
    assert message.subject_line.startswith(f"Payment notice: {notice.unit.label} ")
    assert "物业费" in message.subject_line and "¥" in message.subject_line
    assert notice.due_on.strftime("%m-%d") in message.subject_line
    response = login("yezhu").get(reverse("web:h5_notification_open", args=[message.pk]), follow=True)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.redirect_chain == [(reverse("billing:h5_notice_pdf", args=[notice.pk]), 302)]
    assert not unread(yezhu).exists()


def test_staff_tap_a_ticket_message_and_land_on_the_console_ticket(world, repaired, login):
    kefu = world.user("kefu")
    message = Notification.objects.inbox(kefu).get(source_id=repaired.pk)  # the owner's new report
    assert message.link == repaired.get_absolute_url()
    client = login("kefu")
    assert reverse("web:notification_open", args=[message.pk]).encode() in client.get(
        reverse("web:notifications")).content
    page = client.get(reverse("web:notification_open", args=[message.pk]), follow=True)
    assert page.status_code == 200 and page.redirect_chain == [(repaired.get_absolute_url(), 302)]
    assert page.resolver_match.view_name == "workorders:ticket"
    message.refresh_from_db()
    assert message.read_at is not None
    engineer = Notification.objects.inbox(world.user("gongcheng")).get()
    assert engineer.link == repaired.get_absolute_url() and "厨房水管爆裂" in engineer.subject_line


def test_a_message_never_sends_its_reader_off_the_site(world, login):
    yezhu, kefu = world.user("yezhu"), world.user("kefu")
    # Written past compose() (which drops such links), as an old row or a bad import might be.
    evil = Notification.objects.create(recipient=yezhu, subject_line="x", link="https://evil.example/")
    console = Notification.objects.create(recipient=yezhu, subject_line="y", link="/console/tickets/1/")
    staff_evil = Notification.objects.create(recipient=kefu, subject_line="z", link="//evil.example/")
    client = login("yezhu")
    for message in (evil, console):
        response = client.get(reverse("web:h5_notification_open", args=[message.pk]))
        assert response.status_code == 302 and response["Location"] == reverse("web:h5_notifications")
    response = login("kefu").get(reverse("web:notification_open", args=[staff_evil.pk]))
    assert response["Location"] == reverse("web:notifications")
    # Someone else's message is not there at all.
    assert client.get(reverse("web:h5_notification_open", args=[staff_evil.pk])).status_code == 404
    assert login("kefu").get(reverse("web:notification_open", args=[evil.pk])).status_code == 404
    staff_evil.refresh_from_db()
    assert staff_evil.read_at is not None  # opened, so read, even though it led back to the inbox


def messages_on(response) -> list[str]:
    return [m.subject_line for m in response.context["page"].object_list]


def test_type_tabs_filter_the_inbox_and_mark_all_read_clears_one_type_or_all(world, repaired, login):
    yezhu = world.user("yezhu")
    Notification.objects.create(recipient=yezhu, subject_line="缴费通知", kind=NotificationKind.BILLING)
    client = login("yezhu")
    url = reverse("web:h5_notifications")
    assert len(messages_on(client.get(url))) == 3
    assert messages_on(client.get(url, {"kind": "billing"})) == ["缴费通知"]
    assert len(messages_on(client.get(url, {"kind": "ticket"}))) == 2
    tabs = {tab["value"]: tab["unread"] for tab in client.get(url).context["kinds"]}
    assert tabs == {"": 3, "ticket": 2, "billing": 1, "system": 0}  # owners have no approvals tab
    partial = client.get(url, {"kind": "billing"}, HTTP_HX_REQUEST="true")
    assert b"<html" not in partial.content and b'id="h5-message-list"' in partial.content

    response = client.post(reverse("web:h5_notifications_read_all"), {"kind": "ticket"})
    assert response["Location"] == f"{url}?kind=ticket"
    assert list(unread(yezhu).values_list("subject_line", flat=True)) == ["缴费通知"]
    client.post(reverse("web:h5_notifications_read_all"))
    assert not unread(yezhu).exists()


def test_the_console_inbox_filters_by_type_and_marks_one_type_read(world, login):
    jingli = world.user("jingli")
    Notification.objects.create(recipient=jingli, subject_line="退款待审批", kind=NotificationKind.APPROVAL,
                                link="/console/billing/refunds/")
    Notification.objects.create(recipient=jingli, subject_line="投诉已分派", kind=NotificationKind.TICKET)
    client = login("jingli")
    url = reverse("web:notifications")
    assert messages_on(client.get(url, {"kind": "approval"})) == ["退款待审批"]
    page = english(client).get(url, {"kind": "approval"}).content.decode()
    assert "Mark these as read" in page and "Approval requests" in page
    client.post(reverse("web:notifications_read_all"), {"kind": "approval"})
    assert list(unread(jingli).values_list("subject_line", flat=True)) == ["投诉已分派"]
    client.post(reverse("web:notifications_read_all"))
    assert not unread(jingli).exists()


def test_a_dunning_rerun_or_a_reissue_makes_no_new_unread_message(world, login):
    item = ChargeItem.objects.create(project=world.project1, code="property-fee", name="物业费", kind="property_fee")
    Tariff.objects.create(item=item, basis="per_m2_month", rate=Decimal("2.35"), effective_from=timezone.localdate()
                          - timedelta(days=400))
    now = timezone.now()
    run_billing(None, world.project1, timezone.localdate(now).replace(day=1), now=now)
    due = dunning.due_moment(Bill.objects.filter(project=world.project1).first().due_on)
    sweep(now=due + timedelta(days=29, hours=1))  # the reminder notices
    yezhu = world.user("yezhu")
    assert unread(yezhu, subject_line__startswith="Reminder").count() + unread(
        yezhu, subject_line__startswith="催缴").count() == 1
    before = (Notification.objects.count(), unread(yezhu).count())

    sweep(now=due + timedelta(days=29, hours=2))  # the sweep again
    run_billing(None, world.project1, timezone.localdate(now).replace(day=1), now=now)  # the run again
    # The same reminder issued again on another day (the desk printing the building's notices): same bills, same
    # amounts — the owner already has it.
    reminder = BillingNotice.objects.get(unit=world.owner_unit("yezhu"), stage=NoticeStage.REMINDER)
    again = BillingNotice.objects.create(project=reminder.project, unit=reminder.unit, stage=reminder.stage,
                                         issued_on=reminder.issued_on + timedelta(days=1),
                                         issued_at=reminder.issued_at + timedelta(days=1), due_on=reminder.due_on,
                                         total=reminder.total, lines=reminder.lines)
    assert dunning._notify_owners([again], {again.unit_id: again.unit.label}) == 0
    assert (Notification.objects.count(), unread(yezhu).count()) == before

    # The portal says the same: one new fee message, its tab counts one.
    tabs = {tab["value"]: tab["unread"] for tab in login("yezhu").get(reverse("web:h5_notifications")).context["kinds"]}
    assert tabs["billing"] == before[1]


def test_the_inbox_costs_the_same_few_queries_however_many_messages(world, login):
    kefu = world.user("kefu")
    client = login("kefu")
    Notification.objects.bulk_create([Notification(recipient=kefu, subject_line=f"m{i}", link="/console/")
                                      for i in range(3)])
    client.get(reverse("web:notifications"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("web:notifications"))
    Notification.objects.bulk_create([Notification(recipient=kefu, subject_line=f"n{i}", link="/console/")
                                      for i in range(17)])
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("web:notifications"))
    assert len(many) == len(few)


def test_a_repair_the_desk_registered_tells_the_desk_in_staff_words_with_the_console_link(world):
    kefu, engineer = actor_for(world.user("kefu")), actor_for(world.user("gongcheng"))
    with override("en"):
        ticket = world.ticket(world.project1, description="楼道灯不亮")
        ticket = perform(kefu, ticket, "dispatch", ActionInput(assignee=engineer.user))
        for step in ("accept", "arrive"):
            ticket = perform(engineer, ticket, step)
        perform(engineer, ticket, "complete", ActionInput(work_done="更换灯泡"))
    done = Notification.objects.inbox(kefu.user).get(subject_line__contains="done")
    assert done.subject_line == (f"Repair done at {ticket.unit.label}: “楼道灯不亮” — "
                                 "ask the owner to check and sign off")
    assert done.link == ticket.get_absolute_url()
