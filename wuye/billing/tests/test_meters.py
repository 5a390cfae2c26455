"""Meter readings (抄表): order and value rules, consumption, anomaly flags, the all-or-nothing Excel import, the
reader's template, consumption for the billers, and who may read or record through the API."""

import io
import statistics
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from wuye.billing import meters
from wuye.billing.models import Meter, MeterReading
from wuye.core.errors import InvalidInput
from wuye.core.models import Event
from wuye.people.access import actor_for
from wuye.tenancy.models import Unit

TODAY = timezone.localdate()


def days_ago(n):
    return TODAY - timedelta(days=n)


def make_meter(project, unit=None, code="W-0001", kind="water", **fields):
    return Meter.objects.create(project=project, unit=unit, kind=kind, code=code,
                                building=unit.building if unit else fields.pop("building", None), **fields)


@pytest.fixture
def caiwu(world):
    return actor_for(world.user("caiwu"))


@pytest.fixture
def meter(world):
    return make_meter(world.project1, world.owner_unit("yezhu"))


def read(actor, meter, ago, value):
    return meters.record_reading(actor, meter, days_ago(ago), Decimal(value))


def xlsx(rows, header=("表号", "抄表日期", "读数", "备注")):
    book = Workbook()
    sheet = book.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("readings.xlsx", buffer.getvalue(), content_type=meters.XLSX)


# -- one reading ----------------------------------------------------------------------------------------------
def test_first_reading_has_no_consumption_and_the_next_has_the_difference(caiwu, meter):
    first = read(caiwu, meter, 60, "100.50")
    second = read(caiwu, meter, 30, "112.75")
    assert first.consumption is None and not first.anomaly
    assert second.consumption == second.value - first.value
    assert Event.objects.filter(verb="billing.meter_read", subject_id=meter.pk).count() == 2


def test_a_reading_lower_than_the_last_is_refused_naming_the_last(caiwu, meter):
    last = read(caiwu, meter, 30, "250.00")
    with pytest.raises(InvalidInput) as refused:
        read(caiwu, meter, 1, "249.99")
    problem = refused.value.problems[0]
    assert problem.field == "value"
    assert "250.00" in problem.message and last.read_on.isoformat() in problem.message
    assert list(meter.readings.all()) == [last]


@pytest.mark.parametrize("ago, value, field", [
    (-1, "10", "read_on"),  # tomorrow
    (30, "300", "read_on"),  # same day as the last
    (40, "300", "read_on"),  # before the last
    (1, "-1", "value"),
    (1, "300.123", "value"),
    (1, "abc", "value"),
])
def test_bad_dates_and_values_name_the_field_and_write_nothing(caiwu, meter, ago, value, field):
    read(caiwu, meter, 30, "200")
    with pytest.raises(InvalidInput) as refused:
        meters.record_reading(caiwu, meter, days_ago(ago), value)
    assert refused.value.problems[0].field == field
    assert meter.readings.count() == 1


def test_inactive_meter_and_roles_without_the_permission_are_refused(world, caiwu, meter):
    from wuye.core.errors import NotAllowed

    with pytest.raises(NotAllowed):
        meters.record_reading(actor_for(world.user("pinzhi")), meter, TODAY, 1)
    meter.is_active = False
    meter.save()
    with pytest.raises(InvalidInput) as refused:
        read(caiwu, meter, 0, "1")
    assert refused.value.problems[0].field == "meter"


def test_spike_is_flagged_with_the_figures_and_normal_use_is_not(caiwu, meter):
    earlier = [read(caiwu, meter, 180 - 30 * i, value) for i, value in enumerate(("0", "10", "22", "31", "41"))]
    daily = statistics.median(r.consumption / 30 for r in earlier[1:])
    usual = (daily * 30).quantize(Decimal("0.01"))
    normal = read(caiwu, meter, 30, str(earlier[-1].value + usual * 2))  # 2× in 30 days
    assert not normal.anomaly
    spike = read(caiwu, meter, 20, str(normal.value + usual * 4))  # a month's 4× in 10 days
    assert spike.anomaly == MeterReading.Anomaly.SPIKE
    daily_now = statistics.median(r.consumption / (r.read_on - p.read_on).days
                                  for p, r in zip([*earlier, normal][-6:], [*earlier, normal][-5:], strict=False))
    assert f"{spike.consumption:.2f}" in spike.anomaly_note
    assert f"{daily_now * 10:.2f}" in spike.anomaly_note  # the usual for this 10-day interval


def test_no_spike_judgement_before_three_intervals(caiwu, meter):
    read(caiwu, meter, 90, "0")
    read(caiwu, meter, 60, "10")
    third = read(caiwu, meter, 30, "20")
    huge = read(caiwu, meter, 1, "250")  # 23× the usual, yet within a water meter's bounds
    assert not third.anomaly and not huge.anomaly


def test_zero_consumption_is_flagged_on_unit_meters_only(world, caiwu, meter):
    read(caiwu, meter, 30, "5")
    flat = read(caiwu, meter, 1, "5")
    public = make_meter(world.project1, code="PUB-1", label="1号楼电梯", kind="electricity")
    read(caiwu, public, 30, "5")
    lift = read(caiwu, public, 1, "5")
    assert flat.anomaly == MeterReading.Anomaly.ZERO and not lift.anomaly


