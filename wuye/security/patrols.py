"""Patrols (巡逻): routes with ordered checkpoints, rounds generated ahead per schedule, opened with their clocks when
their time comes, scans (on time / late), missed checkpoints reported once by the SLA sweep's handler, rounds
closed, findings opening work orders or rectifications.

The schedule: a route walks a round at each slot `first_round_at + k × every_minutes` up to `last_round_at` (local
time, per day). A round's window runs from its start to the next slot (the next day's first after the day's last)
or for every_minutes, whichever ends first; each checkpoint is due
`minutes_from_start` + the grace (settings `WUYE_PATROL_CHECKPOINT_GRACE_MINUTES`) after the start — the deadline of
its `patrol.checkpoint` clock. The round itself is due `round_minutes` + the grace after its start (`patrol.round`).

Locks, always in this order: the clocks of the visits and rounds involved, then the round rows. The SLA sweep holds
its batch of clocks while the missed-checkpoint handler waits for round rows, so a scan or a close that took a round
first and then waited for a clock could deadlock with it."""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from itertools import pairwise

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, F, Max, OuterRef, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wuye.core.access import Actor, Role, get_scoped_or_404, require, scoped
from wuye.core.errors import Conflict, InvalidInput, NotAllowed, Problems
from wuye.core.events import compose_event, compose_event_about, record_event, record_events
from wuye.core.outbox import compose, post
from wuye.core.sentences import register_sentences, register_terms
from wuye.sla.engine import cancel_clocks, on_escalation, start_clocks, stop_clock, stop_clocks
from wuye.sla.models import Clock, ClockState
from wuye.tenancy.rules import RULE_DEFAULTS, rules_for

from .models import (
    CheckpointVisit,
    FindingAction,
    PatrolCheckpoint,
    PatrolFinding,
    PatrolRound,
    PatrolRoute,
    RoundStatus,
    VisitStatus,
)

CHECKPOINT_KEY = "patrol.checkpoint"
ROUND_KEY = "patrol.round"
NAME_MAX = 60
LOCATION_MAX = 100
CHECKS_MAX = 200
CODE_MAX = 16
CHECKPOINTS_MAX = 50
NOTE_MAX = 300
FINDING_MAX = 300
TEXT_MAX = 400  # the code box: a typed code or a pasted label URL
HOURS_AHEAD_MAX = 14 * 24
BATCH = 500
CLOSE_BATCH = 100  # rounds closed per transaction (each up to 50 checkpoints)
CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,15}$")
TOKEN_PATTERN = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
SCANNED = (VisitStatus.ON_TIME, VisitStatus.LATE)
EVERY_LOW = RULE_DEFAULTS["patrol_every_minutes"].low
EVERY_HIGH = RULE_DEFAULTS["patrol_every_minutes"].high


def grace() -> timedelta:
    """How long after its planned minute a checkpoint may still be scanned on time (seed default 10 minutes)."""
    return timedelta(minutes=int(settings.WUYE_PATROL_CHECKPOINT_GRACE_MINUTES))


class _Ref:
    """A row as `start_clocks` and `compose_event` read a subject (its model's options and pk), without loading it."""

    __slots__ = ("pk", "project_id")

    def __init__(self, pk: int, project_id: int | None = None):
        self.pk, self.project_id = pk, project_id


class _VisitRef(_Ref):
    __slots__ = ()
    _meta = CheckpointVisit._meta


class _RoundRef(_Ref):
    __slots__ = ()
    _meta = PatrolRound._meta


def _iso(moment: datetime) -> str:
    return timezone.localtime(moment).isoformat(timespec="minutes")


def _link(name: str, pk: int) -> str:
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:  # the pages are another stream's; a message stands alone until they are there
        return ""


# -- the schedule (pure) -------------------------------------------------------------------------------------------
def slots_on(route: PatrolRoute, day: date) -> list[datetime]:
    """The starts of `route`'s rounds on the local day `day`: first_round_at, + every_minutes … ≤ last_round_at."""
    zone = timezone.get_current_timezone()
    start = datetime.combine(day, route.first_round_at, tzinfo=zone)
    last = datetime.combine(day, route.last_round_at, tzinfo=zone)
    step = timedelta(minutes=route.every_minutes)
    slots = []
    while start <= last:
        slots.append(start)
        start += step
    return slots


def round_due(route: PatrolRoute, starts_at: datetime) -> datetime:
    """The deadline of a round: its round time and the grace after its start, never past its window."""
    return min(starts_at + timedelta(minutes=route.round_minutes) + grace(),
               starts_at + timedelta(minutes=route.every_minutes))


def spread(count: int, round_minutes: int) -> list[int]:
    """Default minutes from the start of `count` checkpoints: evenly over the round, the last at its end."""
    return [round(round_minutes * number / count) for number in range(1, count + 1)]


# -- routes --------------------------------------------------------------------------------------------------------
def _require_manage(actor: Actor, project) -> None:
    require(actor, "security.manage_patrols")
    if not actor.is_superuser and (not actor.sees_project(project.pk) or project.company_id != actor.company_id):
        raise NotAllowed(_("Your role may not do this."))


def _text(problems: Problems, field: str, value, limit: int, *, required: str = "") -> str:
    text = " ".join(str(value or "").split())
    if "\x00" in text:
        problems.add(field, _("Text may not contain NUL (\\x00) characters."))
    elif required and not text:
        problems.add(field, required)
    elif len(text) > limit:
        problems.add(field, _("At most %(count)s characters.") % {"count": limit})
    return text


def _number(problems: Problems, field: str, value, low: int, high: int) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        problems.add(field, _("Give a whole number from %(low)s to %(high)s.") % {"low": low, "high": high})
        return None
    return value


def _clock_time(problems: Problems, field: str, value) -> time | None:
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0, tzinfo=None)
    try:
        return time.fromisoformat(str(value or "")[:8]).replace(second=0, microsecond=0)
    except ValueError:
        problems.add(field, _("Write a time as HH:MM."))
        return None


