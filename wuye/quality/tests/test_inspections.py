"""Inspections (§6): plans become dated inspections once per day, findings are saved half-finished, submitting
locks the inspection, scores it and opens a rectification per failed item; scope and bad input."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from PIL import Image

from wuye.core.errors import Conflict, InvalidInput, NotAllowed
from wuye.core.models import Event
from wuye.people.access import actor_for
from wuye.quality import inspections as services
from wuye.quality.evidence import evidence_for
from wuye.quality.models import (
    Inspection,
    InspectionPlan,
    InspectionScore,
    Rectification,
    Standard,
    StandardCategory,
    StandardItem,
    StandardVersion,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


def make_standard(company, code="test-daily", *, critical_third=False, version=1):
    """A small standard: two categories, items 1–3 worth 10 points each, 4 off per failure."""
    standard, _ = Standard.objects.get_or_create(company=company, code=code, defaults={"name": "日常品质检查（测试）"})
    v = StandardVersion.objects.create(standard=standard, number=version)
    first = StandardCategory.objects.create(version=v, number=1, name="客服中心")
    second = StandardCategory.objects.create(version=v, number=2, name="公共区域")
    StandardItem.objects.create(version=v, category=first, number=1, text="前台人员按规定着装、佩戴工牌",
                                points=Decimal("10"), deduction=Decimal("4"))
    StandardItem.objects.create(version=v, category=first, number=2, text="来访登记完整、字迹清楚",
                                points=Decimal("10"), deduction=Decimal("4"), department="customer_service")
    StandardItem.objects.create(version=v, category=second, number=3, text="消防通道畅通，无杂物堆放",
                                points=Decimal("10"), deduction=Decimal("4"), critical=critical_third,
                                severity="major", department="security")
    return standard


def items_of(inspection):
    return {item.number: item for item in StandardItem.objects.filter(version=inspection.version)}


def png(name="photo.png"):
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, format="PNG")
    out.seek(0)
    out.name, out.size = name, len(out.getvalue())
    return out


@pytest.fixture
def standard(world):
    return make_standard(world.company)


@pytest.fixture
def pinzhi(world):
    return actor_for(world.user("pinzhi"))


def special(world, actor, standard, project=None, on=date(2026, 11, 30)):
    return services.create_inspection(actor, project=project or world.project1, standard=standard,
                                      kind="special", scheduled_for=on)


# -- the job ----------------------------------------------------------------------------------------------------
def test_job_generates_each_plan_once_a_day_on_its_days(world, standard, pinzhi):
    # The week of Monday 2026-06-29 holds the 1st of July: the 1st of a month and of a quarter.
    for frequency in ("daily", "weekly", "monthly", "quarterly"):
        services.create_plan(pinzhi, project=world.project1, standard=standard, frequency=frequency,
                             starts_on=date(2026, 6, 1))
    late = services.create_plan(pinzhi, project=world.project2, standard=standard, frequency="daily",
                                starts_on=date(2026, 7, 2))
    paused = services.create_plan(pinzhi, project=world.project2, standard=standard, frequency="weekly",
                                  starts_on=date(2026, 6, 1))
    services.set_plan_active(pinzhi, paused, active=False)
    week = [date(2026, 6, 29) + timedelta(days=n) for n in range(7)]
    for day in week:
        services.generate_planned_inspections(day)
        assert services.generate_planned_inspections(day) == []  # a second run the same hour adds nothing
    rows = Inspection.objects.values_list("plan__frequency", "scheduled_for", "project_id")
    assert sorted(rows) == sorted(
        [("daily", day, world.project1.pk) for day in week]
        + [("weekly", date(2026, 6, 29), world.project1.pk),
           ("monthly", date(2026, 7, 1), world.project1.pk),
           ("quarterly", date(2026, 7, 1), world.project1.pk)]
        + [("daily", day, world.project2.pk) for day in week[3:]])
    assert Inspection.objects.count() == 14
    assert set(Inspection.objects.values_list("kind", flat=True)) == {"daily", "weekly", "monthly", "quarterly"}
    assert not Inspection.objects.filter(plan=paused).exists()
    assert Event.objects.filter(verb="inspection.created").count() == 14
    assert late.inspections.count() == 4


def test_job_uses_the_standard_current_version(world, standard, pinzhi):
    plan = services.create_plan(pinzhi, project=world.project1, standard=standard, frequency="daily",
                                starts_on=date(2026, 6, 1))
    services.generate_planned_inspections(date(2026, 6, 1))
    make_standard(world.company, version=2)  # the standard revised
    services.generate_planned_inspections(date(2026, 6, 2))
    versions = dict(plan.inspections.values_list("scheduled_for", "version__number"))
    assert versions == {date(2026, 6, 1): 1, date(2026, 6, 2): 2}


# -- scoring ----------------------------------------------------------------------------------------------------
def test_half_finished_save_keeps_scores_and_submit_scores_86_67(world, standard, pinzhi):
    inspection = special(world, pinzhi, standard)
    item = items_of(inspection)
    services.record_scores(pinzhi, inspection, [{"item": item[3].pk, "result": "pass"}])
    inspection.refresh_from_db()
    assert inspection.status == "in_progress"
    assert services.progress(inspection) == (1, 3)
    services.record_scores(pinzhi, inspection, [
        {"item": item[1].pk, "result": "fail", "failures": 1, "note": "保安未佩戴工牌"},
        {"item": item[2].pk, "result": "pass"}])
    assert dict(inspection.scores.values_list("item__number", "points")) == {
        1: Decimal("6.00"), 2: Decimal("10.00"), 3: Decimal("10.00")}
    services.submit_inspection(pinzhi, inspection, place="1号楼大堂",
                               at=datetime(2026, 11, 30, 10, 0, tzinfo=SHANGHAI))
    inspection.refresh_from_db()
    assert (inspection.status, inspection.score, inspection.failed_critical) == ("submitted", Decimal("86.67"), False)
    assert inspection.inspector.username == "pinzhi"
    assert inspection.place == "1号楼大堂"
    assert Event.objects.filter(subject_id=inspection.pk, verb="inspection.scored").count() == 2  # one per save
    submitted = Event.objects.get(subject_id=inspection.pk, verb="inspection.submitted")
    assert submitted.data["score"] == "86.67"


def test_failures_beyond_the_points_give_zero_and_na_counts_neither_way(world, standard, pinzhi):
    inspection = special(world, pinzhi, standard)
    item = items_of(inspection)
    services.record_scores(pinzhi, inspection, [
        {"item": item[1].pk, "result": "fail", "failures": 3, "note": "三人未着装"},  # 10 − 12 → 0
        {"item": item[2].pk, "result": "pass"},
        {"item": item[3].pk, "result": "na"}])
    services.submit_inspection(pinzhi, inspection, place="客服中心")
    inspection.refresh_from_db()
    assert inspection.score == Decimal("50.00")  # 10 of 20 possible


def test_a_failed_critical_item_fails_the_whole_check(world, pinzhi):
    standard = make_standard(world.company, code="critical", critical_third=True)
    inspection = special(world, pinzhi, standard)
    item = items_of(inspection)
    services.record_scores(pinzhi, inspection, [
        {"item": item[1].pk, "result": "pass"}, {"item": item[2].pk, "result": "pass"},
        {"item": item[3].pk, "result": "fail", "note": "消防通道堆放纸箱"}])
    services.submit_inspection(pinzhi, inspection, place="地下车库")
    inspection.refresh_from_db()
    assert (inspection.score, inspection.failed_critical) == (Decimal("0.00"), True)


def test_submit_opens_a_rectification_per_failed_item(world, standard, pinzhi):
    inspection = special(world, pinzhi, standard)
    item = items_of(inspection)
    services.record_scores(pinzhi, inspection, [
        {"item": item[1].pk, "result": "fail", "note": "未佩戴工牌"}, {"item": item[2].pk, "result": "pass"},
        {"item": item[3].pk, "result": "fail", "note": "通道有电动车"}])
    services.submit_inspection(pinzhi, inspection, place="2号楼")
    rects = Rectification.objects.filter(project=world.project1).order_by("title")
    assert [(r.title, r.department, r.severity) for r in rects] == [
        ("前台人员按规定着装、佩戴工牌（2号楼）", "customer_service", "minor"),
        ("消防通道畅通，无杂物堆放（2号楼）", "security", "major")]
    failed = InspectionScore.objects.filter(inspection=inspection, result="fail")
    assert {r.source_id for r in rects} == {row.pk for row in failed}


def test_submitting_locks_the_inspection(world, standard, pinzhi, api):
    inspection = special(world, pinzhi, standard)
    item = items_of(inspection)
    services.record_scores(pinzhi, inspection, [{"item": i.pk, "result": "pass"} for i in item.values()])
    services.submit_inspection(pinzhi, inspection, place="中心花园")
    with pytest.raises(Conflict):
        services.record_scores(pinzhi, inspection, [{"item": item[1].pk, "result": "fail", "note": "x"}])
    client = api("pinzhi")
    response = client.post(f"/api/v1/inspections/{inspection.pk}/scores",
                           {"scores": [{"item": item[1].pk, "result": "na"}]})
    assert response.status_code == 409
    assert client.post(f"/api/v1/inspections/{inspection.pk}/submit", {"place": "中心花园"}).status_code == 409
    assert InspectionScore.objects.get(inspection=inspection, item=item[1]).result == "pass"


def test_submit_needs_every_item_and_a_place(world, standard, pinzhi, api):
    inspection = special(world, pinzhi, standard)
    item = items_of(inspection)
    client = api("pinzhi")
    client.post(f"/api/v1/inspections/{inspection.pk}/scores", {"scores": [{"item": item[1].pk, "result": "pass"}]})
    response = client.post(f"/api/v1/inspections/{inspection.pk}/submit", {"place": "1号楼"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "scores"
    assert "2、3" in response.json()["errors"][0]["message"]
    client.post(f"/api/v1/inspections/{inspection.pk}/scores", {"scores": [
        {"item": item[2].pk, "result": "pass"}, {"item": item[3].pk, "result": "pass"}]})
    response = client.post(f"/api/v1/inspections/{inspection.pk}/submit", {"place": "   "})
    assert (response.status_code, response.json()["errors"][0]["field"]) == (422, "place")
    response = client.post(f"/api/v1/inspections/{inspection.pk}/submit", {"place": "1号楼"})
    assert response.status_code == 200
    assert response.json()["score"] == "100.00"


def test_bad_findings_are_422_naming_the_row_and_nothing_is_written(world, standard, pinzhi, api):
    inspection = special(world, pinzhi, standard)
    item = items_of(inspection)
    client = api("pinzhi")
    url = f"/api/v1/inspections/{inspection.pk}/scores"
    response = client.post(url, {"scores": [{"item": item[1].pk, "result": "pass"},
                                            {"item": item[2].pk, "result": "maybe"}]})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["scores[1].result"]
    response = client.post(url, {"scores": [{"item": item[1].pk, "result": "fail"}]})
    assert [e["field"] for e in response.json()["errors"]] == ["scores[0].note"]
    assert "1" in response.json()["errors"][0]["message"]
    response = client.post(url, {"scores": [{"item": 999999, "result": "pass"}]})
    assert [e["field"] for e in response.json()["errors"]] == ["scores[0].item"]
    response = client.post(url, {"scores": [{"item": item[1].pk, "result": "fail", "failures": 500, "note": "x"}]})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "scores[0].failures"
    assert not InspectionScore.objects.filter(inspection=inspection).exists()
    inspection.refresh_from_db()
    assert inspection.status == "planned"


def test_a_photo_stands_for_the_note_of_a_failed_item(world, standard, pinzhi):
    inspection = special(world, pinzhi, standard)
    item = items_of(inspection)
    services.record_scores(pinzhi, inspection, [{"item": item[1].pk, "result": "fail"}],
                           photos={item[1].pk: [png()]})
    row = InspectionScore.objects.get(inspection=inspection, item=item[1])
    assert evidence_for(row).count() == 1
    with pytest.raises(InvalidInput) as refused:
        services.record_scores(pinzhi, inspection, [{"item": item[2].pk, "result": "pass"}],
                               photos={item[2].pk: [png()] * 10})
    assert refused.value.problems[0].field == "scores[0].photos"


def test_photos_through_the_api(world, standard, pinzhi, api):
    inspection = special(world, pinzhi, standard)
    item = items_of(inspection)
    client = api("pinzhi")
    response = client.client.post(f"/api/v1/inspections/{inspection.pk}/photos",
                                  {"item": item[3].pk, "result": "fail", "photos": [png()]}, **client.headers)
    assert response.status_code == 200, response.content
    third = next(i for c in response.json()["categories"] for i in c["items"] if i["number"] == 3)
    assert (third["result"], len(third["photos"])) == ("fail", 1)


# -- who may ----------------------------------------------------------------------------------------------------
def test_scope_of_the_list_and_the_record(world, standard, pinzhi, api):
    first = special(world, pinzhi, standard)
    second = special(world, pinzhi, standard, project=world.project2)
    jingli = api("jingli").get("/api/v1/inspections").json()
    assert [row["id"] for row in jingli["items"]] == [first.pk]
    kefu2 = api("kefu2")
    assert [row["id"] for row in kefu2.get("/api/v1/inspections").json()["items"]] == [second.pk]
    assert kefu2.get(f"/api/v1/inspections/{first.pk}").status_code == 404
    assert kefu2.post(f"/api/v1/inspections/{first.pk}/submit", {"place": "x"}).status_code == 404
    owner = api("yezhu")
    assert owner.get("/api/v1/inspections").status_code == 403
    assert owner.get(f"/api/v1/inspections/{first.pk}").status_code in (403, 404)
    pin = api("pinzhi").get("/api/v1/inspections", project=world.project2.pk).json()
    assert [row["id"] for row in pin["items"]] == [second.pk]


def test_special_inspections_are_the_quality_side_and_self_inspection_the_department(world, standard, api):
    kefu = actor_for(world.user("kefu"))
    with pytest.raises(NotAllowed):
        special(world, kefu, standard)
    mine = services.create_inspection(kefu, project=world.project1, standard=standard, kind="self",
                                      scheduled_for=date(2026, 11, 30))
    assert (mine.department, mine.inspector.username) == ("customer_service", "kefu")
    with pytest.raises(NotAllowed):
        services.create_inspection(kefu, project=world.project1, standard=standard, kind="self",
                                   department="security", scheduled_for=date(2026, 11, 30))
    with pytest.raises(InvalidInput):  # another project is no project of hers
        services.create_inspection(kefu, project=world.project2, standard=standard, kind="self",
                                   scheduled_for=date(2026, 11, 30))
    item = items_of(mine)
    services.record_scores(kefu, mine, [{"item": i.pk, "result": "pass"} for i in item.values()])
    services.submit_inspection(kefu, mine, place="客服前台")
    # engineering may not score the front desk's self-inspection
    other = services.create_inspection(kefu, project=world.project1, standard=standard, kind="self",
                                       scheduled_for=date(2026, 12, 1))
    with pytest.raises(NotAllowed):
        services.record_scores(actor_for(world.user("gongcheng")), other, [{"item": item[1].pk, "result": "pass"}])
    response = api("kefu").post("/api/v1/inspections", {
        "project": world.project1.pk, "standard": standard.pk, "kind": "special", "scheduled_for": "2026-12-01"})
    assert response.status_code == 403
    response = api("pinzhi").post("/api/v1/inspections", {
        "project": world.project1.pk, "standard": standard.pk, "kind": "special", "scheduled_for": "2026-12-01"})
    assert response.status_code == 201
    assert response.json()["items_total"] == 3


def test_plans_through_the_api(world, standard, api):
    client = api("jingli")
    response = client.post("/api/v1/inspection-plans", {"project": world.project1.pk, "standard": standard.pk,
                                                         "frequency": "weekly", "starts_on": "2026-12-07"})
    assert response.status_code == 201, response.content
    plan = InspectionPlan.objects.get()
    assert client.post(f"/api/v1/inspection-plans/{plan.pk}/pause").json()["is_active"] is False
    response = client.post("/api/v1/inspection-plans", {"project": world.project2.pk, "standard": standard.pk,
                                                         "frequency": "weekly", "starts_on": "2026-12-07"})
    assert (response.status_code, response.json()["errors"][0]["field"]) == (422, "project")
    assert api("kefu2").get("/api/v1/inspection-plans").json()["count"] == 0


# -- the console pages ------------------------------------------------------------------------------------------

def test_scoring_sheet_save_refuse_submit_and_read(world, login):
    standard = make_standard(world.company)
    pinzhi = actor_for(world.user("pinzhi"))
    inspection = services.create_inspection(pinzhi, project=world.project1, standard=standard, kind="special",
                                            scheduled_for=timezone.localdate())
    item = items_of(inspection)
    browser = login("pinzhi")
    url = f"/console/quality/inspections/{inspection.pk}/"
    page = browser.get(url)
    assert page.status_code == 200
    assert "前台人员按规定着装" in page.content.decode()
    response = browser.post(url, {"action": "save", f"result-{item[1].pk}": "pass"})
    assert response.status_code == 302
    response = browser.post(url, {"action": "save", f"result-{item[2].pk}": "fail"})
    assert response.status_code == 422
    assert "2" in response.content.decode() and "has-error" in response.content.decode()
    response = browser.post(url, {"action": "submit", "place": "1号楼大堂",
                                  f"result-{item[2].pk}": "fail", f"note-{item[2].pk}": "登记缺项",
                                  f"result-{item[3].pk}": "pass"})
    assert response.status_code == 302
    inspection.refresh_from_db()
    assert (inspection.status, str(inspection.score)) == ("submitted", "86.67")
    page = browser.get(url).content.decode()
    assert "86.67" in page and "登记缺项" in page
    rect = Rectification.objects.get(project=world.project1)
    assert f"/console/quality/rectifications/{rect.pk}/" in page
    assert browser.post(url, {"action": "save", f"result-{item[1].pk}": "na"}).status_code == 403
    assert login("kefu2").get(url).status_code == 404
    assert login("kefu").get(url).status_code == 200  # everyone on the project reads the result


def test_list_tabs_plans_and_a_self_inspection(world, login):
    standard = make_standard(world.company)
    browser = login("jingli")
    response = browser.post("/console/quality/inspections/plans/", {
        "project": world.project1.pk, "standard": standard.pk, "frequency": "daily",
        "starts_on": date(2026, 1, 1).isoformat()})
    assert response.status_code == 302
    plan = InspectionPlan.objects.get()
    services.generate_planned_inspections(timezone.localdate())
    assert plan.inspections.count() == 1
    page = browser.get("/console/quality/inspections/").content.decode()
    assert standard.name in page
    assert browser.get("/console/quality/inspections/?tab=submitted").status_code == 200
    assert "日常品质检查" in browser.get("/console/quality/inspections/plans/").content.decode()
    browser.post(f"/console/quality/inspections/plans/{plan.pk}/toggle/")
    plan.refresh_from_db()
    assert plan.is_active is False
    kefu = login("kefu")
    assert kefu.post(f"/console/quality/inspections/plans/{plan.pk}/toggle/").status_code == 302
    plan.refresh_from_db()
    assert plan.is_active is False  # refused: the front desk does not plan
    response = kefu.post("/console/quality/inspections/new/", {
        "kind": "self", "project": world.project1.pk, "standard": standard.pk,
        "scheduled_for": timezone.localdate().isoformat()})
    assert response.status_code == 302
    mine = Inspection.objects.get(kind="self")
    assert mine.department == "customer_service"
    assert kefu.get("/console/quality/inspections/new/").status_code == 200
    assert login("yezhu").get("/console/quality/inspections/").status_code == 302


# -- the demo ---------------------------------------------------------------------------------------------------
def test_demo_inspections_through_the_services(world):
    from wuye.demo.quality_inspections import add_demo_inspections

    counts = add_demo_inspections(world.company, date(2026, 12, 2), days=14)
    counts.pop("seconds")
    # 15 days × 2 daily checks, the two window-service checks of December 1st, a special inspection begun today
    assert counts == {"plans": 4, "inspections": 33, "submitted": 30, "in_progress": 3, "rectifications": 54}
    submitted = Inspection.objects.filter(status="submitted")
    assert all(timezone.localtime(row.submitted_at).date() == row.scheduled_for for row in submitted)
    failed = InspectionScore.objects.filter(inspection__status="submitted", result="fail")
    assert set(Rectification.objects.values_list("source_id", flat=True)) == set(failed.values_list("pk", flat=True))
    assert Inspection.objects.filter(scheduled_for=date(2026, 12, 2), kind="daily", status="in_progress").count() == 2


def test_workbench_card_and_todos_count_the_due_list(world, login, standard):
    from wuye.quality.web.inspections import inspection_cards, inspection_todos

    jingli = actor_for(world.user("jingli"))
    services.create_plan(jingli, project=world.project1, standard=standard, frequency="daily",
                         starts_on=date(2026, 1, 1), inspector=world.user("jingli"))
    services.create_plan(jingli, project=world.project1, standard=standard, frequency="weekly",
                         starts_on=date(2026, 1, 1))
    today = timezone.localdate()
    services.generate_planned_inspections(today - timedelta(days=1))
    services.generate_planned_inspections(today)
    now = timezone.now()
    card = inspection_cards(jingli, now)[0]
    listed = login("jingli").get(card.url).context["page"].paginator.count
    assert card.count == listed == Inspection.objects.filter(scheduled_for__lte=today).count()
    assert [todo.detail for todo in inspection_todos(jingli, now)] == [
        f"{world.project1.name} · {today - timedelta(days=1):%m-%d}", f"{world.project1.name} · {today:%m-%d}"]
    assert inspection_cards(actor_for(world.user("kefu2")), now) == []
