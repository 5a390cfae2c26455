"""Shared costs (公摊): public meters' consumption × rate divided by area or per household so the shares add up to
the cost exactly; billed once per unit and month; refused to recompute once billed; published (公示)."""

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from wuye.billing import sharing
from wuye.billing.models import (
    Bill,
    ChargeItem,
    ChargeKind,
    Meter,
    MeterReading,
    SharedCost,
    SharingMethod,
    Tariff,
)
from wuye.billing.runs import run_billing
from wuye.billing.sharing import allocate_shared_costs, shares, split
from wuye.core.errors import Conflict, InvalidInput, NotAllowed
from wuye.core.money import format_money, to_money
from wuye.people.access import actor_for
from wuye.tenancy.models import Building, Unit

NOVEMBER = date(2026, 11, 1)
FEN = Decimal("0.01")


@given(cost=st.decimals(min_value=0, max_value=10_000_000, places=2),
       areas=st.lists(st.decimals(min_value=Decimal("0.01"), max_value=10_000, places=2), min_size=1, max_size=60))
def test_shares_add_up_to_the_cost_and_stay_within_a_fen_of_exact(cost, areas):
    weights = dict(enumerate(areas))
    parts = split(cost, weights)
    assert sum(parts.values()) == cost
    total = sum(areas)
    for key, area in weights.items():
        assert abs(parts[key] - cost * area / total) < FEN
        assert parts[key] == parts[key].quantize(FEN) and parts[key] >= 0


@given(cost=st.decimals(min_value=0, max_value=1_000_000, places=2), households=st.integers(min_value=1, max_value=500))
def test_per_household_shares_differ_by_at_most_a_fen(cost, households):
    parts = split(cost, dict.fromkeys(range(households), Decimal(1)))
    assert sum(parts.values()) == cost
    assert max(parts.values()) - min(parts.values()) <= FEN


def reading(meter, on, value, consumption):
    return MeterReading.objects.create(meter=meter, read_on=on, value=Decimal(value),
                                       consumption=None if consumption is None else Decimal(consumption))


@pytest.fixture
def shared(world):
    """Lift and lighting power per building by area (0.62/kWh); estate water per household (4.50/m³)."""
    project = world.project1
    power = ChargeItem.objects.create(project=project, code="shared-power", name="公共用电分摊",
                                      kind=ChargeKind.SHARED_UTILITY, meter_kind="electricity",
                                      sharing=SharingMethod.BY_AREA)
    water = ChargeItem.objects.create(project=project, code="shared-water", name="公共用水分摊",
                                      kind=ChargeKind.SHARED_UTILITY, meter_kind="water",
                                      sharing=SharingMethod.PER_HOUSEHOLD)
    Tariff.objects.create(item=power, basis="per_consumption", rate=Decimal("0.62"), effective_from=date(2026, 1, 1))
    Tariff.objects.create(item=water, basis="per_consumption", rate=Decimal("4.50"), effective_from=date(2026, 1, 1))
    building = Building.objects.filter(project=project).order_by("id").first()
    lift = Meter.objects.create(project=project, building=building, kind="electricity", code="E-1", label="1号楼电梯")
    grounds = Meter.objects.create(project=project, kind="water", code="W-PUB", label="小区公共用水")
    reading(lift, date(2026, 10, 31), "1000.00", None)
    reading(lift, date(2026, 11, 15), "2210.40", "1210.40")
    reading(lift, date(2026, 11, 30), "3597.33", "1386.93")
    reading(grounds, date(2026, 10, 31), "500.00", None)
    reading(grounds, date(2026, 11, 30), "683.70", "183.70")
    return {"power": power, "water": water, "building": building, "lift": lift, "grounds": grounds}


def test_a_buildings_cost_is_shared_by_its_units_area(world, shared):
    costs = allocate_shared_costs(actor_for(world.user("caiwu")), world.project1, NOVEMBER)
    power = next(cost for cost in costs if cost.item == shared["power"])
    assert power.consumption == Decimal("1210.40") + Decimal("1386.93")
    assert power.amount == to_money(power.consumption * Decimal("0.62"))
    units = list(Unit.objects.filter(building=shared["building"]))
    assert power.units_count == len(units) and power.total_area == sum(unit.area for unit in units)
    parts = shares(power, units)
    assert sum(parts.values()) == power.amount
    for unit in units:  # proportional to the floor area, within a fen
        assert abs(parts[unit.pk] - power.amount * unit.area / power.total_area) < FEN


