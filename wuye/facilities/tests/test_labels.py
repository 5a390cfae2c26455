"""QR labels: the A4 sheet holds one label per item (3 × 8 a page) with the item's scan URL in its QR code, its
code, name, place and the project's service phone; the scan URL opens the item for staff of its project, is a 404
for anyone else and sends a signed-out phone to the login and back. The contractor qualification warning: 30 days
ahead warned, 31 not, once."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from django.urls import reverse
from pypdf import PdfReader

from wuye.core.models import Notification
from wuye.facilities import labels
from wuye.facilities.jobs import warn_contractor_qualifications
from wuye.facilities.models import Contractor, Equipment, EquipmentCategory
from wuye.tenancy.models import Building


@pytest.fixture
def elevators(world):
    """25 elevators of project 1 (one more than a page holds) and one of project 2."""
    company = world.company
    category = EquipmentCategory.objects.create(company=company, code="elevator", name="电梯", kind="elevator")
    pumps = EquipmentCategory.objects.create(company=company, code="water_pump", name="生活水泵", kind="water")
    building = Building.objects.filter(project=world.project1).order_by("number").first()
    items = [Equipment.objects.create(project=world.project1, category=category, code=f"DT-{n:02d}",
                                      name=f"{n}号客梯", building=building, location="1单元")
             for n in range(1, 26)]
    Equipment.objects.create(project=world.project1, category=pumps, code="SB-01", name="1号生活水泵",
                             location="B1 水泵房")
    other = Equipment.objects.create(project=world.project2, category=category, code="DT-01", name="翠湖1号梯")
    return items, other


def _pdf(content: bytes) -> PdfReader:
    assert content.startswith(b"%PDF")
    return PdfReader(io.BytesIO(content))


def _text(page) -> str:
    """A page's text with fpdf2's CID padding and the spaces between runs taken out."""
    return re.sub(r"[\s\x00]+", "", page.extract_text())


def test_sheet_holds_one_label_per_item_24_a_page(world, elevators, monkeypatch):
    items, _ = elevators
    urls = []
    import segno

    real = segno.make
    monkeypatch.setattr(segno, "make", lambda content, **kw: urls.append(content) or real(content, **kw))
    content = labels.label_sheet_pdf(Equipment.objects.filter(project=world.project1, category__code="elevator")
                                     .order_by("code"), base_url="https://wy.example.cn/")
    reader = _pdf(content)
    assert len(reader.pages) == 2  # 25 labels: 24 on the first page, 1 on the second
    first, second = (_text(page) for page in reader.pages)
    assert first.count("DT-") == 24 and "DT-24" in first and "DT-25" not in first
    assert second.count("DT-") == 1 and "DT-25" in second
    assert "1号客梯" in first and "报修电话021-58880001" in first and "锦华苑" in first
    building = items[0].building
    assert f"{building.name or building.number + '号楼'}1单元" in first
    # Every QR code carries the item's absolute scan URL, in the sheet's order.
    assert len(urls) == 25
    assert urls[0] == f"https://wy.example.cn/console/facilities/e/{items[0].label_token}/"
    assert urls[24] == f"https://wy.example.cn/console/facilities/e/{items[24].label_token}/"


def test_public_url_setting_wins_over_the_request(world, elevators, settings):
    items, _ = elevators
    settings.WUYE_PUBLIC_URL = "https://wuye.jinhua.cn"
    assert labels.scan_url(items[0], "http://10.0.0.5:8000/") == \
        f"https://wuye.jinhua.cn/console/facilities/e/{items[0].label_token}/"


def test_sheet_is_bounded(world, elevators, monkeypatch):
    from wuye.core.errors import InvalidInput

    monkeypatch.setattr(labels, "MAX_LABELS", 24)
    with pytest.raises(InvalidInput) as refused:
        labels.label_sheet_pdf(Equipment.objects.filter(project=world.project1), base_url="http://x/")
    assert refused.value.problems[0].field == "equipment"
    with pytest.raises(InvalidInput):
        labels.label_sheet_pdf(Equipment.objects.none(), base_url="http://x/")


def test_console_label_sheet_downloads_with_a_chinese_name(world, elevators, login):
    response = login("gongcheng").get("/console/facilities/equipment/labels/",
                                      {"project": world.project1.pk, "category": "water_pump"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "filename*=UTF-8''%E8%AE%BE%E5%A4%87%E6%A0%87%E7%AD%BE_%E9%94%A6%E5%8D%8E%E8%8B%91.pdf" \
        in response["Content-Disposition"]  # 设备标签_锦华苑.pdf
    text = _text(_pdf(response.content).pages[0])
    assert "SB-01" in text and "B1水泵房" in text and "DT-" not in text


def test_label_sheet_is_for_readers_of_the_register_in_their_projects(world, elevators, login):
    assert login("kefu").get("/console/facilities/equipment/labels/").status_code == 200
    assert login("caiwu").get("/console/facilities/equipment/labels/").status_code == 403
    assert login("gongcheng").get("/console/facilities/equipment/labels/",
                                  {"project": world.project2.pk}).status_code == 404


def test_api_label_sheet_by_project_and_category(world, elevators, api):
    response = api("gongcheng").get("/api/v1/equipment/labels.pdf", project=world.project1.pk, category="elevator")
    assert response.status_code == 200
    assert len(_pdf(response.content).pages) == 2
    # Project 2 is not gongcheng's: 404, as its records are.
    assert api("gongcheng").get("/api/v1/equipment/labels.pdf", project=world.project2.pk).status_code == 404
    refused = api("gongcheng").get("/api/v1/equipment/labels.pdf", project=world.project1.pk, q="no-such-item")
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "equipment"
    assert api("gongcheng").get("/api/v1/equipment/labels.pdf", status="broken").status_code == 422


def test_scan_opens_the_item_for_its_project_and_is_404_elsewhere(world, elevators, login):
    items, other = elevators
    path = f"/console/facilities/e/{items[0].label_token}/"
    response = login("gongcheng").get(path)
    assert response.status_code == 302
    assert response["Location"] == reverse("facilities:equipment", args=[items[0].pk])
    assert login("gongcheng").get(f"/console/facilities/e/{other.label_token}/").status_code == 404
    assert login("kefu2").get(path).status_code == 404
    assert login("kefu2").get(f"/console/facilities/e/{other.label_token}/").status_code == 302


def test_scan_signed_out_goes_to_login_and_back(world, elevators, client):
    items, _ = elevators
    path = f"/console/facilities/e/{items[0].label_token}/"
    response = client.get(path)
    assert response.status_code == 302
    assert "login" in response["Location"] and "next=/console/facilities/e/" in response["Location"]


def test_owner_scan_shows_nothing_of_facilities(world, elevators, login):
    items, _ = elevators
    response = login("yezhu").get(f"/console/facilities/e/{items[0].label_token}/")
    assert response.status_code == 302 and "/console/facilities/equipment" not in response["Location"]


# -- contractor qualification warning ---------------------------------------------------------------------------
@pytest.fixture
def contractors(world, elevators):
    items, _other = elevators
    soon = Contractor.objects.create(company=world.company, name="上海迅达电梯维保有限公司",
                                     qualification_number="TS3531001-2027", qualification_expires_on=date(2026, 12, 1))
    later = Contractor.objects.create(company=world.company, name="上海东方泵业服务部",
                                      qualification_number="B-2210", qualification_expires_on=date(2026, 12, 2))
    idle = Contractor.objects.create(company=world.company, name="无设备的维保单位",
                                     qualification_expires_on=date(2026, 11, 20))
    Equipment.objects.filter(pk=items[0].pk).update(contractor=soon)
    Equipment.objects.filter(code="SB-01").update(contractor=later)
    return soon, later, idle


def _warnings():
    return Notification.objects.filter(dedupe_key__startswith="facilities.contractor_qualification:")


def test_qualification_warned_30_days_ahead_not_31_and_once(world, contractors):
    _soon, _later, _ = contractors
    today = date(2026, 11, 1)  # soon expires in 30 days, later in 31
    assert warn_contractor_qualifications(today) == 1
    message = _warnings().get()
    assert message.recipient == world.user("gongcheng")  # project 1's engineering supervisor
    assert "上海迅达电梯维保有限公司" in message.subject_line and "2026-12-01" in message.subject_line
    assert "30" in message.subject_line
    assert warn_contractor_qualifications(today) == 0  # a rerun
    assert warn_contractor_qualifications(date(2026, 11, 2)) == 1  # the next day: later's turn, soon not again
    assert _warnings().count() == 2
    assert _warnings().filter(subject_line__contains="上海东方泵业服务部").count() == 1


def test_expired_qualification_warned_once_more(world, contractors):
    _soon, _, idle = contractors
    warn_contractor_qualifications(date(2026, 11, 1))
    assert warn_contractor_qualifications(date(2026, 12, 2)) == 2  # soon has expired; later expires today
    expired = _warnings().filter(subject_line__contains="上海迅达电梯维保有限公司").order_by("pk").last()
    assert "2026-12-01" in expired.subject_line
    assert warn_contractor_qualifications(date(2026, 12, 3)) == 1  # later has expired now
    assert warn_contractor_qualifications(date(2026, 12, 4)) == 0
    # A contractor with no equipment on the register warns nobody.
    assert not _warnings().filter(subject_line__contains=idle.name).exists()


def test_warning_days_come_from_settings(world, contractors, settings):
    settings.WUYE_CONTRACTOR_WARNING_DAYS = 29
    assert warn_contractor_qualifications(date(2026, 11, 1)) == 0
    assert warn_contractor_qualifications(date(2026, 11, 2)) == 1


def test_renewed_qualification_is_warned_again_at_its_time(world, contractors):
    soon, later, _ = contractors
    warn_contractor_qualifications(date(2026, 11, 1))
    Contractor.objects.filter(pk__in=[soon.pk, later.pk]).update(qualification_expires_on=date(2027, 12, 1))
    assert warn_contractor_qualifications(date(2027, 10, 31)) == 0  # 31 days ahead
    assert warn_contractor_qualifications(date(2027, 11, 1)) == 2
    assert warn_contractor_qualifications(date(2027, 11, 1)) == 0
    assert _warnings().filter(subject_line__contains="2027-12-01").count() == 2


def test_job_is_registered_daily():
    from datetime import timedelta

    from wuye.core.scheduling import REGISTRY

    job = REGISTRY["facilities.warn_contractor_qualifications"]
    assert job.every == timedelta(hours=24)


def test_qr_drawn_on_the_page_is_the_code_of_the_scan_url(world, elevators):
    """Rebuild the module grid from the page's drawing operators and compare it with the QR code of the URL: what
    prints is exactly the code a phone reads as the item's scan URL."""
    import segno

    items, _ = elevators
    content = labels.label_sheet_pdf(items[:2], base_url="https://wy.example.cn/")
    stream = _pdf(content).pages[0].get_contents().get_data()
    drawn = re.findall(rb"q 0 g [\d.]+ 0 0 -[\d.]+ [\d.]+ [\d.]+ cm (.*?) f Q", stream)
    assert len(drawn) == 2
    for item, ops in zip(items[:2], drawn, strict=True):
        expected = segno.make(labels.scan_url(item, "https://wy.example.cn/"), error="m", micro=False,
                              mask=labels.QR_MASK).matrix
        grid = [[0] * len(expected) for _ in expected]
        for x, y, width in re.findall(rb"(\d+) (\d+) (\d+) 1\.02 re", ops):
            for column in range(int(x), int(x) + int(width)):
                grid[int(y)][column] = 1
        assert grid == [list(row) for row in expected]


