"""The SLA engine (§2.3): start, pause, resume and stop clocks on any subject; the sweep warns and escalates.

A process calls these from its own service functions, inside its transaction:

    start_clock(ticket, "repair.emergency.dispatch", project=ticket.project, actor=user)
    stop_clock(ticket, "repair.emergency.dispatch", actor=user)

The engine never imports a process. Deadlines are computed once, stored and indexed; `sweep()` looks only at
clocks whose `next_check_at` has come (O(due)) and claims each step with a conditional UPDATE on `version`, so
running it twice at once warns and escalates exactly once.
"""

from __future__ import annotations

import copy
import logging
import operator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import reduce

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Case, DateTimeField, F, Q, Value, When, prefetch_related_objects
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from wuye.core.bulk import insert_rows
from wuye.core.calendar import WorkingCalendar, calendar_for
from wuye.core.errors import Conflict
from wuye.core.events import compose_event, compose_event_about, record_event, record_events
from wuye.core.models import Channel
from wuye.core.outbox import compose, post
from wuye.tenancy.rules import RULE_DEFAULTS, rules_for
from wuye.tenancy.rules import on_change as on_rules_change

from .models import Clock, ClockState, Measure, Policy, ProjectStandard, ServiceStandard
from .standards import EMERGENCY_GROUP  # a rung naming the emergency command group (应急指挥小组)

DEFAULT_STANDARD = "spec-default"
logger = logging.getLogger(__name__)


class NoPolicy(LookupError):
    """The project's standard has no policy for this key."""


def standard_for(project) -> ServiceStandard:
    chosen = ProjectStandard.objects.filter(project=project).select_related("standard").first()
    return chosen.standard if chosen else ServiceStandard.objects.get(code=DEFAULT_STANDARD)


# Policies as each project sees them, per process: (project id, key) → (effective policy, when read). Emptied by
# any save or delete of a standard, a policy, a project's choice of standard or its rules (`_forget_policies`,
# connected in SlaConfig.ready via `connect_policy_cache`); other processes' copies expire after POLICY_CACHE_TTL.
POLICY_CACHE_TTL = timedelta(seconds=60)
_POLICY_CACHE: dict[tuple[int, str], tuple[Policy, datetime]] = {}


def _forget_policies(*args, **kwargs) -> None:
    _POLICY_CACHE.clear()


def connect_policy_cache() -> None:
    """Empty the policy cache whenever what a policy depends on changes (in this process)."""
    from django.db.models.signals import post_delete, post_migrate, post_save

    from wuye.tenancy.models import ProjectRules

    for model in (ServiceStandard, Policy, ProjectStandard, ProjectRules):
        post_save.connect(_forget_policies, sender=model, dispatch_uid=f"sla-policy-cache-save-{model.__name__}")
        post_delete.connect(_forget_policies, sender=model, dispatch_uid=f"sla-policy-cache-del-{model.__name__}")
    post_migrate.connect(_forget_policies, dispatch_uid="sla-policy-cache-migrate")  # a flushed test database
    on_rules_change(lambda project, changes: _forget_policies())


connect_policy_cache()


def policy_for(project, key: str) -> Policy:
    """The `key` policy of the project's chosen standard, else of the default standard (one query, then cached
    per process; treat the answer as read-only)."""
    now = timezone.now()
    cached = _POLICY_CACHE.get((project.pk, key))
    if cached is not None and now - cached[1] < POLICY_CACHE_TTL:
        return cached[0]
    chosen = ProjectStandard.objects.filter(project=project).values("standard_id")
    candidates = list(Policy.objects.filter(key=key).filter(
        Q(standard_id__in=chosen) | Q(standard__code=DEFAULT_STANDARD)).select_related("standard"))
    # Two rows means the project chose another standard that has this key too: it wins over the default.
    candidates.sort(key=lambda policy: policy.standard.code == DEFAULT_STANDARD)
    if not candidates:
        raise NoPolicy(f"No policy {key!r} in the standard of project {project.pk}.")
    policy = effective_policy(candidates[0], project)
    _POLICY_CACHE[(project.pk, key)] = (policy, now)
    return policy


