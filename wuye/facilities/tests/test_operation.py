"""Operation logs (运行记录): readings checked against the item's limits; a value out of range opens a fault that
must be reported within 10 minutes (the `fault.report` clock), later bad readings join it; bad input is a 422
naming the field and writes nothing; the duty page lists the items due."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from wuye.core.events import timeline
from wuye.core.sentences import event_sentence, prepare_events
from wuye.facilities import faults, operation
from wuye.facilities.models import (
    CategoryKind,
    Equipment,
    EquipmentCategory,
    Fault,
    OperationReading,
    ReadingPoint,
)
from wuye.people.access import actor_for
from wuye.sla import engine
from wuye.sla.models import Clock

SH = ZoneInfo("Asia/Shanghai")
T = datetime(2026, 10, 2, 22, 0, tzinfo=SH)


class Items:
    """Two categories (an elevator: 3 test runs, reading hourly; a switchboard: readings every 2 h) and three
    items, made with the ORM (the register's functions are another stream's)."""

    def __init__(self, world):
        company = world.company
        self.elevators = EquipmentCategory.objects.create(
            company=company, code="t-elevator", name="电梯", kind=CategoryKind.ELEVATOR, reading_interval_minutes=60,
            post_repair_test="空载运行3次", post_repair_test_runs=3)
        self.switchboards = EquipmentCategory.objects.create(
            company=company, code="t-power", name="配电柜", kind=CategoryKind.POWER, reading_interval_minutes=120)
        ReadingPoint.objects.create(category=self.switchboards, code="voltage", label="电压", unit="V",
                                    low=Decimal("360"), high=Decimal("420"), order=1)
        ReadingPoint.objects.create(category=self.switchboards, code="current", label="电流", unit="A",
                                    low=Decimal("0"), high=Decimal("200"), order=2)
        ReadingPoint.objects.create(category=self.elevators, code="speed", label="运行速度", unit="m/s",
                                    low=Decimal("0.9"), high=Decimal("1.1"))
        self.elevator = Equipment.objects.create(project=world.project1, category=self.elevators, code="DT-01",
                                                 name="1号楼1号电梯", location="1号楼")
        self.board = Equipment.objects.create(project=world.project1, category=self.switchboards, code="PD-01",
                                              name="1号配电柜", location="B1 配电房")
        self.board2 = Equipment.objects.create(project=world.project2, category=self.switchboards, code="PD-21",
                                               name="二期配电柜")


@pytest.fixture
def items(world):
    return Items(world)


def engineer(world, name="gongcheng"):
    return actor_for(world.user(name))


def _sentences(subject) -> list[str]:
    return [event_sentence(event) for event in prepare_events(timeline(subject))]


@time_machine.travel(T, tick=False)
def test_out_of_range_reading_opens_a_fault_with_a_ten_minute_reporting_clock(world, items):
    reading = operation.record_reading(engineer(world), items.board, values={"voltage": 432, "current": "120.5"})
    assert reading.anomalies == ["voltage"]
    assert reading.values == {"voltage": 432, "current": 120.5}
    fault = reading.fault
    assert fault.status == "raised" and fault.source == "operation_log" and fault.raised_at == T
    clock = Clock.objects.for_subject(fault).get()
    assert clock.key == "fault.report" and clock.due_at == T + timedelta(minutes=10)
    assert clock.policy.measure == "calendar"
    # The item's timeline says which reading and its limits.
    assert any("电压 432 V（正常 360–420 V）" in line for line in _sentences(items.board))
    items.board.refresh_from_db()
    assert items.board.status == "in_service"  # out of service only once reported


def test_a_second_bad_reading_joins_the_open_fault(world, items):
    with time_machine.travel(T, tick=False):
        first = operation.record_reading(engineer(world), items.board, values={"voltage": 432})
    with time_machine.travel(T + timedelta(minutes=3), tick=False):
        second = operation.record_reading(engineer(world), items.board, values={"voltage": 350, "current": 250})
        normal = operation.record_reading(engineer(world), items.board, values={"voltage": 400})
    assert second.fault_id == first.fault_id
    assert second.anomalies == ["voltage", "current"]
    assert normal.fault_id is None and normal.anomalies == []
    assert Fault.objects.filter(equipment=items.board).count() == 1
    assert Clock.objects.filter(key="fault.report").count() == 1


def test_the_sweep_escalates_an_unreported_anomaly_at_ten_minutes(world, items):
    with time_machine.travel(T, tick=False):
        fault = operation.record_reading(engineer(world), items.board, values={"voltage": 432}).fault
    result = engine.sweep(T + timedelta(minutes=9, seconds=59))
    clock = Clock.objects.for_subject(fault).get()
    assert clock.id not in result.breached and clock.breached_at is None
    result = engine.sweep(T + timedelta(minutes=10))
    clock.refresh_from_db()
    assert clock.id in result.breached and clock.breached_at == T + timedelta(minutes=10)
    assert clock.escalation_level >= 1


def test_reporting_at_nine_minutes_is_met_and_starts_the_repair_limit(world, items):
    with time_machine.travel(T, tick=False):
        fault = operation.record_reading(engineer(world), items.board, values={"voltage": 432}).fault
    with time_machine.travel(T + timedelta(minutes=9), tick=False):
        fault = faults.act(engineer(world), fault, "report", severity="general")
    assert fault.status == "reported" and fault.reported_at == T + timedelta(minutes=9)
    report_clock = Clock.objects.for_subject(fault).get(key="fault.report")
    assert report_clock.state == "met"
    repair = Clock.objects.for_subject(fault).get(key="fault.general.repair")
    assert repair.due_at == T + timedelta(minutes=9) + timedelta(hours=24)
    items.board.refresh_from_db()
    assert items.board.status == "faulty"


@time_machine.travel(T, tick=False)
@pytest.mark.parametrize("values, field", [
    ({"voltage": 400, "pressure": 3}, "values.pressure"),
    ({"voltage": "abc"}, "values.voltage"),
    ({"voltage": True}, "values.voltage"),
    ({"voltage": 1e9}, "values.voltage"),
    ({"voltage": "NaN"}, "values.voltage"),
    ({}, "values"),
])
def test_bad_readings_are_refused_naming_the_field_and_nothing_is_written(world, items, api, values, field):
    client = api("gongcheng")
    response = client.post("/api/v1/operation-logs", {"equipment": items.board.pk, "values": values})
    assert response.status_code == 422, response.content
    assert field in [error["field"] for error in response.json()["errors"]]
    assert OperationReading.objects.count() == 0 and Fault.objects.count() == 0


@time_machine.travel(T, tick=False)
def test_reading_times_are_bounded(world, items, api, monkeypatch):
    client = api("gongcheng")
    for moment in (T + timedelta(minutes=6), T - timedelta(days=7, minutes=1)):
        response = client.post("/api/v1/operation-logs", {"equipment": items.board.pk, "values": {"voltage": 400},
                                                          "recorded_at": moment.isoformat()})
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "recorded_at"
    response = client.post("/api/v1/operation-logs", {"equipment": items.board.pk, "values": {"voltage": 400},
                                                      "recorded_at": (T + timedelta(minutes=4)).isoformat()})
    assert response.status_code == 201
    assert OperationReading.objects.count() == 1
    # The message says the limit the service applies (OLDEST), not a figure of its own.
    monkeypatch.setattr(operation, "OLDEST", timedelta(days=3))
    response = client.post("/api/v1/operation-logs", {"equipment": items.board.pk, "values": {"voltage": 400},
                                                      "recorded_at": (T - timedelta(days=4)).isoformat()})
    assert response.status_code == 422 and "3" in response.json()["errors"][0]["message"]
    # Filter dates outside the shared window are a 422 naming the field (core.api.check_inputs).
    for field in ("recorded_after", "recorded_before"):
        for far in ("1900-01-01T00:00:00+08:00", "2999-01-01T00:00:00+08:00"):
            response = client.get("/api/v1/operation-logs", **{field: far})
            assert response.status_code == 422 and response.json()["errors"][0]["field"] == field


@time_machine.travel(T, tick=False)
def test_the_api_records_and_lists_readings_in_scope(world, items, api):
    response = api("gongcheng").post("/api/v1/operation-logs", {
        "equipment": items.board.pk, "values": {"voltage": 432, "current": 100}, "note": "夜班巡查"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["anomalies"] == ["voltage"] and body["fault_id"]
    assert body["readings"][0] == {"label": "电压", "value": "432", "unit": "V", "low": "360", "high": "420",
                                   "anomaly": True}
    listed = api("gongcheng").get("/api/v1/operation-logs", anomalies="true").json()
    assert listed["count"] == 1 and listed["items"][0]["equipment"] == "1号配电柜"
    # Project 2's customer service sees nothing of project 1; customer service may not log readings.
    assert api("kefu2").get("/api/v1/operation-logs").json()["count"] == 0
    assert api("kefu").post("/api/v1/operation-logs", {
        "equipment": items.board.pk, "values": {"voltage": 400}}).status_code == 403
    # An engineer of project 1 cannot log an item of project 2: it is unknown to them.
    response = api("gongcheng").post("/api/v1/operation-logs", {"equipment": items.board2.pk,
                                                                "values": {"voltage": 400}})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "equipment"
    assert api("yezhu").get("/api/v1/operation-logs").status_code == 403
    assert OperationReading.objects.count() == 1


def test_readings_due_lists_items_whose_interval_has_passed(world, items):
    with time_machine.travel(T - timedelta(minutes=90), tick=False):
        operation.record_reading(engineer(world), items.board, values={"voltage": 400})
        operation.record_reading(engineer(world), items.elevator, values={"speed": 1.0})
    due = operation.readings_due(world.project1, T)
    # The elevator (hourly) is due since 21:30; the switchboard (every 2 h) not before 22:30.
    assert [item.name for item in due] == ["1号楼1号电梯"]
    assert due[0].reading_due_at == T - timedelta(minutes=30)
    later = operation.readings_due(world.project1, T + timedelta(minutes=31))
    assert [item.name for item in later] == ["1号楼1号电梯", "1号配电柜"]


@time_machine.travel(T, tick=False)
def test_the_duty_page_and_the_phone_form(world, items, login):
    client = login("gongcheng")
    page = client.get("/console/facilities/readings/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "1号楼1号电梯" in text and "1号配电柜" in text and "二期配电柜" not in text
    form = client.get(f"/console/facilities/equipment/{items.board.pk}/readings/new/")
    assert form.status_code == 200 and "电压" in form.content.decode()
    bad = client.post(f"/console/facilities/equipment/{items.board.pk}/readings/new/", {"v_voltage": "x"})
    assert bad.status_code == 422 and OperationReading.objects.count() == 0
    done = client.post(f"/console/facilities/equipment/{items.board.pk}/readings/new/",
                       {"v_voltage": "432", "v_current": "", "note": ""})
    fault = Fault.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/console/facilities/faults/{fault.pk}/"
    # The message gives the report clock's due time (the fault.report policy: 10 minutes), not a fixed figure.
    from django.contrib.messages import get_messages

    assert any("10-02 22:10" in str(message) for message in get_messages(done.wsgi_request))
    assert "电压 432 V" in client.get("/console/facilities/readings/").content.decode()
    assert login("kefu2").get(f"/console/facilities/equipment/{items.board.pk}/readings/new/").status_code == 404


def test_the_readings_list_costs_the_same_queries_for_one_row_or_many(world, items, api):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api("gongcheng")

    def count():
        client.get("/api/v1/operation-logs")  # warm: the token's first-use writes are not the list's
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/api/v1/operation-logs")
        assert response.status_code == 200
        return len(queries), response.json()["count"]

    with time_machine.travel(T - timedelta(hours=2), tick=False):
        operation.record_reading(engineer(world), items.board, values={"voltage": 400})
    one, rows = count()
    assert rows == 1
    for number in range(11):
        with time_machine.travel(T - timedelta(minutes=100 - number), tick=False):
            operation.record_reading(engineer(world), items.board, values={"voltage": 390 + number})
    many, rows = count()
    assert rows == 12 and many == one
