"""Greening plans and tasks (SPEC §5, seed 001 ch.5 §2): the seasonal table, predictable dates counted from the
start of the season, idempotent generation, the `greening.task` clock started when the day comes, done / late /
missed, and who may do what (huanjing: environment of project 1; kefu2: desk of project 2, nothing here)."""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from wuye.core.errors import Conflict, InvalidInput, NotAllowed
from wuye.environment import greening
from wuye.environment.models import GreeningPlan, GreeningTask, TaskStatus
from wuye.people.access import actor_for
from wuye.sla.models import Clock

SH = ZoneInfo("Asia/Shanghai")


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=SH)


def plan(world, activity="fertilising", months=(3, 4, 5), every=14, area="中心花园", project=None):
    return greening.create_plan(actor_for(world.user("huanjing")), project=project or world.project1, area=area,
                                activity=activity, months=list(months) if isinstance(months, tuple) else months,
                                every_days=every)


# -- the seasonal table -----------------------------------------------------------------------------------------------
def test_the_default_plans_are_the_seeds_seasons(world):
    plans = greening.install_default_plans(world.project1, "中心花园")
    table = {p.activity: (p.months, p.every_days) for p in plans}
    assert table == {
        "pruning": ([3, 4, 5], 14),
        "fertilising": ([3, 4, 5, 9, 10, 11], 14),
        "pest_control": ([3, 4, 5, 6, 7, 8], 14),
        "watering": ([6, 7, 8], 1),  # seed: 夏季每天澆水1次
        "shading": ([6, 7, 8], 7),
        "leaf_clearing": ([9, 10, 11], 3),
        "winter_protection": ([12, 1, 2], 14),
        "mowing": ([4, 5, 6, 7, 8, 9, 10], 14),
    }
    again = greening.install_default_plans(world.project1, "中心花园")
    assert [p.pk for p in again] == [p.pk for p in plans]
    assert GreeningPlan.objects.filter(project=world.project1).count() == 8


def test_fertilising_every_14_days_in_spring_2027_falls_on_these_days(world):
    fertilising = plan(world)
    assert greening.due_dates(fertilising, date(2027, 1, 1), date(2027, 6, 30)) == [
        date(2027, 3, 1), date(2027, 3, 15), date(2027, 3, 29), date(2027, 4, 12), date(2027, 4, 26),
        date(2027, 5, 10), date(2027, 5, 24)]


def test_winter_counts_from_the_first_of_december(world):
    winter = plan(world, "winter_protection", (12, 1, 2), 14)
    assert greening.due_dates(winter, date(2026, 12, 1), date(2027, 2, 28)) == [
        date(2026, 12, 1), date(2026, 12, 15), date(2026, 12, 29), date(2027, 1, 12), date(2027, 1, 26),
        date(2027, 2, 9), date(2027, 2, 23)]


def test_a_spring_plan_makes_no_task_in_june(world):
    spring = plan(world, "pruning", (3, 4, 5), 7)
    assert greening.generate_tasks(date(2027, 6, 1), days_ahead=29) == 0
    assert not GreeningTask.objects.filter(plan=spring).exists()
    assert greening.generate_tasks(date(2027, 5, 25), days_ahead=7) == 1  # 31 May (1 March + 13 weeks); 7 June not
    assert list(GreeningTask.objects.filter(plan=spring).values_list("due_on", flat=True)) == [date(2027, 5, 31)]


def test_generation_is_idempotent_and_bounded_by_days_ahead(world):
    watering = plan(world, "watering", (6, 7, 8), 1)
    assert greening.generate_tasks(date(2027, 6, 1), days_ahead=7) == 8
    assert greening.generate_tasks(date(2027, 6, 1), days_ahead=7) == 0
    assert greening.generate_tasks(date(2027, 6, 2), days_ahead=7) == 1
    assert GreeningTask.objects.filter(plan=watering).count() == 9