def _checkpoints(problems: Problems, project, route, items, round_minutes: int | None) -> list[dict]:
    """The checkpoint list cleaned: 1–50 of them, names ≤ 60, codes unique in the project, minutes within the round.
    Each wrong value is named `checkpoints[n].<field>` (n from 1)."""
    if not isinstance(items, list | tuple) or not items:
        problems.add("checkpoints", _("Give the route's checkpoints (at least one)."))
        return []
    if len(items) > CHECKPOINTS_MAX:
        problems.add("checkpoints", _("At most %(count)s checkpoints on a route.") % {"count": CHECKPOINTS_MAX})
        return []
    cleaned, seen = [], set()
    defaults = spread(len(items), round_minutes or 0)
    for number, item in enumerate(items, start=1):
        field = f"checkpoints[{number}]"
        if not isinstance(item, dict):
            problems.add(field, _("Give the checkpoint's name and code."))
            continue
        name = _text(problems, f"{field}.name", item.get("name"), NAME_MAX, required=_("Name the checkpoint."))
        location = _text(problems, f"{field}.location", item.get("location"), LOCATION_MAX)
        checks = _text(problems, f"{field}.checks", item.get("checks"), CHECKS_MAX)
        code = "".join(str(item.get("code") or "").split()).upper()[:CODE_MAX + 1]
        if not CODE_PATTERN.match(code):
            problems.add(f"{field}.code", _("A code is 1 to %(count)s letters, digits or dashes.")
                         % {"count": CODE_MAX})
        elif code in seen:
            problems.add(f"{field}.code", _("The code %(code)s is given twice.") % {"code": code})
        seen.add(code)
        minutes = item.get("minutes_from_start")
        if minutes in (None, ""):
            minutes = defaults[number - 1]
        elif round_minutes is not None:
            minutes = _number(problems, f"{field}.minutes_from_start", minutes, 0, round_minutes)
        cleaned.append({"name": name, "location": location, "checks": checks, "code": code,
                        "minutes_from_start": minutes})
    taken = (PatrolCheckpoint.objects.filter(project=project, code__in=list(seen))
             .exclude(route_id=route.pk if route else None).values_list("code", "route__name"))
    for code, route_name in taken:
        number = next(n for n, row in enumerate(cleaned, start=1) if row["code"] == code)
        problems.add(f"checkpoints[{number}].code", _("The code %(code)s is already used on the route %(route)s.")
                     % {"code": code, "route": route_name})
    return cleaned


def _route_values(problems: Problems, project, *, name, is_key_area, every_minutes, first_round_at, last_round_at,
                  round_minutes) -> dict:
    name = _text(problems, "name", name, NAME_MAX, required=_("Name the route."))
    if every_minutes in (None, ""):
        rules = rules_for(project)
        every_minutes = rules.patrol_key_area_every_minutes if is_key_area else rules.patrol_every_minutes
    every = _number(problems, "every_minutes", every_minutes, EVERY_LOW, EVERY_HIGH)
    take = _number(problems, "round_minutes", round_minutes, 1, every or EVERY_HIGH)
    if take is not None and every is None:
        take = None
    first = _clock_time(problems, "first_round_at", first_round_at)
    last = _clock_time(problems, "last_round_at", last_round_at)
    if first is not None and last is not None and last < first:
        problems.add("last_round_at", _("The last round cannot start before the first."))
    return {"name": name, "is_key_area": bool(is_key_area), "every_minutes": every, "round_minutes": take,
            "first_round_at": first, "last_round_at": last}


def _save_checkpoints(route: PatrolRoute, cleaned: list[dict]) -> None:
    """Make the route's checkpoints the list, in its order: a row whose code the route already has is updated (and
    switched on), a new code is a new checkpoint, the route's other checkpoints are switched off (their past visits
    keep them). Matched by code, so a code never moves between rows (codes are unique in the project)."""
    by_code = {checkpoint.code: checkpoint for checkpoint in route.checkpoints.all()}
    kept = []
    for order, row in enumerate(cleaned, start=1):
        checkpoint = by_code.get(row["code"]) or PatrolCheckpoint(project_id=route.project_id, route=route)
        for key in ("name", "location", "checks", "code", "minutes_from_start"):
            setattr(checkpoint, key, row[key])
        checkpoint.order, checkpoint.is_active = order, True
        checkpoint.save()
        kept.append(checkpoint.pk)
    route.checkpoints.exclude(pk__in=kept).update(is_active=False)


def _taken(name: str) -> Conflict:
    return Conflict(_("The project already has a route named %(name)s.") % {"name": name})


@transaction.atomic
def create_route(actor: Actor, *, project, name: str, is_key_area: bool = False, every_minutes: int | None = None,
                 first_round_at=time(0, 0), last_round_at=time(23, 59), round_minutes: int = 40,
                 checkpoints=(), now: datetime | None = None) -> PatrolRoute:
    """A new patrol route of `project` with its checkpoints (1–50, in walking order). `every_minutes` defaults to
    the project's rule (patrol_every_minutes, or patrol_key_area_every_minutes for a key area); a checkpoint without
    minutes is due at its even share of the round. Every wrong field is named at once (422); a route of the same
    name in the project is a conflict (409). Its rounds of the next hours (from `now`) are made at once."""
    _require_manage(actor, project)
    problems = Problems()
    values = _route_values(problems, project, name=name, is_key_area=is_key_area, every_minutes=every_minutes,
                           first_round_at=first_round_at, last_round_at=last_round_at, round_minutes=round_minutes)
    cleaned = _checkpoints(problems, project, None, list(checkpoints or ()), values["round_minutes"])
    problems.raise_if_any()
    if PatrolRoute.objects.filter(project=project, name=values["name"]).exists():
        raise _taken(values["name"])
    try:
        with transaction.atomic():  # two creators racing: the unique constraints decide
            route = PatrolRoute.objects.create(project=project, **values)
            _save_checkpoints(route, cleaned)
    except IntegrityError:
        raise _taken(values["name"]) from None
    record_event(route, "patrol.route.created", actor=actor.user, data={
        "name": route.name, "every_minutes": route.every_minutes, "checkpoints": len(cleaned)})
    _generate([route.pk], now or timezone.now(), 36)
    return route


