"""The catalogue as master data (issue 10 point 2): categories kept by customer service, the paid-service price
list and warranty terms by engineering — through the API and the Excel import, each change an event, scope and
role enforced, a price change never rewriting charges already written."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from wuye.core.models import Event
from wuye.people.access import actor_for
from wuye.tenancy.models import Building, Unit
from wuye.workorders import catalogue
from wuye.workorders.models import Category, ChargeLine, PriceItem, WarrantyTerm
from wuye.workorders.services import ActionInput, TicketInput, create_ticket, perform


def events(verb):
    return list(Event.objects.filter(verb=verb).order_by("id"))


# -- categories ---------------------------------------------------------------------------------------------------
def test_customer_service_keeps_the_category_tree(world, api):
    kefu = api("kefu")
    plumbing = Category.objects.get(project=world.project1, kind="repair", code="plumbing")
    created = kefu.post("/api/v1/categories", {"project_id": world.project1.pk, "kind": "repair",
                                                "parent_id": plumbing.pk, "code": "water-heater", "name": "热水器"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["full_name"] == "给排水 › 热水器" and body["is_active"] is True
    made = events("catalogue.category_created")
    assert len(made) == 1 and made[0].actor == world.user("kefu") and made[0].data["name"] == "热水器"

    patched = kefu.client.patch(f"/api/v1/categories/{body['id']}", {"name": "热水器/锅炉", "is_active": False},
                                content_type="application/json", **kefu.headers)
    assert patched.status_code == 200, patched.content
    assert patched.json()["name"] == "热水器/锅炉" and patched.json()["is_active"] is False
    change = events("catalogue.category_changed")[0]
    assert change.data["changes"] == {"name": ["热水器", "热水器/锅炉"], "is_active": [True, False]}

    listed = kefu.get("/api/v1/categories", project=world.project1.pk, kind="repair", active="true").json()
    assert body["id"] not in {row["id"] for row in listed["items"]}  # deactivated: out of the pickers
    # A deactivated category is refused for a new ticket.
    refused = kefu.post("/api/v1/tickets", {"kind": "repair", "unit_id": Unit.objects.filter(
        project=world.project1).first().pk, "category_id": body["id"], "description": "热水器不出热水"})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "category_id"


def test_category_input_is_checked_field_by_field(world, api):
    kefu = api("kefu")
    complaint = Category.objects.filter(project=world.project1, kind="complaint").first()
    before = Category.objects.count()
    answer = kefu.post("/api/v1/categories", {"project_id": world.project1.pk, "kind": "repair",
                                               "parent_id": complaint.pk, "code": "Bad Code!", "name": " "})
    assert answer.status_code == 422
    assert {error["field"] for error in answer.json()["errors"]} == {"code", "name", "parent_id"}
    duplicate = kefu.post("/api/v1/categories", {"project_id": world.project1.pk, "kind": "repair",
                                                  "code": "plumbing", "name": "给排水"})
    assert duplicate.status_code == 422 and duplicate.json()["errors"][0]["field"] == "code"
    assert Category.objects.count() == before


def test_finance_cannot_edit_categories_and_kefu2_cannot_touch_project_1(world, api):
    category = Category.objects.get(project=world.project1, kind="complaint", code="fees")
    caiwu = api("caiwu")
    assert caiwu.get("/api/v1/categories").status_code == 200  # every staff member reads the catalogue
    assert caiwu.post("/api/v1/categories", {"project_id": world.project1.pk, "kind": "complaint",
                                             "code": "billing", "name": "账单"}).status_code == 403
    assert caiwu.client.patch(f"/api/v1/categories/{category.pk}", {"name": "收费"},
                              content_type="application/json", **caiwu.headers).status_code == 403

    kefu2 = api("kefu2")
    assert kefu2.client.patch(f"/api/v1/categories/{category.pk}", {"name": "收费"},
                              content_type="application/json", **kefu2.headers).status_code == 404
    foreign = kefu2.post("/api/v1/categories", {"project_id": world.project1.pk, "kind": "complaint",
                                                "code": "billing", "name": "账单"})
    assert foreign.status_code == 422 and foreign.json()["errors"][0]["field"] == "project_id"
    rows = kefu2.get("/api/v1/categories", page_size=200).json()["items"]
    assert rows and {row["project_id"] for row in rows} == {world.project2.pk}
    assert not Event.objects.filter(verb__startswith="catalogue.").exists()
    assert Category.objects.get(pk=category.pk).name == "收费问题"
    assert api("yezhu").get("/api/v1/categories").status_code == 403


# -- the price list -----------------------------------------------------------------------------------------------
def test_a_price_change_never_rewrites_charges_already_written(world, api):
    tap = PriceItem.objects.get(project=world.project1, code="tap")
    unit = world.owner_unit("yezhu")
    kefu, engineer = actor_for(world.user("kefu")), actor_for(world.user("gongcheng"))

    def repaired():
        ticket = create_ticket(kefu, project=world.project1, data=TicketInput(
            kind="repair", channel="phone", unit=unit, description="龙头坏了"))
        perform(kefu, ticket, "dispatch", ActionInput(assignee=world.user("gongcheng")))
        for step in ("accept", "arrive"):
            perform(engineer, ticket, step)
        perform(engineer, ticket, "complete", ActionInput(work_done="换龙头", parts=[(tap, Decimal("2"))]))
        return ticket

    before = repaired()
    gongcheng = api("gongcheng")
    answer = gongcheng.client.patch(f"/api/v1/price-list/{tap.pk}", {"price": "50.00"},
                                    content_type="application/json", **gongcheng.headers)
    assert answer.status_code == 200, answer.content
    assert answer.json()["price"] == "50.00"
    assert events("catalogue.price_item_changed")[0].data["changes"] == {"price": ["45.00", "50.00"]}

    line = ChargeLine.objects.get(ticket=before)
    assert (line.unit_price, line.amount) == (Decimal("45.00"), Decimal("90.00"))  # priced when written
    perform(kefu, before, "confirm")
    charged = perform(kefu, before, "charge_fee")
    assert charged.charge_lines.get().amount == Decimal("90.00")
    assert ChargeLine.objects.get(ticket=repaired()).unit_price == Decimal("50.00")  # from now on


def test_engineering_keeps_the_price_list_customer_service_does_not(world, api):
    body = {"project_id": world.project1.pk, "code": "shower-head", "name": "花洒（含安装）", "unit_name": "个",
            "price": "68.00"}
    assert api("kefu").post("/api/v1/price-list", body).status_code == 403
    created = api("gongcheng").post("/api/v1/price-list", body)
    assert created.status_code == 201, created.content
    assert PriceItem.objects.get(project=world.project1, code="shower-head").price == Decimal("68.00")
    assert api("kefu").get("/api/v1/price-list", project=world.project1.pk).status_code == 200
    bad = api("gongcheng").post("/api/v1/price-list", {**body, "code": "other", "price": "-1"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "price"
    kefu2 = api("kefu2")
    item = PriceItem.objects.get(project=world.project1, code="tap")
    assert kefu2.client.patch(f"/api/v1/price-list/{item.pk}", {"price": "1.00"}, content_type="application/json",
                              **kefu2.headers).status_code == 404


def _sheet(rows, header=catalogue.PRICE_COLUMNS) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("价目表.xlsx", buffer.getvalue())


def test_the_price_list_imports_all_or_nothing_and_again_harmlessly(world):
    engineer = actor_for(world.user("gongcheng"))
    project = world.project1
    count = PriceItem.objects.filter(project=project).count()
    bad = catalogue.import_price_list(engineer, project, _sheet([
        ("tap", "水龙头（含安装）", "个", 48, "否", "是"),
        ("Shower Head", "花洒", "个", "68", "否", "是"),
        ("valve", "阀门", "", "abc", "也许", "是"),
        ("tap", "水龙头", "个", 1, "否", "是"),
    ]))
    assert not bad.ok
    assert [(error.row, error.column) for error in bad.errors] == [
        (3, "编码"), (4, "单位"), (4, "单价（元）"), (4, "人工费"), (5, "编码")]
    assert PriceItem.objects.filter(project=project).count() == count  # nothing written
    assert PriceItem.objects.get(project=project, code="tap").price == Decimal("45.00")

    good = _sheet([("tap", "水龙头（含安装）", "个", 48, "否", "是"), ("shower-head", "花洒", "个", "68.5", "", "")])
    report = catalogue.import_price_list(engineer, project, good)
    assert (report.ok, report.created, report.changed, report.unchanged) == (True, 1, 1, 0)
    assert PriceItem.objects.get(project=project, code="tap").price == Decimal("48.00")
    assert PriceItem.objects.get(project=project, code="shower-head").price == Decimal("68.50")
    recorded = Event.objects.filter(verb__startswith="catalogue.price_item").count()
    good.seek(0)
    again = catalogue.import_price_list(engineer, project, good)
    assert (again.created, again.changed, again.unchanged) == (0, 0, 2)
    assert Event.objects.filter(verb__startswith="catalogue.price_item").count() == recorded


def test_the_price_list_exports_in_the_import_layout_and_round_trips(world, login):
    browser = login("gongcheng")
    response = browser.get(f"/api/v1/price-list.xlsx?project={world.project1.pk}")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == catalogue.PRICE_COLUMNS
    assert ("tap", "水龙头（含安装）", "个", 45, "否", "是") in rows
    again = catalogue.import_price_list(actor_for(world.user("gongcheng")), world.project1,
                                        SimpleUploadedFile("x.xlsx", response.content))
    assert again.ok and again.created == again.changed == 0


def test_the_import_api_reports_rows_and_refuses_what_is_not_a_workbook(world, api):
    gongcheng = api("gongcheng")
    upload = _sheet([("tap", "水龙头", "个", "not a price", "否", "是")])
    answer = gongcheng.client.post("/api/v1/price-list/import", {"project_id": world.project1.pk, "file": upload},
                                   **gongcheng.headers)
    assert answer.status_code == 200
    assert [(error["row"], error["column"]) for error in answer.json()["errors"]] == [(2, "单价（元）")]
    assert PriceItem.objects.get(project=world.project1, code="tap").name == "水龙头（含安装）"  # nothing written
    junk = SimpleUploadedFile("x.xlsx", b"not a zip at all")
    refused = gongcheng.client.post("/api/v1/price-list/import", {"project_id": world.project1.pk, "file": junk},
                                    **gongcheng.headers)
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "file"
    kefu = api("kefu")
    assert kefu.client.post("/api/v1/price-list/import", {"project_id": world.project1.pk, "file": _sheet([])},
                            **kefu.headers).status_code == 403


# -- warranty terms -----------------------------------------------------------------------------------------------
def test_a_warranty_term_of_one_building_routes_its_repairs_to_the_contractor(world, api):
    gongcheng = api("gongcheng")
    building = Building.objects.filter(project=world.project1).order_by("id").first()
    waterproofing = Category.objects.get(project=world.project1, code="building")
    created = gongcheng.post("/api/v1/warranty-terms", {
        "project_id": world.project1.pk, "category_id": waterproofing.pk, "building_id": building.pk,
        "until": "2028-06-30", "contractor": "华建防水工程公司", "contractor_phone": "13900001111"})
    assert created.status_code == 201, created.content
    term = created.json()
    assert events("catalogue.warranty_term_created")[0].data["contractor"] == "华建防水工程公司"

    kefu = actor_for(world.user("kefu"))
    leak = Category.objects.get(project=world.project1, code="waterproofing")

    def report(unit):
        return create_ticket(kefu, project=world.project1, data=TicketInput(
            kind="repair", channel="phone", unit=unit, category=leak, description="外墙渗水"))

    inside = Unit.objects.filter(building=building).first()
    outside = Unit.objects.filter(project=world.project1).exclude(building=building).first()
    assert report(inside).contractor == "华建防水工程公司"
    assert not report(outside).under_warranty

    ended = gongcheng.client.patch(f"/api/v1/warranty-terms/{term['id']}", {"is_active": False},
                                   content_type="application/json", **gongcheng.headers)
    assert ended.status_code == 200 and ended.json()["is_active"] is False
    assert not report(inside).under_warranty
    assert WarrantyTerm.objects.get(pk=term["id"]).until == date(2028, 6, 30)


def test_warranty_terms_are_checked_and_kept_by_engineering(world, api):
    body = {"project_id": world.project1.pk, "category_id": Category.objects.get(
        project=world.project1, kind="complaint", code="fees").pk, "until": "2028-06-30", "contractor": ""}
    answer = api("gongcheng").post("/api/v1/warranty-terms", body)
    assert answer.status_code == 422
    assert {error["field"] for error in answer.json()["errors"]} == {"category_id", "contractor"}
    assert api("kefu").post("/api/v1/warranty-terms", body).status_code == 403
    foreign_building = Building.objects.filter(project=world.project2).first()
    answer = api("gongcheng").post("/api/v1/warranty-terms", {
        **body, "category_id": Category.objects.get(project=world.project1, code="plumbing").pk,
        "contractor": "某公司", "building_id": foreign_building.pk})
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "building_id"
    assert not WarrantyTerm.objects.exists()


@pytest.mark.parametrize("route", ["/api/v1/categories", "/api/v1/price-list", "/api/v1/warranty-terms"])
def test_catalogue_lists_hold_only_the_caller_s_projects(world, api, route):
    engineer = actor_for(world.user("admin"))
    for project in (world.project1, world.project2):
        catalogue.create_warranty_term(engineer, project, category=Category.objects.get(
            project=project, code="plumbing"), until=date(2028, 1, 1), contractor="某公司")
    rows = api("kefu2").get(route, page_size=200).json()["items"]
    assert rows and {row["project_id"] for row in rows} == {world.project2.pk}
    assert {row["project_id"] for row in api("kefu").get(route, page_size=200).json()["items"]} == {
        world.project1.pk}


# -- console pages ------------------------------------------------------------------------------------------------
def test_console_pages_list_and_edit_through_the_services(world, login):
    from django.urls import reverse

    kefu, caiwu = login("kefu"), login("caiwu")
    page = kefu.get(reverse("workorders:categories"), {"project": world.project1.pk, "kind": "complaint"})
    assert page.status_code == 200 and "收费问题" in page.content.decode()
    assert caiwu.get(reverse("workorders:categories")).status_code == 200  # reads, may not edit
    assert caiwu.get(reverse("workorders:category_new")).status_code == 403
    assert caiwu.post(reverse("workorders:category_new"), {"project": world.project1.pk, "kind": "complaint",
                                                            "code": "x", "name": "x"}).status_code == 403

    refused = kefu.post(reverse("workorders:category_new"), {
        "project": world.project1.pk, "kind": "complaint", "code": "fees", "name": "重复"})
    assert refused.status_code == 422 and Category.objects.filter(name="重复").count() == 0
    saved = kefu.post(reverse("workorders:category_new"), {
        "project": world.project1.pk, "kind": "complaint", "code": "parking", "name": "停车管理",
        "responsible_role": "security", "is_active": "on"})
    assert saved.status_code == 302, saved.content.decode()[:2000]
    created = Category.objects.get(project=world.project1, code="parking")
    assert created.responsible_role == "security"
    edited = kefu.post(reverse("workorders:category_edit", args=[created.pk]), {
        "code": "parking", "name": "停车", "responsible_role": "security"})  # unchecked: deactivated
    assert edited.status_code == 302
    created.refresh_from_db()
    assert (created.name, created.is_active) == ("停车", False)
    assert events("catalogue.category_changed")[0].data["changes"] == {"name": ["停车管理", "停车"],
                                                                        "is_active": [True, False]}
    kefu2 = login("kefu2")
    assert kefu2.get(reverse("workorders:category_edit", args=[created.pk])).status_code == 404


def test_console_price_import_lists_bad_rows_and_writes_nothing(world, login):
    from django.urls import reverse

    gongcheng = login("gongcheng")
    page = gongcheng.get(reverse("workorders:price_list"), {"project": world.project1.pk})
    assert page.status_code == 200 and "水龙头（含安装）" in page.content.decode()
    export = gongcheng.get(reverse("workorders:price_list"), {"project": world.project1.pk, "format": "xlsx"})
    assert export.status_code == 200 and export.content.startswith(b"PK")
    answer = gongcheng.post(reverse("workorders:price_list_import"), {
        "project": world.project1.pk, "file": _sheet([("tap", "水龙头", "个", "9.999", "否", "是")])})
    assert answer.status_code == 422
    assert 'data-row="2"' in answer.content.decode()
    assert PriceItem.objects.get(project=world.project1, code="tap").price == Decimal("45.00")
    done = gongcheng.post(reverse("workorders:price_list_import"), {
        "project": world.project1.pk, "file": _sheet([("tap", "水龙头", "个", "9.90", "否", "是")])})
    assert done.status_code == 302
    assert PriceItem.objects.get(project=world.project1, code="tap").price == Decimal("9.90")
    assert login("kefu").post(reverse("workorders:price_list_import"), {
        "project": world.project1.pk, "file": _sheet([])}).status_code == 403


def test_kefu2_reaches_none_of_project_1_s_catalogue(world, api):
    """The scope of every catalogue route (tests/api/test_scope.py's CATALOGUE_ROUTES point here)."""
    kefu2 = api("kefu2")
    term = catalogue.create_warranty_term(actor_for(world.user("admin")), world.project1, category=Category.objects.get(
        project=world.project1, code="plumbing"), until=date(2028, 1, 1), contractor="某公司")
    patch = {"content_type": "application/json", **kefu2.headers}
    assert kefu2.client.patch(f"/api/v1/warranty-terms/{term.pk}", {"contractor": "别家"}, **patch).status_code == 404
    assert kefu2.get("/api/v1/price-list.xlsx", project=world.project1.pk).status_code == 404
    answer = kefu2.client.post("/api/v1/price-list/import", {"project_id": world.project1.pk, "file": _sheet([])},
                               **kefu2.headers)
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "project_id"
    for route, body in (("/api/v1/price-list", {"code": "x", "name": "x", "price": "1"}),
                        ("/api/v1/warranty-terms", {"category_id": term.category_id, "until": "2028-01-01",
                                                    "contractor": "x"})):
        answer = kefu2.post(route, {"project_id": world.project1.pk, **body})
        assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "project_id"
    assert WarrantyTerm.objects.get(pk=term.pk).contractor == "某公司"
    assert not Event.objects.filter(verb__startswith="catalogue.", actor=world.user("kefu2")).exists()


def test_a_patch_that_empties_a_required_value_names_the_field(world, api):
    gongcheng = api("gongcheng")
    item = PriceItem.objects.get(project=world.project1, code="tap")
    headers = {"content_type": "application/json", **gongcheng.headers}
    for body, field in (({"is_active": None}, "is_active"), ({"price": None}, "price"), ({"name": None}, "name"),
                        ({"unit_name": ""}, "unit_name")):
        answer = gongcheng.client.patch(f"/api/v1/price-list/{item.pk}", body, **headers)
        assert answer.status_code == 422, (body, answer.content)
        assert answer.json()["errors"][0]["field"] == field
    item.refresh_from_db()
    assert (item.price, item.is_active, item.name) == (Decimal("45.00"), True, "水龙头（含安装）")


def test_a_price_list_beyond_its_bound_is_refused_whole(world):
    from wuye.core.errors import InvalidInput

    rows = [(f"item-{n}", f"项目{n}", "个", "1.00", "否", "是") for n in range(catalogue.MAX_PRICE_ROWS + 1)]
    with pytest.raises(InvalidInput) as refused:
        catalogue.import_price_list(actor_for(world.user("gongcheng")), world.project1, _sheet(rows))
    assert refused.value.problems[0].field == "file"
    assert not PriceItem.objects.filter(code="item-0").exists()