# -- clocks, done, late, missed ---------------------------------------------------------------------------------------
def test_the_clock_starts_when_the_day_comes_and_ends_with_it(world):
    plan(world, "watering", (6, 7, 8), 1)
    greening.generate_tasks(date(2027, 6, 1), days_ahead=2)
    today, tomorrow = GreeningTask.objects.order_by("due_on")[:2]
    clocks = Clock.objects.filter(key=greening.CLOCK_KEY)
    assert clocks.count() == 1
    clock = clocks.get()
    assert clock.subject_id == today.pk
    assert clock.started_at == at(date(2027, 6, 1), 0) and clock.due_at == at(date(2027, 6, 2), 0)
    today.refresh_from_db()
    assert today.clock_started and not GreeningTask.objects.get(pk=tomorrow.pk).clock_started
    greening.start_due_clocks(date(2027, 6, 1))
    assert clocks.count() == 1  # a rerun starts nothing more


def test_done_on_the_day_is_on_time_and_after_it_late(world):
    plan(world, "watering", (6, 7, 8), 1)
    greening.generate_tasks(date(2027, 6, 1), days_ahead=1)
    first, second = GreeningTask.objects.order_by("due_on")
    huanjing = actor_for(world.user("huanjing"))
    done = greening.complete_task(huanjing, first, at=at(date(2027, 6, 1), 18), note="已浇透")
    assert (done.status, done.late, done.note) == (TaskStatus.DONE, False, "已浇透")
    assert Clock.objects.get(subject_id=first.pk, key=greening.CLOCK_KEY).state == "met"
    with pytest.raises(Conflict):
        greening.complete_task(huanjing, first, at=at(date(2027, 6, 1), 19))
    late = greening.complete_task(huanjing, second, at=at(date(2027, 6, 3), 0, 1))
    assert late.late is True


def test_a_task_is_not_done_before_its_day_and_on_it_gets_its_clock(world):
    plan(world, "winter_protection", (12, 1, 2), 14)
    greening.generate_tasks(date(2026, 12, 1), days_ahead=14)
    ahead = GreeningTask.objects.get(due_on=date(2026, 12, 15))
    huanjing = actor_for(world.user("huanjing"))
    with pytest.raises(Conflict) as refused:
        greening.complete_task(huanjing, ahead, at=at(date(2026, 12, 2), 10))
    assert "12-15" in refused.value.message
    with pytest.raises(Conflict):
        greening.complete_task(huanjing, ahead, at=at(date(2026, 12, 14), 23, 59))
    ahead.refresh_from_db()
    assert ahead.status == TaskStatus.SCHEDULED and not ahead.clock_started
    assert not Clock.objects.filter(subject_id=ahead.pk, key=greening.CLOCK_KEY).exists()
    done = greening.complete_task(huanjing, ahead, at=at(date(2026, 12, 15), 0, 30))  # before the hourly job
    assert (done.status, done.late, done.clock_started) == (TaskStatus.DONE, False, True)
    clock = Clock.objects.get(subject_id=ahead.pk, key=greening.CLOCK_KEY)
    assert (clock.state, clock.started_at, clock.stopped_at, clock.due_at) == (
        "met", at(date(2026, 12, 15), 0), at(date(2026, 12, 15), 0, 30), at(date(2026, 12, 16), 0))
    assert greening.start_due_clocks(date(2026, 12, 15)) == 0


def test_api_and_page_refuse_a_task_before_its_day(world, api, login):
    import time_machine

    plan(world, "winter_protection", (12, 1, 2), 14)
    greening.generate_tasks(date(2026, 12, 1), days_ahead=14)
    ahead = GreeningTask.objects.get(due_on=date(2026, 12, 15))
    with time_machine.travel(at(date(2026, 12, 2), 10), tick=False):
        response = api("huanjing").post(f"/api/v1/greening-tasks/{ahead.pk}/done", {"note": "提前"})
        assert response.status_code == 409 and "12-15" in response.content.decode()
        browser = login("huanjing")
        page = browser.get(f"/console/environment/greening/tasks/{ahead.pk}/")
        assert page.status_code == 200 and 'name="note"' not in page.content.decode()
        assert "12-15" in page.content.decode()
        assert browser.post(f"/console/environment/greening/tasks/{ahead.pk}/", {"note": "提前"}).status_code == 409
    ahead.refresh_from_db()
    assert ahead.status == TaskStatus.SCHEDULED and not Clock.objects.filter(subject_id=ahead.pk).exists()
    with time_machine.travel(at(date(2026, 12, 15), 8), tick=False):
        page = login("huanjing").get(f"/console/environment/greening/tasks/{ahead.pk}/")
        assert 'name="note"' in page.content.decode()


