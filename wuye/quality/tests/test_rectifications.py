"""Rectifications (整改): a failed inspection item opens one for the responsible department, due in working days
(the 2026 National Day holiday does not count); the department reports, the inspector accepts or sends it back
with a new clock; overdue ones climb the ladder once per rung; every reader sees only their projects."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from wuye.core.access import Role
from wuye.core.models import Event, Notification
from wuye.people.access import actor_for
from wuye.quality.models import (
    Inspection,
    InspectionKind,
    InspectionScore,
    Rectification,
    Standard,
    StandardCategory,
    StandardItem,
    StandardVersion,
)
from wuye.quality.rectifications import open_rectification, report_rectified, verify
from wuye.sla import engine
from wuye.sla.models import Clock

SH = ZoneInfo("Asia/Shanghai")


def at(*parts):
    return datetime(*parts, tzinfo=SH)


def failed_item(project, *, department="engineering", severity="minor", text="消防通道畅通，无杂物堆放"):
    """A daily check of `project` on 2026-09-30 with one failed item (tables only: the inspection process is
    tested on its own)."""
    standard, _ = Standard.objects.get_or_create(company=project.company, code="daily-test",
                                                 defaults={"name": "日常检查", "purpose": "daily"})
    version, _ = StandardVersion.objects.get_or_create(standard=standard, number=1)
    category, _ = StandardCategory.objects.get_or_create(version=version, number=1, defaults={"name": "安全"})
    item = StandardItem.objects.create(version=version, category=category, number=StandardItem.objects.filter(
        version=version).count() + 1, text=text, points=Decimal("5"), deduction=Decimal("5"), severity=severity,
        department=department)
    inspection = Inspection.objects.create(project=project, version=version, kind="daily",
                                           scheduled_for=date(2026, 9, 30), status="submitted",
                                           submitted_at=at(2026, 9, 30, 16, 0), place="3号楼消防通道")
    return InspectionScore.objects.create(inspection=inspection, item=item, result="fail", failures=1,
                                          note="通道内堆放纸箱")


def opened(world, **options):
    score = failed_item(world.project1, **options)
    return open_rectification(score, project=world.project1, title="3号楼消防通道堆放纸箱",
                              department=score.item.department, severity=score.item.severity,
                              description=score.note, actor=world.user("pinzhi"), at=at(2026, 9, 30, 16, 0))


def clock_of(rect):
    return Clock.objects.for_subject(rect).order_by("-started_at", "-id").first()


@pytest.mark.django_db
def test_failed_item_is_due_three_working_days_later_after_national_day(world):
    rect = opened(world)
    clock = clock_of(rect)
    # 09-30 16:00–17:00 (1 h); 10-01…10-07 National Day off; 10-08 and 10-09 (8 h each); Saturday 10-10 is the
    # make-up working day: 08:00–12:00 and 13:00–16:00 make the 24th working hour.
    assert clock.key == "rectification.minor"
    assert clock.due_at == at(2026, 10, 10, 16, 0)
    assert clock.warn_at == at(2026, 10, 10, 10, 12)  # 80 % of 24 working hours = 19 h 12 min
    assert rect.status == "open" and rect.department == "engineering"
    # The engineering staff of the project are told, with the deadline.
    told = Notification.objects.filter(subject_line__contains="3号楼消防通道堆放纸箱")
    assert {message.recipient.username for message in told} == {"gongcheng"}
    assert "10-10 16:00" in told.first().subject_line


@pytest.mark.django_db
def test_severity_picks_the_limit(world):
    critical = opened(world, severity="critical", text="消防栓完好")
    major = opened(world, severity="major", text="监控正常")
    assert clock_of(critical).due_at == at(2026, 10, 8, 16, 0)  # one working day
    assert clock_of(major).due_at == at(2026, 10, 9, 16, 0)  # two


@pytest.mark.django_db
def test_same_source_twice_opens_one_rectification(world):
    score = failed_item(world.project1)
    first = open_rectification(score, project=world.project1, title="消防通道堆放杂物", department="engineering",
                               at=at(2026, 9, 30, 16, 0))
    again = open_rectification(score, project=world.project1, title="另一个标题", department="security")
    assert again.pk == first.pk and again.title == "消防通道堆放杂物"
    assert Rectification.objects.count() == 1
    assert Clock.objects.for_subject(first).count() == 1
    assert Event.objects.filter(verb="rectification.opened").count() == 1


@pytest.mark.django_db
def test_rejected_verification_reopens_with_a_new_clock(world):
    rect = opened(world)
    gongcheng, pinzhi = actor_for(world.user("gongcheng")), actor_for(world.user("pinzhi"))
    rect = report_rectified(gongcheng, rect, note="纸箱已清走", at=at(2026, 10, 9, 10, 0))
    assert rect.status == "submitted"
    assert clock_of(rect).state == "met"
    rect = verify(pinzhi, rect, accepted=False, note="楼梯间仍有杂物", at=at(2026, 10, 9, 15, 0))
    assert rect.status == "open" and rect.rejections == 1
    clocks = list(Clock.objects.for_subject(rect).order_by("started_at"))
    assert [c.state for c in clocks] == ["met", "running"]
    # A fresh 24 working hours from 10-09 15:00: 2 h that day, Saturday 10-10 8 h, Monday 10-12 8 h, 10-13 6 h.
    assert clocks[1].due_at == at(2026, 10, 13, 15, 0)
    rect = report_rectified(gongcheng, rect, note="楼梯间已清理", at=at(2026, 10, 12, 9, 0))
    rect = verify(pinzhi, rect, accepted=True, at=at(2026, 10, 12, 11, 0))
    assert rect.status == "closed" and rect.closed_at == at(2026, 10, 12, 11, 0)
    assert [step.kind for step in rect.steps.all()] == ["reported", "rejected", "reported", "accepted"]


@pytest.mark.django_db
def test_overdue_rectification_escalates_once_per_rung(world):
    rect = opened(world)
    clock = clock_of(rect)
    due = at(2026, 10, 10, 16, 0)

    def sweep(moment):
        return [(level) for clock_id, level in engine.sweep(now=moment).escalated if clock_id == clock.pk]

    assert sweep(due - timedelta(hours=1)) == []  # warned only
    assert sweep(due + timedelta(minutes=1)) == [1]
    assert sweep(due + timedelta(minutes=1)) == []  # the same moment again: nothing new
    assert sweep(due + timedelta(hours=23)) == []
    assert sweep(due + timedelta(days=1)) == [2]
    assert sweep(due + timedelta(days=1, hours=1)) == []
    assert sweep(due + timedelta(days=2)) == [3]
    assert sweep(due + timedelta(days=30)) == []
    rungs = {}
    for message in Notification.objects.filter(dedupe_key__startswith=f"sla:{clock.pk}:level:"):
        level = int(message.dedupe_key.split(":")[3])
        rungs.setdefault(level, set()).add(message.recipient.username)
    # The department's own supervisor first (not customer service's), then the manager, then quality.
    assert rungs == {1: {"gongcheng"}, 2: {"jingli"}, 3: {"pinzhi"}}


@pytest.mark.django_db
def test_who_may_act(world, api):
    rect = opened(world)
    url = f"/api/v1/rectifications/{rect.pk}/actions"
    assert api("kefu").post(f"{url}/report", {"note": "已处理"}).status_code == 403  # not their department
    assert api("pinzhi").post(f"{url}/accept", {}).status_code == 409  # nothing reported yet
    missing = api("gongcheng").post(f"{url}/report", {"note": " "})
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "note"
    bad = api("gongcheng").post(f"{url}/fix", {"note": "x"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "action"
    done = api("gongcheng").post(f"{url}/report", {"note": "纸箱已清走"})
    assert done.status_code == 200 and done.json()["status"] == "submitted"
    assert api("gongcheng").post(f"{url}/accept", {}).status_code == 403  # no one verifies their own work
    reject = api("pinzhi").post(f"{url}/reject", {})
    assert reject.status_code == 422 and reject.json()["errors"][0]["field"] == "note"
    accepted = api("jingli").post(f"{url}/accept", {"note": "复查合格"})
    assert accepted.status_code == 200 and accepted.json()["status"] == "closed"
    assert api("jingli").post(f"{url}/cancel", {"reason": "重复"}).status_code == 409


@pytest.mark.django_db
def test_scope(world, api):
    mine = opened(world)
    other = open_rectification(failed_item(world.project2), project=world.project2, title="翠湖湾垃圾桶满溢",
                               department="environment", at=at(2026, 9, 30, 16, 0))

    def ids(user, **params):
        response = api(user).get("/api/v1/rectifications", **params)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["items"]}

    assert ids("pinzhi") == {mine.pk, other.pk}
    assert ids("jingli") == {mine.pk}
    assert ids("kefu2") == {other.pk}
    assert api("kefu2").get(f"/api/v1/rectifications/{mine.pk}").status_code == 404
    assert api("kefu2").post(f"/api/v1/rectifications/{mine.pk}/actions/cancel", {"reason": "x"}).status_code == 404
    assert api("yezhu").get("/api/v1/rectifications").status_code == 403
    assert api("yezhu").get(f"/api/v1/rectifications/{mine.pk}").status_code in (403, 404)
    bad = api("pinzhi").get("/api/v1/rectifications", status="late")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "status"


@pytest.mark.django_db
def test_list_shows_deadline_overdue_and_source(world, api):
    rect = opened(world)
    rows = api("pinzhi").get("/api/v1/rectifications", overdue="true").json()["items"]
    assert [row["id"] for row in rows] == [rect.pk]  # 2026-10-10 16:00 has passed
    row = rows[0]
    assert row["overdue"] is True and row["deadline"].startswith("2026-10-10T16:00")
    assert row["source"] == f"{InspectionKind.DAILY.label} 2026-09-30 · 消防通道畅通，无杂物堆放"  # 日检 …
    assert row["department_label"] == Role.ENGINEERING.label
    detail = api("pinzhi").get(f"/api/v1/rectifications/{rect.pk}").json()
    assert detail["actions"] == ["cancel"]
    assert any("3号楼消防通道堆放纸箱" in line for line in detail["timeline"])


@pytest.mark.django_db
def test_improvement_action_opens_a_rectification(world):
    from wuye.workorders.improvements import create_improvement

    action = create_improvement(actor_for(world.user("jingli")), project=world.project1, title="加强夜间巡查",
                                week=date(2026, 11, 30), owner=world.user("zhixu"))
    rect = Rectification.objects.get(source_id=action.pk, title="加强夜间巡查")
    assert rect.department == "customer_service" and rect.assignee == world.user("zhixu")
    assert rect.project == world.project1


def _png() -> bytes:
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (64, 64), (200, 80, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.django_db
def test_console_list_detail_and_forms(world, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    rect = opened(world)
    gongcheng = login("gongcheng")
    listing = gongcheng.get("/console/quality/rectifications/?overdue=on")
    assert listing.status_code == 200 and "3号楼消防通道堆放纸箱" in listing.content.decode()
    page = gongcheng.get(rect.get_absolute_url())
    assert page.status_code == 200 and "2026-10-10 16:00" in page.content.decode()
    empty = gongcheng.post(f"{rect.get_absolute_url()}report/", {"note": ""})
    assert empty.status_code == 422
    photo = SimpleUploadedFile("a.png", _png(), content_type="image/png")
    done = gongcheng.post(f"{rect.get_absolute_url()}report/", {"note": "纸箱已清走", "photos": [photo]})
    assert done.status_code == 302
    rect.refresh_from_db()
    assert rect.status == "submitted"
    shown = login("pinzhi").get(rect.get_absolute_url()).content.decode()
    assert "纸箱已清走" in shown and "<img" in shown
    assert login("kefu2").get(rect.get_absolute_url()).status_code == 404
    # The department sees it among its to-dos until it reports; the inspector then has it to verify.
    workbench = login("pinzhi").get("/console/").content.decode()
    assert "3号楼消防通道堆放纸箱" in workbench


@pytest.mark.django_db
def test_a_racing_second_call_returns_the_first_rectification(world, monkeypatch):
    """Two calls for one source at once: the second does not see the first's row before inserting; the unique
    constraint refuses its insert and it returns the first (nothing half-written: one row, one clock, one event)."""
    score = failed_item(world.project1)
    first = open_rectification(score, project=world.project1, title="消防通道堆放杂物", department="engineering",
                               at=at(2026, 9, 30, 16, 0))
    manager = Rectification.objects

    class Racing:
        looked = 0

        def filter(self, **lookup):
            self.looked += 1
            rows = manager.filter(**lookup)
            return rows.none() if self.looked == 1 else rows  # the first look misses the other call's row

        def create(self, **fields):
            return manager.create(**fields)

    monkeypatch.setattr(Rectification, "objects", Racing())
    again = open_rectification(score, project=world.project1, title="消防通道堆放杂物", department="engineering",
                               at=at(2026, 9, 30, 16, 0))
    monkeypatch.undo()
    assert again.pk == first.pk
    assert Rectification.objects.count() == 1
    assert Clock.objects.for_subject(first).count() == 1
    assert Event.objects.filter(verb="rectification.opened").count() == 1


@pytest.mark.django_db
def test_the_list_reads_each_finding_source_once_per_page_not_per_row(world, login):
    """Each row names what found it ("日常检查 2026-09-30 · 消防通道…"): the sources are fetched for the whole page,
    so ten rows cost what two do."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    client = login("pinzhi")
    url = reverse("quality:rectifications")
    for _ in range(2):
        opened(world)
    client.get(url)
    with CaptureQueriesContext(connection) as two:
        page = client.get(url)
    assert page.status_code == 200 and "消防通道畅通" in page.content.decode()
    for _ in range(8):
        opened(world)
    with CaptureQueriesContext(connection) as ten:
        assert client.get(url).status_code == 200
    assert len(ten.captured_queries) == len(two.captured_queries)
