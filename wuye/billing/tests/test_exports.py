"""The ledger in Excel: one row per movement with the unit's running balance, ending at the balance the ledger
gives; per unit (console and API, owners their own only) and per project for a date range."""

import io
from datetime import date, datetime, timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from wuye.billing import services
from wuye.billing.models import ChargeItem, EntryKind, LedgerEntry
from wuye.billing.receipts import receipt_number
from wuye.people.access import actor_for
from wuye.tenancy.models import Unit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def fee(world):
    return ChargeItem.objects.create(project=world.project1, code="property-fee", name="物业费", kind="property_fee")


def workbook_rows(response):
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    return list(sheet.iter_rows())


def movements(world, unit, fee):
    caiwu = actor_for(world.user("caiwu"))
    services.post_charge(None, unit, fee, "320.50", period=date(2026, 10, 1), due_on=date(2026, 10, 31))
    services.post_charge(None, unit, fee, "320.50", period=date(2026, 11, 1), due_on=date(2026, 11, 30))
    payment, _ = services.pay(caiwu, unit, "400.00", channel="cash", idempotency_key="x-1")
    services.refund(caiwu, payment, "50.00", reason="多收")
    november = unit.bills.get(period=date(2026, 11, 1))
    services.write_off(actor_for(world.user("jingli")), november, "10.25", reason="减免")
    return payment


def test_a_units_ledger_export_ends_at_its_balance(world, login, fee):
    unit = world.owner_unit("yezhu")
    payment = movements(world, unit, fee)
    rows = workbook_rows(login("caiwu").get(reverse("billing:unit_ledger_xlsx", args=[unit.pk])))
    _header, *lines, totals = rows
    entries = list(LedgerEntry.objects.filter(unit=unit).order_by("created_at", "id"))
    assert len(lines) == len(entries)
    assert [Decimal(str(row[5].value)) for row in lines] == [entry.amount for entry in entries]
    assert {row[5].number_format for row in lines} == {"0.00"}
    assert {row[1].value for row in lines} == {unit.label}
    running = Decimal("0.00")
    for row, entry in zip(lines, entries, strict=True):
        running += entry.amount
        assert Decimal(str(row[7].value)) == running
        # Local time, without a zone (Excel has none); Excel keeps milliseconds at most.
        assert abs(row[0].value - timezone.localtime(entry.created_at).replace(tzinfo=None)) < timedelta(seconds=1)
    assert Decimal(str(lines[-1][7].value)) == services.balance(unit) == Decimal(str(totals[7].value))
    assert Decimal(str(totals[5].value)) == services.balance(unit)
    payment_row = next(row for row in lines if row[4].value)
    assert payment_row[4].value == receipt_number(payment) and Decimal(str(payment_row[5].value)) == Decimal("-400.00")
    assert lines[0][3].value == "物业费 2026-10"


def test_kinds_are_in_the_readers_language(world, api, fee):
    unit = world.owner_unit("yezhu")
    movements(world, unit, fee)
    client = api("caiwu")
    response = client.client.get(f"/api/v1/units/{unit.pk}/ledger.xlsx", HTTP_ACCEPT_LANGUAGE="en", **client.headers)
    kinds = [row[2].value for row in workbook_rows(response)[1:-1]]
    assert kinds[:2] == [str(EntryKind.CHARGE.label)] * 2 and "Refund" in kinds and "Write-off" in kinds


def test_a_projects_export_covers_the_days_asked_for_and_carries_balances(world, login, fee):
    units = list(Unit.objects.filter(project=world.project1).order_by("id")[:2])
    zone = timezone.get_current_timezone()
    october = datetime(2026, 10, 20, 9, tzinfo=zone)
    november = datetime(2026, 11, 10, 9, tzinfo=zone)
    for unit in units:
        services.post_charge(None, unit, fee, "100.00", period=date(2026, 10, 1), due_on=date(2026, 10, 31))
        services.post_charge(None, unit, fee, "100.00", period=date(2026, 11, 1), due_on=date(2026, 11, 30))
    LedgerEntry.objects.filter(bill__period=date(2026, 10, 1)).update(created_at=october)
    LedgerEntry.objects.filter(bill__period=date(2026, 11, 1)).update(created_at=november)
    response = login("caiwu").get(reverse("billing:ledger_xlsx"),
                                  {"project": world.project1.pk, "from": "2026-11-01", "to": "2026-11-30"})
    _header, *lines, totals = workbook_rows(response)
    assert [row[1].value for row in lines] == [unit.label for unit in units]
    # October's charge is carried in: the balance runs on from it.
    assert [Decimal(str(row[7].value)) for row in lines] == [services.balance(unit) for unit in units]
    assert Decimal(str(totals[5].value)) == Decimal("200.00")
    assert Decimal(str(totals[7].value)) == sum(services.balance(unit) for unit in units)