@transaction.atomic
def update_route(actor: Actor, route: PatrolRoute, *, name=None, is_key_area=None, every_minutes=None,
                 first_round_at=None, last_round_at=None, round_minutes=None, checkpoints=None,
                 now: datetime | None = None) -> PatrolRoute:
    """Change a route (only the arguments given). Rounds already opened keep their checkpoints and times; the
    rounds not yet started are made again from the new schedule. A key-area switch without an interval takes the
    project's rule for the new kind."""
    route = PatrolRoute.objects.select_for_update().select_related("project").get(pk=route.pk)
    _require_manage(actor, route.project)
    key_area = route.is_key_area if is_key_area is None else bool(is_key_area)
    if every_minutes in (None, "") and key_area == route.is_key_area:
        every_minutes = route.every_minutes
    problems = Problems()
    values = _route_values(
        problems, route.project, name=route.name if name is None else name, is_key_area=key_area,
        every_minutes=every_minutes, first_round_at=first_round_at or route.first_round_at,
        last_round_at=last_round_at or route.last_round_at,
        round_minutes=route.round_minutes if round_minutes is None else round_minutes)
    if checkpoints is None:
        current = route.checkpoints.filter(is_active=True).order_by("order", "id")
        checkpoints = [{"name": c.name, "location": c.location, "checks": c.checks, "code": c.code,
                        "minutes_from_start": c.minutes_from_start} for c in current]
    cleaned = _checkpoints(problems, route.project, route, list(checkpoints), values["round_minutes"])
    problems.raise_if_any()
    if values["name"] != route.name and PatrolRoute.objects.filter(project=route.project_id,
                                                                   name=values["name"]).exists():
        raise _taken(values["name"])
    changed = {key: [str(getattr(route, key)), str(value)] for key, value in values.items()
               if getattr(route, key) != value}
    for key, value in values.items():
        setattr(route, key, value)
    try:
        with transaction.atomic():
            route.save()
            _save_checkpoints(route, cleaned)
    except IntegrityError:
        raise _taken(values["name"]) from None
    now = now or timezone.now()
    _drop_future_rounds(route, now)
    record_event(route, "patrol.route.changed", actor=actor.user, data={
        "name": route.name, "every_minutes": route.every_minutes, "checkpoints": len(cleaned),
        "fields": sorted(changed)})
    if route.is_active:
        _generate([route.pk], now, 36)
    return route


@transaction.atomic
def set_route_active(actor: Actor, route: PatrolRoute, active: bool, *, now: datetime | None = None) -> PatrolRoute:
    """Switch a route on or off. Off: its rounds not yet started are dropped (those under way run to their end);
    on: rounds are made from now on."""
    route = PatrolRoute.objects.select_for_update().select_related("project").get(pk=route.pk)
    _require_manage(actor, route.project)
    if route.is_active == bool(active):
        return route
    route.is_active = bool(active)
    route.save(update_fields=["is_active"])
    now = now or timezone.now()
    _drop_future_rounds(route, now)
    record_event(route, "patrol.route.switched_on" if active else "patrol.route.switched_off", actor=actor.user,
                 data={"name": route.name})
    if route.is_active:
        _generate([route.pk], now, 36)
    return route


def _drop_future_rounds(route: PatrolRoute, now: datetime) -> None:
    # Scheduled rounds have no clocks, scans or findings yet: they are plans, made again by the generator.
    PatrolRound.objects.filter(route=route, status=RoundStatus.SCHEDULED, starts_at__gt=now).delete()


# -- the generator -------------------------------------------------------------------------------------------------
def generate_rounds(now: datetime | None = None, hours_ahead: int = 36) -> int:
    """Make the rounds (with their checkpoint visits) of every active route starting from `now` to `hours_ahead`
    hours later. Idempotent: each route continues after its last round (one grouped query), so a rerun makes
    nothing and the work is O(new rows). Returns the rounds made."""
    now = now or timezone.now()
    if not isinstance(hours_ahead, int) or not 1 <= hours_ahead <= HOURS_AHEAD_MAX:
        raise InvalidInput("hours_ahead", _("Give a whole number from 1 to %(max)s.") % {"max": HOURS_AHEAD_MAX})
    ids = list(PatrolRoute.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True))
    made = 0
    for offset in range(0, len(ids), BATCH):
        made += _generate(ids[offset:offset + BATCH], now, hours_ahead)
    return made


@transaction.atomic
def _generate(route_ids: list[int], now: datetime, hours_ahead: int) -> int:
    # The route rows locked: concurrent runs (and a route being edited) wait in line and then see the new rounds.
    routes = list(PatrolRoute.objects.filter(pk__in=route_ids, is_active=True).select_for_update().order_by("pk"))
    if not routes:
        return 0
    last = dict(PatrolRound.objects.filter(route_id__in=[r.pk for r in routes]).values_list("route_id")
                .annotate(last=Max("starts_at")))
    checkpoints = defaultdict(list)
    for row in (PatrolCheckpoint.objects.filter(route_id__in=[r.pk for r in routes], is_active=True)
                .order_by("route_id", "order", "id").values("pk", "route_id", "order", "minutes_from_start")):
        checkpoints[row["route_id"]].append(row)
    horizon = now + timedelta(hours=hours_ahead)
    first_day, last_day = timezone.localdate(now) - timedelta(days=1), timezone.localdate(horizon)
    rounds, events = [], []
    for route in routes:
        points = checkpoints.get(route.pk)
        if not points:
            continue
        after = max(now - timedelta(microseconds=1), last.get(route.pk) or now - timedelta(microseconds=1))
        day, slots = first_day, []
        while day <= last_day + timedelta(days=1):  # the next day's first slot ends the horizon's last round
            slots += slots_on(route, day)
            day += timedelta(days=1)
        made = [start for start in slots if after < start <= horizon]
        following = dict(pairwise(slots))
        step = timedelta(minutes=route.every_minutes)
        # A round ends at the next slot (also the next day's first) or after its step, whichever comes first: the
        # day's last round never overlaps the next day's first, and runs its full step when the day ends early.
        rounds += [PatrolRound(project_id=route.project_id, route=route, starts_at=start,
                               ends_at=min(start + step, following.get(start, start + step)),
                               checkpoints_total=len(points)) for start in made]
        if made:
            events.append(compose_event(route, "patrol.rounds.generated", data={
                "count": len(made), "first": _iso(made[0]), "last": _iso(made[-1])}))
    if not rounds:
        return 0
    PatrolRound.objects.bulk_create(rounds, batch_size=BATCH)
    extra = grace()
    visits = [CheckpointVisit(project_id=row.project_id, round_id=row.pk, checkpoint_id=point["pk"],
                              order=point["order"],
                              due_at=row.starts_at + timedelta(minutes=point["minutes_from_start"]) + extra)
              for row in rounds for point in checkpoints[row.route_id]]
    CheckpointVisit.objects.bulk_create(visits, batch_size=2000)
    record_events(events)
    return len(rounds)