def test_consumption_between_sums_readings_in_the_window(caiwu, world, meter):
    other = make_meter(world.project1, code="W-0002")
    readings = [read(caiwu, meter, ago, value) for ago, value in ((90, "0"), (60, "12.5"), (30, "20"), (5, "31"))]
    read(caiwu, other, 50, "7")
    totals = meters.consumption_between([meter.pk, other.pk], days_ago(60), days_ago(5))
    assert totals[meter.pk] == sum(r.consumption for r in readings[1:])
    assert totals[other.pk] == 0  # read, but its first reading has nothing to compare with
    assert meters.consumption_between([meter.pk], days_ago(29), days_ago(6)) == {}


# -- the Excel import ---------------------------------------------------------------------------------------------
@pytest.fixture
def three_meters(world):
    units = list(Unit.objects.filter(project=world.project1).order_by("id")[:3])
    return [make_meter(world.project1, unit, code=f"W-{i:04d}") for i, unit in enumerate(units, start=1)]


def test_import_records_the_good_rows_and_reports_each_bad_one(caiwu, world, three_meters):
    first, second, third = three_meters
    read(caiwu, second, 40, "80")
    file = xlsx([
        (first.code, days_ago(10), 12.5, ""),  # row 2: good
        ("NO-SUCH", days_ago(10), 1, ""),  # row 3: unknown meter
        (second.code, days_ago(10), 79, ""),  # row 4: lower than the recorded 80
        (third.code, "2026-02-30", 5, ""),  # row 5: no such date
        (third.code, days_ago(9), -3, ""),  # row 6: negative
        (first.code, days_ago(5), 12, ""),  # row 7: lower than row 2 of the same file
    ])
    report = meters.import_readings(caiwu, world.project1, file)
    assert [(e.row, e.column) for e in report.errors] == [
        (3, "表号"), (4, "读数"), (5, "抄表日期"), (6, "读数"), (7, "读数")]
    assert "80.00" in report.errors[1].message
    assert report.created == 1
    assert MeterReading.objects.get(meter=first).value == Decimal("12.50")
    assert MeterReading.objects.count() == 2


def test_clean_import_creates_readings_and_a_second_upload_skips_them(caiwu, world, three_meters):
    rows = [(m.code, days_ago(20), 10 * i, "") for i, m in enumerate(three_meters, start=1)]
    rows += [(three_meters[0].code, days_ago(10).isoformat(), "15.50", "门口表")]
    report = meters.import_readings(caiwu, world.project1, xlsx(rows))
    assert (report.created, report.skipped, report.errors) == (len(rows), 0, [])
    assert MeterReading.objects.filter(source="import").count() == len(rows)
    follow_up = MeterReading.objects.get(meter=three_meters[0], read_on=days_ago(10))
    assert follow_up.consumption == Decimal("15.50") - 10
    again = meters.import_readings(caiwu, world.project1, xlsx(rows))
    assert (again.created, again.skipped, again.errors) == (0, len(rows), [])
    assert MeterReading.objects.count() == len(rows)


def test_import_refuses_a_file_that_is_not_a_workbook_or_lacks_a_column(caiwu, world):
    with pytest.raises(InvalidInput) as not_xlsx:
        meters.import_readings(caiwu, world.project1, SimpleUploadedFile("a.csv", b"x,y\n1,2\n"))
    assert not_xlsx.value.problems[0].field == "file"
    with pytest.raises(InvalidInput) as no_header:
        meters.import_readings(caiwu, world.project1, xlsx([("W-1", TODAY, 1)], header=("表号", "日期", "读数")))
    assert no_header.value.problems[0].field == "file" and "抄表日期" in no_header.value.problems[0].message


def test_import_limits_the_rows(caiwu, world, three_meters, monkeypatch):
    monkeypatch.setattr(meters, "MAX_ROWS", 2)
    with pytest.raises(InvalidInput) as refused:
        meters.import_readings(caiwu, world.project1, xlsx([(three_meters[0].code, TODAY, i) for i in range(3)]))
    assert refused.value.problems[0].field == "file"


def test_template_lists_the_projects_active_meters_with_their_last_reading(caiwu, world, three_meters):
    last = read(caiwu, three_meters[0], 3, "42.5")
    three_meters[2].is_active = False
    three_meters[2].save()
    make_meter(world.project2, code="P2-0001")
    sheet = load_workbook(io.BytesIO(meters.reading_template(world.project1))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:1] == ("表号",) and {"抄表日期", "读数"} <= set(rows[0])
    assert [row[0] for row in rows[1:]] == [m.code for m in three_meters[:2]]
    assert rows[1][3].date() == last.read_on and Decimal(str(rows[1][4])) == last.value
    # The filled-in template imports as it is.
    date_col, value_col = rows[0].index("抄表日期"), rows[0].index("读数")
    sheet.cell(2, date_col + 1, TODAY)
    sheet.cell(2, value_col + 1, 50)
    buffer = io.BytesIO()
    sheet.parent.save(buffer)
    report = meters.import_readings(caiwu, world.project1, SimpleUploadedFile("t.xlsx", buffer.getvalue()))
    assert (report.created, report.unfilled, report.errors) == (1, 1, [])  # the unread meter is passed over


