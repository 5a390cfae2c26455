"""Facility bookings through the API: an owner books slots of a court of their community (a bill for the fee),
every rule's refusal names its field and writes nothing, the last slot is booked once, cancellation before and
after the deadline, the desk marks used or no-show, and nobody sees beyond their scope."""

from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine
from django.db import IntegrityError, transaction

from wuye.billing.models import Bill
from wuye.community.bookings import services
from wuye.community.bookings.models import Booking, BookingSlot, BookingStatus
from wuye.core.models import Notification

from .helpers import NOW, actor, at, court, neighbour, room


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def payload(world, venue, start, end, unit=None, people=2, **extra):
    unit = unit or world.owner_unit("yezhu")
    return {"venue": venue.pk, "unit": unit.pk, "starts_at": start.isoformat(), "ends_at": end.isoformat(),
            "people": people, **extra}


def fields(response) -> set[str]:
    return {error["field"] for error in response.json()["errors"]}


def test_an_owner_books_two_slots_and_is_billed_for_them(world, api, frozen):
    venue = court(world)
    owner = api("yezhu")
    response = owner.post("/api/v1/bookings", payload(world, venue, at(3, 19), at(3, 21), purpose="周末网球"))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "booked" and body["fee"] == "80.00" and body["bill_state"] == "unpaid"
    assert body["starts_at"] == "2026-12-03T19:00:00+08:00"
    assert body["cancel_deadline"] == "2026-12-02T19:00:00+08:00"
    assert body["actions"] == ["cancel"]
    booking = Booking.objects.get()
    bill = Bill.objects.get(source_id=booking.pk, source_type__model="booking")
    assert bill.amount == Decimal("80.00") and bill.unit == world.owner_unit("yezhu")
    assert bill.item.code == "paid-service" and str(bill.due_on) == "2026-12-03"
    listed = owner.get("/api/v1/bookings").json()
    assert listed["count"] == 1 and listed["items"][0]["venue"] == "网球场"
    slots = owner.get(f"/api/v1/venues/{venue.pk}/availability", day="2026-12-03").json()["slots"]
    states = {slot["starts_at"][11:16]: slot["state"] for slot in slots}
    assert states["19:00"] == states["20:00"] == "mine" and states["21:00"] == "free"
    assert all(slot["unit"] == "" and slot["booking_id"] is None for slot in slots)


def test_a_free_venue_posts_no_bill(world, api, frozen):
    venue = room(world)
    response = api("yezhu").post("/api/v1/bookings", payload(world, venue, at(4, 9), at(4, 10)))
    assert response.status_code == 201 and response.json()["fee"] == "0.00"
    assert not Bill.objects.filter(source_type__model="booking").exists()


@pytest.mark.parametrize(("start", "end", "field"), [
    (at(3, 19, 30), at(3, 20, 30), "starts_at"),  # not on a slot
    (at(3, 7), at(3, 8), "starts_at"),  # before opening
    (at(3, 21), at(3, 23), "ends_at"),  # past closing
    (at(3, 18), at(3, 21), "ends_at"),  # three slots, at most two
    (at(3, 19), at(3, 19), "ends_at"),  # no time at all
    (at(1, 19), at(1, 20), "starts_at"),  # yesterday
    (at(2, 11), at(2, 12), "starts_at"),  # one hour's notice; two are asked
    (at(17, 9), at(17, 10), "starts_at"),  # 15 days ahead; 14 are open
])
def test_each_rule_refuses_naming_its_field_and_writes_nothing(world, api, frozen, start, end, field):
    venue = court(world)
    response = api("yezhu").post("/api/v1/bookings", payload(world, venue, start, end))
    assert response.status_code == 422, response.content
    assert field in fields(response)
    assert not Booking.objects.exists() and not BookingSlot.objects.exists()
    assert not Bill.objects.filter(source_type__model="booking").exists()


