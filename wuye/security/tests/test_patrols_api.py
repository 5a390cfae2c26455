"""Patrols over the API: routes (made with the project's interval, listed with their checkpoints, changed, switched
off), a day's rounds by status, check-ins by code or label token (422 naming `code`, 409 on a second scan), findings,
and the checkpoint label sheet (one QR per checkpoint carrying its scan URL). Project 2's records are a 404 for
project 1's staff and the other way round."""

from __future__ import annotations

import io
import json
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from wuye.people.access import actor_for
from wuye.security import labels, patrols
from wuye.security.models import CheckpointVisit, PatrolRound, VisitStatus

SH = ZoneInfo("Asia/Shanghai")


NOW = datetime(2026, 12, 3, 8, 5, tzinfo=SH)


@pytest.fixture
def today_route(world):
    """A key-area route of project 1 made at 08:00, its 08:00 round open; the API scans at the server's time, which
    stands still at 08:05 (time-machine)."""
    import time_machine

    with time_machine.travel(NOW, tick=False):
        route = patrols.create_route(actor_for(world.user("zhixu")), project=world.project1, name="地下车库",
                                     is_key_area=True, round_minutes=50, checkpoints=[
                                         {"name": "B1 入口", "code": "G-01"}, {"name": "B2 配电房", "code": "G-02"}],
                                     now=NOW.replace(minute=0))
        patrols.open_due_rounds(NOW)
        yield route


def _current(route) -> PatrolRound:
    return PatrolRound.objects.get(route=route, starts_at=NOW.replace(minute=0))


def test_route_is_made_with_the_projects_interval_and_listed(world, api):
    client = api("zhixu")
    response = client.post("/api/v1/patrol-routes", {
        "project": world.project1.pk, "name": "主干道-楼幢-地下车库",
        "checkpoints": [{"name": "1号楼大堂", "code": "m-01"}, {"name": "东门岗", "code": "M-02",
                                                              "minutes_from_start": 35}]})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["every_minutes"] == 120 and body["round_minutes"] == 40
    assert [(c["code"], c["minutes_from_start"]) for c in body["checkpoints"]] == [("M-01", 20), ("M-02", 35)]
    listed = client.get("/api/v1/patrol-routes", project=world.project1.pk).json()
    assert listed["count"] == 1 and listed["items"][0]["name"] == "主干道-楼幢-地下车库"
    changed = client.client.patch(f"/api/v1/patrol-routes/{body['id']}", json.dumps({"round_minutes": 35}),
                                  content_type="application/json", **client.headers)
    assert changed.status_code == 200, changed.content
    assert changed.json()["round_minutes"] == 35
    assert [c["code"] for c in changed.json()["checkpoints"]] == ["M-01", "M-02"]
    switched = client.post(f"/api/v1/patrol-routes/{body['id']}/active", {"active": False})
    assert switched.status_code == 200 and switched.json()["is_active"] is False
    refused = client.post("/api/v1/patrol-routes", {"project": world.project1.pk, "name": "主干道-楼幢-地下车库",
                                                    "checkpoints": [{"name": "点", "code": "Z-1"}]})
    assert refused.status_code == 409
    bad = client.post("/api/v1/patrol-routes", {"project": world.project1.pk, "name": "坏",
                                                "checkpoints": [{"name": "点", "code": "M-01"}]})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "checkpoints[1].code"
    assert client.post("/api/v1/patrol-routes", {"project": world.project2.pk, "name": "越权", "checkpoints": [
        {"name": "点", "code": "Q-1"}]}).status_code == 422  # project 2 is not zhixu's: "no such project"
    assert api("kefu").post("/api/v1/patrol-routes", {"project": world.project1.pk, "name": "前台", "checkpoints": [
        {"name": "点", "code": "Q-2"}]}).status_code == 403


