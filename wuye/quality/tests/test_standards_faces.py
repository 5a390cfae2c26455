"""The standards library through the API, Excel and the console: a wrong item is named by its place, an import
with bad rows writes nothing and names each row and column, an export imports back as the next version, the
quality department edits while customer service and owners cannot."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from wuye.quality import standards as library
from wuye.quality import standards_io
from wuye.quality.models import Standard, StandardItem, StandardVersion
from wuye.sla.models import ProjectStandard

pytestmark = pytest.mark.django_db

BODY = {"code": "lobby", "name": "大堂检查", "purpose": "daily", "categories": [
    {"name": "大堂", "items": [{"text": "地面干净无积水", "points": "10", "deduction": "2"},
                             {"text": "前台有人值守", "points": "10", "critical": True, "severity": "critical",
                              "department": "security"}]},
    {"name": "电梯厅", "items": [{"text": "照明正常", "points": "5", "department": "engineering"}]}]}


def _sheet(rows, header=standards_io.COLUMNS) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "standard.xlsx"
    return buffer


def test_the_api_creates_lists_and_revises_a_standard(world, api):
    pinzhi = api("pinzhi")
    created = pinzhi.post("/api/v1/standards", BODY)
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["current_version"], body["item_count"], body["versions"]) == (1, 3, [1])
    assert [item["number"] for category in body["version"]["categories"] for item in category["items"]] == [1, 2, 3]
    assert body["version"]["categories"][0]["items"][1]["critical"] is True
    listed = pinzhi.get("/api/v1/standards").json()
    assert [(s["code"], s["current_version"], s["item_count"]) for s in listed["items"]] == [("lobby", 1, 3)]

    revised = pinzhi.post(f"/api/v1/standards/{body['id']}/versions", {
        "note": "电梯厅并入大堂", "categories": [{"name": "大堂", "items": [
            {"text": "地面干净无积水", "points": "20"}, {"text": "照明正常", "points": "5"}]}]})
    assert revised.status_code == 201, revised.content
    assert (revised.json()["current_version"], revised.json()["item_count"]) == (2, 2)
    first = pinzhi.get(f"/api/v1/standards/{body['id']}", version=1).json()
    assert first["version"]["number"] == 1
    assert [c["name"] for c in first["version"]["categories"]] == ["大堂", "电梯厅"]
    assert pinzhi.get(f"/api/v1/standards/{body['id']}", version=7).status_code == 404


def test_a_wrong_item_is_named_by_its_place_and_nothing_is_written(world, api):
    pinzhi = api("pinzhi")
    body = {**BODY, "categories": [BODY["categories"][0], {"name": "电梯厅", "items": [
        {"text": "照明正常", "points": "5"}, {"text": "轿厢干净", "points": "5"},
        {"text": "按钮完好", "points": "0"}]}]}
    response = pinzhi.post("/api/v1/standards", body)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["categories[1].items[2].points"]
    typed = pinzhi.post("/api/v1/standards", {**BODY, "categories": [{"name": "大堂", "items": [
        {"text": "地面干净", "points": "很多"}]}]})
    assert typed.status_code == 422
    assert [e["field"] for e in typed.json()["errors"]] == ["categories[0].items[0].points"]
    assert not Standard.objects.exists() and not StandardItem.objects.exists()


def test_customer_service_reads_but_may_not_write_and_owners_see_nothing(world, api):
    library.install_shipped_standards(world.company)
    window = Standard.objects.get(code="window-service")
    kefu = api("kefu")
    assert kefu.get("/api/v1/standards").json()["count"] == 3
    assert kefu.post("/api/v1/standards", BODY).status_code == 403
    assert kefu.post(f"/api/v1/standards/{window.pk}/versions", {"categories": BODY["categories"]}).status_code == 403
    assert kefu.post(f"/api/v1/projects/{world.project1.pk}/service-package", {"level": "level_1"}).status_code == 403
    owner = api("yezhu")
    assert owner.get("/api/v1/standards").status_code == 403
    assert owner.get(f"/api/v1/standards/{window.pk}").status_code == 403
    assert owner.post(f"/api/v1/standards/{window.pk}/versions",
                      {"categories": BODY["categories"]}).status_code in (403, 404)
    assert StandardVersion.objects.filter(standard=window).count() == 1


def test_the_api_puts_a_project_on_a_service_level(world, api):
    library.install_shipped_standards(world.company)
    pinzhi = api("pinzhi")
    packages = pinzhi.get("/api/v1/service-packages").json()["items"]
    assert [(p["level"], p["sla_standard"]) for p in packages] == [
        ("level_1", "five-star"), ("level_2", "spec-default"), ("level_3", "spec-default")]
    response = pinzhi.post(f"/api/v1/projects/{world.project2.pk}/service-package", {"level": "level_1"})
    assert response.status_code == 200, response.content
    assert response.json()["package"]["name"] == "一级服务包"
    assert ProjectStandard.objects.get(project=world.project2).standard.code == "five-star"
    assert pinzhi.post(f"/api/v1/projects/{world.project2.pk}/service-package",
                       {"level": "gold"}).json()["errors"][0]["field"] == "level"


def test_an_import_with_bad_rows_names_each_and_writes_nothing(world):
    pinzhi = world.user("pinzhi")
    from wuye.people.access import actor_for

    upload = _sheet([
        (1, "人行出入口", 1, "安全员服装整洁。", 5, 1, "否", "轻微", "秩序"),
        (1, "人行出入口", 2, "", 5, 1, "否", "轻微", "秩序"),
        (2, "车行出入口", 3, "道闸开启正常。", "五", 1, "否", "轻微", "工程"),
        (2, "车行出入口", 4, "减速坡牢固。", 5, 8, "也许", "轻微", "园艺"),
    ])
    report, written = standards_io.import_standard(actor_for(pinzhi), upload, company=world.company, code="gates",
                                                   name="出入口检查")
    assert written is None
    assert [(e.row, e.column) for e in report.errors] == [
        (3, "检查内容"), (4, "分值"), (5, "每次扣分"), (5, "否决项"), (5, "责任部门")]
    assert not Standard.objects.filter(code="gates").exists()
    assert not StandardItem.objects.exists()


def test_an_exported_standard_imports_back_as_the_next_version(world):
    from wuye.people.access import actor_for

    library.install_shipped_standards(world.company)
    window = Standard.objects.get(code="window-service")
    data = standards_io.export_version(library.current_version(window))
    sheet = load_workbook(io.BytesIO(data)).active
    assert [cell.value for cell in sheet[1]] == list(standards_io.COLUMNS)
    assert sheet.max_row == 23
    assert sheet["D3"].value.startswith("安全员对客户亲切友好")
    sheet["E2"] = 6  # item 1 becomes worth 6 points
    buffer = io.BytesIO()
    sheet.parent.save(buffer)
    buffer.seek(0)
    report, _written = standards_io.import_standard(actor_for(world.user("pinzhi")), buffer, standard=window)
    assert report.ok, report.errors
    second = library.current_version(window)
    assert second.number == 2
    assert second.items.count() == 22 and second.categories.count() == 3
    assert second.items.get(number=1).points == Decimal("6.00")
    assert library.version_of(window, 1).items.get(number=1).points == Decimal("4.50")
    assert second.items.get(number=2).text == library.version_of(window, 1).items.get(number=2).text


def test_the_console_library_editor_and_import(world, login):
    library.install_shipped_standards(world.company)
    window = Standard.objects.get(code="window-service")
    kefu = login("kefu")
    page = kefu.get(f"/console/quality/standards/{window.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "路遇客户表现得亲切有礼" in text and "道路、广场" in text
    assert kefu.get(f"/console/quality/standards/{window.pk}/edit/").status_code == 403
    assert kefu.get("/console/quality/standards/import/").status_code == 403

    pinzhi = login("pinzhi")
    editor = pinzhi.get(f"/console/quality/standards/{window.pk}/edit/")
    assert editor.status_code == 200
    rows = editor.context["rows"]
    assert rows.total_form_count() == 27  # 22 items and 5 empty rows
    post = {"rows-TOTAL_FORMS": "2", "rows-INITIAL_FORMS": "0", "rows-MIN_NUM_FORMS": "0",
            "rows-MAX_NUM_FORMS": "200", "n-note": "只查人行出入口",
            "rows-0-category": "人行出入口", "rows-0-text": "安全员服装整洁。", "rows-0-points": "50",
            "rows-0-deduction": "5", "rows-0-severity": "minor", "rows-0-department": "security",
            "rows-1-category": "人行出入口", "rows-1-text": "夜间照明正常。", "rows-1-points": "",
            "rows-1-deduction": "5", "rows-1-severity": "minor", "rows-1-department": "engineering"}
    bad = pinzhi.post(f"/console/quality/standards/{window.pk}/edit/", post)
    assert bad.status_code == 422
    assert bad.context["rows"].forms[1].errors["points"]
    assert StandardVersion.objects.filter(standard=window).count() == 1
    saved = pinzhi.post(f"/console/quality/standards/{window.pk}/edit/", {**post, "rows-1-points": "50"})
    assert saved.status_code == 302
    assert library.current_version(window).items.count() == 2

    upload = _sheet([(1, "大堂", 1, "地面干净。", 5, 1, "否", "轻微", "环境"),
                     (1, "大堂", 2, "照明正常。", -5, 1, "否", "轻微", "工程")])
    report = pinzhi.post("/console/quality/standards/import/", {
        "code": "lobby", "name": "大堂检查", "purpose": "daily", "file": upload})
    assert report.status_code == 422
    assert "分值" in report.content.decode()
    assert [(e.row, e.column) for e in report.context["report"].errors] == [(3, "分值")]
    assert not Standard.objects.filter(code="lobby").exists()


def test_the_packages_page_changes_a_projects_level(world, login):
    library.install_shipped_standards(world.company)
    pinzhi = login("pinzhi")
    page = pinzhi.get("/console/quality/packages/")
    assert page.status_code == 200 and "一级服务包" in page.content.decode()
    response = pinzhi.post("/console/quality/packages/assign/", {"project": world.project1.pk,
                                                                  "level": "level_1"})
    assert response.status_code == 302
    world.project1.refresh_from_db()
    assert world.project1.service_level == "level_1"
    assert login("kefu").post("/console/quality/packages/assign/", {"project": world.project1.pk,
                                                                     "level": "level_3"}).status_code == 403


def test_a_new_standard_written_in_the_console(world, login):
    pinzhi = login("pinzhi")
    assert pinzhi.get("/console/quality/standards/new/").status_code == 200
    post = {"rows-TOTAL_FORMS": "3", "rows-INITIAL_FORMS": "0", "rows-MIN_NUM_FORMS": "0",
            "rows-MAX_NUM_FORMS": "200", "h-code": "lobby", "h-name": "大堂检查", "h-purpose": "special",
            "n-note": "",
            "rows-0-category": "大堂", "rows-0-text": "地面干净。", "rows-0-points": "60", "rows-0-deduction": "",
            "rows-0-severity": "minor", "rows-0-department": "environment",
            "rows-1-category": "电梯厅", "rows-1-text": "照明正常。", "rows-1-points": "40",
            "rows-1-deduction": "10", "rows-1-severity": "major", "rows-1-department": "engineering",
            "rows-1-critical": "on",
            "rows-2-category": "", "rows-2-text": "", "rows-2-points": "", "rows-2-deduction": "",
            "rows-2-severity": "minor", "rows-2-department": "customer_service"}
    response = pinzhi.post("/console/quality/standards/new/", post)
    assert response.status_code == 302, response.context and response.context["rows"].errors
    standard = Standard.objects.get(code="lobby")
    version = library.current_version(standard)
    assert (standard.purpose, version.number) == ("special", 1)
    assert list(version.items.order_by("number").values_list("category__name", "text", "points", "deduction",
                                                              "critical")) == [
        ("大堂", "地面干净。", Decimal("60.00"), Decimal("1.00"), False),
        ("电梯厅", "照明正常。", Decimal("40.00"), Decimal("10.00"), True)]
    again = pinzhi.post("/console/quality/standards/new/", post)
    assert again.status_code == 422
    assert again.context["header"].errors["code"]
