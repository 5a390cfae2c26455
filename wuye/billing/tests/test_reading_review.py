"""Readings that cannot break billing: bounds per meter type, flagged readings held until a person confirms or
corrects them, billing runs that skip (and list) what they cannot bill without stopping, one event per chunk."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from wuye.billing import meters, runs
from wuye.billing.models import Bill, BillingRunSkip, ChargeItem, Meter, MeterReading, Tariff
from wuye.billing.runs import run_billing
from wuye.core.errors import InvalidInput, NotAllowed
from wuye.core.models import Event
from wuye.people.access import actor_for
from wuye.tenancy.models import Unit

NOVEMBER = date(2026, 11, 1)
WATER_RATE = Decimal("4.47")
# Monthly readings before November: about 10 m³ a month, so November's usual is about 10.
HISTORY = ((date(2026, 6, 30), "100"), (date(2026, 7, 31), "110"), (date(2026, 8, 31), "121"),
           (date(2026, 9, 30), "130"), (date(2026, 10, 31), "140"))


@pytest.fixture
def units(world):
    return list(Unit.objects.filter(project=world.project1).exclude(kind="parking").order_by("id"))


@pytest.fixture
def items(world):
    fee = ChargeItem.objects.create(project=world.project1, code="property-fee", name="物业费", kind="property_fee")
    Tariff.objects.create(item=fee, basis="per_unit_month", rate=Decimal("100.00"), effective_from=date(2026, 1, 1))
    water = ChargeItem.objects.create(project=world.project1, code="water", name="水费", kind="metered",
                                      meter_kind="water")
    Tariff.objects.create(item=water, basis="per_consumption", rate=WATER_RATE, effective_from=date(2026, 1, 1))
    return fee, water


@pytest.fixture
def caiwu(world):
    return actor_for(world.user("caiwu"))


def water_meters(world, units, count=3):
    """A water meter on each of the first `count` units, read monthly June–October (about 10 m³ a month)."""
    made = []
    for index, unit in enumerate(units[:count], start=1):
        meter = Meter.objects.create(project=world.project1, unit=unit, building=unit.building, kind="water",
                                     code=f"W-{index:03d}")
        previous = None
        for read_on, value in HISTORY:
            MeterReading.objects.create(meter=meter, read_on=read_on, value=Decimal(value),
                                        consumption=None if previous is None else Decimal(value) - previous)
            previous = Decimal(value)
        made.append(meter)
    return made


def november(caiwu, meter, value):
    return meters.record_reading(caiwu, meter, date(2026, 11, 30), Decimal(value))


# -- bounds ---------------------------------------------------------------------------------------------------
def test_an_absurd_reading_is_refused_naming_value_on_every_face(world, api, login, units):
    meter, = water_meters(world, units, 1)
    client = api("caiwu")
    answer = client.post(f"/api/v1/meters/{meter.pk}/readings", {"read_on": "2026-11-30",
                                                                   "value": "999999999999.99"})
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "value"
    assert "99,999,999.99" in answer.json()["errors"][0]["message"] or "99999999.99" in answer.json()[
        "errors"][0]["message"]
    # 99999 fits the register but is 99,859 m³ in a month on a flat's water meter: refused, not billed.
    too_much = client.post(f"/api/v1/meters/{meter.pk}/readings", {"read_on": "2026-11-30", "value": "99999"})
    assert too_much.status_code == 422 and too_much.json()["errors"][0]["field"] == "value"
    page = login("caiwu").post(reverse("billing:meter", args=[meter.pk]),
                               {"read_on": "2026-11-30", "value": "99999"})
    assert page.status_code == 422 and "has-error" in page.content.decode()
    assert meter.readings.count() == len(HISTORY)


def test_an_import_reports_the_absurd_row_at_its_row_and_records_the_others(world, caiwu, units):
    first, second, third = water_meters(world, units, 3)
    from wuye.billing.tests.test_meters import xlsx

    report = meters.import_readings(caiwu, world.project1, xlsx([
        (first.code, date(2026, 11, 30), 151, ""),
        (second.code, date(2026, 11, 30), "999999999999.99", ""),  # row 3
        (third.code, date(2026, 11, 30), 149.5, ""),
    ]))
    assert [(error.row, error.column) for error in report.errors] == [(3, "读数")]
    assert report.created == 2
    assert set(MeterReading.objects.filter(read_on=date(2026, 11, 30)).values_list("meter__code", flat=True)) == {
        first.code, third.code}


def test_bounds_are_per_meter_type_and_come_from_settings(world, caiwu, units):
    water, = water_meters(world, units, 1)
    lift = Meter.objects.create(project=world.project1, kind="electricity", code="E-PUB-1", label="1号楼电梯")
    meters.record_reading(caiwu, lift, date(2026, 10, 31), Decimal("1000"))
    # 3,000 kWh in a month is a lift's ordinary use, far beyond a flat's water meter.
    assert meters.record_reading(caiwu, lift, date(2026, 11, 30), Decimal("4000")).consumption == 3000
    strict = override_settings(WUYE_METER_LIMITS={"water": {"unit_daily": "1"}})
    with strict, pytest.raises(InvalidInput) as refused:
        november(caiwu, water, "180")  # 40 m³ in 30 days, more than 1 a day
    assert refused.value.problems[0].field == "value" and "30.00" in refused.value.problems[0].message
    assert november(caiwu, water, "180").consumption == 40  # within the default of 10 a day


# -- a run never stops at one unit ------------------------------------------------------------------------------
def test_a_run_over_one_absurd_reading_bills_every_other_unit_and_lists_the_skipped_one(world, login, units,
                                                                                       items):
    fee, water = items
    absurd, *others = water_meters(world, units, 3)
    # A reading written before the bounds existed: 999,999,999,859.99 m³ would be a bill no column holds.
    MeterReading.objects.create(meter=absurd, read_on=date(2026, 11, 30), value=Decimal("999999999999.99"),
                                consumption=Decimal("999999999859.99"))
    for meter in others:
        MeterReading.objects.create(meter=meter, read_on=date(2026, 11, 30), value=Decimal("150"),
                                    consumption=Decimal("10"))
    run = run_billing(None, world.project1, NOVEMBER, chunk=4)
    everyone = Unit.objects.filter(project=world.project1)
    assert run.status == "done"
    assert set(Bill.objects.filter(item=fee).values_list("unit_id", flat=True)) == set(
        everyone.exclude(pk=absurd.unit_id).values_list("id", flat=True))
    assert sorted(Bill.objects.filter(item=water).values_list("amount", flat=True)) == [Decimal("44.70")] * 2
    skip = BillingRunSkip.objects.get()
    assert (skip.unit_id, skip.reason) == (absurd.unit_id, "failed")
    page = login("caiwu").get(reverse("billing:run", args=[run.pk])).content.decode()
    assert 'id="run-skips"' in page and absurd.unit.label in page and "水费" in page
    assert skip.message in page  # a sentence: what could not be billed and what to do
    # The API lists it as well.
    listed = login("caiwu").get(f"/api/v1/billing/runs/{run.pk}/skipped").json()["items"]
    assert [(row["unit_id"], row["reason"]) for row in listed] == [(absurd.unit_id, "failed")]


def test_a_unit_whose_billing_raises_is_recorded_and_the_others_are_billed(world, units, items, monkeypatch):
    fee, _water = items
    victim = units[1]
    billers = dict(runs.BILLERS)
    original = billers[fee.kind]

    def breaks_on_one_unit(item, period, chunk, context):
        if any(unit.pk == victim.pk for unit in chunk):
            raise ValueError("tariff table damaged")
        return original(item, period, chunk, context)

    monkeypatch.setitem(runs.BILLERS, fee.kind, breaks_on_one_unit)
    run = run_billing(None, world.project1, NOVEMBER, chunk=5)
    billed = set(Bill.objects.values_list("unit_id", flat=True))
    assert victim.pk not in billed and len(billed) == Unit.objects.filter(project=world.project1).count() - 1
    skip = run.skips.get()
    assert skip.unit_id == victim.pk and "tariff table damaged" in skip.message
    # Once the cause is put right, running the month again bills the unit once and clears the record.
    monkeypatch.setitem(runs.BILLERS, fee.kind, original)
    again = run_billing(None, world.project1, NOVEMBER, chunk=5)
    assert Bill.objects.filter(unit=victim).count() == 1 and not again.skips.exists()
    assert Bill.objects.count() == Unit.objects.filter(project=world.project1).count()


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_a_database_error_of_one_unit_rolls_back_only_that_unit(world, units, items, monkeypatch):
    _fee, water = items
    absurd, normal = water_meters(world, units, 2)
    MeterReading.objects.create(meter=absurd, read_on=date(2026, 11, 30), value=Decimal("999999999999.99"),
                                consumption=Decimal("999999999859.99"))
    MeterReading.objects.create(meter=normal, read_on=date(2026, 11, 30), value=Decimal("150"),
                                consumption=Decimal("10"))
    monkeypatch.setattr(runs, "MAX_BILL_AMOUNT", Decimal("1e20"))  # let the overflow reach the database
    run = run_billing(None, world.project1, NOVEMBER)
    assert run.status == "done" and connection.vendor == "postgresql"
    assert Bill.objects.filter(item=water).get().unit_id == normal.unit_id
    assert run.skips.get().unit_id == absurd.unit_id


def test_every_chunk_commits_an_event_with_its_counts(world, units, items):
    run = run_billing(None, world.project1, NOVEMBER, chunk=5)
    chunks = list(Event.objects.filter(verb="billing.run_chunk", subject_id=run.pk).order_by("id"))
    total = Unit.objects.filter(project=world.project1).count()
    assert len(chunks) == -(-total // 5)
    assert sum(event.data["units"] for event in chunks) == total
    assert sum(event.data["bills"] for event in chunks) == run.bills_created
    assert sum(Decimal(event.data["amount"]) for event in chunks) == run.amount_billed
    assert all(event.data["skipped"] == 0 for event in chunks)


# -- held for review ----------------------------------------------------------------------------------------------
def test_a_flagged_reading_is_billed_only_after_confirmation(world, api, caiwu, units, items):
    _fee, water = items
    spiky, normal, _unread = water_meters(world, units, 3)
    held = november(caiwu, spiky, "220")  # 80 m³ in November, 8× the usual
    assert held.anomaly == "spike" and held.is_held
    assert not november(caiwu, normal, "150").anomaly

    run = run_billing(None, world.project1, NOVEMBER)
    assert list(Bill.objects.filter(item=water).values_list("unit_id", flat=True)) == [normal.unit_id]
    skip = run.skips.get()
    assert (skip.unit_id, skip.item_id, skip.reason) == (spiky.unit_id, water.pk, "held_reading")
    assert spiky.code in skip.message and "2026-11-30" in skip.message
    listed = api("caiwu").get("/api/v1/meter-readings", held="true").json()["items"]
    assert [row["id"] for row in listed] == [held.pk] and listed[0]["held"] is True

    # The meter reader may not release it; finance may.
    refused = api("gongcheng").post(f"/api/v1/meter-readings/{held.pk}/confirm", {})
    assert refused.status_code == 403
    confirmed = api("caiwu").post(f"/api/v1/meter-readings/{held.pk}/confirm", {"note": "业主家中漏水已修"})
    assert confirmed.status_code == 200 and confirmed.json()["held"] is False
    assert confirmed.json()["review"] == "confirmed"
    assert api("caiwu").post(f"/api/v1/meter-readings/{held.pk}/confirm", {}).status_code == 409
    assert Event.objects.filter(verb="billing.reading_confirmed", subject_id=spiky.pk).count() == 1

    again = run_billing(None, world.project1, NOVEMBER)
    bill = Bill.objects.get(item=water, unit_id=spiky.unit_id)
    assert bill.amount == Decimal("80") * WATER_RATE == Decimal("357.60")
    assert not again.skips.exists()
    run_billing(None, world.project1, NOVEMBER)
    assert Bill.objects.filter(item=water, unit_id=spiky.unit_id).count() == 1


def test_a_corrected_reading_bills_the_corrected_consumption(world, login, caiwu, units, items):
    _fee, water = items
    spiky, = water_meters(world, units, 1)
    held = november(caiwu, spiky, "240")  # a misread register: 100 m³ in a month
    run_billing(None, world.project1, NOVEMBER)
    assert not Bill.objects.filter(item=water).exists()

    client = login("caiwu")
    page = client.get(reverse("billing:readings_review"), {"project": world.project1.pk}).content.decode()
    assert f'id="reading-{held.pk}"' in page and spiky.code in page
    lower = client.post(reverse("billing:readings_review"), {"reading": held.pk, "action": "correct", "value": "139"})
    assert lower.status_code == 422 and "140.00" in lower.content.decode()  # lower than October's reading
    absurd = client.post(reverse("billing:readings_review"), {"reading": held.pk, "action": "correct",
                                                              "value": "99999"})
    assert absurd.status_code == 422
    held.refresh_from_db()
    assert held.value == Decimal("240") and held.is_held

    done = client.post(reverse("billing:readings_review"), {"reading": held.pk, "action": "correct", "value": "152",
                                                            "note": "抄表员看错一位"})
    assert done.status_code == 302
    held.refresh_from_db()
    assert (held.value, held.consumption, held.review, held.is_held) == (Decimal("152"), Decimal("12"),
                                                                          "corrected", False)
    event = Event.objects.get(verb="billing.reading_corrected", subject_id=spiky.pk)
    assert event.data["corrected_from"] == "240.00" and event.data["reading"] == "152.00"
    assert event.actor == world.user("caiwu")

    run_billing(None, world.project1, NOVEMBER)
    assert Bill.objects.get(item=water).amount == Decimal("12") * WATER_RATE


def test_only_reviewers_correct_and_a_correction_must_fit_the_next_reading(world, caiwu, units):
    meter, = water_meters(world, units, 1)
    held = november(caiwu, meter, "140")  # nothing used: flagged "zero", held
    assert held.anomaly == "zero" and held.is_held
    meters.record_reading(caiwu, meter, date(2026, 12, 1), Decimal("141"))
    with pytest.raises(NotAllowed):
        meters.correct_reading(actor_for(world.user("gongcheng")), held, "141")
    with pytest.raises(InvalidInput) as above_next:
        meters.correct_reading(caiwu, held, "142")
    assert above_next.value.problems[0].field == "value"
    corrected = meters.correct_reading(caiwu, held, "140.5")
    following = meter.readings.get(read_on=date(2026, 12, 1))
    assert corrected.consumption == Decimal("0.5") and following.consumption == Decimal("0.5")


def test_the_meter_list_links_to_the_readings_waiting_for_review(world, login, caiwu, units):
    meter, = water_meters(world, units, 1)
    november(caiwu, meter, "220")
    page = login("caiwu").get(reverse("billing:meters")).content.decode()
    assert 'id="held-readings"' in page and reverse("billing:readings_review") in page
    other_project = login("kefu2").get(reverse("billing:readings_review")).content.decode()
    assert meter.code not in other_project
