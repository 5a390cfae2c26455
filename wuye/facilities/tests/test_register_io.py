"""The register in Excel: the export is the import's layout and reads back unchanged; an import creates and updates
by 设备编号, names every bad row by row and column and then writes nothing; it is bounded; formula-like text stays
text."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from wuye.core.errors import InvalidInput, NotAllowed
from wuye.core.spreadsheets import xlsx_row
from wuye.core.workbooks import Limits
from wuye.facilities import register_io
from wuye.facilities.models import Contractor, Equipment, EquipmentCategory
from wuye.people.access import actor_for
from wuye.tenancy.models import Building


@pytest.fixture
def register(world):
    company, project = world.company, world.project1
    elevator = EquipmentCategory.objects.create(company=company, code="elevator", name="电梯", kind="elevator")
    EquipmentCategory.objects.create(company=company, code="water_pump", name="生活水泵", kind="water")
    contractor = Contractor.objects.create(company=company, name="上海迅达电梯维保有限公司",
                                           qualification_number="TS3531001-2027",
                                           qualification_expires_on=date(2027, 6, 30))
    building = Building.objects.filter(project=project).order_by("number").first()
    first = Equipment.objects.create(project=project, category=elevator, code="DT-01", name="1号楼1号客梯",
                                     building=building, location="1单元", model_number="GeN2-MR", maker="奥的斯",
                                     installed_on=date(2018, 6, 1), contractor=contractor,
                                     warranty_ends_on=date(2020, 6, 1))
    second = Equipment.objects.create(project=project, category=elevator, code="DT-02",
                                      name="=HYPERLINK(\"http://evil\",\"点我\")", status="stopped")
    Equipment.objects.create(project=world.project2, category=elevator, code="DT-09", name="翠湖1号梯")
    return first, second, contractor, building


def _rows(content: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _xlsx(rows: list[list], header=register_io.COLUMNS) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(xlsx_row(sheet, row))  # as Excel keeps a typed '=…: text
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("设备台账.xlsx", buffer.getvalue())


def _snapshot(project):
    return list(Equipment.objects.filter(project=project).order_by("code").values_list(
        "code", "name", "category__code", "building_id", "location", "model_number", "maker", "installed_on",
        "contractor_id", "warranty_ends_on", "status"))


def test_export_writes_the_register_in_chinese_columns(world, register):
    _first, _second, _contractor, building = register
    content = register_io.export_register(Equipment.objects.filter(project=world.project1).order_by("code"))
    rows = _rows(content)
    assert tuple(rows[0]) == ("设备编号", "名称", "类别", "楼栋", "位置", "型号", "生产厂家", "安装日期", "维保单位",
                              "资质证号", "保修截止", "状态")
    assert len(rows) == 3
    place = building.name or f"{building.number}号楼"
    assert rows[1][:7] == ["DT-01", "1号楼1号客梯", "电梯", place, "1单元", "GeN2-MR", "奥的斯"]
    assert rows[1][7].date() == date(2018, 6, 1) and rows[1][10].date() == date(2020, 6, 1)
    assert rows[1][8:10] == ["上海迅达电梯维保有限公司", "TS3531001-2027"] and rows[1][11] == "在用"
    assert rows[2][11] == "停用"
    # The formula-like name is a text cell: shown as typed, never run.
    cell = load_workbook(io.BytesIO(content)).worksheets[0]["B3"]
    assert cell.value == "=HYPERLINK(\"http://evil\",\"点我\")" and cell.data_type == "s"


def test_an_export_imports_back_unchanged(world, register):
    before = _snapshot(world.project1)
    content = register_io.export_register(Equipment.objects.filter(project=world.project1))
    report = register_io.import_register(actor_for(world.user("gongcheng")), project=world.project1,
                                         upload=SimpleUploadedFile("x.xlsx", content))
    assert report.ok and (report.rows, report.created, report.updated, report.skipped) == (2, 0, 0, 2)
    assert _snapshot(world.project1) == before


def test_bad_rows_are_named_by_row_and_column_and_nothing_is_written(world, register):
    before = _snapshot(world.project1)
    upload = _xlsx([
        ["SB-01", "1号生活水泵", "生活水泵", "", "B1 水泵房", "", "", "2019-03-01", "", "", "", "在用"],  # fine
        ["SB-02", "2号生活水泵", "水泵房设备", "", "", "", "", "", "", "", "", ""],  # row 3: category
        ["SB-03", "3号生活水泵", "water_pump", "", "", "", "", "2019-02-30", "无名维保公司", "", "", ""],  # row 4
        ["SB-01", "重复编号", "生活水泵", "99号楼", "", "", "", "", "", "", "", "坏了"],  # row 5
        ["DT-01", "1号楼1号客梯", "电梯", "", "", "", "", "2020-01-01", "上海迅达电梯维保有限公司", "X-1",
         "2019-01-01", ""],  # row 6
        ["X" * 41, "", "电梯", "", "", "", "", "1901-01-01", "", "", "", ""],  # row 7
    ])
    report = register_io.import_register(actor_for(world.user("gongcheng")), project=world.project1, upload=upload)
    assert not report.ok and report.created == report.updated == 0
    found = {(error.row, error.column) for error in report.errors}
    assert found == {(3, "类别"), (4, "安装日期"), (4, "维保单位"), (5, "设备编号"), (5, "楼栋"), (5, "状态"),
                     (6, "资质证号"), (6, "保修截止"), (7, "设备编号"), (7, "名称"), (7, "安装日期")}
    messages = {(error.row, error.column): error.message for error in report.errors}
    assert "无名维保公司" in messages[(4, "维保单位")]
    assert "2" in messages[(5, "设备编号")]  # already on row 2
    assert _snapshot(world.project1) == before
    assert not Contractor.objects.filter(name="无名维保公司").exists()


def test_import_through_the_api_answers_422_naming_row_and_column(world, register, api):
    client = api("gongcheng")
    upload = _xlsx([["SB-01", "1号生活水泵", "锅炉", "", "", "", "", "", "", "", "", ""]])
    response = client.client.post("/api/v1/equipment/import", {"file": upload, "project": world.project1.pk},
                                  **client.headers)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["row 2: 类别"]
    assert not Equipment.objects.filter(code="SB-01").exists()


def test_import_of_another_project_is_refused(world, register, api):
    client = api("gongcheng")
    response = client.client.post("/api/v1/equipment/import",
                                  {"file": _xlsx([["A", "b", "电梯"]]), "project": world.project2.pk},
                                  **client.headers)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "project"


def test_import_needs_the_register_permission(world, register):
    with pytest.raises(NotAllowed):
        register_io.import_register(actor_for(world.user("kefu")), project=world.project1,
                                    upload=_xlsx([["A", "b", "电梯"]]))


def test_import_is_bounded(world, register, monkeypatch):
    monkeypatch.setattr(register_io, "LIMITS", Limits(max_file_bytes=2 * 1024 * 1024, max_rows=3))
    upload = _xlsx([[f"X-{n}", "x", "电梯"] for n in range(4)])
    with pytest.raises(InvalidInput) as refused:
        register_io.import_register(actor_for(world.user("gongcheng")), project=world.project1, upload=upload)
    assert refused.value.problems[0].field == "file"
    assert register_io.LIMITS.max_rows == 3 and Limits().max_rows == 20_000


def test_shipped_limits_are_2_mb_and_5000_rows():
    assert register_io.LIMITS.max_file_bytes == 2 * 1024 * 1024 and register_io.LIMITS.max_rows == 5000


def test_a_fault_is_not_made_or_closed_by_import(world, register):
    first, *_ = register
    content = register_io.export_register(Equipment.objects.filter(pk=first.pk))
    rows = _rows(content)[1:]
    rows[0][11] = "故障"
    report = register_io.import_register(actor_for(world.user("gongcheng")), project=world.project1,
                                         upload=_xlsx(rows))
    assert [(e.row, e.column) for e in report.errors] == [(2, "状态")]
    assert Equipment.objects.get(pk=first.pk).status == "in_service"


def test_import_creates_and_updates_by_code(world, register):
    first, second, contractor, building = register
    rows = _rows(register_io.export_register(Equipment.objects.filter(project=world.project1).order_by("code")))[1:]
    rows[0][4] = "1单元 地下车库入口"  # DT-01 moved
    rows[1][11] = "在用"  # DT-02 back in service
    rows.append(["SB-01", "1号生活水泵", "water_pump", building.number, "B1 水泵房", "", "格兰富", "2019-03-01",
                 "上海迅达电梯维保有限公司", "", "", ""])
    actor = actor_for(world.user("gongcheng"))
    report = register_io.import_register(actor, project=world.project1, upload=_xlsx(rows))
    assert report.ok, report.errors
    assert (report.created, report.updated, report.skipped) == (1, 2, 0)
    assert Equipment.objects.get(pk=first.pk).location == "1单元 地下车库入口"
    assert Equipment.objects.get(pk=second.pk).status == "in_service"
    pump = Equipment.objects.get(project=world.project1, code="SB-01")
    assert (pump.category.code, pump.building_id, pump.contractor_id, pump.installed_on, pump.status) == (
        "water_pump", building.pk, contractor.pk, date(2019, 3, 1), "in_service")
    # The same file again changes nothing.
    again = register_io.import_register(actor, project=world.project1, upload=_xlsx(rows))
    assert (again.created, again.updated, again.skipped) == (0, 0, 3)


def test_template_example_row_is_never_imported(world, register):
    content = register_io.blank_template()
    rows = _rows(content)
    assert tuple(rows[0]) == register_io.COLUMNS and rows[1][0] == "DT-01"
    report = register_io.import_register(actor_for(world.user("gongcheng")), project=world.project1,
                                         upload=SimpleUploadedFile("t.xlsx", content))
    assert report.examples == 1 and [(e.row, e.column) for e in report.errors] == [(2, "设备编号")]


def test_console_export_template_and_import_pages(world, register, login):
    client = login("gongcheng")
    export = client.get("/console/facilities/equipment/export/", {"project": world.project1.pk})
    assert export.status_code == 200
    assert "%E8%AE%BE%E5%A4%87%E5%8F%B0%E8%B4%A6_%E9%94%A6%E5%8D%8E%E8%8B%91.xlsx" in export["Content-Disposition"]
    assert [row[0] for row in _rows(export.content)[1:]] == ["DT-01", "DT-02"]  # not project 2's DT-09
    assert client.get("/console/facilities/equipment/template/").status_code == 200
    page = client.get("/console/facilities/equipment/import/")
    assert page.status_code == 200 and "设备编号" in page.content.decode()
    bad = client.post("/console/facilities/equipment/import/",
                      {"project": world.project1.pk, "file": _xlsx([["SB-01", "泵", "锅炉"]])})
    assert bad.status_code == 422
    body = bad.content.decode()
    assert "锅炉" in body and "类别" in body
    assert login("kefu").get("/console/facilities/equipment/import/").status_code == 403


def test_api_export_is_scoped(world, register, api):
    response = api("gongcheng").get("/api/v1/equipment.xlsx")
    assert response.status_code == 200
    assert sorted(row[0] for row in _rows(response.content)[1:]) == ["DT-01", "DT-02"]
    assert _rows(api("kefu2").get("/api/v1/equipment.xlsx").content)[1:] == [
        ["DT-09", "翠湖1号梯", "电梯", None, None, None, None, None, None, None, None, "在用"]]
    assert api("kefu2").get("/api/v1/equipment.xlsx", project=world.project1.pk).status_code == 404
    assert api("caiwu").get("/api/v1/equipment.xlsx").status_code == 403


def test_a_scrapped_item_stays_scrapped_named_on_its_status_cell(world, register):
    first, *_ = register
    Equipment.objects.filter(pk=first.pk).update(status="scrapped")
    rows = _rows(register_io.export_register(Equipment.objects.filter(pk=first.pk)))[1:]
    assert rows[0][11] == "报废"
    rows[0][11] = "在用"
    report = register_io.import_register(actor_for(world.user("gongcheng")), project=world.project1,
                                         upload=_xlsx(rows))
    assert [(e.row, e.column) for e in report.errors] == [(2, "状态")]
    assert Equipment.objects.get(pk=first.pk).status == "scrapped"