# -- opening -------------------------------------------------------------------------------------------------------
def open_due_rounds(now: datetime | None = None) -> int:
    """Open every scheduled round whose start has come: its checkpoints' `patrol.checkpoint` clocks and its
    `patrol.round` clock start at its start, one event per round. A round whose window has already closed (the
    server was down) is closed as missed at once: its checkpoints reported missed as the sweep reports them, its
    clocks kept breached over its window. Safe to run twice at once (rows taken with
    SKIP LOCKED). Returns the rounds opened."""
    now = now or timezone.now()
    opened = 0
    while True:
        with transaction.atomic():
            rounds = list(PatrolRound.objects.filter(status=RoundStatus.SCHEDULED, starts_at__lte=now)
                          .select_for_update(skip_locked=True, of=("self",)).select_related("route", "project")
                          .order_by("starts_at", "id")[:BATCH])
            if not rounds:
                return opened
            opened += _open(rounds, now)


def _open(rounds: list[PatrolRound], now: datetime) -> int:
    """Open locked scheduled rounds (see open_due_rounds); the caller holds their rows."""
    gone = [row for row in rounds if row.ends_at <= now]
    live = [row for row in rounds if row.ends_at > now]
    events = []
    if gone:
        # Its window closed before it was opened (the jobs were down): its checkpoints are missed and reported as
        # the sweep reports them (one message per round), and its clocks are kept as breached over its window (the
        # SLA figures count it); a checkpoint due after the window gives no verdict and has no clock.
        ids = [row.pk for row in gone]
        pending = defaultdict(list)
        for pk, round_id, due_at in (CheckpointVisit.objects.filter(round_id__in=ids, status=VisitStatus.PENDING)
                                     .values_list("pk", "round_id", "due_at")):
            pending[round_id].append((pk, due_at))
        groups = defaultdict(list)
        for row in gone:
            groups[(row.project_id, row.starts_at, row.ends_at)].append(row)
        for (_project_id, starts_at, ends_at), members in groups.items():
            project = members[0].project
            start_clocks([(_VisitRef(pk), due_at) for row in members for pk, due_at in pending[row.pk]
                          if due_at < ends_at], CHECKPOINT_KEY, project=project, at=starts_at)
            start_clocks([(row, min(round_due(row.route, starts_at), ends_at)) for row in members], ROUND_KEY,
                         project=project, at=starts_at)
        _mark_missed([pk for row in gone for pk, _due_at in pending[row.pk]])
        by_end = defaultdict(list)
        for row in gone:
            by_end[row.ends_at].append(row.pk)
        for ends_at, members in by_end.items():
            stop_clocks(CheckpointVisit, [pk for round_id in members for pk, _due_at in pending[round_id]],
                        CHECKPOINT_KEY, at=ends_at)
            stop_clocks(PatrolRound, members, ROUND_KEY, at=ends_at)
        PatrolRound.objects.filter(pk__in=ids).update(status=RoundStatus.MISSED)
        events += [compose_event(row, "patrol.round.closed", data={
            "route": row.route.name, "starts_at": _iso(row.starts_at), "status": RoundStatus.MISSED, "scanned": 0,
            "missed": len(pending[row.pk]), "unopened": True}) for row in gone]
    if live:
        by_round = defaultdict(list)
        for pk, round_id, due_at in (CheckpointVisit.objects.filter(round_id__in=[row.pk for row in live])
                                     .values_list("pk", "round_id", "due_at")):
            by_round[round_id].append((_VisitRef(pk), due_at))
        groups = defaultdict(list)
        for row in live:
            groups[(row.project_id, row.starts_at)].append(row)
        for (_project_id, starts_at), members in groups.items():
            project = members[0].project
            start_clocks([visit for row in members for visit in by_round[row.pk]], CHECKPOINT_KEY,
                         project=project, at=starts_at)
            start_clocks([(row, min(round_due(row.route, row.starts_at), row.ends_at)) for row in members],
                         ROUND_KEY, project=project, at=starts_at)
        PatrolRound.objects.filter(pk__in=[row.pk for row in live]).update(status=RoundStatus.OPEN)
        events += [compose_event(row, "patrol.round.opened", data={
            "route": row.route.name, "starts_at": _iso(row.starts_at), "checkpoints": row.checkpoints_total})
            for row in live]
    record_events(events)
    for row in live:
        row.status = RoundStatus.OPEN
    return len(live)


# -- scanning ------------------------------------------------------------------------------------------------------
def _token(text: str) -> uuid.UUID | None:
    found = TOKEN_PATTERN.search(text)
    return uuid.UUID(found.group(0)) if found else None


def find_checkpoint(actor: Actor, code_or_token) -> PatrolCheckpoint:
    """The checkpoint a guard typed (its code, any case) or scanned (its label token, or the label's URL pasted
    whole), in the actor's projects; InvalidInput naming `code` when there is none."""
    return _lookup(scoped(PatrolCheckpoint.objects.select_related("route", "project"), actor), code_or_token)


