"""Cleaning (清洁卫生): zones with frequencies, daily tasks generated ahead and their `cleaning.task` clocks started
when their time comes, done on the phone with photos, late / not done.

A zone says when a cleaning starts (`times`, "HH:MM") and how long it may take (`task_minutes`). The job
(`jobs.cleaning_tasks`, every 5 minutes) makes the tasks of the next 36 hours (`generate_tasks`), starts the clock
of each task whose start has come (`start_due_clocks`: the clock table only holds the duties that have begun) and
closes the tasks of days gone by as not done (`close_past_tasks`). The SLA sweep tells the environment supervisor
when a task passes its deadline undone (the policy's ladder: supervisor, project manager, quality).

Defaults per kind are the seed's (seed 001 ch.5): main roads twice a day, public toilets every 2 hours from 06:00
until 22:00, elevator cars disinfected daily, other zones once a day — each a setting with the seed's default."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wuye.core.access import Actor, Role, require, scoped
from wuye.core.bulk import insert_rows
from wuye.core.errors import Conflict, InvalidInput, NotAllowed, Problems
from wuye.core.events import compose_event, record_event, record_events
from wuye.core.sentences import register_formatter, register_sentences, register_terms
from wuye.sla.engine import start_clock, start_clocks, stop_clock, stop_clocks
from wuye.sla.models import ClockState
from wuye.tenancy.models import Project

from .models import CleaningTask, CleaningZone, TaskStatus, ZoneKind

CLOCK_KEY = "cleaning.task"
NAME_MAX = 60
STANDARD_MAX = 200
NOTE_MAX = 300
TIMES_MAX = 48
TASK_MINUTES = (10, 480)
HOURS_AHEAD_MAX = 24 * 7
CLOSE_BATCH = 2000


# -- the seed's frequencies (settings with the seed's default) -----------------------------------------------------
def road_times() -> list[str]:
    """Main roads: twice a day (seed 001 ch.5 §1), at WUYE_CLEANING_ROAD_TIMES."""
    return list(settings.WUYE_CLEANING_ROAD_TIMES)


def toilet_every_minutes() -> int:
    """Public toilets: every 2 hours (WUYE_CLEANING_TOILET_EVERY_MINUTES)."""
    return int(settings.WUYE_CLEANING_TOILET_EVERY_MINUTES)


def toilet_hours() -> tuple[str, str]:
    """The opening hours the toilets' rounds fill: a round starts at the first and every interval after it, the
    last one before the second (06:00–22:00 every 2 h: 06:00, 08:00 … 20:00 — eight rounds)."""
    return tuple(settings.WUYE_CLEANING_TOILET_HOURS)


def elevator_times() -> list[str]:
    """Elevator cars: disinfected once a day (WUYE_CLEANING_ELEVATOR_TIMES)."""
    return list(settings.WUYE_CLEANING_ELEVATOR_TIMES)


def daily_times() -> list[str]:
    """Every other zone: once a day (WUYE_CLEANING_DAILY_TIMES)."""
    return list(settings.WUYE_CLEANING_DAILY_TIMES)


def default_task_minutes() -> int:
    """How long a task may take unless the zone says otherwise (WUYE_CLEANING_TASK_MINUTES, the policy's 60)."""
    return int(settings.WUYE_CLEANING_TASK_MINUTES)


def early_minutes() -> int:
    """How long before its start a task may already be recorded done (a cleaner who began a little early)."""
    return int(settings.WUYE_CLEANING_EARLY_MINUTES)


def _minutes_of(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def every(first: str, last: str, step_minutes: int) -> list[str]:
    """Start times from `first`, every `step_minutes`, before `last` (pure)."""
    start, end, step = _minutes_of(first), _minutes_of(last), max(1, int(step_minutes))
    return [_hhmm(m) for m in range(start, end, step)]


def default_times(kind: str) -> list[str]:
    """The seed's start times of a zone of `kind`."""
    if kind == ZoneKind.ROAD:
        return road_times()
    if kind == ZoneKind.TOILET:
        first, last = toilet_hours()
        return every(first, last, toilet_every_minutes())
    if kind == ZoneKind.ELEVATOR:
        return elevator_times()
    return daily_times()


# -- zones ---------------------------------------------------------------------------------------------------------
def _clean_times(problems: Problems, times) -> list[str]:
    """ "HH:MM" strings, 1–48 a day, no repeats; returned sorted. Bounded before parsing."""
    if isinstance(times, str):
        times = [part for part in times.replace("，", ",").replace(" ", ",").split(",") if part]
    if not isinstance(times, list | tuple) or not times:
        problems.add("times", _("Give at least one start time, such as 07:00."))
        return []
    if len(times) > TIMES_MAX:
        problems.add("times", _("At most %(count)s start times a day.") % {"count": TIMES_MAX})
        return []
    values = []
    for raw in times:
        text = str(raw).strip()[:6]
        parts = text.split(":")
        if (len(parts) != 2 or len(parts[0]) != 2 or len(parts[1]) != 2 or not parts[0].isascii()
                or not parts[0].isdigit() or not parts[1].isascii() or not parts[1].isdigit()
                or int(parts[0]) > 23 or int(parts[1]) > 59):
            problems.add("times", _("%(time)s is not a time such as 07:00.") % {"time": str(raw)[:8]})
            return []
        values.append(text)
    if len(set(values)) != len(values):
        problems.add("times", _("A start time is given twice."))
        return []
    return sorted(values)


def _check_cleaner(problems: Problems, project, cleaner) -> None:
    if cleaner is None:
        return
    from wuye.people.services import staff_with_role

    if cleaner not in staff_with_role(Role.ENVIRONMENT, project, include_company_wide=False):
        problems.add("cleaner", _("The cleaner must be on the environment staff of the project."))


def _check_building(problems: Problems, project, building) -> None:
    if building is not None and building.project_id != project.pk:
        problems.add("building", _("No such building."))


def _require_manage(actor: Actor, project) -> None:
    require(actor, "environment.manage")
    if not actor.sees_project(project.pk) or (actor.company_id and project.company_id != actor.company_id
                                              and not actor.is_superuser):
        raise NotAllowed(_("Your role may not do this."))


@transaction.atomic
def create_zone(actor: Actor, *, project, name: str, kind: str, times=None, task_minutes: int | None = None,
                disinfection: bool | None = None, building=None, standard: str = "", cleaner=None,
                now: datetime | None = None) -> CleaningZone:
    """A new cleaning zone of `project`; `times`, `task_minutes` and `disinfection` default to the seed's for its
    kind (elevator cars are disinfected). Every wrong field is named at once (422); a zone of the same name in the
    project is a conflict (409). Its tasks of the next hours are made at once."""
    _require_manage(actor, project)
    problems = Problems()
    name = (name or "").strip()
    if not name:
        problems.add("name", _("Give the zone a name."))
    elif len(name) > NAME_MAX:
        problems.add("name", _("At most %(count)s characters.") % {"count": NAME_MAX})
    if kind not in ZoneKind.values:
        problems.add("kind", _("Choose one of: %(values)s.") % {"values": "、".join(str(x) for x in ZoneKind.labels)})
        kind = ZoneKind.OTHER
    times = _clean_times(problems, default_times(kind) if times in (None, "", []) else times)
    task_minutes = default_task_minutes() if task_minutes is None else task_minutes
    if not isinstance(task_minutes, int) or isinstance(task_minutes, bool) \
            or not TASK_MINUTES[0] <= task_minutes <= TASK_MINUTES[1]:
        problems.add("task_minutes", _("Give a whole number of minutes from %(low)s to %(high)s.")
                     % {"low": TASK_MINUTES[0], "high": TASK_MINUTES[1]})
    standard = (standard or "").strip()
    if len(standard) > STANDARD_MAX:
        problems.add("standard", _("At most %(count)s characters.") % {"count": STANDARD_MAX})
    _check_building(problems, project, building)
    _check_cleaner(problems, project, cleaner)
    problems.raise_if_any()
    taken = Conflict(_("The project already has a zone named %(name)s.") % {"name": name})
    if CleaningZone.objects.filter(project=project, name=name).exists():
        raise taken
    try:
        with transaction.atomic():  # two creators racing: the unique constraint decides
            zone = CleaningZone.objects.create(
                project=project, name=name, kind=kind, times=times, task_minutes=task_minutes,
                disinfection=kind == ZoneKind.ELEVATOR if disinfection is None else bool(disinfection),
                building=building, standard=standard, cleaner=cleaner)
    except IntegrityError:
        raise taken from None
    record_event(zone, "cleaning.zone.created", actor=actor.user, data={
        "name": zone.name, "zone_kind": zone.kind, "times": "、".join(zone.times), "minutes": zone.task_minutes})
    generate_tasks(now, zones=[zone])
    return zone


ZONE_FIELDS = ("name", "times", "task_minutes", "disinfection", "building", "standard", "cleaner")


@transaction.atomic
def update_zone(actor: Actor, zone: CleaningZone, *, now: datetime | None = None, **changes) -> CleaningZone:
    """Change a zone (any of name, times, task_minutes, disinfection, building, standard, cleaner). Tasks already
    begun keep their times; the zone's future tasks are made again from the new times."""
    _require_manage(actor, zone.project)
    unknown = set(changes) - set(ZONE_FIELDS)
    if unknown:
        raise InvalidInput(sorted(unknown)[0], _("This field cannot be changed."))
    zone = CleaningZone.objects.select_for_update().select_related("project").get(pk=zone.pk)
    problems = Problems()
    values = {}
    if "name" in changes:
        name = (changes["name"] or "").strip()
        if not name:
            problems.add("name", _("Give the zone a name."))
        elif len(name) > NAME_MAX:
            problems.add("name", _("At most %(count)s characters.") % {"count": NAME_MAX})
        elif CleaningZone.objects.filter(project=zone.project, name=name).exclude(pk=zone.pk).exists():
            problems.add("name", _("The project already has a zone named %(name)s.") % {"name": name})
        values["name"] = name
    if "times" in changes:
        values["times"] = _clean_times(problems, changes["times"])
    if "task_minutes" in changes:
        minutes = changes["task_minutes"]
        if not isinstance(minutes, int) or isinstance(minutes, bool) \
                or not TASK_MINUTES[0] <= minutes <= TASK_MINUTES[1]:
            problems.add("task_minutes", _("Give a whole number of minutes from %(low)s to %(high)s.")
                         % {"low": TASK_MINUTES[0], "high": TASK_MINUTES[1]})
        values["task_minutes"] = minutes
    if "disinfection" in changes:
        values["disinfection"] = bool(changes["disinfection"])
    if "standard" in changes:
        standard = (changes["standard"] or "").strip()
        if len(standard) > STANDARD_MAX:
            problems.add("standard", _("At most %(count)s characters.") % {"count": STANDARD_MAX})
        values["standard"] = standard
    if "building" in changes:
        _check_building(problems, zone.project, changes["building"])
        values["building"] = changes["building"]
    if "cleaner" in changes:
        _check_cleaner(problems, zone.project, changes["cleaner"])
        values["cleaner"] = changes["cleaner"]
    problems.raise_if_any()
    changed = {}
    for field, value in values.items():
        old = getattr(zone, field)
        if old != value:
            changed[field] = str(value) if field in ("building", "cleaner") else value
            setattr(zone, field, value)
    if not changed:
        return zone
    zone.save(update_fields=list(changed))
    record_event(zone, "cleaning.zone.changed", actor=actor.user,
                 data={"name": zone.name, "zone_fields": list(changed)})
    if {"times", "task_minutes"} & set(changed):
        _drop_future_tasks(zone, now)
        generate_tasks(now, zones=[zone])
    return zone


def _drop_future_tasks(zone: CleaningZone, now: datetime | None) -> int:
    """The zone's tasks not begun yet (no clock, nothing done): made again from its times by the generator. A task
    that can already be recorded done (within the early minutes) is kept."""
    now = now or timezone.now()
    horizon = now + timedelta(minutes=early_minutes())
    deleted, _rows = CleaningTask.objects.filter(zone=zone, status=TaskStatus.SCHEDULED, clock_started=False,
                                                 starts_at__gt=horizon).delete()
    return deleted


@transaction.atomic
def set_zone_active(actor: Actor, zone: CleaningZone, active: bool, *, now: datetime | None = None) -> CleaningZone:
    """Pause or resume a zone: a paused zone makes no new tasks and its tasks not begun are dropped (those begun
    stay and are done or not done as usual)."""
    _require_manage(actor, zone.project)
    zone = CleaningZone.objects.select_for_update().get(pk=zone.pk)
    if zone.is_active == active:
        return zone
    zone.is_active = active
    zone.save(update_fields=["is_active"])
    record_event(zone, "cleaning.zone.resumed" if active else "cleaning.zone.paused", actor=actor.user,
                 data={"name": zone.name})
    if active:
        generate_tasks(now, zones=[zone])
    else:
        _drop_future_tasks(zone, now)
    return zone


# -- the generator -------------------------------------------------------------------------------------------------
def local_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(0)))


