"""The parking API: entry, list, one session, exit with fee and receipt, occupancy — scope and roles."""

import pytest
import time_machine

from wuye.security.models import ParkingSession

from .test_parking_world import NOW, at, parking_fixture  # noqa: F401  (the fixture)

pytestmark = pytest.mark.usefixtures("parking")


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def test_entry_exit_and_the_fee_through_the_api(api, parking):
    guard = api("zhixu")
    response = guard.post("/api/v1/parking/sessions", {"project": parking.p1.pk, "plate": "粤B12345",
                                                       "gate": parking.gates.entry.pk,
                                                       "at": "2026-11-20T08:05:00+08:00"})
    assert response.status_code == 201, response.content
    session = response.json()
    assert session["zone"] == "地下一层" and session["vehicle_class"] == "temporary"
    again = guard.post("/api/v1/parking/sessions", {"project": parking.p1.pk, "plate": "粤B12345",
                                                    "zone": "地下一层"})
    assert again.status_code == 409 and again.json()["errors"][0]["field"] == "plate"
    with time_machine.travel(at(10, 21), tick=False):  # a car that pays leaves at the server's now
        response = guard.post(f"/api/v1/parking/sessions/{session['id']}/exit",
                              {"channel": "cash", "at": "2026-11-20T10:21:00+08:00", "gate": parking.gates.exit.pk})
    assert response.status_code == 200, response.content
    out = response.json()
    assert (out["fee"], out["minutes"], out["hours_charged"], out["capped"]) == ("6.00", 136, 3, False)
    assert out["payment_id"] and out["receipt"]
    repeat = guard.post(f"/api/v1/parking/sessions/{session['id']}/exit", {"channel": "cash"})
    assert repeat.json()["payment_id"] == out["payment_id"] and repeat.json()["receipt"] == out["receipt"]
    detail = guard.get(f"/api/v1/parking/sessions/{session['id']}").json()
    assert len(detail["timeline"]) >= 2
    listed = guard.get("/api/v1/parking/sessions", plate="粤B12345", day="2026-11-20").json()
    assert listed["count"] == 1


def test_a_malformed_plate_is_a_422_and_nothing_is_written(api, parking):
    response = api("zhixu").post("/api/v1/parking/sessions", {"project": parking.p1.pk, "plate": "B12345",
                                                              "zone": "地下一层"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "plate"
    assert not ParkingSession.objects.exists()


def test_a_wrong_channel_or_reference_names_the_field(api, parking):
    guard = api("zhixu")
    session = guard.post("/api/v1/parking/sessions", {"project": parking.p1.pk, "plate": "粤B12345",
                                                      "zone": "地下一层", "at": "2026-11-20T08:05:00+08:00"}).json()
    response = guard.post(f"/api/v1/parking/sessions/{session['id']}/exit", {"channel": "bitcoin"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "channel"
    response = guard.post(f"/api/v1/parking/sessions/{session['id']}/exit", {"channel": "wechat"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "reference"
    assert ParkingSession.objects.get().status == "inside"


def test_finance_reads_but_may_not_record_and_kefu2_sees_nothing_of_project_1(api, parking):
    guard = api("zhixu")
    session = guard.post("/api/v1/parking/sessions", {"project": parking.p1.pk, "plate": "粤B12345",
                                                      "zone": "地下一层", "at": "2026-11-20T08:05:00+08:00"}).json()
    caiwu = api("caiwu")
    assert caiwu.get("/api/v1/parking/sessions").json()["count"] == 1
    assert caiwu.get(f"/api/v1/parking/sessions/{session['id']}").status_code == 200
    assert caiwu.post(f"/api/v1/parking/sessions/{session['id']}/exit", {"channel": "cash"}).status_code == 403
    assert caiwu.post("/api/v1/parking/sessions", {"project": parking.p1.pk, "plate": "粤B54321",
                                                   "zone": "地下一层"}).status_code == 403
    kefu2 = api("kefu2")
    assert kefu2.get("/api/v1/parking/sessions").status_code == 200
    assert kefu2.get("/api/v1/parking/sessions").json()["count"] == 0
    assert kefu2.get(f"/api/v1/parking/sessions/{session['id']}").status_code == 404
    assert kefu2.post(f"/api/v1/parking/sessions/{session['id']}/exit", {"channel": "cash"}).status_code in (403, 404)
    assert all(row["project_id"] != parking.p1.pk for row in kefu2.get("/api/v1/parking/occupancy").json())
    assert api("yezhu").get("/api/v1/parking/sessions").status_code == 403
    assert ParkingSession.objects.get().status == "inside"


def test_occupancy_answers_per_zone(api, parking):
    guard = api("zhixu")
    guard.post("/api/v1/parking/sessions", {"project": parking.p1.pk, "plate": "粤B12345", "zone": "地下一层"})
    rows = {row["zone"]: row for row in guard.get("/api/v1/parking/occupancy").json()
            if row["project_id"] == parking.p1.pk}
    assert (rows["地下一层"]["spaces"], rows["地下一层"]["inside"], rows["地下一层"]["free"]) == (3, 1, 2)
