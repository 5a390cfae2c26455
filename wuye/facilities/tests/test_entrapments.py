"""Elevator entrapments (电梯困人): one tap alerts security, engineering and customer service on the urgent channels
and starts three calendar-minute limits; on a holiday night the sweep escalates at 5 minutes (security
supervisors) and at 30 (the emergency command group, in the inbox and by SMS), once. The log is kept step by step,
and nobody outside the project sees any of it."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from wuye.core.errors import Conflict, InvalidInput
from wuye.core.events import timeline
from wuye.core.models import Channel, Notification
from wuye.core.sentences import event_sentence, prepare_events
from wuye.facilities import entrapments
from wuye.facilities.models import (
    CategoryKind,
    Entrapment,
    EntrapmentStatus,
    Equipment,
    EquipmentCategory,
    EquipmentStatus,
    Fault,
)
from wuye.people.access import actor_for
from wuye.people.models import StaffProfile
from wuye.sla.engine import clocks_for, sweep
from wuye.sla.models import Clock

SH = ZoneInfo("Asia/Shanghai")
HOLIDAY_NIGHT = datetime(2026, 10, 2, 22, 0, tzinfo=SH)  # National Day: the limits count calendar minutes


def at(hour, minute, second=0):
    return datetime(2026, 10, 2, hour, minute, second, tzinfo=SH)


@pytest.fixture
def lifts(world):
    """A lift in each project and a water pump in project 1, made with the ORM (the register's own tests cover
    creating them)."""
    company = world.company
    lift_kind = EquipmentCategory.objects.create(company=company, code="elevator", name="电梯",
                                                 kind=CategoryKind.ELEVATOR)
    pump_kind = EquipmentCategory.objects.create(company=company, code="water_pump", name="生活水泵",
                                                 kind=CategoryKind.WATER)
    return {
        "lift": Equipment.objects.create(project=world.project1, category=lift_kind, code="DT-03-1",
                                         name="3号楼1号客梯", location="3号楼 大堂"),
        "pump": Equipment.objects.create(project=world.project1, category=pump_kind, code="SB-01",
                                         name="1号生活水泵", location="B1 水泵房"),
        "lift2": Equipment.objects.create(project=world.project2, category=lift_kind, code="DT-01-1",
                                          name="1号楼客梯", location="1号楼 大堂"),
    }


def start(world, lift, who="kefu", **fields):
    return entrapments.start_entrapment(actor_for(world.user(who)), lift, at=fields.pop("at", HOLIDAY_NIGHT),
                                        **fields)


def escalations(user, channel=None):
    """The SLA escalation messages (not warnings) `user` received, by clock key name."""
    rows = Notification.objects.filter(recipient=user, dedupe_key__startswith="sla:",
                                       dedupe_key__contains=":level:")
    if channel:
        rows = rows.filter(channel=channel)
    return sorted(rows.values_list("subject_line", flat=True))


def test_one_tap_alerts_security_engineering_and_customer_service_by_sms(world, lifts):
    entrapment = start(world, lifts["lift"])
    assert entrapment.status == EntrapmentStatus.ACTIVE
    alerts = Notification.objects.filter(dedupe_key__startswith=f"entrapment:{entrapment.pk}:started")
    by_person = sorted(alerts.values_list("recipient__username", "channel"))
    assert by_person == [("gongcheng", Channel.IN_APP), ("gongcheng", Channel.SMS), ("kefu", Channel.IN_APP),
                         ("kefu", Channel.SMS), ("zhixu", Channel.IN_APP), ("zhixu", Channel.SMS)]
    assert alerts.first().subject_line.count("3号楼1号客梯") == 1
    # Three limits in calendar minutes: 22:05, 22:30, 22:30.
    dues = {clock.key: clock.due_at for clock in clocks_for(entrapment)}
    assert dues == {"entrapment.staff_arrive": at(22, 5), "entrapment.contractor_arrive": at(22, 30),
                    "entrapment.rescue": at(22, 30)}
    # A major fault on the lift, which is now out of service.
    fault = Fault.objects.get(pk=entrapment.fault_id)
    assert (fault.severity, fault.source, fault.title) == ("major", "entrapment", "电梯困人")
    assert Equipment.objects.get(pk=lifts["lift"].pk).status == EquipmentStatus.FAULTY


def test_a_holiday_night_escalates_at_5_and_30_calendar_minutes_once(world, lifts):
    start(world, lifts["lift"])
    zhixu, jingli = world.user("zhixu"), world.user("jingli")

    result = sweep(at(22, 4, 59))
    assert result.breached == [] and result.escalated == []
    assert escalations(zhixu) == [] and escalations(jingli) == []

    result = sweep(at(22, 5))
    assert len(result.breached) == 1
    (line,) = escalations(zhixu)
    assert "困人员工到场" in line and "10-02 22:05" in line
    assert escalations(zhixu, Channel.SMS) == []

    sweep(at(22, 29))  # the manager hears of the staff limit at 22:10 (in the inbox), nobody of the rest
    assert len(escalations(jingli, Channel.IN_APP)) == 1
    assert escalations(jingli, Channel.SMS) == []
    assert not Notification.objects.filter(channel=Channel.SMS, subject_line__contains="困人维保单位到场").exists()

    result = sweep(at(22, 30))
    assert len(result.breached) == 2
    # Nobody flagged: the emergency group is the project manager — contractor and rescue, in-app and SMS.
    urgent = Notification.objects.filter(recipient=jingli, dedupe_key__contains=":level:1:").exclude(
        subject_line__contains="困人员工到场")
    assert sorted(urgent.values_list("channel", flat=True)) == [Channel.IN_APP, Channel.IN_APP, Channel.SMS,
                                                                Channel.SMS]
    lines = sorted(set(urgent.values_list("subject_line", flat=True)))
    assert [("困人维保单位到场" in line, "困人解救" in line) for line in lines] == [(True, False), (False, True)]

    total = Notification.objects.count()
    sweep(at(22, 30))
    sweep(at(23, 30))
    assert Notification.objects.count() == total


def test_a_flagged_member_gets_it_and_an_unflagged_manager_does_not(world, lifts):
    StaffProfile.objects.filter(user__username="gongcheng").update(in_emergency_group=True)
    start(world, lifts["lift"])
    sweep(at(22, 30))
    gongcheng, jingli = world.user("gongcheng"), world.user("jingli")
    sms = Notification.objects.filter(channel=Channel.SMS, dedupe_key__startswith="sla:")
    assert sorted(sms.values_list("recipient__username", flat=True)) == ["gongcheng", "gongcheng"]
    assert escalations(gongcheng, Channel.IN_APP) != []
    assert [line for line in escalations(jingli) if "困人员工到场" not in line] == []


def test_staff_on_site_at_2203_meets_the_limit_and_the_log_reads_in_minutes(world, lifts):
    entrapment = start(world, lifts["lift"], floor="12", trapped_count=2, caller="业主 张先生")
    zhixu = actor_for(world.user("zhixu"))
    entrapments.act(zhixu, entrapment, "staff_arrived", at=at(22, 3))
    entrapments.act(zhixu, entrapment, "contractor_arrived", at=at(22, 23), note="维保 王师傅")
    sweep(at(22, 35))  # the rescue is late by now
    entrapment = entrapments.act(zhixu, entrapment, "freed", at=at(22, 41), injuries="无人受伤")
    limits = {row["key"]: row for row in entrapments.limits(entrapment)}
    assert [(row["minutes"], row["met"], row["breached"]) for row in limits.values()] == [
        (3, True, False), (23, True, False), (41, False, True)]
    states = {clock.key: clock.state for clock in clocks_for(entrapment)}
    assert states == {"entrapment.staff_arrive": "met", "entrapment.contractor_arrive": "met",
                      "entrapment.rescue": "breached"}
    assert escalations(world.user("zhixu")) == []  # staff were on time: no staff-arrival breach

    with translation.override("en"):
        lines = [event_sentence(event) for event in prepare_events(timeline(entrapment))
                 if event.verb.startswith("facilities.entrapment")]
    assert lines == ["People trapped in 3号楼1号客梯, stopped at 12, 2 trapped", "Our staff on site (took 3 min)",
                     "Contractor on site (took 23 min)", "People freed (took 41 min); injuries: 无人受伤"]
    assert entrapment.fault.title == "电梯困人（停在 12层）"

    with pytest.raises(InvalidInput) as error:
        entrapments.act(zhixu, entrapment, "close", at=at(23, 0), summary="   ")
    assert error.value.problems[0].field == "summary"
    entrapment = entrapments.act(zhixu, entrapment, "close", at=at(23, 0), summary="门区传感器积灰，已清洁")
    assert (entrapment.status, entrapment.summary) == (EntrapmentStatus.CLOSED, "门区传感器积灰，已清洁")
    with pytest.raises(Conflict):
        entrapments.act(zhixu, entrapment, "close", at=at(23, 1), summary="again")


def test_times_may_be_neither_before_the_start_nor_in_the_future_and_steps_happen_once(world, lifts):
    entrapment = start(world, lifts["lift"])
    zhixu = actor_for(world.user("zhixu"))
    with pytest.raises(InvalidInput) as error:
        entrapments.act(zhixu, entrapment, "staff_arrived", at=at(21, 59))
    assert error.value.problems[0].field == "at"
    with pytest.raises(InvalidInput) as error:
        entrapments.act(zhixu, entrapment, "staff_arrived", at=datetime(2099, 1, 1, tzinfo=SH))
    assert error.value.problems[0].field == "at"
    assert Entrapment.objects.get().staff_arrived_at is None
    entrapments.act(zhixu, entrapment, "staff_arrived", at=at(22, 4))
    with pytest.raises(Conflict):
        entrapments.act(zhixu, entrapment, "staff_arrived", at=at(22, 6))
    with pytest.raises(Conflict):
        entrapments.act(zhixu, entrapment, "close", at=at(22, 6), summary="x")  # nobody freed yet
    with pytest.raises(InvalidInput) as error:
        entrapments.act(zhixu, entrapment, "teleport")
    assert error.value.problems[0].field == "action"


def test_only_an_elevator_and_only_one_active_per_elevator(world, lifts):
    kefu = actor_for(world.user("kefu"))
    before = (Notification.objects.count(), Clock.objects.count(), Fault.objects.count())
    with pytest.raises(InvalidInput) as error:
        entrapments.start_entrapment(kefu, lifts["pump"], at=HOLIDAY_NIGHT)
    assert error.value.problems[0].field == "equipment"
    with pytest.raises(InvalidInput) as error:
        entrapments.start_entrapment(kefu, lifts["lift"], trapped_count=0, floor="x" * 11, at=HOLIDAY_NIGHT)
    assert [p.field for p in error.value.problems] == ["floor", "trapped_count"]
    assert (Notification.objects.count(), Clock.objects.count(), Fault.objects.count()) == before
    assert not Entrapment.objects.exists()

    first = entrapments.start_entrapment(kefu, lifts["lift"], at=HOLIDAY_NIGHT)
    with pytest.raises(Conflict):
        entrapments.start_entrapment(kefu, lifts["lift"], at=at(22, 1))
    assert Entrapment.objects.count() == 1
    entrapments.act(kefu, first, "freed", at=at(22, 20))
    entrapments.start_entrapment(kefu, lifts["lift"], at=at(22, 40))  # freed: the lift may trap people again
    assert Entrapment.objects.filter(status=EntrapmentStatus.ACTIVE).count() == 1


# -- API ------------------------------------------------------------------------------------------------------
def test_api_one_call_starts_it_and_steps_follow(world, lifts, api):
    client = api("kefu")
    response = client.post("/api/v1/entrapments", {"equipment": lifts["lift"].pk, "at": HOLIDAY_NIGHT.isoformat()})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["elevator"], body["next_action"]) == ("active", "3号楼1号客梯", "staff_arrived")
    assert [(row["key"], row["due_at"]) for row in body["limits"]] == [
        ("entrapment.staff_arrive", "2026-10-02T22:05:00+08:00"),
        ("entrapment.contractor_arrive", "2026-10-02T22:30:00+08:00"),
        ("entrapment.rescue", "2026-10-02T22:30:00+08:00")]
    path = f"/api/v1/entrapments/{body['id']}"
    response = client.post(f"{path}/actions/contractor_arrived", {"at": at(22, 23).isoformat()})
    assert response.status_code == 200, response.content
    assert response.json()["limits"][1] | {"label": ""} == {
        "key": "entrapment.contractor_arrive", "label": "", "due_at": "2026-10-02T22:30:00+08:00", "state": "met",
        "done_at": "2026-10-02T22:23:00+08:00", "minutes": 23, "met": True, "breached": False}
    assert client.post(f"{path}/actions/contractor_arrived", {}).status_code == 409
    response = client.post(f"{path}/actions/fly", {})
    assert (response.status_code, response.json()["errors"][0]["field"]) == (422, "action")
    assert client.post("/api/v1/entrapments", {"equipment": lifts["lift"].pk}).status_code == 409

    listed = client.get("/api/v1/entrapments").json()
    assert (listed["count"], listed["items"][0]["id"]) == (1, body["id"])


def test_api_bad_input_names_the_field_and_writes_nothing(world, lifts, api):
    client = api("kefu")
    cases = [({"equipment": lifts["pump"].pk}, "equipment"), ({"equipment": lifts["lift2"].pk}, "equipment"),
             ({"equipment": lifts["lift"].pk, "trapped_count": 0}, "trapped_count"),
             ({"equipment": lifts["lift"].pk, "caller": "x" * 61}, "caller"),
             ({"equipment": lifts["lift"].pk, "at": "2099-01-01T00:00:00+08:00"}, "at"),
             ({"equipment": 10**30}, "equipment")]
    for payload, field in cases:
        response = client.post("/api/v1/entrapments", payload)
        assert response.status_code == 422, (payload, response.content)
        assert response.json()["errors"][0]["field"] == field, payload
    assert not Entrapment.objects.exists() and not Fault.objects.exists() and not Clock.objects.exists()
    assert client.get("/api/v1/entrapments", status="stuck").status_code == 422


def test_scope_other_project_and_owners_see_nothing(world, lifts, api):
    entrapment = start(world, lifts["lift"])
    other = api("kefu2")
    assert other.get("/api/v1/entrapments").json() == {"items": [], "count": 0}
    assert other.get(f"/api/v1/entrapments/{entrapment.pk}").status_code == 404
    assert other.post(f"/api/v1/entrapments/{entrapment.pk}/actions/freed", {}).status_code == 404
    owner = api("yezhu")
    assert owner.get("/api/v1/entrapments").status_code == 403
    assert owner.get(f"/api/v1/entrapments/{entrapment.pk}").status_code in (403, 404)
    assert owner.post("/api/v1/entrapments", {"equipment": lifts["lift"].pk}).status_code in (403, 404)
    assert Entrapment.objects.get().status == EntrapmentStatus.ACTIVE and Entrapment.objects.count() == 1
    # Finance does not see facilities at all; huanjing (environment) neither starts nor reads entrapments.
    assert api("caiwu").get("/api/v1/entrapments").status_code == 403


# -- console --------------------------------------------------------------------------------------------------
def test_console_one_big_button_then_the_next_step(world, lifts, login):
    browser = login("zhixu")
    page = browser.get(f"/console/facilities/entrapments/start/?equipment={lifts['lift'].pk}")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('<button type="submit" class="btn entrapment-go') == 1
    assert "3号楼1号客梯" in html and "1号生活水泵" not in html
    assert "1号楼客梯" not in html  # project 2's lift
    response = browser.post("/console/facilities/entrapments/start/", {"equipment": lifts["lift"].pk})
    entrapment = Entrapment.objects.get()
    assert response.status_code == 302 and response.url == f"/console/facilities/entrapments/{entrapment.pk}/"
    detail = browser.get(response.url).content.decode()
    assert f"/console/facilities/entrapments/{entrapment.pk}/staff_arrived/" in detail
    response = browser.post(f"/console/facilities/entrapments/{entrapment.pk}/staff_arrived/", {})
    assert response.status_code == 302
    assert Entrapment.objects.get().staff_arrived_by == world.user("zhixu")
    response = browser.post(f"/console/facilities/entrapments/{entrapment.pk}/close/", {"summary": "x"})
    assert response.status_code == 409
    assert browser.get("/console/facilities/entrapments/").status_code == 200
    # A second tap on the same lift shows the entrapment already running, and writes nothing.
    again = browser.post("/console/facilities/entrapments/start/", {"equipment": lifts["lift"].pk})
    assert again.status_code == 302 and again.url == f"/console/facilities/entrapments/{entrapment.pk}/"
    assert Entrapment.objects.count() == 1
    # A pump cannot be chosen: the form answers 422 naming it, nothing written.
    response = browser.post("/console/facilities/entrapments/start/", {"equipment": lifts["pump"].pk})
    assert response.status_code == 422 and Entrapment.objects.count() == 1


def test_console_scope(world, lifts, login):
    entrapment = start(world, lifts["lift"])
    assert login("kefu2").get(f"/console/facilities/entrapments/{entrapment.pk}/").status_code == 404
    assert "3号楼1号客梯" not in login("kefu2").get("/console/facilities/entrapments/").content.decode()
    assert login("yezhu").get(f"/console/facilities/entrapments/{entrapment.pk}/").status_code == 302
    assert login("caiwu").get("/console/facilities/entrapments/start/").status_code == 403


def test_the_list_costs_the_same_queries_for_one_or_many(world, lifts, api):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api("kefu")
    start(world, lifts["lift"])

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/api/v1/entrapments").status_code == 200
        return len(captured)

    queries()  # the first request warms the caches (token lookup throttle, content types)
    one = queries()
    for number in range(5):
        lift = Equipment.objects.create(project=world.project1, category=lifts["lift"].category,
                                        code=f"DT-9{number}", name=f"9号楼{number}号客梯")
        start(world, lift, at=at(22, 10 + number))
    assert queries() == one
    items = client.get("/api/v1/entrapments").json()["items"]
    assert [item["elevator"] for item in items][:2] == ["9号楼4号客梯", "9号楼3号客梯"]  # newest active first
