"""Demo facility bookings (issue 15 item 6): three venues per project — a free meeting room, the clubhouse hall and
a tennis court with fees — and this week's bookings made through the real services: the desk's meeting-room
bookings (the past ones used, one a no-show), the demo owner's clubhouse booking and court game, a cancelled one,
and tomorrow evening's court fully booked."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from wuye.community.bookings import services
from wuye.community.bookings.models import Venue
from wuye.people.access import actor_for
from wuye.tenancy.models import Unit, UnitKind

EVERY_DAY = [["08:00", "21:00"]] * 7
VENUES = (
    {"name": "多功能会议室", "kind": "meeting_room", "place": "1号楼一层 物业服务中心旁", "capacity": 20,
     "hours": EVERY_DAY, "slot_minutes": 60, "max_slots": 3, "window_days": 14, "notice_hours": 2,
     "cancel_hours": 12, "fee_per_slot": "0.00", "rules": "会后请关灯、关空调，桌椅归位。"},
    {"name": "会所多功能厅", "kind": "clubhouse", "place": "会所二层", "capacity": 60,
     "hours": [["09:00", "21:00"]] * 5 + [["09:00", "23:00"]] * 2, "slot_minutes": 120, "max_slots": 2,
     "window_days": 14, "notice_hours": 24, "cancel_hours": 48, "fee_per_slot": "100.00",
     "rules": "禁止明火与大功率电器；活动结束后由物业检查场地。"},
    {"name": "网球场", "kind": "court", "place": "小区东侧运动区", "capacity": 4,
     "hours": [["07:00", "22:00"]] * 7, "slot_minutes": 60, "max_slots": 2, "window_days": 7, "notice_hours": 2,
     "cancel_hours": 24, "fee_per_slot": "40.00", "rules": "请穿网球鞋入场；雨天场地湿滑暂停开放。"},
)
DESK = ("kefu", "kefu2")
OWNERS = ("yezhu", "yezhu2")


def _at(day, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _project_bookings(project, index: int, now: datetime) -> dict:
    users = {user.username: user for user in get_user_model().objects.filter(
        username__in=(*DESK, *OWNERS, "admin"))}
    # Each project's own desk and owner (kefu, yezhu; kefu2, yezhu2); a further project is the administrator's.
    desk = actor_for(users[DESK[index]] if index < len(DESK) else users["admin"])
    owner = actor_for(users[OWNERS[index]]) if index < len(OWNERS) and OWNERS[index] in users else None
    venues = [services.create_venue(desk, project, **spec) for spec in VENUES]
    meeting, club, court = venues
    units = list(Unit.objects.filter(project=project, kind=UnitKind.RESIDENTIAL).select_related("building")
                 .order_by("building_id", "number")[:8])
    owner_unit = next((unit for unit in units if owner and unit.pk in owner.unit_ids), None)
    others = [unit for unit in units if unit != owner_unit] or units
    today = timezone.localdate(now)
    monday = today - timedelta(days=today.weekday())
    made = 0

    def book(actor, venue, unit, start: datetime, slots: int, people: int, purpose: str, at=None):
        nonlocal made
        made += 1
        return services.book(actor, venue, unit=unit, starts_at=start,
                             ends_at=start + timedelta(minutes=venue.slot_minutes * slots), people=people,
                             purpose=purpose, at=at or min(now, start - timedelta(days=1)))

    # The meeting room every day this week, 10:00–12:00, booked at the desk; the past ones used (Tuesday's a no-show).
    for offset in range(7):
        day = monday + timedelta(days=offset)
        start = _at(day, 10)
        purpose = "业委会例会" if offset % 2 else "业主议事"
        booking = book(desk, meeting, others[offset % len(others)], start, 2, 12, purpose)
        if start + timedelta(hours=1) <= now:
            mark = services.mark_no_show if offset == 1 else services.mark_used
            mark(desk, booking, at=start + timedelta(hours=1))
    # Tomorrow evening the court is full: 19:00, 20:00 and 21:00.
    tomorrow = today + timedelta(days=1)
    for hour, unit in zip((19, 20, 21), others[1:4] or others, strict=False):
        book(desk, court, unit, _at(tomorrow, hour), 1, 2, "网球")
    if owner is not None and owner_unit is not None:
        # The owner's family party in the clubhouse in three days, and a court game the day after tomorrow.
        book(owner, club, owner_unit, _at(today + timedelta(days=3), 13), 2, 30, "家庭聚会", at=now)
        book(owner, court, owner_unit, _at(today + timedelta(days=2), 8), 1, 2, "周末网球", at=now)
    # A clubhouse booking the household called off in time.
    cancelled = book(desk, club, others[-1], _at(today + timedelta(days=5), 15), 1, 20, "生日会", at=now)
    services.cancel(desk, cancelled, reason="改期", at=now)
    return {"venues": len(venues), "bookings": made}


def add_demo_bookings(company, now: datetime | None = None) -> dict:
    """Three venues and this week's bookings for each project of `company` that has no venue yet (idempotent)."""
    now = now or timezone.now()
    totals = {"venues": 0, "bookings": 0}
    for index, project in enumerate(company.projects.order_by("id")):
        if Venue.objects.filter(project=project).exists():
            continue
        with transaction.atomic():
            made = _project_bookings(project, index, now)
        for key, count in made.items():
            totals[key] += count
    return totals
