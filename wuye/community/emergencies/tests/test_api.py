"""The incidents API: start, read, a step done (409 twice), the log, resolve/close, the report; refusals name the
field and write nothing; kefu2 gets 404 for project 1's incident; owners get 403."""

import pytest

from wuye.community.emergencies.models import Incident, IncidentLogEntry, Playbook
from wuye.community.emergencies.playbooks import install_default_playbooks


@pytest.fixture
def books(world):
    install_default_playbooks(world.project1)
    return {p.kind: p for p in Playbook.objects.filter(project=world.project1)}


def test_start_complete_log_resolve_close_and_report(world, api, books):
    zhixu, jingli = api("zhixu"), api("jingli")
    response = zhixu.post("/api/v1/incidents", {"project": world.project1.pk, "playbook": books["outage"].pk,
                                                "buildings_affected": 12, "place": "全小区"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["level"], body["kind"], body["status"]) == ("iii", "outage", "active")
    assert len(body["steps"]) == 5 and body["reported_at"].endswith("+08:00")
    incident, step = body["id"], body["steps"][1]["id"]  # security's step

    done = zhixu.post(f"/api/v1/incidents/{incident}/steps/{step}/done", {"note": "临时取水点已设"})
    assert done.status_code == 200 and done.json()["steps"][1]["done_by"]
    again = zhixu.post(f"/api/v1/incidents/{incident}/steps/{step}/done", {})
    assert again.status_code == 409 and again.json()["errors"][0]["field"] == "step"

    log = zhixu.client.post(f"/api/v1/incidents/{incident}/log", {"text": "供电局已到场"}, **zhixu.headers)
    assert log.status_code == 201 and log.json()["text"] == "供电局已到场"
    empty = zhixu.client.post(f"/api/v1/incidents/{incident}/log", {"text": " "}, **zhixu.headers)
    assert empty.status_code == 422 and empty.json()["errors"][0]["field"] == "text"
    assert IncidentLogEntry.objects.count() == 1

    assert zhixu.post(f"/api/v1/incidents/{incident}/actions/resolve").status_code == 200
    assert zhixu.post(f"/api/v1/incidents/{incident}/actions/close", {"summary": "a", "cause": "b"}
                      ).status_code == 403
    refused = jingli.post(f"/api/v1/incidents/{incident}/actions/close", {"summary": "恢复供电"})
    assert refused.status_code == 422 and [e["field"] for e in refused.json()["errors"]] == ["cause"]
    closed = jingli.post(f"/api/v1/incidents/{incident}/actions/close",
                         {"summary": "恢复供电", "cause": "变压器故障", "lessons": "备用电源定期试机"})
    assert closed.status_code == 200 and closed.json()["status"] == "closed"

    report = jingli.get(f"/api/v1/incidents/{incident}/report")
    assert report.status_code == 200 and report["Content-Type"] == "application/pdf"
    assert zhixu.get(f"/api/v1/incidents/{incident}/report").status_code == 403

    listed = api("caiwu").get("/api/v1/incidents", status="closed").json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == incident


def test_refusals_name_the_field_and_write_nothing(world, api, books):
    kefu = api("kefu")
    low = kefu.post("/api/v1/incidents", {"project": world.project1.pk, "playbook": books["fire"].pk,
                                          "level": "iii", "buildings_affected": 4})
    assert low.status_code == 422 and low.json()["errors"][0]["field"] == "level"
    other = kefu.post("/api/v1/incidents", {"project": world.project2.pk, "playbook": books["fire"].pk})
    assert other.status_code == 422 and other.json()["errors"][0]["field"] == "project"
    bad = kefu.post("/api/v1/incidents", {"project": world.project1.pk, "playbook": books["fire"].pk,
                                          "level": "v"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "level"
    assert api("caiwu").post("/api/v1/incidents", {"project": world.project1.pk,
                                                   "playbook": books["fire"].pk}).status_code == 403
    assert not Incident.objects.exists()


def test_scope_kefu2_404_and_owners_none(world, api, books):
    started = api("kefu").post("/api/v1/incidents", {"project": world.project1.pk,
                                                     "playbook": books["entrapment"].pk}).json()
    kefu2 = api("kefu2")
    assert kefu2.get(f"/api/v1/incidents/{started['id']}").status_code == 404
    step = started["steps"][0]["id"]
    assert kefu2.post(f"/api/v1/incidents/{started['id']}/steps/{step}/done").status_code == 404
    assert kefu2.get("/api/v1/incidents").json()["count"] == 0
    assert api("yezhu").get("/api/v1/incidents").status_code == 403
    playbooks = api("caiwu").get("/api/v1/incident-playbooks").json()
    assert playbooks["count"] == 5 and playbooks["items"][0]["steps"][0]["minutes"] == 5
    assert kefu2.get("/api/v1/incident-playbooks").json()["count"] == 0
    assert api("yezhu").get(f"/api/v1/incidents/{started['id']}").status_code in (403, 404)
