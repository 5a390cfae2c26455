"""Maintenance plans and tasks through the API and the console: who sees and does what, filters, bad input."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from wuye.facilities import plans
from wuye.facilities.models import CategoryKind, MaintenancePlan, MaintenanceTask, TaskStatus
from wuye.sla.engine import clocks_for
from wuye.sla.models import ClockState

from .plans_fixtures import at, category, items, plan_for

pytestmark = pytest.mark.django_db
NOW = at(10, 17, 9, 30)  # a Saturday morning in October 2026


@pytest.fixture
def tasks(world):
    """Two elevators every 15 days from 10-01 and two extinguishers monthly from 10-01; tasks made on 10-01 for a
    month ahead: elevators 10-01, 10-16, 10-31 (6), extinguishers 10-01 (2)."""
    elevator = category(world)
    items(world, elevator, 2)
    extinguishers = category(world, "fire_extinguisher", CategoryKind.FIRE, "灭火器")
    items(world, extinguishers, 2, prefix="MHQ")
    lifts = plan_for(world, elevator, lead_days=30)
    checks = plan_for(world, extinguishers, name="灭火器月检", frequency="monthly", interval=1, kind="fire_check",
                      role="security", checklist=plans.EXTINGUISHER_CHECK, lead_days=30)
    assert plans.generate_tasks(date(2026, 10, 1)) == 8
    return lifts, checks


def _task(plan, due_on, n=0):
    return MaintenanceTask.objects.filter(plan=plan, due_on=due_on).order_by("equipment_id")[n]


@time_machine.travel(NOW, tick=False)
def test_the_task_list_filters_by_status_and_due_days(world, api, tasks):
    lifts, checks = tasks
    gongcheng = api("gongcheng")
    plans.complete_task(plans_actor(world, "gongcheng"), _task(lifts, date(2026, 10, 1)), at=at(10, 2, 8),
                        results=[{"ok": True}] * 2)  # late
    plans.complete_task(plans_actor(world, "gongcheng"), _task(lifts, date(2026, 10, 16)), at=at(10, 16, 10),
                        results=[{"ok": True}] * 2)
    plans.skip_task(plans_actor(world, "zhixu"), _task(checks, date(2026, 10, 1)), reason="灭火器已送检")

    def count(**params):
        response = gongcheng.get("/api/v1/maintenance-tasks", **params)
        assert response.status_code == 200, response.content
        return response.json()["count"]

    assert count() == 8
    assert count(status="done") == 2
    assert count(status="late") == 1
    assert count(status="skipped") == 1
    assert count(status="overdue") == 3  # one elevator 10-01, one elevator 10-16, one extinguisher 10-01
    assert count(status="scheduled") == 2  # both elevators on 10-31
    assert count(due_before="2026-10-16", due_after="2026-10-02") == 2
    rows = gongcheng.get("/api/v1/maintenance-tasks", status="late").json()["items"]
    assert [(r["plan"], r["status"], r["status_label"], r["due_on"]) for r in rows] == [
        ("电梯日常保养", "late", "逾期完成", "2026-10-01")]
    for params, field in (({"status": "bogus"}, "status"), ({"due_before": "1900-01-01"}, "due_before"),
                          ({"due_after": "2026-13-01"}, "due_after"), ({"page_size": 201}, "page_size")):
        response = gongcheng.get("/api/v1/maintenance-tasks", **params)
        assert response.status_code == 422, params
        assert response.json()["errors"][0]["field"] == field


def plans_actor(world, username):
    from .plans_fixtures import actor

    return actor(world, username)


@time_machine.travel(NOW, tick=False)
def test_engineering_completes_its_task_security_the_fire_check_and_project_2_sees_nothing(world, api, tasks):
    lifts, checks = tasks
    lift_task, check_task = _task(lifts, date(2026, 10, 16)), _task(checks, date(2026, 10, 1), 1)
    body = {"results": [{"ok": True}, {"ok": False, "note": "门锁触点磨损"}], "parts": "门锁触点 1 个"}

    assert api("zhixu").post(f"/api/v1/maintenance-tasks/{lift_task.pk}/complete", body).status_code == 403
    assert api("kefu2").post(f"/api/v1/maintenance-tasks/{lift_task.pk}/complete", body).status_code == 404
    assert api("kefu2").get(f"/api/v1/maintenance-tasks/{lift_task.pk}").status_code == 404
    assert api("kefu2").get("/api/v1/maintenance-tasks").json()["count"] == 0
    assert api("kefu2").get("/api/v1/maintenance-plans").json()["count"] == 0
    assert api("yezhu").get("/api/v1/maintenance-tasks").status_code == 403

    response = api("gongcheng").post(f"/api/v1/maintenance-tasks/{lift_task.pk}/complete", body)
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["status"], data["late"], data["parts"]) == ("late", True, "门锁触点 1 个")  # due 10-16, done 10-17
    assert data["checklist"] == [{"step": "检查制动器", "ok": True, "note": ""},
                                 {"step": "检查门锁", "ok": False, "note": "门锁触点磨损"}]
    assert api("gongcheng").post(f"/api/v1/maintenance-tasks/{lift_task.pk}/complete", body).status_code == 409

    fire = {"results": [{"ok": False, "note": "压力不足"}, {"ok": True}, {"ok": True}]}
    assert api("gongcheng").post(f"/api/v1/maintenance-tasks/{check_task.pk}/complete", fire).status_code == 403
    response = api("zhixu").post(f"/api/v1/maintenance-tasks/{check_task.pk}/complete", fire)
    assert response.status_code == 200, response.content
    assert [step["ok"] for step in response.json()["checklist"]] == [False, True, True]


@time_machine.travel(NOW, tick=False)
def test_bad_results_and_reasons_are_422_naming_the_field_with_nothing_written(world, api, tasks):
    lifts, _checks = tasks
    task = _task(lifts, date(2026, 10, 31))
    gongcheng = api("gongcheng")
    for body, field in (({"results": [{"ok": True}]}, "results"),
                        ({"results": [{"ok": True}, {"ok": False}]}, "results"),
                        ({"results": [{"ok": True}, {"ok": True}], "parts": "x" * 301}, "parts"),
                        ({"results": [{"ok": True}, {"ok": "perhaps"}]}, "results[1].ok")):
        response = gongcheng.post(f"/api/v1/maintenance-tasks/{task.pk}/complete", body)
        assert response.status_code == 422, body
        assert response.json()["errors"][0]["field"] == field
    response = gongcheng.post(f"/api/v1/maintenance-tasks/{task.pk}/skip", {"reason": " "})
    assert (response.status_code, response.json()["errors"][0]["field"]) == (422, "reason")
    task.refresh_from_db()
    assert (task.status, task.results, task.parts) == (TaskStatus.SCHEDULED, [], "")
    assert not clocks_for(task).exclude(state=ClockState.RUNNING).exists()  # (its day has not come: no clock yet)
    response = gongcheng.post(f"/api/v1/maintenance-tasks/{task.pk}/skip", {"reason": "电梯停用改造"})
    assert (response.status_code, response.json()["status"], response.json()["skip_reason"]) == (
        200, "skipped", "电梯停用改造")


@time_machine.travel(NOW, tick=False)
def test_creating_a_plan_makes_its_first_tasks_and_bad_input_names_the_fields(world, api, tasks):
    elevator = category(world)
    body = {"project": world.project1.pk, "name": "电梯全面保养", "kind": "full", "frequency": "quarterly",
            "starts_on": "2026-10-20", "category": elevator.pk, "checklist": ["检查限速器", "检查缓冲器"],
            "lead_days": 10, "grace_days": 3}
    assert api("zhixu").post("/api/v1/maintenance-plans", body).status_code == 403
    assert api("kefu2").post("/api/v1/maintenance-plans", body).json()["errors"][0]["field"] == "project"
    response = api("gongcheng").post("/api/v1/maintenance-plans", body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["name"], data["frequency"], data["generated_through"], data["tasks_due"]) == (
        "电梯全面保养", "quarterly", "2026-10-27", 0)
    assert MaintenanceTask.objects.filter(plan_id=data["id"]).count() == 2  # both elevators on 10-20
    assert api("gongcheng").post("/api/v1/maintenance-plans", body).status_code == 409

    before = MaintenancePlan.objects.count()
    for change, field in (({"frequency": "fortnightly"}, "frequency"), ({"kind": "polish"}, "kind"),
                          ({"name": "x" * 101}, "name"), ({"starts_on": "1999-12-31"}, "starts_on"),
                          ({"frequency": "seasonal", "months": [13]}, "months"), ({"lead_days": 367}, "lead_days"),
                          ({"category": 999999}, "category"), ({"checklist": ["x" * 201]}, "checklist")):
        response = api("gongcheng").post("/api/v1/maintenance-plans", {**body, "name": "新计划", **change})
        assert response.status_code == 422, change
        assert response.json()["errors"][0]["field"] == field, change
    assert MaintenancePlan.objects.count() == before

    listed = api("jingli").get("/api/v1/maintenance-plans", project=world.project1.pk).json()["items"]
    lifts = next(row for row in listed if row["name"] == "电梯日常保养")
    # by 10-17: 4 elevator tasks due (10-01, 10-16 × 2), none done → 0 %, all overdue
    assert (lifts["tasks_due"], lifts["tasks_done"], lifts["tasks_overdue"], lifts["done_pct"]) == (4, 0, 4, 0.0)


@time_machine.travel(NOW, tick=False)
def test_console_pages_and_the_phone_form(world, login, tasks):
    lifts, checks = tasks
    task = _task(lifts, date(2026, 10, 31))
    gongcheng = login("gongcheng")
    for name, args in (("facilities:plans", []), ("facilities:plan", [lifts.pk]), ("facilities:plan_new", []),
                       ("facilities:tasks", []), ("facilities:task", [task.pk])):
        response = gongcheng.get(reverse(name, args=args))
        assert response.status_code == 200, name
    page = gongcheng.get(reverse("facilities:tasks") + "?status=overdue").content.decode()
    assert "电梯日常保养" in page and "灭火器月检" in page
    assert login("kefu2").get(reverse("facilities:task", args=[task.pk])).status_code == 404
    assert login("kefu2").get(reverse("facilities:plan", args=[lifts.pk])).status_code == 404
    assert login("zhixu").get(reverse("facilities:plan_new")).status_code == 403

    url = reverse("facilities:task", args=[task.pk])
    failed = gongcheng.post(url, {"action": "complete", "ok_1": "1", "ok_2": "0", "note_2": ""})
    assert failed.status_code == 422
    assert "note" in failed.content.decode().lower() or failed.context["errors"]["results"]
    done = gongcheng.post(url, {"action": "complete", "ok_1": "1", "ok_2": "0", "note_2": "门锁已调整",
                                "parts": "", "note": "正常"})
    assert done.status_code == 302
    task.refresh_from_db()
    assert (task.status, task.late, task.results[1]["note"]) == (TaskStatus.DONE, False, "门锁已调整")

    skipped = _task(checks, date(2026, 10, 1))
    response = login("zhixu").post(reverse("facilities:task", args=[skipped.pk]), {"action": "skip",
                                                                                   "reason": "已送检"})
    assert response.status_code == 302
    plan_page = gongcheng.get(reverse("facilities:plan", args=[checks.pk])).content.decode()
    assert "已送检" in plan_page

    created = gongcheng.post(reverse("facilities:plan_new"), {
        "project": world.project1.pk, "name": "消防演练", "kind": "fire_drill", "frequency": "seasonal",
        "interval": "1", "months": ["6", "11"], "starts_on": "2026-10-01", "checklist": "制定方案\n组织演练\n",
        "responsible_role": "security", "lead_days": "30", "grace_days": "29"})
    assert created.status_code == 302
    drill = MaintenancePlan.objects.get(name="消防演练")
    assert (drill.months, drill.checklist, drill.category_id) == ([6, 11], ["制定方案", "组织演练"], None)
    assert MaintenanceTask.objects.filter(plan=drill).count() == 1  # 11-01, within 30 days of 10-17
    bad = gongcheng.post(reverse("facilities:plan_new"), {"project": world.project1.pk, "name": "",
                                                          "kind": "routine", "frequency": "days", "interval": "0"})
    assert bad.status_code == 422
    assert set(bad.context["errors"]) >= {"name", "interval", "starts_on"}