def effective_policy(policy: Policy, project, rules=None) -> Policy:
    """The policy as the project's rules set it (tenancy.rules: e.g. the return-visit window is the target of the
    return-visit clocks, the dunning days are the rungs of a bill's payment deadline). An unsaved copy when a rule
    applies; the stored policy keeps the standard's own values."""
    override = (rules or rules_for(project)).sla_overrides().get(policy.key)
    if not override:
        return policy
    policy = copy.copy(policy)
    if "target" in override:
        policy.target = timedelta(minutes=override["target"])
    if "rungs" in override:
        policy.escalation = [{**rung, "after_minutes": override["rungs"].get(rung.get("stage"),
                                                                              rung.get("after_minutes", 0))}
                             for rung in policy.escalation]
    return policy


def _minute(moment: datetime) -> str:
    """Local time to the minute, as timelines show it (2026-11-23T09:30+08:00)."""
    return timezone.localtime(moment).isoformat(timespec="minutes")


def _calendar(policy: Policy, project) -> WorkingCalendar | None:
    """The project's working calendar, loaded only for limits measured in working time."""
    return calendar_for(project) if policy.measure == Measure.WORKING else None


# -- pure computations ---------------------------------------------------------------------------------------
def add_measured(policy: Policy, calendar: WorkingCalendar | None, start: datetime, duration: timedelta) -> datetime:
    if policy.measure == Measure.WORKING:
        return calendar.add(start, duration)
    return start + duration


def between_measured(policy: Policy, calendar: WorkingCalendar | None, a: datetime, b: datetime) -> timedelta:
    if policy.measure == Measure.WORKING:
        return calendar.between(a, b)
    return b - a


def next_check(clock: Clock, policy: Policy) -> datetime | None:
    """The next moment the sweep must act on `clock`: warning, first breach rung, next rung — or None."""
    if clock.state != ClockState.RUNNING:
        return None
    if clock.warned_at is None and clock.breached_at is None and clock.warn_at < clock.due_at:
        return clock.warn_at
    if clock.breached_at is None:
        first = policy.rung(1)
        if first is not None and first.get("quiet"):
            # A quiet ladder (bills) first acts at its rung: no sweep visit at the deadline itself, where a
            # month's bills falling due at one midnight would queue ahead of urgent repair escalations.
            return clock.due_at + timedelta(minutes=first.get("after_minutes", 0))
        return clock.due_at
    rung = policy.rung(clock.escalation_level + 1)
    if rung is None:
        return None
    return clock.due_at + timedelta(minutes=rung.get("after_minutes", 0))


# -- clocks --------------------------------------------------------------------------------------------------
def _open_clock(subject, key: str, *, for_update: bool = True) -> Clock | None:
    clocks = Clock.objects.for_subject(subject).open().filter(key=key).select_related("policy", "project")
    if for_update:
        clocks = clocks.select_for_update()
    clock = clocks.first()
    if clock is not None:
        clock.policy = effective_policy(clock.policy, clock.project)
    return clock


def _save(clock: Clock, calendar_policy: Policy, *fields: str) -> None:
    clock.next_check_at = next_check(clock, calendar_policy)
    clock.version += 1
    clock.save(update_fields=[*fields, "next_check_at", "version"])


def start_clock(subject, key: str, *, project, at: datetime | None = None, due_at: datetime | None = None,
                assignee=None, actor=None, fresh: bool = False, events: list | None = None) -> Clock:
    """Start the `key` time limit on `subject` under the project's service standard.

    `due_at` overrides the policy's target (an appointment agreed with the owner); the warning still comes at the
    policy's percentage of the time between start and deadline. Starting a clock that is already open is a
    conflict: stop or cancel it first.

    `fresh=True` (the subject was created in the caller's open transaction, so it has no clock yet): no check for
    an open clock and no savepoint of its own. `events`: a list to append the unsaved `sla.started` event to, for
    the caller to write with its own events in one insert (`record_events`); else it is written here.
    """
    if fresh:
        return _start_clock(subject, key, project, at, due_at, assignee, actor, check_open=False, events=events)
    with transaction.atomic():
        return _start_clock(subject, key, project, at, due_at, assignee, actor, check_open=True, events=events)


