"""Console pages of meter readings: the list with last readings and anomaly badges, a meter's history and entry
form, the import page's report and the reader's template download."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from wuye.billing import meters
from wuye.billing.models import Meter
from wuye.people.access import actor_for
from wuye.tenancy.models import Unit

TODAY = timezone.localdate()


@pytest.fixture
def flagged_meter(world):
    """A unit meter whose last reading used nothing (flagged "zero")."""
    unit = world.owner_unit("yezhu")
    meter = Meter.objects.create(project=world.project1, unit=unit, building=unit.building, kind="water",
                                 code="W-0101")
    actor = actor_for(world.user("caiwu"))
    meters.record_reading(actor, meter, TODAY - timedelta(days=30), Decimal("7.5"))
    meters.record_reading(actor, meter, TODAY - timedelta(days=1), Decimal("7.5"))
    return meter


@pytest.mark.parametrize("username", ["caiwu", "gongcheng"])
def test_list_and_detail_render_and_show_the_anomaly(login, flagged_meter, username):
    client = login(username)
    listing = client.get("/console/billing/meters/")
    assert listing.status_code == 200
    html = listing.content.decode()
    assert flagged_meter.code in html and "badge-amber" in html
    detail = client.get(f"/console/billing/meters/{flagged_meter.pk}/")
    assert detail.status_code == 200
    html = detail.content.decode()
    assert flagged_meter.readings.latest("read_on").anomaly_note in html and "<svg class=\"meter-chart\"" in html


def test_list_filters_by_anomaly_and_is_one_query_per_page(world, login, flagged_meter):
    quiet = Meter.objects.create(project=world.project1, kind="electricity", code="PUB-LIFT", label="1号楼电梯")
    for i in range(5):
        unit = Unit.objects.filter(project=world.project1)[i]
        Meter.objects.create(project=world.project1, unit=unit, kind="gas", code=f"G-{i}")
    client = login("caiwu")
    flagged = client.get("/console/billing/meters/", {"anomalies": "on"}).content.decode()
    assert flagged_meter.code in flagged and quiet.code not in flagged
    public = client.get("/console/billing/meters/", {"public": "public"}).content.decode()
    assert quiet.code in public and flagged_meter.code not in public
    client.get("/console/billing/meters/")  # warm caches (content types, session)
    with CaptureQueriesContext(connection) as few:
        client.get("/console/billing/meters/", {"kind": "gas"})
    with CaptureQueriesContext(connection) as all_rows:
        client.get("/console/billing/meters/")
    assert len(all_rows) == len(few)  # no query per row


def test_entry_form_shows_the_error_next_to_the_field_and_writes_nothing(login, flagged_meter):
    client = login("gongcheng")
    response = client.post(f"/console/billing/meters/{flagged_meter.pk}/",
                           {"read_on": TODAY.isoformat(), "value": "3"})
    assert response.status_code == 422
    html = response.content.decode()
    assert 'class="field has-error"' in html and "7.50" in html
    assert flagged_meter.readings.count() == 2
    ok = client.post(f"/console/billing/meters/{flagged_meter.pk}/",
                     {"read_on": TODAY.isoformat(), "value": "9", "next": "/console/billing/meters/"})
    assert ok.status_code == 302 and ok["Location"] == "/console/billing/meters/"
    assert flagged_meter.readings.latest("read_on").consumption == Decimal("9") - Decimal("7.5")


def _xlsx(rows):
    book = Workbook()
    book.active.append(["表号", "抄表日期", "读数"])
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("r.xlsx", buffer.getvalue())


def test_import_page_reports_row_errors_then_success(world, login, flagged_meter):
    client = login("caiwu")
    assert client.get("/console/billing/meters/import/").status_code == 200
    bad = client.post("/console/billing/meters/import/", {"project": world.project1.pk, "file": _xlsx([
        [flagged_meter.code, TODAY, 1], ["NOPE", TODAY, 1]])})
    assert bad.status_code == 422  # nothing could be recorded
    html = bad.content.decode()
    assert "NOPE" in html and "<td class=\"num\">2</td>" in html and "<td class=\"num\">3</td>" in html
    assert flagged_meter.readings.count() == 2
    partly = client.post("/console/billing/meters/import/", {"project": world.project1.pk, "file": _xlsx([
        [flagged_meter.code, TODAY, 8], ["NOPE", TODAY, 1]])})
    assert partly.status_code == 200 and flagged_meter.readings.count() == 3
    html = partly.content.decode()
    assert 'id="import-report"' in html and 'id="import-errors"' in html and "NOPE" in html


def test_template_download_and_scope(world, login, flagged_meter):
    response = login("caiwu").get("/console/billing/meters/template/", {"project": world.project1.pk})
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [row[0] for row in rows[1:]] == [flagged_meter.code]
    kefu2 = login("kefu2")
    assert kefu2.get("/console/billing/meters/template/", {"project": world.project1.pk}).status_code == 404
    assert kefu2.get(f"/console/billing/meters/{flagged_meter.pk}/").status_code == 404
    assert login("yezhu").get("/console/billing/meters/").status_code == 302  # owners go to their portal


def test_quality_reads_meter_pages_but_imports_no_readings(login, flagged_meter):
    # 品质部 audits meter reading, so it reads meters as the API lets it (one rule: resource billing.meters).
    quality = login("pinzhi")
    assert quality.get("/console/billing/meters/").status_code == 200
    assert quality.get("/console/billing/meters/import/").status_code == 403
