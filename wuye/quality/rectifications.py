"""Rectifications (整改, SPEC §6): whatever finds something to fix — a failed inspection item, a complaint's
improvement action, a patrol, a move-in inspection — opens it here with `open_rectification(source, …)`; the
responsible department reports what it did (with photos), the inspector's side accepts or sends it back.

The time to rectify is an SLA clock `rectification.<severity>` (working time, wuye.sla): started when opened,
stopped when the department reports, and started afresh when a report is sent back. The transitions are the
table in `flows.py`; each function below is one of them and records one event.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wuye.core.access import Actor, Role, require, scoped
from wuye.core.errors import Conflict, InvalidInput, NotAllowed, Problems
from wuye.core.events import compose_event
from wuye.core.outbox import notify
from wuye.sla import engine

from . import flows
from .models import (
    InspectionScore,
    Rectification,
    RectificationStatus,
    RectificationStep,
    RectificationStepKind,
    Severity,
)

TITLE_MAX = 200
NOTE_MAX = 2000
REASON_MAX = 500
DEPARTMENTS = {value for value, _label in Rectification._meta.get_field("department").choices}


def clock_key(rect: Rectification, policy_key: str | None = None) -> str:
    """The time limit a rectification runs under: the caller's policy (rectification.move_in) or its severity's."""
    return policy_key or f"rectification.{rect.severity}"


def _user(actor):
    """The acting user, from an Actor or a user (callers in other processes pass either); None for the system."""
    if actor is None:
        return None
    return actor.user if isinstance(actor, Actor) else actor


def record_event(subject, verb: str, *, actor=None, data=None, at: datetime | None = None):
    """An event in the caller's transaction, dated `at` when the step happened earlier (demo data, imports)."""
    event = compose_event(subject, verb, actor=actor, data=data)
    if at is not None:
        event.created_at = at
    event.save()
    return event


def _link(rect: Rectification) -> str:
    return reverse("quality:rectification", args=[rect.pk])


def _tell_department(rect: Rectification, subject: str, body: str = "", *, dedupe: str,
                     at: datetime | None = None) -> None:
    """The responsible department's staff on the project (the assignee alone when there is one)."""
    from wuye.people.services import staff_with_role

    recipients = [rect.assignee] if rect.assignee_id else staff_with_role(rect.department, rect.project)
    if recipients:
        notify(recipients, subject, body, link=_link(rect), source=rect, at=at,
               dedupe_key=f"rectification:{rect.pk}:{dedupe}")


def _deadline_text(clock) -> str:
    return timezone.localtime(clock.due_at).strftime("%m-%d %H:%M") if clock is not None else "—"


def open_rectification(source, *, project, title: str, department: str, severity: str = Severity.MINOR,
                       description: str = "", actor=None, building=None, unit=None, assignee=None,
                       at: datetime | None = None, policy_key: str | None = None) -> Rectification:
    """Open the rectification of `source` (any saved record: an inspection score, an improvement action…) for
    `department` (a staff role) on `project`, start its time limit (`policy_key`, else `rectification.<severity>`)
    and tell the department. Idempotent per source: when `source` already has one, that one is returned unchanged
    (also when two calls race: the unique constraint decides)."""
    source_type = ContentType.objects.get_for_model(source)
    existing = Rectification.objects.filter(source_type=source_type, source_id=source.pk).first()
    if existing is not None:
        return existing
    problems = Problems()
    title = " ".join((title or "").split())
    if not title:
        problems.add("title", _("Say what must be rectified."))
    elif len(title) > TITLE_MAX:
        title = title[:TITLE_MAX - 1] + "…"
    if department not in DEPARTMENTS:
        problems.add("department", _("Choose the responsible department."))
    if severity not in Severity.values:
        problems.add("severity", _("Choose a severity."))
    if len(description or "") > NOTE_MAX:
        problems.add("description", _("At most %(count)s characters.") % {"count": NOTE_MAX})
    problems.raise_if_any()
    at = at or timezone.now()
    user = _user(actor)
    try:
        with transaction.atomic():
            rect = Rectification.objects.create(
                project=project, source_type=source_type, source_id=source.pk, title=title,
                description=description or "", department=department, severity=severity, building=building,
                unit=unit, assignee=assignee, opened_by=user, opened_at=at)
            key = clock_key(rect, policy_key)
            clock = engine.start_clock(rect, key, project=project, at=at, assignee=assignee, actor=user)
            record_event(rect, "rectification.opened", actor=user, data={
                "title": title, "department": department, "severity": severity, "due_at": engine._minute(clock.due_at),
                "key": key}, at=at)
            _tell_department(rect, _("To rectify by %(due)s: %(title)s") % {
                "due": _deadline_text(clock), "title": title}, description or "", dedupe="opened", at=at)
    except IntegrityError:
        # Another call opened it between our look and our insert: theirs stands.
        existing = Rectification.objects.filter(source_type=source_type, source_id=source.pk).first()
        if existing is None:
            raise
        return existing
    return rect