def _start_clock(subject, key: str, project, at, due_at, assignee, actor, *, check_open: bool,
                 events: list | None) -> Clock:
    policy = policy_for(project, key)
    at = at or timezone.now()
    calendar = _calendar(policy, project)
    if due_at is None:
        due_at = add_measured(policy, calendar, at, policy.target)
    span = between_measured(policy, calendar, at, due_at)
    warn_at = add_measured(policy, calendar, at, span * policy.warn_percent / 100) if span > timedelta(0) else due_at
    if check_open and _open_clock(subject, key) is not None:
        raise Conflict(_("The time limit %(key)s is already running.") % {"key": key})
    clock = Clock(subject=subject, project=project, policy=policy, key=key, started_at=at, due_at=due_at,
                  warn_at=warn_at, assignee=assignee)
    clock.next_check_at = next_check(clock, policy)
    clock.save()
    data = {"key": key, "due_at": _minute(due_at), "measure": policy.measure}
    if events is None:
        record_event(subject, "sla.started", actor=actor, project_id=project.pk, data=data)
    else:
        events.append(compose_event(subject, "sla.started", actor=actor, project_id=project.pk, data=data))
    return clock


def start_clocks(subjects_due: list[tuple[object, datetime]], key: str, *, project, at: datetime | None = None) -> int:
    """Start the `key` time limit on many subjects at once, each with its own deadline (a billing run starts one
    per bill): one policy lookup and one COPY / executemany (wuye.core.bulk). No per-clock `sla.started` event —
    the caller records one event for the batch (the run). Subjects that already have the clock open are skipped."""
    if not subjects_due:
        return 0
    policy = policy_for(project, key)
    at = at or timezone.now()
    calendar = _calendar(policy, project)
    subject_type = ContentType.objects.get_for_model(subjects_due[0][0])
    already = set(Clock.objects.open().filter(subject_type=subject_type, key=key,
                                              subject_id__in=[subject.pk for subject, _due in subjects_due])
                  .values_list("subject_id", flat=True))
    # Subjects of one batch share few deadlines (a run's bills are all due the same day): compute each once.
    schedule: dict[datetime, tuple[datetime, datetime | None]] = {}
    rows = []
    for subject, due_at in subjects_due:
        if subject.pk in already:
            continue
        if due_at not in schedule:
            span = between_measured(policy, calendar, at, due_at)
            warn_at = add_measured(policy, calendar, at, span * policy.warn_percent / 100) \
                if span > timedelta(0) else due_at
            probe = Clock(state=ClockState.RUNNING, due_at=due_at, warn_at=warn_at)
            schedule[due_at] = (warn_at, next_check(probe, policy))
        warn_at, next_check_at = schedule[due_at]
        rows.append({"subject_type_id": subject_type.pk, "subject_id": subject.pk, "project_id": project.pk,
                     "policy_id": policy.pk, "key": key, "state": ClockState.RUNNING, "started_at": at,
                     "due_at": due_at, "warn_at": warn_at, "next_check_at": next_check_at})
    return insert_rows(Clock, rows)


def stop_clocks(subject_model, subject_ids, key: str, *, at: datetime | None = None) -> int:
    """Stop the open `key` clocks of many subjects (bills paid in one payment): met or breached, with the overrun,
    in one UPDATE; the caller records the event that stopped them."""
    at = at or timezone.now()
    clocks = Clock.objects.open().filter(subject_type=ContentType.objects.get_for_model(subject_model),
                                         subject_id__in=list(subject_ids), key=key)
    on_time = Q(due_at__gte=at)
    return clocks.update(
        state=Case(When(on_time, then=Value(ClockState.MET)), default=Value(ClockState.BREACHED)),
        breached_at=Case(When(on_time, then=F("breached_at")), default=Coalesce("breached_at", "due_at")),
        overrun=Value(at, output_field=DateTimeField()) - F("due_at"),
        stopped_at=at, next_check_at=None, version=F("version") + 1)