def _starts(zone_times: list[str], after: datetime, until: datetime) -> list[datetime]:
    """The zone's start moments in (after, until] (pure)."""
    moments = []
    day, last = timezone.localdate(after), timezone.localdate(until)
    while day <= last:
        for text in zone_times:
            moment = timezone.make_aware(datetime.combine(day, time(*map(int, text.split(":")))))
            if after < moment <= until:
                moments.append(moment)
        day += timedelta(days=1)
    return moments


def generate_tasks(now: datetime | None = None, hours_ahead: int = 36, *, zones=None) -> int:
    """Make the tasks of every active zone (or of `zones`) starting in the next `hours_ahead` hours. Each zone
    continues after its last task and never before `now` (a new zone or a new time does not get a task that has
    already begun). Idempotent — a rerun makes 0 — and O(new): one aggregate and one insert. The zones are locked
    while they are read, so two runs wait in line (and the unique zone + start decides anyway)."""
    now = now or timezone.now()
    hours_ahead = max(0, min(int(hours_ahead), HOURS_AHEAD_MAX))
    until = now + timedelta(hours=hours_ahead)
    with transaction.atomic():
        chosen = CleaningZone.objects.filter(is_active=True)
        if zones is not None:
            chosen = chosen.filter(pk__in=[zone.pk for zone in zones])
        rows = list(chosen.select_for_update().order_by("pk").values("pk", "project_id", "times", "task_minutes"))
        if not rows:
            return 0
        last = dict(CleaningTask.objects.filter(zone_id__in=[row["pk"] for row in rows]).values("zone_id")
                    .annotate(last=Max("starts_at")).values_list("zone_id", "last"))
        new = []
        for row in rows:
            after = max(now - timedelta(microseconds=1), last.get(row["pk"]) or now - timedelta(microseconds=1))
            minutes = timedelta(minutes=row["task_minutes"])
            for starts in _starts(list(row["times"] or ()), after, until):
                new.append({"project_id": row["project_id"], "zone_id": row["pk"], "starts_at": starts,
                            "due_at": starts + minutes, "status": TaskStatus.SCHEDULED, "clock_started": False})
        return insert_rows(CleaningTask, new) if new else 0