# -- who may ---------------------------------------------------------------------------------------------------
def may_report(actor: Actor, rect: Rectification) -> bool:
    """The responsible department's staff on the project."""
    if not actor.sees_project(rect.project_id) or not actor.may("quality.rectify"):
        return False
    return actor.is_superuser or actor.role == rect.department


def may_verify(actor: Actor, rect: Rectification) -> bool:
    return actor.sees_project(rect.project_id) and actor.may("quality.verify")


def may_cancel(actor: Actor, rect: Rectification) -> bool:
    return actor.sees_project(rect.project_id) and (
        actor.is_superuser or actor.role in (Role.QUALITY, Role.PROJECT_MANAGER, Role.COMPANY_ADMIN))


def may_act(actor: Actor, rect: Rectification, action: str) -> bool:
    """Whether `actor` may take `action` on `rect` now (its state allows it and their role does)."""
    if not flows.allowed(rect.status, action):
        return False
    if action == "report":
        return may_report(actor, rect)
    if action in ("accept", "reject"):
        return may_verify(actor, rect)
    return may_cancel(actor, rect)


def _locked(rect: Rectification, action: str) -> Rectification:
    current = Rectification.objects.select_for_update().select_related("project").get(pk=rect.pk)
    if not flows.allowed(current.status, action):
        raise Conflict(_("This rectification is %(status)s: it cannot be %(action)s now.") % {
            "status": current.get_status_display(), "action": flows.action_label(action)})
    return current


def _clock_key_of(rect: Rectification) -> str:
    """The key of the rectification's latest clock (its policy may have been chosen by the caller)."""
    from wuye.sla.models import Clock

    latest = Clock.objects.for_subject(rect).order_by("-started_at", "-id").values_list("key", flat=True).first()
    return latest or clock_key(rect)


def current_clock(rect: Rectification):
    """The rectification's latest time limit (running, or stopped when reported/closed), or None."""
    from wuye.sla.models import Clock

    return Clock.objects.for_subject(rect).select_related("policy").order_by("-started_at", "-id").first()


# -- transitions -----------------------------------------------------------------------------------------------
@transaction.atomic
def report_rectified(actor: Actor, rect: Rectification, *, note: str, photos=(), at: datetime | None = None):
    """The department says what it did (a note, photos): the time limit stops, the inspector is asked to verify."""
    require(actor, "quality.rectify")
    if not may_report(actor, rect):
        raise NotAllowed(_("Only the responsible department may report this rectification."))
    note = (note or "").strip()
    if not note:
        raise InvalidInput("note", _("Say what was done."))
    if len(note) > NOTE_MAX:
        raise InvalidInput("note", _("At most %(count)s characters.") % {"count": NOTE_MAX})
    rect = _locked(rect, "report")
    at = at or timezone.now()
    step = RectificationStep.objects.create(rectification=rect, kind=RectificationStepKind.REPORTED, note=note,
                                            actor=actor.user, at=at)
    attached = []
    if photos:
        from .evidence import attach_evidence

        attached = attach_evidence(actor, step, list(photos), project=rect.project)
    rect.status = RectificationStatus.SUBMITTED
    rect.save(update_fields=["status"])
    clock = engine.stop_clock(rect, _clock_key_of(rect), at=at, actor=actor.user)
    record_event(rect, "rectification.reported", actor=actor.user, data={
        "note": note[:200], "photos": len(attached), "late": bool(clock and clock.overrun.total_seconds() > 0)}, at=at)
    return rect


