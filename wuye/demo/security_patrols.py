"""The patrol part of the demo (issue 14 item 2): for every project three routes — 主干道-楼幢-地下车库 every 2 hours,
the underground garage and the children's playground as key areas every hour — with 5–8 checkpoints each; a month of
past rounds written directly in bulk with their checkpoint visits (about 95 % scanned, some late, some missed, a few
rounds nobody walked); today's rounds planned, the current one opened (clocks running) and its checkpoints due so
far scanned by the real services; two findings (a work order, a rectification). Idempotent: a project with routes is
skipped."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from wuye.core.access import Actor, Role
from wuye.people.access import actor_for
from wuye.security import patrols
from wuye.security.models import CheckpointVisit, PatrolRound, PatrolRoute, RoundStatus, VisitStatus
from wuye.tenancy.models import Company

HISTORY_DAYS = 30
# name, key area, round minutes, checkpoints (name, location, what to check)
ROUTES = (
    ("主干道-楼幢-地下车库", False, 40, "ZG", (
        ("南门岗", "小区南门", "门岗值守、来访登记"), ("1号楼大堂", "1号楼", "门禁完好、可疑人员"),
        ("中心花园", "中心花园", "公共设施是否损坏"), ("3号楼北侧消防通道", "3号楼北侧", "消防通道是否畅通"),
        ("配电房", "5号楼旁", "门锁完好、无异响异味"), ("地下车库入口", "车库坡道", "道闸运行、车辆乱停"),
        ("东门岗", "小区东门", "门岗值守、物品放行"))),
    ("地下车库", True, 30, "CK", (
        ("B1 入口道闸", "地下一层", "道闸、监控运行"), ("B1 消防通道", "地下一层", "消防通道是否畅通"),
        ("B1 电梯厅", "地下一层", "照明、可疑人员"), ("B2 配电房门口", "地下二层", "门锁完好"),
        ("B2 排水泵房", "地下二层", "积水、泵房运行"), ("B2 出口坡道", "地下二层", "坡道防滑、照明"))),
    ("儿童乐园", True, 30, "LY", (
        ("滑梯区", "儿童乐园", "滑梯扶手、地垫完好"), ("秋千区", "儿童乐园", "秋千链条、座椅"),
        ("沙池", "儿童乐园", "沙池无尖锐杂物"), ("健身器材区", "儿童乐园北侧", "器材松动、破损"),
        ("乐园东侧围栏", "儿童乐园东侧", "围栏完好、无攀爬"))),
)
ROUND_MISSED = 0.02  # a round nobody walked
VISIT_MISSED = 0.035
VISIT_LATE = 0.08


def _admin(company) -> Actor:
    """The company administrator (the demo's superuser), or a system actor of the company's administration."""
    user = get_user_model().objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if user is not None:
        return actor_for(user)
    return Actor(user=None, role=Role.COMPANY_ADMIN, company_id=company.pk, project_ids=None)


def _guard(project, admin: Actor) -> Actor:
    """The project's own guard (zhixu in the first project), else the administrator."""
    from wuye.people.services import staff_with_role

    guards = sorted(staff_with_role(Role.SECURITY, project, include_company_wide=False), key=lambda u: u.username)
    return actor_for(guards[0]) if guards else admin


def _history(route, checkpoints, slots, guard_user, rng: random.Random, now: datetime) -> tuple[int, int]:
    """The route's past rounds (window closed by `now`) and their visits, written in bulk."""
    extra = patrols.grace()
    rounds, plans = [], []
    for start in slots:
        ends = start + timedelta(minutes=route.every_minutes)
        walked = rng.random() >= ROUND_MISSED
        visits = []
        for point in checkpoints:
            planned = start + timedelta(minutes=point.minutes_from_start)
            due = planned + extra
            roll = rng.random()
            if not walked or roll < VISIT_MISSED:
                visits.append((point, due, VisitStatus.MISSED, None))
            elif roll < VISIT_MISSED + VISIT_LATE:
                late_at = min(due + timedelta(minutes=rng.randint(1, 15)), ends - timedelta(minutes=1))
                visits.append((point, due, VisitStatus.LATE, late_at))
            else:
                visits.append((point, due, VisitStatus.ON_TIME, planned + timedelta(minutes=rng.randint(-4, 9))))
        scanned = [v for v in visits if v[3] is not None]
        status = (RoundStatus.COMPLETED if len(scanned) == len(visits) else
                  RoundStatus.MISSED if not scanned else RoundStatus.INCOMPLETE)
        rounds.append(PatrolRound(
            project_id=route.project_id, route=route, starts_at=start, ends_at=ends, status=status,
            guard=guard_user if scanned else None, checkpoints_total=len(visits), scanned=len(scanned),
            late=sum(1 for v in visits if v[2] == VisitStatus.LATE),
            missed=sum(1 for v in visits if v[2] == VisitStatus.MISSED),
            completed_at=max(v[3] for v in scanned) if status == RoundStatus.COMPLETED else None))
        plans.append(visits)
    PatrolRound.objects.bulk_create(rounds, batch_size=1000)
    rows = [CheckpointVisit(project_id=route.project_id, round_id=row.pk, checkpoint=point, order=point.order,
                            due_at=due, status=status, scanned_at=scanned_at,
                            scanned_by=guard_user if scanned_at else None)
            for row, visits in zip(rounds, plans, strict=True) for point, due, status, scanned_at in visits]
    CheckpointVisit.objects.bulk_create(rows, batch_size=2000)
    return len(rounds), len(rows)


def _project(project, admin: Actor, now: datetime, rng: random.Random) -> dict:
    guard = _guard(project, admin)
    guard_user = guard.user if getattr(guard.user, "pk", None) else None
    counts = {"routes": 0, "checkpoints": 0, "rounds": 0, "visits": 0, "opened": 0, "scans": 0, "findings": 0}
    routes = []
    for name, key_area, minutes, prefix, points in ROUTES:
        with transaction.atomic():
            route = patrols.create_route(
                admin, project=project, name=name, is_key_area=key_area, round_minutes=minutes, now=now,
                checkpoints=[{"name": point, "location": location, "checks": checks, "code": f"{prefix}-{n:02d}"}
                             for n, (point, location, checks) in enumerate(points, start=1)])
        routes.append(route)
        counts["routes"] += 1
        counts["checkpoints"] += len(points)
        checkpoints = list(route.checkpoints.order_by("order"))
        today = timezone.localdate(now)
        slots = []
        for back in range(HISTORY_DAYS, -1, -1):
            slots += [start for start in patrols.slots_on(route, today - timedelta(days=back)) if start < now]
        past = [start for start in slots if start + timedelta(minutes=route.every_minutes) <= now]
        current = [start for start in slots if start + timedelta(minutes=route.every_minutes) > now]
        with transaction.atomic():
            made, visits = _history(route, checkpoints, past, guard_user, rng, now)
            counts["rounds"] += made
            counts["visits"] += visits
            if current:  # the round under way: planned now, opened and walked by the services below
                start = current[0]
                row = PatrolRound.objects.create(project=project, route=route, starts_at=start,
                                                 ends_at=start + timedelta(minutes=route.every_minutes),
                                                 checkpoints_total=len(checkpoints))
                CheckpointVisit.objects.bulk_create([CheckpointVisit(
                    project=project, round=row, checkpoint=point, order=point.order,
                    due_at=start + timedelta(minutes=point.minutes_from_start) + patrols.grace())
                    for point in checkpoints])
    counts["opened"] = patrols.open_due_rounds(now)
    # The guard walks the round under way: each checkpoint whose planned minute has passed, a few minutes after it.
    for row in PatrolRound.objects.filter(project=project, status=RoundStatus.OPEN).select_related("route"):
        for visit in row.visits.select_related("checkpoint").order_by("order"):
            planned = visit.due_at - patrols.grace()
            scanned_at = planned + timedelta(minutes=rng.randint(-3, 4))
            if scanned_at > now or scanned_at < row.starts_at:
                break
            patrols.check_in(guard, row, code=visit.checkpoint.code, at=scanned_at)
            counts["scans"] += 1
    counts["findings"] = _findings(project, admin, rng)
    return counts


def _findings(project, admin: Actor, rng: random.Random) -> int:
    """A broken light reported as a work order and a blocked fire lane as a rectification, on recent scans."""
    recent = list(CheckpointVisit.objects.filter(project=project, status=VisitStatus.ON_TIME)
                  .select_related("round__route", "checkpoint").order_by("-due_at")[:40])
    if len(recent) < 2:
        return 0
    light, lane = rng.sample(recent, 2)
    patrols.report_finding(admin, light, description=f"{light.checkpoint.name}照明灯不亮", action="work_order")
    patrols.report_finding(admin, lane, description=f"{lane.checkpoint.name}堆放杂物，影响通行",
                           action="rectification", department=Role.SECURITY.value)
    return 2


def add_demo_security_patrols(company: Company, now: datetime | None = None) -> dict:
    """Routes, a month of rounds and today's round under way for every project of `company` that has no route
    yet; returns the counts added."""
    now = now or timezone.now()
    admin = _admin(company)
    totals: dict[str, int] = {}
    for project in company.projects.order_by("id"):
        if PatrolRoute.objects.filter(project=project).exists():
            continue
        rng = random.Random(f"patrols-{project.pk}")
        for key, value in _project(project, admin, now, rng).items():
            totals[key] = totals.get(key, 0) + value
    return totals
