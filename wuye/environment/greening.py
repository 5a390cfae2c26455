"""Greening (绿化养护, SPEC §5, seed 001 ch.5 §2): seasonal plans and their dated tasks with `greening.task` clocks.

A plan is an activity on a green area in the months it belongs to, every `every_days` days. Its dates are
predictable: they count from the 1st day of the first month of the plan's season (the run of consecutive plan
months the day falls in; winter's run 12–2 starts on 1 December), so a fertilising plan every 14 days in spring
falls on 1, 15 and 29 March, 12 and 26 April, 10 and 24 May, whatever day it was made.

`generate_tasks` makes the tasks of the coming days (idempotent), starts the clock of each task when its day comes
(due at the end of that day) and marks the tasks of past days not done as missed. `complete_task` records a task
done on the phone with photos (quality evidence); done after the deadline, it is late."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wuye.core.access import Actor, Role, require, scoped
from wuye.core.errors import Conflict, InvalidInput, NotAllowed, Problems
from wuye.core.events import record_event
from wuye.core.scheduling import periodic
from wuye.core.sentences import register_sentences, register_terms
from wuye.sla.engine import start_clock, start_clocks, stop_clock, stop_clocks
from wuye.tenancy.models import Project

from .models import GreeningActivity, GreeningPlan, GreeningTask, TaskStatus

CLOCK_KEY = "greening.task"
MAX_AREA = 60
MAX_INSTRUCTIONS = 200
MAX_NOTE = 300
MAX_EVERY_DAYS = 90
MAX_DAYS_AHEAD = 62
A = GreeningActivity

# The seasonal plans of seed 001 ch.5 §2 (绿化养护管理流程, 养护季节要点): spring (3–5) pruning, fertilising and pest
# control; summer (6–8) watering every day ("夏季每天澆水1次"), shading and aphid control; autumn (9–11) clearing
# fallen leaves and fertilising; winter (12–2) winter protection (wrapping trees in straw rope). A plan is one
# activity per area, so fertilising runs spring and autumn and pest control spring and summer (aphids). Mowing is
# in the growing months (4–10). Only the daily watering is the seed's number; the other intervals are the
# product's defaults, each editable per plan.
DEFAULT_PLANS = (
    # activity, months, every_days, instructions
    (A.PRUNING, (3, 4, 5), 14, "春季修剪灌木、绿篱，保持树形整齐"),
    (A.FERTILISING, (3, 4, 5, 9, 10, 11), 14, "春秋两季施肥，肥料符合环保要求"),
    (A.PEST_CONTROL, (3, 4, 5, 6, 7, 8), 14, "病虫害防治（夏季防治蚜虫），生物防治为主、化学防治为辅"),
    (A.WATERING, (6, 7, 8), 1, "夏季每天浇水一次，避免苗木干旱"),
    (A.SHADING, (6, 7, 8), 7, "高温时为新栽及不耐晒苗木遮阴"),
    (A.LEAF_CLEARING, (9, 10, 11), 3, "清理落叶，保持草坪、路面整洁"),
    (A.WINTER_PROTECTION, (12, 1, 2), 14, "冬季防寒：乔木包裹草绳，检查防寒设施"),
    (A.MOWING, (4, 5, 6, 7, 8, 9, 10), 14, "生长季修剪草坪，无杂草、无黄土裸露"),
)
DEFAULT_EVERY_DAYS = {activity: every for activity, _months, every, _text in DEFAULT_PLANS}


# -- dates -------------------------------------------------------------------------------------------------------------
def season_start(months, day: date) -> date | None:
    """The 1st day of the first month of the season (run of consecutive plan months) that `day` falls in; None when
    `day`'s month is not a plan month. Every month in the plan: 1 January of `day`'s year."""
    months = set(months)
    if day.month not in months:
        return None
    if len(months) >= 12:
        return date(day.year, 1, 1)
    year, month = day.year, day.month
    while True:
        before = 12 if month == 1 else month - 1
        if before not in months:
            return date(year, month, 1)
        year, month = (year - 1, 12) if month == 1 else (year, before)


def due_dates(plan: GreeningPlan, start: date, end: date) -> list[date]:
    """The days from `start` to `end` (inclusive) a task of `plan` falls on: in its months, every `every_days`
    days counted from the start of the season."""
    days, day = [], start
    while day <= end:
        anchor = season_start(plan.months, day)
        if anchor is not None and (day - anchor).days % max(plan.every_days, 1) == 0:
            days.append(day)
        day += timedelta(days=1)
    return days


def day_start(day: date) -> datetime:
    """The start of `day` (Asia/Shanghai): a task's clock starts then, and it cannot be done before."""
    return timezone.make_aware(datetime.combine(day, time.min))