def test_the_notice_and_the_window_are_the_venues_numbers(world, api, frozen):
    """Two hours' notice: at 10:00 the 12:00 slot is open, 11:00 is not; 14 days: the 16th is open, the 17th not."""
    venue = court(world)
    owner = api("yezhu")
    assert owner.post("/api/v1/bookings", payload(world, venue, at(2, 11), at(2, 12))).status_code == 422
    assert owner.post("/api/v1/bookings", payload(world, venue, at(2, 12), at(2, 13))).status_code == 201
    assert owner.post("/api/v1/bookings", payload(world, venue, at(17, 8), at(17, 9))).status_code == 422
    assert owner.post("/api/v1/bookings", payload(world, venue, at(16, 21), at(16, 22))).status_code == 201


def test_people_purpose_unit_and_closed_venues_are_checked(world, api, frozen):
    venue = court(world)
    owner = api("yezhu")
    too_many = owner.post("/api/v1/bookings", payload(world, venue, at(3, 9), at(3, 10), people=5))
    assert too_many.status_code == 422 and fields(too_many) == {"people"}
    other_home = neighbour(world)[1]
    not_mine = owner.post("/api/v1/bookings", payload(world, venue, at(3, 9), at(3, 10), unit=other_home))
    assert not_mine.status_code == 422 and fields(not_mine) == {"unit"}
    services.update_venue(actor(world, "kefu"), venue, is_active=False)
    closed = owner.post("/api/v1/bookings", payload(world, venue, at(3, 9), at(3, 10)))
    assert closed.status_code == 422 and fields(closed) == {"venue"}
    assert not Booking.objects.exists()


def test_a_taken_slot_is_a_409_naming_starts_at(world, api, frozen):
    venue = court(world)
    _user, unit = neighbour(world)
    assert api("yezhu").post("/api/v1/bookings", payload(world, venue, at(3, 19), at(3, 21))).status_code == 201
    overlap = api("linju").post("/api/v1/bookings", payload(world, venue, at(3, 20), at(3, 22), unit=unit))
    assert overlap.status_code == 409 and fields(overlap) == {"starts_at"}
    assert Booking.objects.count() == 1 and BookingSlot.objects.count() == 2
    after = api("linju").post("/api/v1/bookings", payload(world, venue, at(3, 21), at(3, 22), unit=unit))
    assert after.status_code == 201


def test_the_unique_slot_refuses_a_double_booking_even_unseen(world, frozen, monkeypatch):
    """The database's own word: with the friendly check blinded, the second booking of a slot still fails — on
    SQLite as on PostgreSQL — as a 409 naming `starts_at`, and nothing of it stays."""
    from wuye.core.errors import Conflict

    venue = court(world)
    owner = actor(world, "yezhu")
    services.book(owner, venue, unit=world.owner_unit("yezhu"), starts_at=at(3, 19), ends_at=at(3, 20), people=2)
    monkeypatch.setattr(services, "slots_free", lambda venue, starts: True)
    with pytest.raises(Conflict) as refused:
        services.book(owner, venue, unit=world.owner_unit("yezhu"), starts_at=at(3, 18), ends_at=at(3, 20),
                      people=2)
    assert [problem.field for problem in refused.value.problems] == ["starts_at"]
    assert Booking.objects.count() == 1 and BookingSlot.objects.count() == 1
    assert Bill.objects.filter(source_type__model="booking").count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        BookingSlot.objects.create(venue=venue, booking=Booking.objects.get(), slot_start=at(3, 19))