@transaction.atomic
def stop_clock(subject, key: str, *, at: datetime | None = None, actor=None) -> Clock | None:
    """Stop the open `key` clock: met if stopped by its deadline, else breached, with the overrun recorded."""
    clock = _open_clock(subject, key)
    if clock is None:
        return None
    at = at or timezone.now()
    if clock.state == ClockState.PAUSED:
        _resume(clock, at)
    calendar = _calendar(clock.policy, clock.project)
    clock.stopped_at = at
    clock.overrun = between_measured(clock.policy, calendar, clock.due_at, at)
    clock.state = ClockState.MET if at <= clock.due_at else ClockState.BREACHED
    if clock.state == ClockState.BREACHED and clock.breached_at is None:
        clock.breached_at = clock.due_at
    _save(clock, clock.policy, "state", "stopped_at", "overrun", "breached_at", "due_at", "warn_at", "paused_at",
          "remaining_at_pause")
    record_event(subject, "sla.met" if clock.state == ClockState.MET else "sla.breached", actor=actor,
                 project_id=clock.project_id,
                 data={"key": key, "overrun_minutes": round(clock.overrun_minutes(), 1),
                       "measure": clock.policy.measure})
    return clock


@transaction.atomic
def pause_clock(subject, key: str, *, reason: str, at: datetime | None = None, actor=None) -> Clock | None:
    """Stop counting (waiting for parts or for the owner); the time left is kept for `resume_clock`."""
    clock = _open_clock(subject, key)
    if clock is None or clock.state == ClockState.PAUSED:
        return clock
    at = at or timezone.now()
    clock.state, clock.paused_at = ClockState.PAUSED, at
    clock.remaining_at_pause = between_measured(clock.policy, _calendar(clock.policy, clock.project), at,
                                                clock.due_at)
    _save(clock, clock.policy, "state", "paused_at", "remaining_at_pause")
    record_event(subject, "sla.paused", actor=actor, project_id=clock.project_id, data={"key": key, "reason": reason})
    return clock


def _resume(clock: Clock, at: datetime) -> None:
    calendar = _calendar(clock.policy, clock.project)
    remaining = clock.remaining_at_pause or timedelta(0)
    if remaining > timedelta(0):
        warn_left = remaining - (clock.due_at - clock.warn_at if clock.policy.measure == Measure.CALENDAR
                                 else calendar.between(clock.warn_at, clock.due_at))
        clock.due_at = add_measured(clock.policy, calendar, at, remaining)
        clock.warn_at = add_measured(clock.policy, calendar, at, max(warn_left, timedelta(0)))
    clock.state, clock.paused_at, clock.remaining_at_pause = ClockState.RUNNING, None, None


@transaction.atomic
def resume_clock(subject, key: str, *, at: datetime | None = None, actor=None) -> Clock | None:
    """Count again from `at` with the time that was left when paused (an overdue clock stays overdue)."""
    clock = _open_clock(subject, key)
    if clock is None or clock.state != ClockState.PAUSED:
        return clock
    at = at or timezone.now()
    _resume(clock, at)
    _save(clock, clock.policy, "state", "paused_at", "remaining_at_pause", "due_at", "warn_at")
    record_event(subject, "sla.resumed", actor=actor, project_id=clock.project_id,
                 data={"key": key, "due_at": _minute(clock.due_at)})
    return clock


@transaction.atomic
def cancel_clocks(subject, *, actor=None, reason: str = "", keys=None) -> list[Clock]:
    """Cancel every open clock of `subject` (the record was cancelled) — or only those of `keys` (a re-classified
    ticket whose limits change): they count neither as met nor breached. Returns the cancelled clocks."""
    clocks = Clock.objects.for_subject(subject).open().select_for_update().select_related("policy")
    if keys is not None:
        clocks = clocks.filter(key__in=list(keys))
    cancelled = []
    for clock in clocks:
        clock.state, clock.stopped_at = ClockState.CANCELLED, timezone.now()
        _save(clock, clock.policy, "state", "stopped_at")
        cancelled.append(clock)
    if cancelled:
        record_event(subject, "sla.cancelled", actor=actor, data={"clocks": len(cancelled), "reason": reason})
    return cancelled