def too_early(task: GreeningTask, at: datetime) -> str | None:
    """Why the task cannot be recorded done at `at` (its day has not come), else None."""
    if at >= day_start(task.due_on):
        return None
    return _("This task is due on %(day)s; it cannot be done before.") % {"day": task.due_on.strftime("%m-%d")}


def deadline(task: GreeningTask) -> datetime:
    """The end of the task's due day (Asia/Shanghai)."""
    return timezone.make_aware(datetime.combine(task.due_on + timedelta(days=1), time.min))


# -- plans -------------------------------------------------------------------------------------------------------------
def visible_plans(actor: Actor):
    return scoped(GreeningPlan.objects.select_related("project", "gardener"), actor)


def visible_tasks(actor: Actor):
    return scoped(GreeningTask.objects.select_related("plan", "project", "done_by"), actor)


def _months(problems: Problems, months) -> list[int]:
    """Months 1–12, each once, at least one; given as a list of whole numbers."""
    if not isinstance(months, list | tuple) or not months or len(months) > 12:
        problems.add("months", _("Choose the months (1–12) the plan runs in."))
        return []
    cleaned = []
    for value in months:
        if isinstance(value, bool) or not isinstance(value, int | str):
            problems.add("months", _("Months are whole numbers from 1 to 12."))
            return []
        text = str(value).strip()
        if not (text.isascii() and text.isdigit() and len(text) <= 2 and 1 <= int(text) <= 12):
            problems.add("months", _("Months are whole numbers from 1 to 12."))
            return []
        if int(text) in cleaned:
            problems.add("months", _("Month %(month)s is given twice.") % {"month": int(text)})
            return []
        cleaned.append(int(text))
    return sorted(cleaned)


def _every(problems: Problems, value) -> int | None:
    text = str(value).strip() if isinstance(value, int | str) and not isinstance(value, bool) else ""
    if not (text.isascii() and text.isdigit() and len(text) <= 3 and 1 <= int(text) <= MAX_EVERY_DAYS):
        problems.add("every_days", _("Give a number of days from 1 to %(max)s.") % {"max": MAX_EVERY_DAYS})
        return None
    return int(text)


def _text(problems: Problems, field: str, value, limit: int, *, required: bool = False) -> str:
    text = " ".join(str(value or "").split())
    if required and not text:
        problems.add(field, _("This field is required."))
    elif len(text) > limit:
        problems.add(field, _("At most %(count)s characters.") % {"count": limit})
    elif "\x00" in text:
        problems.add(field, _("Enter text."))
    return text


def _gardener(problems: Problems, gardener, project: Project):
    """A member of the environment department who works in `project` (or None)."""
    if gardener is None:
        return None
    from wuye.people.access import actor_for

    other = actor_for(gardener)
    if not (other.role == Role.ENVIRONMENT and other.company_id == project.company_id
            and other.sees_project(project.pk)):
        problems.add("gardener", _("Choose someone of the environment department of this project."))
        return None
    return gardener


def _check_project(actor: Actor, project) -> Project:
    if project is None or not scoped(Project.objects.filter(pk=project.pk), actor).exists():
        raise InvalidInput("project", _("No such project."))
    return project


@transaction.atomic
def create_plan(actor: Actor, *, project: Project, area: str, activity: str, months, every_days=None,
                instructions: str = "", gardener=None) -> GreeningPlan:
    """A greening plan: `activity` on `area` in `months` (1–12, each once), every `every_days` days (1–90; the
    activity's default when None). One plan per area and activity (422 on `activity` otherwise). Event
    greening.plan.created."""
    require(actor, "environment.manage")
    _check_project(actor, project)
    problems = Problems()
    area = _text(problems, "area", area, MAX_AREA, required=True)
    if activity not in GreeningActivity.values:
        problems.add("activity", _("Choose an activity."))
    months = _months(problems, months)
    every = _every(problems, DEFAULT_EVERY_DAYS.get(activity, 7) if every_days in (None, "") else every_days)
    instructions = _text(problems, "instructions", instructions, MAX_INSTRUCTIONS)
    gardener = _gardener(problems, gardener, project)
    problems.raise_if_any()
    if GreeningPlan.objects.filter(project=project, area=area, activity=activity).exists():
        raise InvalidInput("activity", _("This area already has a plan for this activity."))
    try:
        with transaction.atomic():
            plan = GreeningPlan.objects.create(project=project, area=area, activity=activity, months=months,
                                               every_days=every, instructions=instructions, gardener=gardener)
    except IntegrityError:
        raise InvalidInput("activity", _("This area already has a plan for this activity.")) from None
    record_event(plan, "greening.plan.created", actor=actor.user, project_id=project.pk, data={
        "area": area, "activity": activity, "months": _month_text(months), "every_days": every})
    return plan


