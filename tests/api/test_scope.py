"""Nobody reads across scope (§1, §9): an owner sees only their own units and records, `kefu2` sees nothing of
project 1 — for every endpoint. Records outside scope answer 404, so their existence does not leak.

`ENDPOINTS` must list every route of the API; `test_every_route_is_covered` fails when a new one is missing.
"""

import pytest

from wuye.api import api as ninja_api
from wuye.billing.models import Bill
from wuye.people.models import Resident, Vehicle
from wuye.tenancy.models import Building, Unit
from wuye.workorders.models import Ticket

# Each detail route with the record it is asked for: a function of (world, foreign_project) → id.
DETAIL_ROUTES = {
    "/api/v1/projects/{project_id}": lambda world, project: project.pk,
    "/api/v1/units/{unit_id}": lambda world, project: Unit.objects.filter(project=project).first().pk,
    "/api/v1/owners/{resident_id}": lambda world, project: Resident.objects.filter(project=project).first().pk,
    "/api/v1/tickets/{ticket_id}": lambda world, project: world.ticket(project).pk,
    "/api/v1/units/{unit_id}/ledger": lambda world, project: Unit.objects.filter(project=project).first().pk,
}
WRITE_ROUTES_ON_RECORDS = {
    "/api/v1/owners/{resident_id}/vehicles": lambda world, project: Resident.objects.filter(project=project).first().pk,
    "/api/v1/tickets/{ticket_id}/actions/{action}": lambda world, project: world.ticket(project).pk,
    "/api/v1/tickets/{ticket_id}/photos": lambda world, project: world.ticket(project).pk,
    "/api/v1/tickets/{ticket_id}/photos/{photo_id}": lambda world, project: world.ticket(project).pk,
}
LIST_ROUTES = {
    "/api/v1/projects": "project_id",
    "/api/v1/buildings": "project_id",
    "/api/v1/units": "project_id",
    "/api/v1/owners": "project_id",
    "/api/v1/vehicles": None,
    "/api/v1/tickets": "project_id",
    "/api/v1/bills": None,
}
OWN_ROUTES = {"/api/v1/me", "/api/v1/me/notifications", "/api/v1/me/notifications/{notification_id}/read",
              "/api/v1/auth/token", "/api/v1/me/tickets"}
CREATE_ROUTES = {"/api/v1/projects", "/api/v1/buildings", "/api/v1/units", "/api/v1/owners", "/api/v1/tickets",
                 "/api/v1/payments", "/api/v1/billing/runs"}


def test_every_route_is_covered():
    paths = set(ninja_api.get_openapi_schema()["paths"])
    covered = set(DETAIL_ROUTES) | set(WRITE_ROUTES_ON_RECORDS) | set(LIST_ROUTES) | OWN_ROUTES | CREATE_ROUTES
    assert paths <= covered, f"add scope tests for: {sorted(paths - covered)}"


@pytest.mark.parametrize("route", sorted(DETAIL_ROUTES))
def test_kefu2_gets_404_for_project_1_records(world, api, route):
    record_id = DETAIL_ROUTES[route](world, world.project1)
    url = route.replace(route[route.index("{"):route.index("}") + 1], str(record_id))
    assert api("kefu2").get(url).status_code == 404
    assert api("kefu").get(url).status_code == 200  # the same record is there for project 1's staff


@pytest.mark.parametrize("route", sorted(DETAIL_ROUTES))
def test_yezhu_gets_404_for_records_of_other_owners(world, api, route):
    own_unit = world.owner_unit("yezhu")
    foreign = {
        "/api/v1/projects/{project_id}": world.project2.pk,
        "/api/v1/units/{unit_id}": Unit.objects.filter(project=world.project1).exclude(pk=own_unit.pk).first().pk,
        "/api/v1/owners/{resident_id}": Resident.objects.filter(project=world.project1)
        .exclude(residencies__unit=own_unit).first().pk,
        "/api/v1/tickets/{ticket_id}": world.ticket(world.project1, unit=Unit.objects.filter(
            project=world.project1).exclude(pk=own_unit.pk).first()).pk,
        "/api/v1/units/{unit_id}/ledger": Unit.objects.filter(project=world.project1).exclude(pk=own_unit.pk)
        .first().pk,
    }[route]
    url = route.replace(route[route.index("{"):route.index("}") + 1], str(foreign))
    assert api("yezhu").get(url).status_code == 404


