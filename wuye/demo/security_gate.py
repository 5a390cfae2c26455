"""The gate part of the demo (issue 14 item 1): for every project, visitors over the last week (most let in after
the unit's answer and gone again, a few refused, some inside now, one waiting at the gate now, two registered
ahead by the owner for today) and three decoration worker passes (one of them expired), all through the
services, so the events, bills and messages are the real ones. Idempotent: a project with visitors is skipped."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from wuye.core.access import Role
from wuye.core.models import Event
from wuye.core.validators import id_check_character
from wuye.people.access import actor_for
from wuye.people.models import Residency
from wuye.security import visitors, worker_passes
from wuye.security.models import Visitor, WorkerPass
from wuye.tenancy.models import Company, Unit

NAMES = ("李明", "王芳", "张伟", "刘洋", "陈静怡", "杨帆", "赵磊", "黄丽", "周杰", "吴敏", "徐强", "孙悦", "马超",
         "朱琳")
PURPOSES = ("探亲", "朋友来访", "送货", "家政保洁", "维修上门", "看房", "送餐")
PLATES = ("", "", "", "粤B3K721", "沪A82N19", "浙C5T336", "")
REGIONS = ("440305", "310115", "110105", "330106", "420106")
WORKERS = (("王建国", "家美装饰工程有限公司", "厨卫改造"), ("刘师傅", "匠心装饰", "水电改造"),
           ("何志强", "家美装饰工程有限公司", "木工吊顶"))


def _id_number(rng: random.Random) -> str:
    born = datetime(1960, 1, 1) + timedelta(days=rng.randrange(0, 40 * 365))  # noqa: DTZ001 — a birth date
    first17 = f"{rng.choice(REGIONS)}{born:%Y%m%d}{rng.randrange(0, 1000):03d}"
    return first17 + id_check_character(first17)


def _gate_actor(project):
    """The project's guard (zhixu in the first project), else its front desk (kefu2 in the second)."""
    from wuye.people.services import staff_with_role

    for role in (Role.SECURITY, Role.CUSTOMER_SERVICE):
        staff = [user for user in staff_with_role(role, project, include_company_wide=False)]
        if staff:
            return actor_for(sorted(staff, key=lambda user: user.username)[0])
    return None


def _backdate(visitor: Visitor, moments: list[datetime]) -> None:
    """The visit's events at the moments they happened (the services stamp them now)."""
    events = list(Event.objects.filter(subject_type=ContentType.objects.get_for_model(Visitor),
                                       subject_id=visitor.pk).order_by("id"))
    for event, moment in zip(events, moments, strict=False):
        event.created_at = moment
    Event.objects.bulk_update(events, ["created_at"])


