"""Takeover from the developer (接管验收, SPEC §7, seed 001 ch.2 §2).

Engineering (with the manager, owner representatives invited) plans a takeover of a project or some of its
buildings; the default checklist by system and the document handover list are copied in. The team checks each
item (ok, a finding, not applicable, with notes and photos); findings are grouped into rectification notices
(整改通知书) for the developer, each opening one quality rectification whose clock gives the developer 15 working
days (`rectification.takeover`, wuye.sla). The re-inspection marks each finding fixed or not (not fixed stays
open); the manager may accept a finding as is with a note. The takeover is accepted — the confirmation
(接管验收确认书) signed — only when every item is checked and every finding fixed or accepted as is.

The takeover's states are a table (`TRANSITIONS`): action → (states it leaves, state it reaches, permission).
Every change records one event on the takeover."""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wuye.core.access import Actor, Role, require, scoped
from wuye.core.errors import Conflict, FieldProblem, InvalidInput, Problems
from wuye.core.events import record_event
from wuye.core.sentences import register_sentences, register_terms
from wuye.core.validators import check_plausible_date, clean_text

from . import checklists
from .models import (
    CheckResult,
    DocumentCategory,
    DocumentStatus,
    FindingState,
    HandoverDocument,
    NoticeStatus,
    RectificationNotice,
    System,
    Takeover,
    TakeoverCheck,
    TakeoverStatus,
)

T = TakeoverStatus
INSPECT, ACCEPT = "takeovers.inspect", "takeovers.accept"
POLICY_KEY = "rectification.takeover"
TITLE_MAX, NAME_MAX, CONTACT_MAX, MEMBERS_MAX, REPRESENTATIVES_MAX = 100, 100, 100, 1000, 200
NOTE_MAX, LOCATION_MAX, SIGNATORY_MAX, REASON_MAX = 500, 100, 60, 200
DOC_NAME_MAX, DOC_NOTE_MAX, FILED_MAX, FIRM_MAX, COPIES_MAX = 100, 200, 100, 100, 999
BUILDINGS_MAX = 200
OPEN_STATES = frozenset({T.PLANNED, T.INSPECTING, T.RECTIFYING, T.REINSPECTING})

# action → (states it leaves, state it reaches, permission)
TRANSITIONS: dict[str, tuple[frozenset, str, str]] = {
    "start": (frozenset({T.PLANNED}), T.INSPECTING, INSPECT),
    "issue_notice": (frozenset({T.INSPECTING, T.RECTIFYING, T.REINSPECTING}), T.RECTIFYING, INSPECT),
    "reinspect": (frozenset({T.RECTIFYING}), T.REINSPECTING, INSPECT),
    "accept": (frozenset({T.INSPECTING, T.REINSPECTING}), T.ACCEPTED, ACCEPT),
    "cancel": (frozenset(OPEN_STATES), T.CANCELLED, ACCEPT),
}
# What may be done to the items and documents, by takeover state.
CHECK_STATES = frozenset({T.INSPECTING, T.RECTIFYING, T.REINSPECTING})
REINSPECT_STATES = frozenset({T.REINSPECTING})
WAIVE_STATES = frozenset({T.INSPECTING, T.RECTIFYING, T.REINSPECTING})
DOCUMENT_STATES = frozenset({T.PLANNED, T.INSPECTING, T.RECTIFYING, T.REINSPECTING, T.ACCEPTED})


# -- reading ---------------------------------------------------------------------------------------------------------
def takeovers(actor: Actor):
    """The takeovers `actor` may see (project scope; owners none)."""
    return scoped(Takeover.objects.all(), actor)


def open_findings(actor: Actor):
    """Findings still open (neither fixed nor accepted as is) of takeovers in scope that are not cancelled: what
    the workbench card and the home's figure count, and the findings page lists."""
    return scoped(TakeoverCheck.objects.filter(finding_state=FindingState.OPEN), actor).exclude(
        takeover__status=T.CANCELLED)


def missing_documents(actor: Actor):
    """Handover documents marked missing, of takeovers in scope that are not cancelled."""
    return scoped(HandoverDocument.objects.filter(status=DocumentStatus.MISSING), actor).exclude(
        takeover__status=T.CANCELLED)


def by_system(takeover: Takeover) -> list[dict]:
    """Per system (in the checklist's order): items, checked, ok, findings, still open, not applicable."""
    rows = {row["system"]: row for row in takeover.checks.values("system").annotate(
        items=Count("id"), checked=Count("id", filter=~Q(result=CheckResult.PENDING)),
        ok=Count("id", filter=Q(result=CheckResult.OK)), findings=Count("id", filter=Q(result=CheckResult.FINDING)),
        open=Count("id", filter=Q(finding_state=FindingState.OPEN)),
        not_applicable=Count("id", filter=Q(result=CheckResult.NOT_APPLICABLE)))}
    return [{"system": value, "label": str(label), **rows[value]} for value, label in System.choices if value in rows]


