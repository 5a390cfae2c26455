"""Items and plans the maintenance-plan tests share (made with the ORM: the register's own services are tested by
its stream; these tests are about plans and tasks)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from wuye.facilities.models import CategoryKind, Equipment, EquipmentCategory
from wuye.people.access import actor_for

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(month, day, hour=0, minute=0, year=2026):
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def category(world, code="elevator", kind=CategoryKind.ELEVATOR, name="电梯"):
    found, _ = EquipmentCategory.objects.get_or_create(company=world.company, code=code,
                                                       defaults={"name": name, "kind": kind})
    return found


def items(world, cat, count, project=None, prefix="DT"):
    project = project or world.project1
    return [Equipment.objects.create(project=project, category=cat, code=f"{prefix}-{project.pk}-{n:02d}",
                                     name=f"{cat.name}{n}号") for n in range(1, count + 1)]


def actor(world, username):
    return actor_for(world.user(username))


def plan_for(world, cat=None, *, name="电梯日常保养", frequency="days", interval=15, starts_on=date(2026, 10, 1),
             checklist=("检查制动器", "检查门锁"), role="engineering", lead_days=0, **extra):
    from wuye.facilities import plans

    return plans.create_plan(actor(world, "gongcheng"), project=extra.pop("project", world.project1), name=name,
                             kind=extra.pop("kind", "routine"), frequency=frequency, interval=interval,
                             starts_on=starts_on, category=cat, checklist=list(checklist),
                             responsible_role=role, lead_days=lead_days, **extra)
