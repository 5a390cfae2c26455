"""Staff assessment (issue 12 item 9): the score arithmetic, who records and who sees, open months, praise and
complaints from tickets once per ticket, the library's bounds — through the services and the API, on fixed dates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine

from wuye.core.errors import InvalidInput, NotAllowed
from wuye.core.models import Event
from wuye.people.access import actor_for
from wuye.quality import assessments
from wuye.quality.models import AssessmentItem, AssessmentRecord

TODAY = date(2026, 11, 18)
NOW = "2026-11-18 10:00 +0800"
NOVEMBER, OCTOBER = date(2026, 11, 1), date(2026, 10, 1)


@pytest.fixture
def library(world):
    assessments.install_shipped_items(world.company)
    return {item.name: item for item in AssessmentItem.objects.filter(company=world.company)}


def engineer(world):
    """李建国, an engineer of project 1 who supervises nobody."""
    from django.contrib.auth import get_user_model

    from wuye.people.models import StaffProfile

    user = get_user_model().objects.create_user("weixiu", first_name="李建国", password="wuye-demo")
    StaffProfile.objects.create(user=user, company=world.company, role="engineering").projects.set([world.project1])
    return user


def record(world, actor, staff, item=None, **fields):
    fields.setdefault("today", TODAY)
    return assessments.record_assessment(actor_for(world.user(actor)), project=fields.pop("project", world.project1),
                                         staff=world.user(staff), item=item, **fields)


def test_score_is_base_plus_the_months_points(world, library):
    record(world, "jingli", "kefu", library["上班迟到"])
    record(world, "jingli", "kefu", library["工作时间玩手机"], reason="前台值班时")
    record(world, "pinzhi", "kefu", library["拾金不昧"], reason="归还业主遗失的钱包")
    record(world, "jingli", "kefu", library["上班迟到"], month=OCTOBER)  # another month: not counted

    assert assessments.score_of(world.user("kefu"), NOVEMBER) == Decimal("99")  # 100 − 1 − 2 + 2
    assert assessments.score_of(world.user("kefu"), OCTOBER) == Decimal("99")
    row = next(r for r in assessments.monthly_scores(actor_for(world.user("jingli")), month=NOVEMBER)
               if r.name == "陈静")
    assert (row.deductions, row.awards, row.praise, row.complaints, row.records, row.score) == (
        Decimal("-3"), Decimal("2"), 0, 0, 3, Decimal("99"))
    # Everyone of the project is in the manager's table, also those without a record (100).
    gongcheng = next(r for r in assessments.monthly_scores(actor_for(world.user("jingli")), month=NOVEMBER)
                     if r.name == "王强")
    assert gongcheng.score == Decimal("100") and gongcheng.records == 0
    reasons = sorted(AssessmentRecord.objects.filter(staff__username="kefu", month=NOVEMBER)
                     .values_list("reason", flat=True))
    assert reasons == ["上班迟到", "工作时间玩手机：前台值班时", "拾金不昧：归还业主遗失的钱包"]
    event = Event.objects.filter(verb="assessment.recorded").order_by("id").first()
    assert event.data["staff"] == "kefu" and event.data["points"] == "-1.0" and event.project_id == world.project1.pk


def test_who_may_record(world, library):
    late = library["上班迟到"]
    with pytest.raises(NotAllowed):
        record(world, "kefu", "kefu", late)  # nobody assesses themselves
    with pytest.raises(NotAllowed):
        record(world, "caiwu", "kefu", late)  # finance is no supervisor of customer service
    with pytest.raises(NotAllowed):
        record(world, "gongcheng", "kefu", late)  # a supervisor of another department
    with pytest.raises(InvalidInput) as error:
        record(world, "kefu2", "kefu", late, project=world.project2)  # kefu does not work on project 2
    assert error.value.problems[0].field == "staff"
    # The engineering supervisor assesses an engineer of the project (an engineering item fits); the engineer
    # assesses nobody.
    engineer(world)
    assert record(world, "gongcheng", "weixiu", library["报修未按时上门"]).points == Decimal("-2")
    with pytest.raises(NotAllowed):
        record(world, "weixiu", "gongcheng", late)
    assert record(world, "jingli", "caiwu", late).points == Decimal("-1")
    with pytest.raises(NotAllowed):
        record(world, "jingli", "pinzhi", late)  # the company-wide quality department: administration's to assess
    assert record(world, "admin", "pinzhi", late).points == Decimal("-1")
    with pytest.raises(InvalidInput) as error:
        record(world, "jingli", "kefu", library["报修未按时上门"])  # an engineering item for customer service
    assert error.value.problems[0].field == "item"


def test_months_open_are_this_and_the_previous(world, library):
    late = library["上班迟到"]
    assert record(world, "jingli", "kefu", late, month=OCTOBER).month == OCTOBER
    assert record(world, "jingli", "kefu", late, month="2026-11").month == NOVEMBER
    for month in (date(2026, 9, 1), date(2026, 12, 1), "2026-13"):
        with pytest.raises(InvalidInput) as error:
            record(world, "jingli", "kefu", late, month=month)
        assert [p.field for p in error.value.problems] == ["month"]


def test_free_record_bounds(world):
    for kind, points, field in (("deduction", "2", "points"), ("award", "-1", "points"), ("deduction", "-21", "points"),
                                ("deduction", "0", "points"), ("bonus", "1", "kind")):
        with pytest.raises(InvalidInput) as error:
            record(world, "jingli", "kefu", kind=kind, points=points, reason="x")
        assert error.value.problems[0].field == field, (kind, points)
    with pytest.raises(InvalidInput) as error:
        record(world, "jingli", "kefu", kind="deduction", points="-1", reason="")
    assert [p.field for p in error.value.problems] == ["reason"]
    assert record(world, "jingli", "kefu", kind="deduction", points="-0.5", reason="工牌佩戴不正").points == \
        Decimal("-0.5")


def test_praise_from_a_ticket_once(world, library):
    praise = world.ticket(world.project1, kind="praise", description="前台陈静帮忙找回快递，非常感谢")
    jingli = actor_for(world.user("jingli"))
    first = assessments.record_from_ticket(jingli, praise, staff=world.user("kefu"), kind="praise", today=TODAY)
    again = assessments.record_from_ticket(jingli, praise, staff=world.user("kefu"), kind="praise", today=TODAY)
    assert first.pk == again.pk and first.points == Decimal("2") and first.kind == "praise"
    assert AssessmentRecord.objects.filter(ticket=praise).count() == 1
    assert Event.objects.filter(verb="assessment.recorded").count() == 1
    assert praise.number in first.reason
    with pytest.raises(InvalidInput) as error:  # a praise ticket gives no complaint
        assessments.record_from_ticket(jingli, praise, staff=world.user("kefu"), kind="complaint", today=TODAY)
    assert error.value.problems[0].field == "kind"
    with pytest.raises(NotAllowed):  # the supervisor is not the management
        assessments.record_from_ticket(actor_for(world.user("gongcheng")), praise, staff=world.user("kefu"),
                                       kind="praise", today=TODAY)
    complaint = world.ticket(world.project1, kind="complaint", description="保安态度恶劣")
    bad = assessments.record_from_ticket(jingli, complaint, staff=world.user("zhixu"), kind="complaint", today=TODAY)
    assert bad.points == Decimal("-3")
    assert assessments.score_of(world.user("zhixu"), bad.month) == Decimal("97")


def test_withdraw(world, library):
    late = record(world, "jingli", "kefu", library["上班迟到"])
    with pytest.raises(NotAllowed):
        assessments.withdraw_assessment(actor_for(world.user("gongcheng")), late, why="请假", today=TODAY)
    assessments.withdraw_assessment(actor_for(world.user("jingli")), late, why="当天请假已获批准", today=TODAY)
    assert not AssessmentRecord.objects.filter(pk=late.pk).exists()
    event = Event.objects.get(verb="assessment.withdrawn")
    assert event.data["why"] == "当天请假已获批准" and event.data["reason"] == "上班迟到"


def test_library_bounds(world):
    pinzhi = actor_for(world.user("pinzhi"))
    assert len(assessments.install_shipped_items(world.company)) == len(assessments.SHIPPED_ITEMS)
    assert len(assessments.install_shipped_items(world.company)) == len(assessments.SHIPPED_ITEMS)  # idempotent
    item = assessments.save_item(pinzhi, name="消防通道堆放杂物未处理", kind="deduction", points="-2",
                                 department="security")
    assert item.points == Decimal("-2.0")
    with pytest.raises(InvalidInput) as error:
        assessments.save_item(pinzhi, name="消防通道堆放杂物未处理", kind="award", points="30")
    assert {p.field for p in error.value.problems} == {"name", "points"}
    with pytest.raises(NotAllowed):
        assessments.save_item(actor_for(world.user("jingli")), name="新条目", kind="award", points="1")


# -- API ----------------------------------------------------------------------------------------------------------
def test_api_record_and_monthly(world, api, library):
    with time_machine.travel(NOW, tick=False):
        jingli = api("jingli")
        for name in ("上班迟到", "工作时间玩手机", "拾金不昧"):
            response = jingli.post("/api/v1/assessments", {
                "project_id": world.project1.pk, "staff_id": world.user("kefu").pk, "item_id": library[name].pk})
            assert response.status_code == 201, response.content
        assert response.json()["month"] == "2026-11" and response.json()["staff"] == "陈静"
        response = jingli.post("/api/v1/assessments", {
            "project_id": world.project1.pk, "staff_id": world.user("kefu").pk, "item_id": library["上班迟到"].pk,
            "month": "2026-09"})
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == "month"

        table = jingli.get("/api/v1/assessments/monthly", month="2026-11", department="customer_service").json()
        assert [(row["staff"], row["score"]) for row in table["rows"]] == [("陈静", "99.0")]
        assert table["base"] == "100"

        # Own records only for staff who assess nobody; kefu2 sees nothing of project 1; owners 403.
        assert api("kefu").get("/api/v1/assessments").json()["count"] == 3  # her own
        assert api("caiwu").get("/api/v1/assessments").json()["count"] == 0
        assert [row["staff"] for row in api("caiwu").get("/api/v1/assessments/monthly").json()["rows"]] == ["孙敏"]
        assert api("kefu2").get("/api/v1/assessments", project=world.project1.pk).json()["count"] == 0
        assert api("kefu2").get("/api/v1/assessments/monthly", project=world.project1.pk).status_code == 404
        assert api("yezhu").get("/api/v1/assessments").status_code == 403
        assert api("yezhu").get("/api/v1/assessments/monthly").status_code == 403
        assert api("pinzhi").get("/api/v1/assessments", month="2026-11").json()["count"] == 3
        response = api("caiwu").post("/api/v1/assessments", {
            "project_id": world.project1.pk, "staff_id": world.user("kefu").pk, "item_id": library["上班迟到"].pk})
        assert response.status_code == 403


def test_api_items(world, api, library):
    items = api("kefu").get("/api/v1/assessment-items").json()["items"]
    assert {"name": "上班迟到", "points": "-1.0"}.items() <= next(i for i in items if i["name"] == "上班迟到").items()
    response = api("pinzhi").post("/api/v1/assessment-items", {"name": "夜班睡岗", "kind": "deduction", "points": 5})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "points"
    response = api("pinzhi").post("/api/v1/assessment-items", {"name": "夜班睡岗", "kind": "deduction", "points": -3,
                                                               "department": "security"})
    assert response.status_code == 201 and response.json()["department_label"]
    assert api("kefu").post("/api/v1/assessment-items", {"name": "x", "points": -1}).status_code == 403
    assert api("yezhu").get("/api/v1/assessment-items").status_code == 403
