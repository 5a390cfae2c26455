"""Elevator entrapments (电梯困人, seed 001 ch.4 §3 and ch.7 §2.1): one tap, three calendar-minute clocks, the
emergency group.

Whoever takes the call (customer service, the guard at the monitoring centre, an engineer) taps once: the
security, engineering and customer-service staff of the project are told at once on the urgent channels (in-app
and SMS), and three clocks start — our staff on site within 5 minutes (`entrapment.staff_arrive`), the
maintenance contractor on site within 30 (`entrapment.contractor_arrive`) and the people freed within 30
(`entrapment.rescue`). A late contractor or rescue goes to the project's emergency command group at once, again
on the urgent channels (the SLA sweep does that from the policies' ladders). The elevator gets a major fault
(`faults.report_fault`), where its repair and the 3 empty test runs follow.

After the tap the log is kept one step at a time (`act`): staff on site → contractor on site → people freed →
closed with a summary (the 《电梯困人应急处理报告》).

Issue 15 (emergencies) will make every entrapment its level-IV incident (Ⅳ级：电梯困人 1–2 人); until that module
exists an entrapment stands alone.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Case, IntegerField, Value, When
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wuye.core.access import Actor, Role, require, scoped
from wuye.core.errors import Conflict, InvalidInput, Problems
from wuye.core.events import record_event
from wuye.core.models import Channel
from wuye.core.outbox import notify
from wuye.core.sentences import format_minutes, format_time, register_sentences, register_terms
from wuye.core.validators import check_plausible_date, check_text, digits
from wuye.people.services import staff_with_role
from wuye.sla.engine import cancel_clocks, clocks_for, start_clock, stop_clock

from .models import CategoryKind, Entrapment, EntrapmentStatus, Equipment, FaultSeverity, FaultSource

STAFF_ARRIVE, CONTRACTOR_ARRIVE, RESCUE = "entrapment.staff_arrive", "entrapment.contractor_arrive", "entrapment.rescue"
CLOCK_KEYS = (STAFF_ARRIVE, CONTRACTOR_ARRIVE, RESCUE)
CLOCK_LABELS = {
    STAFF_ARRIVE: _("Our staff on site"),
    CONTRACTOR_ARRIVE: _("Contractor on site"),
    RESCUE: _("People freed"),
}
# Who is told the moment it starts: the guards who go and calm the people inside, the engineers, and customer
# service who calls the contractor and tells the owners (seed 001 ch.7 §2.1 (1)–(3)).
ALERTED_ROLES = (Role.SECURITY, Role.ENGINEERING, Role.CUSTOMER_SERVICE)
URGENT = (Channel.IN_APP, Channel.SMS)
# Sent inside start_entrapment's transaction (entrapment=, actor=): community emergencies opens its level-IV incident.
entrapment_started = Signal()

FLOOR_MAX = Entrapment._meta.get_field("floor").max_length
CALLER_MAX = Entrapment._meta.get_field("caller").max_length
INJURIES_MAX = Entrapment._meta.get_field("injuries").max_length
SUMMARY_MAX = 4000
NOTE_MAX = 300
TRAPPED_MAX = 60  # the largest passenger cars carry ~30; more is a typing error
# Phones' clocks run a little ahead of the server's: a time this far in the future still counts as now.
CLOCK_SKEW = timedelta(minutes=1)

ACTIVE, FREED, CLOSED = EntrapmentStatus.ACTIVE, EntrapmentStatus.FREED, EntrapmentStatus.CLOSED

# action: (statuses it may be taken from, status after (None: unchanged), the clock it stops)
TRANSITIONS: dict[str, tuple[frozenset[str], str | None, str | None]] = {
    "staff_arrived": (frozenset({ACTIVE, FREED}), None, STAFF_ARRIVE),
    "contractor_arrived": (frozenset({ACTIVE, FREED}), None, CONTRACTOR_ARRIVE),
    "freed": (frozenset({ACTIVE}), FREED, RESCUE),
    "close": (frozenset({FREED}), CLOSED, None),
}
ACTIONS = tuple(TRANSITIONS)
ACTION_LABELS = {
    "staff_arrived": _("Our staff are on site"),
    "contractor_arrived": _("Contractor is on site"),
    "freed": _("People are freed"),
    "close": _("Close with the summary"),
}


# -- sentences ------------------------------------------------------------------------------------------------
def _took(fields) -> str:
    return format_minutes(fields.raw.get("minutes") or 0)


def _started_sentence(event, fields) -> str:
    data = fields.raw
    text = gettext("People trapped in %(elevator)s") % fields
    if data.get("floor"):
        text = gettext("%(text)s, stopped at %(floor)s") % {"text": text, "floor": fields["floor"]}
    if data.get("trapped_count"):
        text = gettext("%(text)s, %(count)s trapped") % {"text": text, "count": data["trapped_count"]}
    return text


def _staff_sentence(event, fields) -> str:
    return gettext("Our staff on site (took %(took)s)") % {"took": _took(fields)}


def _contractor_sentence(event, fields) -> str:
    return gettext("Contractor on site (took %(took)s)") % {"took": _took(fields)}


def _freed_sentence(event, fields) -> str:
    text = gettext("People freed (took %(took)s)") % {"took": _took(fields)}
    if fields.raw.get("injuries"):
        text = gettext("%(text)s; injuries: %(injuries)s") % {"text": text, "injuries": fields["injuries"]}
    return text


def _closed_sentence(event, fields) -> str:
    return gettext("Entrapment closed: %(summary)s") % fields


register_terms(
    details={"caller": _("caller"), "trapped_count": _("people trapped"), "staff": _("staff on site"),
             "injuries": _("injuries"), "summary": _("summary"), "alerted": _("staff alerted")},
    values={"key": dict(CLOCK_LABELS)})
register_sentences({
    "facilities.entrapment.started": (_started_sentence, {
        "details": ("caller", "alerted"),
        "example": {"elevator": "3号楼 1号客梯", "floor": "12层", "trapped_count": 2, "caller": "业主 张先生",
                    "alerted": 5}}),
    "facilities.entrapment.staff_arrived": (_staff_sentence, {
        "details": ("staff", "note"), "people": ("staff",), "example": {"minutes": 4, "staff": "李保安"}}),
    "facilities.entrapment.contractor_arrived": (_contractor_sentence, {
        "details": ("note",), "example": {"minutes": 23, "note": "奥的斯维保 王师傅"}}),
    "facilities.entrapment.freed": (_freed_sentence, {
        "example": {"minutes": 27, "injuries": "无人受伤"}}),
    "facilities.entrapment.closed": (_closed_sentence, {
        "example": {"summary": "门区传感器积灰导致停梯，已清洁，空载运行3次正常"}}),
})


# -- reading --------------------------------------------------------------------------------------------------
def visible_entrapments(actor: Actor):
    """Entrapments in `actor`'s scope: people still trapped first, then freed ones awaiting the summary, then
    the newest."""
    rank = Case(When(status=ACTIVE, then=Value(0)), When(status=FREED, then=Value(1)), default=Value(2),
                output_field=IntegerField())
    return (scoped(Entrapment.objects.all(), actor).select_related("project", "equipment")
            .annotate(rank=rank).order_by("rank", "-started_at", "-id"))


def is_elevator(equipment: Equipment) -> bool:
    return equipment.category.kind == CategoryKind.ELEVATOR


def minutes_between(start: datetime, end: datetime | None) -> int | None:
    """Whole minutes from `start` to `end` (the log's 「用时 23 分」), None while `end` is unknown."""
    if end is None:
        return None
    return int((end - start).total_seconds() // 60)


def limits(entrapment: Entrapment, now: datetime | None = None) -> list[dict]:
    """The three limits as the page shows them: label, deadline, state (running / met / breached / cancelled),
    minutes taken (or so far) and whether it is past its deadline now."""
    now = now or timezone.now()
    by_key = {}
    for clock in clocks_for(entrapment).filter(key__in=CLOCK_KEYS):
        by_key[clock.key] = clock  # the latest per key
    done_at = {STAFF_ARRIVE: entrapment.staff_arrived_at, CONTRACTOR_ARRIVE: entrapment.contractor_arrived_at,
               RESCUE: entrapment.freed_at}
    rows = []
    for key in CLOCK_KEYS:
        clock = by_key.get(key)
        end = done_at[key]
        state = clock.state if clock else ""
        overdue = bool(clock and end is None and clock.state == "running" and now > clock.due_at)
        rows.append({
            "key": key, "label": CLOCK_LABELS[key], "clock": clock, "due_at": clock.due_at if clock else None,
            "state": state, "done_at": end,
            "minutes": minutes_between(entrapment.started_at, end),
            "running_minutes": minutes_between(entrapment.started_at, now) if end is None else None,
            "met": end is not None and clock is not None and end <= clock.due_at,
            "breached": (end is not None and clock is not None and end > clock.due_at) or overdue,
        })
    return rows


def next_action(entrapment: Entrapment) -> str | None:
    """The step the page offers as its big button: the first of the log still to record."""
    if entrapment.status == ACTIVE:
        if entrapment.staff_arrived_at is None:
            return "staff_arrived"
        if entrapment.contractor_arrived_at is None:
            return "contractor_arrived"
        return "freed"
    if entrapment.status == FREED:
        return "close"
    return None


def allowed_actions(actor: Actor, entrapment: Entrapment) -> list[str]:
    """The steps `actor` may record now (each at most once)."""
    if not actor.may("facilities.start_entrapment"):
        return []
    done = {"staff_arrived": entrapment.staff_arrived_at, "contractor_arrived": entrapment.contractor_arrived_at}
    return [action for action, (sources, _after, _key) in TRANSITIONS.items()
            if entrapment.status in sources and done.get(action) is None]


# -- writing --------------------------------------------------------------------------------------------------
def _moment(problems: Problems, at, *, earliest: datetime | None = None, field: str = "at") -> datetime | None:
    """`at` (default now) if it is a plausible aware moment, not in the future nor before `earliest`."""
    now = timezone.now()
    if at is None:
        return now
    if not isinstance(at, datetime):
        problems.add(field, gettext("Give a date and time."))
        return None
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    if problems.check(field, check_plausible_date, at) is None:
        return None
    if at > now + CLOCK_SKEW:
        problems.add(field, gettext("The time cannot be in the future."))
        return None
    if earliest is not None and at < earliest:
        problems.add(field, gettext("The time cannot be before %(time)s.") % {"time": format_time(earliest)})
        return None
    return at


def _text(problems: Problems, field: str, value, limit: int, *, required_message=None) -> str:
    value = value if isinstance(value, str) else ("" if value is None else str(value))
    value = " ".join(value.split()) if field != "summary" else value.strip()
    if problems.check(field, check_text, value) is None:
        return ""
    if len(value) > limit:
        problems.add(field, gettext("At most %(count)s characters.") % {"count": limit})
        return ""
    if not value and required_message:
        problems.add(field, required_message)
    return value


def _fault_title(floor: str) -> str:
    # Stored as the fault's own title (data, not UI), in the language of the record: Chinese.
    if not floor:
        return "电梯困人"
    return f"电梯困人（停在 {floor}{'层' if digits(floor) else ''}）"


@transaction.atomic
def start_entrapment(actor: Actor, equipment: Equipment, *, floor: str = "", trapped_count: int | None = None,
                     caller: str = "", at: datetime | None = None) -> Entrapment:
    """People are trapped in `equipment` (an elevator): record it, start the three clocks, open a major fault on
    the elevator and alert the project's security, engineering and customer-service staff on in-app and SMS.

    Only the elevator is needed; floor, number of people and caller may be added (a wrong one is a 422 naming
    the field, with nothing written). A second entrapment while one is active on the same elevator is a 409."""
    from . import faults  # FAULTS' module; imported here so both load in either order

    require(actor, "facilities.start_entrapment")
    problems = Problems()
    if not isinstance(equipment, Equipment) or not actor.sees_project(equipment.project_id):
        raise InvalidInput("equipment", gettext("Choose an elevator of your projects."))
    if not is_elevator(equipment):
        problems.add("equipment", gettext("%(name)s is not an elevator.") % {"name": equipment.name})
    floor = _text(problems, "floor", floor, FLOOR_MAX)
    caller = _text(problems, "caller", caller, CALLER_MAX)
    if trapped_count in ("", None):
        trapped_count = None
    else:
        try:
            trapped_count = int(trapped_count)
        except (TypeError, ValueError):
            problems.add("trapped_count", gettext("Give a whole number."))
            trapped_count = None
        else:
            if not 1 <= trapped_count <= TRAPPED_MAX:
                problems.add("trapped_count", gettext("Give a number from 1 to %(max)s.") % {"max": TRAPPED_MAX})
                trapped_count = None
    at = _moment(problems, at)
    problems.raise_if_any()

    # Lock the elevator: two people tapping at once make one entrapment, not two.
    Equipment.objects.select_for_update().filter(pk=equipment.pk).first()
    if Entrapment.objects.filter(equipment=equipment, status=ACTIVE).exists():
        raise Conflict(gettext("People are already reported trapped in %(name)s.") % {"name": equipment.name})
    project = equipment.project
    entrapment = Entrapment.objects.create(
        project=project, equipment=equipment, started_at=at, started_by=actor.user, floor=floor,
        trapped_count=trapped_count, caller=caller)
    for key in CLOCK_KEYS:
        start_clock(entrapment, key, project=project, at=at, actor=actor.user)
    fault = faults.report_fault(actor, equipment, title=_fault_title(floor), severity=FaultSeverity.MAJOR,
                                source=FaultSource.ENTRAPMENT, at=at)
    entrapment.fault = fault
    entrapment.save(update_fields=["fault"])

    recipients = []
    for role in ALERTED_ROLES:
        recipients += staff_with_role(role, project)
    recipients = list(dict.fromkeys(recipients))
    where = " ".join(part for part in (equipment.location, floor) if part)
    line = gettext("People trapped in %(elevator)s — go now") % {"elevator": equipment.name}
    body_parts = [where]
    if trapped_count:
        body_parts.append(gettext("%(count)s trapped") % {"count": trapped_count})
    if caller:
        body_parts.append(gettext("caller: %(caller)s") % {"caller": caller})
    notify(recipients, line, "，".join(part for part in body_parts if part), link=entrapment.get_absolute_url(),
           source=entrapment, dedupe_key=f"entrapment:{entrapment.pk}:started", channels=URGENT)
    record_event(entrapment, "facilities.entrapment.started", actor=actor.user, project_id=project.pk, data={
        "elevator": equipment.name, "floor": floor, "trapped_count": trapped_count, "caller": caller,
        "alerted": len(recipients)})
    entrapment_started.send(sender=Entrapment, entrapment=entrapment, actor=actor)
    return entrapment


@transaction.atomic
def act(actor: Actor, entrapment: Entrapment, action: str, *, at: datetime | None = None, **fields) -> Entrapment:
    """Record one step of the log (TRANSITIONS): `staff_arrived` (optional `staff`: the user on site, default
    the actor; stops the 5-minute clock), `contractor_arrived` (optional `note`; stops the contractor clock),
    `freed` (optional `injuries`; stops the rescue clock; active → freed), `close` (`summary` required; freed →
    closed). `at` defaults to now and may be neither before the start nor in the future. A step already
    recorded, or not possible in the current status, is a 409; bad input a 422 naming the field."""
    require(actor, "facilities.start_entrapment")
    if action not in TRANSITIONS:
        raise InvalidInput("action", gettext("Choose one of: %(values)s.") % {"values": ", ".join(ACTIONS)})
    if not actor.sees_project(entrapment.project_id):
        raise InvalidInput("entrapment", gettext("No such entrapment."))
    entrapment = Entrapment.objects.select_for_update().select_related("equipment").get(pk=entrapment.pk)
    _sources, after, clock_key = TRANSITIONS[action]
    if action not in allowed_actions(actor, entrapment):
        raise Conflict(gettext("This step cannot be recorded now (%(status)s).")
                       % {"status": entrapment.get_status_display()})
    problems = Problems()
    earliest = entrapment.freed_at if action == "close" else entrapment.started_at
    at = _moment(problems, at, earliest=earliest or entrapment.started_at)
    unknown = set(fields) - {"staff", "note", "injuries", "summary"}
    for name in sorted(unknown):
        problems.add(name, gettext("Not a field of this step."))
    data: dict = {}
    if action == "staff_arrived":
        staff = fields.get("staff") or actor.user
        if staff not in staff_with_role(None, entrapment.project_id):
            problems.add("staff", gettext("Choose a colleague of this project."))
        entrapment.staff_arrived_by = staff
        data["staff"] = getattr(staff, "pk", None)
        note = _text(problems, "note", fields.get("note"), NOTE_MAX)
    elif action == "contractor_arrived":
        note = _text(problems, "note", fields.get("note"), NOTE_MAX)
    elif action == "freed":
        note = ""
        entrapment.injuries = data["injuries"] = _text(problems, "injuries", fields.get("injuries"), INJURIES_MAX)
    else:
        note = ""
        entrapment.summary = data["summary"] = _text(
            problems, "summary", fields.get("summary"), SUMMARY_MAX,
            required_message=gettext("Write what happened, the cause and what was done."))
    problems.raise_if_any()
    if note:
        data["note"] = note

    update = []
    if action == "staff_arrived":
        entrapment.staff_arrived_at = at
        update = ["staff_arrived_at", "staff_arrived_by"]
    elif action == "contractor_arrived":
        entrapment.contractor_arrived_at = at
        update = ["contractor_arrived_at"]
    elif action == "freed":
        entrapment.freed_at = at
        update = ["freed_at", "injuries"]
    else:
        entrapment.closed_at = at
        update = ["closed_at", "summary"]
    if after is not None:
        entrapment.status = after
        update.append("status")
    entrapment.save(update_fields=update)
    if clock_key:
        stop_clock(entrapment, clock_key, at=at, actor=actor.user)
    if action == "close":
        # A step never recorded (the contractor was not needed): its clock counts neither way.
        cancel_clocks(entrapment, actor=actor.user, reason=gettext("closed before this step was recorded"))
    else:
        data["minutes"] = minutes_between(entrapment.started_at, at)
    verb = {"staff_arrived": "facilities.entrapment.staff_arrived",
            "contractor_arrived": "facilities.entrapment.contractor_arrived",
            "freed": "facilities.entrapment.freed", "close": "facilities.entrapment.closed"}[action]
    record_event(entrapment, verb, actor=actor.user, project_id=entrapment.project_id, data=data)
    return entrapment