def start_due_clocks(now: datetime | None = None) -> int:
    """Start the `cleaning.task` clock (due at the task's `due_at`, from its `starts_at`) of every scheduled task
    whose start has come and whose clock has not started, the flag set in the same transaction. Started lazily
    (the facilities plans' pattern): the clock table holds the duties that have begun, not a day and a half of
    future ones. Rows are claimed with SKIP LOCKED, so two runs at once start each clock once. One event per task
    (`cleaning.task.started`) opens its timeline."""
    now = now or timezone.now()
    started = 0
    with transaction.atomic():
        due = list(CleaningTask.objects.filter(status=TaskStatus.SCHEDULED, clock_started=False, starts_at__lte=now)
                   .select_for_update(skip_locked=True).order_by("project_id", "starts_at", "pk")
                   .only("pk", "project_id", "zone_id", "starts_at", "due_at"))
        if not due:
            return 0
        groups: dict[tuple, list[CleaningTask]] = {}
        for task in due:
            groups.setdefault((task.project_id, task.starts_at), []).append(task)
        projects = {p.pk: p for p in Project.objects.filter(pk__in={key[0] for key in groups})}
        names = dict(CleaningZone.objects.filter(pk__in={t.zone_id for t in due}).values_list("pk", "name"))
        for (project_id, starts), tasks in groups.items():
            started += start_clocks([(task, task.due_at) for task in tasks], CLOCK_KEY, project=projects[project_id],
                                    at=starts)
        CleaningTask.objects.filter(pk__in=[task.pk for task in due]).update(clock_started=True)
        record_events([compose_event(task, "cleaning.task.started", data={
            "zone": names.get(task.zone_id, ""), "due": timezone.localtime(task.due_at).strftime("%H:%M")})
            for task in due])
    return started


