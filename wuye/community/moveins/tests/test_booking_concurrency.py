"""Two owners booking the last place of a slot at the same moment (threads, PostgreSQL): the slot's row lock lets
one through; the other is a 409 naming `slot`."""

from datetime import date

import pytest
from django.db import connection
from django.utils import timezone

from wuye.community.moveins import services
from wuye.community.moveins.models import MoveIn
from wuye.core.errors import Conflict
from wuye.core.testing import run_at_once
from wuye.people.access import actor_for

from .test_moveins import second_owner

pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")]



def test_two_owners_booking_the_last_place_at_once(world):
    kefu = actor_for(world.user("kefu"))
    mine, other = world.owner_unit("yezhu"), second_owner(world)
    first_day = timezone.localdate() + date.resolution * 10
    batch = services.create_batch(kefu, building=mine.building, name="并发测试", first_day=first_day,
                                  last_day=first_day, place="会所",
                                  slots=[{"starts": "09:00", "ends": "10:00", "capacity": 1}])
    services.notify_batch(kefu, batch)
    services.open_batch(kefu, batch)
    slot = batch.slots.get()
    yezhu, yezhu3 = actor_for(world.user("yezhu")), actor_for(world.user("yezhu3"))
    results = run_at_once([lambda: services.book(yezhu, batch=batch, unit=mine, slot=slot),
                           lambda: services.book(yezhu3, batch=batch, unit=other, slot=slot)])
    booked = [r for r in results if isinstance(r, MoveIn)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(booked) == 1 and len(refused) == 1, results
    assert refused[0].problems[0].field == "slot"
    assert MoveIn.objects.filter(slot=slot).count() == 1
