"""Fire safety: a hazard sweep's findings each open one rectification (idempotent), tracked to closure; the month's
sweeps against the seed's twice a month and the year's drills against its one-or-two; drills with participants;
scope (kefu2 sees nothing of project 1, owners nothing at all); bad input is a 422 naming the field with nothing
written."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType

from wuye.core.errors import InvalidInput
from wuye.facilities import fire
from wuye.facilities.models import FireDrill, HazardFinding, HazardSweep
from wuye.people.access import actor_for
from wuye.quality.models import Rectification, RectificationStatus
from wuye.quality.rectifications import open_rectification, report_rectified, verify

SH = ZoneInfo("Asia/Shanghai")
AT = datetime(2026, 10, 2, 22, 0, tzinfo=SH)

FINDINGS = [
    {"title": "3号楼消防通道堆放纸箱", "location": "3号楼 1层", "severity": "minor", "department": "security"},
    {"title": "地下车库应急照明不亮", "location": "B1 车库", "severity": "major", "department": "engineering"},
]


def _rects(sweep):
    return Rectification.objects.filter(source_type=ContentType.objects.get_for_model(HazardFinding),
                                        source_id__in=sweep.findings.values("pk")).order_by("source_id")


def test_each_finding_opens_one_rectification_for_its_department(world):
    zhixu = actor_for(world.user("zhixu"))
    sweep = fire.record_sweep(zhixu, project=world.project1, areas="3号楼、地下车库", findings=FINDINGS,
                              note="夜间排查", at=AT)
    rects = list(_rects(sweep))
    assert [(r.title, r.department, r.severity) for r in rects] == [
        ("3号楼消防通道堆放纸箱", "security", "minor"), ("地下车库应急照明不亮", "engineering", "major")]
    assert all(r.project_id == world.project1.pk and r.status == RectificationStatus.OPEN for r in rects)
    # Idempotent per finding: opening again for the same finding returns the same rectification.
    finding = sweep.findings.first()
    again = open_rectification(finding, project=world.project1, title="x", department="security")
    assert again.pk == rects[0].pk and _rects(sweep).count() == 2


def test_finding_status_open_overdue_closed(world):
    zhixu = actor_for(world.user("zhixu"))
    sweep = fire.record_sweep(zhixu, project=world.project1, areas="3号楼", findings=FINDINGS, at=AT)
    rows = fire.findings_with_status(sweep.findings.all(), AT + timedelta(hours=1))
    assert [row["state"] for row in rows] == ["open", "open"]
    late = fire.findings_with_status(sweep.findings.all(), AT + timedelta(days=60))
    assert [row["state"] for row in late] == ["overdue", "overdue"]
    rect = _rects(sweep).first()
    report_rectified(zhixu, rect, note="纸箱已清走", at=AT + timedelta(hours=2))
    verify(actor_for(world.user("pinzhi")), rect, accepted=True, at=AT + timedelta(hours=3))
    rows = fire.findings_with_status(sweep.findings.all(), AT + timedelta(days=60))
    assert [row["state"] for row in rows] == ["closed", "overdue"]


def test_sweeps_per_month_pinned_to_two(world, settings):
    assert settings.WUYE_HAZARD_SWEEPS_PER_MONTH == 2
    zhixu = actor_for(world.user("zhixu"))
    fire.record_sweep(zhixu, project=world.project1, areas="1号楼", findings=[], at=AT)
    sweeps = HazardSweep.objects.filter(project=world.project1)
    assert fire.sweep_target(sweeps, 2026, 10) == {"count": 1, "required": 2, "short": 1, "met": False}
    fire.record_sweep(zhixu, project=world.project1, areas="2号楼", findings=[],
                      at=datetime(2026, 10, 17, 9, 0, tzinfo=SH))
    assert fire.sweep_target(sweeps, 2026, 10) == {"count": 2, "required": 2, "short": 0, "met": True}
    # A sweep at 00:30 on 1 November (Shanghai) is November's, not October's.
    fire.record_sweep(zhixu, project=world.project1, areas="3号楼", findings=[],
                      at=datetime(2026, 11, 1, 0, 30, tzinfo=SH))
    assert fire.sweep_target(sweeps, 2026, 10)["count"] == 2
    assert fire.sweep_target(sweeps, 2026, 11)["count"] == 1


def test_drills_per_year_pinned_to_one(world, settings):
    assert settings.WUYE_FIRE_DRILLS_PER_YEAR == 1
    zhixu = actor_for(world.user("zhixu"))
    drills = FireDrill.objects.filter(project=world.project1)
    assert fire.drill_target(drills, 2026) == {"count": 0, "required": 1, "short": 1, "met": False}
    drill = fire.record_drill(zhixu, project=world.project1, held_at=AT, scenario="高层住宅火灾疏散演练",
                              participants="刘军\n王强\n\n陈静 ", owners_count=2, summary="疏散用时 6 分钟")
    assert drill.participant_count == 3 and drill.participants == "刘军\n王强\n陈静"
    assert fire.drill_target(drills, 2026) == {"count": 1, "required": 1, "short": 0, "met": True}
    assert fire.drill_target(drills, 2027)["count"] == 0


def test_api_sweep_with_findings_and_targets(world, api):
    client = api("zhixu")
    response = client.post("/api/v1/hazard-sweeps", {
        "project": world.project1.pk, "areas": "3号楼、地下车库", "findings": FINDINGS,
        "at": "2026-10-02T22:00:00+08:00"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["findings_count"] == 2
    assert [f["state"] for f in body["findings"]] == ["overdue", "overdue"]  # real now is weeks later
    assert all(f["rectification_id"] for f in body["findings"])
    listed = client.get("/api/v1/hazard-sweeps", project=world.project1.pk, year=2026, month=10).json()
    assert listed["count"] == 1
    targets = client.get("/api/v1/fire-safety/targets", project=world.project1.pk, year=2026, month=10).json()
    assert [row["project_id"] for row in targets["projects"]] == [world.project1.pk]
    assert targets["projects"][0]["sweeps"] == {"count": 1, "required": 2, "short": 1, "met": False}
    assert targets["projects"][0]["drills"]["required"] == 1


def test_bad_sweep_is_422_naming_the_field_and_writes_nothing(world, api):
    client = api("zhixu")
    response = client.post("/api/v1/hazard-sweeps", {
        "project": world.project1.pk, "areas": "1号楼",
        "findings": [FINDINGS[0], {"title": "配电房门未锁", "department": "nobody"}]})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["findings[1].department"]
    response = client.post("/api/v1/hazard-sweeps", {"project": world.project1.pk, "areas": "  ", "findings": []})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "areas"
    response = client.post("/api/v1/hazard-sweeps", {"project": world.project1.pk, "areas": "x" * 301})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "areas"
    response = client.post("/api/v1/fire-drills", {"project": world.project1.pk, "held_at": "2999-01-01T09:00:00+08:00",
                                                   "scenario": "演练"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "held_at"
    response = client.post("/api/v1/fire-drills", {"project": world.project1.pk, "held_at": "2026-10-02T09:00:00+08:00",
                                                   "scenario": "演练", "participants": "甲\n乙\n丙",
                                                   "participant_count": 2})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "participant_count"
    assert HazardSweep.objects.count() == 0 and HazardFinding.objects.count() == 0
    assert FireDrill.objects.count() == 0 and Rectification.objects.count() == 0


def test_scope_kefu2_and_owner(world, api):
    zhixu = actor_for(world.user("zhixu"))
    sweep = fire.record_sweep(zhixu, project=world.project1, areas="1号楼", findings=[], at=AT)
    drill = fire.record_drill(zhixu, project=world.project1, held_at=AT, scenario="疏散演练")
    other = api("kefu2")
    assert other.get("/api/v1/hazard-sweeps").json()["count"] == 0
    assert other.get(f"/api/v1/hazard-sweeps/{sweep.pk}").status_code == 404
    assert other.get(f"/api/v1/fire-drills/{drill.pk}").status_code == 404
    # kefu2 (customer service) may read but not record; project 1 is not theirs either way.
    assert other.post("/api/v1/hazard-sweeps", {"project": world.project1.pk, "areas": "x"}).status_code == 422
    owner = api("yezhu")
    assert owner.get("/api/v1/hazard-sweeps").status_code in (403, 404)
    assert owner.get(f"/api/v1/fire-drills/{drill.pk}").status_code in (403, 404)
    assert owner.post("/api/v1/fire-drills", {"project": world.project1.pk, "held_at": "2026-10-02T09:00:00+08:00",
                                              "scenario": "x"}).status_code in (403, 404)
    # Customer service of project 1 reads but may not record a sweep.
    assert api("kefu").post("/api/v1/hazard-sweeps", {"project": world.project1.pk, "areas": "x"}).status_code == 403


@pytest.mark.parametrize("username", ["zhixu", "jingli"])
def test_console_pages(world, login, username):
    zhixu = actor_for(world.user("zhixu"))
    sweep = fire.record_sweep(zhixu, project=world.project1, areas="3号楼", findings=FINDINGS, at=AT)
    drill = fire.record_drill(zhixu, project=world.project1, held_at=AT, scenario="高层住宅火灾疏散演练",
                              participants="刘军\n王强")
    client = login(username)
    for url in ("/console/facilities/fire/sweeps/", f"/console/facilities/fire/sweeps/{sweep.pk}/",
                "/console/facilities/fire/sweeps/new/", "/console/facilities/fire/drills/",
                f"/console/facilities/fire/drills/{drill.pk}/", "/console/facilities/fire/drills/new/"):
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get(f"/console/facilities/fire/sweeps/{sweep.pk}/").content.decode()
    assert "3号楼消防通道堆放纸箱" in page and "地下车库应急照明不亮" in page


def test_console_sweep_form_records_findings(world, login):
    client = login("zhixu")
    response = client.post("/console/facilities/fire/sweeps/new/", {
        "project": world.project1.pk, "areas": "5号楼", "note": "",
        "finding_title": ["楼道电动车充电", ""], "finding_location": ["5号楼 2层", ""],
        "finding_severity": ["major", "minor"], "finding_department": ["security", "security"]})
    assert response.status_code == 302, response.content.decode()[:2000]
    sweep = HazardSweep.objects.get()
    assert [f.title for f in sweep.findings.all()] == ["楼道电动车充电"]
    assert _rects(sweep).count() == 1
    # No areas: the form comes back naming the field, nothing written.
    response = client.post("/console/facilities/fire/sweeps/new/", {"project": world.project1.pk, "areas": ""})
    assert response.status_code == 422 and HazardSweep.objects.count() == 1
    assert login("kefu2").get(f"/console/facilities/fire/sweeps/{sweep.pk}/").status_code == 404


def _default_tasks(world):
    from datetime import date

    from wuye.facilities import plans
    from wuye.facilities.models import MaintenanceTask

    plans.install_default_plans(world.project1, {}, starts_on=date(2026, 10, 1))
    plans.generate_tasks(date(2026, 10, 15))  # lead 30 days: the November drill too
    tasks = MaintenanceTask.objects.filter(project=world.project1, status="scheduled").select_related("plan")
    return (tasks.filter(plan__kind="hazard_sweep").order_by("due_on").first(),
            tasks.filter(plan__kind="fire_drill").order_by("due_on").first())


def test_sweep_and_drill_complete_their_plan_tasks(world):
    sweep_task, drill_task = _default_tasks(world)
    assert sweep_task is not None and drill_task is not None
    zhixu = actor_for(world.user("zhixu"))
    with pytest.raises(InvalidInput) as error:  # a drill's task is not a sweep's
        fire.record_sweep(zhixu, project=world.project1, areas="1号楼", findings=FINDINGS, task=drill_task, at=AT)
    assert error.value.problems[0].field == "task" and HazardSweep.objects.count() == 0
    sweep = fire.record_sweep(zhixu, project=world.project1, areas="1号楼", findings=FINDINGS, task=sweep_task,
                              at=AT)
    sweep_task.refresh_from_db()
    assert sweep.task == sweep_task and sweep_task.status == "done" and sweep_task.completed_by == world.user("zhixu")
    drill = fire.record_drill(zhixu, project=world.project1, held_at=AT, scenario="疏散演练", task=drill_task.pk)
    drill_task.refresh_from_db()
    assert drill.task == drill_task and drill_task.status == "done"
    with pytest.raises(InvalidInput):  # done already
        fire.record_sweep(zhixu, project=world.project1, areas="2号楼", findings=[], task=sweep_task, at=AT)


def test_console_drill_with_photos(world, login):
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, "JPEG")
    photo = SimpleUploadedFile("drill.jpg", buffer.getvalue(), content_type="image/jpeg")
    client = login("zhixu")
    response = client.post("/console/facilities/fire/drills/new/", {
        "project": world.project1.pk, "held_at": "2026-10-02T09:30", "scenario": "地下车库火灾扑救演练",
        "participants": "刘军\n王强\n陈静", "owners_count": "1", "summary": "用时 8 分钟", "photos": [photo]})
    assert response.status_code == 302, response.content.decode()[:2000]
    drill = FireDrill.objects.get()
    assert drill.participant_count == 3 and drill.owners_count == 1
    from wuye.quality.evidence import evidence_for

    assert evidence_for(drill).count() == 1
    page = client.get(f"/console/facilities/fire/drills/{drill.pk}/").content.decode()
    assert "王强" in page and "<img" in page
    listed = client.get("/console/facilities/fire/drills/?year=2026").content.decode()
    assert "地下车库火灾扑救演练" in listed
    bad = client.post("/console/facilities/fire/drills/new/", {"project": world.project1.pk, "held_at": "",
                                                               "scenario": "x"})
    assert bad.status_code == 422 and FireDrill.objects.count() == 1


def test_sweep_lists_cost_the_same_queries_for_3_or_12_sweeps(world, api, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    zhixu = actor_for(world.user("zhixu"))
    client, console = api("zhixu"), login("zhixu")

    def counts():
        with CaptureQueriesContext(connection) as api_queries:
            body = client.get("/api/v1/hazard-sweeps", project=world.project1.pk).json()
        with CaptureQueriesContext(connection) as page_queries:
            assert console.get("/console/facilities/fire/sweeps/?month=2026-10").status_code == 200
        return body["count"], len(api_queries), len(page_queries)

    for day in range(1, 4):
        fire.record_sweep(zhixu, project=world.project1, areas=f"{day}号楼", findings=FINDINGS,
                          at=datetime(2026, 10, day, 9, 0, tzinfo=SH))
    counts()  # warm: the first request also looks up content types and the token once
    few = counts()
    for day in range(4, 13):
        fire.record_sweep(zhixu, project=world.project1, areas=f"{day}号楼", findings=FINDINGS,
                          at=datetime(2026, 10, day, 9, 0, tzinfo=SH))
    many = counts()
    assert (few[0], many[0]) == (3, 12)
    # API: 7 (the bearer token is read with its user's staff profile in one query — core.tokens.lookup); page: 14.
    assert few[1:] == many[1:] == (7, 14), (few, many)


def test_api_targets_are_per_project_not_a_total(world, api):
    # Two sweeps in project 1 meet project 1's twice a month; project 2 had none and is short by two. A total
    # (2 sweeps in scope against 2 required) used to read "met" for the whole company.
    zhixu = actor_for(world.user("zhixu"))
    for day in (2, 17):
        fire.record_sweep(zhixu, project=world.project1, areas="1号楼", findings=[],
                          at=datetime(2026, 10, day, 9, 0, tzinfo=SH))
    fire.record_drill(zhixu, project=world.project1, held_at=AT, scenario="疏散演练")
    body = api("admin").get("/api/v1/fire-safety/targets", year=2026, month=10).json()
    rows = {row["project_id"]: row for row in body["projects"]}
    assert set(rows) == {world.project1.pk, world.project2.pk}
    assert rows[world.project1.pk]["project"] == world.project1.name
    assert rows[world.project1.pk]["sweeps"] == {"count": 2, "required": 2, "short": 0, "met": True}
    assert rows[world.project2.pk]["sweeps"] == {"count": 0, "required": 2, "short": 2, "met": False}
    assert rows[world.project1.pk]["drills"] == {"count": 1, "required": 1, "short": 0, "met": True}
    assert rows[world.project2.pk]["drills"] == {"count": 0, "required": 1, "short": 1, "met": False}
    # `project` narrows to one row; project 1 of someone else's scope is a 404.
    one = api("admin").get("/api/v1/fire-safety/targets", project=world.project2.pk, year=2026, month=10).json()
    assert [row["project_id"] for row in one["projects"]] == [world.project2.pk]
    assert api("kefu2").get("/api/v1/fire-safety/targets", project=world.project1.pk).status_code == 404


def test_sweep_and_drill_lists_count_targets_in_one_query_for_any_number_of_projects(world, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from wuye.tenancy.models import Project

    zhixu = actor_for(world.user("zhixu"))
    fire.record_sweep(zhixu, project=world.project1, areas="1号楼", findings=[], at=AT)
    console = login("admin")

    def queries():
        sizes = []
        for url in ("/console/facilities/fire/sweeps/?month=2026-10", "/console/facilities/fire/drills/?year=2026"):
            with CaptureQueriesContext(connection) as captured:
                response = console.get(url)
            assert response.status_code == 200
            sizes.append((len(captured), response.content.decode()))
        return sizes

    queries()  # warm
    few = queries()
    for code, name in (("fire-c", "丙苑"), ("fire-d", "丁苑"), ("fire-e", "戊苑")):
        Project.objects.create(company=world.company, code=code, name=name)
    many = queries()
    assert all("戊苑" in page for _n, page in many)  # the new projects are on both pages
    assert [n for n, _page in few] == [n for n, _page in many], (few, many)