def day_end(moment: datetime) -> datetime:
    """Local midnight after `moment`."""
    return local_start(timezone.localdate(moment) + timedelta(days=1))


def close_past_tasks(now: datetime | None = None) -> int:
    """Tasks still scheduled whose day has ended (and whose deadline has passed) are not done. Their clocks are
    stopped as breached at that moment — not cancelled: an undone cleaning is a missed deadline and the SLA
    figures must count it (a cancelled clock counts neither way). Claimed with SKIP LOCKED in batches; a rerun
    closes nothing new."""
    now = now or timezone.now()
    closed = 0
    while True:
        with transaction.atomic():
            rows = list(CleaningTask.objects.filter(status=TaskStatus.SCHEDULED, starts_at__lt=local_start(
                timezone.localdate(now)), due_at__lte=now).select_for_update(skip_locked=True)
                .order_by("pk").only("pk", "project_id", "zone_id", "starts_at", "due_at")[:CLOSE_BATCH])
            if not rows:
                return closed
            CleaningTask.objects.filter(pk__in=[r.pk for r in rows], status=TaskStatus.SCHEDULED).update(
                status=TaskStatus.MISSED)
            by_moment: dict[datetime, list[int]] = {}
            for task in rows:
                by_moment.setdefault(max(day_end(task.starts_at), task.due_at), []).append(task.pk)
            for moment, ids in by_moment.items():
                stop_clocks(CleaningTask, ids, CLOCK_KEY, at=moment)
            names = dict(CleaningZone.objects.filter(pk__in={t.zone_id for t in rows}).values_list("pk", "name"))
            record_events([compose_event(task, "cleaning.task.missed", data={
                "zone": names.get(task.zone_id, ""), "starts": timezone.localtime(task.starts_at).strftime("%H:%M")})
                for task in rows])
            closed += len(rows)
            if len(rows) < CLOSE_BATCH:
                return closed