def test_a_bad_date_range_names_the_field(world, login):
    response = login("caiwu").get(reverse("billing:ledger_xlsx"),
                                  {"project": world.project1.pk, "from": "2026-11-30", "to": "2026-11-01"})
    assert response.status_code == 422 and 'class="field-error"' in response.content.decode()


def test_exports_keep_to_scope(world, api, login, fee):
    own = world.owner_unit("yezhu")
    other = Unit.objects.filter(project=world.project1).exclude(pk=own.pk).first()
    services.post_charge(None, own, fee, "88.00", due_on=date(2026, 11, 30))
    yezhu = api("yezhu")
    rows = workbook_rows(yezhu.get(f"/api/v1/units/{own.pk}/ledger.xlsx"))
    assert Decimal(str(rows[-1][7].value)) == Decimal("88.00")
    assert yezhu.get(f"/api/v1/units/{other.pk}/ledger.xlsx").status_code == 404
    assert api("kefu2").get(f"/api/v1/units/{own.pk}/ledger.xlsx").status_code == 404
    assert api("gongcheng").get(f"/api/v1/units/{own.pk}/ledger.xlsx").status_code == 403
    kefu2 = login("kefu2")
    assert kefu2.get(reverse("billing:unit_ledger_xlsx", args=[own.pk])).status_code == 404
    refused = kefu2.get(reverse("billing:ledger_xlsx"), {"project": world.project1.pk, "from": "2026-11-01",
                                                         "to": "2026-11-30"})
    assert refused.status_code == 422 and refused["Content-Type"] != XLSX


def test_a_bill_description_that_looks_like_a_formula_is_exported_as_text(world, login, fee):
    """A description typed at the desk as "=1+1" (or a hyperlink) must not become a live formula in Excel."""
    unit = world.owner_unit("yezhu")
    services.post_charge(None, unit, fee, "12.00", due_on=date(2026, 11, 30), description="=1+1")
    services.post_charge(None, unit, fee, "8.00", due_on=date(2026, 11, 30), description='=HYPERLINK("http://x","y")')
    services.write_off(actor_for(world.user("jingli")), unit.bills.get(description="=1+1"), "2.00",
                       reason="-2 减免")
    _header, *lines, _totals = workbook_rows(login("caiwu").get(reverse("billing:unit_ledger_xlsx", args=[unit.pk])))
    bills = [row[3] for row in lines]
    assert [(cell.value, cell.data_type) for cell in bills] == [
        ("=1+1", "s"), ('=HYPERLINK("http://x","y")', "s"), ("=1+1", "s")]
    assert all(cell.quotePrefix for cell in bills)
    memo = lines[-1][6]
    assert memo.data_type == "s" and memo.value.startswith("-2") and memo.quotePrefix
    # Numbers stay numbers, also negative ones.
    assert lines[-1][5].data_type == "n" and lines[-1][5].value == -2


def test_the_meter_template_writes_meter_names_as_text(world):
    from wuye.billing.meters import reading_template
    from wuye.billing.models import Meter

    Meter.objects.create(project=world.project1, kind="water", code="W-9", label="=cmd|' /C calc'!A0")
    sheet = openpyxl.load_workbook(io.BytesIO(reading_template(world.project1))).worksheets[0]
    row = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == "W-9")
    assert (row[1].value, row[1].data_type, row[1].quotePrefix) == ("=cmd|' /C calc'!A0", "s", True)
