"""The parking part of the demo (issue 14): for every project of the company the vehicle gates (an entry and an exit
for 地面临停区 and for 地下一层), temporary spaces when billing's demo registered none, and a day of sessions —
yesterday's ~60 temporary cars in and out, each paying its fee at the exit through the real services (cash, WeChat
Pay, Alipay, POS card), a few monthly-pass cars, and some cars still inside now.

Deterministic (seeded by the project), fixed past times; idempotent: a project that has sessions is left alone."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from django.utils import timezone

from wuye.billing.models import ChargeItem, ChargeKind, ParkingPass, ParkingSpace, ParkingSpaceKind, Tariff
from wuye.core.access import Actor, Role
from wuye.core.errors import Conflict, InvalidInput
from wuye.people.access import actor_for
from wuye.people.services import staff_with_role
from wuye.security import parking
from wuye.security.models import ParkingGate, ParkingSession

GROUND, BASEMENT = "地面临停区", "地下一层"
GATES = (  # code, name, zone, direction
    ("east-in", "东门入口", GROUND, "entry"),
    ("east-out", "东门出口", GROUND, "exit"),
    ("b1-in", "地库入口", BASEMENT, "entry"),
    ("b1-out", "地库出口", BASEMENT, "exit"),
)
TEMPORARY_SPACES = {GROUND: 24, BASEMENT: 36}
DAY_SESSIONS = 60
INSIDE_NOW = 8
PREFIXES = ("粤B", "粤A", "沪A", "苏E", "浙A", "湘A", "赣A", "粤S")
CHANNELS = ("cash", "wechat", "alipay", "cash", "pos", "wechat")


def _actor(project) -> Actor:
    """The project's own security guard (zhixu in project 1), else the system with the security role."""
    users = [user for user in staff_with_role(Role.SECURITY, project, include_company_wide=False)]
    if users:
        return actor_for(sorted(users, key=lambda user: user.pk)[0])
    return Actor(user=None, role=Role.SECURITY, company_id=project.company_id, project_ids=frozenset({project.pk}))


def _gates(project) -> dict[str, ParkingGate]:
    gates = {}
    for code, name, zone, direction in GATES:
        gates[code], _created = ParkingGate.objects.get_or_create(
            project=project, code=code, defaults={"name": name, "zone": zone, "direction": direction})
    return gates


def _spaces(project) -> int:
    if ParkingSpace.objects.filter(project=project, kind=ParkingSpaceKind.TEMPORARY).exists():
        return 0
    spaces = [ParkingSpace(project=project, code=f"LT-{'D' if zone == GROUND else 'B'}{number:02d}", zone=zone,
                           kind=ParkingSpaceKind.TEMPORARY)
              for zone, count in TEMPORARY_SPACES.items() for number in range(1, count + 1)]
    ParkingSpace.objects.bulk_create(spaces, ignore_conflicts=True)
    return len(spaces)


def _tariff(project, since) -> None:
    """The temporary tariff (2.00 per hour, seed 001 ch.6 §3) when billing's demo did not install one."""
    item, _created = ChargeItem.objects.get_or_create(
        project=project, code="parking-temporary",
        defaults={"name": "临时停车费", "kind": ChargeKind.PARKING_TEMPORARY})
    if not Tariff.objects.filter(item=item).exists():
        Tariff.objects.create(item=item, unit_kind="", basis="per_hour", rate="2.00", effective_from=since)


def _plate(rng: random.Random, used: set[str]) -> str:
    while True:
        plate = f"{rng.choice(PREFIXES)}{rng.randrange(10000, 99999)}"
        if plate not in used:
            used.add(plate)
            return plate


def add_demo_security_parking(company, now=None) -> dict:
    """Gates, temporary spaces and a day of sessions for every project of `company`; counts of what was added."""
    now = now or timezone.now()
    counts = {"gates": 0, "spaces": 0, "sessions": 0, "payments": 0, "inside": 0}
    yesterday = timezone.localdate(now) - timedelta(days=1)
    for project in company.projects.order_by("id"):
        before = ParkingGate.objects.filter(project=project).count()
        gates = _gates(project)
        counts["gates"] += ParkingGate.objects.filter(project=project).count() - before
        counts["spaces"] += _spaces(project)
        if ParkingSession.objects.filter(project=project).exists():
            continue
        _tariff(project, yesterday.replace(month=1, day=1))
        actor, rng = _actor(project), random.Random(f"parking-{project.code}")
        used = set(ParkingPass.objects.filter(project=project).values_list("plate", flat=True))
        used |= set(project.vehicles.values_list("plate", flat=True))
        day_start = timezone.make_aware(datetime.combine(yesterday, time(7, 0)))
        for number in range(DAY_SESSIONS):
            entry_gate = gates[rng.choice(("east-in", "b1-in"))]
            exit_gate = gates["east-out" if entry_gate.zone == GROUND else "b1-out"]
            entered = day_start + timedelta(minutes=rng.randrange(0, 14 * 60))
            stay = timedelta(minutes=rng.choice((8, 12, 25, 40, 75, 95, 136, 180, 240, 330, 420)))
            session = parking.enter(actor, project=project, plate=_plate(rng, used), gate=entry_gate,
                                    at=entered, source="camera" if number % 3 else "booth")
            channel = CHANNELS[number % len(CHANNELS)]
            reference = f"{project.pk:03d}{yesterday:%y%m%d}{number:06d}" if channel != "cash" else ""
            session = parking.leave(actor, session, at=entered + stay, gate=exit_gate, channel=channel,
                                    reference=reference, now=entered + stay)  # yesterday's exits, as they were
            counts["sessions"] += 1
            counts["payments"] += session.payment_id is not None
        today_start = timezone.localtime(now).replace(hour=7, minute=0, second=0, microsecond=0)
        for passes in ParkingPass.objects.filter(project=project).order_by("id")[:3]:
            at = min(today_start + timedelta(minutes=rng.randrange(0, 120)), now - timedelta(minutes=5))
            try:
                parking.enter(actor, project=project, plate=passes.plate, gate=gates["b1-in"], at=at)
            except (InvalidInput, Conflict):  # a pass plate stored loosely, or already inside: the demo goes on
                continue
            counts["inside"] += 1
        for _number in range(INSIDE_NOW):
            span = max(int((now - today_start).total_seconds() // 60), 30)
            at = now - timedelta(minutes=rng.randrange(5, span))
            parking.enter(actor, project=project, plate=_plate(rng, used), gate=gates[rng.choice(("east-in", "b1-in"))],
                          at=at)
            counts["inside"] += 1
    return counts