def _lookup(rows: QuerySet, code_or_token) -> PatrolCheckpoint:
    text = str(code_or_token or "").strip()[:TEXT_MAX]
    token = code_or_token if isinstance(code_or_token, uuid.UUID) else _token(text)
    if token is not None:
        found = list(rows.filter(label_token=token)[:2])
    else:
        code = "".join(text.split()).upper()
        found = list(rows.filter(code=code)[:2]) if code and len(code) <= CODE_MAX else []
    if not found:
        raise InvalidInput("code", _("No checkpoint has this code."))
    if len(found) > 1:
        raise InvalidInput("code", _("Checkpoints of several projects have this code: scan the label."))
    return found[0]


def current_round_for(actor: Actor, checkpoint: PatrolCheckpoint, at: datetime | None = None) -> PatrolRound | None:
    """The round of the checkpoint's route whose window holds `at` (under way, or about to be opened), in scope.
    Windows overlapping (a route rescheduled under a round under way): the oldest that still waits for this
    checkpoint, so its scan is not lost to the newer round."""
    at = at or timezone.now()
    waiting = Exists(CheckpointVisit.objects.filter(round_id=OuterRef("pk"), checkpoint_id=checkpoint.pk)
                     .exclude(status__in=SCANNED))
    return (scoped(PatrolRound.objects.filter(route_id=checkpoint.route_id, starts_at__lte=at, ends_at__gt=at,
                                              status__in=(RoundStatus.SCHEDULED, RoundStatus.OPEN)), actor)
            .annotate(waiting=waiting).select_related("route", "project")
            .order_by("-waiting", "starts_at", "id").first())


def _lock_clocks(visit_ids, round_ids) -> None:
    """Take the open clocks of these visits and rounds (in id order) before any round row: see the module's note."""
    visit_type = ContentType.objects.get_for_model(CheckpointVisit)
    round_type = ContentType.objects.get_for_model(PatrolRound)
    wanted = (Q(subject_type=visit_type, subject_id__in=visit_ids, key=CHECKPOINT_KEY)
              | Q(subject_type=round_type, subject_id__in=round_ids, key=ROUND_KEY))
    list(Clock.objects.open().filter(wanted).select_for_update().order_by("pk").values_list("pk", flat=True))


def check_in(actor: Actor, patrol_round: PatrolRound, *, code=None, token=None, at: datetime | None = None,
             note: str = "", photos=()) -> CheckpointVisit:
    """A guard scans a checkpoint of `patrol_round` (by its typed `code` or its label `token`): on time up to its
    deadline, late after it inside the round's window (also a checkpoint the sweep already reported missed). Stops
    the checkpoint's clock; the last checkpoint completes the round and stops its clock. Refused with nothing
    written: outside the window (422 `at`), an unknown code or another route's checkpoint (422 `code`), a
    checkpoint already scanned (409)."""
    require(actor, "security.patrol")
    patrol_round = get_scoped_or_404(PatrolRound.objects.all(), actor, pk=patrol_round.pk)
    at = at or timezone.now()
    problems = Problems()
    note = _text(problems, "note", note, NOTE_MAX)
    problems.raise_if_any()
    if token in (None, "") and code in (None, ""):
        raise InvalidInput("code", _("Scan the checkpoint's label or type its code."))
    value = token if token not in (None, "") else code
    checkpoint = _lookup(PatrolCheckpoint.objects.filter(project_id=patrol_round.project_id), value)
    if checkpoint.project_id != patrol_round.project_id or checkpoint.route_id != patrol_round.route_id:
        raise InvalidInput("code", _("%(checkpoint)s is not on this round's route.") % {"checkpoint": checkpoint.name})
    visit_id = (CheckpointVisit.objects.filter(round_id=patrol_round.pk, checkpoint=checkpoint)
                .values_list("pk", flat=True).first())
    if visit_id is None:
        raise InvalidInput("code", _("%(checkpoint)s was added after this round was planned.")
                           % {"checkpoint": checkpoint.name})
    with transaction.atomic():
        _lock_clocks([visit_id], [patrol_round.pk])
        patrol_round = (PatrolRound.objects.select_for_update(of=("self",)).select_related("route", "project")
                        .get(pk=patrol_round.pk))
        if not patrol_round.starts_at <= at < patrol_round.ends_at:
            raise InvalidInput("at", _("This round's scans are taken from %(start)s until %(end)s.") % {
                "start": f"{timezone.localtime(patrol_round.starts_at):%H:%M}",
                "end": f"{timezone.localtime(patrol_round.ends_at):%H:%M}"})
        if patrol_round.status == RoundStatus.SCHEDULED:
            _open([patrol_round], at)  # the opening job has not come round yet
        elif patrol_round.status != RoundStatus.OPEN:
            raise Conflict(_("This round is already %(status)s.") % {"status": patrol_round.get_status_display()})
        visit = CheckpointVisit.objects.select_for_update().get(pk=visit_id)
        if visit.status in SCANNED:
            raise Conflict(_("%(checkpoint)s was already scanned at %(time)s.") % {
                "checkpoint": checkpoint.name, "time": f"{timezone.localtime(visit.scanned_at):%H:%M}"})
        kept = []
        if photos:
            from wuye.quality.evidence import attach_evidence

            kept = attach_evidence(actor, visit, list(photos), project=patrol_round.project, field="photos", at=at)
        was_missed = visit.status == VisitStatus.MISSED
        late = at > visit.due_at
        visit.status = VisitStatus.LATE if late else VisitStatus.ON_TIME
        visit.scanned_at, visit.scanned_by, visit.note = at, actor.user, note
        visit.save(update_fields=["status", "scanned_at", "scanned_by", "note"])
        stop_clock(visit, CHECKPOINT_KEY, at=at, actor=actor.user)
        patrol_round.scanned += 1
        patrol_round.late += int(late)
        patrol_round.missed -= int(was_missed)
        fields = ["scanned", "late", "missed"]
        if patrol_round.guard_id is None and getattr(actor.user, "pk", None):
            patrol_round.guard = actor.user
            fields.append("guard")
        record_event(patrol_round, "patrol.checkpoint.scanned", actor=actor.user, data={
            "checkpoint": checkpoint.name, "at": _iso(at), "late": late, "photos": len(kept), "note": bool(note)})
        if patrol_round.scanned >= patrol_round.checkpoints_total:
            patrol_round.status, patrol_round.completed_at = RoundStatus.COMPLETED, at
            fields += ["status", "completed_at"]
            clock = stop_clock(patrol_round, ROUND_KEY, at=at, actor=actor.user)
            record_event(patrol_round, "patrol.round.completed", actor=actor.user, data={
                "route": patrol_round.route.name, "starts_at": _iso(patrol_round.starts_at),
                "late": patrol_round.late, "in_time": clock is None or clock.state == ClockState.MET})
        patrol_round.save(update_fields=fields)
    visit.round = patrol_round
    visit.checkpoint = checkpoint
    return visit


