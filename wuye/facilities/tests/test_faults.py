"""Faults (故障): reported with a repair limit (general 24 h, major 48 h), repaired, tested — an item cannot
return to service without its post-repair test (an elevator: 3 empty runs, all OK) — and closed with the fault
report (cause and prevention measure); cancel, ticket links, scope and bad input."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine

from wuye.core.errors import Conflict, InvalidInput
from wuye.facilities import faults
from wuye.facilities.models import Fault
from wuye.sla.models import Clock

from .test_operation import Items, T, engineer


@pytest.fixture
def items(world):
    return Items(world)


def at(minutes=0, hours=0):
    return T + timedelta(minutes=minutes, hours=hours)


def _report(world, item, severity="general", moment=T, title="轿厢异响", by="gongcheng"):
    with time_machine.travel(moment, tick=False):
        return faults.report_fault(engineer(world, by), item, title=title, severity=severity)


@pytest.mark.parametrize("severity, hours", [("general", 24), ("major", 48)])
def test_a_reported_fault_has_its_repair_limit_and_takes_the_item_out_of_service(world, items, severity, hours):
    fault = _report(world, items.elevator, severity)
    assert fault.status == "reported" and fault.reported_at == T
    clock = Clock.objects.for_subject(fault).get()
    assert clock.key == f"fault.{severity}.repair" and clock.due_at == T + timedelta(hours=hours)
    items.elevator.refresh_from_db()
    assert items.elevator.status == "faulty"


def _repair(world, fault, moment):
    with time_machine.travel(moment, tick=False):
        fault = faults.act(engineer(world), fault, "start_repair")
        return faults.act(engineer(world), fault, "record_repair", cause="门机皮带磨损", repair_action="更换门机皮带",
                          parts="门机皮带 1 条")


def test_an_elevator_cannot_return_to_service_without_its_three_test_runs(world, items):
    fault = _repair(world, _report(world, items.elevator), at(hours=2))
    assert fault.status == "testing" and fault.assignee.username == "gongcheng"
    with time_machine.travel(at(hours=3), tick=False):
        with pytest.raises(InvalidInput) as error:
            faults.act(engineer(world), fault, "record_test", runs=[True, True])
        assert error.value.problems[0].field == "runs"
        fault.refresh_from_db()
        items.elevator.refresh_from_db()
        assert fault.status == "testing" and fault.test_runs == [] and items.elevator.status == "faulty"
        # A failed run sends it back to repair.
        fault = faults.act(engineer(world), fault, "record_test", runs=[True, True, False])
    assert fault.status == "in_repair" and len(fault.test_runs) == 3
    # The table knows both outcomes of the test, so the lists of actions follow the move it made.
    assert set(faults.TRANSITIONS["record_test"][1].values()) == {"resolved", "in_repair"}
    assert faults.actions_from(fault.status) == ["record_repair"]
    with time_machine.travel(at(hours=4), tick=False):
        fault = faults.act(engineer(world), fault, "record_repair", cause="门机皮带磨损", repair_action="调整张紧轮")
    with time_machine.travel(at(hours=5, minutes=5), tick=False):
        fault = faults.act(engineer(world), fault, "record_test", runs=[True, True, True], note="空载运行3次正常")
    assert fault.status == "resolved" and fault.back_in_service_at == at(hours=5, minutes=5)
    assert fault.downtime_minutes == 305
    assert [run["attempt"] for run in fault.test_runs] == [1, 1, 1, 2, 2, 2]
    items.elevator.refresh_from_db()
    assert items.elevator.status == "in_service"
    assert Clock.objects.for_subject(fault).get(key="fault.general.repair").state == "met"


def test_the_api_refuses_two_runs_and_accepts_three(world, items, api):
    fault = _repair(world, _report(world, items.elevator), at(hours=1))
    client = api("gongcheng")
    with time_machine.travel(at(hours=2), tick=False):
        response = client.post(f"/api/v1/faults/{fault.pk}/actions/record_test", {"runs": [True, True]})
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == "runs"
        response = client.post(f"/api/v1/faults/{fault.pk}/actions/record_test", {"runs": [True, True, True]})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "resolved" and body["downtime_minutes"] == 120 and body["test_runs_required"] == 3
    assert body["actions"] == ["close"]
    # A step the state no longer allows is a conflict; an unknown one names `action`.
    assert client.post(f"/api/v1/faults/{fault.pk}/actions/start_repair", {}).status_code == 409
    response = client.post(f"/api/v1/faults/{fault.pk}/actions/fly", {})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "action"


def test_the_fault_report_needs_cause_and_prevention(world, items):
    fault = _repair(world, _report(world, items.board), at(hours=1))
    with time_machine.travel(at(hours=2), tick=False):
        fault = faults.act(engineer(world), fault, "record_test", runs=[True])  # a switchboard: one test
        assert fault.status == "resolved"
        with pytest.raises(InvalidInput) as error:
            faults.act(engineer(world), fault, "close", prevention="")
        assert [problem.field for problem in error.value.problems] == ["prevention"]
        with pytest.raises(InvalidInput) as error:
            faults.act(engineer(world), fault, "close", cause=" ", prevention="每月检查皮带")
        assert [problem.field for problem in error.value.problems] == ["cause"]
        fault.refresh_from_db()
        assert fault.status == "resolved" and fault.prevention == ""
        fault = faults.act(engineer(world), fault, "close", prevention="保养时检查皮带张紧")
    assert fault.status == "closed" and fault.cause == "门机皮带磨损" and fault.closed_at == at(hours=2)


def test_cancel_puts_the_item_back_unless_another_fault_keeps_it_down(world, items):
    first = _report(world, items.elevator)
    second = _report(world, items.elevator, moment=at(minutes=5), title="按钮失灵")
    with time_machine.travel(at(minutes=10), tick=False):
        first = faults.act(engineer(world), first, "cancel", reason="误报")
        items.elevator.refresh_from_db()
        assert first.status == "cancelled" and items.elevator.status == "faulty"
        assert Clock.objects.for_subject(first).get().state == "cancelled"
        second = faults.act(engineer(world), second, "start_repair")
        with pytest.raises(Conflict):
            faults.act(engineer(world), second, "cancel", reason="误报")
        with pytest.raises(InvalidInput):
            faults.act(engineer(world), _report(world, items.board, moment=at(minutes=10)), "cancel", reason="")


def test_bad_input_names_the_field_and_writes_nothing(world, items, api):
    client = api("gongcheng")
    for payload, field in (({"equipment": items.elevator.pk, "title": ""}, "title"),
                           ({"equipment": items.elevator.pk, "title": "异响", "severity": "huge"}, "severity"),
                           ({"equipment": items.elevator.pk, "title": "x" * 201}, "title"),
                           ({"equipment": items.board2.pk, "title": "异响"}, "equipment")):
        response = client.post("/api/v1/faults", payload)
        assert response.status_code == 422, payload
        assert field in [error["field"] for error in response.json()["errors"]]
    for far in ("1900-01-01T00:00:00+08:00", "2999-01-01T00:00:00+08:00"):
        response = client.get("/api/v1/faults", raised_after=far)
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == "raised_after"
        response = client.get("/api/v1/faults", raised_before=far)
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == "raised_before"
    assert client.get("/api/v1/faults", status="broken").status_code == 422
    assert Fault.objects.count() == 0 and Clock.objects.count() == 0
    items.elevator.refresh_from_db()
    assert items.elevator.status == "in_service"


def test_scope_other_projects_and_owners_see_nothing(world, items, api, login):
    fault = _report(world, items.elevator)
    response = api("gongcheng").get("/api/v1/faults", status="reported", severity="general")
    assert response.json()["count"] == 1 and response.json()["items"][0]["equipment"] == "1号楼1号电梯"
    kefu2 = api("kefu2")
    assert kefu2.get("/api/v1/faults").json()["count"] == 0
    assert kefu2.get(f"/api/v1/faults/{fault.pk}").status_code == 404
    assert kefu2.post(f"/api/v1/faults/{fault.pk}/actions/cancel", {"reason": "x"}).status_code == 404
    assert login("kefu2").get(f"/console/facilities/faults/{fault.pk}/").status_code == 404
    owner = api("yezhu")
    assert owner.get("/api/v1/faults").status_code == 403
    assert owner.get(f"/api/v1/faults/{fault.pk}").status_code in (403, 404)
    assert owner.post("/api/v1/faults", {"equipment": items.elevator.pk, "title": "异响"}).status_code == 403
    assert login("yezhu").get("/console/facilities/faults/").status_code == 302
    # Customer service reports but does not repair.
    assert api("kefu").post(f"/api/v1/faults/{fault.pk}/actions/start_repair", {}).status_code == 403
    fault.refresh_from_db()
    assert fault.status == "reported"


def test_an_owners_repair_request_links_to_the_equipment_once(world, items, api, login):
    ticket = world.ticket(world.project1, description="1号楼1号电梯按钮不亮", unit=None)
    client = api("kefu")
    first = client.post(f"/api/v1/tickets/{ticket.pk}/equipment-fault", {"equipment": items.elevator.pk})
    again = client.post(f"/api/v1/tickets/{ticket.pk}/equipment-fault", {"equipment": items.elevator.pk})
    assert first.status_code == 201, first.content
    assert again.json()["id"] == first.json()["id"] and Fault.objects.count() == 1
    fault = Fault.objects.get()
    assert fault.ticket_id == ticket.pk and fault.source == "ticket" and fault.title == "1号楼1号电梯按钮不亮"
    page = login("kefu").get(f"/console/tickets/{ticket.pk}/").content.decode()
    assert f"/console/facilities/faults/{fault.pk}/" in page and "1号楼1号电梯" in page
    # Project 2's desk cannot link project 1's request.
    assert api("kefu2").post(f"/api/v1/tickets/{ticket.pk}/equipment-fault",
                             {"equipment": items.board2.pk}).status_code == 404


def test_monthly_stats_from_the_records(world, items):
    # October: the elevator fails twice (2 h and 5 h down), the switchboard once (still open); one cancelled.
    for start, hours in ((T, 2), (at(hours=24), 5)):
        fault = _repair(world, _report(world, items.elevator, moment=start), start + timedelta(minutes=30))
        with time_machine.travel(start + timedelta(hours=hours), tick=False):
            faults.act(engineer(world), fault, "record_test", runs=[True, True, True])
    _report(world, items.board, moment=at(hours=30))
    cancelled = _report(world, items.board, moment=at(hours=31), title="误报")
    with time_machine.travel(at(hours=31), tick=False):
        faults.act(engineer(world), cancelled, "cancel", reason="误报")
    _report(world, items.board2, moment=at(hours=2), by="admin")  # project 2: not asked for
    stats = faults.fault_stats([world.project1], date(2026, 10, 1))
    assert stats["total"] == {"faults": 3, "items": 2, "rate": 150.0, "downtime_minutes": 420, "resolved": 2,
                              "mttr_minutes": 210.0}
    by_category = {row["name"]: row for row in stats["categories"]}
    assert by_category["电梯"]["faults"] == 2 and by_category["电梯"]["items"] == 1
    assert by_category["电梯"]["rate"] == 200.0 and by_category["电梯"]["mttr_minutes"] == 210.0
    assert by_category["配电柜"]["faults"] == 1 and by_category["配电柜"]["rate"] == 100.0
    assert by_category["配电柜"]["downtime_minutes"] == 0 and by_category["配电柜"]["mttr_minutes"] is None
    assert [(row["name"], row["faults"], row["downtime_minutes"]) for row in stats["items"]] == [
        ("1号楼1号电梯", 2, 420), ("1号配电柜", 1, 0)]
    assert faults.fault_stats([world.project1], date(2026, 11, 1))["total"]["faults"] == 0


def test_console_pages(world, items, login):
    fault = _repair(world, _report(world, items.elevator), at(hours=1))
    client = login("gongcheng")
    assert "1号楼1号电梯" in client.get("/console/facilities/faults/").content.decode()
    page = client.get(f"/console/facilities/faults/{fault.pk}/").content.decode()
    assert "空载运行3次" in page and 'name="run_3"' in page
    response = client.post(f"/console/facilities/faults/{fault.pk}/record_test/", {"run_1": "ok", "run_2": "ok"})
    assert response.status_code == 422
    fault.refresh_from_db()
    assert fault.status == "testing"
    response = client.post(f"/console/facilities/faults/{fault.pk}/record_test/",
                           {"run_1": "ok", "run_2": "ok", "run_3": "ok"})
    assert response.status_code == 302
    fault.refresh_from_db()
    assert fault.status == "resolved"
    pdf = client.get(f"/console/facilities/faults/{fault.pk}/report.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert client.get("/console/facilities/faults/stats/", {"month": "2026-10"}).status_code == 200
    new = client.get("/console/facilities/faults/new/", {"equipment": items.board.pk})
    assert new.status_code == 200 and "1号配电柜" in new.content.decode()
    response = client.post("/console/facilities/faults/new/", {"equipment": items.board.pk, "title": "",
                                                               "severity": "general"})
    assert response.status_code == 422 and Fault.objects.count() == 1
    response = client.post("/console/facilities/faults/new/", {"equipment": items.board.pk, "title": "跳闸",
                                                               "severity": "major"})
    assert response.status_code == 302 and Fault.objects.filter(severity="major").count() == 1


def test_lists_cost_the_same_queries_for_one_row_or_many(world, items, api, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client, browser = api("gongcheng"), login("gongcheng")

    def count(fetch):
        fetch()  # warm: the token's and session's first-use writes are not the list's
        with CaptureQueriesContext(connection) as queries:
            assert fetch().status_code == 200
        return len(queries)

    _report(world, items.elevator)
    one = (count(lambda: client.get("/api/v1/faults")), count(lambda: browser.get("/console/facilities/faults/")))
    for number in range(12):
        _report(world, items.board, moment=at(minutes=number + 1), title=f"跳闸 {number}")
    many = (count(lambda: client.get("/api/v1/faults")), count(lambda: browser.get("/console/facilities/faults/")))
    assert many == one