def test_an_owner_cancels_in_time_and_finance_is_asked_to_void_the_fee(world, api, frozen):
    venue = court(world)
    owner = api("yezhu")
    booking = owner.post("/api/v1/bookings", payload(world, venue, at(3, 19), at(3, 21))).json()
    frozen.move_to(at(2, 18, 59))
    response = owner.post(f"/api/v1/bookings/{booking['id']}/actions/cancel", {"reason": "临时有事"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "cancelled" and response.json()["actions"] == []
    assert not BookingSlot.objects.exists()  # the slots are free again
    assert Notification.objects.filter(recipient__username="caiwu", subject_line__contains="¥80.00").exists()
    again = api("yezhu").post("/api/v1/bookings", payload(world, venue, at(3, 19), at(3, 20)))
    assert again.status_code == 201


def test_after_the_deadline_the_owner_cannot_cancel(world, api, frozen):
    """Free cancellation until 24 hours before: at 19:00 the day before a 19:00 booking it is too late."""
    venue = court(world)
    owner = api("yezhu")
    booking = owner.post("/api/v1/bookings", payload(world, venue, at(3, 19), at(3, 20))).json()
    frozen.move_to(at(2, 19))
    response = owner.post(f"/api/v1/bookings/{booking['id']}/actions/cancel")
    assert response.status_code == 409 and fields(response) == {"starts_at"}
    assert Booking.objects.get().status == BookingStatus.BOOKED


def test_the_manager_cancels_in_time_and_the_unpaid_fee_is_written_off(world, api, frozen):
    venue = court(world)
    booking = api("yezhu").post("/api/v1/bookings", payload(world, venue, at(4, 9), at(4, 10))).json()
    response = api("jingli").post(f"/api/v1/bookings/{booking['id']}/actions/cancel", {"reason": "场地维修"})
    assert response.status_code == 200 and response.json()["bill_state"] == "written_off"
    assert Bill.objects.get(source_type__model="booking").outstanding == 0


def test_the_desk_cancels_late_and_the_fee_stands(world, api, frozen):
    venue = court(world)
    booking = api("yezhu").post("/api/v1/bookings", payload(world, venue, at(3, 9), at(3, 10))).json()
    frozen.move_to(at(3, 8))
    response = api("kefu").post(f"/api/v1/bookings/{booking['id']}/actions/cancel", {"reason": "业主未到前来电"})
    assert response.status_code == 200 and response.json()["bill_state"] == "unpaid"
    assert not Notification.objects.filter(recipient__username="caiwu", subject_line__contains="¥40.00").exists()


def test_the_desk_marks_used_or_no_show_once_begun(world, api, frozen):
    venue = court(world)
    first = api("yezhu").post("/api/v1/bookings", payload(world, venue, at(2, 12), at(2, 13))).json()
    second = api("yezhu").post("/api/v1/bookings", payload(world, venue, at(2, 14), at(2, 15))).json()
    desk = api("kefu")
    early = desk.post(f"/api/v1/bookings/{first['id']}/actions/used")
    assert early.status_code == 409 and fields(early) == {"starts_at"}
    frozen.move_to(at(2, 14, 5))
    assert api("yezhu").post(f"/api/v1/bookings/{first['id']}/actions/used").status_code == 403
    assert desk.post(f"/api/v1/bookings/{first['id']}/actions/used").json()["status"] == "used"
    assert desk.post(f"/api/v1/bookings/{second['id']}/actions/no_show").json()["status"] == "no_show"
    assert desk.post(f"/api/v1/bookings/{second['id']}/actions/cancel").status_code == 409
    assert desk.post(f"/api/v1/bookings/{second['id']}/actions/fly").status_code == 422
    assert BookingSlot.objects.count() == 2  # used and no-show keep their time taken


def test_the_desk_books_for_a_unit_at_short_notice(world, api, frozen):
    venue = court(world)
    unit = world.owner_unit("yezhu")
    response = api("kefu").post("/api/v1/bookings", payload(world, venue, at(2, 11), at(2, 12), unit=unit))
    assert response.status_code == 201 and response.json()["at_desk"] is True
    slots = api("kefu").get(f"/api/v1/venues/{venue.pk}/availability", day="2026-12-02").json()["slots"]
    assert next(slot for slot in slots if slot["starts_at"][11:16] == "11:00")["unit"] == unit.label


def test_scope_other_projects_and_other_households_see_nothing(world, api, frozen):
    venue = court(world)
    booking = api("yezhu").post("/api/v1/bookings", payload(world, venue, at(3, 19), at(3, 20))).json()
    for username in ("kefu2", "yezhu2"):
        client = api(username)
        assert client.get(f"/api/v1/bookings/{booking['id']}").status_code == 404
        assert client.post(f"/api/v1/bookings/{booking['id']}/actions/cancel").status_code == 404
        assert client.get("/api/v1/bookings").json()["count"] == 0
        assert client.get(f"/api/v1/venues/{venue.pk}/availability").status_code == 404
        assert client.get("/api/v1/venues").json()["count"] == 0
    neighbour(world)
    neighbour_client = api("linju")
    assert neighbour_client.get(f"/api/v1/bookings/{booking['id']}").status_code == 404
    assert neighbour_client.get("/api/v1/venues").json()["count"] == 1
    foreign = api("yezhu2").post("/api/v1/bookings", payload(world, venue, at(3, 9), at(3, 10),
                                                             unit=world.owner_unit("yezhu2")))
    assert foreign.status_code == 422 and fields(foreign) == {"venue"}
    assert api("huanjing").get("/api/v1/bookings").status_code == 403
    assert api("kefu").get("/api/v1/bookings").json()["count"] == 1


def test_venues_are_set_up_by_the_desk_with_every_field_checked(world, api, frozen):
    desk = api("kefu")
    body = {"project": world.project1.pk, "name": "会所", "kind": "clubhouse", "capacity": 60,
            "hours": [["09:00", "21:00"]] * 5 + [None, None], "slot_minutes": 120, "max_slots": 2,
            "window_days": 14, "notice_hours": 24, "cancel_hours": 48, "fee_per_slot": "100.00"}
    created = desk.post("/api/v1/venues", body)
    assert created.status_code == 201, created.content
    assert created.json()["hours"][5] is None and created.json()["fee_per_slot"] == "100.00"
    again = desk.post("/api/v1/venues", body)
    assert again.status_code == 422 and fields(again) == {"name"}
    bad_hours = desk.post("/api/v1/venues", {**body, "name": "球场", "hours": [["21:00", "09:00"]] + [None] * 6})
    assert bad_hours.status_code == 422 and fields(bad_hours) == {"hours[0]"}
    odd_slot = desk.post("/api/v1/venues", {**body, "name": "球场", "slot_minutes": 50})
    assert odd_slot.status_code == 422 and fields(odd_slot) == {"slot_minutes"}
    assert api("yezhu").post("/api/v1/venues", {**body, "name": "球场"}).status_code == 403
    assert api("kefu2").post("/api/v1/venues", {**body, "name": "球场"}).status_code == 422  # not their project
    saturday = desk.get(f"/api/v1/venues/{created.json()['id']}/availability", day="2026-12-05").json()
    assert saturday["open"] is False and saturday["slots"] == []


def test_events_read_as_sentences(world, frozen):
    from django.utils import translation

    from wuye.core.events import timeline
    from wuye.core.sentences import event_sentence

    venue = court(world)
    booking = services.book(actor(world, "yezhu"), venue, unit=world.owner_unit("yezhu"), starts_at=at(3, 19),
                            ends_at=at(3, 21), people=2)
    services.cancel(actor(world, "yezhu"), booking, reason="临时有事")
    with translation.override("en"):
        lines = [event_sentence(event) for event in timeline(booking)]
    label = world.owner_unit("yezhu").label
    assert lines[0] == f"Booked 网球场 in the portal for {label}: 12-03 19:00 to 21:00, 2 people; fee ¥80.00"
    assert lines[1] == "Booking of 网球场 at 12-03 19:00 cancelled in time: 临时有事"