# -- missed checkpoints --------------------------------------------------------------------------------------------
_MISSED_COLUMNS = ("pk", "round_id", "project_id", "due_at", "checkpoint__name", "round__starts_at",
                   "round__route__name")


def _missed_rows(visit_ids: list[int]) -> list[tuple]:
    """Mark the still-pending of `visit_ids` missed and return them as rows of `_MISSED_COLUMNS`, in round and
    walking order. On PostgreSQL one UPDATE … RETURNING with the ids as one array (ten thousand at a sweep's peak:
    an IN list of that size costs more to build than to run); elsewhere a read and an update."""
    if connection.vendor == "postgresql":
        visit, point = CheckpointVisit._meta.db_table, PatrolCheckpoint._meta.db_table
        rounds, routes = PatrolRound._meta.db_table, PatrolRoute._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"""WITH missed AS (
                        UPDATE {visit} SET status = %(missed)s
                        WHERE id = ANY(%(ids)s) AND status = %(pending)s
                        RETURNING id, round_id, project_id, due_at, checkpoint_id, "order")
                    SELECT m.id, m.round_id, m.project_id, m.due_at, c.name, r.starts_at, rt.name
                    FROM missed m JOIN {point} c ON c.id = m.checkpoint_id JOIN {rounds} r ON r.id = m.round_id
                         JOIN {routes} rt ON rt.id = r.route_id
                    ORDER BY m.round_id, m."order", m.id""",
                {"ids": visit_ids, "missed": VisitStatus.MISSED, "pending": VisitStatus.PENDING})
            return cursor.fetchall()
    rows = list(CheckpointVisit.objects.filter(pk__in=visit_ids, status=VisitStatus.PENDING)
                .order_by("round_id", "order", "id").values_list(*_MISSED_COLUMNS))
    CheckpointVisit.objects.filter(pk__in=[row[0] for row in rows], status=VisitStatus.PENDING).update(
        status=VisitStatus.MISSED)
    return rows


def _mark_missed(visit_ids) -> int:
    """Mark the still-pending of these visits missed (one UPDATE), bump their rounds' missed counts, record one event
    per visit and send ONE message per round to the project's security supervisors. The caller holds the rounds'
    rows, so a visit is reported exactly once however often and concurrently this runs."""
    from wuye.people.services import staff_users

    rows = _missed_rows(list(visit_ids))
    if not rows:
        return 0
    per_round = defaultdict(list)
    for row in rows:
        per_round[row[1]].append(row)
    by_count = defaultdict(list)
    for round_id, members in per_round.items():
        by_count[len(members)].append(round_id)
    for count, round_ids in by_count.items():
        PatrolRound.objects.filter(pk__in=round_ids).update(missed=F("missed") + count)
    round_type = ContentType.objects.get_for_model(PatrolRound).pk
    # One line on the round's timeline per round and sweep, naming its checkpoints (each visit's own overdue event
    # is the engine's): a sweep at the peak misses ten thousand checkpoints of a thousand rounds.
    record_events([compose_event_about(round_type, round_id, "patrol.checkpoint.missed", project_id=members[0][2],
                                       data={"checkpoint": "、".join(member[4] for member in members),
                                             "due_at": _iso(max(member[3] for member in members))})
                   for round_id, members in per_round.items()])
    audience: dict[int, list] = {}
    messages = []
    for round_id, members in per_round.items():
        project_id, starts_at, route = members[0][2], members[0][5], members[0][6]
        if project_id not in audience:
            audience[project_id] = list(staff_users(project_id, Role.SECURITY, supervisors_only=True))
        if not audience[project_id]:
            continue
        latest = max(member[3] for member in members)
        names = "、".join(member[4] for member in members)
        subject = _("Patrol checkpoints missed: %(route)s, round of %(time)s — %(checkpoints)s") % {
            "route": route, "time": f"{timezone.localtime(starts_at):%m-%d %H:%M}", "checkpoints": names}
        body = _("%(count)s checkpoints were not scanned by their deadline (last due %(due)s).") % {
            "count": len(members), "due": f"{timezone.localtime(latest):%H:%M}"}
        messages += compose(audience[project_id], subject, body, link=_link("security:round", round_id),
                            source=_RoundRef(round_id, project_id),
                            dedupe_key=f"patrol.missed:{round_id}:{timezone.localtime(latest):%Y%m%d%H%M}")
    post(messages)
    return len(rows)


@on_escalation(CHECKPOINT_KEY, subjects=False)  # reads clock.subject_id only: the sweep may take them set-based
def report_missed(steps) -> int:
    """The SLA sweep's handler for `patrol.checkpoint` clocks past their deadline (their one quiet rung): mark the
    visits missed and tell the supervisors once per round. Called in the sweep's transaction with
    [(clock, level, rung), …]; a fixed number of statements for the whole batch."""
    visit_ids = [clock.subject_id for clock, level, _rung in steps if level == 1]
    if not visit_ids:
        return 0
    if connection.vendor == "postgresql":  # the ids as one array (see _missed_rows)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id FROM {PatrolRound._meta.db_table} WHERE id IN (SELECT round_id FROM "
                           f"{CheckpointVisit._meta.db_table} WHERE id = ANY(%s)) ORDER BY id FOR UPDATE",
                           [visit_ids])
    else:
        round_ids = set(CheckpointVisit.objects.filter(pk__in=visit_ids).values_list("round_id", flat=True))
        list(PatrolRound.objects.filter(pk__in=round_ids).select_for_update().order_by("pk")
             .values_list("pk", flat=True))
    return _mark_missed(visit_ids)


