"""One reading of a unit typed into a search box (`tenancy.search.unit_search_q`), the same on every face."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from wuye.tenancy.models import Building, Unit
from wuye.tenancy.search import unit_search_q


@pytest.fixture
def places(world):
    """The small world's project 1 (buildings 1 and 2, flats 101–302) plus building 3 with two entrances, whose
    numbers carry the entrance ("1-1201"), and a building named A座."""
    project = world.project1
    three = Building.objects.create(project=project, number="3", name="3号楼", floors=12)
    tower = Building.objects.create(project=project, number="A", name="A座", floors=12)
    for building, entrance, number in ((three, "1", "1-1201"), (three, "2", "2-1201"), (three, "1", "1-1202"),
                                       (tower, "", "1201")):
        Unit.objects.create(project=project, building=building, entrance=entrance, number=number, floor=12,
                            area=Decimal("90.00"))
    return world


def labels(units) -> set[str]:
    return {unit.label for unit in units}


CASES = [
    # typed → the units of project 1 it finds (building-number labels)
    ("1201", {"3-1-1201", "3-2-1201", "A-1201"}),
    ("3-1201", {"3-1-1201", "3-2-1201"}),
    ("3栋1201", {"3-1-1201", "3-2-1201"}),
    ("3号楼1201", {"3-1-1201", "3-2-1201"}),
    ("3-1-1201", {"3-1-1201"}),
    ("3号楼1单元1201", {"3-1-1201"}),
    ("3栋2单元-1201", {"3-2-1201"}),
    ("1-1201", {"3-1-1201"}),  # the number as stored, whatever the building
    ("３－１２０１", {"3-1-1201", "3-2-1201"}),  # full-width, as a Chinese keyboard types it
    ("3 / 1201", {"3-1-1201", "3-2-1201"}),
    ("101", {"1-101", "2-101"}),  # exact: 101 never finds 1101 or 1010
    ("1-101", {"1-101"}),
    ("2号楼", {"2-101", "2-102", "2-201", "2-202", "2-301", "2-302"}),
    ("A座", {"A-1201"}),
    ("a座1201", {"A-1201"}),
    ("3号楼1单元", {"3-1-1201", "3-1-1202"}),
    ("10", set()),
    ("漏水", set()),
    ("9-101", set()),
]


@pytest.mark.parametrize(("typed", "expected"), CASES)
def test_a_unit_as_typed_finds_these_units(places, typed, expected):
    units = Unit.objects.with_places().filter(project=places.project1).filter(unit_search_q(typed))
    assert labels(units) == expected


def test_through_a_relation_with_a_prefix(places):
    from wuye.workorders.models import Ticket

    tickets = {unit.label: places.ticket(places.project1, unit=unit)
               for unit in Unit.objects.with_places().filter(building__number__in=["3", "A"])}
    found = Ticket.objects.filter(unit_search_q("3号楼1201", "unit__"))
    assert set(found) == {tickets["3-1-1201"], tickets["3-2-1201"]}


UNIT_LINK = re.compile(r'href="/console/units/(\d+)/"')
ACCOUNT_LINK = re.compile(r'href="/console/billing/units/(\d+)/"')


@pytest.mark.parametrize("typed", ["1201", "3-1201", "3号楼1单元1201", "2号楼", "101", "A座"])
def test_every_face_finds_the_same_units(places, login, api, typed):
    expected = set(Unit.objects.filter(project=places.project1).filter(unit_search_q(typed))
                   .values_list("id", flat=True))
    assert expected
    project = places.project1.pk
    console = login("kefu").get(reverse("web:units"), {"project": project, "q": typed}).content.decode()
    assert {int(pk) for pk in UNIT_LINK.findall(console)} == expected
    body = api("kefu").get("/api/v1/units", project=project, q=typed, page_size=200).json()
    assert {item["id"] for item in body["items"]} == expected
    accounts = login("caiwu").get(reverse("billing:accounts"), {"project": project, "q": typed}).content.decode()
    assert {int(pk) for pk in ACCOUNT_LINK.findall(accounts)} == expected


RESIDENT_LINK = re.compile(r'href="/console/residents/(\d+)/"')


@pytest.mark.parametrize("typed", ["1-101", "2号楼", "101", "1号楼2"])
def test_owner_records_find_the_people_living_in_those_units(places, login, api, typed):
    from wuye.people.models import Residency

    units = Unit.objects.filter(project=places.project1).filter(unit_search_q(typed))
    expected = set(Residency.objects.current().filter(unit__in=units).values_list("resident_id", flat=True))
    assert expected or typed == "1号楼2"
    project = places.project1.pk
    console = login("kefu").get(reverse("web:residents"), {"project": project, "q": typed}).content.decode()
    assert {int(pk) for pk in RESIDENT_LINK.findall(console)} == expected
    body = api("kefu").get("/api/v1/owners", project=project, q=typed, page_size=200).json()
    assert {item["id"] for item in body["items"]} == expected
