"""The cleaning API (§9): zones listed and made (fields named on bad input), tasks filtered by day, status, zone and
project, recorded done by JSON or multipart with photos; 403 for other departments, 404 outside scope, 409 twice.
Time is frozen at 2026-10-14 08:45 (Asia/Shanghai)."""

from __future__ import annotations

import io
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from wuye.environment import cleaning
from wuye.environment.models import CleaningTask
from wuye.people.access import actor_for

SH = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 10, 14)
NOW = datetime.combine(DAY, time(8, 45), tzinfo=SH)


def at(hour, minute=0):
    return datetime.combine(DAY, time(hour, minute), tzinfo=SH)


@pytest.fixture
def zones(world):
    env = actor_for(world.user("huanjing"))
    road = cleaning.create_zone(env, project=world.project1, name="主干道", kind="road", now=at(0, 5))
    lift = cleaning.create_zone(env, project=world.project1, name="1号楼电梯轿厢", kind="elevator", now=at(0, 5))
    admin = actor_for(world.user("admin"))
    other = cleaning.create_zone(admin, project=world.project2, name="主干道", kind="road", now=at(0, 5))
    cleaning.start_due_clocks(at(8, 30))
    return road, lift, other


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_zones_list_and_create(world, api, zones):
    client = api("huanjing")
    listed = client.get("/api/v1/cleaning-zones").json()
    assert listed["count"] == 2 and {z["name"] for z in listed["items"]} == {"主干道", "1号楼电梯轿厢"}
    made = client.post("/api/v1/cleaning-zones", {"project": world.project1.pk, "name": "3号楼公共卫生间",
                                                  "kind": "toilet"})
    assert made.status_code == 201, made.content
    assert made.json()["times"][0] == "06:00" and len(made.json()["times"]) == 8
    bad = client.post("/api/v1/cleaning-zones", {"project": world.project1.pk, "name": "x", "kind": "road",
                                                 "times": ["7 点"]})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "times"
    again = client.post("/api/v1/cleaning-zones", {"project": world.project1.pk, "name": "主干道", "kind": "road"})
    assert again.status_code == 409
    outside = client.post("/api/v1/cleaning-zones", {"project": world.project2.pk, "name": "y", "kind": "road"})
    assert outside.status_code == 422 and outside.json()["errors"][0]["field"] == "project"
    assert api("zhixu").post("/api/v1/cleaning-zones", {"project": world.project1.pk, "name": "z",
                                                        "kind": "road"}).status_code == 403


def test_task_filters(world, api, zones):
    _road, lift, _other = zones
    client = api("huanjing")
    day = client.get("/api/v1/cleaning-tasks", day="2026-10-14").json()
    assert day["count"] == 3  # road 07:00 and 14:00, the elevator's 08:00 — project 2's is out of scope
    assert client.get("/api/v1/cleaning-tasks", day="2026-10-14", status="overdue").json()["count"] == 1  # 07:00
    assert client.get("/api/v1/cleaning-tasks", day="2026-10-14", status="due").json()["count"] == 1  # lift 08:00
    assert client.get("/api/v1/cleaning-tasks", day="2026-10-14", status="upcoming").json()["count"] == 1
    assert client.get("/api/v1/cleaning-tasks", day="2026-10-14", zone=lift.pk).json()["count"] == 1
    assert client.get("/api/v1/cleaning-tasks", project=world.project2.pk).json()["count"] == 0
    assert api("admin").get("/api/v1/cleaning-tasks", day="2026-10-14", project=world.project2.pk).json()[
        "count"] == 2
    assert client.get("/api/v1/cleaning-tasks", status="nope").status_code == 422
    assert client.get("/api/v1/cleaning-tasks", day="1800-01-01").status_code == 422
    assert api("kefu").get("/api/v1/cleaning-tasks").status_code == 403


def test_done_by_json_then_twice(world, api, zones):
    road, _lift, other = zones
    task = CleaningTask.objects.get(zone=road, starts_at=at(7))
    client = api("huanjing")
    done = client.post(f"/api/v1/cleaning-tasks/{task.pk}/done", {"note": "已清扫"})
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "late" and done.json()["done_by"]  # due 08:00, done 08:45
    assert client.post(f"/api/v1/cleaning-tasks/{task.pk}/done", {}).status_code == 409
    other_task = CleaningTask.objects.filter(zone=other).first()
    assert client.post(f"/api/v1/cleaning-tasks/{other_task.pk}/done", {}).status_code == 404
    assert client.post(f"/api/v1/cleaning-tasks/{task.pk}/done", raw="[1]").status_code == 422


def test_other_departments_cannot_complete(world, api, zones):
    road, _lift, _other = zones
    task = CleaningTask.objects.get(zone=road, starts_at=at(7))
    for username in ("zhixu", "kefu"):
        assert api(username).post(f"/api/v1/cleaning-tasks/{task.pk}/done", {}).status_code == 403
    assert api("kefu2").post(f"/api/v1/cleaning-tasks/{task.pk}/done", {}).status_code == 403  # reads no env


def _jpeg():
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(out, format="JPEG")
    return SimpleUploadedFile("lift.jpg", out.getvalue(), content_type="image/jpeg")


def test_disinfection_by_multipart_needs_a_photo(world, api, zones):
    _road, lift, _other = zones
    task = CleaningTask.objects.get(zone=lift, starts_at=at(8))
    client = api("huanjing")
    refused = client.post(f"/api/v1/cleaning-tasks/{task.pk}/done", {})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "photos"
    browser = Client()
    response = browser.post(f"/api/v1/cleaning-tasks/{task.pk}/done", {"note": "已消毒", "photos": [_jpeg()]},
                            **client.headers)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "done" and len(body["photos"]) == 1 and body["note"] == "已消毒"
    detail = client.get(f"/api/v1/cleaning-tasks/{task.pk}").json()
    assert detail["may_complete"] is False
