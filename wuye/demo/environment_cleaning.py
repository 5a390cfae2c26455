"""The cleaning part of the demo (issue 14, environment item 4): for every project of the demo company the zones
(主干道, 1–3号楼公共卫生间, 各楼电梯轿厢, 楼道, 地下车库, 垃圾收集点) with their cleaner — huanjing in project 1, a
cleaner made for any project without environment staff — a week of past tasks mostly done (some late, a few not
done), and today's tasks with their clocks started.

Everything goes through the cleaning services: `create_zone` (which makes the coming tasks), `start_due_clocks`
(clocks from each task's start), `complete_task` with past `at=` times (a disinfection with a photo), and
`close_past_tasks` (the week's undone tasks → not done, clocks breached). Only the rows of the past week's tasks
are inserted directly, since the generator never makes a task that has already begun.

Deterministic (seeded) and idempotent: a project whose zones have tasks before today is left as it is."""

from __future__ import annotations

import io
import random
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from wuye.core.access import Role
from wuye.core.bulk import insert_rows
from wuye.people.access import actor_for
from wuye.people.services import staff_with_role

SEED = 2026
DAYS = 7
LATE_SHARE = 0.08  # of the past tasks done after their deadline
MISSED_SHARE = 0.03  # left undone (closed as not done)
OPEN_HOURS = 2  # today's tasks begun within these hours are left for the cleaner's phone

ZONES = (
    # name, kind, building number (None: the whole project), what clean means here
    ("主干道", "road", None, "路面无垃圾、无积水、无烟头，果皮箱外无污渍"),
    ("1号楼公共卫生间", "toilet", "1", "无异味、无积水，洗手台与镜面干净，纸巾洗手液齐全"),
    ("2号楼公共卫生间", "toilet", "2", "无异味、无积水，洗手台与镜面干净，纸巾洗手液齐全"),
    ("3号楼公共卫生间", "toilet", "3", "无异味、无积水，洗手台与镜面干净，纸巾洗手液齐全"),
    ("各楼电梯轿厢", "elevator", None, "轿厢壁、按钮、扶手擦拭并消毒，地面无污渍"),
    ("楼道", "stairwell", None, "楼梯、扶手、窗台无灰尘，无堆放杂物"),
    ("地下车库", "garage", None, "地面无垃圾、无油污，排水沟畅通"),
    ("垃圾收集点", "bins", None, "垃圾桶外壁干净、加盖，周边无散落垃圾，无异味"),
)
CLEANERS = {1: ("huanjing2", "钱芳")}  # project index → the cleaner made when a project has no environment staff
NOTES = ("", "", "", "已清扫", "已清洁，地面拖干", "已补充纸巾和洗手液", "已消毒")


def _photo() -> SimpleUploadedFile:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), (214, 230, 214)).save(out, format="JPEG")
    return SimpleUploadedFile("clean.jpg", out.getvalue(), content_type="image/jpeg")


def _cleaner(company, project, index: int, admin):
    """The project's cleaner: huanjing where it is on the project, else its environment staff, else one made."""
    staff = staff_with_role(Role.ENVIRONMENT, project, include_company_wide=False)
    if staff:
        by_name = {user.username: user for user in staff}
        return by_name.get("huanjing") or staff[0]
    username, name = CLEANERS.get(index, (f"huanjing{index + 1}", "保洁员"))
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        from wuye.people.services import create_staff

        user = create_staff(actor_for(admin), company=company, username=username, password=None, name=name,
                            role=Role.ENVIRONMENT, projects=[project], is_supervisor=True)
        template = get_user_model().objects.filter(username="huanjing").first()
        if template is not None:  # the demo's one password (wuye-demo), as every demo login has it
            user.password = template.password
            user.save(update_fields=["password"])
    return user


def _past_rows(zone, since: datetime, now: datetime) -> list[dict]:
    from wuye.environment.cleaning import _starts
    from wuye.environment.models import TaskStatus

    minutes = timedelta(minutes=zone.task_minutes)
    return [{"project_id": zone.project_id, "zone_id": zone.pk, "starts_at": starts, "due_at": starts + minutes,
             "status": TaskStatus.SCHEDULED, "clock_started": False}
            for starts in _starts(list(zone.times), since, now)]


def add_demo_environment_cleaning(company, now: datetime | None = None) -> dict:
    """Zones, a week of cleaning history and today's tasks for every project of `company`. Returns counts."""
    from wuye.environment import cleaning
    from wuye.environment.models import CleaningTask, CleaningZone, TaskStatus
    from wuye.tenancy.models import Building

    now = now or timezone.now()
    admin = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
    counts = {"zones": 0, "past_tasks": 0, "done": 0, "late": 0, "not_done": 0}
    for index, project in enumerate(company.projects.order_by("pk")):
        rng = random.Random(SEED + index)
        cleaner = _cleaner(company, project, index, admin)
        manager = actor_for(admin) if admin else actor_for(cleaner)
        buildings = {b.number: b for b in Building.objects.filter(project=project)}
        zones = []
        for name, kind, number, standard in ZONES:
            zone = CleaningZone.objects.filter(project=project, name=name).first()
            if zone is None:
                zone = cleaning.create_zone(manager, project=project, name=name, kind=kind,
                                            building=buildings.get(number) if number else None, standard=standard,
                                            cleaner=cleaner, now=now)
                counts["zones"] += 1
            zones.append(zone)
        today_start = cleaning.local_start(timezone.localdate(now))
        if CleaningTask.objects.filter(zone__in=zones, starts_at__lt=today_start).exists():
            continue  # the history is there already
        since = today_start - timedelta(days=DAYS) - timedelta(microseconds=1)
        rows = [row for zone in zones for row in _past_rows(zone, since, now) if row["starts_at"] < now]
        existing = set(CleaningTask.objects.filter(zone__in=zones, starts_at__lt=now).values_list(
            "zone_id", "starts_at"))
        rows = [row for row in rows if (row["zone_id"], row["starts_at"]) not in existing]
        counts["past_tasks"] += insert_rows(CleaningTask, rows)
        cleaning.start_due_clocks(now)
        worker = actor_for(cleaner)
        open_after = now - timedelta(hours=OPEN_HOURS)
        past = (CleaningTask.objects.filter(zone__in=zones, status=TaskStatus.SCHEDULED, starts_at__lt=now)
                .select_related("zone").order_by("starts_at", "pk"))
        for task in past:
            if task.starts_at >= open_after:
                continue  # today's duty still on the phone
            roll = rng.random()
            if roll < MISSED_SHARE:
                continue
            if roll < MISSED_SHARE + LATE_SHARE:
                at = task.due_at + timedelta(minutes=rng.randint(5, 90))
            else:
                at = task.starts_at + timedelta(minutes=rng.randint(10, max(11, task.zone.task_minutes - 5)))
            if at >= now:
                continue
            photos = [_photo()] if task.zone.disinfection else []
            done = cleaning.complete_task(worker, task, at=at, note=rng.choice(NOTES), photos=photos)
            counts["late" if done.late else "done"] += 1
        counts["not_done"] += cleaning.close_past_tasks(now)
    return counts