@transaction.atomic
def assign_clocks(subject, assignee) -> int:
    """Make `assignee` the person warned for every open clock of `subject` (on dispatch or reassignment)."""
    return Clock.objects.for_subject(subject).open().update(assignee=assignee, version=F("version") + 1)


def clocks_for(subject):
    return Clock.objects.for_subject(subject).select_related("policy").order_by("started_at", "id")


# -- the sweep -----------------------------------------------------------------------------------------------
# Processes that act when one of their clocks reaches a rung (billing sends its reminder notice and lawyer's
# letter) register here by key prefix; the engine stays ignorant of them. Called inside the sweep's transaction
# with [(clock, level, rung), …] for the batch.
_STEP_HANDLERS: dict[str, tuple[object, bool]] = {}


def on_escalation(key_prefix: str, *, subjects: bool = True):
    """Decorator: call `handler(steps)` for the escalation steps of clocks whose key starts with `key_prefix`.
    `subjects=False`: the handler reads only `clock.subject_id` (and loads what it needs itself, set-wise), so the
    sweep does not load the subjects of silent clocks for it."""

    def register(handler):
        _STEP_HANDLERS[key_prefix] = (handler, subjects)
        return handler

    return register


def _run_step_handlers(steps: list[tuple[Clock, int, dict]]) -> None:
    for prefix, (handler, subjects) in _STEP_HANDLERS.items():
        mine = [step for step in steps if step[0].key.startswith(prefix)]
        if not mine:
            continue
        if subjects:  # one query per subject type for the clocks not loaded already (silent ones)
            prefetch_related_objects([clock for clock, _level, _rung in mine], "subject")
        try:
            with transaction.atomic():  # a savepoint: a failing process handler must not stop every escalation
                handler(mine)
        except Exception:
            logger.exception("SLA step handler for %s failed on %d steps", prefix, len(mine))


@dataclass
class SweepResult:
    warned: list[int] = field(default_factory=list)
    escalated: list[tuple[int, int]] = field(default_factory=list)  # (clock id, level)
    breached: list[int] = field(default_factory=list)

    @property
    def actions(self) -> int:
        return len(self.warned) + len(self.escalated) + len(self.breached)




class _Audience:
    """Staff lookups for one sweep: the same project, role and rank are asked for again and again."""

    def __init__(self):
        self._cache: dict[tuple, list] = {}

    def __call__(self, clock: Clock, role: str, *, supervisors_only: bool) -> list:
        from wuye.people.services import staff_users

        key = (clock.project_id, role, supervisors_only)
        if key not in self._cache:
            if role == EMERGENCY_GROUP:
                from wuye.people.services import emergency_group

                self._cache[key] = emergency_group(clock.project_id)
            else:
                self._cache[key] = staff_users(clock.project_id, role, supervisors_only=supervisors_only)
        return self._cache[key]


def _responsible_role(clock: Clock) -> str:
    """The department answerable for the clock: the subject's own when it names one (`sla_responsible_role`, e.g.
    a finding assigned to a department per row), else the policy's."""
    return getattr(clock.subject, "sla_responsible_role", None) or clock.policy.responsible_role


def _subject_label(clock: Clock) -> tuple[str, str]:
    """The subject's name and link, worked out once per clock and sweep (a warning and a rung in one visit)."""
    label = getattr(clock, "_sweep_label", None)
    if label is None:
        subject = clock.subject
        link = subject.get_absolute_url() if hasattr(subject, "get_absolute_url") else ""
        label = clock._sweep_label = (str(subject), link)
    return label


def _due_text(clock: Clock) -> str:
    return timezone.localtime(clock.due_at).strftime("%m-%d %H:%M")


