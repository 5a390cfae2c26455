"""The parking pages: overview, booth (entry, exit with the quote → receipt number), history filters, one session;
who may open them; odd filter values never a 500."""

import pytest
import time_machine

from wuye.security import parking as service
from wuye.security.models import ParkingSession

from .test_parking_world import NOW, at, parking_fixture  # noqa: F401  (the fixture)

pytestmark = pytest.mark.usefixtures("parking")


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def test_the_booth_enters_and_lets_a_car_out_with_its_receipt(login, parking):
    browser = login("zhixu")
    page = browser.get("/console/security/parking/booth/")
    assert page.status_code == 200
    response = browser.post("/console/security/parking/booth/", {"action": "enter", "plate": "粤B 12345",
                                                                 "gate": parking.gates.entry.pk})
    assert response.status_code == 302
    session = ParkingSession.objects.get()
    ParkingSession.objects.filter(pk=session.pk).update(entered_at=at(8, 5))
    page = browser.get("/console/security/parking/booth/", {"plate": "粤B12345"})
    assert page.status_code == 200 and b'data-fee="6.00"' in page.content
    response = browser.post("/console/security/parking/booth/", {"action": "exit", "session": session.pk,
                                                                 "channel": "cash"})
    assert response.status_code == 302
    page = browser.get(response["Location"])
    session.refresh_from_db()
    assert session.status == "left" and service.receipt_code(session).encode() in page.content
    assert browser.get(f"/console/security/parking/sessions/{session.pk}/").status_code == 200
    receipt = browser.get(f"/console/security/parking/sessions/{session.pk}/receipt.pdf")
    assert receipt.status_code == 200 and receipt["Content-Type"] == "application/pdf"


def test_the_booth_names_a_bad_plate_and_writes_nothing(login, parking):
    response = login("zhixu").post("/console/security/parking/booth/", {"action": "enter", "plate": "B123",
                                                                        "gate": parking.gates.entry.pk})
    assert response.status_code == 422 and "plate" in response.context["errors"]
    assert not ParkingSession.objects.exists()


def test_pages_for_readers_and_not_for_others(login, parking):
    service.enter(parking.guard, project=parking.p1, plate="粤B12345", zone="地下一层", at=at(8, 5))
    caiwu = login("caiwu")
    overview = caiwu.get("/console/security/parking/")
    assert overview.status_code == 200 and "粤B12345" in overview.content.decode()
    assert caiwu.get("/console/security/parking/sessions/").status_code == 200
    assert caiwu.get("/console/security/parking/booth/").status_code == 403
    session = ParkingSession.objects.get()
    assert login("kefu2").get(f"/console/security/parking/sessions/{session.pk}/").status_code == 404
    assert "粤B12345" not in login("kefu2").get("/console/security/parking/sessions/").content.decode()
    assert login("gongcheng").get("/console/security/parking/").status_code == 403


@pytest.mark.parametrize("name", ["project", "day", "plate", "vehicle_class", "status", "page"])
def test_odd_filter_values_never_break_the_history(login, parking, name):
    browser = login("zhixu")
    for value in ("²", "١٢", "-", "9" * 30, "2026-13-45", "粤"):
        assert browser.get("/console/security/parking/sessions/", {name: value}).status_code < 500
    assert browser.get("/console/security/parking/booth/", {"plate": "²"}).status_code < 500
    assert browser.post("/console/security/parking/booth/", {"action": "exit", "session": "9" * 30}).status_code < 500


def test_the_demo_camera_button_posts_a_signed_read(login, parking, settings):
    settings.WUYE_SIMULATED_DEVICES = True
    settings.WUYE_CAMERA_SECRET = "test-camera-key-0123456789"
    browser = login("zhixu")
    response = browser.post("/console/security/parking/booth/camera/", {"plate": "粤B12345",
                                                                        "gate": parking.gates.entry.pk})
    assert response.status_code == 302
    assert ParkingSession.objects.get().entry_source == "camera"
    settings.WUYE_SIMULATED_DEVICES = False
    assert browser.post("/console/security/parking/booth/camera/", {"plate": "粤B54321",
                                                                    "gate": parking.gates.entry.pk}).status_code == 404
