"""Faults (故障): report, repair, post-repair test, back in service, fault report; monthly fault rate.

A fault is reported by staff (or raised by an out-of-range reading, to be reported within 10 minutes — the
`fault.report` clock), repaired within its limit (`fault.general.repair` 24 h, `fault.major.repair` 48 h, calendar
time), tested (an elevator: 3 empty runs, all OK — the category's `post_repair_test_runs`) and only then back in
service; the fault report (cause and prevention measure) closes it. The steps are the table `TRANSITIONS`; each
function below is one of them and records one event. The item's status goes through `register.set_status`."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wuye.billing.periods import add_months
from wuye.core.access import Actor, Role, require
from wuye.core.errors import Conflict, InvalidInput, NotAllowed, Problems
from wuye.core.events import record_event
from wuye.core.kpis import bounds
from wuye.core.outbox import notify
from wuye.core.sentences import format_minutes, register_sentences, register_terms
from wuye.sla import engine

from .models import (
    Contractor,
    Equipment,
    EquipmentStatus,
    Fault,
    FaultSeverity,
    FaultSource,
    FaultStatus,
)

TITLE_MAX = 200
TEXT_MAX = 2000
PARTS_MAX = 300
REASON_MAX = 200
MAX_TEST_RUNS = 10
S = FaultStatus

# action: (states it may be taken from, {outcome: state it leads to}). Most actions have one outcome ("done");
# the post-repair test has two: passed → back in service, failed → back to repair.
TRANSITIONS: dict[str, tuple[frozenset[str], dict[str, str]]] = {
    "report": (frozenset({S.RAISED}), {"done": S.REPORTED}),
    "start_repair": (frozenset({S.REPORTED}), {"done": S.IN_REPAIR}),
    "record_repair": (frozenset({S.IN_REPAIR}), {"done": S.TESTING}),
    "record_test": (frozenset({S.TESTING}), {"passed": S.RESOLVED, "failed": S.IN_REPAIR}),
    "close": (frozenset({S.RESOLVED}), {"done": S.CLOSED}),
    "cancel": (frozenset({S.RAISED, S.REPORTED}), {"done": S.CANCELLED}),
}


def leads_to(action: str, outcome: str = "done") -> str:
    """The state `action` leads to with `outcome` (TRANSITIONS); KeyError for a move the table does not allow."""
    return TRANSITIONS[action][1][outcome]
ACTION_PERMISSIONS = {
    "report": "facilities.report_faults", "start_repair": "facilities.repair", "record_repair": "facilities.repair",
    "record_test": "facilities.repair", "close": "facilities.repair", "cancel": "facilities.repair",
}
ACTION_LABELS = {
    "report": _("Report"), "start_repair": _("Start repair"), "record_repair": _("Record the repair"),
    "record_test": _("Record the post-repair test"), "close": _("File the fault report"), "cancel": _("Cancel"),
}
OPEN_STATES = frozenset({S.RAISED, S.REPORTED, S.IN_REPAIR, S.TESTING})
# States in which the item is out of service because of the fault.
DOWN_STATES = frozenset({S.REPORTED, S.IN_REPAIR, S.TESTING})


def repair_key(severity: str) -> str:
    return f"fault.{severity}.repair"


def actions_from(status: str) -> list[str]:
    return [action for action, (sources, _target) in TRANSITIONS.items() if status in sources]


def may_act(actor: Actor, fault: Fault, action: str) -> bool:
    """Whether `actor` may take `action` on `fault` now (its state allows it and their role does)."""
    if action not in TRANSITIONS or fault.status not in TRANSITIONS[action][0]:
        return False
    return actor.sees_project(fault.project_id) and actor.may(ACTION_PERMISSIONS[action])


def _text(problems: Problems, field: str, value, limit: int, *, required_message=None) -> str:
    value = (value or "").strip() if isinstance(value, str) or value is None else None
    if value is None:
        problems.add(field, gettext("Enter text."))
        return ""
    if required_message and not value:
        problems.add(field, required_message)
    elif len(value) > limit:
        problems.add(field, gettext("At most %(count)s characters.") % {"count": limit})
    return value


def _moment(problems: Problems, at, *, not_before=None, field: str = "at") -> datetime:
    """`at` (default now), not in the future beyond 5 minutes and not before the step it follows."""
    now = timezone.now()
    if at is None:
        at = now
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    if at > now + timedelta(minutes=5):
        problems.add(field, gettext("This time is in the future."))
    elif at < now - timedelta(days=366):
        problems.add(field, gettext("This time is too far in the past."))
    elif not_before is not None and at < not_before:
        problems.add(field, gettext("This time is before the fault's previous step."))
    return at


def _locked(fault: Fault, action: str) -> Fault:
    current = Fault.objects.select_for_update().select_related("project", "equipment__category").get(pk=fault.pk)
    if current.status not in TRANSITIONS[action][0]:
        raise Conflict(gettext("This fault is %(status)s: it cannot take the step “%(action)s” now.") % {
            "status": current.get_status_display(), "action": ACTION_LABELS[action]})
    return current


def _check_actor(actor: Actor, fault_or_item, action: str) -> None:
    require(actor, ACTION_PERMISSIONS[action])
    if not actor.sees_project(fault_or_item.project_id):
        raise NotAllowed(gettext("This item is not in your projects."))


def _link(fault: Fault) -> str:
    return reverse("facilities:fault", args=[fault.pk])


def _tell_engineering(fault: Fault, subject: str, *, dedupe: str, at: datetime | None = None) -> None:
    from wuye.people.services import staff_with_role

    recipients = [fault.assignee] if fault.assignee_id else staff_with_role(Role.ENGINEERING, fault.project)
    if recipients:
        notify(recipients, subject, fault.description or "", link=_link(fault), source=fault, at=at,
               dedupe_key=f"fault:{fault.pk}:{dedupe}")


def _set_item(actor, equipment: Equipment, status: str, *, reason: str, at: datetime) -> None:
    from . import register

    register.set_status(actor, equipment, status, reason=reason, at=at)


def _item_down(actor, fault: Fault, at: datetime) -> None:
    if fault.equipment.status == EquipmentStatus.IN_SERVICE:
        _set_item(actor, fault.equipment, EquipmentStatus.FAULTY, reason=fault.title, at=at)


def _item_back(actor, fault: Fault, at: datetime) -> bool:
    """The item back in service unless another fault still keeps it down; True when it went back."""
    others = Fault.objects.filter(equipment_id=fault.equipment_id, status__in=DOWN_STATES).exclude(pk=fault.pk)
    item = Equipment.objects.get(pk=fault.equipment_id)
    if item.status == EquipmentStatus.FAULTY and not others.exists():
        _set_item(actor, item, EquipmentStatus.IN_SERVICE, reason=fault.title, at=at)
        return True
    return False


def _start_repair_clock(fault: Fault, at: datetime, user) -> object:
    return engine.start_clock(fault, repair_key(fault.severity), project=fault.project, at=at,
                              assignee=fault.assignee, actor=user)


def _check_severity(problems: Problems, severity) -> str:
    if severity not in FaultSeverity.values:
        problems.add("severity", gettext("Choose general or major."))
    return severity


# -- opening a fault -------------------------------------------------------------------------------------------
@transaction.atomic
def report_fault(actor: Actor, equipment: Equipment, *, title: str, severity: str = FaultSeverity.GENERAL,
                 description: str = "", source: str = FaultSource.STAFF, ticket=None,
                 at: datetime | None = None) -> Fault:
    """Report a fault of `equipment`: status reported, the repair limit `fault.<severity>.repair` starts (general
    24 h, major 48 h), the item becomes faulty and engineering is told."""
    _check_actor(actor, equipment, "report")
    problems = Problems()
    title = " ".join(_text(problems, "title", title, TITLE_MAX,
                           required_message=gettext("Say what is wrong.")).split())
    description = _text(problems, "description", description, TEXT_MAX)
    _check_severity(problems, severity)
    if source not in FaultSource.values:
        problems.add("source", gettext("Unknown source."))
    at = _moment(problems, at)
    problems.raise_if_any()
    equipment = Equipment.objects.select_for_update().select_related("project", "category").get(pk=equipment.pk)
    if equipment.status == EquipmentStatus.SCRAPPED:
        raise Conflict(gettext("This item is scrapped."))
    fault = Fault.objects.create(
        project=equipment.project, equipment=equipment, source=source, ticket=ticket, severity=severity,
        title=title, description=description, status=S.REPORTED, raised_at=at, reported_at=at,
        reported_by=actor.user, created_by=actor.user)
    clock = _start_repair_clock(fault, at, actor.user)
    _item_down(actor, fault, at)
    record_event(fault, "facilities.fault.reported", actor=actor.user, data={
        "title": title, "equipment": equipment.name, "severity": severity, "due_at": engine._minute(clock.due_at)})
    _tell_engineering(fault, gettext("Fault to repair by %(due)s: %(item)s — %(title)s") % {
        "due": timezone.localtime(clock.due_at).strftime("%m-%d %H:%M"), "item": equipment.name, "title": title},
        dedupe="reported", at=at)
    return fault


def raise_from_reading(reading, *, at: datetime) -> Fault:
    """The fault an out-of-range reading opens (status raised, to be reported within 10 minutes: `fault.report`),
    or — while the item already has an open fault from readings — that fault (the reading joins it). Called
    inside `operation.record_reading`'s transaction, with the item's row locked."""
    from . import register
    from .operation import anomaly_text, describe

    open_fault = (Fault.objects.select_for_update()
                  .filter(equipment_id=reading.equipment_id, source=FaultSource.OPERATION_LOG, status__in=OPEN_STATES)
                  .order_by("raised_at", "id").first())
    if open_fault is not None:
        return open_fault
    limits = register.limits_for(reading.equipment)
    items = [describe(limits[code], Decimal(str(reading.values[code]))) for code in reading.anomalies
             if code in limits]
    title = gettext("Out of range: %(readings)s") % {"readings": anomaly_text(items)}
    if len(title) > TITLE_MAX:
        title = title[:TITLE_MAX - 1] + "…"
    fault = Fault.objects.create(
        project_id=reading.project_id, equipment_id=reading.equipment_id, source=FaultSource.OPERATION_LOG,
        severity=FaultSeverity.GENERAL, title=title, status=S.RAISED, raised_at=at, created_by=reading.recorded_by)
    clock = engine.start_clock(fault, "fault.report", project=reading.project, at=at,
                               assignee=reading.recorded_by, actor=reading.recorded_by)
    record_event(fault, "facilities.fault.raised", actor=reading.recorded_by, data={
        "equipment": reading.equipment.name, "due_at": engine._minute(clock.due_at)})
    if reading.recorded_by is not None:
        notify([reading.recorded_by], gettext("Report this fault by %(due)s: %(title)s") % {
            "due": timezone.localtime(clock.due_at).strftime("%m-%d %H:%M"), "title": title},
            link=_link(fault), source=fault, at=at, dedupe_key=f"fault:{fault.pk}:raised")
    return fault


def fault_from_ticket(actor: Actor, ticket, equipment: Equipment, *, severity: str = FaultSeverity.GENERAL) -> Fault:
    """An owner's repair request about public equipment, linked to the item as a fault (reported, repair clock
    started, item faulty). Idempotent: a ticket already linked returns its fault unchanged."""
    existing = Fault.objects.filter(ticket=ticket).first()
    if existing is not None:
        return existing
    _check_actor(actor, equipment, "report")
    if not actor.sees_project(ticket.project_id):
        raise NotAllowed(gettext("This request is not in your projects."))
    if ticket.project_id != equipment.project_id:
        raise InvalidInput("equipment", gettext("Choose an item of the request's project."))
    title = " ".join((ticket.description or "").split())[:TITLE_MAX] or gettext("Owner's repair request")
    try:
        with transaction.atomic():
            return report_fault(actor, equipment, title=title, severity=severity,
                                description=ticket.description or "", source=FaultSource.TICKET, ticket=ticket)
    except IntegrityError:
        # Another call linked it between our look and our insert: theirs stands.
        existing = Fault.objects.filter(ticket=ticket).first()
        if existing is None:
            raise
        return existing


# -- the steps -------------------------------------------------------------------------------------------------
@transaction.atomic
def report(actor: Actor, fault: Fault, *, severity: str | None = None, description: str | None = None,
           at: datetime | None = None) -> Fault:
    """A fault raised by a reading is reported: the 10-minute clock stops (met or late), the repair limit of its
    severity starts and the item becomes faulty."""
    _check_actor(actor, fault, "report")
    problems = Problems()
    severity = _check_severity(problems, severity or fault.severity)
    if description is not None:
        description = _text(problems, "description", description, TEXT_MAX)
    at = _moment(problems, at, not_before=fault.raised_at)
    problems.raise_if_any()
    fault = _locked(fault, "report")
    fault.status, fault.severity, fault.reported_at, fault.reported_by = leads_to("report"), severity, at, actor.user
    if description:
        fault.description = description
    fault.save(update_fields=["status", "severity", "reported_at", "reported_by", "description"])
    engine.stop_clock(fault, "fault.report", at=at, actor=actor.user)
    clock = _start_repair_clock(fault, at, actor.user)
    _item_down(actor, fault, at)
    record_event(fault, "facilities.fault.reported", actor=actor.user, data={
        "title": fault.title, "equipment": fault.equipment.name, "severity": severity,
        "due_at": engine._minute(clock.due_at)})
    _tell_engineering(fault, gettext("Fault to repair by %(due)s: %(item)s — %(title)s") % {
        "due": timezone.localtime(clock.due_at).strftime("%m-%d %H:%M"), "item": fault.equipment.name,
        "title": fault.title}, dedupe="reported", at=at)
    return fault


@transaction.atomic
def start_repair(actor: Actor, fault: Fault, *, assignee=None, contractor: Contractor | None = None,
                 at: datetime | None = None) -> Fault:
    """Repair starts: by a technician (`assignee`, default the actor) and/or the item's contractor."""
    _check_actor(actor, fault, "start_repair")
    problems = Problems()
    at = _moment(problems, at, not_before=fault.reported_at or fault.raised_at)
    if contractor is not None and contractor.company_id != fault.project.company_id:
        problems.add("contractor", gettext("Choose a contractor of your company."))
    if assignee is not None and not _works_on(assignee, fault.project):
        problems.add("assignee", gettext("Choose a colleague who works on this project."))
    problems.raise_if_any()
    fault = _locked(fault, "start_repair")
    fault.status, fault.repair_started_at = leads_to("start_repair"), at
    fault.assignee = assignee or (fault.assignee if fault.assignee_id else actor.user)
    fault.contractor = contractor or fault.contractor
    fault.save(update_fields=["status", "repair_started_at", "assignee", "contractor"])
    engine.assign_clocks(fault, fault.assignee)
    record_event(fault, "facilities.fault.repair_started", actor=actor.user, data={
        "assignee": fault.assignee_id, "contractor": fault.contractor.name if fault.contractor_id else ""})
    return fault


