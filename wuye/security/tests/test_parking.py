"""Parking sessions: entry by plate (classes from the registers, one car inside per plate), exit with the fee
from the temporary tariff paid into the ledger, occupancy per zone. Fixed times (2026-11-20)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine

from wuye.core.errors import Conflict, InvalidInput, NotAllowed
from wuye.people.access import actor_for
from wuye.security import parking as service
from wuye.security.models import ParkingSession, VehicleClass

from .test_parking_world import NOW, at, parking_fixture  # noqa: F401  (the fixture)

pytestmark = pytest.mark.usefixtures("parking")


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def leave_at(parking, session, when, **fields):
    """The car leaves at `when`, the server's clock then (a car that pays leaves at the server's now)."""
    with time_machine.travel(when, tick=False):
        return service.leave(parking.guard, session, at=when, **fields)


def test_a_temporary_car_in_at_0805_out_at_1021_pays_6_yuan_into_the_ledger(parking):
    from wuye.billing.models import LedgerEntry, Payment, Receipt

    session = service.enter(parking.guard, project=parking.p1, plate="粤b 12345", gate=parking.gates.entry,
                            at=at(8, 5))
    assert (session.plate, session.zone, session.vehicle_class) == ("粤B12345", "地下一层", VehicleClass.TEMPORARY)
    session = leave_at(parking, session, at(10, 21), channel="cash", gate=parking.gates.exit)
    assert session.status == "left" and session.fee == Decimal("6.00")
    payment = Payment.objects.get(pk=session.payment_id)
    assert payment.amount == Decimal("6.00") and payment.channel == "cash"
    assert Receipt.objects.filter(payment=payment).count() == 1
    assert service.receipt_code(session)
    assert LedgerEntry.objects.filter(payment=payment).exists()
    # The timeline says it as a person reads it.
    from wuye.core.events import timeline
    from wuye.core.sentences import event_sentence

    lines = [event_sentence(event) for event in timeline(session)]
    assert any("粤B12345" in line and "地下一层" in line for line in lines)
    assert any("6.00" in line and "2" in line for line in lines)


def test_leaving_again_returns_the_same_session_and_payment(parking):
    from wuye.billing.models import Payment

    session = service.enter(parking.guard, project=parking.p1, plate="粤B12345", zone="地下一层", at=at(8, 5))
    first = leave_at(parking, session, at(10, 21))
    again = service.leave(parking.guard, session, at=at(10, 25), channel="pos", reference="123456789012")
    assert again.payment_id == first.payment_id and again.exited_at == first.exited_at
    assert Payment.objects.filter(project=parking.p1).count() == 1


@pytest.mark.parametrize("minutes, fee", [(15, "0.00"), (16, "2.00"), (60, "2.00"), (61, "4.00")])
def test_the_free_period_and_every_started_hour(parking, minutes, fee):
    session = service.enter(parking.guard, project=parking.p1, plate="粤B12345", zone="地下一层", at=at(8, 0))
    session = leave_at(parking, session, at(8, 0) + timedelta(minutes=minutes))
    assert session.fee == Decimal(fee)
    assert (session.payment_id is None) == (fee == "0.00")


def test_a_plate_inside_cannot_enter_again(parking):
    service.enter(parking.guard, project=parking.p1, plate="粤B12345", zone="地下一层", at=at(8, 0))
    with pytest.raises(Conflict) as error:
        service.enter(parking.guard, project=parking.p1, plate="粤B 12345", gate=parking.gates.ground)
    assert error.value.status == 409 and error.value.problems[0].field == "plate"
    # The same plate in the other project is another car park.
    service.enter(actor_for_p2(parking), project=parking.p2, plate="粤B12345", gate=parking.gates.p2)


def actor_for_p2(parking):
    from wuye.core.access import Actor, Role

    return Actor(user=None, role=Role.SECURITY, company_id=parking.p2.company_id,
                 project_ids=frozenset({parking.p2.pk}))


@pytest.mark.parametrize("plate", ["B12345", "粤B1234", "粤B123456789", "", "粤B12345'; --"])
def test_a_malformed_plate_is_a_422_naming_plate_and_writes_nothing(parking, plate):
    with pytest.raises(InvalidInput) as error:
        service.enter(parking.guard, project=parking.p1, plate=plate, zone="地下一层")
    assert [p.field for p in error.value.problems] == ["plate"]
    assert not ParkingSession.objects.exists()


def test_times_are_bounded_and_zones_checked(parking):
    for when in (NOW + timedelta(minutes=6), NOW - timedelta(days=7, minutes=1)):
        with pytest.raises(InvalidInput) as error:
            service.enter(parking.guard, project=parking.p1, plate="粤B12345", zone="地下一层", at=when)
        assert error.value.problems[0].field == "at"
    service.enter(parking.guard, project=parking.p1, plate="粤B12345", zone="地下一层", at=NOW + timedelta(minutes=5))
    with pytest.raises(InvalidInput) as error:
        service.enter(parking.guard, project=parking.p1, plate="粤B54321", zone="屋顶")
    assert error.value.problems[0].field == "zone"
    with pytest.raises(InvalidInput) as error:
        service.enter(parking.guard, project=parking.p1, plate="粤B54321", gate=parking.gates.exit)
    assert error.value.problems[0].field == "gate"
    with pytest.raises(InvalidInput) as error:
        service.enter(parking.guard, project=parking.p1, plate="粤B54321", gate=parking.gates.p2)
    assert error.value.problems[0].field == "gate"
    assert ParkingSession.objects.count() == 1


def test_a_monthly_pass_holder_pays_nothing(world, parking):
    from wuye.billing.models import ChargeItem, ParkingPass
    from wuye.tenancy.models import Unit

    unit = Unit.objects.filter(project=parking.p1).first()
    item, _ = ChargeItem.objects.get_or_create(project=parking.p1, code="parking-pass",
                                               defaults={"name": "月卡", "kind": "parking_pass"})
    ParkingPass.objects.create(project=parking.p1, unit=unit, item=item, plate="粤B88888",
                               starts_on=date(2026, 11, 1), ends_on=date(2026, 11, 30))
    session = service.enter(parking.guard, project=parking.p1, plate="粤B88888", zone="地下一层", at=at(8, 5))
    assert session.vehicle_class == VehicleClass.PASS
    session = service.leave(parking.guard, session, at=at(10, 21))
    assert session.fee == Decimal("0.00") and session.payment_id is None


def test_a_pass_that_expired_while_inside_pays_as_temporary_from_entry(world, parking):
    from wuye.billing.models import ChargeItem, ParkingPass
    from wuye.tenancy.models import Unit

    unit = Unit.objects.filter(project=parking.p1).first()
    item, _ = ChargeItem.objects.get_or_create(project=parking.p1, code="parking-pass",
                                               defaults={"name": "月卡", "kind": "parking_pass"})
    ParkingPass.objects.create(project=parking.p1, unit=unit, item=item, plate="粤B88888",
                               starts_on=date(2026, 10, 1), ends_on=date(2026, 11, 19))
    session = ParkingSession.objects.create(
        project=parking.p1, plate="粤B88888", vehicle_class=VehicleClass.PASS, zone="地下一层",
        entered_at=at(23, 0, day=19), entry_source="booth", parking_pass=ParkingPass.objects.get())
    session = leave_at(parking, session, at(0, 30))
    assert session.fee == Decimal("4.00") and session.payment_id is not None
    from wuye.core.events import timeline
    from wuye.core.sentences import event_sentence

    assert any("expired" in event_sentence(e) or "过期" in event_sentence(e) for e in timeline(session))


def test_a_resident_with_an_owned_space_pays_nothing(world, parking):
    from wuye.billing.models import ParkingSpace
    from wuye.people.models import Vehicle

    vehicle = Vehicle.objects.filter(project=parking.p1).select_related("resident").first()
    unit = vehicle.resident.residencies.filter(ended_on__isnull=True).first().unit
    ParkingSpace.objects.create(project=parking.p1, code="A-001", zone="地下一层", kind="owned", unit=unit)
    session = service.enter(parking.guard, project=parking.p1, plate=vehicle.plate, zone="地下一层", at=at(8, 0))
    assert session.vehicle_class == VehicleClass.RESIDENT and session.vehicle_id == vehicle.pk
    assert service.leave(parking.guard, session, at=at(10, 0)).fee == Decimal("0.00")


def test_a_registered_vehicle_without_a_space_is_temporary(world, parking):
    from wuye.people.models import Vehicle

    vehicle = Vehicle.objects.filter(project=parking.p1).first()
    session = service.enter(parking.guard, project=parking.p1, plate=vehicle.plate, zone="地下一层", at=at(8, 0))
    assert session.vehicle_class == VehicleClass.TEMPORARY


def test_finance_reads_but_may_not_record_exits_and_kefu2_sees_nothing_of_project_1(world, parking):
    session = service.enter(parking.guard, project=parking.p1, plate="粤B12345", zone="地下一层", at=at(8, 5))
    caiwu = actor_for(world.user("caiwu"))
    assert list(service.open_sessions(caiwu)) == [session]
    with pytest.raises(NotAllowed):
        service.leave(caiwu, session, at=at(10, 21))
    with pytest.raises(NotAllowed):
        service.enter(caiwu, project=parking.p1, plate="粤B54321", zone="地下一层")
    kefu2 = actor_for(world.user("kefu2"))
    assert not service.open_sessions(kefu2).exists()
    assert service.occupancy(kefu2) == [] or all(row.project_id != parking.p1.pk for row in service.occupancy(kefu2))


def test_occupancy_per_zone_free_never_below_zero(parking, django_assert_max_num_queries):
    for plate in ("粤B10001", "粤B10002"):
        service.enter(parking.guard, project=parking.p1, plate=plate, gate=parking.gates.entry, at=at(8, 0))
    service.enter(parking.guard, project=parking.p1, plate="粤B10003", gate=parking.gates.ground, at=at(8, 0))
    with django_assert_max_num_queries(2):
        rows = {row.zone: row for row in service.occupancy(parking.guard)}
    b1 = rows["地下一层"]
    assert (b1.spaces, b1.inside, b1.temporary_inside, b1.free, b1.over) == (3, 2, 2, 1, 0)
    ground = rows["地面临停区"]
    assert (ground.spaces, ground.inside, ground.free, ground.over) == (0, 1, 0, 1)
    for plate in ("粤B10004", "粤B10005"):
        service.enter(parking.guard, project=parking.p1, plate=plate, gate=parking.gates.entry, at=at(8, 0))
    b1 = {row.zone: row for row in service.occupancy(parking.guard)}["地下一层"]
    assert (b1.inside, b1.free, b1.over) == (4, 0, 1)


def test_the_daily_cap_of_the_project_rules_stops_the_fee(parking):
    session = service.enter(parking.guard, project=parking.p1, plate="粤B12345", zone="地下一层",
                            at=at(8, 0, day=19))
    quote = service.quote(session, at(8, 0))  # 24 hours: 48.00 uncapped, the cap is 20 yuan
    assert quote.amount == Decimal("20.00") and quote.capped
