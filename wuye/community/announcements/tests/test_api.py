"""The announcements API: staff create and act, owners read their feed (opening one marks it read), the outage rule
answers 422 naming `outage_start`, scope answers 404, a role without the permission 403."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from wuye.community.announcements.models import Announcement, AnnouncementRead

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 2, 9, 0, tzinfo=SH)
URL = "/api/v1/announcements"


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _outage(world, start: datetime, **extra) -> dict:
    return {"project": world.project1.pk, "kind": "outage_power", "title": "计划停电通知", "body": "供电局线路检修。",
            "precautions": "停电期间电梯停运，请勿乘坐。", "outage_start": start.isoformat(),
            "outage_end": (start + timedelta(hours=4)).isoformat()} | extra


def _published(world, api, title="冬季供暖开通通知") -> int:
    kefu, jingli = api("kefu"), api("jingli")
    created = kefu.post(URL, {"project": world.project1.pk, "kind": "notice", "title": title,
                              "body": "12月1日起供暖。"})
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert kefu.post(f"{URL}/{pk}/actions/submit").status_code == 200
    answer = jingli.post(f"{URL}/{pk}/actions/approve")
    assert answer.status_code == 200 and answer.json()["status"] == "published", answer.content
    return pk


def test_an_outage_47_hours_ahead_is_refused_48_accepted(world, api, frozen):
    kefu = api("kefu")
    refused = kefu.post(URL, _outage(world, NOW + timedelta(hours=47)))
    assert refused.status_code == 422
    error = refused.json()["errors"][0]
    assert error["field"] == "outage_start" and "2026年12月4日 09:00" in error["message"]
    assert not Announcement.objects.exists()
    accepted = kefu.post(URL, _outage(world, NOW + timedelta(hours=48)))
    assert accepted.status_code == 201, accepted.content
    body = accepted.json()
    assert body["status"] == "draft" and body["kind"] == "outage_power" and "submit" in body["actions"]
    assert body["outage_start"].startswith("2026-12-04T09:00:00+08:00")


def test_bad_input_names_the_field_and_writes_nothing(world, api, frozen):
    kefu = api("kefu")
    answer = kefu.post(URL, {"project": world.project1.pk, "kind": "notice", "title": "", "body": "正文",
                             "expires_at": (NOW - timedelta(days=1)).isoformat()})
    assert answer.status_code == 422
    assert {e["field"] for e in answer.json()["errors"]} == {"title", "expires_at"}
    answer = kefu.post(URL, {"project": world.project2.pk, "kind": "notice", "title": "标题", "body": "正文"})
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "project"
    assert not Announcement.objects.exists()


def test_the_manager_approves_and_the_owner_reads_once(world, api, frozen):
    pk = _published(world, api)
    yezhu = api("yezhu")
    feed = yezhu.get(URL)
    assert feed.status_code == 200
    row = feed.json()["items"][0]
    assert row["id"] == pk and row["read"] is False and row["read_count"] is None
    one = yezhu.get(f"{URL}/{pk}")
    assert one.status_code == 200 and one.json()["read"] is True
    yezhu.get(f"{URL}/{pk}")
    assert AnnouncementRead.objects.filter(announcement_id=pk).count() == 1
    assert yezhu.get(URL).json()["items"][0]["read"] is True
    staff = api("jingli").get(f"{URL}/{pk}").json()
    assert staff["read_count"] == 1 and staff["audience_size"] >= 1


def test_scope_other_projects_and_other_owners_see_nothing(world, api, frozen):
    pk = _published(world, api)
    assert api("kefu2").get(f"{URL}/{pk}").status_code == 404
    assert api("kefu2").post(f"{URL}/{pk}/actions/withdraw", {"reason": "x"}).status_code == 404
    assert api("kefu2").get(URL).json()["count"] == 0
    assert api("yezhu2").get(f"{URL}/{pk}").status_code == 404
    assert api("yezhu2").get(URL).json()["count"] == 0
    # A draft is not the owners' to read.
    draft = api("kefu").post(URL, {"project": world.project1.pk, "kind": "event", "title": "元旦游园",
                                   "body": "欢迎参加"})
    assert api("yezhu").get(f"{URL}/{draft.json()['id']}").status_code == 404


def test_roles_without_the_permission_are_403(world, api, frozen):
    answer = api("caiwu").post(URL, {"project": world.project1.pk, "kind": "notice", "title": "标题", "body": "正文"})
    assert answer.status_code == 403
    created = api("kefu").post(URL, {"project": world.project1.pk, "kind": "notice", "title": "标题", "body": "正文"})
    pk = created.json()["id"]
    api("kefu").post(f"{URL}/{pk}/actions/submit")
    assert api("kefu").post(f"{URL}/{pk}/actions/approve").status_code == 403
    assert api("kefu").post(f"{URL}/{pk}/actions/fly").status_code == 422
    assert api("jingli").post(f"{URL}/{pk}/actions/reject", {"reason": ""}).json()["errors"][0]["field"] == "reason"


def test_staff_list_filters_by_status(world, api, frozen):
    _published(world, api)
    api("kefu").post(URL, {"project": world.project1.pk, "kind": "disclosure", "title": "11月公摊费用公示",
                           "body": "公共水电费分摊明细"})
    jingli = api("jingli")
    assert jingli.get(URL, status="published").json()["count"] == 1
    assert jingli.get(URL, status="draft").json()["count"] == 1
    assert jingli.get(URL, status="nonsense").status_code == 422


def test_a_draft_is_changed_with_patch_and_attachments_are_checked(world, api, frozen):
    kefu = api("kefu")
    pk = kefu.post(URL, {"project": world.project1.pk, "kind": "notice", "title": "标题", "body": "正文"}).json()["id"]
    changed = kefu.client.patch(f"{URL}/{pk}", '{"title": "新标题", "pinned": true}', content_type="application/json",
                                **kefu.headers)
    assert changed.status_code == 200 and changed.json()["title"] == "新标题" and changed.json()["pinned"] is True
    pdf = SimpleUploadedFile("停水范围.pdf", b"%PDF-1.4\n%...\n", content_type="application/pdf")
    added = kefu.client.post(f"{URL}/{pk}/attachments", {"file": pdf, "title": "停水范围"}, **kefu.headers)
    assert added.status_code == 201, added.content
    fake = SimpleUploadedFile("病毒.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    refused = kefu.client.post(f"{URL}/{pk}/attachments", {"file": fake}, **kefu.headers)
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "file"
    url = added.json()["url"]
    download = kefu.client.get(url, **kefu.headers)
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert api("kefu2").client.get(url, **api("kefu2").headers).status_code == 404
