"""Master data in the console (基础资料) and in Excel: the pages list and create through the same services as the
API, and an import with bad rows reports each by row and column with nothing written."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from wuye.billing import master_io
from wuye.billing.models import ChargeItem, Meter, ParkingSpace, Tariff
from wuye.core.errors import InvalidInput
from wuye.core.models import Event
from wuye.people.access import actor_for
from wuye.tenancy.models import Unit


def xlsx(rows) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("list.xlsx", buffer.getvalue())


def finance(world):
    return actor_for(world.user("caiwu"))


def test_the_master_data_tab_lists_and_creates_charge_items_with_tariffs(world, login):
    caiwu = login("caiwu")
    page = caiwu.get(reverse("billing:master_items"))
    assert page.status_code == 200
    text = page.content.decode()
    assert 'href="/console/billing/master/"' in text and 'class="current"' in text
    created = caiwu.post(reverse("billing:master_items"), {"project": world.project1.pk, "code": "water-2",
                                                           "name": "二次供水费", "kind": "metered",
                                                           "meter_kind": "water"})
    assert created.status_code == 302
    item = ChargeItem.objects.get(code="water-2")
    # Next year's price and last year's, whenever the test runs (the list shows the price in force today).
    today = timezone.localdate()
    next_year, last_year = date(today.year + 1, 1, 1), date(today.year - 1, 1, 1)
    bad = caiwu.post(reverse("billing:master_item", args=[item.pk]), {
        "form": "tariff", "basis": "per_consumption", "rate": "-1", "effective_from": next_year})
    assert bad.status_code == 422 and not Tariff.objects.exists()
    added = caiwu.post(reverse("billing:master_item", args=[item.pk]), {
        "form": "tariff", "basis": "per_consumption", "rate": "4.80", "effective_from": next_year})
    assert added.status_code == 302 and Tariff.objects.get(item=item).rate == Decimal("4.80")
    caiwu.post(reverse("billing:master_item", args=[item.pk]), {
        "form": "tariff", "basis": "per_consumption", "rate": "4.20", "effective_from": last_year})
    listing = caiwu.get(reverse("billing:master_items"), {"q": "water-2"}).content.decode()
    assert "4.20" in listing and "4.80" not in listing  # the price in force today, not next year's
    renamed = caiwu.post(reverse("billing:master_item", args=[item.pk]), {"form": "record", "name": "二次供水",
                                                                           "is_active": "on"})
    assert renamed.status_code == 302
    detail = caiwu.get(reverse("billing:master_item", args=[item.pk])).content.decode()
    assert "二次供水 (water-2)" in detail and "4.80" in detail
    assert [event.verb for event in Event.objects.filter(subject_id=item.pk, verb__startswith="billing.")
            .order_by("id")] == ["billing.charge_item_created", "billing.tariff_added", "billing.tariff_added",
                                 "billing.charge_item_changed"]
    # Engineering neither reads the books nor writes them; kefu2 cannot open project 1's item.
    assert login("gongcheng").get(reverse("billing:master_items")).status_code == 403
    assert login("kefu2").get(reverse("billing:master_item", args=[item.pk])).status_code == 404
    # Customer service reads the list but has no form, and a post is refused.
    kefu = login("kefu")
    assert kefu.get(reverse("billing:master_items")).status_code == 200
    assert kefu.post(reverse("billing:master_items"), {"project": world.project1.pk, "code": "x", "name": "x",
                                                       "kind": "one_off"}).status_code == 403


def test_meters_spaces_and_passes_pages(world, login):
    caiwu = login("caiwu")
    unit = world.owner_unit("yezhu")
    response = caiwu.post(reverse("billing:master_meters"), {"project": world.project1.pk, "code": "W-77",
                                                             "kind": "water", "unit": unit.label})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Meter.objects.get(code="W-77").unit == unit
    unknown = caiwu.post(reverse("billing:master_meters"), {"project": world.project1.pk, "code": "W-78",
                                                            "kind": "water", "unit": "99-9999"})
    assert unknown.status_code == 422 and not Meter.objects.filter(code="W-78").exists()
    space = caiwu.post(reverse("billing:master_spaces"), {"project": world.project1.pk, "code": "B2-010",
                                                          "zone": "地下二层", "kind": "owned", "unit": unit.label})
    assert space.status_code == 302
    item = ChargeItem.objects.create(project=world.project1, code="parking-pass", name="月卡", kind="parking_pass")
    issued = caiwu.post(reverse("billing:master_passes"), {
        "project": world.project1.pk, "unit": unit.label, "item": item.pk, "plate": "沪A12345", "space": "B2-010",
        "starts_on": "2026-12-01"})
    assert issued.status_code == 302
    for name in ("billing:master_meters", "billing:master_spaces", "billing:master_passes"):
        assert caiwu.get(reverse(name)).status_code == 200
    space = ParkingSpace.objects.get()
    off = caiwu.post(reverse("billing:master_space", args=[space.pk]), {"zone": "地下二层", "kind": "owned",
                                                                        "unit": unit.label})
    assert off.status_code == 302 and ParkingSpace.objects.get().is_active is False
    page = caiwu.get(reverse("billing:master_space", args=[space.pk])).content.decode()
    assert "是 → 否" in page or "yes → no" in page  # the history says what changed


CHARGE_HEADER = ["编码", "名称", "类型", "表类型", "分摊方式", "计费方式", "单价", "单元类型", "生效日期", "在用"]


def test_an_import_with_bad_rows_reports_row_and_column_and_writes_nothing(world):
    rows = [CHARGE_HEADER,
            ["property-fee-x", "物业费", "物业费", None, None, "按面积每月", 2.35, None, "2027-01-01", "是"],
            ["water-x", "水费", "抄表计量", "水", None, "按用量", "4.555", None, "2027-01-01", None],
            ["shared-x", "公摊电费", "公摊", "电", None, "按用量", 0.62, None, "2027-01-01", None],
            ["bad code!", "x", "一次性收费", None, None, None, None, None, None, None],
            ["deposit-x", "装修保证金", "押金", None, None, None, None, None, None, None]]
    report = master_io.import_charge_items(finance(world), world.project1, xlsx(rows))
    assert [(error.row, error.column) for error in report.errors] == [
        (3, "单价"), (4, "分摊方式"), (5, "编码"), (6, "类型")]
    assert report.created == report.updated == 0
    assert not ChargeItem.objects.filter(code__endswith="-x").exists() and not Tariff.objects.exists()
    assert not Event.objects.filter(verb__startswith="billing.charge_item").exists()


def test_an_import_creates_then_a_reupload_changes_nothing_and_an_export_round_trips(world):
    rows = [CHARGE_HEADER,
            ["property-fee-x", "物业费", "物业费", None, None, "按面积每月", 2.35, None, "2027-01-01", "是"],
            ["property-fee-x", "物业费", "物业费", None, None, "按户每月", 60, "车位", "2027-01-01", "是"],
            ["water-x", "水费", "抄表计量", "水", None, "按用量", 4.5, None, date(2027, 1, 1), None]]
    report = master_io.import_charge_items(finance(world), world.project1, xlsx(rows))
    assert report.ok and (report.created, report.updated, report.skipped) == (2, 1, 0), report.errors
    assert Tariff.objects.filter(item__code="property-fee-x").count() == 2
    again = master_io.import_charge_items(finance(world), world.project1, xlsx(rows))
    assert again.ok and (again.created, again.updated, again.skipped) == (0, 0, 3)
    events = Event.objects.filter(verb__startswith="billing.").count()
    exported = load_workbook(io.BytesIO(master_io.export_charge_items(world.project1)))
    sheet_rows = [list(row) for row in exported.active.iter_rows(values_only=True)]
    assert sheet_rows[0] == CHARGE_HEADER
    back = master_io.import_charge_items(finance(world), world.project1, xlsx(sheet_rows))
    assert back.ok and back.created == back.updated == 0 and Event.objects.filter(
        verb__startswith="billing.").count() == events


def test_meter_and_parking_imports_check_units_of_the_project(world):
    unit = Unit.objects.filter(project=world.project1).order_by("id").first()
    foreign = Unit.objects.filter(project=world.project2).exclude(number=unit.number).order_by("id").first()
    meters = [["表号", "类型", "房号", "楼栋", "名称", "在用"],
              ["W-A1", "水", unit.label, None, None, None],
              ["E-PUB-A", "电", None, unit.building.number, "电梯", "是"],
              ["W-A2", "煤气", None, None, None, None],
              ["W-A3", "水", f"{foreign.building.number}-{foreign.number}9", None, None, None]]
    report = master_io.import_meters(finance(world), world.project1, xlsx(meters))
    assert [(error.row, error.column) for error in report.errors] == [(4, "类型"), (5, "房号")]
    assert not Meter.objects.filter(code__startswith="W-A").exists()
    report = master_io.import_meters(finance(world), world.project1, xlsx(meters[:3]))
    assert report.ok and report.created == 2 and Meter.objects.get(code="W-A1").unit == unit
    assert Meter.objects.get(code="E-PUB-A").building == unit.building

    spaces = [["车位号", "区域", "类型", "房号", "在用"],
              ["B1-001", "B区", "产权", unit.label, None],
              ["B1-001", "B区", "租赁", None, None],  # the same number twice in the file: the second is refused
              ["T-01", "地面", "临停", unit.label, None]]
    report = master_io.import_parking_spaces(finance(world), world.project1, xlsx(spaces))
    assert [(error.row, error.column) for error in report.errors] == [(4, "房号")]
    assert not ParkingSpace.objects.exists()
    report = master_io.import_parking_spaces(finance(world), world.project1, xlsx(spaces[:3]))
    assert report.ok and (report.created, report.updated) == (1, 1)
    assert ParkingSpace.objects.get().kind == "rented"


def test_an_import_is_bounded_before_parsing_and_needs_the_right_role(world, settings):
    from wuye.core.errors import NotAllowed

    with pytest.raises(InvalidInput) as refused:
        master_io.import_meters(finance(world), world.project1, SimpleUploadedFile("x.xlsx", b"not a workbook"))
    assert refused.value.problems[0].field == "file"
    with pytest.raises(NotAllowed):
        master_io.import_meters(actor_for(world.user("gongcheng")), world.project1,
                                xlsx([["表号", "类型"], ["W-1", "水"]]))
    assert not Meter.objects.exists()


def test_the_import_page_shows_the_report(world, login):
    caiwu = login("caiwu")
    upload = xlsx([["车位号", "区域", "类型", "房号", "在用"], ["B1-001", "B区", "免费", None, None]])
    response = caiwu.post(reverse("billing:master_import", args=["parking-spaces"]),
                          {"project": world.project1.pk, "file": upload})
    assert response.status_code == 422
    text = response.content.decode()
    assert 'id="import-errors"' in text and "类型" in text and not ParkingSpace.objects.exists()
    export = caiwu.get(reverse("billing:master_export_spaces"), {"project": world.project1.pk})
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")
    assert login("kefu2").get(reverse("billing:master_export_spaces"), {"project": world.project1.pk}
                              ).status_code == 404