def _month_text(months) -> str:
    return "、".join(str(month) for month in months)


def _redraw(plan: GreeningPlan, today: date) -> int:
    """Remove the plan's future tasks (after today, no clock yet): they are projections of the old schedule, made
    again by the next `generate_tasks`."""
    deleted, _rows = GreeningTask.objects.filter(plan=plan, due_on__gt=today, status=TaskStatus.SCHEDULED,
                                                 clock_started=False).delete()
    return deleted


@transaction.atomic
def update_plan(actor: Actor, plan: GreeningPlan, *, area=None, months=None, every_days=None, instructions=None,
                gardener=..., today: date | None = None) -> GreeningPlan:
    """Change a plan's area, months, interval, instructions or gardener (None: unchanged; gardener `...`
    unchanged, None: nobody). A new schedule redraws the tasks after today. Event greening.plan.changed."""
    require(actor, "environment.manage")
    plan = GreeningPlan.objects.select_for_update().get(pk=plan.pk)
    problems = Problems()
    new = {}
    if area is not None:
        new["area"] = _text(problems, "area", area, MAX_AREA, required=True)
    if months is not None:
        new["months"] = _months(problems, months)
    if every_days is not None:
        new["every_days"] = _every(problems, every_days)
    if instructions is not None:
        new["instructions"] = _text(problems, "instructions", instructions, MAX_INSTRUCTIONS)
    if gardener is not ...:
        new["gardener"] = _gardener(problems, gardener, plan.project)
    problems.raise_if_any()
    if "area" in new and new["area"] != plan.area and GreeningPlan.objects.filter(
            project_id=plan.project_id, area=new["area"], activity=plan.activity).exists():
        raise InvalidInput("area", _("This area already has a plan for this activity."))
    changed = {key: value for key, value in new.items() if getattr(plan, key) != value}
    if not changed:
        return plan
    for key, value in changed.items():
        setattr(plan, key, value)
    plan.save(update_fields=list(changed))
    if {"months", "every_days"} & set(changed):
        _redraw(plan, today or timezone.localdate())
    data = {key: (_month_text(value) if key == "months" else
                  (value.get_full_name() if key == "gardener" and value else value or ""))
            for key, value in changed.items()}
    record_event(plan, "greening.plan.changed", actor=actor.user, project_id=plan.project_id,
                 data={"plan": str(plan), **data})
    return plan


@transaction.atomic
def set_plan_active(actor: Actor, plan: GreeningPlan, *, active: bool, today: date | None = None) -> GreeningPlan:
    """Pause a plan (its tasks after today are removed; no more are made) or resume it. Events
    greening.plan.paused / greening.plan.resumed."""
    require(actor, "environment.manage")
    plan = GreeningPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.is_active == active:
        return plan
    plan.is_active = active
    plan.save(update_fields=["is_active"])
    if not active:
        _redraw(plan, today or timezone.localdate())
    record_event(plan, "greening.plan.resumed" if active else "greening.plan.paused", actor=actor.user,
                 project_id=plan.project_id, data={"plan": str(plan)})
    return plan


@transaction.atomic
def install_default_plans(project: Project, area: str, *, gardener=None) -> list[GreeningPlan]:
    """The seed's seasonal plans (DEFAULT_PLANS) for green area `area` of `project`. Idempotent: a plan the area
    already has for an activity is kept as it is. Returns the area's default plans."""
    plans = []
    for activity, months, every, instructions in DEFAULT_PLANS:
        plan, created = GreeningPlan.objects.get_or_create(project=project, area=area, activity=activity, defaults={
            "months": list(months), "every_days": every, "instructions": instructions, "gardener": gardener})
        if created:
            record_event(plan, "greening.plan.created", project_id=project.pk, data={
                "area": area, "activity": activity, "months": _month_text(months), "every_days": every})
        plans.append(plan)
    return plans


