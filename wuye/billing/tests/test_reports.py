"""Arrears aging and collection rate: buckets at their exact boundaries, only what is still owed, scope, the API's
shape and the console page with its charts."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from wuye.billing import reports, services
from wuye.billing.models import Bill, ChargeItem
from wuye.people.access import actor_for
from wuye.tenancy.models import Building, Unit

AS_OF = date(2026, 12, 31)


def charge(unit, amount, *, due_on, period=None):
    item, _ = ChargeItem.objects.get_or_create(project_id=unit.project_id, code="property-fee",
                                               defaults={"name": "物业费", "kind": "property_fee"})
    return services.post_charge(None, unit, item, amount, due_on=due_on, period=period)


def pay(world, unit, amount, *, key, when=None):
    return services.pay(actor_for(world.user("caiwu")), unit, amount, channel="cash", idempotency_key=key, now=when)


def units_of(project):
    return list(Unit.objects.filter(project=project).order_by("id"))


def overdue(days: int) -> date:
    return AS_OF - timedelta(days=days)


def test_bucket_boundaries_are_exact(world):
    unit = units_of(world.project1)[0]
    # days overdue → bucket; due on as_of itself is not yet overdue
    cases = {0: "not_due", 1: "b0_30", 30: "b0_30", 31: "b31_60", 60: "b31_60", 61: "b61_90", 90: "b61_90",
             91: "b90_plus", 400: "b90_plus"}
    expected = dict.fromkeys(["not_due", *reports.BUCKET_KEYS], Decimal("0.00"))
    for n, (days, bucket) in enumerate(cases.items(), start=1):
        amount = Decimal(f"{n}.01")
        charge(unit, amount, due_on=overdue(days))
        expected[bucket] += amount
    charge(unit, "5.00", due_on=AS_OF + timedelta(days=10))  # due in the future
    expected["not_due"] += Decimal("5.00")

    report = reports.arrears_aging(actor_for(world.user("caiwu")), as_of=AS_OF, group_by="project")
    [row] = report.rows
    assert {key: getattr(row, key) for key in expected} == expected
    assert row.bills == {"not_due": 2, "b0_30": 2, "b31_60": 2, "b61_90": 2, "b90_plus": 2}
    assert row.total == sum(expected[key] for key in reports.BUCKET_KEYS)
    assert row.units_in_arrears == 1


def test_only_what_is_still_owed_counts(world):
    caiwu = actor_for(world.user("caiwu"))
    partly_paid, written_off, settled, untouched = units_of(world.project1)[:4]
    charge(partly_paid, "100.00", due_on=overdue(40))
    pay(world, partly_paid, "30.00", key="partial")
    bill = charge(written_off, "200.00", due_on=overdue(10))
    services.write_off(actor_for(world.user("jingli")), bill, "50.00", reason="协商减免")  # the approval's ledger step
    charge(settled, "80.00", due_on=overdue(100))
    pay(world, settled, "80.00", key="settled")
    charge(untouched, "12.34", due_on=overdue(100))

    report = reports.arrears_aging(caiwu, as_of=AS_OF, group_by="project")
    [row] = report.rows
    assert row.b31_60 == Decimal("70.00")
    assert row.b0_30 == Decimal("150.00")
    assert row.b90_plus == Decimal("12.34")  # the settled 80.00 is not in it
    assert row.bills["b90_plus"] == 1
    assert row.units_in_arrears == 3
    assert row.total == sum((b.outstanding for b in Bill.objects.all()), Decimal(0))


def test_grouped_by_building_or_by_project_within_scope(world):
    first_building, second_building = Building.objects.filter(project=world.project1).order_by("id")[:2]
    a = Unit.objects.filter(building=first_building).first()
    b1, b2 = Unit.objects.filter(building=second_building)[:2]
    charge(a, "10.00", due_on=overdue(5))
    charge(b1, "20.00", due_on=overdue(45))
    charge(b2, "30.00", due_on=overdue(75))
    charge(units_of(world.project2)[0], "40.00", due_on=overdue(5))
    pinzhi = actor_for(world.user("pinzhi"))

    by_building = reports.arrears_aging(pinzhi, as_of=AS_OF)
    rows = {(row.project_id, row.building_id): row for row in by_building.rows}
    assert set(rows) == {(world.project1.pk, first_building.pk), (world.project1.pk, second_building.pk),
                         (world.project2.pk, units_of(world.project2)[0].building_id)}
    second = rows[(world.project1.pk, second_building.pk)]
    assert (second.b31_60, second.b61_90, second.units_in_arrears) == (Decimal("20.00"), Decimal("30.00"), 2)
    assert by_building.totals.total == Decimal("100.00")

    by_project = reports.arrears_aging(pinzhi, as_of=AS_OF, group_by="project")
    assert {row.project_id: row.total for row in by_project.rows} == {world.project1.pk: Decimal("60.00"),
                                                                       world.project2.pk: Decimal("40.00")}
    # Finance of project 1 sees project 1 only; a building filter narrows to it.
    caiwu = actor_for(world.user("caiwu"))
    assert {row.project_id for row in reports.arrears_aging(caiwu, as_of=AS_OF).rows} == {world.project1.pk}
    only = reports.arrears_aging(caiwu, as_of=AS_OF, building=second_building)
    assert [row.building_id for row in only.rows] == [second_building.pk]


def test_api_aging_shape_and_money_as_strings(world, api):
    unit = units_of(world.project1)[0]
    charge(unit, "100.00", due_on=overdue(40))
    pay(world, unit, "0.50", key="half-yuan")
    charge(unit, "8.80", due_on=AS_OF + timedelta(days=3))
    response = api("caiwu").get("/api/v1/reports/arrears-aging", project=world.project1.pk, as_of=AS_OF.isoformat())
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["as_of"] == "2026-12-31" and body["buckets"] == ["0-30", "31-60", "61-90", ">90"]
    [row] = body["rows"]
    assert row["building_id"] == unit.building_id and row["building"] == str(unit.building)
    assert row["project"] == world.project1.name
    assert (row["b31_60"], row["not_due"], row["total"], row["b0_30"]) == ("99.50", "8.80", "99.50", "0.00")
    assert row["units_in_arrears"] == 1 and row["bills"]["b31_60"] == 1
    assert body["totals"]["total"] == "99.50"

    by_project = api("caiwu").get("/api/v1/reports/arrears-aging", group="project", as_of=AS_OF.isoformat()).json()
    assert "building_id" not in by_project["rows"][0]


def test_api_refuses_foreign_projects_owners_and_bad_input(world, api):
    kefu2 = api("kefu2")
    assert kefu2.get("/api/v1/reports/arrears-aging", project=world.project1.pk).status_code == 404
    assert kefu2.get("/api/v1/reports/collection-rate", project=world.project1.pk).status_code == 404
    building = Building.objects.filter(project=world.project1).first()
    assert kefu2.get("/api/v1/reports/arrears-aging", building=building.pk).status_code == 404
    assert kefu2.get("/api/v1/reports/collection-rate", project=world.project2.pk).status_code == 200
    yezhu = api("yezhu")
    assert yezhu.get("/api/v1/reports/arrears-aging").status_code == 403
    assert yezhu.get("/api/v1/reports/collection-rate", project=world.project1.pk).status_code == 403

    caiwu = api("caiwu")
    for params, field in (({"project": "abc"}, "project"), ({"group": "unit"}, "group"),
                          ({"as_of": "2026-13-01"}, "as_of")):
        response = caiwu.get("/api/v1/reports/arrears-aging", **params)
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == field, response.content
    for params, field in (({"from": "2026/01"}, "from"), ({"to": "2026-13"}, "to"),
                          ({"from": "2026-05", "to": "2026-01"}, "to"), ({"from": "2020-01", "to": "2026-01"}, "to")):
        response = caiwu.get("/api/v1/reports/collection-rate", project=world.project1.pk, **params)
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == field, response.content


def test_collection_rate_from_partly_paid_bills(world, api):
    october, november = date(2026, 10, 1), date(2026, 11, 1)
    caiwu = actor_for(world.user("caiwu"))
    u1, u2, u3 = units_of(world.project1)[:3]
    charge(u1, "300.00", due_on=date(2026, 10, 31), period=october)
    charge(u2, "200.00", due_on=date(2026, 10, 31), period=october)
    b3 = charge(u3, "100.00", due_on=date(2026, 10, 31), period=october)
    pay(world, u1, "300.00", key="oct-u1", when=timezone.make_aware(datetime(2026, 10, 20, 10)))
    pay(world, u2, "50.00", key="nov-u2", when=timezone.make_aware(datetime(2026, 11, 5, 10)))  # arrears, in Nov
    services.write_off(actor_for(world.user("jingli")), b3, "100.00", reason="空置减免")
    charge(u1, "320.00", due_on=date(2026, 11, 30), period=november)
    pay(world, u1, "160.00", key="nov-u1", when=timezone.make_aware(datetime(2026, 11, 20, 10)))

    rows = reports.collection_rate(caiwu, world.project1, [october, november])
    oct_row, nov_row = rows
    bills = Bill.objects.filter(period=october)
    billed = sum(b.amount for b in bills)
    collected = sum(b.paid for b in bills)
    assert (oct_row.billed, oct_row.collected, oct_row.written_off) == (billed, collected, b3.amount)
    assert oct_row.rate == (collected * 100 / (billed - b3.amount)).quantize(Decimal("0.01"))
    assert nov_row.rate == Decimal("50.00")  # 160 of 320
    assert oct_row.arrears_collected == Decimal("0.00")  # b1 was paid in its own month
    assert nov_row.arrears_collected == Decimal("50.00")  # u2's October bill, paid in November

    body = api("caiwu").get("/api/v1/reports/collection-rate", project=world.project1.pk,
                            **{"from": "2026-09", "to": "2026-11"}).json()
    assert [row["period"] for row in body["rows"]] == ["2026-09", "2026-10", "2026-11"]
    assert body["rows"][0]["rate"] is None and body["rows"][0]["billed"] == "0.00"
    assert body["rows"][1]["rate"] == str(oct_row.rate) and body["rows"][2]["arrears_collected"] == "50.00"


@pytest.mark.parametrize("username", ["caiwu", "pinzhi"])
def test_console_page_draws_the_charts_from_records(world, username):
    unit = units_of(world.project1)[0]
    this_month = timezone.localdate().replace(day=1)
    charge(unit, "123.45", due_on=timezone.localdate() - timedelta(days=45), period=this_month)
    client = Client()
    assert client.login(username=username, password="wuye-demo")
    response = client.get("/console/billing/reports/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="aging-chart"' in page and 'class="rate-chart"' in page
    assert "¥123.45" in page  # the building's bar, labelled with its total
    assert str(unit.building) in page
    project_page = client.get("/console/billing/reports/", {"project": world.project1.pk, "from": "bad"})
    assert project_page.status_code == 200


def test_owners_are_sent_away_from_the_console_page(world):
    client = Client()
    assert client.login(username="yezhu", password="wuye-demo")
    assert client.get("/console/billing/reports/").status_code == 302


def test_aging_chart_stays_inside_the_drawing():
    rows = [reports.AgingRow(project_id=1, project="p", building_id=n, building=f"{n}号楼",
                             b0_30=Decimal(n), b90_plus=Decimal(3 * n)) for n in range(1, 30)]
    from wuye.billing.web.reports import aging_chart

    chart = aging_chart(rows, with_project=False)
    assert len(chart["bars"]) == 20 and chart["more"] == 9
    assert chart["bars"][0]["label"] == "29号楼"  # largest first
    for bar in chart["bars"]:
        end = bar["segments"][-1]["x"] + bar["segments"][-1]["width"]
        assert chart["left"] <= bar["segments"][0]["x"] and end <= chart["width"]
