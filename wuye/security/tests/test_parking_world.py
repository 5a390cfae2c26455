"""The parking world the parking tests share (no tests here): in project 1 an entry and an exit gate of 地下一层,
an entry gate of 地面临停区, three temporary spaces in 地下一层, the temporary tariff at 2.00 per hour (seed 001
ch.6 §3) from 2026-01-01; in project 2 one gate. Times are fixed: the tests travel to NOW."""

from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 20, 10, 30, tzinfo=SH)


def at(hour: int, minute: int, day: int = 20) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=SH)


def tariff(project, rate="2.00"):
    from wuye.billing.models import ChargeItem, ChargeKind, Tariff

    item, _ = ChargeItem.objects.get_or_create(project=project, code="parking-temporary",
                                               defaults={"name": "临时停车费", "kind": ChargeKind.PARKING_TEMPORARY})
    Tariff.objects.get_or_create(item=item, unit_kind="", effective_from=date(2026, 1, 1),
                                 defaults={"basis": "per_hour", "rate": rate})
    return item


def build(world) -> SimpleNamespace:
    from wuye.billing.models import ParkingSpace
    from wuye.people.access import actor_for
    from wuye.security.models import ParkingGate

    p1, p2 = world.project1, world.project2
    item = tariff(p1)
    tariff(p2)
    gates = SimpleNamespace(
        entry=ParkingGate.objects.create(project=p1, code="b1-in", name="地库入口", zone="地下一层", direction="entry"),
        exit=ParkingGate.objects.create(project=p1, code="b1-out", name="地库出口", zone="地下一层", direction="exit"),
        ground=ParkingGate.objects.create(project=p1, code="g-in", name="东门入口", zone="地面临停区",
                                          direction="entry"),
        p2=ParkingGate.objects.create(project=p2, code="b1-in", name="南门入口", zone="地下一层", direction="entry"),
    )
    for number in range(1, 4):
        ParkingSpace.objects.create(project=p1, code=f"LT-{number:02d}", zone="地下一层", kind="temporary")
    return SimpleNamespace(p1=p1, p2=p2, item=item, gates=gates, guard=actor_for(world.user("zhixu")),
                           user=world.user("zhixu"))


@pytest.fixture(name="parking")
def parking_fixture(world):
    return build(world)
