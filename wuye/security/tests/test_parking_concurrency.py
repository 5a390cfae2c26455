"""Ten exits of one session at once (threads, PostgreSQL): one payment, one receipt. Two entries of one plate at
once: one session, the other a 409."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections

from wuye.core.errors import Conflict
from wuye.security import parking as service
from wuye.security.models import ParkingSession

from .test_parking_world import build

pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")]


def run_at_once(count, work):
    barrier, results = threading.Barrier(count), []

    def one():
        try:
            barrier.wait()
            results.append(work())
        except Exception as error:  # collected and asserted below
            results.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def test_ten_exits_at_once_make_one_payment_and_one_receipt(world):
    from django.utils import timezone

    from wuye.billing.models import Payment, Receipt

    parking = build(world)
    session = service.enter(parking.guard, project=parking.p1, plate="粤B12345", zone="地下一层",
                            at=timezone.now() - timedelta(hours=2, minutes=16))
    results = run_at_once(10, lambda: service.leave(parking.guard, session, channel="cash"))
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len({r.payment_id for r in results}) == 1
    assert Payment.objects.filter(project=parking.p1).count() == 1
    assert Receipt.objects.filter(project=parking.p1).count() == 1
    assert ParkingSession.objects.get().fee == service.quote(ParkingSession.objects.get(),
                                                             ParkingSession.objects.get().exited_at).amount


def test_two_entries_of_one_plate_at_once_make_one_session(world):
    parking = build(world)
    results = run_at_once(2, lambda: service.enter(parking.guard, project=parking.p1, plate="粤B12345",
                                                   zone="地下一层"))
    assert sum(isinstance(r, ParkingSession) for r in results) == 1
    assert sum(isinstance(r, Conflict) for r in results) == 1
    assert ParkingSession.objects.count() == 1