def _warning(clock: Clock, audience: _Audience) -> list:
    label, link = _subject_label(clock)
    recipients = [clock.assignee] if clock.assignee else audience(
        clock, _responsible_role(clock), supervisors_only=True)
    return compose(recipients, _("%(subject)s: %(limit)s is due at %(due)s") % {
        "subject": label, "limit": clock.policy.name, "due": _due_text(clock)},
        link=link, source=clock, dedupe_key=f"sla:{clock.pk}:warn")


def _escalation(clock: Clock, level: int, audience: _Audience) -> list:
    rung = clock.policy.rung(level) or {}
    if rung.get("quiet"):  # the process's own handler says what happens (e.g. a letter to the owner)
        return []
    role = rung.get("role") or _responsible_role(clock)
    recipients = audience(clock, role, supervisors_only=rung.get("supervisor", False))
    label, link = _subject_label(clock)
    # An urgent rung (an entrapment's late contractor) also goes out by SMS: the outbox's urgent channel.
    channels = (Channel.IN_APP, Channel.SMS) if rung.get("urgent") else (Channel.IN_APP,)
    return compose(recipients, _("Overdue (level %(level)s): %(subject)s — %(limit)s was due at %(due)s") % {
        "level": level, "subject": label, "limit": clock.policy.name, "due": _due_text(clock)},
        link=link, source=clock, dedupe_key=f"sla:{clock.pk}:level:{level}", channels=channels)


def _advance(clock: Clock, now: datetime, result: SweepResult, audience: _Audience, messages: list,
             events: list, steps: list) -> None:
    """Take every step of `clock` that is due by `now` (warning, breach, rungs), in memory; the caller writes."""
    while clock.next_check_at is not None and clock.next_check_at <= now:
        warn = clock.warned_at is None and clock.breached_at is None and clock.warn_at < clock.due_at
        if warn:
            clock.warned_at = now
            messages += _warning(clock, audience)
            result.warned.append(clock.pk)
        else:
            if clock.breached_at is None:
                clock.breached_at = clock.due_at
                events.append(compose_event_about(clock.subject_type_id, clock.subject_id, "sla.overdue",
                                                  project_id=clock.project_id, data={"key": clock.key}))
                result.breached.append(clock.pk)
            level = clock.escalation_level + 1
            rung = clock.policy.rung(level)
            # A rung is taken `after_minutes` past the deadline — also the first (billing's is 30 days late).
            if rung is not None and clock.due_at + timedelta(minutes=rung.get("after_minutes", 0)) <= now:
                clock.escalation_level = level
                messages += _escalation(clock, level, audience)
                steps.append((clock, level, clock.policy.rung(level)))
                result.escalated.append((clock.pk, level))
        clock.next_check_at = next_check(clock, clock.policy)


_STEP_FIELDS = ("warned_at", "breached_at", "escalation_level", "next_check_at", "version")