# -- one reading of the register's filters -------------------------------------------------------------------------
def test_list_page_api_labels_and_export_read_the_filters_alike(world, elevators, api, login):
    """register.filter_equipment behind all four: a category by id or by code in any case selects the same rows
    in the same order; a project outside the caller's scope is a 404 and a malformed filter a 422 everywhere."""
    from wuye.people.access import actor_for

    client, browser = api("gongcheng"), login("gongcheng")
    category = EquipmentCategory.objects.get(code="elevator")
    expected = [f"DT-{n:02d}" for n in range(1, 26)]
    for written in ("elevator", "ELEVATOR", str(category.pk)):
        rows = client.get("/api/v1/equipment", category=written, page_size=200).json()
        assert [row["code"] for row in rows["items"]] == expected, written
        chosen = labels.filtered_equipment(actor_for(world.user("gongcheng")), category=written)
        assert [item.code for item in chosen] == expected, written
        page = browser.get("/console/facilities/equipment/", {"category": written})
        html = page.content.decode()
        assert page.status_code == 200 and "25号客梯" in html and "1号生活水泵" not in html, written
    assert client.get("/api/v1/equipment", project=world.project2.pk).status_code == 404
    assert browser.get("/console/facilities/equipment/", {"project": world.project2.pk}).status_code == 404
    assert browser.get("/console/facilities/equipment/export/",
                       {"project": world.project2.pk}).status_code == 404
    refused = client.get("/api/v1/equipment", status="broken")
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "status"
    assert browser.get("/console/facilities/equipment/", {"status": "broken"}).status_code == 422


def test_warning_job_follows_the_registers_rule(world, contractors, monkeypatch):
    """The job asks the register how many days ahead to warn (register.warning_days), not the setting itself."""
    from wuye.facilities import register

    monkeypatch.setattr(register, "warning_days", lambda: 29)
    assert warn_contractor_qualifications(date(2026, 11, 1)) == 0  # soon is 30 days off: not yet
    assert warn_contractor_qualifications(date(2026, 11, 2)) == 1