def notice_clock(notice: RectificationNotice):
    """The notice's time limit: its rectification's latest clock (due_at, stopped_at), or None."""
    from wuye.quality import rectifications

    rect = rectification_of(notice)
    return rectifications.current_clock(rect) if rect is not None else None


def rectification_of(notice: RectificationNotice):
    from django.contrib.contenttypes.models import ContentType

    from wuye.quality.models import Rectification

    return Rectification.objects.filter(source_type=ContentType.objects.get_for_model(RectificationNotice),
                                        source_id=notice.pk).first()


def may(actor: Actor, takeover: Takeover, action: str) -> bool:
    """Whether `actor` may take `action` on `takeover` now (the buttons a page shows)."""
    if action in TRANSITIONS:
        leaves, _target, permission = TRANSITIONS[action]
        return takeover.status in leaves and actor.may(permission)
    if action == "check":
        return takeover.status in CHECK_STATES and actor.may(INSPECT)
    if action == "reinspect_finding":
        return takeover.status in REINSPECT_STATES and actor.may(INSPECT)
    if action == "waive":
        return takeover.status in WAIVE_STATES and actor.may(ACCEPT)
    if action == "documents":
        return takeover.status in DOCUMENT_STATES and actor.may(INSPECT)
    return False


def actions_for(actor: Actor, takeover: Takeover) -> list[str]:
    return [action for action in (*TRANSITIONS, "check", "reinspect_finding", "waive", "documents")
            if may(actor, takeover, action)]


# -- input -----------------------------------------------------------------------------------------------------------
def _text(problems: Problems, field: str, value, limit: int, *, required=False, message=None) -> str:
    """core.validators.clean_text with this module's way of naming what is required."""
    return clean_text(problems, field, value, limit, required=(message or True) if required else False)


def _day(problems: Problems, field: str, value, *, required=False) -> date | None:
    if value in (None, ""):
        if required:
            problems.add(field, _("Give the date."))
        return None
    if isinstance(value, datetime):
        value = timezone.localdate(value) if timezone.is_aware(value) else value.date()
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip()[:10]) if len(value) <= 20 else None
        except ValueError:
            value = None
    if not isinstance(value, date):
        problems.add(field, _("Give a date as 2026-12-02."))
        return None
    try:
        check_plausible_date(value)
    except ValueError as error:
        problems.add(field, error)
        return None
    return value


def _dated(at: datetime | None, event):
    """The event dated when the step happened (`at`: demo data, a step entered afterwards), in the same
    transaction, as quality's rectifications do."""
    if at is not None:
        type(event).objects.filter(pk=event.pk).update(created_at=at)
    return event


def _check_may(actor: Actor, takeover: Takeover) -> None:
    """Outside the actor's sight → 404 (existence never leaks)."""
    if not takeovers(actor).filter(pk=takeover.pk).exists():
        raise Http404


def _lock(takeover: Takeover) -> Takeover:
    return Takeover.objects.select_for_update().select_related("project").get(pk=takeover.pk)


def _refuse(takeover: Takeover, field: str = "status") -> Conflict:
    message = _("This takeover is %(status)s; it cannot be changed this way.") % {
        "status": takeover.get_status_display()}
    return Conflict(message, [FieldProblem(field, message)])


def _move(actor: Actor, takeover: Takeover, action: str) -> Takeover:
    """The locked row after checking the transition `action` is allowed from its state (409 otherwise)."""
    leaves, _target, permission = TRANSITIONS[action]
    require(actor, permission)
    _check_may(actor, takeover)
    locked = _lock(takeover)
    if locked.status not in leaves:
        raise _refuse(locked)
    return locked