def test_past_days_not_done_are_missed_and_their_clocks_breached(world):
    plan(world, "watering", (6, 7, 8), 1)
    greening.generate_tasks(date(2027, 6, 1), days_ahead=0)
    task = GreeningTask.objects.get()
    greening.generate_tasks(date(2027, 6, 2), days_ahead=0, now=at(date(2027, 6, 2), 1))
    task.refresh_from_db()
    assert task.status == TaskStatus.MISSED
    assert Clock.objects.get(subject_id=task.pk, key=greening.CLOCK_KEY).state == "breached"
    with pytest.raises(Conflict):
        greening.complete_task(actor_for(world.user("huanjing")), task)
    assert greening.close_past_tasks(date(2027, 6, 2)) == 0


def test_a_new_schedule_redraws_the_future_tasks(world):
    fertilising = plan(world)
    greening.generate_tasks(date(2027, 3, 1), days_ahead=30)
    assert list(GreeningTask.objects.values_list("due_on", flat=True)) == [
        date(2027, 3, 1), date(2027, 3, 15), date(2027, 3, 29)]
    greening.update_plan(actor_for(world.user("huanjing")), fertilising, every_days=10, today=date(2027, 3, 1))
    greening.generate_tasks(date(2027, 3, 1), days_ahead=30)
    assert list(GreeningTask.objects.values_list("due_on", flat=True)) == [
        date(2027, 3, 1), date(2027, 3, 11), date(2027, 3, 21), date(2027, 3, 31)]


# -- input and who may ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("months", [[], [0], [13], [3, 3], ["x"], "345", [True]])
def test_malformed_months_are_refused_naming_months(world, months):
    with pytest.raises(InvalidInput) as refused:
        plan(world, months=months)
    assert [p.field for p in refused.value.problems] == ["months"]


@pytest.mark.parametrize("every", [0, 91, "x", -1])
def test_every_days_is_1_to_90(world, every):
    with pytest.raises(InvalidInput) as refused:
        plan(world, every=every)
    assert [p.field for p in refused.value.problems] == ["every_days"]


def test_area_is_bounded_and_one_plan_per_area_and_activity(world):
    with pytest.raises(InvalidInput) as refused:
        plan(world, area="花" * 61)
    assert refused.value.problems[0].field == "area"
    plan(world)
    with pytest.raises(InvalidInput) as twice:
        plan(world)
    assert twice.value.problems[0].field == "activity"


def test_huanjing_plans_project_1_only_and_kefu2_nothing(world):
    with pytest.raises(InvalidInput) as refused:
        plan(world, project=world.project2)
    assert refused.value.problems[0].field == "project"
    with pytest.raises(NotAllowed):
        greening.create_plan(actor_for(world.user("kefu2")), project=world.project2, area="北侧绿化带",
                             activity="mowing", months=[5])
    plan(world, "watering", (6, 7, 8), 1)
    greening.generate_tasks(date(2027, 6, 1), days_ahead=0)
    with pytest.raises(NotAllowed):
        greening.complete_task(actor_for(world.user("jingli")), GreeningTask.objects.get())


