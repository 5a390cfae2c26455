"""Environment checks as quality inspections (one mechanism): the check sheets in the standards library, the
supervisor's daily round and the weekly spot and greening checks as inspection plans, scored and submitted through
quality's own functions (a failed item opens one rectification), a zone's spot check, and who sees what."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from wuye.core.errors import Conflict
from wuye.environment import checks
from wuye.environment.models import CleaningZone
from wuye.people.access import actor_for
from wuye.quality import inspections
from wuye.quality.models import InspectionPlan, Rectification, Standard, StandardItem
from wuye.quality.rectifications import open_rectification

SH = ZoneInfo("Asia/Shanghai")
MONDAY = date(2027, 3, 1)


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=SH)


@pytest.fixture
def env(world):
    huanjing = world.user("huanjing")
    plans = checks.install_environment_checks(world.project1, huanjing, starts_on=date(2027, 1, 1))
    return plans


def _scores(inspection, failed_numbers=()):
    items = StandardItem.objects.filter(version=inspection.version).order_by("number")
    return [{"item": item.pk, "result": "fail" if item.number in failed_numbers else "pass",
             "note": "楼道堆放纸箱" if item.number in failed_numbers else ""} for item in items]


def test_the_sheets_are_installed_once_for_the_environment(world):
    first = checks.install_environment_standards(world.company)
    again = checks.install_environment_standards(world.company)
    assert {code: s.pk for code, s in first.items()} == {code: s.pk for code, s in again.items()}
    assert set(first) == {"environment-cleaning", "environment-greening"}
    for standard in first.values():
        items = StandardItem.objects.filter(version__standard=standard)
        assert items.count() == 10
        assert set(items.values_list("department", flat=True)) == {"environment"}
        assert sum(item.points for item in items) == 100
    texts = list(StandardItem.objects.filter(version__standard=first["environment-cleaning"])
                 .values_list("text", flat=True))
    assert any("电梯轿厢已消毒" in text for text in texts) and any("卫生间无异味" in text for text in texts)


def test_the_three_check_plans_with_the_supervisor_as_inspector(world, env):
    assert [(p.standard.code, p.frequency, p.inspector.username) for p in env] == [
        ("environment-cleaning", "daily", "huanjing"), ("environment-cleaning", "weekly", "huanjing"),
        ("environment-greening", "weekly", "huanjing")]
    again = checks.install_environment_checks(world.project1, world.user("huanjing"))
    assert [p.pk for p in again] == [p.pk for p in env]
    assert InspectionPlan.objects.filter(project=world.project1, standard__code__in=checks.SHEETS).count() == 3


def test_monday_brings_three_checks_tuesday_only_the_round(world, env):
    inspections.generate_planned_inspections(MONDAY)
    inspections.generate_planned_inspections(date(2027, 3, 2))
    huanjing = actor_for(world.user("huanjing"))
    assert [(i.version.standard.code, i.kind) for i in checks.checks_on(huanjing, MONDAY)] == [
        ("environment-cleaning", "daily"), ("environment-cleaning", "weekly"), ("environment-greening", "weekly")]
    assert [i.kind for i in checks.checks_on(huanjing, date(2027, 3, 2))] == ["daily"]


def test_the_supervisor_scores_the_round_and_a_failed_item_opens_one_rectification(world, env):
    inspections.generate_planned_inspections(MONDAY)
    huanjing = actor_for(world.user("huanjing"))
    round_ = checks.checks_on(huanjing, MONDAY).get(kind="daily")
    assert inspections.may_inspect(huanjing, round_)
    inspections.record_scores(huanjing, round_, _scores(round_, failed_numbers=(6,)), at=at(MONDAY, 9))
    inspections.submit_inspection(huanjing, round_, place="3号楼楼道", at=at(MONDAY, 10))
    round_.refresh_from_db()
    assert round_.score == 98 and round_.status == "submitted"
    rects = Rectification.objects.filter(project=world.project1)
    assert rects.count() == 1
    rect = rects.get()
    assert (rect.department, rect.status) == ("environment", "open") and "楼道无堆放杂物" in rect.title
    score = round_.scores.get(result="fail")
    assert open_rectification(score, project=world.project1, title="again", department="environment").pk == rect.pk
    with pytest.raises(Conflict):
        inspections.submit_inspection(huanjing, round_, place="3号楼楼道")
    assert Rectification.objects.filter(project=world.project1).count() == 1
    [row] = checks.with_rectifications(checks.checks_on(huanjing, MONDAY).filter(kind="daily"))
    assert [r.pk for r in row.rectifications] == [rect.pk] and row.open_rectifications == 1


def test_someone_else_of_the_department_may_not_score_the_supervisors_round(world, env):
    inspections.generate_planned_inspections(MONDAY)
    round_ = checks.checks_on(actor_for(world.user("huanjing")), MONDAY).get(kind="daily")
    assert not inspections.may_inspect(actor_for(world.user("zhixu")), round_)


def test_a_zone_spot_check_is_scored_where_the_zone_is(world, env):
    zone = CleaningZone.objects.create(project=world.project1, name="1号楼大堂", kind="lobby")
    huanjing = actor_for(world.user("huanjing"))
    spot = checks.start_zone_check(huanjing, zone, day=MONDAY)
    assert (spot.kind, spot.department, spot.place, spot.scheduled_for) == ("self", "environment", "1号楼大堂", MONDAY)
    assert checks.zone_scores(huanjing, [zone]) == {}
    inspections.record_scores(huanjing, spot, _scores(spot), at=at(MONDAY, 11))
    inspections.submit_inspection(huanjing, spot, place=spot.place, at=at(MONDAY, 11))
    assert checks.zone_scores(huanjing, [zone]) == {zone.pk: spot}
    spot.refresh_from_db()
    assert spot.score == 100


def test_huanjing_sees_project_1_only_and_kefu2_nothing(world, env):
    checks.install_environment_checks(world.project2, None, actor=actor_for(world.user("pinzhi")),
                                      starts_on=date(2027, 1, 1))
    inspections.generate_planned_inspections(MONDAY)
    huanjing, kefu2 = actor_for(world.user("huanjing")), actor_for(world.user("kefu2"))
    assert {i.project_id for i in checks.checks_on(huanjing, MONDAY)} == {world.project1.pk}
    assert checks.checks_on(actor_for(world.user("pinzhi")), MONDAY).count() == 6
    assert checks.checks_on(kefu2, MONDAY).count() == 0


def test_api_environment_checks(world, env, api):
    inspections.generate_planned_inspections(MONDAY)
    huanjing = api("huanjing")
    round_ = checks.checks_on(actor_for(world.user("huanjing")), MONDAY).get(kind="daily")
    inspections.record_scores(actor_for(world.user("huanjing")), round_, _scores(round_, failed_numbers=(8,)))
    inspections.submit_inspection(actor_for(world.user("huanjing")), round_, place="垃圾分类投放点")
    body = huanjing.get("/api/v1/environment-checks", since="2027-02-28", until="2027-03-02").json()
    assert body["count"] == 3
    row = next(item for item in body["items"] if item["id"] == round_.pk)
    assert (row["sheet_code"], row["score"], row["place"]) == ("environment-cleaning", "98.00", "垃圾分类投放点")
    assert [r["status"] for r in row["rectifications"]] == ["open"]
    assert huanjing.get("/api/v1/environment-checks", since="2027-03-02", until="2027-03-02").json()["count"] == 0
    assert huanjing.get("/api/v1/environment-checks", since="2027-03-02", until="2027-03-01").status_code == 422
    wide = huanjing.get("/api/v1/environment-checks", since="2027-01-01", until="2027-06-01")
    assert wide.status_code == 422 and wide.json()["errors"][0]["field"] == "since"
    assert api("kefu2").get("/api/v1/environment-checks").status_code == 403


def test_checks_page_and_zone_check_button(world, login):
    today = timezone.localdate()
    checks.install_environment_checks(world.project1, world.user("huanjing"), starts_on=today)
    inspections.generate_planned_inspections(today)
    huanjing = login("huanjing")
    page = huanjing.get("/console/environment/checks/")
    assert page.status_code == 200 and "清洁卫生检查" in page.content.decode()
    assert login("kefu2").get("/console/environment/checks/").status_code == 403
    zone = CleaningZone.objects.create(project=world.project1, name="中心广场", kind="square")
    started = huanjing.post(f"/console/environment/zones/{zone.pk}/check/")
    assert started.status_code == 302 and "/console/quality/inspections/" in started["Location"]
    other = CleaningZone.objects.create(project=world.project2, name="中心广场", kind="square")
    assert huanjing.post(f"/console/environment/zones/{other.pk}/check/").status_code == 404
    assert huanjing.get(f"/console/environment/zones/{zone.pk}/check/").status_code == 405
    assert Standard.objects.filter(company=world.company, code__in=checks.SHEETS).count() == 2
