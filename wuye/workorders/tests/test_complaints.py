"""Complaints (§2.2): assignment within 1 h, handling in working days, approval of major ones, reply, visit."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from wuye.people.access import actor_for
from wuye.sla.engine import clocks_for
from wuye.tenancy.rules import update_rules
from wuye.workorders.models import Category
from wuye.workorders.services import ActionInput, TicketInput, create_ticket, perform

SH = ZoneInfo("Asia/Shanghai")


def act(client, ticket_id, action, **body):
    return client.post(f"/api/v1/tickets/{ticket_id}/actions/{action}", body)


@pytest.fixture
def clock():
    """Steps at realistic moments (a limit is "met" only if a step came inside it, not milliseconds later)."""
    with time_machine.travel(datetime(2026, 11, 23, 9, 0, tzinfo=SH), tick=False) as traveller:
        yield traveller


@pytest.fixture
def complaint(world):
    def make(**fields):
        return world.ticket(world.project1, kind="complaint", unit=world.owner_unit("yezhu"),
                            category=Category.objects.get(project=world.project1, code="engineering-quality"),
                            description="维修后又漏水，态度敷衍", **fields)
    return make


def test_general_complaint_before_a_holiday_is_due_working_days_later(world):
    kefu = actor_for(world.user("kefu"))
    friday = datetime(2026, 9, 30, 16, 50, tzinfo=SH)
    ticket = create_ticket(kefu, project=world.project1, now=friday, data=TicketInput(
        kind="complaint", channel="phone", unit=world.owner_unit("yezhu"), description="噪音扰民"))
    perform(kefu, ticket, "assign", ActionInput(department="security"), now=friday)
    handle = next(c for c in clocks_for(ticket) if c.key == "complaint.general.handle")
    # 10 min on 9-30, National Day 10-01..10-07 off, 8 h on 10-08 and 10-09, 7 h 50 on the 调休 Saturday 10-10.
    assert handle.due_at == datetime(2026, 10, 10, 16, 50, tzinfo=SH)


def test_a_complaint_from_receipt_to_close(world, api, complaint, clock):
    ticket = complaint(urgency="urgent")  # Monday 11-23 09:00
    kefu, gongcheng = api("kefu"), api("gongcheng")
    clock.move_to(datetime(2026, 11, 23, 9, 50, tzinfo=SH))  # assigned within the hour
    assert act(kefu, ticket.pk, "assign", department="engineering").json()["status"] == "assigned"
    clock.move_to(datetime(2026, 11, 24, 9, 40, tzinfo=SH))  # urgent: one working day from 09:50
    resolved = act(gongcheng, ticket.pk, "resolve", resolution="返修并更换密封圈").json()
    assert resolved["status"] == "resolved"
    clock.move_to(datetime(2026, 11, 25, 9, 30, tzinfo=SH))  # replied within 24 h of handling
    assert act(kefu, ticket.pk, "reply", reply="非常抱歉给您带来不便", improvement="").status_code == 422
    replied = act(kefu, ticket.pk, "reply", reply="非常抱歉给您带来不便", improvement="维修后增加二次回访").json()
    assert replied["status"] == "replied"
    clock.move_to(datetime(2026, 11, 26, 9, 0, tzinfo=SH))  # visited within 24 h of the reply
    act(kefu, ticket.pk, "return_visit", score=4, comment="处理及时")
    closed = act(kefu, ticket.pk, "close").json()
    assert closed["status"] == "closed"
    assert {d["key"] for d in closed["deadlines"]} == {
        "complaint.assign", "complaint.urgent.handle", "complaint.reply", "complaint.return_visit"}
    assert all(d["met"] for d in closed["deadlines"])


def test_major_complaints_need_the_managers_approval(world, api, complaint):
    # Seed 001: company senior management approves; the project may give it to its manager (a project rule).
    ticket = complaint(is_major=True)
    act(api("kefu"), ticket.pk, "assign", department="engineering")
    pending = act(api("gongcheng"), ticket.pk, "resolve", resolution="赔偿并返修").json()
    assert pending["status"] == "pending_approval"
    assert act(api("kefu"), ticket.pk, "approve").status_code == 403
    assert act(api("jingli"), ticket.pk, "approve").status_code == 403
    assert act(api("admin"), ticket.pk, "approve").json()["status"] == "resolved"

    update_rules(actor_for(world.user("admin")), world.project1, {"complaint_approver": "project_manager"},
                 reason="项目经理审批")
    second = complaint(is_major=True)
    act(api("kefu"), second.pk, "assign", department="engineering")
    act(api("gongcheng"), second.pk, "resolve", resolution="赔偿并返修")
    assert act(api("jingli"), second.pk, "approve").json()["status"] == "resolved"


def test_engineering_cannot_reply_to_complaints_and_finance_cannot_dispatch(world, api, complaint):
    ticket = complaint()
    act(api("kefu"), ticket.pk, "assign", department="engineering")
    act(api("gongcheng"), ticket.pk, "resolve", resolution="已返修")
    refused = act(api("gongcheng"), ticket.pk, "reply", reply="抱歉", improvement="加强培训")
    assert refused.status_code == 403 and refused.json()["detail"]
    repair = world.ticket(world.project1)
    assert act(api("caiwu"), repair.pk, "dispatch", assignee_id=world.user("gongcheng").pk).status_code == 403


def test_only_the_responsible_department_handles(world, api, complaint):
    ticket = complaint()
    act(api("kefu"), ticket.pk, "assign", department="engineering")
    assert act(api("huanjing"), ticket.pk, "resolve", resolution="x").status_code == 403


def test_two_people_acting_at_once_one_wins_the_other_gets_409(world, api, complaint):
    ticket = complaint()
    version = api("kefu").get(f"/api/v1/tickets/{ticket.pk}").json()["version"]
    first = act(api("kefu"), ticket.pk, "assign", department="engineering", version=version)
    second = act(api("jingli"), ticket.pk, "assign", department="environment", version=version)
    assert first.status_code == 200
    assert second.status_code == 409
    assert second.json()["current"] == {"id": ticket.pk, "status": "assigned", "version": version + 1}
    assert api("kefu").get(f"/api/v1/tickets/{ticket.pk}").json()["responsible_role"] == "engineering"


def test_illegal_transitions_are_409_and_unknown_actions_422(world, api, complaint):
    ticket = complaint()
    illegal = act(api("kefu"), ticket.pk, "reply", reply="x", improvement="y")
    assert illegal.status_code == 409 and illegal.json()["current"]["status"] == "new"
    unknown = act(api("kefu"), ticket.pk, "dispatch")
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "action"


def test_yezhu_sees_and_acts_only_on_own_tickets(world, api):
    own = world.ticket(world.project1, unit=world.owner_unit("yezhu"))
    other = world.ticket(world.project1)
    mine = api("yezhu").get("/api/v1/me/tickets").json()
    assert [t["id"] for t in mine["items"]] == [own.pk]
    assert api("yezhu").get(f"/api/v1/tickets/{other.pk}").status_code == 404
    assert act(api("yezhu"), own.pk, "dispatch", assignee_id=world.user("gongcheng").pk).status_code == 403


@pytest.mark.parametrize("body, field", [
    ({"kind": "repair", "urgency": "urgent"}, "urgency"),
    ({"kind": "complaint", "urgency": "emergency"}, "urgency"),
    ({"kind": "repair", "unit_id": 999999}, "unit_id"),
    ({"kind": "repair", "description": ""}, "description"),
    ({"kind": "fire"}, "kind"),
    ({"kind": "repair", "contact_phone": "12"}, "contact_phone"),
    ({"kind": "repair", "preferred_time": "2020-01-01T09:00:00+08:00"}, "preferred_time"),
    ({"kind": "repair", "category_id": 999999}, "category_id"),
])
def test_bad_tickets_name_the_field_and_write_nothing(world, api, body, field):
    from wuye.workorders.models import Ticket

    unit = world.owner_unit("yezhu")
    payload = {"unit_id": unit.pk, "description": "漏水", **body}
    before = Ticket.objects.count()
    response = api("kefu").post("/api/v1/tickets", payload)
    assert response.status_code == 422, response.content
    assert field in [e["field"] for e in response.json()["errors"]]
    assert Ticket.objects.count() == before


def test_bad_action_input_names_the_field(world, api):
    ticket = world.ticket(world.project1)
    kefu = api("kefu")
    assert act(kefu, ticket.pk, "dispatch").json()["errors"][0]["field"] == "assignee_id"
    wrong = act(kefu, ticket.pk, "dispatch", assignee_id=world.user("caiwu").pk)
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "assignee_id"
    assert act(kefu, ticket.pk, "dispatch", assignee_id=world.user("gongcheng").pk).status_code == 200
    for step in ("accept", "arrive"):
        act(api("gongcheng"), ticket.pk, step)
    bad_part = act(api("gongcheng"), ticket.pk, "complete", work_done="x", parts=[{"item_id": 999999, "quantity": 1}])
    assert bad_part.json()["errors"][0]["field"] == "parts[0].item_id"
    negative = act(api("gongcheng"), ticket.pk, "complete", work_done="x", parts=[{"item_id": 1, "quantity": -1}])
    assert negative.status_code == 422 and "parts" in negative.json()["errors"][0]["field"]


def test_inquiries_are_answered_within_24_hours(world, api, clock):
    inquiry = world.ticket(world.project1, kind="inquiry", description="物业费可以用支付宝交吗？")
    late = world.ticket(world.project1, kind="inquiry", description="停车位可以租吗？")
    clock.move_to(datetime(2026, 11, 24, 8, 59, tzinfo=SH))  # 23 h 59 min later
    replied = act(api("kefu"), inquiry.pk, "reply", reply="可以，在业主端缴费页面选择支付宝。").json()
    assert replied["status"] == "replied"
    assert [(d["key"], d["met"]) for d in replied["deadlines"]] == [("feedback.reply", True)]
    clock.move_to(datetime(2026, 11, 24, 9, 1, tzinfo=SH))  # 24 h 1 min later
    replied = act(api("kefu"), late.pk, "reply", reply="可以，请到服务中心办理。").json()
    assert [(d["key"], d["met"]) for d in replied["deadlines"]] == [("feedback.reply", False)]


def test_an_engineer_works_only_on_own_jobs_unless_supervisor(world, api):
    from wuye.people.access import actor_for
    from wuye.people.models import StaffProfile
    from wuye.people.services import create_staff

    admin = actor_for(world.user("admin"))
    create_staff(admin, company=world.company, username="xiaoli", password="x-demo-pass", name="小李",
                 role="engineering", projects=[world.project1])
    ticket = world.ticket(world.project1)
    act(api("kefu"), ticket.pk, "dispatch", assignee_id=world.user("xiaoli").pk)
    assert StaffProfile.objects.get(user__username="gongcheng").is_supervisor
    other = create_staff(admin, company=world.company, username="xiaowang", password="x-demo-pass", name="小王",
                         role="engineering", projects=[world.project1])
    assert other
    assert act(api("xiaowang", password="x-demo-pass"), ticket.pk, "accept").status_code == 403
    assert act(api("gongcheng"), ticket.pk, "accept").status_code == 200  # the supervisor may step in


def test_owners_read_only_the_complaints_they_filed(world, api):
    neighbour_complaint = world.ticket(world.project1, kind="complaint", unit=world.owner_unit("yezhu"),
                                       description="楼上装修噪音")  # filed by the front desk about yezhu's flat
    repair = world.ticket(world.project1, unit=world.owner_unit("yezhu"))
    mine = [t["id"] for t in api("yezhu").get("/api/v1/me/tickets").json()["items"]]
    assert repair.pk in mine and neighbour_complaint.pk not in mine
    assert api("yezhu").get(f"/api/v1/tickets/{neighbour_complaint.pk}").status_code == 404