def test_yezhu_reads_own_unit_and_record(world, api):
    client = api("yezhu")
    own_unit = world.owner_unit("yezhu")
    assert client.get(f"/api/v1/units/{own_unit.pk}").status_code == 200
    me = Resident.objects.get(user__username="yezhu")
    body = client.get(f"/api/v1/owners/{me.pk}").json()
    assert body["phone"] == me.phone  # own record unmasked


@pytest.mark.parametrize("route", sorted(LIST_ROUTES))
def test_lists_hold_nothing_from_outside_scope(world, api, route):
    for project in (world.project1, world.project2):
        world.ticket(project)
        world.bill(Unit.objects.filter(project=project).last())
    world.ticket(world.project1, unit=world.owner_unit("yezhu"))
    world.bill(world.owner_unit("yezhu"))
    kefu2 = api("kefu2").get(route, page_size=200).json()["items"]
    assert kefu2, "kefu2 sees project 2's records"
    field = LIST_ROUTES[route]
    if field:
        assert {item.get(field, item.get("id")) for item in kefu2} == {world.project2.pk}
    else:  # rows that carry no project id: every id must belong to project 2
        model = {"/api/v1/vehicles": Vehicle, "/api/v1/bills": Bill}[route]
        assert {item["id"] for item in kefu2} <= set(
            model.objects.filter(project=world.project2).values_list("pk", flat=True))

    yezhu_items = api("yezhu").get(route, page_size=200).json()["items"]
    own_unit = world.owner_unit("yezhu")
    allowed = {
        "/api/v1/projects": {world.project1.pk},
        "/api/v1/buildings": {own_unit.building_id},
        "/api/v1/units": {own_unit.pk},
        "/api/v1/owners": set(Resident.objects.filter(residencies__unit=own_unit).values_list("pk", flat=True)),
        "/api/v1/vehicles": set(
            Vehicle.objects.filter(resident__residencies__unit=own_unit).values_list("pk", flat=True)
        ),
        "/api/v1/tickets": set(Ticket.objects.filter(unit=own_unit).values_list("pk", flat=True)),
        "/api/v1/bills": set(Bill.objects.filter(unit=own_unit).values_list("pk", flat=True)),
    }[route]
    assert {item["id"] for item in yezhu_items} <= allowed


def test_list_filters_cannot_widen_scope(world, api):
    kefu2 = api("kefu2")
    assert kefu2.get("/api/v1/units", project=world.project1.pk).json() == {"items": [], "count": 0}
    building = Building.objects.filter(project=world.project1).first()
    assert kefu2.get("/api/v1/units", building=building.pk).json()["count"] == 0


def test_actions_on_foreign_tickets_are_404(world, api):
    ticket = world.ticket(world.project1)
    assert api("kefu2").post(f"/api/v1/tickets/{ticket.pk}/actions/cancel", {"reason": "x"}).status_code == 404
    other = world.ticket(world.project1, unit=Unit.objects.filter(project=world.project1).exclude(
        pk=world.owner_unit("yezhu").pk).first())
    assert api("yezhu").post(f"/api/v1/tickets/{other.pk}/actions/cancel", {"reason": "x"}).status_code == 404


def test_writes_on_foreign_records_are_404_or_name_the_field(world, api):
    kefu2 = api("kefu2")
    resident = Resident.objects.filter(project=world.project1).first()
    before = Vehicle.objects.count()
    assert kefu2.post(f"/api/v1/owners/{resident.pk}/vehicles", {"plate": "沪A12345"}).status_code == 404
    unit = Unit.objects.filter(project=world.project1).first()
    response = kefu2.post("/api/v1/owners", {"unit_id": unit.pk, "name": "张三", "phone": "13812345678"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "unit_id"
    assert Vehicle.objects.count() == before


def test_owners_cannot_write_staff_records(world, api):
    own_unit = world.owner_unit("yezhu")
    response = api("yezhu").post("/api/v1/owners", {"unit_id": own_unit.pk, "name": "李四", "phone": "13812345678"})
    assert response.status_code == 403


def test_anonymous_callers_are_refused(world, api):
    anonymous = api()
    for route in ("/api/v1/projects", "/api/v1/units", "/api/v1/owners", "/api/v1/me"):
        response = anonymous.get(route)
        assert response.status_code == 401
        assert "detail" in response.json()