# -- actions ---------------------------------------------------------------------------------------------------------
def create_takeover(actor: Actor, *, project, title: str, developer: str, planned_on, buildings=(),
                    developer_contact: str = "", members: str = "", owner_representatives: str = "",
                    at: datetime | None = None) -> Takeover:
    """Plan a takeover of `project` (optionally some of its `buildings`) from `developer` on `planned_on`, with
    the team and the owner representatives invited; the default checklist by system and the document list are
    copied in. Every wrong field is named at once; nothing is written then."""
    require(actor, INSPECT)
    at = at or timezone.now()
    problems = Problems()
    if project is None or not scoped(type(project).objects.filter(pk=project.pk), actor).exists():
        problems.add("project", _("No such project."))
        project = None
    buildings = list(buildings or [])
    if len(buildings) > BUILDINGS_MAX:
        problems.add("buildings", _("At most %(count)s buildings.") % {"count": BUILDINGS_MAX})
    elif project is not None and any(building.project_id != project.pk for building in buildings):
        problems.add("buildings", _("Choose buildings of the project."))
    title = _text(problems, "title", title, TITLE_MAX, required=True, message=_("Name the takeover."))
    developer = _text(problems, "developer", developer, NAME_MAX, required=True, message=_("Name the developer."))
    developer_contact = _text(problems, "developer_contact", developer_contact, CONTACT_MAX)
    members = _text(problems, "members", members, MEMBERS_MAX)
    owner_representatives = _text(problems, "owner_representatives", owner_representatives, REPRESENTATIVES_MAX)
    planned_on = _day(problems, "planned_on", planned_on, required=True)
    problems.raise_if_any()
    with transaction.atomic():
        takeover = Takeover.objects.create(
            project=project, title=title, developer=developer, developer_contact=developer_contact,
            planned_on=planned_on, members=members, owner_representatives=owner_representatives,
            created_by=actor.user, created_at=at)
        if buildings:
            takeover.buildings.set(buildings)
        number = 0
        checks = []
        for system, items in checklists.CHECKLIST.items():
            for item, standard in items:
                number += 1
                checks.append(TakeoverCheck(takeover=takeover, system=system, number=number, item=item,
                                            standard=standard))
        TakeoverCheck.objects.bulk_create(checks)
        HandoverDocument.objects.bulk_create([
            HandoverDocument(takeover=takeover, number=n, category=category, name=name)
            for n, (category, name) in enumerate(checklists.DOCUMENTS, start=1)])
        _dated(at, record_event(takeover, "takeovers.created", actor=actor.user, data={
            "title": title, "developer": developer, "on": planned_on.isoformat(), "items": len(checks),
            "buildings": [building.number for building in buildings]}))
    return takeover


def start_inspection(actor: Actor, takeover: Takeover, *, at: datetime | None = None) -> Takeover:
    """The team begins the on-site inspection."""
    at = at or timezone.now()
    with transaction.atomic():
        takeover = _move(actor, takeover, "start")
        takeover.status, takeover.started_at = TRANSITIONS["start"][1], at
        takeover.save(update_fields=["status", "started_at"])
        _dated(at, record_event(takeover, "takeovers.started", actor=actor.user, data={}))
    return takeover


def _check_of(actor: Actor, check: TakeoverCheck) -> TakeoverCheck:
    if not scoped(TakeoverCheck.objects.filter(pk=check.pk), actor).exists():
        raise Http404
    return TakeoverCheck.objects.select_for_update().select_related("takeover__project").get(pk=check.pk)


def record_check(actor: Actor, check: TakeoverCheck, *, result: str, note: str = "", location: str = "",
                 photos=(), at: datetime | None = None) -> TakeoverCheck:
    """Record an item's result: ok, a finding (say what was found: `note` required) or not applicable; photos
    are kept as evidence. An item already on a rectification notice is not changed here (409): its
    re-inspection says whether it was fixed."""
    require(actor, INSPECT)
    at = at or timezone.now()
    problems = Problems()
    if result not in (CheckResult.OK, CheckResult.FINDING, CheckResult.NOT_APPLICABLE):
        problems.add("result", _("Choose ok, finding or not applicable."))
    note = _text(problems, "note", note, NOTE_MAX, required=result == CheckResult.FINDING,
                 message=_("Say what was found."))
    location = _text(problems, "location", location, LOCATION_MAX)
    problems.raise_if_any()
    if photos:
        from wuye.core.photos import check_photos

        check_photos(photos, "photos")  # 422 naming `photos` before anything is written
    with transaction.atomic():
        check = _check_of(actor, check)
        takeover = Takeover.objects.select_for_update().get(pk=check.takeover_id)
        if takeover.status not in CHECK_STATES:
            raise _refuse(takeover)
        if check.notice_id is not None:
            message = _("This finding is on rectification notice No. %(number)s: record its re-inspection "
                        "instead.") % {"number": check.notice.number}
            raise Conflict(message, [FieldProblem("result", message)])
        kept = 0
        if photos:
            from wuye.quality.evidence import attach_evidence

            kept = len(attach_evidence(actor, check, list(photos), project=takeover.project, at=at))
        check.result, check.note, check.location = result, note, location
        check.finding_state = FindingState.OPEN if result == CheckResult.FINDING else FindingState.NONE
        check.checked_by, check.checked_at = actor.user, at
        check.save(update_fields=["result", "note", "location", "finding_state", "checked_by", "checked_at"])
        _dated(at, record_event(takeover, "takeovers.checked", actor=actor.user, data={
            "item": check.item, "takeover_system": check.system, "check_result": result, "note": note,
            "photos": kept}))
    return check


