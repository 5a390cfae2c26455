"""The outbox gives each reader the link for their face (portal or console), a type for the inbox's filter, only
local links, and treats what happened before a person's account began as on record rather than news."""

from datetime import timedelta

import pytest
from django.utils import timezone

from wuye.core.models import Notification, NotificationKind
from wuye.core.outbox import Links, mark_all_read, notify, safe_link


def inbox(user):
    return Notification.objects.inbox(user)


@pytest.fixture(autouse=True)
def empty_inboxes(world):
    Notification.objects.all().delete()  # the demo's welcome messages


def test_owners_get_the_portal_link_and_staff_the_console_link(world):
    yezhu, kefu, admin = world.user("yezhu"), world.user("kefu"), world.user("admin")
    notify([yezhu, kefu, admin], "报修已完成", link=Links(owner="/h5/tickets/7/", staff="/console/tickets/7/"))
    assert inbox(yezhu).get().link == "/h5/tickets/7/"
    assert inbox(kefu).get().link == "/console/tickets/7/"
    assert inbox(admin).get().link == "/console/tickets/7/"  # a superuser reads the console


def test_an_audience_without_a_page_gets_no_link(world):
    yezhu, caiwu = world.user("yezhu"), world.user("caiwu")
    notify([yezhu, caiwu], "退款待审批", link=Links(staff="/console/billing/refunds/"))
    assert inbox(yezhu).get().link == ""  # never a console page in an owner's inbox
    assert inbox(caiwu).get().link == "/console/billing/refunds/"


@pytest.mark.parametrize("link", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)",
                                  "h5/tickets/1/", " http://evil.example"])
def test_only_local_paths_are_kept_as_links(link):
    assert safe_link(link) == ""


def test_a_local_path_is_kept():
    assert safe_link("/h5/notices/3.pdf") == "/h5/notices/3.pdf"
    assert safe_link("/console/billing/notices/?project=1&stage=reminder") == (
        "/console/billing/notices/?project=1&stage=reminder")


def test_the_type_comes_from_the_cause_unless_the_caller_names_it(world):
    kefu = world.user("kefu")
    ticket = world.ticket(world.project1)
    bill = world.bill(world.owner_unit("yezhu"))
    Notification.objects.all().delete()  # the new-ticket message to customer service
    notify(kefu, "a", source=ticket)
    notify(kefu, "b", source=bill)
    notify(kefu, "c")
    notify(kefu, "d", source=ticket, kind=NotificationKind.APPROVAL)
    kinds = dict(inbox(kefu).values_list("subject_line", "kind"))
    assert kinds == {"a": "ticket", "b": "billing", "c": "system", "d": "approval"}
    assert [m.subject_line for m in Notification.objects.inbox(kefu, "ticket")] == ["a"]
    assert {m.subject_line for m in Notification.objects.inbox(kefu, "no-such-type")} == {"a", "b", "c", "d"}


def test_what_happened_before_the_account_began_is_not_unread(world):
    yezhu = world.user("yezhu")
    joined = yezhu.date_joined
    notify(yezhu, "上月缴费通知", at=joined - timedelta(days=20))
    notify(yezhu, "本月缴费通知", at=joined + timedelta(minutes=1))
    assert [m.subject_line for m in inbox(yezhu).unread()] == ["本月缴费通知"]
    old = inbox(yezhu).get(subject_line="上月缴费通知")
    assert old.read_at is None and not old.is_unread  # on record, in the list, not announced as new
    assert old.created_at == joined - timedelta(days=20)  # dated at its cause: listed below newer messages
    assert Notification.objects.get(pk=old.pk).is_unread is False  # also without the inbox's annotation


def test_a_portal_account_granted_later_starts_with_nothing_new(world):
    """A resident's login made today: a notice issued before today reaches their list, not their unread count;
    one issued after it is news."""
    from wuye.billing import dunning
    from wuye.billing.models import BillingNotice, NoticeStage
    from wuye.people.access import actor_for
    from wuye.people.models import Residency
    from wuye.people.services import grant_portal_account

    residency = Residency.objects.current().filter(unit__project=world.project1, relation="owner",
                                                   resident__user__isnull=True).select_related("unit").first()
    unit = residency.unit
    user = grant_portal_account(actor_for(world.user("kefu")), residency.resident, username="new-owner",
                                password="x-Long-Passw0rd")

    def notice(at, amount):
        return BillingNotice.objects.create(
            project=world.project1, unit=unit, stage=NoticeStage.PAYMENT_NOTICE, issued_on=timezone.localdate(at),
            issued_at=at, total=amount, lines=[{"bill": 1, "item": "物业费", "period": "2026-11",
                                                "outstanding": amount}])

    dunning._notify_owners([notice(timezone.now() - timedelta(days=3), "320.50")], {unit.pk: unit.label})
    assert inbox(user).count() == 1 and inbox(user).unread().count() == 0
    dunning._notify_owners([notice(timezone.now() + timedelta(days=1), "330.50")], {unit.pk: unit.label})
    assert inbox(user).unread().count() == 1


def test_mark_all_read_of_one_type_leaves_the_others(world):
    yezhu = world.user("yezhu")
    notify(yezhu, "报修", kind=NotificationKind.TICKET)
    notify(yezhu, "缴费", kind=NotificationKind.BILLING)
    assert mark_all_read(yezhu, NotificationKind.TICKET) == 1
    assert [m.subject_line for m in inbox(yezhu).unread()] == ["缴费"]
    assert mark_all_read(yezhu) >= 1
    assert not inbox(yezhu).unread().exists()
