"""Nobody reads across scope in the community processes (§7, §9). Asked by `jingli2` (the manager of project 2
only) and `kefu2` (project 2's desk) of project 1's records — move-ins and their batches, takeovers, decorations,
announcements, incidents, service orders, bookings and activities: each detail and each step answers 404 and
nothing is written, while project 1's manager reads the detail with 200; the lists hold nothing of project 1.
Owners: yezhu2 (a home in project 2) gets 403/404 on project 1's records. The records are the demo's, made at a
fixed NOW (a Wednesday morning in Shanghai)."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from wuye.api import api as ninja_api

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 2, 10, 5, tzinfo=SH)

# (method, route) → body; project 2's manager asks project 1's record, project 1's manager reads the GETs with 200.
COMMUNITY_RECORD_ROUTES = {
    ("get", "/api/v1/move-in-batches/{batch_id}"): None,
    ("get", "/api/v1/move-in-batches/{batch_id}/notice.pdf"): None,
    ("post", "/api/v1/move-in-batches/{batch_id}/actions/{action}"): {},
    ("get", "/api/v1/move-ins/{move_in_id}"): None,
    ("post", "/api/v1/move-ins/{move_in_id}/actions/{action}"): {},
    ("get", "/api/v1/takeovers/{takeover_id}"): None,
    ("get", "/api/v1/takeovers/{takeover_id}/report.pdf"): None,
    ("post", "/api/v1/takeovers/{takeover_id}/actions/{action}"): {},
    ("get", "/api/v1/decorations/{decoration_id}"): None,
    ("post", "/api/v1/decorations/{decoration_id}/actions/{action}"): {},
    ("get", "/api/v1/announcements/{announcement_id}"): None,
    ("post", "/api/v1/announcements/{announcement_id}/actions/{action}"): {},
    ("get", "/api/v1/incidents/{incident_id}"): None,
    ("get", "/api/v1/incidents/{incident_id}/report"): None,
    ("post", "/api/v1/incidents/{incident_id}/log"): {"text": "现场已处理"},
    ("post", "/api/v1/incidents/{incident_id}/actions/{action}"): {},
    ("get", "/api/v1/service-orders/{order_id}"): None,
    ("post", "/api/v1/service-orders/{order_id}/actions/{action}"): {},
    ("get", "/api/v1/venues/{venue_id}/availability"): None,
    ("get", "/api/v1/bookings/{booking_id}"): None,
    ("post", "/api/v1/bookings/{booking_id}/actions/{action}"): {},
    ("get", "/api/v1/activities/{activity_id}"): None,
    ("post", "/api/v1/activities/{activity_id}/actions/{action}"): {},
    ("get", "/api/v1/activities/{activity_id}/signups"): None,
}
# list route → the record's key
COMMUNITY_LIST_ROUTES = {
    "/api/v1/move-in-batches": "batch_id", "/api/v1/move-ins": "move_in_id", "/api/v1/takeovers": "takeover_id",
    "/api/v1/decorations": "decoration_id", "/api/v1/announcements": "announcement_id",
    "/api/v1/incidents": "incident_id", "/api/v1/service-orders": "order_id", "/api/v1/venues": "venue_id",
    "/api/v1/bookings": "booking_id", "/api/v1/activities": "activity_id",
}


def community_routes() -> set[str]:
    """The community routes whose scope is tested here (the rest are listed by test_every_route_is_covered)."""
    return ({route for _method, route in COMMUNITY_RECORD_ROUTES} | set(COMMUNITY_LIST_ROUTES)
            | community_part_routes())


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def _second_manager(world):
    from wuye.people.access import actor_for
    from wuye.people.services import create_staff

    admin = actor_for(world.user("admin"))
    create_staff(admin, company=world.company, username="jingli2", password="wuye-demo", name="吴志刚",
                 role="project_manager", projects=[world.project2])


def _records(world) -> dict[int, dict]:
    """The demo's community records, then one of each kind per project (project id → key → record id)."""
    from wuye.community.activities.models import Activity
    from wuye.community.announcements.models import Announcement
    from wuye.community.bookings.models import Booking, Venue
    from wuye.community.catalogue.models import ServiceOrder
    from wuye.community.decorations.models import Decoration
    from wuye.community.emergencies.models import Incident
    from wuye.community.moveins.models import MoveIn, MoveInBatch
    from wuye.community.takeovers.models import Takeover
    from wuye.demo import (
        community_announcements,
        community_bookings,
        community_catalogue,
        community_decorations,
        community_emergencies,
        community_moveins,
        community_takeovers,
    )

    company = world.company
    community_moveins.add_demo_moveins(company, now=NOW)
    community_takeovers.add_demo_takeovers(company, now=NOW)
    community_decorations.add_demo_decorations(company, now=NOW)
    community_announcements.add_demo_announcements(company, now=NOW)
    community_emergencies.add_demo_emergencies(company, now=NOW)
    community_catalogue.add_demo_catalogue(company, now=NOW)
    community_catalogue.add_demo_activities(company, now=NOW)
    community_bookings.add_demo_bookings(company, now=NOW)
    kinds = {"batch_id": MoveInBatch, "move_in_id": MoveIn, "takeover_id": Takeover, "decoration_id": Decoration,
             "announcement_id": Announcement, "incident_id": Incident, "order_id": ServiceOrder,
             "venue_id": Venue, "booking_id": Booking, "activity_id": Activity}
    found = {}
    for project in (world.project1, world.project2):
        found[project.pk] = {key: getattr(model.objects.filter(project=project).order_by("id").first(), "pk", None)
                             for key, model in kinds.items()}
    return found