def _works_on(user, project) -> bool:
    from wuye.people.services import staff_with_role

    return any(person.pk == user.pk for person in staff_with_role(None, project))


@transaction.atomic
def record_repair(actor: Actor, fault: Fault, *, cause: str, repair_action: str, parts: str = "",
                  at: datetime | None = None) -> Fault:
    """The repair is done: its cause, what was done and the parts used; the item now awaits its post-repair
    test (it is not back in service yet)."""
    _check_actor(actor, fault, "record_repair")
    problems = Problems()
    cause = _text(problems, "cause", cause, TEXT_MAX, required_message=gettext("Say what caused the fault."))
    repair_action = _text(problems, "repair_action", repair_action, TEXT_MAX,
                          required_message=gettext("Say what was repaired."))
    parts = _text(problems, "parts", parts, PARTS_MAX)
    at = _moment(problems, at, not_before=fault.repair_started_at)
    problems.raise_if_any()
    fault = _locked(fault, "record_repair")
    fault.status, fault.cause, fault.repair_action, fault.parts, fault.repaired_at = (
        leads_to("record_repair"), cause, repair_action, parts, at)
    fault.save(update_fields=["status", "cause", "repair_action", "parts", "repaired_at"])
    record_event(fault, "facilities.fault.repaired", actor=actor.user, data={
        "cause": cause[:200], "repair_action": repair_action[:200], "parts": parts[:200]})
    return fault


