"""Announcement pages: the console's list with "已读 N/M", the form (the outage rule named on the page), the detail
with its buttons; the portal's 社区公告 feed (unread marked, pinned first) and a notice that marks itself read; the
workbench card and the community home's figure count the list they open; the demo runs once."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils.translation import gettext

from wuye.community.announcements import services
from wuye.community.announcements.models import Announcement, AnnouncementRead
from wuye.people.access import actor_for

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 2, 9, 0, tzinfo=SH)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _publish(world, title, **extra):
    kefu, jingli = actor_for(world.user("kefu")), actor_for(world.user("jingli"))
    one = services.create(kefu, project=world.project1, title=title, body="正文内容", **extra)
    services.submit(kefu, one)
    return services.approve(jingli, one)


def test_the_portal_feed_marks_unread_and_the_detail_reads_it(world, login, frozen):
    plain = _publish(world, "垃圾分类新规")
    pinned = _publish(world, "公摊费用公示", kind="disclosure", pinned=True)
    client = login("yezhu")
    page = client.get(reverse("announcements:h5_list"))
    assert page.status_code == 200
    html = page.content.decode()
    assert html.index("公摊费用公示") < html.index("垃圾分类新规")  # pinned first
    assert html.count("未读") == 2
    detail = client.get(reverse("announcements:h5_detail", args=[plain.pk]))
    assert detail.status_code == 200 and "正文内容" in detail.content.decode()
    assert AnnouncementRead.objects.filter(announcement=plain, user=world.user("yezhu")).count() == 1
    assert client.get(reverse("announcements:h5_list")).content.decode().count("未读") == 1
    assert login("yezhu2").get(reverse("announcements:h5_detail", args=[pinned.pk])).status_code == 404


def test_an_outage_reads_as_a_sentence_in_the_portal(world, login, frozen):
    outage = _publish(world, "计划停水通知", kind="outage_water", precautions="请提前储水",
                      outage_start=NOW + timedelta(days=3), outage_end=NOW + timedelta(days=3, hours=6))
    html = login("yezhu").get(reverse("announcements:h5_detail", args=[outage.pk])).content.decode()
    assert "2026年12月5日 09:00" in html and "2026年12月5日 15:00" in html and "请提前储水" in html


def test_the_console_list_shows_read_counts_and_the_form_names_the_outage_rule(world, login, frozen):
    one = _publish(world, "供暖开通通知")
    services.mark_read(actor_for(world.user("yezhu")), one)
    client = login("kefu")
    html = client.get(reverse("announcements:list")).content.decode()
    # "已读 N/M" once the catalogue has the lead's merge of this stream's messages
    read = gettext("Read %(read)s/%(total)s") % {"read": 1, "total": one.audience_size}
    assert "供暖开通通知" in html and read in html
    answer = client.post(reverse("announcements:new"), {
        "project": world.project1.pk, "kind": "outage_power", "title": "停电通知", "body": "线路检修",
        "precautions": "电梯停运", "outage_start": "2026-12-04T08:00", "outage_end": "2026-12-04T12:00"})
    assert answer.status_code == 422 and "2026年12月4日 09:00" in answer.content.decode()
    assert not Announcement.objects.filter(title="停电通知").exists()
    answer = client.post(reverse("announcements:new"), {
        "project": world.project1.pk, "kind": "outage_power", "title": "停电通知", "body": "线路检修",
        "precautions": "电梯停运", "outage_start": "2026-12-04T09:00", "outage_end": "2026-12-04T12:00"})
    assert answer.status_code == 302
    created = Announcement.objects.get(title="停电通知")
    assert client.get(reverse("announcements:detail", args=[created.pk])).status_code == 200
    assert login("kefu2").get(reverse("announcements:detail", args=[created.pk])).status_code == 404


def test_the_manager_approves_from_the_page_and_the_card_counts_the_list(world, login, frozen):
    from wuye.community.home import sections_for
    from wuye.web.workbench import cards_for

    kefu = actor_for(world.user("kefu"))
    one = services.create(kefu, project=world.project1, title="电梯检验通知", body="下周检验")
    services.submit(kefu, one)
    jingli = actor_for(world.user("jingli"))
    card = next(c for c in cards_for(jingli, NOW) if c.key == "announcements.to_approve")
    assert card.count == 1
    listed = login("jingli").get(card.url).content.decode()
    assert listed.count(reverse("announcements:detail", args=[one.pk])) == 1
    section = next(s for s in sections_for(jingli) if s["key"] == "announcements")
    assert section["figure"]["count"] == 1
    detail = login("jingli").get(reverse("announcements:detail", args=[one.pk])).content.decode()
    assert reverse("announcements:action", args=[one.pk, "approve"]) in detail
    answer = login("jingli").post(reverse("announcements:action", args=[one.pk, "approve"]))
    assert answer.status_code == 302
    one.refresh_from_db()
    assert one.status == "published"
    assert next(c for c in cards_for(jingli, NOW) if c.key == "announcements.to_approve").count == 0


def test_the_demo_runs_once(world):
    from wuye.demo.community_announcements import add_demo_announcements

    with time_machine.travel(NOW, tick=False):
        made = add_demo_announcements(world.company)
    assert made["announcements"] == 12 and made["reads"] > 0
    statuses = set(Announcement.objects.filter(project=world.project1).values_list("status", flat=True))
    assert statuses == {"published", "pending_approval", "scheduled", "expired"}
    water = Announcement.objects.get(project=world.project1, kind="outage_water")
    assert water.outage_start - water.published_at >= timedelta(hours=48)
    with time_machine.travel(NOW, tick=False):
        assert add_demo_announcements(world.company) == {"announcements": 0, "reads": 0}


def test_attachments_from_the_console_reach_the_owner_and_nobody_else(world, login, frozen):
    from django.core.files.uploadedfile import SimpleUploadedFile

    kefu = actor_for(world.user("kefu"))
    one = services.create(kefu, project=world.project1, kind="disclosure", title="11月公摊费用公示", body="见附件")
    client = login("kefu")
    pdf = SimpleUploadedFile("公示.pdf", b"%PDF-1.4\n1 0 obj\n", content_type="application/pdf")
    answer = client.post(reverse("announcements:attachment_add", args=[one.pk]), {"file": pdf, "title": "公摊明细"})
    assert answer.status_code == 302
    exe = SimpleUploadedFile("明细.pdf", b"MZ\x90\x00", content_type="application/pdf")
    refused = client.post(reverse("announcements:attachment_add", args=[one.pk]), {"file": exe})
    assert refused.status_code == 422 and one.attachments.count() == 1
    attachment = one.attachments.get()
    services.submit(kefu, one)
    services.approve(actor_for(world.user("jingli")), one)
    url = reverse("announcements:h5_attachment", args=[one.pk, attachment.pk])
    assert reverse("announcements:h5_attachment", args=[one.pk, attachment.pk]) in login("yezhu").get(
        reverse("announcements:h5_detail", args=[one.pk])).content.decode()
    assert login("yezhu").get(url).status_code == 200
    assert login("yezhu2").get(url).status_code == 404
    assert login("kefu2").get(reverse("announcements:attachment", args=[one.pk, attachment.pk])).status_code == 404
    assert "11月公摊费用公示" not in login("kefu2").get(reverse("announcements:list")).content.decode()


def test_the_community_home_lists_the_section(world, login, frozen):
    page = login("jingli").get(reverse("community:home"))
    assert page.status_code == 200 and reverse("announcements:list") in page.content.decode()