# -- closing -------------------------------------------------------------------------------------------------------
def close_due_rounds(now: datetime | None = None) -> int:
    """Close every open round whose window has ended: completed (all scanned), incomplete (some missed) or missed
    (none scanned). Checkpoints still pending are missed now (reported as the sweep reports them); their clocks are
    cancelled, the missed ones' stopped (breached), the round's stopped. Returns the rounds closed."""
    now = now or timezone.now()
    closed = 0
    while True:
        with transaction.atomic():
            candidates = list(PatrolRound.objects.filter(status=RoundStatus.OPEN, ends_at__lte=now)
                              .order_by("ends_at", "id").values_list("pk", flat=True)[:CLOSE_BATCH])
            if not candidates:
                return closed
            _lock_clocks(CheckpointVisit.objects.filter(round_id__in=candidates).values("pk"), candidates)
            # Waits for a scan under way (it holds the round); a round another closer took is no longer open.
            rounds = list(PatrolRound.objects.filter(pk__in=candidates, status=RoundStatus.OPEN)
                          .select_for_update(of=("self",)).select_related("route").order_by("pk"))
            closed += _close(rounds, now) if rounds else 0


def _close(rounds: list[PatrolRound], now: datetime) -> int:
    ids = [row.pk for row in rounds]
    pending = list(CheckpointVisit.objects.filter(round_id__in=ids, status=VisitStatus.PENDING)
                   .select_related("project"))
    for visit in pending:
        if visit.due_at > now:  # not yet due when the window closed: its clock gives no verdict, cancelled
            cancel_clocks(visit, reason=str(_("The round's window closed.")), keys=[CHECKPOINT_KEY])
    _mark_missed([visit.pk for visit in pending])
    missed = CheckpointVisit.objects.filter(round_id__in=ids, status=VisitStatus.MISSED).values_list("pk", flat=True)
    stop_clocks(CheckpointVisit, list(missed), CHECKPOINT_KEY, at=now)
    counts = {pk: (scanned, total, missed_count) for pk, scanned, total, missed_count in
              PatrolRound.objects.filter(pk__in=ids).values_list("pk", "scanned", "checkpoints_total", "missed")}
    by_status = defaultdict(list)
    for pk, (scanned, total, _missed) in counts.items():
        status = RoundStatus.COMPLETED if scanned >= total else RoundStatus.MISSED if scanned == 0 \
            else RoundStatus.INCOMPLETE
        by_status[status].append(pk)
    for status, members in by_status.items():
        PatrolRound.objects.filter(pk__in=members).update(status=status)
    stop_clocks(PatrolRound, ids, ROUND_KEY, at=now)
    status_of = {pk: status for status, members in by_status.items() for pk in members}
    record_events([compose_event(row, "patrol.round.closed", data={
        "route": row.route.name, "starts_at": _iso(row.starts_at), "status": status_of[row.pk],
        "scanned": counts[row.pk][0], "missed": counts[row.pk][2]}) for row in rounds])
    return len(rounds)


# -- findings ------------------------------------------------------------------------------------------------------
def report_finding(actor: Actor, visit: CheckpointVisit, *, description: str, action: str, department: str = "",
                   photos=()) -> PatrolFinding:
    """Something the guard found at a scanned checkpoint: a work order (a public-area repair received from the
    patrol) or a rectification for `department` (default: order and security). 422 naming the field; a checkpoint
    not scanned is a conflict."""
    from wuye.quality.rectifications import DEPARTMENTS, open_rectification

    require(actor, "security.patrol")
    visit = get_scoped_or_404(CheckpointVisit.objects.select_related("round__route", "checkpoint", "project"),
                              actor, pk=visit.pk)
    problems = Problems()
    description = _text(problems, "description", description, FINDING_MAX, required=_("Say what was found."))
    if action not in FindingAction.values:
        problems.add("action", _("Choose a work order or a rectification."))
    department = (department or "").strip() or Role.SECURITY.value
    if action == FindingAction.RECTIFICATION and department not in DEPARTMENTS:
        problems.add("department", _("Choose the responsible department."))
    problems.raise_if_any()
    if visit.status not in SCANNED:
        raise Conflict(_("Scan the checkpoint before reporting what was found there."))
    checkpoint, route = visit.checkpoint, visit.round.route
    where = " ".join(part for part in (checkpoint.location, checkpoint.name) if part)
    with transaction.atomic():
        finding = PatrolFinding.objects.create(
            project=visit.project, visit=visit, description=description, action=action,
            department=department if action == FindingAction.RECTIFICATION else "", reported_by=actor.user)
        if photos:
            from wuye.quality.evidence import attach_evidence

            attach_evidence(actor, finding, list(photos), project=visit.project, field="photos")
        if action == FindingAction.WORK_ORDER:
            from wuye.workorders.models import Channel, Kind
            from wuye.workorders.services import TicketInput, create_ticket

            ticket = create_ticket(actor, project=visit.project, data=TicketInput(
                kind=Kind.REPAIR, channel=Channel.PATROL, description=description, location=where[:100],
                is_public_area=True))
            finding.ticket = ticket
            finding.save(update_fields=["ticket"])
        else:
            rect = open_rectification(
                finding, project=visit.project, title=description, department=department, actor=actor,
                description=_("Found on patrol: %(route)s · %(place)s") % {"route": route.name, "place": where})
            finding.rectification = rect
            finding.save(update_fields=["rectification"])
        record_event(visit.round, "patrol.finding.reported", actor=actor.user, data={
            "checkpoint": checkpoint.name, "finding": description, "opens": action})
    return finding


# -- lists ---------------------------------------------------------------------------------------------------------
def _day_bounds(day: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    return (datetime.combine(day, time.min, tzinfo=zone),
            datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone))


