"""Cleaning console pages at 2026-10-14 08:45: zones (list, new, edit, pause), the day's task list and its filters,
the task page (done form, photos, clock, timeline as sentences), the cleaner's phone page; other departments
refused, other projects 404, odd digits never a 500."""

from __future__ import annotations

import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from wuye.environment.models import CleaningTask, CleaningZone, TaskStatus

from .cleaning_fixture import NOW, build


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def c(world):
    return build(world)


def test_zone_pages(world, login, c):
    browser = login("huanjing")
    page = browser.get(reverse("environment:zones"))
    assert page.status_code == 200 and "1号楼公共卫生间" in page.content.decode()
    assert browser.get(reverse("environment:zone_new")).status_code == 200
    made = browser.post(reverse("environment:zone_new"), {"project": world.project1.pk, "name": "地下车库",
                                                          "kind": "garage", "times": "", "task_minutes": ""})
    assert made.status_code == 302
    zone = CleaningZone.objects.get(name="地下车库")
    assert zone.times == ["08:00"]
    bad = browser.post(reverse("environment:zone_new"), {"project": world.project1.pk, "name": "楼道",
                                                         "kind": "stairwell", "times": "8点", "task_minutes": "x"})
    assert bad.status_code == 422 and "times" in bad.context["errors"] and "task_minutes" in bad.context["errors"]
    detail = browser.get(reverse("environment:zone", args=[c.road.pk]))
    assert detail.status_code == 200
    saved = browser.post(reverse("environment:zone", args=[c.road.pk]), {
        "action": "save", "name": "主干道", "times": "07:00, 16:00", "task_minutes": "90"})
    assert saved.status_code == 302
    c.road.refresh_from_db()
    assert c.road.times == ["07:00", "16:00"] and c.road.task_minutes == 90
    assert browser.post(reverse("environment:zone", args=[c.road.pk]), {"action": "toggle"}).status_code == 302
    c.road.refresh_from_db()
    assert not c.road.is_active
    assert browser.get(reverse("environment:zone", args=[c.other.pk])).status_code == 404
    assert login("zhixu").get(reverse("environment:zones")).status_code == 403
    assert login("kefu").get(reverse("environment:zone_new")).status_code == 403


def test_task_list_filters(world, login, c):
    browser = login("huanjing")
    page = browser.get(reverse("environment:tasks"))  # today by default
    assert page.status_code == 200
    assert page.context["page"].paginator.count == 2 + 1 + 8
    overdue = browser.get(reverse("environment:tasks"), {"status": "overdue"})
    assert [row["task"].pk for row in overdue.context["rows"]] == [c.road_7.pk]
    lift = browser.get(reverse("environment:tasks"), {"zone": c.lift.pk})
    assert lift.context["page"].paginator.count == 1
    assert browser.get(reverse("environment:tasks"), {"day": "2026-10-15"}).context["page"].paginator.count > 0
    for value in ("²", "١٢", "-", "9" * 30):
        for name in ("zone", "project", "day", "status", "page"):
            assert browser.get(reverse("environment:tasks"), {name: value}).status_code < 500
            assert browser.get(reverse("environment:zones"), {name: value}).status_code < 500


def _jpeg():
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(out, format="JPEG")
    return SimpleUploadedFile("p.jpg", out.getvalue(), content_type="image/jpeg")


def test_task_page_done_with_photo_and_timeline(world, login, c):
    browser = login("huanjing")
    url = reverse("environment:task", args=[c.lift_8.pk])
    page = browser.get(url)
    assert page.status_code == 200 and page.context["may_do"]
    refused = browser.post(url, {"note": ""})
    assert refused.status_code == 422 and "photos" in refused.context["errors"]
    assert browser.post(url, {"note": "已消毒", "photos": _jpeg()}).status_code == 302
    page = browser.get(url)
    text = page.content.decode()
    assert page.context["state"] == "done" and len(page.context["photos"]) == 1
    assert "1号楼电梯轿厢" in text and "cleaning.task" not in text  # the timeline reads as sentences


def test_others_cannot_record_and_other_projects_are_hidden(world, login, c):
    url = reverse("environment:task", args=[c.road_7.pk])
    jingli = login("jingli")
    assert jingli.get(url).context["may_do"] is False
    assert jingli.post(url, {"note": "x"}).status_code == 403
    assert login("zhixu").get(url).status_code == 403
    assert login("huanjing").get(reverse("environment:task", args=[CleaningTask.objects.filter(
        zone=c.other).first().pk])).status_code == 404
    assert CleaningTask.objects.get(pk=c.road_7.pk).status == TaskStatus.SCHEDULED


def test_my_tasks_phone_page(world, login, c):
    browser = login("huanjing")
    page = browser.get(reverse("environment:my_tasks"))
    assert page.status_code == 200
    now_ids = [row["task"].pk for row in page.context["now_rows"]]
    assert now_ids == [c.road_7.pk, c.toilet_8.pk, c.lift_8.pk]  # begun, by start and zone name
    assert all(row["task"].starts_at > NOW for row in page.context["next_rows"])
    done = browser.post(reverse("environment:task", args=[c.toilet_8.pk]), {"back": "my"})
    assert done.status_code == 302 and done.url == reverse("environment:my_tasks")
    assert CleaningTask.objects.get(pk=c.toilet_8.pk).status == TaskStatus.DONE
    refused = browser.post(reverse("environment:task", args=[c.lift_8.pk]), {"back": "my"})  # needs a photo
    assert refused.status_code == 302
    assert CleaningTask.objects.get(pk=c.lift_8.pk).status == TaskStatus.SCHEDULED
