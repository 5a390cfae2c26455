"""Repairs (§2.1): the whole life of a repair through the API, its clocks, and the rules from the seeds."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from wuye.core.models import Notification
from wuye.people.access import actor_for
from wuye.sla.engine import clocks_for, sweep
from wuye.sla.models import ClockState
from wuye.workorders.models import Category, PriceItem, Status, Ticket, WarrantyTerm
from wuye.workorders.services import ActionInput, TicketInput, create_ticket, perform

SH = ZoneInfo("Asia/Shanghai")


def at(*args):
    return datetime(*args, tzinfo=SH)


@pytest.fixture
def yezhu_unit(world):
    return world.owner_unit("yezhu")


def category(world, code):
    return Category.objects.get(project=world.project1, code=code)


def act(client, ticket_id, action, **body):
    return client.post(f"/api/v1/tickets/{ticket_id}/actions/{action}", body)


@pytest.fixture
def clock():
    """Steps at realistic moments (a limit is "met" only if a step came inside it, not milliseconds later)."""
    with time_machine.travel(at(2026, 11, 23, 9, 0), tick=False) as traveller:
        yield traveller


def test_a_repair_from_report_to_closed_through_the_api(world, api, yezhu_unit, clock):
    yezhu, kefu, gongcheng, caiwu = api("yezhu"), api("kefu"), api("gongcheng"), api("caiwu")
    created = yezhu.post("/api/v1/tickets", {
        "kind": "repair", "unit_id": yezhu_unit.pk, "category_id": category(world, "tap").pk,
        "description": "厨房水龙头滴水", "contact_phone": "13812345678"})
    assert created.status_code == 201, created.content
    ticket = created.json()
    assert ticket["status"] == "new" and ticket["channel"] == "portal"
    assert [d["key"] for d in ticket["deadlines"]] == ["repair.general.dispatch"]

    engineer = world.user("gongcheng")
    clock.move_to(at(2026, 11, 23, 9, 55))  # reported at 09:00: dispatched within the hour
    assert act(kefu, ticket["id"], "dispatch", assignee_id=engineer.pk).json()["status"] == "dispatched"
    assert act(gongcheng, ticket["id"], "accept").json()["status"] == "accepted"
    clock.move_to(at(2026, 11, 24, 9, 50))  # no time agreed: on site within 24 h of dispatch
    assert act(gongcheng, ticket["id"], "arrive").json()["status"] == "on_site"
    tap = PriceItem.objects.get(project=world.project1, code="tap")
    labour = PriceItem.objects.get(project=world.project1, code="labour-basic")
    clock.move_to(at(2026, 11, 24, 9, 54))  # done within 24 h of dispatch
    done = act(gongcheng, ticket["id"], "complete", work_done="更换水龙头",
               parts=[{"item_id": tap.pk, "quantity": "1"}, {"item_id": labour.pk, "quantity": "1"}]).json()
    assert done["status"] == "completed"
    assert [(c["description"], c["amount"]) for c in done["charges"]] == [("水龙头（含安装）", "45.00"),
                                                                         ("上门维修人工费", "30.00")]
    assert act(yezhu, ticket["id"], "confirm").json()["status"] == "confirmed"
    # The return visit never waits for finance: the fee's state is shown beside it and kept on record.
    clock.move_to(at(2026, 11, 25, 9, 50))  # within 24 h of the work being done
    visited = act(kefu, ticket["id"], "return_visit", score=5, comment="很满意").json()
    assert visited["status"] == "visited" and visited["satisfaction"] == 5
    assert visited["fee"]["pending"] == "75.00" and visited["fee"]["taken_as"] == []
    visit = next(e for e in visited["timeline"] if e["verb"] == "ticket.return_visit")
    assert visit["data"]["fee_pending"] == "75.00"
    charged = act(caiwu, ticket["id"], "charge_fee").json()  # the fee step stays open after the visit
    assert charged["fee"]["taken_as"] == ["on_account"] and charged["fee"]["state"] == "unpaid"
    closed = act(kefu, ticket["id"], "close").json()
    assert closed["status"] == "closed"

    verbs = [event["verb"] for event in closed["timeline"]]
    for step in ("ticket.created", "ticket.dispatch", "ticket.accept", "ticket.arrive", "ticket.complete",
                 "ticket.confirm", "ticket.charge_fee", "ticket.return_visit", "ticket.close"):
        assert step in verbs
    assert {d["key"]: d["met"] for d in closed["deadlines"]} == {
        "repair.general.dispatch": True, "repair.general.arrive": True, "repair.general.complete": True,
        "repair.return_visit": True,
    }
    assert Notification.objects.filter(recipient=engineer, source_id=ticket["id"]).exists()  # told of the job
    assert Notification.objects.filter(recipient=world.user("yezhu"), source_id=ticket["id"]).exists()  # sign-off


def test_emergency_before_a_holiday_counts_calendar_minutes(world, yezhu_unit):
    kefu = actor_for(world.user("kefu"))
    friday = at(2026, 9, 30, 16, 50)  # the working day before National Day
    ticket = create_ticket(kefu, project=world.project1, now=friday, data=TicketInput(
        kind="repair", channel="phone", unit=yezhu_unit, urgency="emergency", description="水管爆裂",
        category=category(world, "burst-pipe")))
    perform(kefu, ticket, "dispatch", ActionInput(assignee=world.user("gongcheng")), now=friday + timedelta(minutes=3))
    due = {clock.key: clock.due_at for clock in clocks_for(ticket)}
    assert due["repair.emergency.dispatch"] == at(2026, 9, 30, 16, 55)
    assert due["repair.emergency.arrive"] == at(2026, 9, 30, 17, 20)  # 30 minutes after the call, not the dispatch
    assert due["repair.emergency.complete"] == at(2026, 10, 1, 16, 53)  # 24 calendar hours, holiday or not


def test_pausing_for_parts_stops_the_completion_clock(world, yezhu_unit):
    kefu, engineer = actor_for(world.user("kefu")), actor_for(world.user("gongcheng"))
    start = at(2026, 11, 23, 9, 0)
    ticket = create_ticket(kefu, project=world.project1, now=start, data=TicketInput(
        kind="repair", channel="phone", unit=yezhu_unit, description="门锁坏了"))
    for step, minutes in (("dispatch", 5), ("accept", 10), ("arrive", 30)):
        kwargs = {"assignee": engineer.user} if step == "dispatch" else {}
        ticket = perform(kefu if step == "dispatch" else engineer, ticket, step, ActionInput(**kwargs),
                         now=start + timedelta(minutes=minutes))
    ticket = perform(engineer, ticket, "pause", ActionInput(reason="等配件"), now=start + timedelta(hours=1))
    assert ticket.status == Status.PAUSED
    ticket = perform(engineer, ticket, "resume", now=start + timedelta(hours=49))
    assert ticket.status == Status.ON_SITE
    complete = next(c for c in clocks_for(ticket) if c.key == "repair.general.complete")
    assert complete.due_at == start + timedelta(minutes=5) + timedelta(hours=24) + timedelta(hours=48)


def test_repeat_repair_within_30_days_is_flagged(world, yezhu_unit):
    kefu = actor_for(world.user("kefu"))
    leak = category(world, "leak")
    first = create_ticket(kefu, project=world.project1, now=at(2026, 11, 1, 9), data=TicketInput(
        kind="repair", channel="phone", unit=yezhu_unit, category=leak, description="卫生间渗水"))
    again = create_ticket(kefu, project=world.project1, now=at(2026, 11, 20, 9), data=TicketInput(
        kind="repair", channel="phone", unit=yezhu_unit, category=leak, description="又渗水了"))
    later = create_ticket(kefu, project=world.project1, now=at(2027, 1, 5, 9), data=TicketInput(
        kind="repair", channel="phone", unit=yezhu_unit, category=leak, description="渗水"))
    other = create_ticket(kefu, project=world.project1, now=at(2026, 11, 21, 9), data=TicketInput(
        kind="repair", channel="phone", unit=yezhu_unit, category=category(world, "lock"), description="门锁"))
    assert again.repeat_of == first
    assert later.repeat_of is None and other.repeat_of is None


def test_warranty_repairs_go_to_the_contractor_and_need_engineering_verification(world, api, yezhu_unit):
    WarrantyTerm.objects.create(project=world.project1, category=category(world, "building"),
                                until=date(2099, 1, 1), contractor="中建三局维保组")
    kefu, gongcheng, yezhu = api("kefu"), api("gongcheng"), api("yezhu")
    ticket = kefu.post("/api/v1/tickets", {"kind": "repair", "unit_id": yezhu_unit.pk, "description": "外墙渗水",
                                           "category_id": category(world, "waterproofing").pk}).json()
    assert ticket["under_warranty"] and ticket["contractor"] == "中建三局维保组"
    dispatched = act(kefu, ticket["id"], "dispatch").json()  # to the contractor: no engineer needed
    assert dispatched["status"] == "dispatched" and dispatched["assignee"] is None
    for step in ("accept", "arrive"):
        act(gongcheng, ticket["id"], step)
    act(gongcheng, ticket["id"], "complete", work_done="承包方完成防水修补")
    assert act(yezhu, ticket["id"], "confirm").status_code == 409
    act(gongcheng, ticket["id"], "verify")
    assert act(yezhu, ticket["id"], "confirm").json()["status"] == "confirmed"


def test_public_area_repairs_have_no_owner(world, api):
    response = api("zhixu").post("/api/v1/tickets", {
        "kind": "repair", "channel": "patrol", "project_id": world.project1.pk, "is_public_area": True,
        "location": "地下车库 B2 照明", "description": "三盏灯不亮",
        "category_id": category(world, "public-lighting").pk,
    })
    assert response.status_code == 201, response.content
    assert response.json()["unit_id"] is None and response.json()["is_public_area"]


def test_a_breached_repair_escalates_once_per_level_through_the_outbox(world, yezhu_unit):
    kefu = actor_for(world.user("kefu"))
    start = at(2026, 11, 23, 9, 0)
    ticket = create_ticket(kefu, project=world.project1, now=start, data=TicketInput(
        kind="repair", channel="phone", unit=yezhu_unit, urgency="emergency", description="停电"))
    first = sweep(start + timedelta(minutes=20))
    second = sweep(start + timedelta(minutes=20))
    assert first.escalated and not second.actions
    clock = next(c for c in clocks_for(ticket) if c.key == "repair.emergency.dispatch")
    assert clock.breached_at is not None and clock.escalation_level == 2  # rungs at +0 and +10 min
    messages = Notification.objects.filter(source_id=clock.pk)
    assert messages.filter(dedupe_key__contains=":level:1:").count() >= 1
    assert messages.filter(dedupe_key__contains=":level:2:", recipient__username="jingli").count() == 1
    perform(kefu, ticket, "dispatch", ActionInput(assignee=world.user("gongcheng")),
            now=start + timedelta(minutes=25))
    clock.refresh_from_db()
    assert clock.state == ClockState.BREACHED and clock.overrun == timedelta(minutes=20)


def test_cancel_needs_a_reason_and_stops_the_clocks(world, api, yezhu_unit):
    ticket = world.ticket(world.project1, unit=yezhu_unit)
    assert act(api("yezhu"), ticket.pk, "cancel").status_code == 422
    cancelled = act(api("yezhu"), ticket.pk, "cancel", reason="已自行修好").json()
    assert cancelled["status"] == "cancelled"
    assert {d["state"] for d in cancelled["deadlines"]} == {"cancelled"}
    assert Ticket.objects.get(pk=ticket.pk).cancel_reason == "已自行修好"


def test_rework_charges_after_a_reopen_are_taken_separately(world, api, yezhu_unit):
    kefu, gongcheng, caiwu = api("kefu"), api("gongcheng"), api("caiwu")
    tap = PriceItem.objects.get(project=world.project1, code="tap")
    ticket = world.ticket(world.project1, unit=yezhu_unit)

    def repair_with_a_tap():
        act(kefu, ticket.pk, "dispatch", assignee_id=world.user("gongcheng").pk)
        act(gongcheng, ticket.pk, "accept")
        act(gongcheng, ticket.pk, "arrive")
        act(gongcheng, ticket.pk, "complete", work_done="换龙头", parts=[{"item_id": tap.pk, "quantity": 1}])
        act(kefu, ticket.pk, "confirm")

    repair_with_a_tap()
    paid = act(caiwu, ticket.pk, "collect_fee", payment_channel="cash").json()
    assert paid["timeline"][-1]["data"]["total"] == "45.00" and paid["fee"]["state"] == "paid"
    act(kefu, ticket.pk, "reopen", reason="又漏了")
    repair_with_a_tap()
    visited = act(kefu, ticket.pk, "return_visit", score=3).json()  # not held up by the rework's untaken tap
    assert visited["status"] == "visited" and visited["fee"]["pending"] == "45.00"
    both = act(caiwu, ticket.pk, "charge_fee").json()
    assert both["timeline"][-1]["data"]["total"] == "45.00"  # only the rework's
    assert both["fee"]["taken_as"] == ["paid_on_site", "on_account"]
    assert (both["fee"]["state"], both["fee"]["paid"], both["fee"]["outstanding"]) == ("partly_paid", "45.00", "45.00")
    assert [c["bill_state"] for c in both["charges"]] == ["paid", "unpaid"]