def rounds_on(actor: Actor, day: date) -> QuerySet:
    """The rounds starting on the local day `day` in the actor's projects, in time order."""
    low, high = _day_bounds(day)
    return (scoped(PatrolRound.objects.filter(starts_at__gte=low, starts_at__lt=high), actor)
            .select_related("route", "project", "guard").order_by("starts_at", "id"))


def missed_visits(actor: Actor, since, until) -> QuerySet:
    """Missed checkpoint visits due from `since` to `until` in the actor's projects, newest first: local days, both
    included, or moments [since, until)."""
    low = _day_bounds(since)[0] if not isinstance(since, datetime) else since
    high = _day_bounds(until)[1] if not isinstance(until, datetime) else until
    return (scoped(CheckpointVisit.objects.filter(status=VisitStatus.MISSED, due_at__gte=low, due_at__lt=high),
                   actor).select_related("checkpoint", "round__route", "project").order_by("-due_at", "-id"))


def visits_due(project_ids, start: date, end: date) -> QuerySet:
    """The checkpoint visits the completion KPI counts: due in the local days [start, end) and decided (scanned or
    missed; one still pending is not yet due or not yet swept)."""
    low, high = _day_bounds(start)[0], _day_bounds(end)[0]
    ids = project_ids if isinstance(project_ids, QuerySet) else list(project_ids)  # a queryset stays a subquery
    return (CheckpointVisit.objects.filter(project_id__in=ids, due_at__gte=low, due_at__lt=high)
            .exclude(status=VisitStatus.PENDING))


def completion(project_ids, start: date, end: date) -> tuple[int, int]:
    """(checkpoints scanned, checkpoints due) in the local days [start, end) — half-open like every KPI period."""
    from django.db.models import Count

    totals = visits_due(project_ids, start, end).aggregate(
        due=Count("pk"), done=Count("pk", filter=Q(status__in=SCANNED)))
    return totals["done"], totals["due"]


# -- sentences -----------------------------------------------------------------------------------------------------
def _scanned(event, fields) -> str:
    text = _("Checkpoint scanned: %(checkpoint)s at %(at)s") % fields
    if fields.raw.get("late"):
        text = _("%(text)s, after its deadline") % {"text": text}
    if fields.raw.get("photos"):
        text = _("%(text)s (%(photos)s photos)") % {"text": text, "photos": fields.raw["photos"]}
    return text


def _closed(event, fields) -> str:
    status = fields.raw.get("status")
    if status == RoundStatus.COMPLETED:
        return _("Round closed: %(route)s %(starts_at)s, every checkpoint scanned") % fields
    if fields.raw.get("unopened"):
        return _("Round missed: %(route)s %(starts_at)s, its window closed before it was opened") % fields
    if status == RoundStatus.MISSED:
        return _("Round missed: %(route)s %(starts_at)s, no checkpoint scanned") % fields
    return _("Round closed: %(route)s %(starts_at)s, %(scanned)s checkpoints scanned, %(missed)s missed") % fields


def _completed(event, fields) -> str:
    text = _("Round completed: %(route)s %(starts_at)s") % fields
    if fields.raw.get("late"):
        text = _("%(text)s, %(late)s checkpoints late") % {"text": text, "late": fields.raw["late"]}
    if fields.raw.get("in_time") is False:
        text = _("%(text)s, after the round's time limit") % {"text": text}
    return text


register_terms(values={"opens": dict(FindingAction.choices)})
register_sentences({
    "patrol.route.created": (gettext_lazy("Patrol route made: %(name)s, a round every %(every_minutes)s minutes, "
                                          "%(checkpoints)s checkpoints"), {
        "example": {"name": "主干道-楼幢-地下车库", "every_minutes": 120, "checkpoints": 7}}),
    "patrol.route.changed": (gettext_lazy("Patrol route changed: %(name)s, a round every %(every_minutes)s "
                                          "minutes, %(checkpoints)s checkpoints"), {
        "example": {"name": "儿童乐园", "every_minutes": 60, "checkpoints": 5, "fields": ["every_minutes"]}}),
    "patrol.route.switched_on": (gettext_lazy("Patrol route switched on: %(name)s"), {
        "example": {"name": "地下车库"}}),
    "patrol.route.switched_off": (gettext_lazy("Patrol route switched off: %(name)s"), {
        "example": {"name": "地下车库"}}),
    "patrol.rounds.generated": (gettext_lazy("%(count)s patrol rounds planned, %(first)s to %(last)s"), {
        "example": {"count": 18, "first": "2026-12-03T00:00+08:00", "last": "2026-12-04T10:00+08:00"}}),
    "patrol.round.opened": (gettext_lazy("Round under way: %(route)s %(starts_at)s, %(checkpoints)s checkpoints"), {
        "example": {"route": "地下车库", "starts_at": "2026-12-03T10:00+08:00", "checkpoints": 6}}),
    "patrol.checkpoint.scanned": (_scanned, {
        "example": {"checkpoint": "B1 消防通道", "at": "2026-12-03T10:12+08:00", "late": True, "photos": 2}}),
    "patrol.checkpoint.missed": (gettext_lazy("Checkpoint missed: %(checkpoint)s, due %(due_at)s"), {
        "example": {"checkpoint": "B2 配电房门口", "due_at": "2026-12-03T10:30+08:00"}}),
    "patrol.round.completed": (_completed, {
        "example": {"route": "地下车库", "starts_at": "2026-12-03T10:00+08:00", "late": 1, "in_time": True}}),
    "patrol.round.closed": (_closed, {
        "example": {"route": "地下车库", "starts_at": "2026-12-03T10:00+08:00", "status": "incomplete",
                    "scanned": 4, "missed": 2}}),
    "patrol.finding.reported": (gettext_lazy("Found on patrol at %(checkpoint)s: %(finding)s (opens a %(opens)s)"), {
        "example": {"checkpoint": "儿童乐园 滑梯", "finding": "滑梯扶手松动", "opens": "work_order"}}),
})
