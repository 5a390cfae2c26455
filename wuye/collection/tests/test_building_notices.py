"""A building's reminder notices as one PDF to print and post: one page per household in arrears, the notices on
record (issued once a day: printing again gives the same notices)."""

from __future__ import annotations

import io
from datetime import date

import time_machine
from django.urls import reverse
from pypdf import PdfReader

from wuye.billing.models import BillingNotice, NoticeStage

DAY = "2026-12-10 10:00 +0800"


def test_a_building_with_three_households_in_arrears_prints_three_pages(desk, login):
    building = desk.units[0].building
    in_building = [unit for unit in desk.units if unit.building_id == building.pk]
    owing = in_building[:3]
    for index, unit in enumerate(owing):
        desk.owe(unit, "320.50", date(2026, 10, 31))
        if index == 0:
            desk.owe(unit, "100.00", date(2026, 11, 30))
    desk.owe(in_building[3], "320.50", date(2026, 12, 31))  # not due yet: no notice
    other = next(unit for unit in desk.units if unit.building_id != building.pk)
    desk.owe(other, "320.50", date(2026, 10, 31))  # another building
    client = login("caiwu")
    with time_machine.travel(DAY, tick=False):
        issued = client.post(reverse("collection:building_notices", args=[building.pk]))
        assert issued.status_code == 302
        response = client.get(issued["Location"])
        again = client.get(client.post(reverse("collection:building_notices", args=[building.pk]))["Location"])
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    assert len(PdfReader(io.BytesIO(response.content)).pages) == 3
    notices = BillingNotice.objects.filter(stage=NoticeStage.REMINDER)
    assert sorted(notices.values_list("unit_id", flat=True)) == sorted(unit.pk for unit in owing)
    assert len(PdfReader(io.BytesIO(again.content)).pages) == 3 and notices.count() == 3  # the same notices


def test_only_finance_issues_and_only_for_its_buildings(desk, login):
    mine, theirs = desk.units[0].building, desk.other_units[0].building
    desk.owe(desk.units[0], "320.50", date(2026, 10, 31))
    with time_machine.travel(DAY, tick=False):
        assert login("jingli").post(reverse("collection:building_notices", args=[mine.pk])).status_code == 403
        assert login("caiwu").post(reverse("collection:building_notices", args=[theirs.pk])).status_code == 404
        assert login("caiwu").get(reverse("collection:building_notices_pdf", args=[mine.pk])).status_code == 404
    assert not BillingNotice.objects.exists()
