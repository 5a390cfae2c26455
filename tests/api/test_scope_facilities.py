"""Nobody reads across scope in facilities (§4, §9). Asked by `gongcheng2`, an engineer of project 2 only (every
facilities permission, project 2's scope), of project 1's records: each detail and each write answers 404 and nothing
is written; the lists hold nothing of project 1. Owners get 403 on every facilities list and 404 on every record.
The company's equipment categories and contractors are company-wide (read by its staff, written by engineering and
management); the register's import, export and label sheet take `?project=` and answer 404 outside scope."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from wuye.api import api as ninja_api

FACILITIES_COMPANY_ROUTES = {"/api/v1/equipment-categories", "/api/v1/contractors",
                             "/api/v1/contractors/{contractor_id}"}
FACILITIES_PROJECT_QUERY_ROUTES = {"/api/v1/equipment.xlsx", "/api/v1/equipment/import",
                                   "/api/v1/equipment/labels.pdf", "/api/v1/fire-safety/targets"}
FACILITIES_RECORD_ROUTES = {  # route → (method, body)
    "/api/v1/equipment/{equipment_id}": ("get", None),
    "/api/v1/equipment/{equipment_id}/status": ("post", {"status": "stopped", "reason": "停用检修"}),
    "/api/v1/maintenance-tasks/{task_id}": ("get", None),
    "/api/v1/maintenance-tasks/{task_id}/complete": ("post", {"results": []}),
    "/api/v1/maintenance-tasks/{task_id}/skip": ("post", {"reason": "停电"}),
    "/api/v1/operation-logs/{reading_id}": ("get", None),
    "/api/v1/faults/{fault_id}": ("get", None),
    "/api/v1/faults/{fault_id}/actions/{action}": ("post", {"reason": "误报"}),
    "/api/v1/tickets/{ticket_id}/equipment-fault": ("post", {"equipment": 0}),
    "/api/v1/entrapments/{entrapment_id}": ("get", None),
    "/api/v1/entrapments/{entrapment_id}/actions/{action}": ("post", {}),
    "/api/v1/hazard-sweeps/{sweep_id}": ("get", None),
    "/api/v1/fire-drills/{drill_id}": ("get", None),
    "/api/v1/handovers/{handover_id}": ("get", None),
    "/api/v1/handovers/{handover_id}/confirm": ("post", {"note": "已接班"}),
}
# Writes that name their project (or item) in the body: project 1's answer 404 (or 422 naming the field).
FACILITIES_CREATE_ROUTES = {
    "/api/v1/equipment": ("project", {"category": "elevator", "code": "DT-X", "name": "电梯"}),
    "/api/v1/maintenance-plans": ("project", {"name": "测试计划", "kind": "routine", "frequency": "days",
                                              "interval": 15, "starts_on": "2026-12-01"}),
    "/api/v1/operation-logs": ("equipment", {"values": {}}),
    "/api/v1/faults": ("equipment", {"title": "异响"}),
    "/api/v1/entrapments": ("equipment", {}),
    "/api/v1/hazard-sweeps": ("project", {"areas": "地下车库", "findings": []}),
    "/api/v1/fire-drills": ("project", {"held_at": "2026-11-20T15:00:00+08:00", "scenario": "高层住宅火灾疏散演练"}),
    "/api/v1/duty-posts": ("project", {"name": "测试岗", "department": "engineering"}),
    "/api/v1/handovers": ("post", {"shift_date": "2026-12-01", "outgoing_shift": "白班", "situation": "正常"}),
}
FACILITIES_LIST_ROUTES = {"/api/v1/equipment": "equipment_id", "/api/v1/maintenance-plans": "plan_id",
                          "/api/v1/maintenance-tasks": "task_id", "/api/v1/operation-logs": "reading_id",
                          "/api/v1/faults": "fault_id", "/api/v1/entrapments": "entrapment_id",
                          "/api/v1/hazard-sweeps": "sweep_id", "/api/v1/fire-drills": "drill_id",
                          "/api/v1/duty-posts": "post_id", "/api/v1/handovers": "handover_id"}


def facilities_routes() -> set[str]:
    return (FACILITIES_COMPANY_ROUTES | FACILITIES_PROJECT_QUERY_ROUTES | set(FACILITIES_RECORD_ROUTES)
            | set(FACILITIES_CREATE_ROUTES) | set(FACILITIES_LIST_ROUTES))


def _engineer_of_project_2(world):
    from wuye.people.access import actor_for
    from wuye.people.services import create_staff

    admin = actor_for(world.user("admin"))
    return create_staff(admin, company=world.company, username="gongcheng2", password="wuye-demo", name="赵工",
                        role="engineering", projects=[world.project2], is_supervisor=True)


def _records(world, project) -> dict:
    """One record of each facilities kind in `project`, made through the services by its engineer."""
    from wuye.facilities import entrapments, faults, fire, handovers, operation, plans, register, shipped
    from wuye.people.access import actor_for
    from wuye.workorders.models import Ticket

    engineer = actor_for(world.user("gongcheng" if project == world.project1 else "gongcheng2"))
    categories = shipped.install_categories(world.company)
    code = f"P{project.pk}"
    elevator = register.create_equipment(engineer, project=project, category=categories["elevator"],
                                         code=f"DT-{code}", name="1号电梯")
    pump = register.create_equipment(engineer, project=project, category=categories["water_pump"],
                                     code=f"SB-{code}", name="生活水泵")
    plan = plans.create_plan(engineer, project=project, name="电梯半月保养", kind="routine", frequency="days",
                             interval=15, starts_on=timezone.localdate(), category=categories["elevator"],
                             checklist=["检查曳引机"])
    plans.generate_tasks(timezone.localdate(), plans=[plan])
    task = plan.tasks.order_by("due_on").first()
    point = next(iter(register.limits_for(pump)))
    reading = operation.record_reading(engineer, pump, values={point: 0})
    fault = faults.report_fault(engineer, pump, title="水泵异响")
    entrapment = entrapments.start_entrapment(engineer, elevator)
    sweep = fire.record_sweep(engineer, project=project, areas="地下车库", findings=[
        {"title": "消防通道堆放杂物", "location": "B1", "severity": "minor", "department": "security"}])
    drill = fire.record_drill(engineer, project=project, held_at=timezone.now() - timedelta(days=3),
                              scenario="高层住宅火灾疏散演练", participants="张三\n李四")
    post = handovers.create_post(engineer, project=project, name="配电房值班", department="engineering",
                                 shifts=[{"name": "白班", "starts": "08:00"}, {"name": "夜班", "starts": "20:00"}])
    handover = handovers.hand_over(engineer, post=post, shift_date=timezone.localdate(), outgoing_shift="白班",
                                   situation="设备运行正常")
    ticket = Ticket.objects.filter(project=project).first() or world.ticket(project)
    return {"equipment_id": elevator.pk, "pump_id": pump.pk, "plan_id": plan.pk, "task_id": task.pk,
            "reading_id": reading.pk, "fault_id": fault.pk, "entrapment_id": entrapment.pk, "sweep_id": sweep.pk,
            "drill_id": drill.pk, "post_id": post.pk, "handover_id": handover.pk, "ticket_id": ticket.pk,
            "project_id": project.pk, "contractor_id": 0}


def _fill(route: str, ids: dict) -> str:
    url = route
    for name, value in ids.items():
        url = url.replace("{" + name + "}", str(value))
    return url.replace("{action}", "cancel" if "faults" in route else "staff_arrived")


def test_facilities_routes_are_covered():
    paths = {path for path in ninja_api.get_openapi_schema()["paths"]
             if any(word in path for word in ("equipment", "maintenance", "operation-logs", "faults", "entrapments",
                                              "hazard-sweeps", "fire-drills", "duty-posts", "handovers",
                                              "contractors", "fire-safety"))}
    assert paths <= facilities_routes(), f"add scope tests for: {sorted(paths - facilities_routes())}"


@pytest.mark.parametrize("route", sorted(FACILITIES_RECORD_ROUTES))
def test_an_engineer_of_project_2_gets_404_for_project_1_facilities_records(world, api, route):
    from wuye.core.models import Event

    _engineer_of_project_2(world)
    ids = _records(world, world.project1)
    url = _fill(route, ids)
    method, body = FACILITIES_RECORD_ROUTES[route]
    if body is not None and "equipment" in body:  # the ticket link names project 2's own item: still 404
        body = {**body, "equipment": _records(world, world.project2)["equipment_id"]}
    client = api("gongcheng2")
    events = Event.objects.count()
    response = client.get(url) if method == "get" else client.post(url, body)
    assert response.status_code == 404, (url, response.status_code, response.content[:200])
    assert Event.objects.count() == events
    if method == "get":
        assert api("gongcheng").get(url).status_code == 200  # the record is there for project 1's engineer
        assert api("yezhu").get(url).status_code in (403, 404)


@pytest.mark.parametrize("route", sorted(FACILITIES_CREATE_ROUTES))
def test_writes_naming_a_project_1_record_are_refused_to_project_2(world, api, route):
    from wuye.core.models import Event

    _engineer_of_project_2(world)
    ids = _records(world, world.project1)
    field, body = FACILITIES_CREATE_ROUTES[route]
    target = {"project": ids["project_id"], "equipment": ids["pump_id"], "post": ids["post_id"]}[field]
    client = api("gongcheng2")
    events = Event.objects.count()
    response = client.post(route, {**body, field: target})
    assert response.status_code in (404, 422), (route, response.status_code, response.content[:300])
    if response.status_code == 422:
        assert field in {error["field"] for error in response.json()["errors"]}, response.json()
    assert Event.objects.count() == events


@pytest.mark.parametrize("route", sorted(FACILITIES_LIST_ROUTES))
def test_facilities_lists_hold_nothing_of_project_1_for_its_outsiders(world, api, route):
    _engineer_of_project_2(world)
    first, second = _records(world, world.project1), _records(world, world.project2)
    key = FACILITIES_LIST_ROUTES[route]
    seen = {item["id"] for item in api("gongcheng2").get(route, page_size=200).json()["items"]}
    assert second[key] in seen and first[key] not in seen
    both = {item["id"] for item in api("jingli").get(route, page_size=200).json()["items"]}
    assert first[key] in both and second[key] not in both
    assert not {item["id"] for item in api("kefu2").get(route, page_size=200).json().get("items", [])} & {first[key]}
    assert api("yezhu").get(route).status_code == 403


@pytest.mark.parametrize("route", sorted(FACILITIES_PROJECT_QUERY_ROUTES))
def test_register_files_of_project_1_are_404_to_project_2(world, api, route):
    _engineer_of_project_2(world)
    client = api("gongcheng2")
    if route.endswith("/import"):
        response = client.client.post(route, {"project": world.project1.pk}, **client.headers)
    else:
        response = client.get(route, project=world.project1.pk)
    assert response.status_code in (404, 422), (route, response.status_code, response.content[:200])
    if response.status_code == 422:
        assert "project" in {error["field"] for error in response.json()["errors"]}
    assert api("yezhu").get(route, project=world.project1.pk).status_code in (403, 404, 405)


def test_company_lists_are_the_company_staffs_only(world, api):
    from wuye.facilities import shipped

    shipped.install_categories(world.company)
    assert api("gongcheng").get("/api/v1/equipment-categories").status_code == 200
    assert api("yezhu").get("/api/v1/equipment-categories").status_code == 403
    assert api("yezhu").get("/api/v1/contractors").status_code == 403
    assert api("caiwu").get("/api/v1/contractors").status_code == 403