# -- doing the tasks -----------------------------------------------------------------------------------------------
def may_do(actor: Actor, task: CleaningTask) -> bool:
    """The environment department of the task's project does its tasks (the zone's cleaner is one of them)."""
    if actor.is_superuser:
        return True
    return actor.may("environment.do_tasks") and actor.sees_project(task.project_id)


@transaction.atomic
def complete_task(actor: Actor, task: CleaningTask, *, at: datetime | None = None, note: str = "",
                  photos=()) -> CleaningTask:
    """Record a cleaning done with a note and photos (a disinfection needs at least one). Stops its clock (started
    here first if the job has not come round yet, from `at` when done early); done after `due_at`, the task is late.
    Only the environment department of the project (403); a task done or closed already, or not begun, is a conflict
    (409)."""
    if not may_do(actor, task):
        raise NotAllowed(_("Only the environment staff of the project record cleanings."))
    task = CleaningTask.objects.select_for_update(of=("self",)).select_related("zone", "project").get(pk=task.pk)
    if task.status != TaskStatus.SCHEDULED:
        raise Conflict(_("This task is already %(status)s.") % {"status": task.get_status_display()})
    at = at or timezone.now()
    if at < task.starts_at - timedelta(minutes=early_minutes()):
        raise Conflict(_("This task starts at %(time)s.") % {
            "time": timezone.localtime(task.starts_at).strftime("%m-%d %H:%M")})
    problems = Problems()
    note = str(note or "").strip()
    if len(note) > NOTE_MAX:
        problems.add("note", _("At most %(count)s characters.") % {"count": NOTE_MAX})
    photos = list(photos or ())
    if task.zone.disinfection and not photos:
        problems.add("photos", _("A disinfection needs at least one photo."))
    problems.raise_if_any()
    kept = []
    if photos:
        from wuye.quality.evidence import attach_evidence

        kept = attach_evidence(actor, task, photos, project=task.project, field="photos", at=at)
    if not task.clock_started:
        # Not started by the job yet: from the start, or from `at` when done early (within `early_minutes`), so
        # every cleaning done has its clock (met) and the met/breached counts see it.
        start_clock(task, CLOCK_KEY, project=task.project, at=min(at, task.starts_at), due_at=task.due_at)
        task.clock_started = True
    clock = stop_clock(task, CLOCK_KEY, at=at, actor=actor.user) if task.clock_started else None
    late = clock.state == ClockState.BREACHED if clock else at > task.due_at
    task.status, task.done_at, task.done_by, task.late, task.note = TaskStatus.DONE, at, actor.user, late, note
    task.save(update_fields=["status", "done_at", "done_by", "late", "note", "clock_started"])
    record_event(task, "cleaning.task.done", actor=actor.user, data={
        "zone": task.zone.name, "photos": len(kept), "late": late})
    return task