def _write_steps(clocks: list[Clock]) -> None:
    """Write the advanced clocks back: one UPDATE … FROM unnest(arrays) on PostgreSQL (Django's bulk_update
    builds a CASE per field and row, 2 s for 1,000 clocks); bulk_update elsewhere."""
    if connection.vendor != "postgresql":
        Clock.objects.bulk_update(clocks, _STEP_FIELDS)
        return
    columns = {name: [getattr(clock, name) for clock in clocks] for name in _STEP_FIELDS}
    with connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE {Clock._meta.db_table} AS clock
                SET warned_at = step.warned_at, breached_at = step.breached_at,
                    escalation_level = step.escalation_level, next_check_at = step.next_check_at,
                    version = step.version
                FROM (SELECT unnest(%s::bigint[]) AS id, unnest(%s::timestamptz[]) AS warned_at,
                             unnest(%s::timestamptz[]) AS breached_at, unnest(%s::smallint[]) AS escalation_level,
                             unnest(%s::timestamptz[]) AS next_check_at, unnest(%s::integer[]) AS version) AS step
                WHERE clock.id = step.id""",
            [[clock.pk for clock in clocks], *columns.values()],
        )


def _prefetch_for_labels(clocks: list[Clock]) -> None:
    """A subject whose name or responsible department reads related rows (a maintenance task names its plan and
    item) declares them in `sla_related`; fetched once per batch instead of once per clock."""
    by_model: dict[type, list] = {}
    for clock in clocks:
        subject = clock.subject
        if subject is not None and getattr(subject, "sla_related", ()):
            by_model.setdefault(type(subject), []).append(subject)
    for model, subjects in by_model.items():
        prefetch_related_objects(subjects, *model.sla_related)


def _silent(clock: Clock) -> bool:
    """Whether no step of `clock` sends a message: no warning before its deadline and every rung quiet (the
    process's own handler acts: billing's letters, patrol's one message per round)."""
    return clock.warn_at >= clock.due_at and all(rung.get("quiet") for rung in clock.policy.escalation)


# -- the set-based pass for plain deadlines -----------------------------------------------------------------------
@dataclass(slots=True)
class ClockRow:
    """What a step handler registered with `subjects=False` reads of a clock the set-based pass advanced."""

    pk: int
    subject_type_id: int
    subject_id: int
    project_id: int
    key: str
    due_at: datetime
    started_at: datetime


def _plain_policies() -> dict[int, dict]:
    """The policies whose clocks the set-based pass may take: no warning, one quiet rung at the deadline itself,
    a handler that needs no subjects, and no project rule that could move the rung (a patrol checkpoint: its
    deadline only marks it missed, and the process's handler tells people once per round)."""
    from wuye.tenancy.rules import RULE_DEFAULTS

    ruled = {link.policy for rule in RULE_DEFAULTS.values() for link in rule.sla}
    plain_keys = [prefix for prefix, (_handler, subjects) in _STEP_HANDLERS.items() if not subjects]
    if not plain_keys:
        return {}
    chosen = {}  # policy id → its one rung
    candidates = Policy.objects.filter(warn_percent__gte=100).filter(
        reduce(operator.or_, (Q(key__startswith=prefix) for prefix in plain_keys))).only("pk", "key", "escalation")
    for policy in candidates:
        ladder = policy.escalation or []
        if (policy.key not in ruled and len(ladder) == 1 and ladder[0].get("quiet")
                and not ladder[0].get("after_minutes")):
            chosen[policy.pk] = ladder[0]
    return chosen


def _sweep_plain(now: datetime, limit: int, result: SweepResult) -> int:
    """Breach the due clocks of plain policies (see `_plain_policies`) with one statement per batch — lock (SKIP
    LOCKED), mark breached at its first and only rung, and record each one's `sla.overdue` event — then hand the
    steps to the process's handler. PostgreSQL only (data-modifying CTEs); elsewhere the general loop takes them.
    Returns the clocks taken."""
    rungs = _plain_policies() if connection.vendor == "postgresql" else {}
    if not rungs:
        return 0
    from wuye.core.models import Event

    policies, taken = list(rungs), 0
    while taken < limit:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"""WITH due AS (
                        SELECT id FROM {Clock._meta.db_table}
                        WHERE next_check_at <= %(now)s AND state = %(running)s AND policy_id = ANY(%(policies)s)
                          AND warn_at >= due_at AND escalation_level = 0
                        ORDER BY next_check_at, id LIMIT %(batch)s FOR UPDATE SKIP LOCKED),
                    stepped AS (
                        UPDATE {Clock._meta.db_table} AS clock
                        SET breached_at = COALESCE(clock.breached_at, clock.due_at), escalation_level = 1,
                            next_check_at = NULL, version = clock.version + 1
                        FROM due WHERE clock.id = due.id
                        RETURNING clock.id, clock.subject_type_id, clock.subject_id, clock.project_id, clock.key,
                                  clock.due_at, clock.started_at, clock.policy_id),
                    logged AS (
                        INSERT INTO {Event._meta.db_table}
                            (created_at, subject_type_id, subject_id, project_id, verb, data)
                        SELECT %(wall)s, subject_type_id, subject_id, project_id, 'sla.overdue',
                               jsonb_build_object('key', key)
                        FROM stepped)
                    SELECT id, subject_type_id, subject_id, project_id, key, due_at, started_at, policy_id
                    FROM stepped ORDER BY id""",
                {"now": now, "running": ClockState.RUNNING, "policies": policies,
                 "batch": min(5000, limit - taken), "wall": timezone.now()})
            rows = cursor.fetchall()
            if not rows:
                break
            steps = [(ClockRow(*row[:7]), 1, rungs[row[7]]) for row in rows]
            result.breached.extend(row[0] for row in rows)
            result.escalated.extend((row[0], 1) for row in rows)
            _run_step_handlers(steps)
            taken += len(rows)
    return taken


