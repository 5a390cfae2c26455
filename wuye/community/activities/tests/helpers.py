"""Shared builders of the activities tests: a fixed clock, an activity of project 1, a second owner there."""

from datetime import datetime
from zoneinfo import ZoneInfo

from wuye.community.activities import services
from wuye.people.access import actor_for

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=TZ)
STARTS = datetime(2026, 12, 10, 14, 0, tzinfo=TZ)
ENDS = datetime(2026, 12, 10, 16, 0, tzinfo=TZ)
DEADLINE = datetime(2026, 12, 9, 18, 0, tzinfo=TZ)


def plan(world, capacity=30, fee="0", publish=True, project=None):
    return services.create_activity(
        actor_for(world.user("kefu" if (project or world.project1) == world.project1 else "kefu2")),
        project=project or world.project1, title="元旦游园会", place="中心花园", starts_at=STARTS, ends_at=ENDS,
        signup_deadline=DEADLINE, capacity=capacity, fee=fee, publish=publish, at=NOW)


def second_owner(world, username="yezhu3"):
    """Another owner of project 1 with a portal login (the demo has one per project)."""
    from django.contrib.auth import get_user_model

    from wuye.people.models import Relation, Residency, Resident
    from wuye.tenancy.models import Unit

    mine = world.owner_unit("yezhu")
    unit = Unit.objects.filter(project=world.project1).exclude(pk=mine.pk).order_by("id").first()
    user = get_user_model().objects.create_user(username, password="wuye-demo")
    resident = Resident.objects.create(project=world.project1, name="李四", phone="13900000003", user=user)
    Residency.objects.create(unit=unit, resident=resident, relation=Relation.OWNER)
    return user, unit