def _verifiers(rect: Rectification):
    from wuye.people.services import staff_with_role

    return staff_with_role(Role.QUALITY, rect.project) + staff_with_role(Role.PROJECT_MANAGER, rect.project)


@transaction.atomic
def verify(actor: Actor, rect: Rectification, *, accepted: bool, note: str = "", at: datetime | None = None):
    """The inspector's decision on a report: accepted closes the rectification; rejected sends it back to the
    department with a new time limit (counted in `rejections`); a rejection needs a note."""
    require(actor, "quality.verify")
    if not may_verify(actor, rect):
        raise NotAllowed(_("Your role may not verify rectifications."))
    note = (note or "").strip()
    if not accepted and not note:
        raise InvalidInput("note", _("Say why it is sent back."))
    if len(note) > NOTE_MAX:
        raise InvalidInput("note", _("At most %(count)s characters.") % {"count": NOTE_MAX})
    rect = _locked(rect, "accept" if accepted else "reject")
    at = at or timezone.now()
    RectificationStep.objects.create(rectification=rect, kind=RectificationStepKind.ACCEPTED if accepted
                                     else RectificationStepKind.REJECTED, note=note, actor=actor.user, at=at)
    if accepted:
        rect.status, rect.closed_at = RectificationStatus.CLOSED, at
        rect.save(update_fields=["status", "closed_at"])
        record_event(rect, "rectification.accepted", actor=actor.user, data={"note": note[:200]}, at=at)
        return rect
    key = _clock_key_of(rect)
    engine.cancel_clocks(rect, actor=actor.user, reason="rejected")  # none should be open; be safe
    rect.status, rect.rejections = RectificationStatus.OPEN, rect.rejections + 1
    rect.save(update_fields=["status", "rejections"])
    clock = engine.start_clock(rect, key, project=rect.project, at=at, assignee=rect.assignee, actor=actor.user)
    record_event(rect, "rectification.rejected", actor=actor.user, data={
        "note": note[:200], "rejections": rect.rejections, "due_at": engine._minute(clock.due_at)}, at=at)
    _tell_department(rect, _("Sent back, rectify again by %(due)s: %(title)s") % {
        "due": _deadline_text(clock), "title": rect.title}, note, dedupe=f"rejected:{rect.rejections}", at=at)
    return rect


@transaction.atomic
def cancel_rectification(actor: Actor, rect: Rectification, *, reason: str, at: datetime | None = None):
    """Quality or the project manager withdraw a rectification (found in error, superseded) with a reason; its
    time limit is cancelled (counts neither as met nor as breached)."""
    if not may_cancel(actor, rect):
        raise NotAllowed(_("Only the quality department or the project manager may cancel a rectification."))
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("reason", _("Give a reason."))
    if len(reason) > REASON_MAX:
        raise InvalidInput("reason", _("At most %(count)s characters.") % {"count": REASON_MAX})
    rect = _locked(rect, "cancel")
    at = at or timezone.now()
    engine.cancel_clocks(rect, actor=actor.user, reason=reason)
    rect.status, rect.closed_at = RectificationStatus.CANCELLED, at
    rect.save(update_fields=["status", "closed_at"])
    record_event(rect, "rectification.cancelled", actor=actor.user, data={"reason": reason}, at=at)
    return rect