def sweep(now: datetime | None = None, limit: int = 5000, batch_size: int = 500) -> SweepResult:
    """Warn and escalate every clock whose moment has come; idempotent and safe to run concurrently.

    Batches of due clocks are locked with SKIP LOCKED (concurrent sweepers take different clocks; a process
    stopping a clock waits for the batch), advanced in memory, and written back with their messages and events
    in the same transaction — a few statements per batch instead of several per clock. Plain deadlines (a patrol
    checkpoint's) go first, set-based (`_sweep_plain`).
    """
    now = now or timezone.now()
    result, audience = SweepResult(), _Audience()
    project_rules: dict = {}  # each project's rules, read once per sweep
    policies: dict[int, Policy] = {}  # and each policy (a batch is mostly one or two policies, not one per row)
    # Plain deadlines have their own budget: ten thousand checkpoints due at once must not hold back a repair's
    # escalation until the next sweep.
    _sweep_plain(now, limit, result)
    done = 0
    while done < limit:
        with transaction.atomic():
            clocks = list(Clock.objects.due_for_check(now).filter(state=ClockState.RUNNING)
                          .select_for_update(skip_locked=True, of=("self",))[:min(batch_size, limit - done)])
            if not clocks:
                break
            missing = {clock.policy_id for clock in clocks} - set(policies)
            if missing:
                policies.update((policy.pk, policy) for policy in Policy.objects.filter(pk__in=missing))
            for clock in clocks:
                if clock.project_id not in project_rules:
                    project_rules[clock.project_id] = rules_for(clock.project_id)
                clock.policy = effective_policy(policies[clock.policy_id], clock.project_id,
                                                project_rules[clock.project_id])
            # Only clocks that send a message need their subject's name and link and their assignee; silent ones
            # (a patrol checkpoint, a bill) are advanced without reading either.
            loud = [clock for clock in clocks if not _silent(clock)]
            prefetch_related_objects(loud, "subject", "assignee")
            _prefetch_for_labels(loud)
            messages, events, steps = [], [], []
            for clock in clocks:
                _advance(clock, now, result, audience, messages, events, steps)
                clock.version += 1
            _write_steps(clocks)
            post(messages)
            record_events(events)
            _run_step_handlers(steps)
            done += len(clocks)
    return result


@on_rules_change
def _rules_changed(project, changes: dict) -> None:
    """A project changed a rule that sets ladder rungs (the dunning days): the running clocks of those policies get
    their next check from the new rungs, so a shorter delay is not acted on late. Deadlines already set stay."""
    keys = {link.policy for name in changes for link in RULE_DEFAULTS[name].sla if link.part == "rung"}
    rules = rules_for(project)
    for policy in Policy.objects.filter(key__in=keys):
        effective = effective_policy(policy, project, rules)
        running = Clock.objects.filter(project=project, policy=policy, state=ClockState.RUNNING)
        for level in range(len(effective.escalation) + 1):
            rung = effective.rung(level + 1)
            at_level = running.filter(escalation_level=level)
            if level == 0:
                if rung is None or not rung.get("quiet"):
                    at_level = at_level.filter(breached_at__isnull=False)
                else:  # a quiet ladder is first visited at its first rung, once any warning is behind it
                    at_level = at_level.filter(Q(breached_at__isnull=False) | Q(warned_at__isnull=False)
                                               | Q(warn_at__gte=F("due_at")))
            next_at = F("due_at") + timedelta(minutes=rung.get("after_minutes", 0)) if rung else None
            at_level.update(next_check_at=next_at, version=F("version") + 1)
