"""Onboarding a project: created through the API with its standard and default catalogue; the company's units,
owners and vehicles sheets imported from the generated templates — all or nothing, row errors by row and column,
re-upload harmless, scope and roles kept."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from wuye.billing.models import ChargeItem
from wuye.core.models import Event
from wuye.people.models import Residency, Resident, Vehicle
from wuye.sla.models import ProjectStandard
from wuye.tenancy.models import Building, Project, Unit
from wuye.workorders.models import Category, Kind, PriceItem

# Valid mainland ID numbers (check digits computed), and one with its last digit changed.
ID_1, ID_2 = "11010519491231002X", "440304198001010017"
BAD_ID = "110105194912310021"


def filled(kind: str, rows: list[tuple], keep_example: bool = False) -> SimpleUploadedFile:
    """The generated template of `kind`, filled in below its header (over the example row unless kept)."""
    from wuye.onboarding.services import sheet_template

    book = load_workbook(io.BytesIO(sheet_template(kind)))
    sheet = book.active
    if not keep_example:
        sheet.delete_rows(2)
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(f"{kind}.xlsx", buffer.getvalue())


def upload(client, project_id: int, kind: str, file):
    return client.client.post(f"/api/v1/projects/{project_id}/imports", {"kind": kind, "file": file},
                              **client.headers)


def unit_rows(buildings: int = 2, floors: int = 5, flats: int = 2) -> list[tuple]:
    return [(str(b), f"{b}号楼", "1", f"{floor}{flat:02d}", floor, "住宅", 89.5 + flat)
            for b in range(1, buildings + 1) for floor in range(1, floors + 1) for flat in range(1, flats + 1)]


def test_a_project_created_through_the_api_starts_with_its_catalogue(world, api, fresh):
    body = api("admin").get(f"/api/v1/projects/{fresh.pk}").json()
    assert (body["code"], body["service_level"], body["service_standard"]) == ("lanting", "level_2", "five-star")
    assert ProjectStandard.objects.get(project=fresh).standard.code == "five-star"
    assert Category.objects.filter(project=fresh, kind=Kind.REPAIR, code="burst-pipe").exists()
    assert Category.objects.filter(project=fresh, kind=Kind.COMPLAINT, code="fees").exists()
    assert PriceItem.objects.get(project=fresh, code="labour-basic").price == Decimal("30.00")
    assert {"property-fee", "water", "parking-pass"} <= set(
        ChargeItem.objects.filter(project=fresh).values_list("code", flat=True))
    verbs = set(Event.objects.filter(project_id=fresh.pk).values_list("verb", flat=True))
    assert {"project.created", "project.standard_chosen", "project.catalogue_installed"} <= verbs


def test_a_company_administrator_creates_projects_in_their_own_company(world, api):
    from wuye.core.access import Role
    from wuye.people.access import actor_for
    from wuye.people.services import create_staff

    create_staff(actor_for(world.user("admin")), company=world.company, username="guanli", password="wuye-demo",
                 name="管理员", role=Role.COMPANY_ADMIN)
    response = api("guanli").post("/api/v1/projects", {"code": "xinyuan", "name": "新苑"})
    assert response.status_code == 201, response.content
    project = Project.objects.get(code="xinyuan")
    assert project.company_id == world.company.pk and project.service_level == ""
    assert response.json()["service_standard"] == "spec-default"
    assert Category.objects.filter(project=project).count() > 10


def test_finance_cannot_create_projects(world, api):
    before = Project.objects.count()
    response = api("caiwu").post("/api/v1/projects", {"code": "nope", "name": "不行"})
    assert response.status_code == 403
    assert Project.objects.count() == before


def test_a_wrong_field_leaves_no_project_behind(world, api):
    before = (Project.objects.count(), Category.objects.count(), ChargeItem.objects.count())
    response = api("admin").post("/api/v1/projects", {"code": "x1", "name": "X", "service_standard": "platinum",
                                                      "company_id": world.company.pk})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "service_standard"
    response = api("admin").post("/api/v1/projects", {"code": "x1", "name": "X", "service_level": "level_9",
                                                      "company_id": world.company.pk})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "service_level"
    code = world.project1.code
    response = api("admin").post("/api/v1/projects", {"code": code, "name": "X", "company_id": world.company.pk})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "code"
    assert (Project.objects.count(), Category.objects.count(), ChargeItem.objects.count()) == before


def test_the_template_has_chinese_headers_and_an_example_row(world, api):
    response = api("admin").get("/api/v1/imports/template", kind="owners")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("房屋", "姓名", "手机号", "证件类型")
    assert rows[1][1] == "张三" and len(rows) == 2
    assert api("admin").get("/api/v1/imports/template", kind="people").status_code == 422


def test_units_import_from_the_template_and_again(world, api, fresh):
    admin = api("admin")
    rows = unit_rows()  # 2 buildings × 5 floors × 2 flats
    response = upload(admin, fresh.pk, "units", filled("units", rows, keep_example=True))
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["rows"], body["created"], body["updated"], body["skipped"], body["examples"]) == (21, 20, 0, 0, 1)
    assert Building.objects.filter(project=fresh).count() == 2
    building = Building.objects.get(project=fresh, number="1")
    assert (building.name, building.floors) == ("1号楼", 5)
    unit = Unit.objects.get(building=building, number="1-302")
    assert (unit.label, unit.floor, unit.area, unit.entrance) == ("1-1-302", 3, Decimal("91.50"), "1")
    events = Event.objects.count()

    again = upload(admin, fresh.pk, "units", filled("units", rows)).json()
    assert (again["created"], again["updated"], again["skipped"]) == (0, 0, 20)
    rows[0] = (*rows[0][:6], 120)
    changed = upload(admin, fresh.pk, "units", filled("units", rows)).json()
    assert (changed["created"], changed["updated"], changed["skipped"]) == (0, 1, 19)
    assert Unit.objects.get(building=building, number="1-101").area == Decimal("120.00")
    assert Unit.objects.filter(project=fresh).count() == 20
    assert Event.objects.filter(verb="unit.updated").count() == 1
    assert Event.objects.count() == events + 1 + 2  # the update, and one summary per import


def test_bad_unit_rows_are_reported_and_nothing_is_written(world, api, fresh):
    rows = [*unit_rows(1, 2, 1), ("1", "", "1", "101", 1, "住宅", 90), ("2", "", "", "201", 0, "别墅", -5)]
    response = upload(api("admin"), fresh.pk, "units", filled("units", rows))
    assert response.status_code == 422
    fields = [error["field"] for error in response.json()["errors"]]
    assert fields == ["row 4: 房号", "row 5: 楼层", "row 5: 房屋类型", "row 5: 建筑面积"]
    assert not Unit.objects.filter(project=fresh).exists() and not Building.objects.filter(project=fresh).exists()


def owners_setup(api, fresh):
    upload(api("admin"), fresh.pk, "units", filled("units", unit_rows()))


OWNERS = [
    ("1-1-101", "王芳", "13912345678", "身份证", ID_1, "业主", "2021-03-01"),
    ("1号楼1单元102", "李强", "139 1234 5679", "", "", "租户", None),
    ("2-1-101", "王芳", "13912345678", "身份证", ID_1, "业主", None),  # the same person, a second unit
    ("2-1-101", "赵敏", "13700000001", "", "", "家属", None),
]


def test_owners_import_one_record_per_person_and_again(world, api, fresh):
    owners_setup(api, fresh)
    admin = api("admin")
    response = upload(admin, fresh.pk, "owners", filled("owners", OWNERS))
    assert response.status_code == 200, response.content
    assert (response.json()["created"], response.json()["skipped"]) == (4, 0)
    wang = Resident.objects.get(project=fresh, id_number=ID_1)
    assert sorted(r.unit.label for r in Residency.objects.filter(resident=wang)) == ["1-1-101", "2-1-101"]
    li = Resident.objects.get(project=fresh, name="李强")
    assert li.phone == "13912345679"
    assert Residency.objects.get(resident=li).relation == "tenant"
    assert Residency.objects.get(resident=wang, unit__building__number="1").started_on.isoformat() == "2021-03-01"
    assert Event.objects.filter(verb="resident.registered", project_id=fresh.pk).count() == 3

    again = upload(admin, fresh.pk, "owners", filled("owners", OWNERS)).json()
    assert (again["created"], again["updated"], again["skipped"]) == (0, 0, 4)
    assert Resident.objects.filter(project=fresh).count() == 3


def test_bad_owner_rows_are_reported_by_row_and_column_and_nothing_is_written(world, api, fresh):
    owners_setup(api, fresh)
    rows = [
        *OWNERS[:2],
        ("1-1-201", "钱七", "13912340000", "身份证", BAD_ID, "业主", None),  # row 4: bad check digit
        ("9-9-999", "孙八", "13912340001", "", "", "业主", None),  # row 5: no such unit
        ("1-1-101", "王芳", "13912345678", "身份证", ID_1, "业主", None),  # row 6: duplicate of row 2
        ("1-1-202", "周九", "12345", "", "", "房东", None),  # row 7: phone and role
    ]
    admin = api("admin")
    residents, events = Resident.objects.count(), Event.objects.count()
    response = upload(admin, fresh.pk, "owners", filled("owners", rows))
    assert response.status_code == 422
    body = response.json()
    assert [error["field"] for error in body["errors"]] == [
        "row 4: 证件号码", "row 5: 房屋", "row 6: 姓名", "row 7: 手机号", "row 7: 身份"]
    assert "check digit" in body["errors"][0]["message"] or "校验" in body["errors"][0]["message"]
    assert "4 rows of the sheet have errors; nothing was imported" in body["detail"] or "4 行有错误" in body["detail"]
    assert (Resident.objects.count(), Event.objects.count()) == (residents, events)


def test_vehicles_import_and_again(world, api, fresh):
    owners_setup(api, fresh)
    admin = api("admin")
    upload(admin, fresh.pk, "owners", filled("owners", OWNERS))
    rows = [("粤B12345", "1-1-101", "王芳", "小型汽车", "白色大众"), ("粤b·d12345", "2-1-101", "赵敏", "新能源", "")]
    body = upload(admin, fresh.pk, "vehicles", filled("vehicles", rows)).json()
    assert (body["created"], body["skipped"]) == (2, 0)
    assert Vehicle.objects.get(project=fresh, plate="粤BD12345").resident.name == "赵敏"
    assert upload(admin, fresh.pk, "vehicles", filled("vehicles", rows)).json()["skipped"] == 2
    bad = [("粤I12345", "1-1-101", "王芳", "", ""), ("粤B12345", "2-1-101", "赵敏", "", ""),
           ("粤B54321", "1-1-102", "不存在", "", "")]
    response = upload(admin, fresh.pk, "vehicles", filled("vehicles", bad))
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == [
        "row 2: 车牌号", "row 3: 车牌号", "row 4: 车主姓名"]
    assert Vehicle.objects.filter(project=fresh).count() == 2


def test_kefu2_cannot_import_into_project_1(world, api):
    units = Unit.objects.count()
    response = upload(api("kefu2"), world.project1.pk, "units", filled("units", unit_rows(1, 1, 1)))
    assert response.status_code == 404
    assert Unit.objects.count() == units


def test_files_that_are_not_workbooks_or_too_big_are_refused_whole(world, api, fresh, settings):
    admin = api("admin")
    response = upload(admin, fresh.pk, "units", SimpleUploadedFile("units.xlsx", b"not a workbook"))
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "file"
    response = admin.client.post(f"/api/v1/projects/{fresh.pk}/imports", {"kind": "units"}, **admin.headers)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "file"
    response = upload(admin, fresh.pk, "people", filled("units", unit_rows(1, 1, 1)))
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "kind"


def test_the_row_bound_is_checked_before_parsing(world, monkeypatch, fresh):
    from wuye.core.errors import InvalidInput
    from wuye.core.workbooks import Limits
    from wuye.onboarding import services
    from wuye.people.access import actor_for

    monkeypatch.setattr(services, "LIMITS", Limits(max_rows=5))
    with pytest.raises(InvalidInput) as refused:
        services.import_sheet(actor_for(world.user("admin")), fresh, "units", filled("units", unit_rows(1, 3, 2)))
    assert refused.value.problems[0].field == "file" and "5" in refused.value.problems[0].message
    assert not Unit.objects.filter(project=fresh).exists()


def test_console_new_project_and_its_onboarding_page(world, login):
    browser = login("admin")
    page = browser.get(reverse("onboarding:project_new"))
    assert page.status_code == 200
    response = browser.post(reverse("onboarding:project_new"), {
        "code": "meilin", "name": "梅林苑", "service_level": "level_1", "service_standard": "spec-default",
        "company": world.company.pk})
    project = Project.objects.get(code="meilin")
    assert response.status_code == 302 and response["Location"] == reverse("onboarding:project",
                                                                            kwargs={"project_id": project.pk})
    assert ChargeItem.objects.filter(project=project).exists() and PriceItem.objects.filter(project=project).exists()
    onboarding = reverse("onboarding:project", kwargs={"project_id": project.pk})
    response = browser.post(onboarding, {"kind": "units", "file": filled("units", unit_rows(1, 2, 2))})
    assert response.status_code == 200 and "4" in response.content.decode()
    assert Unit.objects.filter(project=project).count() == 4
    response = browser.post(onboarding, {"kind": "owners", "file": filled("owners", [
        ("1-1-101", "钱七", "13912340000", "身份证", BAD_ID, "业主", None)])})
    assert response.status_code == 422
    assert "证件号码" in response.content.decode() and not Resident.objects.filter(project=project).exists()
    assert browser.get(reverse("onboarding:template", kwargs={"kind": "vehicles"})).status_code == 200


def test_console_onboarding_shows_each_person_the_sheets_they_keep(world, login):
    assert login("caiwu").get(reverse("onboarding:project_new")).status_code == 403
    assert login("jingli").get(reverse("onboarding:project_new")).status_code == 403  # a manager: no new projects
    onboarding = reverse("onboarding:project", kwargs={"project_id": world.project1.pk})
    assert login("jingli").get(onboarding).status_code == 200
    assert login("huanjing").get(onboarding).status_code == 403  # the environment department keeps no list here
    page = login("caiwu").get(onboarding).content.decode()  # finance: the meter register only
    assert 'id="sheet-meters"' in page and 'id="sheet-owners"' not in page
    page = login("kefu").get(onboarding).content.decode()  # customer service: owners and vehicles, no buildings
    assert 'id="sheet-owners"' in page and 'id="sheet-vehicles"' in page and 'id="sheet-units"' not in page
    assert login("kefu2").get(onboarding).status_code == 404
    project2 = reverse("onboarding:project", kwargs={"project_id": world.project2.pk})
    assert login("jingli").get(project2).status_code == 404


def test_owners_sheet_again_with_changes_updates_on_record(world, api, fresh):
    owners_setup(api, fresh)
    admin = api("admin")
    upload(admin, fresh.pk, "owners", filled("owners", OWNERS))
    changed = [
        ("1-1-101", "王芳", "13700001111", "身份证", ID_1, "业主", None),  # a new phone
        ("1号楼1单元102", "李强", "13912345679", "身份证", ID_2, "租户", None),  # the ID number added
        ("2-1-101", "赵敏", "13700000001", "", "", "共有人", None),  # another role
        ("2-1-101", "王芳", "13700001111", "身份证", ID_1, "业主", None),  # as on record now
    ]
    body = upload(admin, fresh.pk, "owners", filled("owners", changed)).json()
    assert (body.get("created"), body.get("updated"), body.get("skipped")) == (0, 3, 1), body
    assert Resident.objects.get(project=fresh, id_number=ID_1).phone == "13700001111"
    assert Resident.objects.get(project=fresh, name="李强").id_number == ID_2
    assert Residency.objects.get(resident__name="赵敏").relation == "co_owner"
    assert Resident.objects.filter(project=fresh).count() == 3
    assert Event.objects.filter(project_id=fresh.pk, verb="resident.updated").count() == 3
    other = [("1-1-102", "李强", "13912345679", "身份证", ID_1, "租户", None)]
    response = upload(admin, fresh.pk, "owners", filled("owners", other))
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "row 2: 证件号码"


def test_only_the_platforms_operator_adds_companies(world, api):
    assert api("jingli").post("/api/v1/companies", {"name": "别家物业"}).status_code == 403
    response = api("admin").post("/api/v1/companies", {"name": world.company.name})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "name"
    response = api("admin").post("/api/v1/companies", {"name": "别家物业", "credit_code": "91330100MA2CXXXX1"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "credit_code"
    assert api("admin").post("/api/v1/companies", {"name": "别家物业"}).status_code == 201
    assert Event.objects.filter(verb="company.created").count() == 1


def test_the_meter_register_is_a_sheet_too(world, api, fresh):
    from wuye.billing.models import Meter

    owners_setup(api, fresh)
    admin = api("admin")
    rows = [("W-1-1-101", "水", "1-1-101", "", "", "是"), ("E-1", "电", "", "1", "1号楼公共照明", "是")]
    body = upload(admin, fresh.pk, "meters", filled("meters", rows, keep_example=True)).json()
    assert (body.get("rows"), body.get("created"), body.get("examples")) == (3, 2, 1), body
    assert Meter.objects.get(project=fresh, code="W-1-1-101").unit.label == "1-1-101"
    assert not Meter.objects.filter(project=fresh, code="W-1-101").exists()  # the example row
    assert upload(admin, fresh.pk, "meters", filled("meters", rows)).json()["skipped"] == 2