# -- tasks -------------------------------------------------------------------------------------------------------------
def generate_tasks(today: date | None = None, days_ahead: int = 7, *, now: datetime | None = None) -> int:
    """Make the active plans' tasks from today through `days_ahead` days ahead (a rerun makes none), start the
    clocks of the tasks whose day has come and mark the tasks of past days not done as missed. Returns the number
    of tasks made."""
    today = today or timezone.localdate()
    days_ahead = max(0, min(int(days_ahead), MAX_DAYS_AHEAD))
    end = today + timedelta(days=days_ahead)
    made = 0
    for plan in GreeningPlan.objects.filter(is_active=True).order_by("id"):
        days = due_dates(plan, today, end)
        if not days:
            continue
        with transaction.atomic():
            existing = set(GreeningTask.objects.filter(plan=plan, due_on__in=days).values_list("due_on", flat=True))
            rows = [GreeningTask(project_id=plan.project_id, plan=plan, due_on=day) for day in days
                    if day not in existing]
            # ignore_conflicts: a run in parallel made the same day first; the unique constraint decides.
            GreeningTask.objects.bulk_create(rows, ignore_conflicts=True)
            made += len(rows)
    start_due_clocks(today)
    close_past_tasks(today, now=now)
    return made


class _TaskRef:
    """A task as `start_clocks` reads its subjects (the model's options and the pk)."""

    __slots__ = ("pk",)
    _meta = GreeningTask._meta

    def __init__(self, pk: int):
        self.pk = pk


def start_due_clocks(today: date | None = None) -> int:
    """Start the `greening.task` clock of each scheduled task due today that has none yet: it runs from the start
    of the day to its end. Started when the day comes, not when the task is made."""
    today = today or timezone.localdate()
    started = 0
    due = (GreeningTask.objects.filter(status=TaskStatus.SCHEDULED, clock_started=False, due_on=today)
           .order_by("project_id", "id").values_list("pk", "project_id"))
    groups: dict[int, list[int]] = {}
    for pk, project_id in due:
        groups.setdefault(project_id, []).append(pk)
    begins = timezone.make_aware(datetime.combine(today, time.min))
    ends = begins + timedelta(days=1)
    for project in Project.objects.filter(pk__in=list(groups)):
        ids = groups[project.pk]
        with transaction.atomic():
            # Claim the rows first: a parallel run that claimed them starts nothing.
            claimed = list(GreeningTask.objects.select_for_update().filter(pk__in=ids, clock_started=False)
                           .values_list("pk", flat=True))
            GreeningTask.objects.filter(pk__in=claimed).update(clock_started=True)
            started += start_clocks([(_TaskRef(pk), ends) for pk in claimed], CLOCK_KEY, project=project,
                                    at=begins)
    return started


def close_past_tasks(today: date | None = None, *, now: datetime | None = None) -> int:
    """Mark the scheduled tasks of days before `today` as not done (missed); their clocks stop breached. One
    event per task (greening.task.missed)."""
    today = today or timezone.localdate()
    now = now or timezone.now()
    closed = 0
    with transaction.atomic():
        rows = list(GreeningTask.objects.select_for_update(of=("self",)).select_related("plan")
                    .filter(status=TaskStatus.SCHEDULED, due_on__lt=today).order_by("id"))
        if not rows:
            return 0
        ids = [row.pk for row in rows]
        stop_clocks(GreeningTask, ids, CLOCK_KEY, at=now)
        closed = GreeningTask.objects.filter(pk__in=ids, status=TaskStatus.SCHEDULED).update(
            status=TaskStatus.MISSED)
        for row in rows:
            record_event(row, "greening.task.missed", project_id=row.project_id, data={
                "plan": str(row.plan), "due_on": row.due_on.isoformat()})
    return closed


def may_do(actor: Actor, task: GreeningTask) -> bool:
    """Whether `actor` records greening tasks done: the environment department (its project already in scope)."""
    return actor.may("environment.do_tasks") and (actor.is_superuser or actor.role == Role.ENVIRONMENT)