def _fill(route: str, ids: dict) -> str:
    url = route.replace("{action}", "cancel")
    for name, value in ids.items():
        url = url.replace("{" + name + "}", str(value))
    return url


def test_community_routes_exist():
    paths = set(ninja_api.get_openapi_schema()["paths"])
    assert community_routes() <= paths, sorted(community_routes() - paths)


@pytest.mark.parametrize("method,route", sorted(COMMUNITY_RECORD_ROUTES), ids=lambda value: value)
def test_project_2_staff_get_404_for_project_1_community_records(world, api, method, route):
    from wuye.core.models import Event

    _second_manager(world)
    first = _records(world)[world.project1.pk]
    key = route.split("{")[1].split("}")[0]
    if first[key] is None:
        pytest.skip(f"the demo makes no {key} in project 1")
    url = _fill(route, first)
    body = COMMUNITY_RECORD_ROUTES[(method, route)]
    clients = {name: api(name) for name in ("jingli2", "kefu2", "yezhu2", "jingli")}  # signing in writes events
    events = Event.objects.count()
    for asker in ("jingli2", "kefu2"):
        response = clients[asker].get(url) if method == "get" else clients[asker].post(url, body)
        assert response.status_code == 404, (asker, url, response.status_code, response.content[:200])
    response = clients["yezhu2"].get(url) if method == "get" else clients["yezhu2"].post(url, body)
    assert response.status_code in (403, 404), ("yezhu2", url, response.status_code, response.content[:200])
    assert Event.objects.count() == events
    if method == "get":
        response = clients["jingli"].get(url)
        assert response.status_code == 200, ("jingli", url, response.status_code, response.content[:200])


@pytest.mark.parametrize("route", sorted(COMMUNITY_LIST_ROUTES))
def test_community_lists_hold_nothing_of_project_1_for_its_outsiders(world, api, route):
    _second_manager(world)
    records = _records(world)
    first, second = records[world.project1.pk], records[world.project2.pk]
    key = COMMUNITY_LIST_ROUTES[route]

    def seen(username):
        response = api(username).get(route, page_size=200)
        if response.status_code != 200:
            return set()
        data = response.json()
        items = data.get("items", []) if isinstance(data, dict) else data
        return {item["id"] for item in items}

    if first[key] is not None:
        assert first[key] in seen("jingli"), (route, "jingli")
        for outsider in ("jingli2", "kefu2", "yezhu2"):
            assert first[key] not in seen(outsider), (route, outsider)
    if second[key] is not None:
        assert second[key] in seen("jingli2"), (route, "jingli2")
        assert second[key] not in seen("jingli"), (route, "jingli")