# -- reading -------------------------------------------------------------------------------------------------------
STATES = ("upcoming", "due", "overdue", "done", "late", "missed", "cancelled")
STATE_LABELS = {
    "upcoming": gettext_lazy("Later"), "due": gettext_lazy("Due now"), "overdue": gettext_lazy("Overdue"),
    "done": gettext_lazy("Done"), "late": gettext_lazy("Done late"), "missed": gettext_lazy("Not done"),
    "cancelled": gettext_lazy("Cancelled"),
}


def state_q(state: str, now: datetime) -> Q:
    """The tasks in `state` at `now` (one definition for the lists, the API, the cards and the home)."""
    scheduled = Q(status=TaskStatus.SCHEDULED)
    return {
        "upcoming": scheduled & Q(starts_at__gt=now),
        "due": scheduled & Q(starts_at__lte=now, due_at__gt=now),
        "overdue": scheduled & Q(due_at__lte=now),
        "done": Q(status=TaskStatus.DONE, late=False),
        "late": Q(status=TaskStatus.DONE, late=True),
        "missed": Q(status=TaskStatus.MISSED),
        "cancelled": Q(status=TaskStatus.CANCELLED),
    }[state]


def task_state(task: CleaningTask, now: datetime) -> str:
    if task.status == TaskStatus.DONE:
        return "late" if task.late else "done"
    if task.status == TaskStatus.SCHEDULED:
        if task.starts_at > now:
            return "upcoming"
        return "due" if task.due_at > now else "overdue"
    return task.status


