"""The demo's bookings: three venues per project, this week's bookings through the real services (the owner's
among them, tomorrow evening's court fully booked); a second run adds nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from wuye.community.bookings import services
from wuye.community.bookings.models import Booking, BookingStatus, Venue
from wuye.demo.community_bookings import add_demo_bookings
from wuye.people.access import actor_for

from .helpers import SHANGHAI


def test_the_demo_books_this_week_and_runs_once(world):
    now = datetime(2026, 12, 2, 15, 30, tzinfo=SHANGHAI)  # a Wednesday
    made = add_demo_bookings(world.company, now=now)
    assert made["venues"] == 6 and made["bookings"] > 20
    assert Venue.objects.filter(project=world.project1).count() == 3
    yezhu = actor_for(world.user("yezhu"))
    assert services.bookings(yezhu).filter(status=BookingStatus.BOOKED).count() == 2
    assert Booking.objects.filter(status=BookingStatus.USED).exists()
    assert Booking.objects.filter(status=BookingStatus.NO_SHOW).exists()
    assert Booking.objects.filter(status=BookingStatus.CANCELLED).exists()
    court = Venue.objects.get(project=world.project1, name="网球场")
    tomorrow = timezone.localdate(now) + timedelta(days=1)
    evening = [slot for slot in services.availability(yezhu, court, tomorrow, now=now)
               if timezone.localtime(slot["starts_at"]).hour >= 19]
    assert [slot["state"] for slot in evening] == ["taken", "taken", "taken"]
    assert add_demo_bookings(world.company, now=now) == {"venues": 0, "bookings": 0}
