"""The equipment register (SPEC §4): shipped categories, items and contractors through the services, the API and
the console — every change an event that reads as a sentence, bad input a 422 naming the field with nothing
written, scope (project 2's desk sees nothing of project 1; owners nothing at all)."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from wuye.core.errors import Conflict, InvalidInput, NotAllowed
from wuye.core.events import timeline
from wuye.core.models import Event
from wuye.core.sentences import event_sentence, prepare_events
from wuye.facilities import register, shipped
from wuye.facilities.models import Contractor, Equipment, EquipmentCategory, ReadingPoint
from wuye.people.access import actor_for

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 10, 2)
NOW = datetime(2026, 10, 2, 22, 0, tzinfo=SHANGHAI)


@pytest.fixture
def reg(world):
    """The shipped categories, one contractor and an elevator of project 1 in its first building."""
    categories = shipped.install_categories(world.company)
    engineer = actor_for(world.user("gongcheng"))
    otis = register.create_contractor(engineer, company=world.company, name="上海奥的斯电梯维保有限公司",
                                      service="电梯维保", qualification_number="TS3431001-2022",
                                      qualification_expires_on=date(2027, 6, 30), contact_name="王工",
                                      phone="021-5888 1234")
    building = world.project1.buildings.order_by("id").first()
    elevator = register.create_equipment(engineer, project=world.project1, category=categories["elevator"],
                                         code="DT-1-1", name="1号楼1单元电梯", building=building, location="1单元",
                                         maker="奥的斯", installed_on=date(2016, 5, 10), contractor=otis,
                                         warranty_ends_on=date(2021, 5, 10))
    return {"categories": categories, "engineer": engineer, "otis": otis, "elevator": elevator,
            "building": building}


def sentences_of(subject) -> list[str]:
    with translation.override("en"):
        return [event_sentence(event) for event in prepare_events(timeline(subject))]


# -- shipped categories --------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_the_shipped_categories_with_their_readings_and_tests_install_once(world):
    first = shipped.install_categories(world.company)
    again = shipped.install_categories(world.company)
    assert list(first) == ["elevator", "water_pump", "power", "fire_extinguisher", "hydrant", "fire_alarm", "hvac",
                           "access_control", "cctv"]
    assert EquipmentCategory.objects.filter(company=world.company).count() == 9
    assert ReadingPoint.objects.filter(category__company=world.company).count() == 9
    assert {code: again[code].pk for code in again} == {code: first[code].pk for code in first}
    elevator = first["elevator"]
    assert (elevator.name, elevator.reading_interval_minutes, elevator.post_repair_test,
            elevator.post_repair_test_runs) == ("电梯", 60, "空载运行3次", 3)
    assert [p.code for p in elevator.reading_points.order_by("order")] == ["runs", "door_faults", "machine_room_temp"]
    voltage = first["power"].reading_points.get(code="voltage")
    assert (voltage.label, voltage.unit, voltage.low, voltage.high) == ("电压", "V", Decimal("354"), Decimal("406"))
    assert first["power"].reading_interval_minutes == 60
    pressure = first["water_pump"].reading_points.get(code="outlet_pressure")
    assert (pressure.unit, pressure.low, pressure.high) == ("MPa", Decimal("0.15"), Decimal("0.60"))
    assert first["fire_extinguisher"].reading_interval_minutes == 0
    assert not first["fire_extinguisher"].reading_points.exists()


@pytest.mark.django_db
def test_a_rerun_restores_a_shipped_limit_and_leaves_an_items_own_alone(world, reg):
    voltage = reg["categories"]["power"].reading_points.get(code="voltage")
    voltage.high = Decimal("500")
    voltage.save()
    pump = register.create_equipment(reg["engineer"], project=world.project1, category=reg["categories"]["water_pump"],
                                     code="SB-B1-1", name="1号生活水泵")
    ReadingPoint.objects.create(category=pump.category, equipment=pump, code="outlet_pressure", label="出水压力",
                                unit="MPa", low=Decimal("0.30"), high=Decimal("0.55"))
    shipped.install_categories(world.company)
    voltage.refresh_from_db()
    assert voltage.high == Decimal("406")
    limits = register.limits_for(pump)
    assert list(limits) == ["outlet_pressure", "motor_current"]
    assert (limits["outlet_pressure"].low, limits["outlet_pressure"].high) == (Decimal("0.30"), Decimal("0.55"))


# -- items: create, change, status ---------------------------------------------------------------------------------
@pytest.mark.django_db
def test_creating_changing_and_stopping_an_item_each_reads_as_a_sentence(world, reg):
    item = reg["elevator"]
    register.update_equipment(reg["engineer"], item, location="1单元 东侧", warranty_ends_on=date(2027, 5, 10))
    register.update_equipment(reg["engineer"], item, location="1单元 东侧")  # the same again: nothing recorded
    register.set_status(reg["engineer"], item, "stopped", reason="更换主板")
    register.set_status(reg["engineer"], item, "stopped", reason="更换主板")  # rerun: no second event
    item.refresh_from_db()
    assert (item.location, item.warranty_ends_on, item.status) == ("1单元 东侧", date(2027, 5, 10), "stopped")
    verbs = list(Event.objects.for_subject(item).order_by("created_at", "id").values_list("verb", flat=True))
    assert verbs == ["facilities.equipment.created", "facilities.equipment.changed",
                     "facilities.equipment.status_changed"]
    lines = sentences_of(item)
    assert lines[0].startswith("Put on the register: 1号楼1单元电梯 (电梯)")
    assert "maintained by 上海奥的斯电梯维保有限公司" in lines[0]
    assert "1单元 → 1单元 东侧" in lines[1] and "2021-05-10 → 2027-05-10" in lines[1]
    assert lines[2] == "Status changed from In service to Stopped: 更换主板"
    changed = Event.objects.for_subject(item).get(verb="facilities.equipment.changed")
    assert changed.data == {"location": ["1单元", "1单元 东侧"], "warranty_ends_on": ["2021-05-10", "2027-05-10"]}


@pytest.mark.django_db
def test_scrapped_is_final_and_stopping_needs_a_reason(world, reg):
    item = reg["elevator"]
    with pytest.raises(InvalidInput) as error:
        register.set_status(reg["engineer"], item, "stopped")
    assert error.value.problems[0].field == "reason"
    with pytest.raises(InvalidInput) as error:
        register.set_status(reg["engineer"], item, "broken")
    assert error.value.problems[0].field == "status"
    register.set_status(reg["engineer"], item, "scrapped", reason="使用年限已满，已拆除")
    with pytest.raises(Conflict):
        register.set_status(reg["engineer"], item, "in_service")
    with pytest.raises(Conflict):
        register.update_equipment(reg["engineer"], item, name="新名称")
    item.refresh_from_db()
    assert (item.status, item.name) == ("scrapped", "1号楼1单元电梯")
    assert register.allowed_statuses(item) == []


@pytest.mark.django_db
def test_a_fault_moves_an_item_but_only_the_register_keepers_stop_it(world, reg):
    desk = actor_for(world.user("kefu"))  # customer service reports faults but keeps no register
    register.set_status(desk, reg["elevator"], "faulty", reason="电梯停在5层不动")
    assert Equipment.objects.get(pk=reg["elevator"].pk).status == "faulty"
    with pytest.raises(NotAllowed):
        register.set_status(desk, reg["elevator"], "stopped", reason="停用")
    with pytest.raises(NotAllowed):
        register.create_equipment(desk, project=world.project1, category=reg["categories"]["cctv"], code="JK-1",
                                  name="监控1")


@pytest.mark.django_db
def test_bad_item_input_names_the_field_and_writes_nothing(world, reg):
    engineer, cats = reg["engineer"], reg["categories"]
    other_building = world.project2.buildings.order_by("id").first()
    cases = [
        ({"code": "dt-1-1"}, "code"),  # the elevator's code, other case
        ({"building": other_building}, "building"),
        ({"installed_on": date(1949, 12, 31)}, "installed_on"),
        ({"installed_on": date(2099, 1, 1)}, "installed_on"),  # after today
        ({"warranty_ends_on": date(2101, 1, 1)}, "warranty_ends_on"),
        ({"installed_on": date(2020, 1, 1), "warranty_ends_on": date(2019, 12, 31)}, "warranty_ends_on"),
        ({"name": "电" * 101}, "name"),
        ({"location": "楼" * 101}, "location"),
        ({"code": " "}, "code"),
    ]
    before = (Equipment.objects.count(), Event.objects.count())
    for extra, field in cases:
        fields = {"code": "JK-9", "name": "监控9", **extra}
        with pytest.raises(InvalidInput) as error:
            register.create_equipment(engineer, project=world.project1, category=cats["cctv"], **fields)
        assert error.value.problems[0].field == field, extra
    with pytest.raises(InvalidInput) as error:
        register.create_equipment(engineer, project=world.project2, category=cats["cctv"], code="JK-9", name="监控9")
    assert error.value.problems[0].field == "project"  # gongcheng works in project 1 only
    with pytest.raises(InvalidInput) as error:
        register.update_equipment(engineer, reg["elevator"], status="stopped")
    assert error.value.problems[0].field == "status"
    assert (Equipment.objects.count(), Event.objects.count()) == before


# -- contractors ---------------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_contractors_have_unique_names_and_a_qualification_state(world, reg):
    engineer = reg["engineer"]
    with pytest.raises(InvalidInput) as error:
        register.create_contractor(engineer, company=world.company, name="上海奥的斯电梯维保有限公司")
    assert error.value.problems[0].field == "name"
    with pytest.raises(InvalidInput) as error:
        register.create_contractor(engineer, company=world.company, name="某消防", phone="call me")
    assert error.value.problems[0].field == "phone"
    otis = reg["otis"]
    # expires 2027-06-30; warned 30 days ahead
    assert register.qualification_state(otis, date(2027, 5, 30)) == "valid"  # 31 days ahead
    assert register.qualification_state(otis, date(2027, 5, 31)) == "expiring"  # 30 days ahead
    assert register.qualification_state(otis, date(2027, 6, 30)) == "expiring"  # its last day
    assert register.qualification_state(otis, date(2027, 7, 1)) == "expired"
    register.update_contractor(engineer, otis, qualification_expires_on=date(2030, 6, 30))
    assert sentences_of(otis)[-1].startswith("Maintenance contractor changed")
    assert Contractor.objects.get(pk=otis.pk).qualification_expires_on == date(2030, 6, 30)


# -- API -----------------------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_the_api_creates_updates_and_stops_an_item(world, reg, api):
    client = api("gongcheng")
    building = reg["building"]
    response = client.post("/api/v1/equipment", {
        "project": world.project1.pk, "category": "water_pump", "code": "SB-B1-1", "name": "1号生活水泵",
        "building": building.pk, "location": "B1 水泵房", "installed_on": "2016-03-01",
        "contractor": reg["otis"].pk})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["category"], body["status"], body["contractor_qualification"]) == ("water_pump", "in_service",
                                                                                    "valid")
    assert [point["code"] for point in body["reading_points"]] == ["outlet_pressure", "motor_current"]
    assert body["reading_points"][0]["high"] == "0.6"
    assert len(body["timeline"]) == 1 and body["open_tasks"] == [] and body["open_faults"] == []
    pk = body["id"]
    response = client.post(f"/api/v1/equipment/{pk}", {"location": "B2 水泵房", "building": None})
    assert response.status_code == 200, response.content
    assert (response.json()["location"], response.json()["building_id"]) == ("B2 水泵房", None)
    response = client.post(f"/api/v1/equipment/{pk}/status", {"status": "stopped", "reason": "检修水池"})
    assert response.status_code == 200 and response.json()["status"] == "stopped"
    assert response.json()["statuses"] == ["in_service", "faulty", "scrapped"]
    assert len(response.json()["timeline"]) == 3
    assert client.post(f"/api/v1/equipment/{pk}/status", {"status": "faulty"}).status_code == 422
    client.post(f"/api/v1/equipment/{pk}/status", {"status": "scrapped", "reason": "更换新泵"})
    response = client.post(f"/api/v1/equipment/{pk}/status", {"status": "in_service"})
    assert response.status_code == 409


@pytest.mark.django_db
def test_bad_api_input_is_a_422_naming_the_field_with_nothing_written(world, reg, api):
    client = api("gongcheng")
    good = {"project": world.project1.pk, "category": "cctv", "code": "JK-1", "name": "东门监控"}
    other_building = world.project2.buildings.order_by("id").first()
    before = (Equipment.objects.count(), Event.objects.count())
    cases = [
        ({"code": "DT-1-1"}, "code"),
        ({"building": other_building.pk}, "building"),
        ({"installed_on": "1949-06-01"}, "installed_on"),
        ({"warranty_ends_on": "2101-01-01"}, "warranty_ends_on"),
        ({"name": "监" * 101}, "name"),
        ({"code": "J" * 41}, "code"),
        ({"category": "spaceship"}, "category"),
        ({"project": world.project2.pk}, "project"),
    ]
    for extra, field in cases:
        response = client.post("/api/v1/equipment", {**good, **extra})
        assert response.status_code == 422, (extra, response.content)
        assert field in [error["field"] for error in response.json()["errors"]], (extra, response.json())
    assert (Equipment.objects.count(), Event.objects.count()) == before
    response = client.post(f"/api/v1/equipment/{reg['elevator'].pk}", {"code": "X" * 41})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "code"


@pytest.mark.django_db
def test_scope_engineer_sees_project_1_kefu2_nothing_of_it_owners_nothing(world, reg, api):
    engineer = api("gongcheng")
    listed = engineer.get("/api/v1/equipment", project=world.project1.pk).json()
    assert listed["count"] == 1 and listed["items"][0]["code"] == "DT-1-1"
    assert engineer.get("/api/v1/equipment", q="1单元").json()["count"] == 1
    assert engineer.get("/api/v1/equipment", category="power").json()["count"] == 0
    assert engineer.get("/api/v1/equipment", status="nonsense").status_code == 422
    assert engineer.get("/api/v1/equipment-categories").json()["count"] == 9
    assert engineer.get("/api/v1/contractors").json()["items"][0]["qualification"] == "valid"
    pk = reg["elevator"].pk
    other_desk = api("kefu2")
    assert other_desk.get("/api/v1/equipment").json() == {"items": [], "count": 0}
    assert other_desk.get(f"/api/v1/equipment/{pk}").status_code == 404
    assert other_desk.post(f"/api/v1/equipment/{pk}/status", {"status": "stopped", "reason": "x"}).status_code == 404
    owner = api("yezhu")
    assert owner.get("/api/v1/equipment").status_code == 403
    assert owner.get("/api/v1/contractors").status_code == 403
    assert owner.get(f"/api/v1/equipment/{pk}").status_code == 403  # owners see no facilities route
    assert Equipment.objects.get(pk=pk).status == "in_service"


# -- console -------------------------------------------------------------------------------------------------------
def _pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("manual.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
                            content_type="application/pdf")


def _png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    return SimpleUploadedFile("nameplate.png", buffer.getvalue(), content_type="image/png")


@pytest.mark.django_db
def test_pages_render_for_the_engineer_and_an_expired_qualification_shows_red(world, reg, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = login("gongcheng")
    item, otis = reg["elevator"], reg["otis"]
    Contractor.objects.filter(pk=otis.pk).update(qualification_expires_on=date(2026, 9, 30))
    with mock.patch("django.utils.timezone.localdate", return_value=TODAY):
        page = client.get(f"/console/facilities/equipment/{item.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "1号楼1单元电梯" in html and "上海奥的斯电梯维保有限公司" in html and 'class="text-red"' in html
    assert "badge badge-red" in html and "2026-09-30" in html
    for url in ("/console/facilities/equipment/", "/console/facilities/equipment/?category=elevator&q=DT",
                "/console/facilities/equipment/new/", f"/console/facilities/equipment/{item.pk}/edit/",
                "/console/facilities/contractors/", f"/console/facilities/contractors/{otis.pk}/",
                "/console/facilities/contractors/new/", f"/console/facilities/contractors/{otis.pk}/edit/"):
        response = client.get(url)
        assert response.status_code == 200, url
    assert "1号楼1单元电梯" in client.get("/console/facilities/equipment/").content.decode()
    # a document (PDF, by its first bytes) and a photo; a text file is refused, naming the file
    response = client.post(f"/console/facilities/equipment/{item.pk}/upload/",
                           {"kind": "document", "title": "年度检验报告", "file": _pdf()})
    assert response.status_code == 302
    response = client.post(f"/console/facilities/equipment/{item.pk}/upload/", {"kind": "photos", "photos": _png()})
    assert response.status_code == 302
    fake = SimpleUploadedFile("virus.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post(f"/console/facilities/equipment/{item.pk}/upload/",
                           {"kind": "document", "title": "说明书", "file": fake})
    assert response.status_code == 422 and "PDF" in response.content.decode()
    assert item.documents.count() == 1
    document = item.documents.get()
    response = client.get(f"/console/facilities/equipment/{item.pk}/documents/{document.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "年度检验报告" in sentences_of(item)[-2] and sentences_of(item)[-1] == "1 photos added"


@pytest.mark.django_db
def test_console_forms_create_edit_and_stop_an_item(world, reg, login):
    client = login("gongcheng")
    cctv = reg["categories"]["cctv"]
    response = client.post("/console/facilities/equipment/new/", {
        "project": world.project1.pk, "category": cctv.pk, "code": "JK-1", "name": "东门监控",
        "installed_on": "2019-04-01"})
    assert response.status_code == 302
    item = Equipment.objects.get(project=world.project1, code="JK-1")
    response = client.post("/console/facilities/equipment/new/", {
        "project": world.project1.pk, "category": cctv.pk, "code": "jk-1", "name": "东门监控二"})
    assert response.status_code == 422 and Equipment.objects.filter(name="东门监控二").count() == 0
    response = client.post(f"/console/facilities/equipment/{item.pk}/edit/", {
        "category": cctv.pk, "code": "JK-1", "name": "东门监控", "location": "东门岗亭", "installed_on": "2019-04-01"})
    assert response.status_code == 302
    response = client.post(f"/console/facilities/equipment/{item.pk}/status/", {"status": "stopped", "reason": ""})
    assert response.status_code == 422
    response = client.post(f"/console/facilities/equipment/{item.pk}/status/", {"status": "stopped",
                                                                               "reason": "线路改造"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.location, item.status) == ("东门岗亭", "stopped")
    assert login("kefu2").get(f"/console/facilities/equipment/{item.pk}/").status_code == 404
    assert login("caiwu").get("/console/facilities/equipment/").status_code == 403


@pytest.mark.django_db
def test_an_open_fault_shows_on_the_item_and_keeps_it_out_of_service(world, reg, api, login):
    from wuye.facilities import faults

    item = reg["elevator"]
    register.set_status(reg["engineer"], item, "stopped", reason="年检整改")
    faults.report_fault(reg["engineer"], item, title="轿厢异响", at=NOW)
    body = api("gongcheng").get(f"/api/v1/equipment/{item.pk}").json()
    assert [fault["title"] for fault in body["open_faults"]] == ["轿厢异响"]
    response = api("gongcheng").post(f"/api/v1/equipment/{item.pk}/status", {"status": "in_service"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "status"
    html = login("gongcheng").get(f"/console/facilities/equipment/{item.pk}/").content.decode()
    assert "轿厢异响" in html and 'value="in_service"' not in html and 'value="scrapped"' in html


@pytest.mark.django_db
def test_the_register_list_costs_the_same_queries_for_5_or_50_items(world, reg, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login("gongcheng")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/console/facilities/equipment/").status_code == 200
        return len(captured)

    def add(count, start):
        for number in range(start, start + count):
            register.create_equipment(reg["engineer"], project=world.project1, category=reg["categories"]["cctv"],
                                      code=f"JK-{number}", name=f"监控{number}", building=reg["building"],
                                      contractor=reg["otis"])

    add(4, 1)
    few = queries()
    add(45, 10)
    assert queries() == few


@pytest.mark.django_db
def test_the_register_lists_buildings_in_natural_order_and_items_of_no_building_last(world, reg, api):
    from wuye.tenancy.models import Building

    tenth = Building.objects.create(project=world.project1, number="10", name="10号楼")
    second = world.project1.buildings.get(number="2")
    cctv = reg["categories"]["cctv"]
    for code, building in (("A-10", tenth), ("Z-2", second), ("0-NONE", None)):
        register.create_equipment(reg["engineer"], project=world.project1, category=cctv, code=code,
                                  name=f"监控{code}", building=building)
    codes = [row["code"] for row in api("gongcheng").get("/api/v1/equipment", category="cctv").json()["items"]]
    assert codes == ["Z-2", "A-10", "0-NONE"]


def test_scrapping_an_item_cancels_its_scheduled_work_and_waits_for_its_open_fault(reg, world):
    from wuye.facilities import faults, plans
    from wuye.facilities.models import MaintenanceTask, TaskStatus
    from wuye.sla.engine import clocks_for

    lift = register.create_equipment(reg["engineer"], project=world.project1, category=reg["categories"]["elevator"],
                                     code="DT-9-1", name="9号楼电梯")
    plans.create_plan(reg["engineer"], project=world.project1, name="电梯半月保养", kind="routine", frequency="days",
                      interval=15, starts_on=date(2026, 10, 1), category=reg["categories"]["elevator"],
                      checklist=["检查曳引机"])
    plans.generate_tasks(date(2026, 10, 1))
    tasks = MaintenanceTask.objects.filter(equipment=lift)
    assert tasks.count() == 3 and clocks_for(tasks.get(due_on=date(2026, 10, 1))).get().state == "running"
    fault = faults.report_fault(reg["engineer"], lift, title="异响")
    with pytest.raises(Conflict):
        register.set_status(reg["engineer"], lift, "scrapped", reason="电梯更新改造")
    faults.cancel(reg["engineer"], fault, reason="误报")
    register.set_status(reg["engineer"], lift, "scrapped", reason="电梯更新改造")
    assert set(tasks.values_list("status", flat=True)) == {TaskStatus.CANCELLED}
    assert clocks_for(tasks.get(due_on=date(2026, 10, 1))).get().state == "cancelled"


@pytest.mark.django_db
def test_set_status_itself_keeps_an_item_down_while_a_fault_is_open(world, reg):
    """The rule lives in set_status (every caller, on the locked row), with faults.py's own sets: a reported
    fault keeps the item down; a fault only raised from readings does not hold back another fault's cancel."""
    from wuye.facilities import faults
    from wuye.facilities.models import Fault, FaultStatus

    item = reg["elevator"]
    fault = faults.report_fault(reg["engineer"], item, title="轿厢异响", at=NOW)
    item.refresh_from_db()
    assert item.status == "faulty"
    with pytest.raises(InvalidInput) as refused:
        register.set_status(reg["engineer"], item, "in_service")
    assert refused.value.problems[0].field == "status"
    assert register.kept_down(item)
    Fault.objects.create(project=world.project1, equipment=item, title="电流超限",
                                  status=FaultStatus.RAISED, raised_at=NOW)
    faults.cancel(reg["engineer"], fault, reason="误报", at=NOW)
    item.refresh_from_db()
    assert item.status == "in_service" and not register.kept_down(item)
    # ... but a raised fault still holds back scrapping: its work is open.
    with pytest.raises(Conflict):
        register.set_status(reg["engineer"], item, "scrapped", reason="更新改造")