ACTIONS = {
    "report": lambda actor, rect, data: report_rectified(actor, rect, note=data.get("note", ""),
                                                         photos=data.get("photos", ())),
    "accept": lambda actor, rect, data: verify(actor, rect, accepted=True, note=data.get("note", "")),
    "reject": lambda actor, rect, data: verify(actor, rect, accepted=False, note=data.get("note", "")),
    "cancel": lambda actor, rect, data: cancel_rectification(actor, rect, reason=data.get("reason", "")),
}


def act(actor: Actor, rect: Rectification, action: str, data: dict) -> Rectification:
    """Run the named transition (the API's and the console's one entry); an unknown action is a 422 on `action`."""
    if action not in ACTIONS:
        raise InvalidInput("action", _("Unknown action: choose report, accept, reject or cancel."))
    return ACTIONS[action](actor, rect, data)


# -- reading ---------------------------------------------------------------------------------------------------
def open_rectifications(actor: Actor):
    """The rectifications still to do or to verify that the actor may see (scoped to their projects)."""
    return with_deadlines(scoped(Rectification.objects.filter(status__in=flows.OPEN_STATES), actor))


def with_deadlines(rows):
    """Rectifications annotated with `deadline` (their latest clock's due time) and `stopped` (when it stopped)."""
    from django.contrib.contenttypes.prefetch import GenericPrefetch
    from django.db.models import OuterRef, Subquery

    from wuye.sla.models import Clock

    latest = Clock.objects.filter(subject_type=ContentType.objects.get_for_model(Rectification),
                                  subject_id=OuterRef("pk")).order_by("-started_at", "-id")
    # What found each one, fetched once per kind for the page (an inspection item with its inspection and text).
    sources = GenericPrefetch("source", [InspectionScore.objects.select_related("inspection", "item")])
    return rows.select_related("project", "assignee").prefetch_related(sources).annotate(
        deadline=Subquery(latest.values("due_at")[:1]), stopped=Subquery(latest.values("stopped_at")[:1]))


def overdue(rows, now: datetime | None = None):
    """Of annotated rows: those still to rectify whose deadline has passed."""
    return rows.filter(status=RectificationStatus.OPEN, deadline__lt=now or timezone.now())


def is_overdue(rect: Rectification, now: datetime | None = None) -> bool:
    deadline = getattr(rect, "deadline", None)
    return rect.status == RectificationStatus.OPEN and deadline is not None and deadline < (now or timezone.now())


def age_days(rect: Rectification, now: datetime | None = None) -> int:
    """Whole days since it was opened (until it was closed)."""
    end = rect.closed_at or now or timezone.now()
    return max((timezone.localdate(end) - timezone.localdate(rect.opened_at)).days, 0)


def describe_source(rect: Rectification) -> str:
    """What found it, as a person reads it: "日检 2026-09-30 · 消防通道…", "投诉改进措施 · 加强夜间巡查".
    A source model may say it itself with `rectification_source_label()`."""
    source = rect.source
    if source is None:
        return ""
    if hasattr(source, "rectification_source_label"):
        return str(source.rectification_source_label())
    label = source._meta.label_lower
    if label == "quality.inspectionscore":
        inspection = source.inspection
        text = " ".join(source.item.text.split())
        short = text if len(text) <= 16 else text[:15] + "…"
        return f"{inspection.get_kind_display()} {inspection.scheduled_for.isoformat()} · {short}"
    if label == "workorders.improvementaction":
        return _("Complaint improvement action · %(title)s") % {"title": source.title}
    return str(source)


def source_url(rect: Rectification) -> str:
    """The console page of what found it (the inspection of a failed item), or "" when it has none."""
    from django.urls import NoReverseMatch

    source = rect.source
    target = getattr(source, "inspection", source) if source is not None else None
    try:
        return target.get_absolute_url() if hasattr(target, "get_absolute_url") else ""
    except NoReverseMatch:
        return ""


def steps_with_photos(rect: Rectification) -> list[tuple[RectificationStep, list]]:
    """Each report and decision, oldest first, with the photos kept for it."""
    from .evidence import evidence_for

    steps = list(rect.steps.select_related("actor"))
    return [(step, list(evidence_for(step))) for step in steps]