def test_an_estate_cost_is_shared_per_household(world, shared):
    allocate_shared_costs(None, world.project1, NOVEMBER)
    water = SharedCost.objects.get(item=shared["water"], period=NOVEMBER)
    assert water.building is None and water.method == SharingMethod.PER_HOUSEHOLD
    units = list(Unit.objects.filter(project=world.project1))
    assert water.units_count == len(units)
    parts = shares(water, units)
    assert sum(parts.values()) == water.amount == to_money(Decimal("183.70") * Decimal("4.50"))
    assert max(parts.values()) - min(parts.values()) <= FEN


def test_the_run_bills_every_unit_its_share_once(world, shared):
    run = run_billing(None, world.project1, NOVEMBER, chunk=5)  # shares span chunks
    assert SharedCost.objects.count() == 2  # computed by the run, as none was on record
    for cost in SharedCost.objects.all():
        bills = Bill.objects.filter(source_id=cost.pk, item=cost.item)
        assert sum(bill.amount for bill in bills) == cost.amount
        assert bills.count() == cost.units_count
    again = run_billing(None, world.project1, NOVEMBER, chunk=5)
    assert again.bills_created == run.bills_created == Bill.objects.count()


def test_recomputing_replaces_an_unbilled_cost_and_refuses_a_billed_one(world, shared):
    caiwu = actor_for(world.user("caiwu"))
    first = {cost.item_id: cost for cost in allocate_shared_costs(caiwu, world.project1, NOVEMBER)}
    reading(shared["grounds"], date(2026, 11, 20), "600.00", "100.00")  # a reading entered late
    MeterReading.objects.filter(meter=shared["grounds"], read_on=date(2026, 11, 30)).update(consumption="83.70")
    again = {cost.item_id: cost for cost in allocate_shared_costs(caiwu, world.project1, NOVEMBER)}
    water = again[shared["water"].pk]
    assert water.pk == first[shared["water"].pk].pk and SharedCost.objects.count() == 2
    assert water.readings.count() == 2
    run_billing(None, world.project1, NOVEMBER)
    before = SharedCost.objects.get(pk=water.pk).amount
    with pytest.raises(Conflict):
        allocate_shared_costs(caiwu, world.project1, NOVEMBER)
    assert SharedCost.objects.get(pk=water.pk).amount == before and SharedCost.objects.count() == 2


def test_allocation_needs_the_right_and_a_month(world, shared):
    with pytest.raises(NotAllowed):
        allocate_shared_costs(actor_for(world.user("gongcheng")), world.project1, NOVEMBER)
    with pytest.raises(InvalidInput) as error:
        allocate_shared_costs(actor_for(world.user("caiwu")), world.project1, date(2026, 11, 15))
    assert error.value.problems[0].field == "period"
    assert not SharedCost.objects.exists()