def day_bounds(day: date) -> tuple[datetime, datetime]:
    return local_start(day), local_start(day + timedelta(days=1))


def tasks_on(actor: Actor, day: date) -> QuerySet:
    """The tasks in the actor's scope starting on `day` (local), by start and zone."""
    low, high = day_bounds(day)
    return (scoped(CleaningTask.objects.all(), actor).filter(starts_at__gte=low, starts_at__lt=high)
            .select_related("zone", "project", "done_by").order_by("starts_at", "zone__name", "pk"))


def mine_q(actor: Actor) -> Q:
    """The actor's tasks: of the zones they clean, and of zones without a cleaner (the department's)."""
    user_id = getattr(actor.user, "pk", None)
    mine = Q(zone__cleaner__isnull=True)
    return mine | Q(zone__cleaner_id=user_id) if user_id else mine


def my_tasks(actor: Actor, now: datetime, *, hours_ahead: int = 4) -> QuerySet:
    """The cleaner's phone: my scheduled tasks of today that have begun (due or overdue) or start within
    `hours_ahead` hours."""
    low, _high = day_bounds(timezone.localdate(now))
    return (scoped(CleaningTask.objects.all(), actor)
            .filter(mine_q(actor), status=TaskStatus.SCHEDULED, starts_at__gte=low,
                    starts_at__lte=now + timedelta(hours=hours_ahead))
            .select_related("zone", "project").order_by("starts_at", "zone__name", "pk"))


# -- sentences -----------------------------------------------------------------------------------------------------
def _task_done(event, fields) -> str:
    data = fields.raw
    text = _("Cleaned: %(zone)s") % fields
    if data.get("photos"):
        text = _("%(text)s (%(photos)s photos)") % {"text": text, "photos": data["photos"]}
    if data.get("late"):
        text = _("%(text)s; after the deadline") % {"text": text}
    return text


register_terms(values={"zone_kind": dict(ZoneKind.choices), "key": {CLOCK_KEY: gettext_lazy("Cleaning task")}})
def _zone_fields(codes) -> str:
    """The changed fields of a zone as the reader's language names them (stored as field names, never as text)."""
    names = []
    for code in codes if isinstance(codes, list) else []:
        try:
            names.append(str(CleaningZone._meta.get_field(code).verbose_name))
        except Exception:  # a field since removed: its code is all there is
            names.append(str(code))
    return "、".join(names)


register_formatter("zone_fields", _zone_fields)
register_sentences({
    "cleaning.zone.created": (gettext_lazy("Cleaning zone made: %(name)s (%(zone_kind)s), starts %(times)s, "
                                           "%(minutes)s minutes each"), {
        "example": {"name": "主干道", "zone_kind": "road", "times": "07:00、14:00", "minutes": 60}}),
    "cleaning.zone.changed": (gettext_lazy("Cleaning zone %(name)s changed: %(zone_fields)s"), {
        "example": {"name": "主干道", "zone_fields": ["times", "task_minutes"]}}),
    "cleaning.zone.paused": (gettext_lazy("Cleaning zone paused: %(name)s"), {"example": {"name": "主干道"}}),
    "cleaning.zone.resumed": (gettext_lazy("Cleaning zone resumed: %(name)s"), {"example": {"name": "主干道"}}),
    "cleaning.task.started": (gettext_lazy("Cleaning of %(zone)s began, due by %(due)s"), {
        "example": {"zone": "1号楼公共卫生间", "due": "09:00"}}),
    "cleaning.task.done": (_task_done, {"example": {"zone": "1号楼电梯轿厢", "photos": 2, "late": True}}),
    "cleaning.task.missed": (gettext_lazy("Not done: the %(starts)s cleaning of %(zone)s"), {
        "example": {"zone": "主干道", "starts": "14:00"}}),
})
