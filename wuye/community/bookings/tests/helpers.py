"""What the bookings tests share: a fixed moment (Wednesday 2026-12-02 10:00, Shanghai), the project's tennis court
(08:00–22:00 every day, 60-minute slots, at most 2 a booking, 14 days ahead, 2 hours' notice, free cancellation
until 24 hours before, ¥40.00 a slot) and a free meeting room, and a second owner of project 1 (a neighbour of
yezhu) for two owners booking at once."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from wuye.community.bookings import services
from wuye.people.access import actor_for

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=SHANGHAI)
EVERY_DAY = [["08:00", "22:00"]] * 7
COURT = {"name": "网球场", "kind": "court", "place": "东侧运动区", "capacity": 4, "hours": EVERY_DAY,
         "slot_minutes": 60, "max_slots": 2, "window_days": 14, "notice_hours": 2, "cancel_hours": 24,
         "fee_per_slot": "40.00", "rules": "请穿网球鞋入场"}
ROOM = {**COURT, "name": "多功能会议室", "kind": "meeting_room", "capacity": 20, "fee_per_slot": "0"}


def at(day: int, hour: int, minute: int = 0, month: int = 12) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


def actor(world, username):
    return actor_for(world.user(username))


def court(world, **changes):
    return services.create_venue(actor(world, "kefu"), world.project1, **{**COURT, **changes})


def room(world):
    return services.create_venue(actor(world, "kefu"), world.project1, **ROOM)


def neighbour(world, username="linju"):
    """A second owner with a login in project 1 (another home than yezhu's)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from wuye.people.models import Relation, Residency, Resident
    from wuye.tenancy.models import Unit, UnitKind

    mine = world.owner_unit("yezhu")
    unit = Unit.objects.filter(project=world.project1, kind=UnitKind.RESIDENTIAL).exclude(pk=mine.pk).order_by(
        "id").first()
    user = get_user_model().objects.create(username=username, first_name="邻居", password=make_password("wuye-demo"))
    resident = Resident.objects.create(project=world.project1, name="李邻居", phone="13900001111", user=user)
    Residency.objects.create(unit=unit, resident=resident, relation=Relation.OWNER)
    return user, unit