@transaction.atomic
def complete_task(actor: Actor, task: GreeningTask, *, at: datetime | None = None, note: str = "",
                  photos=()) -> GreeningTask:
    """Record a task done, with a note and photos (quality evidence). Stops its clock (started here first if the
    hourly job has not come round yet); done after the end of its day, it is late. A task no longer scheduled (done,
    missed, cancelled) or whose day has not come is a conflict. Event greening.task.done."""
    if not may_do(actor, task):
        raise NotAllowed(_("Greening tasks are recorded by the environment department."))
    task = GreeningTask.objects.select_for_update(of=("self",)).select_related("plan", "project").get(pk=task.pk)
    if task.status != TaskStatus.SCHEDULED:
        raise Conflict(_("This task is already %(status)s.") % {"status": task.get_status_display()})
    at = at or timezone.now()
    if early := too_early(task, at):
        raise Conflict(early)
    problems = Problems()
    note = _text(problems, "note", note, MAX_NOTE)
    problems.raise_if_any()
    kept = []
    if photos:
        from wuye.quality.evidence import attach_evidence

        kept = attach_evidence(actor, task, photos, project=task.project, field="photos", at=at)
    if not task.clock_started:
        # Its day has come but the hourly job has not started the clock yet: start it (the start of the day).
        start_clock(task, CLOCK_KEY, project=task.project, at=day_start(task.due_on), due_at=deadline(task))
        task.clock_started = True
    clock = stop_clock(task, CLOCK_KEY, at=at, actor=actor.user)
    late = at > deadline(task)
    task.status, task.done_at, task.done_by, task.late, task.note = TaskStatus.DONE, at, actor.user, late, note
    task.save(update_fields=["status", "done_at", "done_by", "late", "note", "clock_started"])
    record_event(task, "greening.task.done", actor=actor.user, project_id=task.project_id, data={
        "plan": str(task.plan), "photos": len(kept), "late": late, "clock": clock is not None})
    return task


def task_state(task: GreeningTask) -> str:
    """scheduled / done / late / missed / cancelled — what the lists and the API show."""
    if task.status == TaskStatus.DONE:
        return "late" if task.late else "done"
    return task.status


STATE_LABELS = {"scheduled": gettext_lazy("To do"), "done": gettext_lazy("Done"),
                "late": gettext_lazy("Done late"), "missed": gettext_lazy("Not done"),
                "cancelled": gettext_lazy("Cancelled")}
TASK_FILTERS = tuple(STATE_LABELS)


def tasks_with_status(tasks, status: str | None):
    if status in (None, ""):
        return tasks
    if status == "late":
        return tasks.filter(status=TaskStatus.DONE, late=True)
    if status == "done":
        return tasks.filter(status=TaskStatus.DONE, late=False)
    return tasks.filter(status=status)


def tasks_between(actor: Actor, start: date, end: date):
    """The actor's projects' greening tasks due from `start` to `end`."""
    return visible_tasks(actor).filter(due_on__gte=start, due_on__lte=end).order_by("due_on", "plan__area", "id")


SEASONS = ((gettext_lazy("Spring"), (3, 4, 5)), (gettext_lazy("Summer"), (6, 7, 8)),
           (gettext_lazy("Autumn"), (9, 10, 11)), (gettext_lazy("Winter"), (12, 1, 2)))


def seasons_of(plan: GreeningPlan) -> list[str]:
    """The seasons a plan runs in (any of its months), for the plans page."""
    return [str(name) for name, months in SEASONS if set(months) & set(plan.months or ())]


# -- job ---------------------------------------------------------------------------------------------------------------
@periodic(every=timedelta(hours=1), name="environment.greening_tasks")
def greening_tasks_job() -> int:
    """Make the greening plans' tasks for the coming week, start today's clocks, close past days' tasks."""
    return generate_tasks()


# -- sentences ---------------------------------------------------------------------------------------------------------
register_terms(values={"activity": dict(GreeningActivity.choices),
                       "key": {CLOCK_KEY: gettext_lazy("Greening task")}})
register_sentences({
    "greening.plan.created": (gettext_lazy("Greening plan made: %(area)s, %(activity)s, months %(months)s, every "
                                           "%(every_days)s days"), {
        "example": {"area": "中心花园", "activity": "fertilising", "months": "3、4、5", "every_days": 14}}),
    "greening.plan.changed": (gettext_lazy("Greening plan changed: %(plan)s"), {
        "example": {"plan": "中心花园 施肥", "every_days": 10}}),
    "greening.plan.paused": (gettext_lazy("Greening plan paused: %(plan)s"), {"example": {"plan": "中心花园 施肥"}}),
    "greening.plan.resumed": (gettext_lazy("Greening plan resumed: %(plan)s"), {"example": {"plan": "中心花园 施肥"}}),
    "greening.task.done": (gettext_lazy("Greening task done: %(plan)s"), {
        "example": {"plan": "中心花园 浇水", "photos": 1, "late": False}}),
    "greening.task.missed": (gettext_lazy("Greening task not done: %(plan)s"), {
        "example": {"plan": "中心花园 浇水", "due_on": "2027-06-01"}}),
})