# -- the API ------------------------------------------------------------------------------------------------------
def test_api_records_a_reading_and_refuses_a_lower_one(api, caiwu, meter):
    client = api("gongcheng")
    first = client.post(f"/api/v1/meters/{meter.pk}/readings", {"read_on": days_ago(30).isoformat(), "value": "88"})
    assert first.status_code == 201 and first.json()["consumption"] is None
    second = client.post(f"/api/v1/meters/{meter.pk}/readings", {"read_on": days_ago(1).isoformat(), "value": "90.5"})
    assert second.status_code == 201 and Decimal(second.json()["consumption"]) == Decimal("90.5") - 88
    lower = client.post(f"/api/v1/meters/{meter.pk}/readings", {"read_on": TODAY.isoformat(), "value": "90"})
    assert lower.status_code == 422 and lower.json()["errors"][0]["field"] == "value"
    assert meter.readings.count() == 2
    listed = client.get(f"/api/v1/meters/{meter.pk}/readings").json()
    assert [r["read_on"] for r in listed["items"]] == [days_ago(1).isoformat(), days_ago(30).isoformat()]


def test_api_import_answers_422_naming_each_row(api, world, three_meters):
    client = api("caiwu")
    bad = xlsx([(three_meters[0].code, days_ago(3), 5, ""), (three_meters[1].code, days_ago(3), "x", "")])
    response = client.client.post("/api/v1/meter-readings/import", {"project_id": world.project1.pk, "file": bad},
                                  **client.headers)
    # The good row is recorded; the bad one is listed with its row and column.
    assert response.status_code == 200 and response.json()["created"] == 1
    assert [(e["row"], e["column"]) for e in response.json()["errors"]] == [(3, "读数")]
    assert MeterReading.objects.count() == 1
    only_bad = xlsx([(three_meters[1].code, days_ago(3), "x", "")])
    response = client.client.post("/api/v1/meter-readings/import", {"project_id": world.project1.pk,
                                                                   "file": only_bad}, **client.headers)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["row 2: 读数"]
    good = xlsx([(three_meters[0].code, days_ago(3), 5, ""), (three_meters[1].code, days_ago(3), 7, "")])
    response = client.client.post("/api/v1/meter-readings/import", {"project_id": world.project1.pk, "file": good},
                                  **client.headers)
    assert response.status_code == 200 and (response.json()["created"], response.json()["skipped"]) == (1, 1)
    foreign = client.client.post("/api/v1/meter-readings/import", {"project_id": world.project2.pk,
                                                                   "file": xlsx([])}, **client.headers)
    assert foreign.status_code == 422 and foreign.json()["errors"][0]["field"] == "project_id"


def test_kefu2_gets_404_on_a_project_1_meter(api, caiwu, meter):
    read(caiwu, meter, 5, "1")
    kefu2 = api("kefu2")
    assert kefu2.get(f"/api/v1/meters/{meter.pk}/readings").status_code == 404
    assert kefu2.post(f"/api/v1/meters/{meter.pk}/readings", {"read_on": TODAY.isoformat(),
                                                               "value": "2"}).status_code == 404
    assert kefu2.get("/api/v1/meters").json()["count"] == 0
    assert kefu2.get("/api/v1/meter-readings", project=meter.project_id).json()["count"] == 0


def test_owner_reads_own_meters_but_cannot_record(api, world, caiwu, meter):
    other_unit = Unit.objects.filter(project=world.project1).exclude(pk=meter.unit_id).first()
    other = make_meter(world.project1, other_unit, code="W-9999")
    read(caiwu, meter, 5, "1")
    yezhu = api("yezhu")
    assert [m["id"] for m in yezhu.get("/api/v1/meters").json()["items"]] == [meter.pk]
    assert yezhu.get(f"/api/v1/meters/{meter.pk}/readings").json()["count"] == 1
    assert yezhu.get(f"/api/v1/meters/{other.pk}/readings").status_code == 404
    refused = yezhu.post(f"/api/v1/meters/{meter.pk}/readings", {"read_on": TODAY.isoformat(), "value": "3"})
    assert refused.status_code == 403
    assert meter.readings.count() == 1


def test_anomaly_filter_lists_flagged_readings(api, caiwu, meter):
    read(caiwu, meter, 30, "5")
    flagged = read(caiwu, meter, 1, "5")
    items = api("caiwu").get("/api/v1/meter-readings", anomalies="true").json()["items"]
    assert [(r["id"], r["anomaly"]) for r in items] == [(flagged.pk, "zero")]
    meter_row = api("caiwu").get("/api/v1/meters", public="false").json()["items"][0]
    assert meter_row["last_anomaly"] == "zero" and meter_row["last_read_on"] == flagged.read_on.isoformat()