# Routes on a record's parts (a takeover's check or document, a decoration's documents, an activity's sign-ups, an
# announcement's attachments, an incident's step) and the project-wide catalogues. (method, route) → body. Asked by
# project 2's staff with project 1's parent and a part id that is not there, each answers 404 — or 422 when the body
# is refused before any record is looked up — and writes nothing: the parent's scope is checked first.
COMMUNITY_PART_ROUTES = {
    ("post", "/api/v1/activities/{activity_id}/check-in"): {"code": "ABC123"},
    ("post", "/api/v1/activities/{activity_id}/signups/{signup_id}/cancel"): {},
    ("post", "/api/v1/activities/{activity_id}/signups/{signup_id}/check-in"): {},
    ("get", "/api/v1/announcements/{announcement_id}/attachments/{attachment_id}"): None,
    ("post", "/api/v1/announcements/{announcement_id}/attachments"): {},
    ("post", "/api/v1/decorations/{decoration_id}/documents"): {},
    ("post", "/api/v1/decorations/{decoration_id}/worker-passes"): {},
    ("post", "/api/v1/incidents/{incident_id}/steps/{step_id}/done"): {"note": "已完成"},
    ("post", "/api/v1/takeovers/{takeover_id}/checks/{check_id}"): {"result": "ok"},
    ("post", "/api/v1/takeovers/{takeover_id}/checks/{check_id}/reinspect"): {"fixed": True},
    ("post", "/api/v1/takeovers/{takeover_id}/checks/{check_id}/waive"): {"note": "接受现状"},
    ("post", "/api/v1/takeovers/{takeover_id}/documents"): {"name": "竣工图"},
    ("post", "/api/v1/takeovers/{takeover_id}/documents/{document_id}"): {"status": "received"},
    ("post", "/api/v1/takeovers/{takeover_id}/notices"): {},
    ("get", "/api/v1/takeovers/{takeover_id}/notices/{notice_id}/notice.pdf"): None,
}
# project-wide catalogues: project 2's manager lists none of project 1's rows
COMMUNITY_CATALOGUE_ROUTES = {"/api/v1/services", "/api/v1/incident-playbooks"}
_PART_IDS = {"signup_id", "attachment_id", "step_id", "check_id", "document_id", "notice_id"}


def community_part_routes() -> set[str]:
    return ({route for _method, route in COMMUNITY_PART_ROUTES} | COMMUNITY_CATALOGUE_ROUTES
            | {"/api/v1/services/{item_id}"})


@pytest.mark.parametrize("method,route", sorted(COMMUNITY_PART_ROUTES), ids=lambda value: value)
def test_parts_of_project_1_records_are_not_there_for_project_2_staff(world, api, method, route):
    from wuye.core.models import Event

    _second_manager(world)
    first = _records(world)[world.project1.pk]
    key = route.split("{")[1].split("}")[0]
    if first[key] is None:
        pytest.skip(f"the demo makes no {key} in project 1")
    url = _fill(route, {**first, **{part: 2_000_000_000 for part in _PART_IDS}})
    body = COMMUNITY_PART_ROUTES[(method, route)]
    clients = {name: api(name) for name in ("jingli2", "kefu2")}
    events = Event.objects.count()
    for asker, client in clients.items():
        response = client.get(url) if method == "get" else client.post(url, body)
        assert response.status_code in ((404,) if method == "get" else (404, 422)), (
            asker, url, response.status_code, response.content[:200])
    assert Event.objects.count() == events


@pytest.mark.parametrize("route", sorted(COMMUNITY_CATALOGUE_ROUTES))
def test_project_wide_catalogues_hold_nothing_of_project_1_for_project_2(world, api, route):
    _second_manager(world)
    _records(world)
    for username, own, other in (("jingli2", world.project2.pk, world.project1.pk),
                                 ("jingli", world.project1.pk, world.project2.pk)):
        response = api(username).get(route, page_size=200)
        assert response.status_code == 200, (username, response.status_code)
        rows = response.json()["items"] if isinstance(response.json(), dict) else response.json()
        projects = {row["project_id"] for row in rows}
        assert own in projects and other not in projects, (username, projects)


def test_project_1_prices_are_not_there_for_project_2s_manager(world, api):
    """PATCH /services/{item_id}: a price of project 1's catalogue is unknown to project 2's manager."""
    from wuye.community.catalogue.models import ServiceItem
    from wuye.core.models import Event

    _second_manager(world)
    _records(world)
    item = ServiceItem.objects.filter(project=world.project1).order_by("id").first()
    client = api("jingli2")
    before = (Event.objects.count(), item.price)
    response = client.client.patch(f"/api/v1/services/{item.pk}", json.dumps({"price": "1.00"}),
                                   content_type="application/json", **client.headers)
    assert response.status_code == 404, response.content[:200]
    item.refresh_from_db()
    assert (Event.objects.count(), item.price) == before
