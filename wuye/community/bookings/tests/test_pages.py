"""The bookings pages: the owner's portal at 390 px (venues, a day's slots to tap, booking a slot, my bookings with
cancel), the desk's console (today's and upcoming bookings by venue, one booking and its steps, the venues and a
venue's day with the form to book for a household), the workbench card and the community home's figure."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from wuye.community.bookings import services
from wuye.community.bookings.models import Booking, BookingStatus, Venue

from .helpers import NOW, actor, at, court


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def owner_booking(world, venue, start=None, end=None):
    return services.book(actor(world, "yezhu"), venue, unit=world.owner_unit("yezhu"), starts_at=start or at(3, 19),
                         ends_at=end or at(3, 21), people=2, purpose="周末网球")


def test_the_owner_taps_a_free_slot_and_books_it_in_the_portal(world, login, frozen):
    venue = court(world)
    client = login("yezhu")
    home = client.get(reverse("bookings:h5_list"))
    assert home.status_code == 200
    assert "网球场" in home.content.decode() and "¥40.00" in home.content.decode()
    day = client.get(reverse("bookings:h5_venue", args=[venue.pk]), {"day": "2026-12-03"})
    page = day.content.decode()
    assert day.status_code == 200 and "2026年12月3日" in page
    tap = reverse("bookings:h5_book", args=[venue.pk])
    assert f"{tap}?start=2026-12-03T19%3A00%3A00%2B08%3A00" in page
    form = client.get(tap, {"start": "2026-12-03T19:00:00+08:00"})
    assert form.status_code == 200 and "¥80.00" in form.content.decode()
    done = client.post(tap, {"starts_at": "2026-12-03T19:00:00+08:00", "slots": "2", "people": "3",
                             "purpose": "周末网球"})
    booking = Booking.objects.get()
    assert done.status_code == 302 and done["Location"] == reverse("bookings:h5_detail", args=[booking.pk])
    assert (booking.people, booking.ends_at) == (3, at(3, 21))
    detail = client.get(done["Location"]).content.decode()
    assert "2026年12月3日 19:00–21:00" in detail and "2026年12月2日 19:00" in detail  # free cancellation until
    mine = client.get(reverse("bookings:h5_venue", args=[venue.pk]), {"day": "2026-12-03"}).content.decode()
    assert "slot-mine" in mine


def test_a_refused_booking_in_the_portal_says_why_and_writes_nothing(world, login, frozen):
    venue = court(world)
    response = login("yezhu").post(reverse("bookings:h5_book", args=[venue.pk]), {
        "starts_at": "2026-12-03T19:00:00+08:00", "slots": "1", "people": "9"})
    page = response.content.decode()
    assert response.status_code == 422 and "flash-error" in page, page[page.find("flash"):][:300]
    assert not Booking.objects.exists()


def test_the_owner_cancels_from_my_bookings(world, login, frozen):
    venue = court(world)
    booking = owner_booking(world, venue)
    client = login("yezhu")
    page = client.get(reverse("bookings:h5_list")).content.decode()
    assert reverse("bookings:h5_cancel", args=[booking.pk]) in page
    assert client.post(reverse("bookings:h5_cancel", args=[booking.pk])).status_code == 302
    assert Booking.objects.get().status == BookingStatus.CANCELLED


def test_another_household_gets_404_in_the_portal(world, login, frozen):
    venue = court(world)
    booking = owner_booking(world, venue)
    client = login("yezhu2")
    assert client.get(reverse("bookings:h5_detail", args=[booking.pk])).status_code == 404
    assert client.post(reverse("bookings:h5_cancel", args=[booking.pk])).status_code == 404
    assert client.get(reverse("bookings:h5_venue", args=[venue.pk])).status_code == 404
    assert "网球场" not in client.get(reverse("bookings:h5_list")).content.decode()


def test_the_desk_sees_the_days_bookings_by_venue_and_marks_one_used(world, login, frozen):
    venue = court(world)
    booking = owner_booking(world, venue, at(2, 12), at(2, 13))
    client = login("kefu")
    listing = client.get(reverse("bookings:list"), {"day": "2026-12-02", "status": "booked"}).content.decode()
    assert "网球场" in listing and booking.unit.label in listing and "¥40.00" in listing
    detail = client.get(reverse("bookings:detail", args=[booking.pk]))
    assert detail.status_code == 200 and "2026年12月2日" in detail.content.decode()
    early = client.post(reverse("bookings:action", args=[booking.pk, "used"]))
    assert early.status_code == 409
    frozen.move_to(at(2, 12, 10))
    assert client.post(reverse("bookings:action", args=[booking.pk, "used"])).status_code == 302
    assert Booking.objects.get().status == BookingStatus.USED
    assert login("kefu2").get(reverse("bookings:detail", args=[booking.pk])).status_code == 404


def test_the_desk_books_a_slot_for_a_household_from_the_venue_page(world, login, frozen):
    venue = court(world)
    client = login("kefu")
    page = client.get(reverse("bookings:venue", args=[venue.pk]), {"day": "2026-12-03"})
    assert page.status_code == 200
    unit = world.owner_unit("yezhu")
    response = client.post(reverse("bookings:venue_book", args=[venue.pk]), {
        "unit": unit.label, "starts_at": "2026-12-03T09:00:00+08:00", "slots": "2", "people": "2"})
    assert response.status_code == 302
    assert Booking.objects.get().at_desk is True
    wrong = client.post(reverse("bookings:venue_book", args=[venue.pk]), {
        "unit": "9-9-999", "starts_at": "2026-12-03T12:00:00+08:00", "slots": "1", "people": "2"})
    assert wrong.status_code == 422 and Booking.objects.count() == 1


def test_the_desk_sets_up_and_changes_a_venue(world, login, frozen):
    client = login("kefu")
    form = {"project": str(world.project1.pk), "name": "会所", "kind": "clubhouse", "place": "会所二层",
            "capacity": "60", "slot_minutes": "120", "max_slots": "2", "window_days": "14", "notice_hours": "24",
            "cancel_hours": "48", "fee_per_slot": "100", "rules": "禁止明火", "is_active": "on",
            **{f"open_{n}": "09:00" for n in range(7)}, **{f"close_{n}": "21:00" for n in range(7)}}
    response = client.post(reverse("bookings:venues"), form)
    assert response.status_code == 302, response.content.decode()[:2000]
    venue = Venue.objects.get()
    assert venue.hours[0] == ["09:00", "21:00"] and str(venue.fee_per_slot) == "100.00"
    bad = client.post(reverse("bookings:venues"), {**form, "name": "球场", "open_0": "22:00"})
    assert bad.status_code == 422 and Venue.objects.count() == 1
    changed = client.post(reverse("bookings:venue_edit", args=[venue.pk]), {**form, "fee_per_slot": "120.00"})
    assert changed.status_code == 302
    venue.refresh_from_db()
    assert str(venue.fee_per_slot) == "120.00"
    assert client.get(reverse("bookings:venues")).status_code == 200
    assert login("caiwu").post(reverse("bookings:venues"), {**form, "name": "球场"}).status_code in (403, 404)


def test_workbench_card_and_home_figure_count_the_list_they_open(world, login, frozen):
    from wuye.community.bookings.workbench import booking_cards
    from wuye.community.home import SECTIONS

    venue = court(world)
    owner_booking(world, venue, at(2, 12), at(2, 13))
    owner_booking(world, venue, at(3, 12), at(3, 13))
    desk = actor(world, "kefu")
    card = next(card for card in booking_cards(desk, NOW) if card.key == "bookings.today")
    assert card.count == 1
    listing = login("kefu").get(card.url)
    assert listing.status_code == 200
    assert len(listing.context["rows"]) == card.count
    count, _label, url = SECTIONS["bookings"].figure(desk)
    assert (count, url) == (1, card.url)
    assert booking_cards(actor(world, "kefu2"), NOW)[0].count == 0
