"""Staff assessment in the console: recording on a phone with a photo, the monthly table and its Excel export, one's
own page, the library, and praise from a ticket's page — on a fixed day."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from wuye.quality import assessments
from wuye.quality.evidence import evidence_for
from wuye.quality.models import AssessmentItem, AssessmentRecord

NOW = "2026-11-18 10:00 +0800"


def jpeg() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 60, 60)).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def library(world):
    assessments.install_shipped_items(world.company)
    return {item.name: item for item in AssessmentItem.objects.filter(company=world.company)}


def test_record_on_a_phone_with_a_photo_then_the_table_and_export(world, login, library, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    browser = login("jingli")
    with time_machine.travel(NOW, tick=False):
        page = browser.get(reverse("quality:assessment_new"))
        assert page.status_code == 200 and "陈静" in page.content.decode() and 'capture="environment"' in \
            page.content.decode()
        response = browser.post(reverse("quality:assessment_new"), {
            "project": world.project1.pk, "staff": world.user("kefu").staff_profile.pk,
            "item": library["工作时间玩手机"].pk, "reason": "前台值班时", "month": "2026-11",
            "photos": SimpleUploadedFile("p.jpg", jpeg(), content_type="image/jpeg")})
        assert response.status_code == 302, response.content.decode()[:2000]
        record = AssessmentRecord.objects.get()
        assert (record.points, record.reason, str(record.month)) == (Decimal("-2"), "工作时间玩手机：前台值班时",
                                                                     "2026-11-01")
        assert len(evidence_for(record)) == 1
        # A settled month is refused on the form, naming it.
        response = browser.post(reverse("quality:assessment_new"), {
            "project": world.project1.pk, "staff": world.user("kefu").staff_profile.pk,
            "item": library["上班迟到"].pk, "month": "2026-09"})
        assert response.status_code == 200 and AssessmentRecord.objects.count() == 1

        page = browser.get(reverse("quality:assessments"), {"month": "2026-11"}).content.decode()
        assert "客户服务中心" in page
        assert "98" in page and "前台值班时" in page
        photo = evidence_for(record).first()
        assert browser.get(reverse("quality:assessment_photo", args=[record.pk, photo.pk])).status_code == 200

        export = browser.get(reverse("quality:assessments"), {"month": "2026-11", "format": "xlsx"})
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(export.content)).active
        rows = {row[1]: row for row in sheet.iter_rows(min_row=3, values_only=True)}
        assert rows["陈静"][2:] == (-2, 0, 0, 0, 1, 98)
        assert rows["王强"][7] == 100

        # Her own page shows her score and the reason; finance (no supervisor) cannot open the form.
        mine = login("kefu").get(reverse("quality:my_assessment"), {"month": "2026-11"}).content.decode()
        assert 'data-score>98<' in mine and "前台值班时" in mine
        assert login("caiwu").get(reverse("quality:assessment_new")).status_code == 403
        caiwu_table = login("caiwu").get(reverse("quality:assessments"), {"month": "2026-11"}).content.decode()
        assert "陈静" not in caiwu_table and "孙敏" in caiwu_table


def test_praise_from_the_ticket_page(world, login, library):
    with time_machine.travel(NOW, tick=False):
        ticket = world.ticket(world.project1, kind="praise", description="前台陈静耐心帮忙办理车位登记")
        browser = login("jingli")
        detail = browser.get(reverse("workorders:ticket", args=[ticket.pk])).content.decode()
        assert reverse("quality:assessment_ticket", args=[ticket.pk]) in detail
        assert reverse("quality:assessment_ticket", args=[ticket.pk]) not in \
            login("kefu").get(reverse("workorders:ticket", args=[ticket.pk])).content.decode()
        for _twice in range(2):
            response = browser.post(reverse("quality:assessment_ticket", args=[ticket.pk]),
                                    {"staff": world.user("kefu").pk})
            assert response.status_code == 302
        record = AssessmentRecord.objects.get(ticket=ticket)
        assert (record.kind, record.points) == ("praise", Decimal("2"))
        assert login("kefu").get(reverse("quality:assessment_ticket", args=[ticket.pk])).status_code == 403
        assert login("kefu2").get(reverse("quality:assessment_ticket", args=[ticket.pk])).status_code == 403


def test_library_page(world, login, library):
    page = login("pinzhi").get(reverse("quality:assessment_items")).content.decode()
    assert "工作时间玩手机" in page and 'name="points"' in page
    response = login("pinzhi").post(reverse("quality:assessment_items"), {
        "name": "电梯困人未及时到场", "kind": "deduction", "points": "-3", "department": "engineering",
        "is_active": "on"})
    assert response.status_code == 302
    assert AssessmentItem.objects.get(name="电梯困人未及时到场").points == Decimal("-3")
    assert 'name="points"' not in login("kefu").get(reverse("quality:assessment_items")).content.decode()
    assert login("kefu").post(reverse("quality:assessment_items"), {"name": "x", "kind": "award",
                                                                   "points": "1"}).status_code == 403
