"""The plate cameras: a signed read enters or lets out a car; a bad signature is a 401; a read below the confidence
threshold waits for the booth; simulated cameras only where simulated devices are allowed; the deploy check."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.test import Client

from wuye.security import cameras
from wuye.security.models import ParkingSession

from .test_parking_world import NOW, at, parking_fixture  # noqa: F401  (the fixture)

pytestmark = pytest.mark.usefixtures("parking")
URL = "/api/v1/parking/camera-events"


@pytest.fixture(autouse=True)
def _devices(settings):
    settings.WUYE_SIMULATED_DEVICES = True
    settings.WUYE_CAMERA_SECRET = "test-camera-key-0123456789"
    with time_machine.travel(NOW, tick=False):
        yield


def post(payload, signature):
    """The camera posts its read as it reads it: the clock is the read's time."""
    from django.utils.dateparse import parse_datetime

    with time_machine.travel(parse_datetime(payload["at"]), tick=False):
        return send(payload, signature)


def send(payload, signature):
    return Client().post(URL, json.dumps(payload), content_type="application/json", HTTP_X_WUYE_SIGNATURE=signature)


def read(gate, plate="粤B12345", confidence="0.95", when=None):
    signed = cameras.simulated_read(gate, plate, confidence=confidence, at=when or at(8, 5))
    return signed["payload"], signed["signature"]


def test_a_signed_read_at_the_entry_enters_and_at_the_exit_waits_for_payment(parking):
    response = post(*read(parking.gates.entry))
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "entered"
    session = ParkingSession.objects.get()
    assert (session.entry_source, session.zone, session.entry_gate_id) == ("camera", "地下一层",
                                                                          parking.gates.entry.pk)
    response = post(*read(parking.gates.exit, when=at(10, 21)))
    assert response.json() == {"status": "needs_confirmation", "session_id": None, "reason": "to_pay"}
    assert ParkingSession.objects.get().status == "inside"


def test_a_car_within_the_free_period_leaves_on_the_camera(parking):
    post(*read(parking.gates.entry, when=at(8, 0)))
    response = post(*read(parking.gates.exit, when=at(8, 10)))
    assert response.json()["status"] == "left"
    session = ParkingSession.objects.get()
    assert session.status == "left" and session.payment_id is None and session.exit_source == "camera"


def test_a_bad_signature_is_a_401_and_writes_nothing(parking):
    payload, signature = read(parking.gates.entry)
    assert post(payload, "0" * 64).status_code == 401
    assert post({**payload, "plate": "粤B99999"}, signature).status_code == 401
    assert post(payload, "").status_code == 401
    assert not ParkingSession.objects.exists()


@pytest.mark.parametrize("confidence, entered", [("0.79", False), ("0.80", True)])
def test_below_the_confidence_threshold_the_booth_confirms(parking, confidence, entered):
    response = post(*read(parking.gates.entry, confidence=confidence))
    assert response.status_code == 200
    assert ParkingSession.objects.exists() is entered
    if not entered:
        assert response.json()["reason"] == "low_confidence"
        assert cameras.recent_unconfirmed(parking.guard, at(8, 0)).count() == 1


def test_simulated_cameras_are_off_outside_debug_and_the_switch(settings, parking):
    settings.WUYE_SIMULATED_DEVICES = False
    settings.DEBUG = False
    assert post(*read(parking.gates.entry)).status_code == 403
    assert not ParkingSession.objects.exists()


def test_the_deploy_check_warns_when_simulated_devices_are_on(settings):
    assert [w.id for w in cameras.simulated_devices_in_production(None)] == ["wuye.W021"]
    settings.WUYE_SIMULATED_DEVICES = False
    assert cameras.simulated_devices_in_production(None) == []


@pytest.mark.parametrize("when", [NOW - timedelta(minutes=5, seconds=1), NOW - timedelta(days=6),
                                  NOW + timedelta(minutes=5, seconds=1)])
def test_a_read_more_than_5_minutes_from_now_is_refused_naming_at(parking, when):
    response = send(*read(parking.gates.entry, when=when))  # posted at NOW: an old read replayed, or a bad clock
    assert response.status_code in (400, 422) and response.json()["errors"][0]["field"] == "at"
    assert not ParkingSession.objects.exists()
    assert send(*read(parking.gates.entry, when=NOW - timedelta(minutes=5))).json()["status"] == "entered"


def test_a_repeated_read_is_ignored(parking):
    from wuye.core.models import Event

    entry = read(parking.gates.entry, when=NOW - timedelta(minutes=2))
    first = send(*entry).json()
    assert send(*entry).json() == {"status": "duplicate", "session_id": first["session_id"], "reason": "duplicate"}
    assert ParkingSession.objects.count() == 1
    exit_read = read(parking.gates.exit, when=NOW)  # 2 minutes inside: free, the camera lets it out
    assert send(*exit_read).json()["status"] == "left"
    # The car comes back; the old exit read replayed must not let it out again.
    assert send(*read(parking.gates.entry, when=NOW + timedelta(seconds=30))).json()["status"] == "entered"
    assert send(*exit_read).json()["status"] == "duplicate"
    assert ParkingSession.objects.filter(status="inside").count() == 1
    unsure = read(parking.gates.entry, plate="粤B54321", confidence="0.5", when=NOW)
    assert send(*unsure).json()["status"] == "needs_confirmation"
    assert send(*unsure).json()["status"] == "duplicate"
    assert Event.objects.filter(verb="security.parking.read_unconfirmed").count() == 1
