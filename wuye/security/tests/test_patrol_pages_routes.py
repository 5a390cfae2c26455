"""Routes through their form and the patrol services: a new route takes the project's interval when left blank
(2 h, key areas 1 h — the seed's rules), checkpoints are reordered and removed by editing the lines, the service's
refusals come back under the line they belong to, a route is switched off, its QR labels print."""

from __future__ import annotations

import pytest
from django.urls import reverse

from wuye.security.models import PatrolRoute

from .patrolweb_fixture import line

LINES = "北门 | 北门岗亭 | BM-01 | 5 | 道闸\n\n南门 | | NM-01 | 15\n车库入口 | B1 | CK-01 | 25"


def new_route(client, project, **fields):
    return client.post(reverse("security:route_new"), {"project": project.pk, "name": "大门", "checkpoints": LINES,
                                                       **fields})


def test_a_new_route_takes_the_projects_interval(world, login):
    client = login("zhixu")
    response = new_route(client, world.project1)
    route = PatrolRoute.objects.get(name="大门")
    assert response.status_code == 302 and response.url == reverse("security:route", args=[route.pk])
    assert route.every_minutes == 120  # tenancy rule patrol_every_minutes, seed 2 h
    assert [(c.order, c.code, c.minutes_from_start) for c in route.checkpoints.order_by("order")] == [
        (1, "BM-01", 5), (2, "NM-01", 15), (3, "CK-01", 25)]
    key = client.post(reverse("security:route_new"), {"project": world.project1.pk, "name": "地下车库",
                                                      "is_key_area": "on", "checkpoints": "车库 | B2 | CK-02 | 0"})
    assert key.status_code == 302
    assert PatrolRoute.objects.get(name="地下车库").every_minutes == 60  # patrol_key_area_every_minutes, seed 1 h


def test_editing_the_lines_reorders_and_removes_checkpoints(world, login):
    client = login("zhixu")
    new_route(client, world.project1)
    route = PatrolRoute.objects.get(name="大门")
    response = client.post(reverse("security:route", args=[route.pk]), {
        "name": "大门", "every_minutes": "90", "round_minutes": "40",
        "checkpoints": "车库入口 | B1 | CK-01 | 5\n北门 | 北门岗亭 | BM-01 | 20"})
    assert response.status_code == 302
    route.refresh_from_db()
    assert route.every_minutes == 90
    active = route.checkpoints.filter(is_active=True).order_by("order")
    assert [(c.order, c.code) for c in active] == [(1, "CK-01"), (2, "BM-01")]
    assert not route.checkpoints.get(code="NM-01").is_active
    page = client.get(reverse("security:route", args=[route.pk]))
    assert page.context["form"]["checkpoints"] == "车库入口 | B1 | CK-01 | 5\n北门 | 北门岗亭 | BM-01 | 20"


def test_the_services_refusals_are_said_under_their_line(world, login):
    client = login("zhixu")
    response = client.post(reverse("security:route_new"), {
        "project": world.project1.pk, "name": "大门", "round_minutes": "30",
        "checkpoints": "北门 | | BM-01 | 5\n\n南门 | | BM-01 | 10\n东门 | | DM-01 | 45"})
    assert response.status_code == 422
    message = response.context["errors"]["checkpoints"]
    assert line(3) in message and line(4) in message and line(1) not in message  # blank line 2 counted
    assert not PatrolRoute.objects.filter(name="大门").exists()
    new_route(client, world.project1)
    twice = new_route(client, world.project1, checkpoints="西门 | | XM-01 | 5")
    assert twice.status_code == 409 and "form" in twice.context["errors"]  # the name is taken in the project


def test_switching_a_route_off_and_printing_its_labels(world, login):
    client = login("zhixu")
    new_route(client, world.project1)
    route = PatrolRoute.objects.get(name="大门")
    pdf = client.get(reverse("security:route_labels", args=[route.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and "attachment" in pdf["Content-Disposition"]
    assert client.post(reverse("security:route", args=[route.pk]), {"action": "toggle"}).status_code == 302
    route.refresh_from_db()
    assert not route.is_active
    assert login("kefu").post(reverse("security:route", args=[route.pk]), {"action": "toggle"}).status_code == 403


@pytest.mark.parametrize("value", ["²", "9" * 30, "-5", "abc"])
def test_odd_numbers_in_the_form_are_a_422_naming_the_field(world, login, value):
    response = new_route(login("zhixu"), world.project1, every_minutes=value, round_minutes=value,
                         first_round_at=value)
    assert response.status_code == 422
    assert set(response.context["errors"]) & {"every_minutes", "round_minutes", "first_round_at"}
