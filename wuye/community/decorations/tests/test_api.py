"""The decoration API: an owner applies and follows their application, the desk, engineering and the manager act
through `/actions/{action}`, documents come multipart; refusals name the field, scope hides other households and
projects (404)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from wuye.community.decorations.models import Decoration

from .helpers import PDF, pay_deposit

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 9, 1, 9, 0, tzinfo=SH)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def body(world, **overrides):
    values = {"unit": world.owner_unit("yezhu").pk, "applicant_phone": "13800138000", "works": "厨房卫生间重做防水",
              "works_kinds": ["waterproofing"], "contractor": "家美装饰有限公司", "contractor_leader": "王师傅",
              "contractor_phone": "13900139000", "workers_planned": 3, "planned_start": "2026-09-05",
              "planned_end": "2026-10-31"}
    values.update(overrides)
    return values


def upload(client, decoration_id, kind, content=PDF, name="doc.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.client.post(f"/api/v1/decorations/{decoration_id}/documents",
                              {"kind": kind, "file": SimpleUploadedFile(name, content)}, **client.headers)


def test_an_owner_applies_adds_documents_and_the_staff_carry_it_to_approval(world, api, frozen):
    owner = api("yezhu")
    response = owner.post("/api/v1/decorations", body(world))
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["status"] == "submitted" and created["applicant_phone"].startswith("138")
    assert "*" in created["applicant_phone"] and created["actions"] == ["cancel"]
    assert created["missing_documents"] == ["plan", "contractor_licence", "leader_id"]
    pk = created["id"]
    for kind in ("plan", "contractor_licence", "leader_id"):
        assert upload(owner, pk, kind).status_code == 201
    refused = upload(owner, pk, "plan", content=b"not a pdf")
    assert refused.status_code == 422 and "file" in refused.content.decode()
    desk = api("kefu")
    assert desk.get(f"/api/v1/decorations/{pk}").json()["actions"][:2] == ["check_documents", "return_for_documents"]
    checked = desk.post(f"/api/v1/decorations/{pk}/actions/check_documents", {"note": "资料齐全"})
    assert checked.status_code == 200, checked.content
    assert [(bill["item"], bill["amount"]) for bill in checked.json()["bills"]] == [("装修保证金", "2000.00")]
    eng = api("gongcheng")
    assert eng.post(f"/api/v1/decorations/{pk}/actions/approve_engineering", {}).status_code == 200
    manager = api("jingli")
    refused = manager.post(f"/api/v1/decorations/{pk}/actions/approve", {})
    assert refused.status_code == 409 and "deposit" in refused.content.decode()
    pay_deposit(world, Decoration.objects.get(pk=pk))
    approved = manager.post(f"/api/v1/decorations/{pk}/actions/approve", {"note": "同意"})
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    mine = owner.get("/api/v1/decorations").json()
    assert mine["count"] == 1 and mine["items"][0]["status_label"]


def test_bad_input_is_a_422_naming_the_field_and_writes_nothing(world, api, frozen):
    owner = api("yezhu")
    response = owner.post("/api/v1/decorations", body(world, contractor_phone="123", works=" "))
    assert response.status_code == 422
    text = response.content.decode()
    assert "contractor_phone" in text and "works" in text
    response = owner.post("/api/v1/decorations", body(world, planned_end="2026-09-01"))
    assert response.status_code == 422 and "planned_end" in response.content.decode()
    assert not Decoration.objects.exists()
    created = owner.post("/api/v1/decorations", body(world)).json()
    response = api("kefu").post(f"/api/v1/decorations/{created['id']}/actions/return_for_documents", {"note": ""})
    assert response.status_code == 422 and "note" in response.content.decode()
    response = api("kefu").post(f"/api/v1/decorations/{created['id']}/actions/fly", {})
    assert response.status_code == 422 and "action" in response.content.decode()
    assert Decoration.objects.get().status == "submitted"


def test_scope_other_households_and_projects_see_nothing(world, api, frozen):
    created = api("yezhu").post("/api/v1/decorations", body(world)).json()
    pk = created["id"]
    assert api("yezhu2").get(f"/api/v1/decorations/{pk}").status_code == 404
    assert api("yezhu2").get("/api/v1/decorations").json()["count"] == 0
    assert api("kefu2").get(f"/api/v1/decorations/{pk}").status_code == 404
    assert api("kefu2").post(f"/api/v1/decorations/{pk}/actions/check_documents", {}).status_code == 404
    assert api("kefu2").get("/api/v1/decorations").json()["count"] == 0
    # yezhu2 cannot apply for yezhu's home either.
    response = api("yezhu2").post("/api/v1/decorations", body(world))
    assert response.status_code == 422 and "unit" in response.content.decode()
    assert api("huanjing").get("/api/v1/decorations").status_code == 403
    assert Decoration.objects.get(pk=pk).status == "submitted"


def test_the_works_inspections_deductions_and_acceptance_through_the_api(world, api, frozen):
    from .helpers import apply, carry

    decoration = carry(world, apply(world), "in_progress")
    eng = api("gongcheng")
    url = f"/api/v1/decorations/{decoration.pk}/actions"
    response = eng.post(f"{url}/inspect", {"result": "findings", "findings": "楼道未做成品保护"})
    assert response.status_code == 200 and response.json()["inspections"][0]["result_label"]
    response = eng.post(f"{url}/add_deduction", {"reason": "损坏电梯轿厢", "amount": "300.00"})
    assert response.status_code == 200
    response = eng.post(f"{url}/add_deduction", {"reason": "多扣", "amount": "1700.01"})
    assert response.status_code == 422 and "amount" in response.content.decode()
    accepted = eng.post(f"{url}/accept", {})
    assert accepted.status_code == 200
    refund = accepted.json()["refund"]
    assert refund["refund"] == "1700.00" and refund["deadline"] is not None
    requested = api("caiwu").post(f"{url}/request_deposit_refund", {})
    assert requested.status_code == 200 and requested.json()["refund"]["request_status"] == "requested"
    passes = api("kefu").post(f"/api/v1/decorations/{decoration.pk}/worker-passes", {
        "worker_name": "李工", "id_type": "resident_id", "id_number": "11010519491231002X",
        "valid_from": "2026-09-05", "valid_until": "2026-09-30"})
    assert passes.status_code == 409  # accepted: no more passes