def runs_required(fault: Fault) -> int:
    """How many test runs the item's category asks for after a repair (at least one)."""
    return max(fault.equipment.category.post_repair_test_runs or 0, 1)


def _runs(problems: Problems, runs) -> list[bool]:
    if isinstance(runs, bool) or not isinstance(runs, list | tuple):
        problems.add("runs", gettext("List each test run as passed or failed."))
        return []
    if len(runs) > MAX_TEST_RUNS:
        problems.add("runs", gettext("At most %(count)s runs at once.") % {"count": MAX_TEST_RUNS})
        return []
    clean = []
    for run in runs:
        if not isinstance(run, bool):
            problems.add("runs", gettext("List each test run as passed or failed."))
            return []
        clean.append(run)
    return clean


@transaction.atomic
def record_test(actor: Actor, fault: Fault, *, runs, note: str = "", at: datetime | None = None) -> Fault:
    """The post-repair test (an elevator: 3 empty runs): `runs` lists each run, True = OK. All required runs OK →
    back in service (the repair clock stops, downtime is counted from when it was found, the item is in service
    again). A failed run → back to repair. Fewer OK runs than the test asks for is refused: an item cannot
    return to service without its test."""
    _check_actor(actor, fault, "record_test")
    problems = Problems()
    runs = _runs(problems, runs)
    note = _text(problems, "note", note, TEXT_MAX)
    at = _moment(problems, at, not_before=fault.repaired_at)
    problems.raise_if_any()
    fault = _locked(fault, "record_test")
    required = runs_required(fault)
    failed = not all(runs) if runs else False
    if not failed and len(runs) < required:
        test = fault.equipment.category.post_repair_test or gettext("the post-repair test")
        raise InvalidInput("runs", gettext(
            "%(test)s needs %(required)s runs, all passed, before the item returns to service; %(given)s given.") % {
            "test": test, "required": required, "given": len(runs)})
    attempt = 1 + max((entry.get("attempt", 1) for entry in fault.test_runs), default=0)
    fault.test_runs = [*fault.test_runs, *({"attempt": attempt, "run": number, "ok": ok}
                                          for number, ok in enumerate(runs, start=1))]
    fault.tested_at, fault.tested_by = at, actor.user
    if failed:
        fault.status = leads_to("record_test", "failed")
        fault.save(update_fields=["status", "test_runs", "tested_at", "tested_by"])
        record_event(fault, "facilities.fault.test_failed", actor=actor.user, data={
            "passed": sum(runs), "runs": len(runs), "note": note[:200]})
        return fault
    fault.status, fault.back_in_service_at = leads_to("record_test", "passed"), at
    fault.downtime_minutes = max(int((at - fault.raised_at).total_seconds() // 60), 0)
    fault.save(update_fields=["status", "test_runs", "tested_at", "tested_by", "back_in_service_at",
                              "downtime_minutes"])
    engine.stop_clock(fault, repair_key(fault.severity), at=at, actor=actor.user)
    _item_back(actor, fault, at)
    record_event(fault, "facilities.fault.resolved", actor=actor.user, data={
        "runs": len(runs), "downtime_minutes": fault.downtime_minutes, "note": note[:200]})
    return fault


@transaction.atomic
def close(actor: Actor, fault: Fault, *, prevention: str, cause: str | None = None,
          at: datetime | None = None) -> Fault:
    """File the fault report: the cause (recorded with the repair, may be corrected here) and the measure that
    prevents it again — both required."""
    _check_actor(actor, fault, "close")
    problems = Problems()
    cause = _text(problems, "cause", fault.cause if cause is None else cause, TEXT_MAX,
                  required_message=gettext("Say what caused the fault."))
    prevention = _text(problems, "prevention", prevention, TEXT_MAX,
                       required_message=gettext("Say what will prevent it happening again."))
    at = _moment(problems, at, not_before=fault.back_in_service_at)
    problems.raise_if_any()
    fault = _locked(fault, "close")
    fault.status, fault.cause, fault.prevention, fault.closed_at = leads_to("close"), cause, prevention, at
    fault.save(update_fields=["status", "cause", "prevention", "closed_at"])
    record_event(fault, "facilities.fault.closed", actor=actor.user, data={
        "cause": cause[:200], "prevention": prevention[:200]})
    return fault


@transaction.atomic
def cancel(actor: Actor, fault: Fault, *, reason: str, at: datetime | None = None) -> Fault:
    """Cancel a fault reported in error (raised or reported only): its clocks are cancelled and the item is back
    in service unless another fault keeps it down."""
    _check_actor(actor, fault, "cancel")
    problems = Problems()
    reason = _text(problems, "reason", reason, REASON_MAX, required_message=gettext("Say why it is cancelled."))
    at = _moment(problems, at)
    problems.raise_if_any()
    fault = _locked(fault, "cancel")
    fault.status, fault.cancel_reason, fault.closed_at = leads_to("cancel"), reason, at
    fault.save(update_fields=["status", "cancel_reason", "closed_at"])
    engine.cancel_clocks(fault, actor=actor.user, reason="cancelled")
    _item_back(actor, fault, at)
    record_event(fault, "facilities.fault.cancelled", actor=actor.user, data={"reason": reason})
    return fault


STEPS = {"report": report, "start_repair": start_repair, "record_repair": record_repair,
         "record_test": record_test, "close": close, "cancel": cancel}
FIELDS = {
    "report": ("severity", "description", "at"), "start_repair": ("assignee", "contractor", "at"),
    "record_repair": ("cause", "repair_action", "parts", "at"), "record_test": ("runs", "note", "at"),
    "close": ("cause", "prevention", "at"), "cancel": ("reason", "at"),
}


def act(actor: Actor, fault: Fault, action: str, **fields) -> Fault:
    """Take `action` (a key of TRANSITIONS) with its fields (others are ignored). An unknown action is a 422
    naming `action`; a step the fault's state does not allow is a 409."""
    if action not in STEPS:
        raise InvalidInput("action", gettext("Choose one of: %(values)s.") % {"values": ", ".join(STEPS)})
    wanted = {name: fields[name] for name in FIELDS[action] if name in fields}
    if action == "close" and "prevention" not in wanted:
        wanted["prevention"] = ""
    if action == "record_repair":
        wanted.setdefault("cause", "")
        wanted.setdefault("repair_action", "")
    if action == "record_test":
        wanted.setdefault("runs", [])
    if action == "cancel":
        wanted.setdefault("reason", "")
    return STEPS[action](actor, fault, **wanted)


# -- reading -----------------------------------------------------------------------------------------------------
def current_clocks(fault: Fault) -> list:
    """The fault's time limits (report, repair), oldest first."""
    return list(engine.clocks_for(fault))


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The local month of `month` as [start, end) (the KPI registry's day bounds)."""
    first = month.replace(day=1)
    return bounds(first, add_months(first, 1))


def _mean(values: list[int]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def fault_stats(projects, month: date) -> dict:
    """The month's faults from the records, per item and per category: faults found in the month (cancelled ones
    do not count), fault rate (faults / items of the category in service or faulty, %), downtime minutes of those
    back in service, and mean time to repair (found → back in service, minutes). Returns {"categories": [...],
    "items": [...], "total": {...}}; items without a fault are left out of "items"."""
    start, end = month_bounds(month)
    project_ids = [getattr(project, "pk", project) for project in projects]
    faults = list(Fault.objects.filter(project_id__in=project_ids, raised_at__gte=start, raised_at__lt=end)
                  .exclude(status=S.CANCELLED)
                  .select_related("equipment__category", "equipment__project")
                  .only("id", "equipment", "downtime_minutes", "status", "raised_at",
                        "equipment__name", "equipment__code", "equipment__category__name",
                        "equipment__category__id", "equipment__project__name"))
    counts = dict(Equipment.objects.filter(project_id__in=project_ids).exclude(status=EquipmentStatus.SCRAPPED)
                  .values("category_id").annotate(n=Count("id")).values_list("category_id", "n"))
    items: dict[int, dict] = {}
    categories: dict[int, dict] = {}
    for fault in faults:
        item, category = fault.equipment, fault.equipment.category
        for key, bucket, name in ((item.pk, items, item.name), (category.pk, categories, category.name)):
            row = bucket.setdefault(key, {"name": name, "faults": 0, "downtime": []})
            row["faults"] += 1
            if fault.downtime_minutes is not None:
                row["downtime"].append(fault.downtime_minutes)
        items[item.pk].update({"equipment": item, "category": category.name, "project": item.project.name})
        categories[category.pk]["category_id"] = category.pk

    def shape(row: dict, items_count: int | None = None) -> dict:
        out = {key: value for key, value in row.items() if key != "downtime"}
        out.update({"downtime_minutes": sum(row["downtime"]), "resolved": len(row["downtime"]),
                    "mttr_minutes": _mean(row["downtime"])})
        if items_count is not None:
            out["items"] = items_count
            out["rate"] = round(row["faults"] * 100 / items_count, 1) if items_count else None
        return out

    category_rows = sorted((shape(row, counts.get(pk, 0)) for pk, row in categories.items()),
                           key=lambda row: (-row["faults"], row["name"]))
    item_rows = sorted((shape(row) for row in items.values()), key=lambda row: (-row["faults"], row["name"]))
    downtimes = [fault.downtime_minutes for fault in faults if fault.downtime_minutes is not None]
    total_items = sum(counts.values())
    total = {"faults": len(faults), "items": total_items,
             "rate": round(len(faults) * 100 / total_items, 1) if total_items else None,
             "downtime_minutes": sum(downtimes), "resolved": len(downtimes), "mttr_minutes": _mean(downtimes)}
    return {"categories": category_rows, "items": item_rows, "total": total}


def open_faults(queryset):
    return queryset.filter(status__in=OPEN_STATES)


def overdue_q(now: datetime) -> Q:
    """Faults with a running time limit past its deadline."""
    from wuye.sla.models import Clock

    late = Clock.objects.open().filter(key__startswith="fault.", due_at__lt=now).values("subject_id")
    return Q(pk__in=late)


# -- sentences ---------------------------------------------------------------------------------------------------
def _resolved(event, fields) -> str:
    data = fields.raw
    return gettext("Post-repair test passed (%(runs)s runs); back in service after %(downtime)s down") % {
        "runs": data.get("runs", 1), "downtime": format_minutes(data.get("downtime_minutes") or 0)}


def _repair_started(event, fields) -> str:
    data = fields.raw
    if data.get("contractor"):
        return gettext("Repair started by %(assignee)s with %(contractor)s") % fields
    return gettext("Repair started by %(assignee)s") % fields


register_terms(details={"cause": _("cause"), "repair_action": _("repair done"), "parts": _("parts used"),
                        "prevention": _("prevention measure"), "note": _("note")},
               values={"severity": dict(FaultSeverity.choices),
                       "key": {"fault.report": _("Reporting an operation anomaly"),
                               "fault.general.repair": _("Repair of a general fault"),
                               "fault.major.repair": _("Repair of a major fault")}})
register_sentences({
    "facilities.fault.raised": (_("Anomaly on the operation log of %(equipment)s: to be reported by %(due_at)s"), {
        "example": {"equipment": "1号楼1号电梯", "due_at": "2026-10-02T22:10+08:00"}}),
    "facilities.fault.reported": (
        _("Fault reported on %(equipment)s: %(title)s (%(severity)s, repair by %(due_at)s)"), {
        "example": {"title": "轿厢异响", "equipment": "1号楼1号电梯", "severity": "major",
                    "due_at": "2026-10-04T22:00+08:00"}}),
    "facilities.fault.repair_started": (_repair_started, {
        "people": ("assignee",), "example": {"assignee": None, "contractor": "迅达电梯维保"}}),
    "facilities.fault.repaired": (_("Repair recorded; awaiting the post-repair test"), {
        "details": ("cause", "repair_action", "parts"),
        "example": {"cause": "门机皮带磨损", "repair_action": "更换门机皮带", "parts": "门机皮带 1 条"}}),
    "facilities.fault.test_failed": (
        _("Post-repair test failed (%(passed)s of %(runs)s runs passed): back to repair"), {
        "details": ("note",), "example": {"passed": 2, "runs": 3, "note": "第三次运行异响"}}),
    "facilities.fault.resolved": (_resolved, {"details": ("note",), "example": {
        "runs": 3, "downtime_minutes": 185, "note": "空载运行3次正常"}}),
    "facilities.fault.closed": (_("Fault report filed"), {
        "details": ("cause", "prevention"), "example": {"cause": "门机皮带磨损", "prevention": "保养时检查皮带张紧"}}),
    "facilities.fault.cancelled": (_("Fault cancelled: %(reason)s"), {"example": {"reason": "误报"}}),
})
