"""Two owners (yezhu and a neighbour of project 1) book the last free slot of the court at the same moment, each
through the API in their own thread and database connection: one booking (201) and one 409 naming `starts_at`.
Threads need PostgreSQL's row locks; on SQLite the unique slot is tested sequentially (test_bookings)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from wuye.community.bookings import services
from wuye.community.bookings.models import Booking, BookingSlot
from wuye.core.testing import run_at_once

from .helpers import actor, court, neighbour

pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.skipif(connection.vendor != "postgresql",
                                 reason="threads writing at once need PostgreSQL (SQLite serialises writers)")]



def test_two_owners_booking_the_last_slot_at_once_make_one_booking_and_one_409(world, api):
    venue = court(world)
    day = timezone.localdate() + timedelta(days=3)
    starts = [timezone.make_aware(datetime.combine(day, time(hour))) for hour in range(8, 22)]
    desk = actor(world, "kefu")
    others = list(world.project1.units.exclude(pk=world.owner_unit("yezhu").pk).order_by("id")[5:])
    for number, start in enumerate(starts[:-1]):  # every slot but the last taken
        services.book(desk, venue, unit=others[number % len(others)], starts_at=start,
                      ends_at=start + timedelta(hours=1), people=1)
    last = starts[-1]
    _user, their_unit = neighbour(world)
    clients = [(api("yezhu"), world.owner_unit("yezhu")), (api("linju"), their_unit)]
    body = {"venue": venue.pk, "starts_at": last.isoformat(),
            "ends_at": (last + timedelta(hours=1)).isoformat(), "people": 2}
    results = run_at_once([lambda client=client, unit=unit: client.post("/api/v1/bookings", {**body, "unit": unit.pk})
                           for client, unit in clients])
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(response.status_code for response in results) == [201, 409]
    refused = next(response for response in results if response.status_code == 409)
    assert [error["field"] for error in refused.json()["errors"]] == ["starts_at"]
    assert Booking.objects.filter(starts_at=last).count() == 1
    assert BookingSlot.objects.filter(slot_start=last).count() == 1
