"""Announcements (公告/公示): a draft, the manager's approval (never the author's own), publishing at once or at its
time, messages sent once, expiry — and the outage rule: 47 hours before the outage is refused, 48 accepted."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings

from wuye.community.announcements import services
from wuye.community.announcements.models import Announcement, AnnouncementRead
from wuye.core.errors import Conflict, InvalidInput, NotAllowed
from wuye.core.models import Event, Notification
from wuye.people.access import actor_for

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 2, 9, 0, tzinfo=SH)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def actor(world, username):
    return actor_for(world.user(username))


def outage(world, start, *, author="kefu", **extra):
    return services.create(actor(world, author), project=world.project1, kind="outage_water", title="3号楼停水通知",
                           body="因二次供水水箱清洗，届时停止供水。", precautions="请提前储水，关好水龙头。",
                           outage_start=start, outage_end=start + timedelta(hours=6), **extra)


def notice(world, **extra):
    values = {"kind": "notice", "title": "小区消防演练通知", "body": "本周六上午十点在中心广场举行消防演练。"} | extra
    return services.create(actor(world, "kefu"), project=world.project1, **values)


def test_the_notice_period_is_the_setting_47_hours_refused_48_accepted(world, frozen):
    assert settings.WUYE_OUTAGE_NOTICE_HOURS == 48
    with pytest.raises(InvalidInput) as refused:
        outage(world, NOW + timedelta(hours=47))
    problem = refused.value.problems[0]
    assert problem.field == "outage_start"
    # The message names the earliest outage start for a publication now, and the latest publish time.
    assert "2026年12月4日 09:00" in problem.message and "2026年12月4日 08:00" in problem.message
    assert not Announcement.objects.exists()
    announcement = outage(world, NOW + timedelta(hours=48))
    assert announcement.status == "draft" and announcement.expires_at == announcement.outage_end


def test_changing_the_setting_by_one_hour_moves_the_line(world, frozen, settings):
    settings.WUYE_OUTAGE_NOTICE_HOURS = 49
    with pytest.raises(InvalidInput):
        outage(world, NOW + timedelta(hours=48))


def test_a_scheduled_publication_must_leave_the_notice_period(world, frozen):
    start = NOW + timedelta(days=5)
    with pytest.raises(InvalidInput) as refused:
        outage(world, start, publish_at=start - timedelta(hours=47))
    assert refused.value.problems[0].field == "outage_start"
    assert "2026年12月5日 09:00" in refused.value.problems[0].message  # the latest publish time: start − 48 h
    announcement = outage(world, start, publish_at=start - timedelta(hours=48))
    assert announcement.publish_at == start - timedelta(hours=48)


def test_an_outage_needs_its_times_and_precautions_and_nothing_is_written_otherwise(world, frozen):
    with pytest.raises(InvalidInput) as refused:
        services.create(actor(world, "kefu"), project=world.project1, kind="outage_power", title="停电通知",
                        body="线路检修", outage_start=None, outage_end=None)
    fields = {p.field for p in refused.value.problems}
    assert fields == {"precautions", "outage_start", "outage_end"}
    with pytest.raises(InvalidInput) as refused:
        services.create(actor(world, "kefu"), project=world.project1, kind="outage_power", title="停电通知",
                        body="线路检修", precautions="电梯停运", outage_start=NOW + timedelta(days=3),
                        outage_end=NOW + timedelta(days=2))
    assert {p.field for p in refused.value.problems} == {"outage_end"}
    with pytest.raises(InvalidInput) as refused:
        services.create(actor(world, "kefu"), project=world.project1, kind="rumour", title="", body="x" * 5001)
    assert {p.field for p in refused.value.problems} == {"kind", "title", "body"}
    assert not Announcement.objects.exists() and not Event.objects.filter(verb__startswith="announcements.").exists()


def test_approval_publishes_at_once_and_tells_every_resident_once(world, frozen):
    announcement = outage(world, NOW + timedelta(days=3))
    kefu, jingli = actor(world, "kefu"), actor(world, "jingli")
    services.submit(kefu, announcement)
    # The manager is asked.
    assert Notification.objects.filter(recipient=world.user("jingli"), source_id=announcement.pk,
                                       kind="approval").exists()
    services.approve(jingli, announcement)
    announcement.refresh_from_db()
    assert announcement.status == "published" and announcement.published_at == NOW
    audience = list(services.audience(announcement))
    assert world.user("yezhu") in audience and world.user("yezhu2") not in audience
    assert announcement.audience_size == len(audience)
    sent = Notification.objects.filter(source_id=announcement.pk, recipient=world.user("yezhu"))
    assert sorted(sent.values_list("channel", flat=True)) == ["inapp", "sms"]  # an outage goes by SMS too
    # A rerun of the publication (the job's) writes no second message.
    services._publish(announcement, NOW, actor=None)
    assert sent.count() == 2
    verbs = list(Event.objects.filter(subject_id=announcement.pk, verb__startswith="announcements.")
                 .order_by("id").values_list("verb", flat=True))
    assert verbs[:4] == ["announcements.created", "announcements.submitted", "announcements.approved",
                         "announcements.published"]


def test_the_author_cannot_approve_their_own_and_other_roles_cannot_at_all(world, frozen):
    announcement = services.create(actor(world, "jingli"), project=world.project1, title="物业费调整说明",
                                   body="详见附件", kind="notice")
    services.submit(actor(world, "jingli"), announcement)
    with pytest.raises(NotAllowed):
        services.approve(actor(world, "jingli"), announcement)
    with pytest.raises(NotAllowed):
        services.approve(actor(world, "kefu"), announcement)
    assert not services.may(actor(world, "jingli"), announcement, "approve")
    announcement.refresh_from_db()
    assert announcement.status == "pending_approval"
    services.approve(actor(world, "admin"), announcement)
    announcement.refresh_from_db()
    assert announcement.status == "published"


def test_approval_too_late_for_the_outage_is_refused(world):
    with time_machine.travel(NOW, tick=False):
        announcement = outage(world, NOW + timedelta(hours=49))
        services.submit(actor(world, "kefu"), announcement)
    with time_machine.travel(NOW + timedelta(hours=2), tick=False), pytest.raises(InvalidInput) as refused:
        services.approve(actor(world, "jingli"), announcement)
    assert refused.value.problems[0].field == "outage_start"
    announcement.refresh_from_db()
    assert announcement.status == "pending_approval" and announcement.published_at is None


def test_reject_returns_to_draft_with_the_reason_and_a_clash_is_409(world, frozen):
    announcement = notice(world)
    with pytest.raises(Conflict):
        services.approve(actor(world, "jingli"), announcement)  # not submitted
    services.submit(actor(world, "kefu"), announcement)
    with pytest.raises(InvalidInput) as refused:
        services.reject(actor(world, "jingli"), announcement, reason="")
    assert refused.value.problems[0].field == "reason"
    services.reject(actor(world, "jingli"), announcement, reason="请写明演练时间段")
    announcement.refresh_from_db()
    assert announcement.status == "draft" and announcement.reject_reason == "请写明演练时间段"
    services.edit(actor(world, "kefu"), announcement, body="本周六上午十点至十一点在中心广场举行消防演练。")
    services.submit(actor(world, "kefu"), announcement)
    announcement.refresh_from_db()
    assert announcement.status == "pending_approval" and announcement.reject_reason == ""


def test_scheduled_publication_and_expiry_by_the_job(world):
    with time_machine.travel(NOW, tick=False):
        announcement = notice(world, publish_at=NOW + timedelta(days=1), expires_at=NOW + timedelta(days=8),
                              pinned=True)
        services.submit(actor(world, "kefu"), announcement)
        services.approve(actor(world, "jingli"), announcement)
        announcement.refresh_from_db()
        assert announcement.status == "scheduled"
        assert services.publish_due(NOW + timedelta(hours=23)) == 0
    assert services.publish_due(NOW + timedelta(days=1)) == 1
    assert services.publish_due(NOW + timedelta(days=1, minutes=1)) == 0  # a rerun publishes nothing
    announcement.refresh_from_db()
    assert announcement.status == "published" and announcement.published_at == NOW + timedelta(days=1)
    assert Notification.objects.filter(source_id=announcement.pk, recipient=world.user("yezhu")).count() == 1
    assert services.expire_due(NOW + timedelta(days=7)) == 0
    assert services.expire_due(NOW + timedelta(days=8)) == 1
    assert services.expire_due(NOW + timedelta(days=8)) == 0
    announcement.refresh_from_db()
    assert announcement.status == "expired"


def test_a_scheduled_outage_the_job_reaches_too_late_goes_back_to_draft(world):
    start = NOW + timedelta(days=4)
    with time_machine.travel(NOW, tick=False):
        announcement = outage(world, start, publish_at=start - timedelta(hours=50))
        services.submit(actor(world, "kefu"), announcement)
        services.approve(actor(world, "jingli"), announcement)
    # The scheduler was down: it runs 47 hours before the outage.
    assert services.publish_due(start - timedelta(hours=47)) == 0
    announcement.refresh_from_db()
    assert announcement.status == "draft"
    assert Event.objects.filter(subject_id=announcement.pk, verb="announcements.lapsed").exists()
    assert not Notification.objects.filter(source_id=announcement.pk, recipient=world.user("yezhu")).exists()


def test_withdrawing_a_published_notice_takes_the_manager_and_a_reason(world, frozen):
    announcement = notice(world)
    services.submit(actor(world, "kefu"), announcement)
    services.approve(actor(world, "jingli"), announcement)
    with pytest.raises(NotAllowed):
        services.withdraw(actor(world, "kefu"), announcement, reason="写错了")
    with pytest.raises(InvalidInput) as refused:
        services.withdraw(actor(world, "jingli"), announcement)
    assert refused.value.problems[0].field == "reason"
    services.withdraw(actor(world, "jingli"), announcement, reason="演练改期")
    announcement.refresh_from_db()
    assert announcement.status == "withdrawn"
    assert not services.feed(actor(world, "yezhu")).exists()


def test_buildings_narrow_the_audience_and_the_feed(world, frozen):
    from wuye.tenancy.models import Building

    home = world.owner_unit("yezhu")
    other = Building.objects.filter(project=world.project1).exclude(pk=home.building_id).first()
    elsewhere = notice(world, title="2号楼电梯维保", buildings=[other.pk])
    mine = notice(world, title="本楼电梯维保", buildings=[home.building_id])
    for one in (elsewhere, mine):
        services.submit(actor(world, "kefu"), one)
        services.approve(actor(world, "jingli"), one)
    feed = list(services.feed(actor(world, "yezhu")))
    assert mine in feed and elsewhere not in feed
    assert world.user("yezhu") not in services.audience(elsewhere)
    with pytest.raises(InvalidInput) as refused:
        notice(world, buildings=[Building.objects.filter(project=world.project2).first().pk])
    assert refused.value.problems[0].field == "buildings"


def test_reading_is_counted_once_per_person(world, frozen):
    announcement = notice(world)
    services.submit(actor(world, "kefu"), announcement)
    announcement = services.approve(actor(world, "jingli"), announcement)
    yezhu = actor(world, "yezhu")
    assert services.mark_read(yezhu, announcement) is True
    assert services.mark_read(yezhu, announcement) is False
    assert AnnouncementRead.objects.filter(announcement=announcement).count() == 1
    assert services.with_read_counts(Announcement.objects.filter(pk=announcement.pk)).get().read_count == 1
