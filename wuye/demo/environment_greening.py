"""The greening and environment-checks part of the demo (issue 14 item 4), built through the services with past
times so the records read as history:

- every project: three green areas (中心花园, 北侧绿化带, 儿童乐园周边) with the seed's seasonal plans (中心花园's
  winter protection checked weekly), three weeks of tasks — most done on their day, a few late, a few not done —
  and the coming week's;
- the environment check sheets in the company's standards library and, per project, the daily round, the weekly
  spot check and the weekly greening check (environment supervisor 赵丽 in project 1; the quality department
  scores project 2's, which has no environment staff); two weeks of them scored and submitted, one daily round
  with a failed item (楼道堆放) that opened a rectification; today's left to do.

Idempotent: a project that already has greening tasks gets no second history; the checks already submitted are
not scored again."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from wuye.core.access import Role
from wuye.environment import checks, greening
from wuye.environment.models import GreeningPlan, GreeningTask, TaskStatus
from wuye.people.access import actor_for
from wuye.people.services import staff_with_role

AREAS = ("中心花园", "北侧绿化带", "儿童乐园周边")
HISTORY_DAYS = 21
CHECK_DAYS = 14
FAILED_ROUND_DAYS_AGO = 3
NOTES = ("已完成", "按计划完成", "已完成，拍照留存", "")
FAILED_NOTE = "3号楼楼道堆放纸箱、旧家具未清理"


def _moment(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _gardener(project):
    """The project's environment supervisor (else anyone of the department), or None."""
    found = (staff_with_role(Role.ENVIRONMENT, project, supervisors_only=True, include_company_wide=False)
             or staff_with_role(Role.ENVIRONMENT, project, include_company_wide=False))
    return found[0] if found else None


def _task_history(project, doer, today: date, rng: random.Random) -> int:
    """Three weeks of the project's greening tasks, day by day as the job would have made them: most done that day,
    one in twelve the next morning (late), one in twenty never (not done)."""
    done = 0
    for offset in range(HISTORY_DAYS, 0, -1):
        day = today - timedelta(days=offset)
        greening.generate_tasks(day, days_ahead=0, now=_moment(day, 0, 5))
        for task in GreeningTask.objects.filter(project=project, due_on=day, status=TaskStatus.SCHEDULED) \
                .order_by("id"):
            luck = rng.random()
            if luck < 0.05:
                continue  # not done: closed as missed the next night
            when = _moment(day + timedelta(days=1), 8, 20) if luck < 0.13 else \
                _moment(day, rng.choice((8, 9, 10, 14, 15)), rng.choice((0, 15, 30, 45)))
            greening.complete_task(doer, task, at=min(when, timezone.now()), note=rng.choice(NOTES))
            done += 1
    return done


def _score(inspection, actor, day: date, failed: bool):
    from wuye.quality import inspections
    from wuye.quality.models import StandardItem

    items = StandardItem.objects.filter(version=inspection.version).order_by("number")
    rows = [{"item": item.pk, "result": "pass"} for item in items]
    if failed:
        rows[5] = {"item": items[5].pk, "result": "fail", "failures": 2, "note": FAILED_NOTE}
    place = "小区公共区域" if inspection.version.standard.code == checks.CLEANING_SHEET else "中心花园"
    inspections.record_scores(actor, inspection, rows, at=_moment(day, 9, 40))
    inspections.submit_inspection(actor, inspection, place=place, at=_moment(day, 10, 5))


def _checks(company, projects, today: date) -> dict:
    """The sheets, the three check plans per project and two weeks of checks scored."""
    from wuye.quality import inspections
    from wuye.quality.models import Inspection, InspectionStatus

    users = {user.username: user for user in get_user_model().objects.filter(username__in=("pinzhi", "admin"))}
    quality = actor_for(users["pinzhi"]) if "pinzhi" in users else None
    checks.install_environment_standards(company)
    inspector_of = {}
    for project in projects:
        supervisor = _gardener(project)
        checks.install_environment_checks(project, supervisor, actor=quality,
                                          starts_on=today - timedelta(days=CHECK_DAYS))
        inspector_of[project.pk] = actor_for(supervisor) if supervisor is not None else quality
    submitted = 0
    for offset in range(CHECK_DAYS, -1, -1):
        day = today - timedelta(days=offset)
        inspections.generate_planned_inspections(day, at=_moment(day, 6))
        if offset == 0:
            continue  # today's checks are still to do
        rows = (Inspection.objects.filter(project__in=projects, scheduled_for=day, status=InspectionStatus.PLANNED,
                                          version__standard__code__in=checks.SHEETS)
                .select_related("version__standard").order_by("project_id", "id"))
        for inspection in rows:
            actor = inspector_of.get(inspection.project_id)
            if actor is None:
                continue
            failed = (offset == FAILED_ROUND_DAYS_AGO and inspection.kind == "daily"
                      and inspection.project_id == projects[0].pk)
            _score(inspection, actor, day, failed)
            submitted += 1
    return {"checks_submitted": submitted}


def add_demo_environment_greening(company, now=None) -> dict:
    """Greening plans, tasks and the environment checks of every project of `company` (see the module)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    rng = random.Random(2026)
    projects = list(company.projects.order_by("id"))
    admin = get_user_model().objects.filter(is_superuser=True).order_by("id").first()
    counts = {"plans": 0, "tasks_done": 0, "checks_submitted": 0}
    with transaction.atomic():
        for project in projects:
            gardener = _gardener(project)
            for area in AREAS:
                counts["plans"] += len(greening.install_default_plans(project, area, gardener=gardener))
            winter = GreeningPlan.objects.get(project=project, area=AREAS[0], activity="winter_protection")
            if winter.every_days != 7 and not GreeningTask.objects.filter(project=project).exists():
                manager = actor_for(gardener or admin)
                greening.update_plan(manager, winter, every_days=7, today=today)
            if GreeningTask.objects.filter(project=project).exists():
                continue  # the history is there already
            doer = actor_for(gardener) if gardener is not None else actor_for(admin)
            counts["tasks_done"] += _task_history(project, doer, today, rng)
        greening.generate_tasks(today, days_ahead=7, now=now)
        if projects:
            counts.update(_checks(company, projects, today))
    counts["tasks"] = GreeningTask.objects.filter(project__company=company).count()
    return counts
