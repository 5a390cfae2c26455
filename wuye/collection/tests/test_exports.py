"""Aging and collection rate in one Excel workbook: aging by building (billing's buckets) and the collection rate
of each building and of the project per period — the same figures as billing's reports."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from wuye.billing.reports import collection_rate
from wuye.billing.services import pay

DAY = "2026-12-10 10:00 +0800"


def test_the_workbook_has_aging_and_rates_per_building(desk, login):
    first = desk.units[0]
    other = next(unit for unit in desk.units if unit.building_id != first.building_id)
    november = date(2026, 11, 1)
    desk.owe(first, "300.00", date(2026, 11, 30), period=november)   # 10 days overdue
    desk.owe(first, "200.00", date(2026, 9, 30), period=date(2026, 9, 1))  # 71 days
    desk.owe(other, "400.00", date(2026, 11, 30), period=november)
    with time_machine.travel(DAY, tick=False):
        pay(None, other, Decimal("100.00"), channel="cash", idempotency_key="part")
        response = login("caiwu").get(reverse("collection:reports_xlsx"), {
            "project": desk.world.project1.pk, "as_of": "2026-12-10", "from": "2026-09", "to": "2026-11"})
    assert response.status_code == 200
    assert "filename*=UTF-8''" in response["Content-Disposition"] and ".xlsx" in response["Content-Disposition"]
    aging, rates = load_workbook(io.BytesIO(response.content)).worksheets
    rows = list(aging.iter_rows(min_row=3, values_only=True))
    by_building = {row[0]: row for row in rows}
    assert by_building[str(first.building)][1:] == (1, 0, 300, 0, 200, 0, 500)
    assert by_building[str(other.building)][1:] == (1, 0, 300, 0, 0, 0, 300)
    assert rows[-1][-1] == 800  # the total overdue
    rate_rows = list(rates.iter_rows(min_row=2, values_only=True))
    november_rows = {row[0]: row for row in rate_rows if row[1] == "2026-11"}
    assert november_rows[str(other.building)][3:8] == (400, 100, 0, 300, 25)
    assert november_rows[str(first.building)][7] == 0
    project_row = next(row for name, row in november_rows.items() if desk.world.project1.name in name)
    expected = next(r for r in collection_rate(None, desk.world.project1, [november]))
    assert Decimal(str(project_row[7])) == expected.rate  # the project's figure is billing's own report


def test_a_wrong_month_is_named_on_its_field(desk, english):
    with time_machine.travel(DAY, tick=False):
        response = english("caiwu").get(reverse("collection:reports_xlsx"), {
            "project": desk.world.project1.pk, "from": "2026-11", "to": "2026-01"})
    assert response.status_code == 422
    assert "The last month comes before the first." in response.content.decode()
