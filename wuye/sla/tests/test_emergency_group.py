"""The emergency command group (应急指挥小组) as a rung of the ladder, and the urgent channel: a rung naming the group
reaches its members — or, when nobody is marked, the project's managers and the company's administrators — in the
inbox and by SMS, once."""

from datetime import datetime
from zoneinfo import ZoneInfo

from wuye.core.models import Channel, Notification
from wuye.people.models import StaffProfile
from wuye.people.services import emergency_group
from wuye.sla.engine import start_clock, sweep
from wuye.tenancy.models import Unit

SH = ZoneInfo("Asia/Shanghai")
HOLIDAY_NIGHT = datetime(2026, 10, 2, 22, 0, tzinfo=SH)  # National Day: calendar minutes ignore the holiday


def _sent(user):
    return sorted(Notification.objects.filter(recipient=user).values_list("channel", flat=True))


def test_nobody_marked_means_the_managers_and_administrators(world):
    # (The demo's `admin` is a superuser without a staff profile: not a company administrator of record.)
    names = {user.username for user in emergency_group(world.project1)}
    assert names == {"jingli"}
    assert "jingli" not in {user.username for user in emergency_group(world.project2)}


def test_marked_members_replace_the_default(world):
    StaffProfile.objects.filter(user__username="gongcheng").update(in_emergency_group=True)
    assert [user.username for user in emergency_group(world.project1)] == ["gongcheng"]


def test_an_urgent_rung_reaches_the_group_in_the_inbox_and_by_sms_once(world):
    subject = Unit.objects.filter(project=world.project1).first()
    clock = start_clock(subject, "entrapment.contractor_arrive", project=world.project1, at=HOLIDAY_NIGHT)
    assert clock.due_at == datetime(2026, 10, 2, 22, 30, tzinfo=SH)
    jingli = world.user("jingli")
    sweep(datetime(2026, 10, 2, 22, 29, 59, tzinfo=SH))
    assert Channel.SMS not in _sent(jingli)  # the 80 % warning is in the inbox only
    sweep(datetime(2026, 10, 2, 22, 30, tzinfo=SH))
    sweep(datetime(2026, 10, 2, 22, 31, tzinfo=SH))
    overdue = Notification.objects.filter(recipient=jingli, subject_line__contains="困人维保单位到场")
    assert sorted(overdue.exclude(dedupe_key__contains=":warn").values_list("channel", flat=True)) == [
        Channel.IN_APP, Channel.SMS]
    assert not Notification.objects.filter(recipient=world.user("kefu"), channel=Channel.SMS).exists()