# -- API --------------------------------------------------------------------------------------------------------------
def test_api_plans_tasks_and_done(world, api, monkeypatch):
    huanjing = api("huanjing")
    response = huanjing.post("/api/v1/greening-plans", {"project": world.project1.pk, "area": "北侧绿化带",
                                                        "activity": "watering", "months": list(range(1, 13))})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["every_days"], body["months"][:3]) == (1, [1, 2, 3])
    GreeningPlan.objects.create(project=world.project2, area="儿童乐园周边", activity="mowing", months=[5])
    listed = huanjing.get("/api/v1/greening-plans").json()
    assert [row["area"] for row in listed["items"]] == ["北侧绿化带"]
    tasks = huanjing.get("/api/v1/greening-tasks").json()
    assert tasks["count"] == 7 and tasks["items"][0]["status"] == "scheduled"
    first = tasks["items"][0]["id"]
    done = huanjing.post(f"/api/v1/greening-tasks/{first}/done", {"note": "浇水完成"})
    assert done.status_code == 200 and done.json()["status"] in ("done", "late")
    assert huanjing.post(f"/api/v1/greening-tasks/{first}/done", {}).status_code == 409
    assert huanjing.get("/api/v1/greening-tasks", status="done").json()["count"] == (done.json()["status"] == "done")
    assert huanjing.get("/api/v1/greening-tasks", status="nope").status_code == 422
    other = GreeningTask.objects.create(project=world.project2, plan=GreeningPlan.objects.get(project=world.project2),
                                        due_on=date(2027, 5, 1))
    assert huanjing.post(f"/api/v1/greening-tasks/{other.pk}/done", {}).status_code == 404


@pytest.mark.parametrize("months", [[13], [3, 3], ["x"], []])
def test_api_malformed_months_is_a_422_naming_months(world, api, months):
    response = api("huanjing").post("/api/v1/greening-plans", {"project": world.project1.pk, "area": "中心花园",
                                                                "activity": "pruning", "months": months})
    assert response.status_code == 422
    assert [error["field"].split("[")[0].split(".")[0] for error in response.json()["errors"]] == ["months"]
    assert not GreeningPlan.objects.exists()


def test_api_kefu2_reads_nothing(world, api):
    kefu2 = api("kefu2")
    assert kefu2.get("/api/v1/greening-plans").status_code == 403
    assert kefu2.get("/api/v1/greening-tasks").status_code == 403
    response = kefu2.post("/api/v1/greening-plans", {"project": world.project2.pk, "area": "x", "activity": "mowing",
                                                     "months": [5]})
    assert response.status_code == 403


# -- pages ------------------------------------------------------------------------------------------------------------
def _png() -> SimpleUploadedFile:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (40, 160, 60)).save(buffer, format="PNG")
    return SimpleUploadedFile("leaf.png", buffer.getvalue(), content_type="image/png")


def test_pages_plan_and_a_task_done_on_the_phone_with_a_photo(world, login):
    browser = login("huanjing")
    response = browser.post("/console/environment/greening/plans/new/", {
        "project": world.project1.pk, "area": "儿童乐园周边", "activity": "watering",
        "months": [str(m) for m in range(1, 13)], "every_days": "", "instructions": "早晚各巡视一次"})
    assert response.status_code == 302, response.content.decode()[:2000]
    new = GreeningPlan.objects.get(area="儿童乐园周边")
    page = browser.get("/console/environment/greening/")
    assert page.status_code == 200 and "儿童乐园周边" in page.content.decode()
    assert browser.get(f"/console/environment/greening/plans/{new.pk}/").status_code == 200
    task = GreeningTask.objects.filter(plan=new).order_by("due_on").first()
    assert browser.get(f"/console/environment/greening/tasks/{task.pk}/").status_code == 200
    done = browser.post(f"/console/environment/greening/tasks/{task.pk}/", {"note": "已完成", "photos": [_png()]})
    assert done.status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE
    from wuye.quality.evidence import evidence_for

    assert evidence_for(task).count() == 1
    bad = browser.post("/console/environment/greening/plans/new/", {
        "project": world.project1.pk, "area": "中心花园", "activity": "pruning", "months": ["13"]})
    assert bad.status_code == 422


def test_pages_refuse_kefu2_and_hide_other_projects(world, login):
    other = GreeningPlan.objects.create(project=world.project2, area="儿童乐园周边", activity="mowing", months=[5])
    task = GreeningTask.objects.create(project=world.project2, plan=other, due_on=date.today() + timedelta(days=1))
    kefu2 = login("kefu2")
    assert kefu2.get("/console/environment/greening/").status_code == 403
    huanjing = login("huanjing")
    assert huanjing.get(f"/console/environment/greening/plans/{other.pk}/").status_code == 404
    assert huanjing.get(f"/console/environment/greening/tasks/{task.pk}/").status_code == 404
    for value in ("²", "9" * 30, "-"):
        assert huanjing.get("/console/environment/greening/", {"project": value}).status_code == 200
