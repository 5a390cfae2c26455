"""Takeover from the developer (接管验收): the checklist by system, findings → rectification notices with the
15-working-day clock, re-inspection, accepting only when nothing is open, the documents, the PDFs, scope."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from wuye.community.takeovers import checklists, services
from wuye.community.takeovers.models import (
    HandoverDocument,
    NoticeStatus,
    RectificationNotice,
    Takeover,
    TakeoverCheck,
)
from wuye.people.access import actor_for

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 9, 21, 10, 0, tzinfo=SH)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _plan(world, username="gongcheng", project=None):
    return services.create_takeover(
        actor_for(world.user(username)), project=project or world.project1, title="一期1-3号楼",
        developer="华景置业", developer_contact="李建国 13800000000", planned_on="2026-09-21",
        members="工程部 王工；客服中心 张主管", owner_representatives="业主代表 陈女士")


def _all_ok(world, takeover, except_numbers=()):
    actor = actor_for(world.user("gongcheng"))
    for check in takeover.checks.exclude(number__in=except_numbers):
        services.record_check(actor, check, result="ok")


def test_planning_copies_the_default_checklist_and_documents(world, api):
    client = api("gongcheng")
    response = client.post("/api/v1/takeovers", {
        "project": world.project1.pk, "title": "一期1-3号楼", "developer": "华景置业", "planned_on": "2026-09-22",
        "owner_representatives": "业主代表 陈女士", "buildings": [world.project1.buildings.first().pk]})
    assert response.status_code == 201, response.content
    body = response.json()
    items = sum(len(rows) for rows in checklists.CHECKLIST.values())
    assert len(body["checks"]) == items
    assert {row["system"] for row in body["systems"]} == {"civil", "plumbing", "electrical", "elevators", "fire",
                                                          "hvac", "weak_current", "public_areas"}
    assert "电梯空载运行3次无异常" in [c["item"] for c in body["checks"]]
    assert len(body["documents"]) == len(checklists.DOCUMENTS)
    assert body["status"] == "planned" and body["actions"][0] == "start"
    assert body["owner_representatives"] == "业主代表 陈女士"


def test_bad_input_names_the_fields_and_writes_nothing(world, api):
    response = api("gongcheng").post("/api/v1/takeovers", {
        "project": world.project1.pk, "title": " ", "developer": "", "planned_on": "2026-09-22"})
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"title", "developer"}
    response = api("gongcheng").post("/api/v1/takeovers", {
        "project": world.project1.pk, "title": "x", "developer": "y", "planned_on": "1900-01-01"})
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"planned_on"}
    assert not Takeover.objects.exists() and not TakeoverCheck.objects.exists()
    response = api("gongcheng").post("/api/v1/takeovers", {
        "project": world.project2.pk, "title": "x", "developer": "y", "planned_on": "2026-09-22"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "project"


def test_customer_service_reads_but_does_not_plan(world, api):
    takeover = _plan(world)
    assert api("kefu").get(f"/api/v1/takeovers/{takeover.pk}").status_code == 200
    response = api("kefu").post("/api/v1/takeovers", {
        "project": world.project1.pk, "title": "x", "developer": "y", "planned_on": "2026-09-22"})
    assert response.status_code == 403
    assert Takeover.objects.count() == 1


def test_scope_other_project_staff_and_owners_see_nothing(world, api):
    takeover = _plan(world)
    assert api("kefu2").get(f"/api/v1/takeovers/{takeover.pk}").status_code == 404
    assert api("kefu2").get("/api/v1/takeovers").json()["count"] == 0
    check = takeover.checks.first()
    assert api("kefu2").post(f"/api/v1/takeovers/{takeover.pk}/checks/{check.pk}",
                             {"result": "ok"}).status_code in (403, 404)
    assert api("yezhu").get(f"/api/v1/takeovers/{takeover.pk}").status_code in (403, 404)
    assert api("yezhu").get("/api/v1/takeovers").status_code in (403, 404)


def test_finding_needs_a_note_and_an_item_on_a_notice_is_not_rechecked(world, api):
    takeover = _plan(world)
    client = api("gongcheng")
    client.post(f"/api/v1/takeovers/{takeover.pk}/actions/start")
    check = takeover.checks.get(item="电梯空载运行3次无异常")
    response = client.post(f"/api/v1/takeovers/{takeover.pk}/checks/{check.pk}", {"result": "finding"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "note"
    check.refresh_from_db()
    assert check.result == "pending"
    response = client.post(f"/api/v1/takeovers/{takeover.pk}/checks/{check.pk}",
                           {"result": "finding", "note": "第二次运行有异响", "location": "2号楼1号梯"})
    assert response.status_code == 200 and response.json()["finding_state"] == "open"
    assert client.post(f"/api/v1/takeovers/{takeover.pk}/notices", {}).status_code == 201
    response = client.post(f"/api/v1/takeovers/{takeover.pk}/checks/{check.pk}", {"result": "ok"})
    assert response.status_code == 409 and response.json()["errors"][0]["field"] == "result"


def test_the_whole_takeover_from_finding_to_confirmation(world, api):
    takeover = _plan(world)
    engineer, manager = api("gongcheng"), api("jingli")
    assert engineer.post(f"/api/v1/takeovers/{takeover.pk}/actions/start").status_code == 200
    lift = takeover.checks.get(item="电梯空载运行3次无异常")
    wall = takeover.checks.get(item="墙面平整，无空鼓、开裂、渗水")
    _all_ok(world, takeover, except_numbers=(lift.number, wall.number))
    for check, note in ((lift, "第二次运行有异响"), (wall, "2号楼3层走廊墙面开裂")):
        engineer.post(f"/api/v1/takeovers/{takeover.pk}/checks/{check.pk}", {"result": "finding", "note": note})
    # Accepting with findings open: refused, naming them.
    response = manager.post(f"/api/v1/takeovers/{takeover.pk}/actions/accept",
                            {"signed_on": "2026-09-21", "developer_signatory": "李建国"})
    assert response.status_code == 422
    error = next(e for e in response.json()["errors"] if e["field"] == "findings")
    assert "电梯空载运行3次无异常" in error["message"] and "墙面平整" in error["message"]
    # One notice for both findings, with a quality rectification for engineering on the takeover policy.
    response = engineer.post(f"/api/v1/takeovers/{takeover.pk}/notices", {"note": "请尽快整改"})
    assert response.status_code == 201, response.content
    notice = RectificationNotice.objects.get(pk=response.json()["id"])
    assert response.json()["findings"] == 2 and response.json()["due_at"]
    rect = services.rectification_of(notice)
    assert rect.department == "engineering" and rect.status == "open"
    assert services.notice_clock(notice).key == "rectification.takeover"
    assert engineer.get(f"/api/v1/takeovers/{takeover.pk}").json()["status"] == "rectifying"
    # The notice PDF to hand the developer.
    pdf = engineer.get(f"/api/v1/takeovers/{takeover.pk}/notices/{notice.pk}/notice.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content[:4] == b"%PDF"
    # Re-inspection: the lift not fixed stays open; the wall fixed.
    assert engineer.post(f"/api/v1/takeovers/{takeover.pk}/actions/reinspect").status_code == 200
    response = engineer.post(f"/api/v1/takeovers/{takeover.pk}/checks/{lift.pk}/reinspect", {"fixed": False})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "note"
    response = engineer.post(f"/api/v1/takeovers/{takeover.pk}/checks/{lift.pk}/reinspect",
                             {"fixed": False, "note": "仍有异响"})
    assert response.json()["finding_state"] == "open" and response.json()["reinspections"] == 1
    engineer.post(f"/api/v1/takeovers/{takeover.pk}/checks/{wall.pk}/reinspect", {"fixed": True})
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.ISSUED
    # Engineering may not accept a finding as is; the manager may, with a note.
    response = engineer.post(f"/api/v1/takeovers/{takeover.pk}/checks/{lift.pk}/waive", {"note": "x"})
    assert response.status_code == 403
    response = manager.post(f"/api/v1/takeovers/{takeover.pk}/checks/{lift.pk}/waive", {"note": " "})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "note"
    response = manager.post(f"/api/v1/takeovers/{takeover.pk}/checks/{lift.pk}/waive",
                            {"note": "维保单位书面承诺一周内更换导靴"})
    assert response.json()["finding_state"] == "waived"
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.CLOSED
    # Engineering may not sign the confirmation; the manager signs it.
    response = engineer.post(f"/api/v1/takeovers/{takeover.pk}/actions/accept",
                             {"signed_on": "2026-09-21", "developer_signatory": "李建国"})
    assert response.status_code == 403
    response = manager.post(f"/api/v1/takeovers/{takeover.pk}/actions/accept",
                            {"signed_on": "2026-09-21", "developer_signatory": "李建国"})
    assert response.status_code == 200 and response.json()["status"] == "accepted"
    report = manager.get(f"/api/v1/takeovers/{takeover.pk}/report.pdf")
    assert report.status_code == 200 and report.content[:4] == b"%PDF"


def test_accepting_needs_every_item_checked(world, api):
    takeover = _plan(world)
    api("gongcheng").post(f"/api/v1/takeovers/{takeover.pk}/actions/start")
    _all_ok(world, takeover, except_numbers=(1,))
    response = api("jingli").post(f"/api/v1/takeovers/{takeover.pk}/actions/accept",
                                  {"signed_on": "2026-09-21", "developer_signatory": "李建国"})
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["field"] == "checks" and "房屋本体无结构性裂缝" in error["message"]
    takeover.refresh_from_db()
    assert takeover.status == "inspecting"


def test_the_notice_gives_the_developer_15_working_days_past_the_national_day_holidays(world):
    """Issued on Friday 2026-09-25 (the Mid-Autumn holiday): working days count from Monday 09-28, skip the
    National Day week (10-01 … 10-07) and count the Saturday 10-10 worked instead: the 15th is Thursday 10-22."""
    takeover = _plan(world)
    actor = actor_for(world.user("gongcheng"))
    issued = datetime(2026, 9, 25, 10, 0, tzinfo=SH)
    with time_machine.travel(issued, tick=False):
        services.start_inspection(actor, takeover)
        services.record_check(actor, takeover.checks.first(), result="finding", note="外墙裂缝")
        notice = services.issue_notice(actor, takeover)
    due = timezone.localtime(services.notice_clock(notice).due_at)
    assert due.date().isoformat() == "2026-10-22"


def test_documents_received_missing_and_warranty_cards(world, api):
    takeover = _plan(world)
    client = api("gongcheng")
    doc = takeover.documents.get(name="竣工验收备案表")
    base = f"/api/v1/takeovers/{takeover.pk}/documents"
    response = client.post(f"{base}/{doc.pk}", {"status": "received"})
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"received_on", "copies"}
    doc.refresh_from_db()
    assert doc.status == "expected"
    response = client.post(f"{base}/{doc.pk}", {"status": "received", "received_on": "2026-09-20", "copies": 2,
                                                "filed_at": "工程部档案柜A-3"})
    assert response.status_code == 200 and response.json()["status_label"]
    card = takeover.documents.get(name="电梯保修卡")
    response = client.post(f"{base}/{card.pk}", {"status": "received", "received_on": "2026-09-20", "copies": 1})
    assert {e["field"] for e in response.json()["errors"]} == {"warranty_ends_on", "responsible_firm"}
    response = client.post(f"{base}/{card.pk}", {"status": "received", "received_on": "2026-09-20", "copies": 1,
                                                 "warranty_ends_on": "2028-09-20", "responsible_firm": "迅达电梯"})
    assert response.status_code == 200
    missing = takeover.documents.get(name="隐蔽工程验收记录及影像资料")
    client.post(f"{base}/{missing.pk}", {"status": "missing", "note": "开发商称月底补交"})
    assert client.get(f"/api/v1/takeovers/{takeover.pk}").json()["missing_documents"] == 1
    response = client.post(base, {"category": "other", "name": "人防工程验收资料"})
    assert response.status_code == 201
    assert client.post(base, {"category": "nonsense", "name": ""}).status_code == 422
    assert HandoverDocument.objects.filter(takeover=takeover).count() == len(checklists.DOCUMENTS) + 1
    assert api("kefu").post(f"{base}/{doc.pk}", {"note": "x"}).status_code == 403


def test_cancelling_cancels_the_notices_and_their_rectifications(world, api):
    takeover = _plan(world)
    actor = actor_for(world.user("gongcheng"))
    services.start_inspection(actor, takeover)
    services.record_check(actor, takeover.checks.first(), result="finding", note="外墙裂缝")
    notice = services.issue_notice(actor, takeover)
    response = api("jingli").post(f"/api/v1/takeovers/{takeover.pk}/actions/cancel", {"reason": ""})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "reason"
    response = api("jingli").post(f"/api/v1/takeovers/{takeover.pk}/actions/cancel", {"reason": "开发商延期交付"})
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.CANCELLED
    assert services.rectification_of(notice).status == "cancelled"
    response = api("jingli").post(f"/api/v1/takeovers/{takeover.pk}/actions/start")
    assert response.status_code == 409


def test_workbench_cards_count_the_lists_they_open(world, login):
    from wuye.community.takeovers.workbench import takeover_cards

    takeover = _plan(world)
    actor = actor_for(world.user("gongcheng"))
    services.start_inspection(actor, takeover)
    for check in takeover.checks.all()[:3]:
        services.record_check(actor, check, result="finding", note="问题")
    services.update_document(actor, takeover.documents.first(), {"status": "missing"})
    cards = {card.key: card for card in takeover_cards(actor, timezone.now())}
    assert cards["takeovers.findings_open"].count == 3
    assert cards["takeovers.documents_missing"].count == 1
    page = login("gongcheng").get(cards["takeovers.findings_open"].url)
    assert page.status_code == 200 and page.content.decode().count('id="finding-row"') == 0
    assert page.context["page"].paginator.count == 3
    page = login("gongcheng").get(cards["takeovers.documents_missing"].url)
    assert page.context["page"].paginator.count == 1
    assert takeover_cards(actor_for(world.user("kefu")), timezone.now()) == []
    assert takeover_cards(actor_for(world.user("kefu2")), timezone.now()) == []


def test_events_read_as_sentences(world):
    from wuye.core.events import timeline
    from wuye.core.sentences import event_sentence

    takeover = _plan(world)
    actor = actor_for(world.user("gongcheng"))
    services.start_inspection(actor, takeover)
    services.record_check(actor, takeover.checks.first(), result="finding", note="外墙裂缝")
    services.issue_notice(actor, takeover)
    sentences = [event_sentence(event) for event in timeline(takeover)]
    assert any("外墙裂缝" in sentence for sentence in sentences)
    assert all("takeovers." not in sentence for sentence in sentences)


def test_the_demo_builds_through_the_services_and_runs_once(world):
    from wuye.demo.community_takeovers import add_demo_takeovers

    assert add_demo_takeovers(world.company) == {"takeovers": 4}
    assert add_demo_takeovers(world.company) == {"takeovers": 0}
    for project in (world.project1, world.project2):
        accepted = Takeover.objects.get(project=project, status="accepted")
        assert accepted.checks.filter(finding_state="open").count() == 0
        under_way = Takeover.objects.get(project=project, status="rectifying")
        assert under_way.checks.filter(finding_state="open").count() == 3
        notice = under_way.notices.get()
        assert services.notice_clock(notice).stopped_at is None
        assert under_way.documents.filter(status="missing").count() == 1
    assert services.report_pdf(Takeover.objects.filter(status="accepted").first())[:4] == b"%PDF"
    first_notice = RectificationNotice.objects.filter(takeover__status="accepted").first()
    assert services.rectification_of(first_notice).status == "closed"
