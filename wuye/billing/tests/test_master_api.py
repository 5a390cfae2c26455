"""Master data of fees through the API: charge items, tariffs with effective dates, meters, parking spaces and
passes — who may write them, what is refused (naming the field), and that every change is on record."""

import json
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from wuye.billing.master import install_default_charge_items
from wuye.billing.models import Bill, ChargeItem, Meter, ParkingPass, ParkingSpace, Tariff
from wuye.billing.runs import run_billing
from wuye.core.models import Event
from wuye.tenancy.models import Unit


def patch(client, path, data):
    return client.client.patch(path, json.dumps(data), content_type="application/json", **client.headers)


def fields(response):
    return [error["field"] for error in response.json()["errors"]]


def events(verb):
    return list(Event.objects.filter(verb=verb).order_by("id"))


@pytest.fixture
def item(world, api):
    response = api("caiwu").post("/api/v1/charge-items", {
        "project_id": world.project1.pk, "code": "fee-2027", "name": "物业服务费", "kind": "property_fee"})
    assert response.status_code == 201, response.content
    return ChargeItem.objects.get(pk=response.json()["id"])


def test_finance_creates_a_charge_item_on_record_and_codes_are_unique_per_project(world, api, item):
    caiwu = api("caiwu")
    [created] = events("billing.charge_item_created")
    assert created.subject_id == item.pk and created.actor.username == "caiwu"
    assert created.data == {"code": "fee-2027", "name": "物业服务费", "kind": "property_fee"}
    again = caiwu.post("/api/v1/charge-items", {"project_id": world.project1.pk, "code": "fee-2027", "name": "x",
                                                "kind": "property_fee"})
    assert again.status_code == 422 and fields(again) == ["code"]
    # The same code in another project is another item (the administrator keeps both projects).
    other = api("admin").post("/api/v1/charge-items", {"project_id": world.project2.pk, "code": "fee-2027",
                                                       "name": "物业服务费", "kind": "property_fee"})
    assert other.status_code == 201
    metered = caiwu.post("/api/v1/charge-items", {"project_id": world.project1.pk, "code": "gas", "name": "燃气费",
                                                  "kind": "metered"})
    assert metered.status_code == 422 and fields(metered) == ["meter_kind"]
    renamed = patch(caiwu, f"/api/v1/charge-items/{item.pk}", {"name": "物业费（2027）", "is_active": False})
    assert renamed.status_code == 200 and renamed.json()["is_active"] is False
    [changed] = events("billing.charge_item_changed")
    assert changed.data["changed"] == {"name": ["物业服务费", "物业费（2027）"], "is_active": [True, False]}
    listed = caiwu.get("/api/v1/charge-items", project=world.project1.pk, active=False).json()["items"]
    assert [row["code"] for row in listed] == ["fee-2027"]


@pytest.mark.parametrize(("body", "field"), [
    ({"rate": "2.355"}, "rate"),  # fen precision
    ({"rate": "-1"}, "rate"),
    ({"effective_from": "1900-01-01"}, "effective_from"),  # outside the date window
    ({"basis": "per_week"}, "basis"),
    ({"unit_kind": "villa"}, "unit_kind"),
])
def test_bad_tariffs_are_refused_naming_the_field(world, api, item, body, field):
    payload = {"item_id": item.pk, "basis": "per_m2_month", "rate": "2.35", "effective_from": "2026-01-01", **body}
    response = api("caiwu").post("/api/v1/tariffs", payload)
    assert response.status_code == 422 and field in fields(response), response.content
    assert not Tariff.objects.exists() and not events("billing.tariff_added")


def test_engineering_cannot_edit_tariffs_and_kefu2_cannot_reach_project_1(world, api, item):
    tariff = Tariff.objects.create(item=item, basis="per_m2_month", rate=Decimal("2.35"),
                                   effective_from=date(2027, 1, 1))
    gongcheng = api("gongcheng")
    assert gongcheng.post("/api/v1/tariffs", {"item_id": item.pk, "basis": "per_m2_month", "rate": "9.00",
                                              "effective_from": "2027-02-01"}).status_code == 403
    assert patch(gongcheng, f"/api/v1/tariffs/{tariff.pk}", {"rate": "9.00"}).status_code == 403
    assert patch(gongcheng, f"/api/v1/charge-items/{item.pk}", {"name": "x"}).status_code == 403
    assert gongcheng.get("/api/v1/tariffs").status_code == 403  # engineering does not read the books
    kefu2 = api("kefu2")
    assert patch(kefu2, f"/api/v1/tariffs/{tariff.pk}", {"rate": "9.00"}).status_code == 404
    assert patch(kefu2, f"/api/v1/charge-items/{item.pk}", {"name": "x"}).status_code == 404
    foreign = kefu2.post("/api/v1/tariffs", {"item_id": item.pk, "basis": "per_m2_month", "rate": "9.00",
                                             "effective_from": "2027-02-01"})
    assert foreign.status_code == 422 and fields(foreign) == ["item_id"]
    assert kefu2.get("/api/v1/tariffs", project=world.project1.pk).json()["count"] == 0
    assert kefu2.get("/api/v1/charge-items", project=world.project1.pk).json()["count"] == 0
    assert Tariff.objects.get().rate == Decimal("2.35") and Tariff.objects.count() == 1
    assert not Event.objects.filter(verb__startswith="billing.tariff").exists()