def issue_notice(actor: Actor, takeover: Takeover, *, check_ids=None, note: str = "",
                 at: datetime | None = None) -> RectificationNotice:
    """Issue a rectification notice (整改通知书) to the developer grouping open findings not yet on a notice (all
    of them, or those of `check_ids`), and open its quality rectification for engineering with the
    `rectification.takeover` time limit (15 working days). No such finding → 422 naming `findings`."""
    from wuye.quality.rectifications import open_rectification

    at = at or timezone.now()
    problems = Problems()
    note = _text(problems, "note", note, NOTE_MAX)
    if check_ids is not None and (not isinstance(check_ids, list | tuple) or len(check_ids) > 500):
        problems.add("findings", _("List the findings to put on the notice."))
    problems.raise_if_any()
    with transaction.atomic():
        takeover = _move(actor, takeover, "issue_notice")
        findings = takeover.checks.select_for_update().filter(
            result=CheckResult.FINDING, finding_state=FindingState.OPEN, notice__isnull=True)
        if check_ids is not None:
            wanted = {int(pk) for pk in check_ids if str(pk).isdigit()}
            found = list(findings.filter(pk__in=wanted))
            if len(found) != len(set(check_ids)):
                raise InvalidInput("findings", _("Choose open findings of this takeover that are on no notice."))
        else:
            found = list(findings)
        if not found:
            raise InvalidInput("findings", _("There is no open finding without a notice to put on one."))
        number = (takeover.notices.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        notice = RectificationNotice.objects.create(takeover=takeover, number=number, note=note, issued_at=at,
                                                    issued_by=actor.user)
        TakeoverCheck.objects.filter(pk__in=[check.pk for check in found]).update(notice=notice)
        takeover.status = TRANSITIONS["issue_notice"][1]
        takeover.save(update_fields=["status"])
        description = "\n".join(f"{n}. {System(check.system).label}：{check.item}——{check.note}"
                                for n, check in enumerate(found, start=1))
        open_rectification(notice, project=takeover.project, title=_(
            "Takeover %(title)s: rectification notice No. %(number)s to %(developer)s (%(count)s findings)") % {
            "title": takeover.title, "number": number, "developer": takeover.developer, "count": len(found)},
            department=Role.ENGINEERING, description=description, actor=actor, at=at, policy_key=POLICY_KEY)
        clock = notice_clock(notice)
        _dated(at, record_event(takeover, "takeovers.notice_issued", actor=actor.user, data={
            "number": number, "findings": len(found), "due_at": clock.due_at.isoformat() if clock else None}))
    return notice


def start_reinspection(actor: Actor, takeover: Takeover, *, at: datetime | None = None) -> Takeover:
    """The developer says the notices are done: the team re-inspects each finding."""
    with transaction.atomic():
        takeover = _move(actor, takeover, "reinspect")
        takeover.status = TRANSITIONS["reinspect"][1]
        takeover.save(update_fields=["status"])
        _dated(at, record_event(takeover, "takeovers.reinspection_started", actor=actor.user, data={}))
    return takeover


def _close_notice_if_done(actor: Actor, notice: RectificationNotice | None, at: datetime) -> None:
    """A notice whose findings are all fixed or accepted as is is closed; its rectification is reported done by
    engineering when the person re-inspecting may report it (the quality side then verifies it, as any other)."""
    from wuye.quality import rectifications

    if notice is None or notice.status != NoticeStatus.ISSUED:
        return
    if notice.findings.filter(finding_state=FindingState.OPEN).exists():
        return
    notice.status, notice.closed_at = NoticeStatus.CLOSED, at
    notice.save(update_fields=["status", "closed_at"])
    _dated(at, record_event(notice.takeover, "takeovers.notice_closed", actor=actor.user,
                            data={"number": notice.number}))
    rect = rectification_of(notice)
    if rect is not None and rectifications.may_act(actor, rect, "report"):
        rectifications.report_rectified(actor, rect, note=_(
            "Re-inspection: every finding of the notice is fixed or accepted as is."), at=at)


def reinspect(actor: Actor, check: TakeoverCheck, *, fixed: bool, note: str = "",
              at: datetime | None = None) -> TakeoverCheck:
    """The re-inspection of one finding: fixed closes it; not fixed keeps it open (say what is still wrong).
    When every finding of its notice is resolved, the notice closes."""
    require(actor, INSPECT)
    at = at or timezone.now()
    problems = Problems()
    if not isinstance(fixed, bool):
        problems.add("fixed", _("Say whether it is fixed."))
    note = _text(problems, "note", note, NOTE_MAX, required=not fixed, message=_("Say what is still wrong."))
    problems.raise_if_any()
    with transaction.atomic():
        check = _check_of(actor, check)
        takeover = Takeover.objects.select_for_update().get(pk=check.takeover_id)
        if takeover.status not in REINSPECT_STATES:
            raise _refuse(takeover)
        if check.finding_state != FindingState.OPEN or check.notice_id is None:
            message = _("Only an open finding on a rectification notice is re-inspected.")
            raise Conflict(message, [FieldProblem("finding", message)])
        check.reinspections += 1
        check.reinspect_note, check.reinspected_at = note, at
        if fixed:
            check.finding_state, check.resolved_by = FindingState.FIXED, actor.user
        check.save(update_fields=["reinspections", "reinspect_note", "reinspected_at", "finding_state",
                                  "resolved_by"])
        _dated(at, record_event(takeover, "takeovers.reinspected", actor=actor.user, data={
            "item": check.item, "fixed": fixed, "note": note}))
        _close_notice_if_done(actor, check.notice, at)
    return check


def waive(actor: Actor, check: TakeoverCheck, *, note: str, at: datetime | None = None) -> TakeoverCheck:
    """The manager consciously accepts a finding as is (a note saying why is required)."""
    require(actor, ACCEPT)
    at = at or timezone.now()
    problems = Problems()
    note = _text(problems, "note", note, NOTE_MAX, required=True, message=_("Say why it is accepted as is."))
    problems.raise_if_any()
    with transaction.atomic():
        check = _check_of(actor, check)
        takeover = Takeover.objects.select_for_update().get(pk=check.takeover_id)
        if takeover.status not in WAIVE_STATES:
            raise _refuse(takeover)
        if check.finding_state != FindingState.OPEN:
            message = _("Only an open finding is accepted as is.")
            raise Conflict(message, [FieldProblem("finding", message)])
        check.finding_state, check.waive_note, check.resolved_by = FindingState.WAIVED, note, actor.user
        check.save(update_fields=["finding_state", "waive_note", "resolved_by"])
        _dated(at, record_event(takeover, "takeovers.waived", actor=actor.user,
                                data={"item": check.item, "note": note}))
        _close_notice_if_done(actor, check.notice, at)
    return check


def accept(actor: Actor, takeover: Takeover, *, signed_on, developer_signatory: str, note: str = "",
           at: datetime | None = None) -> Takeover:
    """Sign the confirmation (接管验收确认书): only when every item is checked and every finding is fixed or
    accepted as is — else 422 naming `checks` or `findings` with what is still open."""
    at = at or timezone.now()
    problems = Problems()
    signed_on = _day(problems, "signed_on", signed_on, required=True)
    if signed_on and signed_on > timezone.localdate(at):
        problems.add("signed_on", _("The confirmation cannot be signed in the future."))
    developer_signatory = _text(problems, "developer_signatory", developer_signatory, SIGNATORY_MAX, required=True,
                                message=_("Name who signs for the developer."))
    note = _text(problems, "note", note, NOTE_MAX)
    problems.raise_if_any()
    with transaction.atomic():
        takeover = _move(actor, takeover, "accept")
        unchecked = list(takeover.checks.filter(result=CheckResult.PENDING).values_list("item", flat=True)[:6])
        still_open = list(takeover.checks.filter(finding_state=FindingState.OPEN).values_list("item", flat=True)[:6])
        if unchecked:
            problems.add("checks", _("Not checked yet: %(items)s") % {"items": _list(unchecked)})
        if still_open:
            problems.add("findings", _("Still open: %(items)s") % {"items": _list(still_open)})
        problems.raise_if_any()
        takeover.status, takeover.accepted_on = TRANSITIONS["accept"][1], signed_on
        takeover.developer_signatory, takeover.acceptance_note = developer_signatory, note
        takeover.accepted_by = actor.user
        takeover.save(update_fields=["status", "accepted_on", "developer_signatory", "acceptance_note",
                                     "accepted_by"])
        _dated(at, record_event(takeover, "takeovers.accepted", actor=actor.user, data={
            "on": signed_on.isoformat(), "signatory": developer_signatory, "note": note}))
    return takeover


def _list(items: list[str]) -> str:
    shown = "、".join(items[:5])
    return shown + ("…" if len(items) > 5 else "")


def cancel(actor: Actor, takeover: Takeover, *, reason: str, at: datetime | None = None) -> Takeover:
    """The manager calls the takeover off (a reason is required); its open notices are cancelled and so are their
    rectifications (with their clocks)."""
    from wuye.quality import rectifications

    at = at or timezone.now()
    problems = Problems()
    reason = _text(problems, "reason", reason, REASON_MAX, required=True, message=_("Give the reason."))
    problems.raise_if_any()
    with transaction.atomic():
        takeover = _move(actor, takeover, "cancel")
        takeover.status, takeover.cancel_reason = TRANSITIONS["cancel"][1], reason
        takeover.save(update_fields=["status", "cancel_reason"])
        for notice in takeover.notices.filter(status=NoticeStatus.ISSUED):
            notice.status, notice.closed_at = NoticeStatus.CANCELLED, at
            notice.save(update_fields=["status", "closed_at"])
            rect = rectification_of(notice)
            if rect is not None and rectifications.may_act(actor, rect, "cancel"):
                rectifications.cancel_rectification(actor, rect, reason=reason, at=at)
        _dated(at, record_event(takeover, "takeovers.cancelled", actor=actor.user, data={"reason": reason}))
    return takeover


# -- documents -------------------------------------------------------------------------------------------------------
def _document_fields(problems: Problems, data: dict, *, category_required: bool) -> dict:
    cleaned = {}
    if "category" in data or category_required:
        if data.get("category") not in DocumentCategory.values:
            problems.add("category", _("Choose the kind of document."))
        cleaned["category"] = data.get("category")
    if "name" in data or category_required:
        cleaned["name"] = _text(problems, "name", data.get("name"), DOC_NAME_MAX, required=True,
                                message=_("Name the document."))
    if "status" in data:
        if data["status"] not in DocumentStatus.values:
            problems.add("status", _("Choose expected, received or missing."))
        cleaned["status"] = data["status"]
    if "received_on" in data:
        cleaned["received_on"] = _day(problems, "received_on", data["received_on"])
    if "copies" in data:
        copies = data["copies"]
        if isinstance(copies, str) and copies.strip().isdigit() and len(copies.strip()) <= 4:
            copies = int(copies.strip())
        elif copies in (None, ""):
            copies = 0
        if not isinstance(copies, int) or isinstance(copies, bool) or not 0 <= copies <= COPIES_MAX:
            problems.add("copies", _("Give a number of copies from 0 to %(max)s.") % {"max": COPIES_MAX})
            copies = 0
        cleaned["copies"] = copies
    for field, limit in (("filed_at", FILED_MAX), ("responsible_firm", FIRM_MAX), ("note", DOC_NOTE_MAX)):
        if field in data:
            cleaned[field] = _text(problems, field, data[field], limit)
    if "warranty_ends_on" in data:
        cleaned["warranty_ends_on"] = _day(problems, "warranty_ends_on", data["warranty_ends_on"])
    return cleaned


def _document_rules(problems: Problems, doc: HandoverDocument, today: date) -> None:
    """A received document says when and how many copies; a warranty card its end and the firm responsible."""
    if doc.status == DocumentStatus.RECEIVED:
        if doc.received_on is None:
            problems.add("received_on", _("Give the day it was received."))
        elif doc.received_on > today:
            problems.add("received_on", _("The day received cannot be in the future."))
        if not doc.copies:
            problems.add("copies", _("Give the number of copies received."))
        if doc.category == DocumentCategory.WARRANTY:
            if doc.warranty_ends_on is None:
                problems.add("warranty_ends_on", _("Give the day the warranty ends."))
            if not doc.responsible_firm:
                problems.add("responsible_firm", _("Name the firm responsible for the warranty."))


def update_document(actor: Actor, doc: HandoverDocument, data: dict, *, at: datetime | None = None
                    ) -> HandoverDocument:
    """Change a line of the handover list: its status (expected, received, missing), day received, copies, where
    filed, warranty end and firm responsible, note. A received line needs its day and copies (a warranty card its
    end and firm). Every wrong field is named at once."""
    require(actor, INSPECT)
    at = at or timezone.now()
    problems = Problems()
    cleaned = _document_fields(problems, data, category_required=False)
    problems.raise_if_any()
    with transaction.atomic():
        if not scoped(HandoverDocument.objects.filter(pk=doc.pk), actor).exists():
            raise Http404
        doc = HandoverDocument.objects.select_for_update().get(pk=doc.pk)
        takeover = Takeover.objects.select_for_update().get(pk=doc.takeover_id)
        if takeover.status not in DOCUMENT_STATES:
            raise _refuse(takeover)
        before = doc.status
        for field, value in cleaned.items():
            setattr(doc, field, value)
        if doc.status != DocumentStatus.RECEIVED and "received_on" not in cleaned:
            doc.received_on = doc.received_on if before == doc.status else None
        _document_rules(problems, doc, timezone.localdate(at))
        problems.raise_if_any()
        doc.save()
        _dated(at, record_event(takeover, "takeovers.document_updated", actor=actor.user, data={
            "document": doc.name, "document_status": doc.status, "copies": doc.copies}))
    return doc


def add_document(actor: Actor, takeover: Takeover, data: dict, *, at: datetime | None = None) -> HandoverDocument:
    """Add a line to the handover list (category and name required; the same fields as `update_document`)."""
    require(actor, INSPECT)
    at = at or timezone.now()
    problems = Problems()
    cleaned = _document_fields(problems, data, category_required=True)
    problems.raise_if_any()
    with transaction.atomic():
        _check_may(actor, takeover)
        takeover = _lock(takeover)
        if takeover.status not in DOCUMENT_STATES:
            raise _refuse(takeover)
        if takeover.documents.count() >= 200:
            raise InvalidInput("name", _("A handover list holds at most 200 documents."))
        number = (takeover.documents.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        doc = HandoverDocument(takeover=takeover, number=number, **cleaned)
        _document_rules(problems, doc, timezone.localdate(at))
        problems.raise_if_any()
        doc.save()
        _dated(at, record_event(takeover, "takeovers.document_added", actor=actor.user, data={
            "document": doc.name, "document_status": doc.status}))
    return doc


# -- documents to print ----------------------------------------------------------------------------------------------
def _fmt_day(value) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else "—"


def notice_pdf(notice: RectificationNotice) -> bytes:
    """The rectification notice (整改通知书) handed to the developer: the findings by system, the time limit (the
    day the clock falls due) and the signatures."""
    from wuye.core.pdf import Document

    takeover = notice.takeover
    clock = notice_clock(notice)
    doc = Document(title=f"整改通知书 {takeover.title} 第{notice.number}号")
    doc.heading("整改通知书")
    doc.fields([
        ("致", takeover.developer),
        ("项目", takeover.project.name),
        ("接管验收", takeover.title),
        ("编号", f"第{notice.number}号"),
        ("发出日期", _fmt_day(timezone.localdate(notice.issued_at))),
        ("整改期限", f"{_fmt_day(timezone.localdate(clock.due_at))}前（15个工作日）" if clock else "15个工作日"),
    ])
    doc.paragraph("贵司移交的物业经我司接管验收小组现场检查，发现以下问题，请在规定期限内整改完毕并书面通知我司复查：")
    rows = [[str(n), System(check.system).label, check.item, check.note + (f"（{check.location}）" if check.location
                                                                           else "")]
            for n, check in enumerate(notice.findings.order_by("number"), start=1)]
    doc.table(["序号", "系统", "检查项目", "问题描述"], rows, widths=[14, 30, 56, 70])
    if notice.note:
        doc.paragraph(f"备注：{notice.note}")
    issuer = notice.issued_by.get_full_name() if notice.issued_by else ""
    doc.signature([f"物业服务企业（接管验收小组）：{issuer or '工程部'}", "开发企业签收：__________  日期：__________"])
    return doc.render()


def report_pdf(takeover: Takeover) -> bytes:
    """The takeover report (接管验收报告): scope, team and owner representatives, per system checked / ok /
    findings, the notices and what became of them, the documents received and missing, and the confirmation."""
    from wuye.core.pdf import Document

    doc = Document(title=f"接管验收报告 {takeover.title}")
    doc.heading("接管验收报告")
    buildings = "、".join(f"{b.number}号楼" for b in takeover.buildings.order_by("number")) or "全部楼栋及公共区域"
    doc.fields([
        ("项目", takeover.project.name),
        ("验收范围", f"{takeover.title}（{buildings}）"),
        ("开发企业", takeover.developer + (f"（{takeover.developer_contact}）" if takeover.developer_contact else "")),
        ("计划验收日期", _fmt_day(takeover.planned_on)),
        ("状态", str(takeover.get_status_display())),
        ("验收小组", takeover.members or "—"),
        ("业主代表", takeover.owner_representatives or "—"),
    ])
    doc.paragraph("一、分系统检查结果")
    doc.table(["系统", "检查项", "已检查", "合格", "问题", "未整改", "不适用"],
              [[row["label"], row["items"], row["checked"], row["ok"], row["findings"], row["open"],
                row["not_applicable"]] for row in by_system(takeover)],
              widths=[44, 20, 20, 20, 20, 24, 22], align_right={1, 2, 3, 4, 5, 6})
    findings = list(takeover.checks.filter(result=CheckResult.FINDING).select_related("notice").order_by("number"))
    if findings:
        doc.paragraph("二、发现问题及整改结果")
        doc.table(["系统", "检查项目", "问题", "通知书", "结果"], [
            [System(check.system).label, check.item, check.note,
             f"第{check.notice.number}号" if check.notice else "—",
             str(FindingState(check.finding_state).label) + (f"：{check.waive_note}" if check.waive_note else "")]
            for check in findings], widths=[24, 44, 50, 20, 32])
    notices = list(takeover.notices.order_by("number"))
    if notices:
        doc.paragraph("三、整改通知书")
        rows = []
        for notice in notices:
            clock = notice_clock(notice)
            rows.append([f"第{notice.number}号", _fmt_day(timezone.localdate(notice.issued_at)),
                         _fmt_day(timezone.localdate(clock.due_at)) if clock else "—", notice.findings.count(),
                         str(notice.get_status_display())])
        doc.table(["编号", "发出日期", "整改期限", "问题数", "结果"], rows, widths=[24, 38, 38, 22, 48],
                  align_right={3})
    documents = list(takeover.documents.order_by("number"))
    received = [d for d in documents if d.status == DocumentStatus.RECEIVED]
    missing = [d for d in documents if d.status == DocumentStatus.MISSING]
    doc.paragraph(f"四、资料移交：应移交{len(documents)}项，已接收{len(received)}项，缺失{len(missing)}项")
    doc.table(["资料", "状态", "接收日期", "份数", "存放位置", "保修期至/责任单位"], [
        [d.name, str(d.get_status_display()), _fmt_day(d.received_on) if d.received_on else "—",
         d.copies or "—", d.filed_at or "—",
         (f"{_fmt_day(d.warranty_ends_on)} {d.responsible_firm}".strip() if d.category == DocumentCategory.WARRANTY
          else "—")] for d in documents], widths=[46, 18, 28, 14, 30, 34], align_right={3})
    doc.paragraph("五、接管验收确认书")
    if takeover.status == T.ACCEPTED:
        signer = takeover.accepted_by.get_full_name() if takeover.accepted_by else ""
        doc.paragraph(f"经复查，上述问题均已整改完毕或经项目经理确认接受现状，双方确认该物业于{_fmt_day(takeover.accepted_on)}"
                      f"完成接管验收。" + (f"备注：{takeover.acceptance_note}" if takeover.acceptance_note else ""))
        doc.signature([f"物业服务企业：{signer or '项目经理'}", f"开发企业：{takeover.developer_signatory}",
                       f"签署日期：{_fmt_day(takeover.accepted_on)}"])
    else:
        doc.paragraph("尚未签署。未通过接管验收的物业，不得向业主交付。")
    return doc.render()


def notice_filename(notice: RectificationNotice) -> str:
    from wuye.core.downloads import download_name

    return download_name("整改通知书", notice.takeover.title, f"第{notice.number}号", ext="pdf")


def report_filename(takeover: Takeover) -> str:
    from wuye.core.downloads import download_name

    return download_name("接管验收报告", takeover.project.name, takeover.title, ext="pdf")


# -- sentences -------------------------------------------------------------------------------------------------------
register_terms(
    details={"takeover_system": gettext_lazy("system"), "check_result": gettext_lazy("result"),
             "document_status": gettext_lazy("document status")},
    values={"takeover_system": dict(System.choices), "check_result": dict(CheckResult.choices),
            "document_status": dict(DocumentStatus.choices)})


def _checked(event, fields) -> str:
    if fields.raw.get("check_result") == CheckResult.FINDING:
        return _("Finding at %(item)s (%(takeover_system)s): %(note)s") % fields
    return _("Checked %(item)s (%(takeover_system)s): %(check_result)s") % fields


def _reinspected(event, fields) -> str:
    if fields.raw.get("fixed"):
        return _("Re-inspected %(item)s: fixed") % fields
    return _("Re-inspected %(item)s: not fixed, %(note)s") % fields


register_sentences({
    "takeovers.created": (gettext_lazy("Takeover %(title)s from %(developer)s planned for %(on)s, %(items)s items "
                                       "to check"), {"example": {
        "title": "一期1-3号楼", "developer": "华景置业", "on": "2026-09-20", "items": 34, "buildings": ["1", "2"]}}),
    "takeovers.started": (gettext_lazy("The on-site inspection began"), {"example": {}}),
    "takeovers.checked": (_checked, {"example": {
        "item": "墙面平整，无空鼓、开裂、渗水", "takeover_system": "civil", "check_result": "finding",
        "note": "2号楼3层走廊墙面开裂", "photos": 1}}),
    "takeovers.notice_issued": (gettext_lazy("Rectification notice No. %(number)s issued to the developer with "
                                             "%(findings)s findings, due %(due_at)s"), {"example": {
        "number": 1, "findings": 3, "due_at": "2026-10-22T18:00:00+08:00"}}),
    "takeovers.reinspection_started": (gettext_lazy("The re-inspection began"), {"example": {}}),
    "takeovers.reinspected": (_reinspected, {"example": {
        "item": "电梯空载运行3次无异常", "fixed": False, "note": "第二次运行仍有异响"}}),
    "takeovers.waived": (gettext_lazy("Finding at %(item)s accepted as is: %(note)s"), {"example": {
        "item": "绿化景观完好，无缺苗、枯死", "note": "开发商已书面承诺春季补种"}}),
    "takeovers.notice_closed": (gettext_lazy("Every finding of rectification notice No. %(number)s is resolved"),
                                {"example": {"number": 1}}),
    "takeovers.accepted": (gettext_lazy("Takeover confirmation signed on %(on)s with %(signatory)s for the "
                                        "developer"), {"example": {
        "on": "2026-10-28", "signatory": "李建国", "note": ""}}),
    "takeovers.cancelled": (gettext_lazy("Takeover cancelled: %(reason)s"), {"example": {"reason": "开发商延期交付"}}),
    "takeovers.document_updated": (gettext_lazy("Handover list: %(document)s is %(document_status)s"), {
        "example": {"document": "电梯保修卡", "document_status": "received", "copies": 2}}),
    "takeovers.document_added": (gettext_lazy("Handover list: %(document)s added"), {
        "example": {"document": "人防工程验收资料", "document_status": "expected"}}),
})