# -- API ----------------------------------------------------------------------------------------------------------
def test_api_allocates_lists_and_scopes(world, api, shared):
    body = {"project_id": world.project1.pk, "period": "2026-11-01"}
    assert api("kefu2").post("/api/v1/shared-costs/allocate", body).json()["errors"][0]["field"] == "project_id"
    bad = api("caiwu").post("/api/v1/shared-costs/allocate", {**body, "period": "2026-11-15"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "period"
    assert not SharedCost.objects.exists()
    computed = api("caiwu").post("/api/v1/shared-costs/allocate", body).json()
    power = next(cost for cost in computed if cost["item_code"] == "shared-power")
    assert power["method"] == "by_area" and power["building_id"] == shared["building"].pk
    assert [m["code"] for m in power["meters"]] == ["E-1"]
    assert Decimal(power["meters"][0]["start_value"]) == Decimal("1000.00")
    assert Decimal(power["meters"][0]["end_value"]) == Decimal("3597.33")
    assert Decimal(power["per_share"]) == (Decimal(power["amount"]) / Decimal(power["total_area"])).quantize(
        Decimal("0.0001"))

    listed = api("caiwu").get("/api/v1/shared-costs", project=world.project1.pk, period="2026-11-01").json()
    assert listed["count"] == 2 and {c["id"] for c in listed["items"]} == {c["id"] for c in computed}
    assert api("kefu2").get("/api/v1/shared-costs").json() == {"items": [], "count": 0}
    assert api("kefu2").get("/api/v1/shared-costs", project=world.project1.pk).json()["count"] == 0
    unknown = api("caiwu").get("/api/v1/shared-costs", period="2026-11-15")
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "period"
    run_billing(None, world.project1, NOVEMBER)
    assert api("caiwu").post("/api/v1/shared-costs/allocate", body).status_code == 409


def test_owners_see_their_estates_costs_with_their_own_share(world, api, shared):
    allocate_shared_costs(None, world.project1, NOVEMBER)
    unit = world.owner_unit("yezhu")
    items = api("yezhu").get("/api/v1/shared-costs").json()["items"]
    assert len(items) == 2
    rows = list(Unit.objects.filter(project=world.project1).values_list("id", "building_id", "area"))
    for item in items:
        cost = SharedCost.objects.get(pk=item["id"])
        expected = sharing.shares_from_rows(cost, rows).get(unit.pk)
        assert (None if item["own_share"] is None else Decimal(item["own_share"])) == expected
    # Once billed, the owner's share is what the bill says.
    run_billing(None, world.project1, NOVEMBER)
    billed = {bill.source_id: bill.amount for bill in Bill.objects.filter(unit=unit, item__kind="shared_utility")}
    items = api("yezhu").get("/api/v1/shared-costs").json()["items"]
    assert {item["id"]: Decimal(item["own_share"]) for item in items if item["id"] in billed} == billed
    assert api("gongcheng").get("/api/v1/shared-costs").status_code == 403


# -- pages --------------------------------------------------------------------------------------------------------
def logged_in(username):
    client = Client()
    assert client.login(username=username, password="wuye-demo")
    return client


def test_console_page_computes_and_discloses_the_month(world, shared):
    caiwu = logged_in("caiwu")
    response = caiwu.post("/console/billing/shared-costs/allocate/", {"project": world.project1.pk,
                                                                     "month": "2026-11"})
    assert response.status_code == 302 and SharedCost.objects.count() == 2
    page = caiwu.get(response.url)
    text = page.content.decode()
    power = SharedCost.objects.get(item=shared["power"])
    assert page.status_code == 200 and "1号楼电梯" in text and format_money(power.amount) in text
    assert str(sharing.per_share(power)) in text and "3597.33" in text
    assert caiwu.get("/console/billing/shared-costs/", {"month": "2026-13"}).status_code == 422
    kefu2 = logged_in("kefu2")
    assert kefu2.get("/console/billing/shared-costs/", {"project": world.project1.pk}).status_code == 404
    assert "1号楼电梯" not in kefu2.get("/console/billing/shared-costs/").content.decode()
    before = SharedCost.objects.count()
    refused = kefu2.post("/console/billing/shared-costs/allocate/", {"project": world.project1.pk, "month": "2026-11"})
    assert refused.status_code == 404 and SharedCost.objects.count() == before
    assert logged_in("gongcheng").post("/console/billing/shared-costs/allocate/", {
        "project": world.project1.pk, "month": "2026-11"}).status_code == 403


def test_owner_disclosure_page_shows_the_method_and_own_share(world, shared):
    from django.utils import timezone

    # Costs of this month (the page shows the last twelve months).
    this_month = timezone.localdate().replace(day=1)
    for meter in (shared["lift"], shared["grounds"]):
        reading(meter, this_month, "9000.00", "120.00")
    allocate_shared_costs(None, world.project1, this_month)
    unit = world.owner_unit("yezhu")
    rows = list(Unit.objects.filter(project=world.project1).values_list("id", "building_id", "area"))
    page = logged_in("yezhu").get("/h5/disclosure/")
    text = page.content.decode()
    assert page.status_code == 200
    for cost in SharedCost.objects.filter(period=this_month):
        assert f'data-shared-cost="{cost.pk}"' in text and str(cost.amount) in text
        own = sharing.shares_from_rows(cost, rows).get(unit.pk)
        if own is not None:
            assert f"¥{own}" in text
    assert logged_in("caiwu").get("/h5/disclosure/").status_code == 302


def test_correcting_a_held_public_reading_recomputes_the_unbilled_shared_cost(world, shared):
    from wuye.billing.meters import correct_reading

    caiwu = actor_for(world.user("caiwu"))
    MeterReading.objects.filter(meter=shared["grounds"], read_on=date(2026, 11, 30)).update(anomaly="spike")
    water_cost = next(cost for cost in allocate_shared_costs(caiwu, world.project1, NOVEMBER)
                      if cost.item == shared["water"])
    assert water_cost.consumption == Decimal("183.70") and water_cost.amount == Decimal("826.65")
    held = MeterReading.objects.get(meter=shared["grounds"], read_on=date(2026, 11, 30))
    correct_reading(caiwu, held, "518.30")  # the reader typed 683.70 for 518.30
    water_cost = SharedCost.objects.get(item=shared["water"], period=NOVEMBER)
    assert water_cost.consumption == Decimal("18.30") and water_cost.amount == Decimal("82.35")  # 18.30 m³ × 4.50
    assert set(water_cost.readings.values_list("value", flat=True)) == {Decimal("518.30")}