def test_a_tariff_changed_from_december_bills_december_at_the_new_price_and_leaves_november(world, api, item):
    caiwu = api("caiwu")
    first = caiwu.post("/api/v1/tariffs", {"item_id": item.pk, "basis": "per_m2_month", "rate": "2.35",
                                           "effective_from": "2026-01-01"})
    assert first.status_code == 201 and first.json()["billed"] is False
    november = run_billing(None, world.project1, date(2026, 11, 1),
                           now=timezone.make_aware(datetime(2026, 11, 1, 9)))
    unit = Unit.objects.filter(project=world.project1).exclude(area=0).order_by("id").first()
    november_bills = {bill.pk: bill.amount for bill in Bill.objects.filter(run=november)}
    assert Bill.objects.get(run=november, unit=unit).amount == (unit.area * Decimal("2.35")).quantize(Decimal("0.01"))

    # The billed tariff is history: editing it is a 409, and a price from a billed month is refused.
    assert patch(caiwu, f"/api/v1/tariffs/{first.json()['id']}", {"rate": "2.60"}).status_code == 409
    late = caiwu.post("/api/v1/tariffs", {"item_id": item.pk, "basis": "per_m2_month", "rate": "2.60",
                                          "effective_from": "2026-11-01"})
    assert late.status_code == 422 and fields(late) == ["effective_from"]

    change = caiwu.post("/api/v1/tariffs", {"item_id": item.pk, "basis": "per_m2_month", "rate": "2.60",
                                            "effective_from": "2026-12-01"})
    assert change.status_code == 201
    [_first, added] = events("billing.tariff_added")
    assert added.data == {"code": "fee-2027", "rate": "2.60", "basis": "per_m2_month", "unit_kind": "",
                          "effective_from": "2026-12-01"}
    december = run_billing(None, world.project1, date(2026, 12, 1),
                           now=timezone.make_aware(datetime(2026, 12, 1, 9)))
    assert Bill.objects.get(run=december, unit=unit).amount == (unit.area * Decimal("2.60")).quantize(Decimal("0.01"))
    # November's bills are untouched, and running November again bills nothing new at either price.
    run_billing(None, world.project1, date(2026, 11, 1), now=timezone.make_aware(datetime(2026, 12, 2, 9)))
    assert {bill.pk: bill.amount for bill in Bill.objects.filter(run=november)} == november_bills
    assert Bill.objects.filter(period=date(2026, 11, 1)).count() == len(november_bills)
    listed = caiwu.get("/api/v1/tariffs", item=item.pk).json()["items"]
    assert {row["effective_from"]: row["billed"] for row in listed} == {"2026-01-01": True, "2026-12-01": True}


def test_an_unbilled_tariff_can_be_corrected_on_record(world, api, item):
    tariff = Tariff.objects.create(item=item, basis="per_m2_month", rate=Decimal("2.35"),
                                   effective_from=date(2027, 1, 1))
    response = patch(api("jingli"), f"/api/v1/tariffs/{tariff.pk}", {"rate": "2.53"})
    assert response.status_code == 200 and Decimal(response.json()["rate"]) == Decimal("2.53")
    [changed] = events("billing.tariff_changed")
    assert changed.data["changed"] == {"rate": ["2.35", "2.53"]} and changed.actor.username == "jingli"