def test_check_in_by_code_and_token_then_a_finding(world, api, today_route):
    client = api("zhixu")
    current = _current(today_route)
    rounds = client.get("/api/v1/patrol-rounds", status="open").json()
    assert [row["id"] for row in rounds["items"]] == [current.pk]
    first = client.post(f"/api/v1/patrol-rounds/{current.pk}/checkins", {"code": "g-01", "note": "正常"})
    assert first.status_code == 201, first.content
    assert first.json()["status"] == "on_time" and first.json()["checkpoint"] == "B1 入口"
    again = client.post(f"/api/v1/patrol-rounds/{current.pk}/checkins", {"code": "G-01"})
    assert again.status_code == 409
    unknown = client.post(f"/api/v1/patrol-rounds/{current.pk}/checkins", {"code": "NOPE"})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "code"
    token = today_route.checkpoints.get(code="G-02").label_token
    second = client.post(f"/api/v1/patrol-rounds/{current.pk}/checkins",
                         {"token": f"https://wy.example.cn/console/security/c/{token}/"})
    assert second.status_code == 201
    detail = client.get(f"/api/v1/patrol-rounds/{current.pk}").json()
    assert detail["status"] == "completed" and detail["scanned"] == 2
    assert [visit["code"] for visit in detail["visits"]] == ["G-01", "G-02"]
    visit_id = detail["visits"][0]["id"]
    finding = client.post(f"/api/v1/patrol-rounds/{current.pk}/checkins/{visit_id}/findings",
                          {"description": "入口道闸抬杆异常", "action": "work_order"})
    assert finding.status_code == 201 and finding.json()["ticket_id"]
    wrong = client.post(f"/api/v1/patrol-rounds/{current.pk}/checkins/{visit_id}/findings",
                        {"description": "x", "action": "nothing"})
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "action"
    assert api("zhixu").get("/api/v1/patrol-rounds", status="broken").status_code == 422


def test_kefu2_sees_nothing_of_project_1(world, api, today_route):
    current = _current(today_route)
    client = api("kefu2")
    assert client.get(f"/api/v1/patrol-rounds/{current.pk}").status_code == 404
    assert client.get("/api/v1/patrol-rounds").json()["count"] == 0
    assert client.get("/api/v1/patrol-routes").json()["count"] == 0
    assert client.get(f"/api/v1/patrol-routes/{today_route.pk}/labels.pdf").status_code == 404
    assert client.post(f"/api/v1/patrol-rounds/{current.pk}/checkins", {"code": "G-01"}).status_code == 404
    assert CheckpointVisit.objects.filter(round=current, status=VisitStatus.PENDING).count() == 2
    assert api("yezhu").get("/api/v1/patrol-rounds").status_code == 403


def test_label_sheet_carries_each_checkpoints_scan_url(world, api, monkeypatch):
    import segno

    route = patrols.create_route(actor_for(world.user("zhixu")), project=world.project1, name="儿童乐园",
                                 is_key_area=True, checkpoints=[{"name": f"乐园{n}号点", "code": f"E-{n:02d}"}
                                                                for n in range(1, 14)],
                                 now=datetime(2026, 12, 3, 7, 30, tzinfo=SH))
    urls = []
    real = segno.make
    monkeypatch.setattr(segno, "make", lambda content, **kw: urls.append(content) or real(content, **kw))
    response = api("zhixu").get(f"/api/v1/patrol-routes/{route.pk}/labels.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 2  # 12 a page
    text = re.sub(r"[\s\x00]+", "", reader.pages[0].extract_text())
    assert "乐园1号点" in text and "E-01" in text and "E-13" not in text
    first = route.checkpoints.get(code="E-01")
    assert urls[0] == f"http://testserver/console/security/c/{first.label_token}/"
    assert len(urls) == 13


def test_label_sheet_is_bounded(world, monkeypatch):
    from wuye.core.errors import InvalidInput

    route = patrols.create_route(actor_for(world.user("zhixu")), project=world.project1, name="东区",
                                 checkpoints=[{"name": "点", "code": "D-1"}, {"name": "点二", "code": "D-2"}],
                                 now=datetime(2026, 12, 3, 7, 30, tzinfo=SH))
    monkeypatch.setattr(labels, "MAX_LABELS", 1)
    with pytest.raises(InvalidInput) as refused:
        labels.checkpoint_sheet(route.checkpoints.all())
    assert refused.value.problems[0].field == "checkpoints"
    with pytest.raises(InvalidInput):
        labels.checkpoint_sheet([])


def test_rounds_of_a_given_day(world, api):
    route = patrols.create_route(actor_for(world.user("zhixu")), project=world.project1, name="北区",
                                 checkpoints=[{"name": "点", "code": "N-1"}],
                                 now=datetime(2026, 12, 3, 0, 0, tzinfo=SH))
    rows = api("zhixu").get("/api/v1/patrol-rounds", day="2026-12-03", route=route.pk, page_size=200).json()
    assert rows["count"] == 12 and rows["items"][0]["starts_at"].startswith("2026-12-03T00:00")
    assert api("zhixu").get("/api/v1/patrol-rounds", day=date(2026, 12, 5).isoformat(),
                            route=route.pk).json()["count"] == 0