def _local(day, hour, minute) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@transaction.atomic
def _project_visitors(project, gate, owner, now, rng) -> int:
    units = list(Unit.objects.filter(project=project).select_related("building", "project").order_by("id")[:60])
    if not units:
        return 0
    today = timezone.localdate(now)
    count = 0
    people = [(_id_number(rng), name) for name in NAMES]
    for days_ago in range(7, -1, -1):
        day = today - timedelta(days=days_ago)
        for _ in range(rng.randint(3, 6) if days_ago else 5):
            arrived = _local(day, rng.randint(8, 20), rng.randrange(0, 60, 5))
            if arrived > now - timedelta(minutes=40):
                continue
            number, name = rng.choice(people)
            unit = rng.choice(units)
            visitor = visitors.register_visitor(
                gate, project=project, unit=unit, name=name, id_type="resident_id", id_number=number,
                purpose=rng.choice(PURPOSES), plate=rng.choice(PLATES), party_size=rng.choice((1, 1, 1, 2, 3)),
                at=arrived, now=arrived)  # each past step replayed with the clock as it was then
            count += 1
            if rng.random() < 0.08:
                visitors.decline_visit(gate, visitor, call_note="业主称今日不在家，不予放行")
                _backdate(visitor, [arrived, arrived + timedelta(minutes=3)])
                continue
            visitors.confirm_visit(gate, visitor, call_note="住户接听电话，同意来访")
            entered = arrived + timedelta(minutes=rng.randint(2, 6))
            Visitor.objects.filter(pk=visitor.pk).update(confirmed_at=entered - timedelta(minutes=1))
            visitors.admit(gate, visitor, at=entered, now=entered)
            left = entered + timedelta(minutes=rng.randint(30, 240))
            stays = days_ago == 0 and left > now
            if not stays:
                late = days_ago and rng.random() < 0.1
                left = min(left, visitor.valid_until) if not late else visitor.valid_until + timedelta(minutes=25)
                left = min(left, now)  # a late leaver of yesterday, seeded just after midnight, has left by now
                visitors.check_out(gate, visitor, code=visitor.pass_code, at=left, now=left)
            _backdate(visitor, [arrived, entered - timedelta(minutes=1), entered, left])
    # Two inside now: let in within the last hour and a half, after a call to the unit.
    for minutes, name in ((90, "钱志远"), (35, "孔令辉")):
        arrived = now - timedelta(minutes=minutes)
        visitor = visitors.register_visitor(
            gate, project=project, unit=rng.choice(units), name=name, id_type="resident_id",
            id_number=_id_number(rng), purpose=rng.choice(PURPOSES), party_size=1, at=arrived, now=now,
            valid_until=max(visitors.end_of_day(timezone.localdate(arrived)), now + timedelta(hours=2)))
        visitors.confirm_visit(gate, visitor, call_note="住户接听电话，同意来访")
        visitors.admit(gate, visitor, at=arrived + timedelta(minutes=3), now=now)
        _backdate(visitor, [arrived, arrived + timedelta(minutes=2), arrived + timedelta(minutes=3)])
        count += 1
    # One at the gate now, waiting for the unit's answer (the owner's home, so yezhu sees the request).
    home = owner["unit"] if owner else units[0]
    visitors.register_visitor(gate, project=project, unit=home, name="郑海涛", id_type="resident_id",
                              id_number=_id_number(rng), purpose="快递大件送货上门", party_size=2, at=now, now=now)
    count += 1
    # Two registered ahead by the owner for today.
    if owner:
        for name, purpose in (("林晓", "朋友来访"), ("高建军", "家电安装")):
            visitors.register_visitor(owner["actor"], project=project, unit=home, name=name, id_type="resident_id",
                                      id_number="", purpose=purpose, party_size=1, at=now, now=now)
            count += 1
    return count


@transaction.atomic
def _project_passes(project, desk, now, rng) -> int:
    today = timezone.localdate(now)
    units = list(Unit.objects.filter(project=project).select_related("building", "project").order_by("-id")[:3])
    made = 0
    for index, (worker, employer, works) in enumerate(WORKERS):
        if index >= len(units):
            break
        unit = units[index]
        if index == 2:  # the expired one: issued weeks ago for a fortnight, past its last day now
            starts, ends = today - timedelta(days=20), today - timedelta(days=6)
        else:
            starts, ends = today, today + timedelta(days=60 + 30 * index)
        worker_pass = worker_passes.issue_worker_pass(
            desk, project=project, unit=unit, worker_name=worker, id_type="resident_id", id_number=_id_number(rng),
            valid_from=max(starts, today), valid_until=max(ends, today), works=works, employer=employer)
        if index == 2:
            WorkerPass.objects.filter(pk=worker_pass.pk).update(valid_from=starts, valid_until=ends,
                                                                 created_at=now - timedelta(days=20))
        made += 1
    worker_passes.expire_worker_passes(today)
    return made


def add_demo_security_gate(company: Company, now: datetime | None = None) -> dict:
    """Visitors and worker passes for every project of `company`; a project that has visitors is left alone."""
    now = now or timezone.now()
    counts = {"visitors": 0, "worker_passes": 0}
    for project in company.projects.order_by("id"):
        if Visitor.objects.filter(project=project).exists():
            continue
        gate = _gate_actor(project)
        if gate is None:
            continue
        rng = random.Random(f"gate-{project.pk}")
        residency = (Residency.objects.current().filter(unit__project=project, resident__user__isnull=False,
                                                         relation="owner").select_related("resident__user", "unit")
                     .order_by("id").first())
        owner = {"actor": actor_for(residency.resident.user), "unit": residency.unit} if residency else None
        counts["visitors"] += _project_visitors(project, gate, owner, now, rng)
        desk = next((actor for actor in (_desk(project),) if actor is not None), gate)
        if not WorkerPass.objects.filter(project=project).exists():
            counts["worker_passes"] += _project_passes(project, desk, now, rng)
    return counts


def _desk(project):
    from wuye.people.services import staff_with_role

    staff = sorted(staff_with_role(Role.CUSTOMER_SERVICE, project, include_company_wide=False),
                   key=lambda user: user.username)
    return actor_for(staff[0]) if staff else None


# The contract's name for the stream's demo (stream "gate").
add_demo_gate = add_demo_security_gate