def test_meters_are_created_for_a_unit_of_the_same_project(world, api):
    caiwu = api("caiwu")
    unit = Unit.objects.filter(project=world.project1).first()
    response = caiwu.post("/api/v1/meters", {"project_id": world.project1.pk, "code": "W-9001", "kind": "water",
                                             "unit_id": unit.pk})
    assert response.status_code == 201 and response.json()["unit_id"] == unit.pk
    public = caiwu.post("/api/v1/meters", {"project_id": world.project1.pk, "code": "E-PUB-1",
                                           "kind": "electricity", "building_id": unit.building_id,
                                           "label": "1号楼电梯"})
    assert public.status_code == 201 and public.json()["is_public"] is True
    taken = caiwu.post("/api/v1/meters", {"project_id": world.project1.pk, "code": "W-9001", "kind": "water"})
    assert taken.status_code == 422 and fields(taken) == ["code"]
    # A unit of project 2: out of finance's sight (422 unit_id), and for the administrator who sees both, still
    # not a unit of project 1.
    foreign_unit = Unit.objects.filter(project=world.project2).first()
    for username in ("caiwu", "admin"):
        wrong = api(username).post("/api/v1/meters", {"project_id": world.project1.pk, "code": "W-9002",
                                                      "kind": "water", "unit_id": foreign_unit.pk})
        assert wrong.status_code == 422 and fields(wrong) == ["unit_id"], (username, wrong.content)
    assert api("gongcheng").post("/api/v1/meters", {"project_id": world.project1.pk, "code": "W-9003",
                                                     "kind": "water"}).status_code == 403
    meter = Meter.objects.get(code="W-9001")
    assert patch(api("kefu2"), f"/api/v1/meters/{meter.pk}", {"is_active": False}).status_code == 404
    off = patch(caiwu, f"/api/v1/meters/{meter.pk}", {"is_active": False})
    assert off.status_code == 200 and off.json()["is_active"] is False
    assert [event.verb for event in Event.objects.filter(verb__startswith="billing.meter_").order_by("id")] == [
        "billing.meter_created", "billing.meter_created", "billing.meter_changed"]
    assert Meter.objects.count() == 2


def test_parking_spaces_and_passes(world, api):
    caiwu = api("caiwu")
    unit = world.owner_unit("yezhu")
    space = caiwu.post("/api/v1/parking/spaces", {"project_id": world.project1.pk, "code": "B1-001",
                                                  "zone": "地下一层B区", "kind": "rented", "unit_id": unit.pk})
    assert space.status_code == 201, space.content
    temporary = caiwu.post("/api/v1/parking/spaces", {"project_id": world.project1.pk, "code": "T-01",
                                                      "kind": "temporary", "unit_id": unit.pk})
    assert temporary.status_code == 422 and fields(temporary) == ["unit_id"]
    wrong_kind = caiwu.post("/api/v1/parking/spaces", {"project_id": world.project1.pk, "code": "T-01",
                                                       "kind": "free"})
    assert wrong_kind.status_code == 422 and fields(wrong_kind) == ["kind"]
    item = ChargeItem.objects.create(project=world.project1, code="parking-pass", name="机动车月卡",
                                     kind="parking_pass")
    fee = ChargeItem.objects.create(project=world.project1, code="property-fee", name="物业费", kind="property_fee")
    body = {"project_id": world.project1.pk, "unit_id": unit.pk, "item_id": item.pk, "plate": "沪a12345",
            "starts_on": "2026-11-01", "space_id": space.json()["id"]}
    bad = caiwu.post("/api/v1/parking/passes", {**body, "item_id": fee.pk, "plate": "ABC"})
    assert bad.status_code == 422 and set(fields(bad)) == {"item_id", "plate"}
    created = caiwu.post("/api/v1/parking/passes", body)
    assert created.status_code == 201, created.content
    assert created.json()["plate"] == "沪A12345" and created.json()["space"] == "B1-001"
    parking_pass = ParkingPass.objects.get()
    ended = patch(caiwu, f"/api/v1/parking/passes/{parking_pass.pk}", {"ends_on": "2026-12-31"})
    assert ended.status_code == 200 and ended.json()["ends_on"] == "2026-12-31"
    before_start = patch(caiwu, f"/api/v1/parking/passes/{parking_pass.pk}", {"ends_on": "2026-10-01"})
    assert before_start.status_code == 422 and fields(before_start) == ["ends_on"]
    off = patch(caiwu, f"/api/v1/parking/spaces/{parking_pass.parking_space_id}",
                {"is_active": False, "unit_id": None})
    assert off.status_code == 200 and ParkingSpace.objects.get().is_active is False
    # The change names the unit as staff say it, not by its id.
    assert Event.objects.get(verb="billing.parking_space_changed").data["changed"] == {
        "unit": [unit.label, ""], "is_active": [True, False]}
    assert patch(api("kefu2"), f"/api/v1/parking/spaces/{parking_pass.parking_space_id}",
                 {"is_active": True}).status_code == 404
    assert patch(api("kefu2"), f"/api/v1/parking/passes/{parking_pass.pk}", {"plate": "沪B12345"}).status_code == 404
    assert api("gongcheng").post("/api/v1/parking/spaces", {"project_id": world.project1.pk, "code": "B1-002",
                                                             "kind": "owned"}).status_code == 403
    assert [row["code"] for row in caiwu.get("/api/v1/parking/spaces").json()["items"]] == ["B1-001"]
    assert api("kefu2").get("/api/v1/parking/passes").json()["count"] == 0
    assert api("yezhu").get("/api/v1/parking/passes").status_code == 403
    verbs = [event.verb for event in Event.objects.filter(verb__startswith="billing.parking").order_by("id")]
    assert verbs == ["billing.parking_space_created", "billing.parking_pass_created", "billing.parking_pass_changed",
                     "billing.parking_space_changed"]
    # The pass is billed by the run for its month (the register and the billing agree).
    Tariff.objects.create(item=item, basis="per_unit_month", rate=Decimal("300"), effective_from=date(2026, 1, 1))
    run_billing(None, world.project1, date(2026, 11, 1), now=timezone.make_aware(datetime(2026, 11, 1, 9)))
    assert Bill.objects.get(item=item).amount == Decimal("300.00")


