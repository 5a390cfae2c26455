"""Nobody reads across scope in order/security and the environment (§4, §5, §9). Asked by `zhixu2` (a security
supervisor of project 2 only), `kefu2` (project 2's desk) and `huanjing2` (an environment supervisor of project 2
only) of project 1's records — visitors, worker passes, goods releases, patrol routes and rounds, parking sessions,
cleaning and greening tasks: each detail and each write answers 404 and nothing is written; a create naming project
1 (or one of its units) answers 404 or 422 naming the field; the lists hold nothing of project 1. Owners get 403 on
the staff-only lists and 403/404 on every record except their own households' visitors and goods releases.
Times are fixed: the tests travel to NOW (a Wednesday morning in Shanghai)."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from wuye.api import api as ninja_api

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 2, 10, 5, tzinfo=SH)
TODAY = NOW.date()

# The plate cameras post signed reads without a login (the signature is the proof, tested in
# wuye/security/tests/test_parking_cameras.py); there is no actor whose scope could be asked.
SECURITY_EXEMPT_ROUTES = {"/api/v1/parking/camera-events": "signed by the camera, not logged in"}
# `/api/v1/parking/temporary-fee` is billing's quote, covered in tests/api/test_scope.py (SHARING_ROUTES).
ALREADY_COVERED = {"/api/v1/parking/temporary-fee"}
# A decoration's worker passes are issued through the decoration (its scope: tests/api/test_scope_community.py).
ALREADY_COVERED |= {"/api/v1/decorations/{decoration_id}/worker-passes"}

# (method, route) → (project 2's asker, body); the asker's project-1 counterpart reads the same GET with 200.
SECURITY_RECORD_ROUTES = {
    ("get", "/api/v1/visitors/{visitor_id}"): ("zhixu2", None),
    ("post", "/api/v1/visitors/{visitor_id}/confirm"): ("zhixu2", {"call_note": "业主电话同意"}),
    ("post", "/api/v1/visitors/{visitor_id}/admit"): ("zhixu2", {}),
    ("post", "/api/v1/visitors/{visitor_id}/exit"): ("zhixu2", {}),
    ("post", "/api/v1/worker-passes/{pass_id}/return"): ("kefu2", {}),
    ("get", "/api/v1/goods-releases/{release_id}"): ("kefu2", None),
    ("post", "/api/v1/goods-releases/{release_id}/actions/{action}"): ("kefu2", {"reason": "业主撤回"}),
    ("get", "/api/v1/goods-releases/{release_id}/slip.pdf"): ("zhixu2", None),
    ("get", "/api/v1/patrol-routes/{route_id}"): ("zhixu2", None),
    ("patch", "/api/v1/patrol-routes/{route_id}"): ("zhixu2", {"name": "改名"}),
    ("post", "/api/v1/patrol-routes/{route_id}/active"): ("zhixu2", {"active": False}),
    ("get", "/api/v1/patrol-routes/{route_id}/labels.pdf"): ("zhixu2", None),
    ("get", "/api/v1/patrol-rounds/{round_id}"): ("zhixu2", None),
    ("post", "/api/v1/patrol-rounds/{round_id}/checkins"): ("zhixu2", {"code": "XG-02"}),
    ("post", "/api/v1/patrol-rounds/{round_id}/checkins/{visit_id}/findings"): (
        "zhixu2", {"description": "消防门未关", "action": "rectification"}),
    ("get", "/api/v1/parking/sessions/{session_id}"): ("zhixu2", None),
    ("post", "/api/v1/parking/sessions/{session_id}/exit"): ("zhixu2", {"channel": "cash"}),
    ("get", "/api/v1/cleaning-tasks/{task_id}"): ("huanjing2", None),
    ("post", "/api/v1/cleaning-tasks/{task_id}/done"): ("huanjing2", {"note": "已清扫"}),
    ("post", "/api/v1/greening-tasks/{task_id}/done"): ("huanjing2", {"note": "已浇水"}),
}
COUNTERPART = {"zhixu2": "zhixu", "kefu2": "kefu", "huanjing2": "huanjing"}
# The owner of the unit sees these records of her household (200); the owner of a project-2 home gets 404.
OWN_RECORD_ROUTES = {"/api/v1/visitors/{visitor_id}", "/api/v1/goods-releases/{release_id}",
                     "/api/v1/goods-releases/{release_id}/slip.pdf"}

# (route, field) → (project 2's asker, body given project 2's ids `own`): the field then names project 1's record.
GOODS = {"applicant_name": "张女士", "applicant_kind": "owner", "items": [{"name": "旧沙发", "quantity": 1}],
         "carry_out_on": "2026-12-02", "phone": "13800138000"}
SECURITY_CREATE_ROUTES = {
    ("/api/v1/visitors", "unit_id"): ("zhixu2", lambda own: {"name": "李四", "purpose": "探亲",
                                                            "id_number": _id_number("003")}),
    ("/api/v1/worker-passes", "unit_id"): ("kefu2", lambda own: {
        "worker_name": "王师傅", "id_number": _id_number("004"), "valid_from": "2026-12-02",
        "valid_until": "2026-12-31", "works": "厨卫改造"}),
    ("/api/v1/goods-releases", "project"): ("kefu2", lambda own: GOODS),  # with project 1's unit
    ("/api/v1/goods-releases", "unit"): ("kefu2", lambda own: {**GOODS, "project": own["project_id"]}),
    ("/api/v1/goods-releases/verify", "project"): ("zhixu2", lambda own: {}),  # with project 1's slip code
    ("/api/v1/patrol-routes", "project"): ("zhixu2", lambda own: {"name": "测试路线", "checkpoints": [
        {"name": "东门", "code": "T-01"}]}),
    ("/api/v1/parking/sessions", "project"): ("zhixu2", lambda own: {"plate": "沪C33333"}),
    ("/api/v1/parking/sessions", "gate"): ("zhixu2", lambda own: {"plate": "沪C33333",
                                                                   "project": own["project_id"]}),
    ("/api/v1/cleaning-zones", "project"): ("huanjing2", lambda own: {"name": "测试区域", "kind": "road"}),
    ("/api/v1/greening-plans", "project"): ("huanjing2", lambda own: {"area": "测试绿地", "activity": "mowing",
                                                                      "months": [5, 6, 7]}),
}

# list route → (project 2's reader, the record's key); owners: 403 unless the route is in OWNER_LISTS.
SECURITY_LIST_ROUTES = {
    "/api/v1/visitors": ("zhixu2", "visitor_id"), "/api/v1/worker-passes": ("zhixu2", "pass_id"),
    "/api/v1/goods-releases": ("kefu2", "release_id"), "/api/v1/patrol-routes": ("zhixu2", "route_id"),
    "/api/v1/patrol-rounds": ("zhixu2", "round_id"), "/api/v1/parking/sessions": ("zhixu2", "session_id"),
    "/api/v1/cleaning-zones": ("huanjing2", "zone_id"), "/api/v1/cleaning-tasks": ("huanjing2", "task_id"),
    "/api/v1/greening-plans": ("huanjing2", "plan_id"),
    "/api/v1/greening-tasks": ("huanjing2", "greening_task_id"),
    "/api/v1/environment-checks": ("huanjing2", "check_id"),
}
OWNER_LISTS = {"/api/v1/visitors": ("visitor_id", "other_visitor_id"),
               "/api/v1/goods-releases": ("release_id", "other_release_id")}
SECURITY_OCCUPANCY_ROUTES = {"/api/v1/parking/occupancy"}


def security_routes() -> set[str]:
    return ({route for _method, route in SECURITY_RECORD_ROUTES} | {route for route, _field in SECURITY_CREATE_ROUTES}
            | set(SECURITY_LIST_ROUTES) | SECURITY_OCCUPANCY_ROUTES | set(SECURITY_EXEMPT_ROUTES))


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def _staff_of_project_2(world):
    """zhixu2 (security) and huanjing2 (environment), supervisors of project 2 only, as kefu2 is its desk."""
    from wuye.people.access import actor_for
    from wuye.people.services import create_staff

    admin = actor_for(world.user("admin"))
    create_staff(admin, company=world.company, username="zhixu2", password="wuye-demo", name="孙军",
                 role="security", projects=[world.project2], is_supervisor=True)
    create_staff(admin, company=world.company, username="huanjing2", password="wuye-demo", name="钱丽",
                 role="environment", projects=[world.project2], is_supervisor=True)


def _id_number(serial: str) -> str:
    from wuye.core.validators import id_check_character

    first17 = f"11010519850612{serial}"
    return first17 + id_check_character(first17)


def _records(world, project) -> dict:
    """One record of each security and environment kind in `project`, made through the services by its staff; the
    visitors, worker pass and goods release are for the home of the project's owner (yezhu, yezhu2), and one more
    visitor and goods release for another unit."""
    from wuye.environment import checks, cleaning, greening
    from wuye.people.access import actor_for
    from wuye.security import goods, parking, patrols, visitors, worker_passes
    from wuye.security.models import CheckpointVisit, ParkingGate
    from wuye.tenancy.models import Unit

    first = project == world.project1
    guard = actor_for(world.user("zhixu" if first else "zhixu2"))
    desk = actor_for(world.user("kefu" if first else "kefu2"))
    cleaner = actor_for(world.user("huanjing" if first else "huanjing2"))
    home = world.owner_unit("yezhu" if first else "yezhu2")
    other = Unit.objects.filter(project=project).exclude(pk=home.pk).order_by("id").first()
    serial = "001" if first else "002"

    def visitor(unit):
        return visitors.register_visitor(guard, project=project, unit=unit, name="李四", id_type="resident_id",
                                         id_number=_id_number(serial), purpose="探亲")

    def release(unit):
        return goods.apply(desk, project=project, unit=unit, applicant_name="张女士", applicant_kind="owner",
                           items=[{"name": "旧沙发", "quantity": 1}], carry_out_on=TODAY, phone="13800138000")

    guest, other_guest = visitor(home), visitor(other)
    worker_pass = worker_passes.issue_worker_pass(
        desk, project=project, unit=home, worker_name="王师傅", id_type="resident_id", id_number=_id_number(serial),
        valid_from=TODAY, valid_until=TODAY + timedelta(days=30), works="厨卫改造", employer="家美装饰")
    slip = goods.approve(desk, release(home))
    other_release = release(other)
    route = patrols.create_route(guard, project=project, name="夜间巡逻", every_minutes=60,
                                 first_round_at=time(0, 0), last_round_at=time(23, 0), round_minutes=40,
                                 checkpoints=[{"name": "东门", "code": "XG-01"}, {"name": "地库", "code": "XG-02"}],
                                 now=NOW - timedelta(minutes=10))
    patrols.open_due_rounds(NOW)
    patrol_round = route.rounds.filter(starts_at__lte=NOW).order_by("-starts_at").first()
    visit = patrols.check_in(guard, patrol_round, code="XG-01", at=NOW)
    visit = CheckpointVisit.objects.get(pk=visit.pk)
    gate = ParkingGate.objects.create(project=project, code="b1-in", name="地库入口", zone="地下一层",
                                      direction="entry")
    session = parking.enter(guard, project=project, plate="沪A12345" if first else "沪B54321", gate=gate)
    zone = cleaning.create_zone(cleaner, project=project, name="中心广场", kind="square", times=["14:00"])
    task = zone.tasks.order_by("starts_at").first()
    plan = greening.create_plan(cleaner, project=project, area="中心绿地", activity="watering",
                                months=list(range(1, 13)), every_days=1)
    greening.generate_tasks(TODAY)
    greening_task = plan.tasks.filter(due_on=TODAY).first()
    check = checks.start_zone_check(cleaner, zone, day=TODAY)
    return {"visitor_id": guest.pk, "other_visitor_id": other_guest.pk, "pass_id": worker_pass.pk,
            "release_id": slip.pk, "other_release_id": other_release.pk, "slip_code": slip.code,
            "route_id": route.pk, "round_id": patrol_round.pk, "visit_id": visit.pk, "session_id": session.pk,
            "gate_id": gate.pk, "zone_id": zone.pk, "task_id": task.pk, "plan_id": plan.pk,
            "greening_task_id": greening_task.pk, "check_id": check.pk, "project_id": project.pk,
            "unit_id": other.pk, "building_id": home.building_id, "staff_user_id": cleaner.user.pk,
            "token": str(route.checkpoints.get(code="XG-02").label_token)}


def _fill(route: str, ids: dict) -> str:
    url = route.replace("{task_id}", str(ids["greening_task_id" if "greening" in route else "task_id"]))
    for name, value in ids.items():
        url = url.replace("{" + name + "}", str(value))
    url = url.replace("{action}", "cancel")
    assert "{" not in url, url
    return url


def _send(client, method: str, url: str, body):
    if method == "get":
        return client.get(url)
    if method == "patch":
        return client.client.patch(url, json.dumps(body), content_type="application/json", **client.headers)
    return client.post(url, body)


def test_security_and_environment_routes_are_covered():
    words = ("visitors", "worker-passes", "goods-releases", "patrol-", "parking/sessions", "parking/occupancy",
             "parking/camera-events", "parking/temporary-fee", "cleaning-", "greening-", "environment-checks")
    paths = {path for path in ninja_api.get_openapi_schema()["paths"] if any(word in path for word in words)}
    assert paths - ALREADY_COVERED <= security_routes(), f"add scope tests for: {sorted(paths - security_routes())}"
    assert not ALREADY_COVERED & security_routes()


@pytest.mark.parametrize("method,route", sorted(SECURITY_RECORD_ROUTES), ids=lambda value: value)
def test_project_2_staff_get_404_for_project_1_security_and_environment_records(world, api, method, route):
    from wuye.core.models import Event

    _staff_of_project_2(world)
    ids = _records(world, world.project1)
    _records(world, world.project2)
    url = _fill(route, ids)
    asker, body = SECURITY_RECORD_ROUTES[(method, route)]
    client, owner = api(asker), api("yezhu2")  # signing in writes its own event
    events = Event.objects.count()
    response = _send(client, method, url, body)
    assert response.status_code == 404, (url, response.status_code, response.content[:200])
    assert Event.objects.count() == events
    if method == "get":
        # The record is there for project 1's staff of the same department.
        assert api(COUNTERPART[asker]).get(url).status_code == 200, url
        if route in OWN_RECORD_ROUTES:
            assert api("yezhu").get(url).status_code == 200, url  # a record of her own household
            assert api("yezhu2").get(url).status_code == 404, url
        else:
            assert api("yezhu").get(url).status_code in (403, 404), url
    else:
        response = _send(owner, method, url, body)
        assert response.status_code in (403, 404), (url, response.status_code, response.content[:200])
        assert Event.objects.count() == events


@pytest.mark.parametrize("route,field", sorted(SECURITY_CREATE_ROUTES), ids=lambda value: value)
def test_creates_naming_project_1_are_refused_to_project_2(world, api, route, field):
    from wuye.core.models import Event

    _staff_of_project_2(world)
    first, second = _records(world, world.project1), _records(world, world.project2)
    asker, make = SECURITY_CREATE_ROUTES[(route, field)]
    body = make(second)
    if route == "/api/v1/goods-releases":
        body = {**body, "unit": first["unit_id"]}
    if route == "/api/v1/goods-releases/verify":
        body = {**body, "code": first["slip_code"]}
    target = {"project": first["project_id"], "unit": first["unit_id"], "unit_id": first["unit_id"],
              "gate": first["gate_id"]}[field]
    client = api(asker)
    events = Event.objects.count()
    response = client.post(route, {**body, field: target})
    assert response.status_code in (404, 422), (route, response.status_code, response.content[:300])
    if response.status_code == 422:
        assert field in {error["field"] for error in response.json()["errors"]}, response.json()
    assert Event.objects.count() == events


def test_project_1s_things_named_in_project_2s_writes_are_422s_naming_them(world, api):
    """Project 2's own records, asked with project 1's gate, checkpoint label, building, cleaner or gardener."""
    from wuye.core.models import Event

    _staff_of_project_2(world)
    first, second = _records(world, world.project1), _records(world, world.project2)
    guard, cleaner = api("zhixu2"), api("huanjing2")
    events = Event.objects.count()
    asks = [
        (guard, "/api/v1/parking/sessions/{session_id}/exit", {"channel": "cash", "gate": first["gate_id"]}, "gate"),
        (guard, "/api/v1/patrol-rounds/{round_id}/checkins", {"token": first["token"]}, "code"),
        (cleaner, "/api/v1/cleaning-zones", {"project": second["project_id"], "name": "楼道", "kind": "stairwell",
                                             "building": first["building_id"]}, "building"),
        (cleaner, "/api/v1/cleaning-zones", {"project": second["project_id"], "name": "楼道", "kind": "stairwell",
                                             "cleaner": first["staff_user_id"]}, "cleaner"),
        (cleaner, "/api/v1/greening-plans", {"project": second["project_id"], "area": "北侧绿地",
                                             "activity": "mowing", "months": [5], "gardener": first["staff_user_id"]},
         "gardener"),
    ]
    for client, route, body, field in asks:
        response = client.post(_fill(route, second), body)
        assert response.status_code == 422, (route, response.status_code, response.content[:300])
        assert field in {error["field"] for error in response.json()["errors"]}, (route, response.json())
    assert Event.objects.count() == events


def test_the_slip_of_project_1_is_unknown_at_project_2s_gate(world, api):
    from wuye.security.models import GoodsRelease, GoodsReleaseStatus

    _staff_of_project_2(world)
    first, second = _records(world, world.project1), _records(world, world.project2)
    response = api("zhixu2").post("/api/v1/goods-releases/verify", {"project": second["project_id"],
                                                                     "code": first["slip_code"]})
    assert response.status_code == 422 and "code" in {error["field"] for error in response.json()["errors"]}
    assert GoodsRelease.objects.get(pk=first["release_id"]).status == GoodsReleaseStatus.APPROVED


@pytest.mark.parametrize("route", sorted(SECURITY_LIST_ROUTES))
def test_security_and_environment_lists_hold_nothing_of_project_1_for_its_outsiders(world, api, route):
    _staff_of_project_2(world)
    first, second = _records(world, world.project1), _records(world, world.project2)
    reader, key = SECURITY_LIST_ROUTES[route]

    def seen(username):
        response = api(username).get(route, page_size=200)
        return {item["id"] for item in response.json().get("items", [])} if response.status_code == 200 else set()

    mine = seen(reader)
    assert second[key] in mine and first[key] not in mine, (route, mine)
    managed = seen("jingli")
    assert first[key] in managed and second[key] not in managed, (route, managed)
    assert first[key] not in seen("kefu2")
    if route in OWNER_LISTS:
        own, others = OWNER_LISTS[route]
        assert seen("yezhu") & {first[own], first[others], second[own]} == {first[own]}
        assert seen("yezhu2") & {second[own], second[others], first[own]} == {second[own]}
    else:
        assert api("yezhu").get(route).status_code == 403
        assert api("yezhu2").get(route).status_code == 403


def test_parking_occupancy_holds_only_the_readers_projects(world, api):
    _staff_of_project_2(world)
    _records(world, world.project1), _records(world, world.project2)

    def projects(username):
        response = api(username).get("/api/v1/parking/occupancy")
        assert response.status_code == 200, (username, response.status_code)
        return {row["project_id"] for row in response.json()}

    assert projects("zhixu2") == {world.project2.pk}
    assert projects("zhixu") == {world.project1.pk}
    assert world.project1.pk in projects("jingli") and world.project2.pk not in projects("jingli")
    assert api("yezhu").get("/api/v1/parking/occupancy").status_code == 403
    assert world.project1.pk not in projects("kefu2")  # the desk reads the booth's figures of its own project
