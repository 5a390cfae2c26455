"""The exit's guards (review of the parking booth): a desk payment cannot take a walk-in's key, no tariff is a page
with the reason (never a 500), a car that pays leaves at the server's now, the booth charges what it showed, and
lists read the tariff once per project — not per car. Fixed times (2026-11-20)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wuye.billing.models import ChargeItem, ChargeKind, ParkingPass, Payment
from wuye.security import parking as service
from wuye.security.models import ParkingSession, VehicleClass

from .test_parking_world import NOW, at, parking_fixture  # noqa: F401  (the fixture)

pytestmark = pytest.mark.usefixtures("parking")
BOOTH = "/console/security/parking/booth/"


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def inside(parking, plate="粤B12345", hour=8, minute=5):
    return service.enter(parking.guard, project=parking.p1, plate=plate, zone="地下一层", at=at(hour, minute))


# -- 1. the walk-in's key is not the desk's ---------------------------------------------------------------------
def test_a_desk_payment_keyed_parking_session_n_does_not_keep_that_car_inside(world, api, parking):
    session = inside(parking)
    unit = world.owner_unit("yezhu")
    world.bill(unit, "100.00")
    desk = api("caiwu").post("/api/v1/payments", {"unit_id": unit.pk, "amount": "100.00", "channel": "cash"},
                             HTTP_IDEMPOTENCY_KEY=f"parking-session-{session.pk}")
    assert desk.status_code == 201, desk.content
    response = api("zhixu").post(f"/api/v1/parking/sessions/{session.pk}/exit", {"channel": "cash"})
    assert response.status_code == 200, response.content
    assert response.json()["fee"] == "6.00" and response.json()["receipt"]
    assert Payment.objects.get(pk=response.json()["payment_id"]).idempotency_key.startswith("walk-in:")


# -- 2. no tariff for the stay: the booth says why ---------------------------------------------------------------
def test_the_booth_exit_without_a_tariff_is_a_page_with_the_reason_not_a_500(login, parking):
    session = inside(parking)
    ChargeItem.objects.filter(project=parking.p1, kind=ChargeKind.PARKING_TEMPORARY).update(is_active=False)
    browser = login("zhixu")
    response = browser.post(BOOTH, {"action": "exit", "session": session.pk, "exit_plate": session.plate,
                                    "channel": "cash"})
    assert 200 <= response.status_code < 500 and response.status_code != 302
    reasons = " ".join(str(message) for message in response.context["errors"].values())
    assert reasons and all(str(message) in response.content.decode() for message in
                           response.context["errors"].values())
    assert response.context["quote"] is None
    session.refresh_from_db()
    assert session.status == "inside" and not Payment.objects.exists()


# -- 3. a car that pays leaves now -------------------------------------------------------------------------------
def test_a_backdated_exit_of_a_car_that_pays_is_a_422_naming_at(api, parking):
    session = inside(parking, hour=0, minute=5)
    guard = api("zhixu")
    for when in ("2026-11-20T00:20:00+08:00", "2026-11-20T10:24:59+08:00"):  # free, or 1 second too old
        response = guard.post(f"/api/v1/parking/sessions/{session.pk}/exit", {"channel": "cash", "at": when})
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == "at"
    assert ParkingSession.objects.get().status == "inside" and not Payment.objects.exists()
    response = guard.post(f"/api/v1/parking/sessions/{session.pk}/exit",
                          {"channel": "cash", "at": "2026-11-20T10:25:00+08:00"})
    assert response.status_code == 200 and response.json()["fee"] == "20.00"  # 10 h 20 min, the daily cap


def test_a_pass_expired_while_inside_cannot_leave_back_when_it_was_valid(world, parking):
    from wuye.core.errors import InvalidInput
    from wuye.tenancy.models import Unit

    item, _ = ChargeItem.objects.get_or_create(project=parking.p1, code="parking-pass",
                                               defaults={"name": "月卡", "kind": "parking_pass"})
    parking_pass = ParkingPass.objects.create(project=parking.p1, unit=Unit.objects.filter(project=parking.p1).first(),
                                              item=item, plate="粤B88888", starts_on=date(2026, 10, 1),
                                              ends_on=date(2026, 11, 19))
    session = ParkingSession.objects.create(
        project=parking.p1, plate="粤B88888", vehicle_class=VehicleClass.PASS, zone="地下一层",
        entered_at=at(8, 0, day=19), entry_source="booth", parking_pass=parking_pass)
    with pytest.raises(InvalidInput) as error:
        service.leave(parking.guard, session, at=at(23, 50, day=19))
    assert error.value.problems[0].field == "at"
    assert service.leave(parking.guard, session).fee > 0


def test_a_car_that_does_not_pay_may_still_be_entered_late(world, parking):
    from wuye.tenancy.models import Unit

    item, _ = ChargeItem.objects.get_or_create(project=parking.p1, code="parking-pass",
                                               defaults={"name": "月卡", "kind": "parking_pass"})
    ParkingPass.objects.create(project=parking.p1, unit=Unit.objects.filter(project=parking.p1).first(), item=item,
                               plate="粤B88888", starts_on=date(2026, 11, 1), ends_on=date(2026, 11, 30))
    session = inside(parking, plate="粤B88888")
    session = service.leave(parking.guard, session, at=at(9, 0))
    assert session.exited_at == at(9, 0) and session.fee == Decimal("0.00")


# -- 5. the booth charges what it showed -------------------------------------------------------------------------
def test_the_booth_charges_what_it_showed_at_1_59_and_asks_again_at_2_01(login, parking):
    session = inside(parking, hour=8, minute=0)
    browser = login("zhixu")
    with time_machine.travel(at(9, 59), tick=False):
        page = browser.get(BOOTH, {"plate": session.plate})
    assert b'name="expected_fee" value="4.00"' in page.content
    with time_machine.travel(at(10, 1), tick=False):
        response = browser.post(BOOTH, {"action": "exit", "session": session.pk, "exit_plate": session.plate,
                                        "channel": "cash", "expected_fee": "4.00"})
        assert response.status_code == 409 and "6.00" in response.context["errors"]["expected_fee"]
        assert b'name="expected_fee" value="6.00"' in response.content
        assert ParkingSession.objects.get().status == "inside" and not Payment.objects.exists()
        response = browser.post(BOOTH, {"action": "exit", "session": session.pk, "channel": "cash",
                                        "expected_fee": "6.00"})
    assert response.status_code == 302
    assert ParkingSession.objects.get().fee == Decimal("6.00") and Payment.objects.count() == 1


def test_the_api_exit_with_the_expected_fee(api, parking):
    session = inside(parking, hour=8, minute=0)
    guard = api("zhixu")
    url = f"/api/v1/parking/sessions/{session.pk}/exit"
    with time_machine.travel(at(9, 59), tick=False):
        assert guard.get(f"/api/v1/parking/sessions/{session.pk}").json()["fee_so_far"] == "4.00"
    with time_machine.travel(at(10, 1), tick=False):
        response = guard.post(url, {"channel": "cash", "expected_fee": "4.00"})
        assert response.status_code == 409 and response.json()["errors"][0]["field"] == "expected_fee"
        assert "6.00" in response.json()["errors"][0]["message"]
        assert not Payment.objects.exists()
        response = guard.post(url, {"channel": "cash", "expected_fee": "6.00"})
    assert response.status_code == 200 and response.json()["fee"] == "6.00"


# -- 4. lists read the tariff once per project, not per car ------------------------------------------------------
def _cars(parking, count: int) -> None:
    from wuye.tenancy.models import Unit

    item, _ = ChargeItem.objects.get_or_create(project=parking.p1, code="parking-pass",
                                               defaults={"name": "月卡", "kind": "parking_pass"})
    unit = Unit.objects.filter(project=parking.p1).first()
    for number in range(count):
        plate = f"粤B{10000 + number}"
        parking_pass = None
        if number % 2:  # every other car holds a pass that expired while it was inside: it pays
            parking_pass = ParkingPass.objects.create(project=parking.p1, unit=unit, item=item, plate=plate,
                                                      starts_on=date(2026, 10, 1), ends_on=date(2026, 11, 19))
        ParkingSession.objects.create(project=parking.p1, plate=plate, zone="地下一层",
                                      vehicle_class=VehicleClass.PASS if parking_pass else VehicleClass.TEMPORARY,
                                      parking_pass=parking_pass, entered_at=at(8, 0) - timedelta(minutes=number),
                                      entry_source="booth")


def _queries(call) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = call()
    assert response.status_code == 200
    return len(queries)


def test_the_overview_and_the_api_list_make_as_many_queries_for_20_cars_as_for_2(login, api, parking):
    browser, guard = login("zhixu"), api("zhixu")
    overview = lambda: browser.get("/console/security/parking/")  # noqa: E731
    listed = lambda: guard.get("/api/v1/parking/sessions", status="inside")  # noqa: E731
    _cars(parking, 2)
    overview(), listed()  # the login's session and token warmed up
    small = (_queries(overview), _queries(listed))
    assert all(row["fee_so_far"] for row in listed().json()["items"])
    ParkingSession.objects.all().delete()
    ParkingPass.objects.all().delete()
    _cars(parking, 20)
    assert (_queries(overview), _queries(listed)) == small
    fees = [row["fee_so_far"] for row in listed().json()["items"]]
    assert len(fees) == 20 and all(Decimal(fee) > 0 for fee in fees)