def test_default_charge_items_are_installed_once(world):
    from wuye.billing.services import install_default_charge_items as from_services

    ChargeItem.objects.filter(project=world.project2).delete()
    items = install_default_charge_items(world.project2)
    again = from_services(world.project2)
    assert [item.pk for item in items] == [item.pk for item in again]
    assert {item.kind for item in items} == {"property_fee", "parking_pass", "parking_temporary", "metered",
                                             "shared_utility", "paid_service", "one_off"}
    assert {item.meter_kind for item in items if item.kind == "metered"} == {"water", "electricity"}
    assert Event.objects.filter(verb="billing.charge_item_created", project_id=world.project2.pk).count() == len(items)
    from wuye.billing.charges import paid_service_item

    assert paid_service_item(world.project2.pk).code == "paid-service"


def _xlsx(rows):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("list.xlsx", buffer.getvalue())


def upload(client, path, project, rows):
    return client.client.post(path, {"project_id": project.pk, "file": _xlsx(rows)}, **client.headers)


def test_lists_import_and_export_through_the_api_all_or_nothing(world, api):
    caiwu = api("caiwu")
    unit = Unit.objects.filter(project=world.project1).order_by("id").first()
    header = ["车位号", "区域", "类型", "房号", "在用"]
    bad = upload(caiwu, "/api/v1/parking/spaces/import", world.project1,
                 [header, ["B1-001", "B区", "产权", unit.label, None], ["B1-002", "B区", "免费", None, "也许"]])
    assert bad.status_code == 422 and fields(bad) == ["row 3: 类型"], bad.content
    assert not ParkingSpace.objects.exists() and not events("billing.parking_space_created")
    good = upload(caiwu, "/api/v1/parking/spaces/import", world.project1,
                  [header, ["B1-001", "B区", "产权", unit.label, None], ["B1-002", "B区", "临停", None, "否"]])
    assert good.status_code == 200 and (good.json()["created"], good.json()["skipped"]) == (2, 0), good.content
    again = upload(caiwu, "/api/v1/parking/spaces/import", world.project1,
                   [header, ["B1-001", "B区", "产权", unit.label, None], ["B1-002", "B区", "临停", None, "否"]])
    assert (again.json()["created"], again.json()["skipped"]) == (0, 2)
    exported = caiwu.get("/api/v1/parking/spaces.xlsx", project=world.project1.pk)
    assert exported.status_code == 200 and exported.content.startswith(b"PK")
    meters = upload(caiwu, "/api/v1/meters/import", world.project1,
                    [["表号", "类型", "房号", "楼栋", "名称", "在用"], ["W-1", "水", unit.label, None, None, None]])
    assert meters.status_code == 200 and Meter.objects.get(code="W-1").unit == unit
    items = upload(caiwu, "/api/v1/charge-items/import", world.project1,
                   [["编码", "名称", "类型", "计费方式", "单价", "生效日期"],
                    ["fee-x", "物业费", "物业费", "按面积每月", "2.3", "2027-01-01"]])
    assert items.status_code == 200 and Tariff.objects.get(item__code="fee-x").rate == Decimal("2.30")
    assert caiwu.get("/api/v1/charge-items.xlsx", project=world.project1.pk).status_code == 200
    # Out of scope, out of role.
    kefu2 = api("kefu2")
    assert kefu2.get("/api/v1/meters.xlsx", project=world.project1.pk).status_code == 404
    foreign = upload(kefu2, "/api/v1/meters/import", world.project1,
                     [["表号", "类型"], ["W-2", "水"]])
    assert foreign.status_code == 422 and fields(foreign) == ["project_id"]
    assert upload(api("gongcheng"), "/api/v1/meters/import", world.project1,
                  [["表号", "类型"], ["W-2", "水"]]).status_code == 403
    assert not Meter.objects.filter(code="W-2").exists()
