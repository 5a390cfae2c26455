"""Shift handovers (交接班) at duty posts (seed 001 ch.4 §1 and the order chapter): the outgoing shift writes the
三清 — situation (情况清), items handed over (物品清), open matters (记录清) — and the handover is complete only when a
different user of the incoming shift, staff of the post's department on its project, confirms it. Handing over
starts the `handover.confirm` clock (30 calendar minutes); the SLA sweep flags it and tells the department's
supervisors when nobody confirms in time.

The states are a table: pending → confirmed (by `confirm`); nothing else moves a handover."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wuye.core.access import Actor, require
from wuye.core.errors import Conflict, InvalidInput, NotAllowed, Problems
from wuye.core.events import record_event
from wuye.core.sentences import register_sentences, register_terms
from wuye.core.validators import check_plausible_date
from wuye.sla.engine import start_clock, stop_clock

from .models import STAFF_ROLES, DutyPost, Handover, HandoverStatus

CLOCK_KEY = "handover.confirm"
POST_NAME_MAX = 60
SHIFT_NAME_MAX = 20  # Handover.outgoing_shift
SHIFTS_MAX = 6
SITUATION_MAX = 2000
OPEN_MATTERS_MAX = 2000
ITEMS_MAX = 50
ITEM_NAME_MAX = 40
ITEM_COUNT_MAX = 9999
CONFIRM_NOTE_MAX = 300  # Handover.confirm_note
# A handover is written at the end of a shift: for today's shift, or yesterday's night shift handing over after
# midnight (the demo hands the night shift over at 08:00 the next morning); a day ahead at most.
SHIFT_DATE_DAYS_BACK = 1
DEPARTMENTS = {value for value, _label in STAFF_ROLES}
TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")

# The one transition: who may take it is `may_confirm`.
TRANSITIONS = {HandoverStatus.PENDING: {"confirm": HandoverStatus.CONFIRMED}}


def _text(problems: Problems, field: str, value, limit: int, *, required=False, message=None) -> str:
    text = str(value or "").strip()
    if required and not text:
        problems.add(field, message or _("This field is required."))
    elif len(text) > limit:
        problems.add(field, _("At most %(count)s characters.") % {"count": limit})
    return text


def parse_shifts(problems: Problems, shifts) -> list[dict]:
    """Shifts as [{"name": "白班", "starts": "08:00"}, …] from dicts or "白班 08:00" lines; names unique."""
    if isinstance(shifts, str):
        shifts = [line for line in shifts.splitlines() if line.strip()]
    if not isinstance(shifts, list | tuple):
        problems.add("shifts", _("Give the shifts as a list."))
        return []
    if len(shifts) > SHIFTS_MAX:
        problems.add("shifts", _("At most %(count)s shifts.") % {"count": SHIFTS_MAX})
        return []
    cleaned, seen = [], set()
    for number, shift in enumerate(shifts):
        field = f"shifts[{number}]"
        if isinstance(shift, str):
            name, _sep, starts = shift.strip().rpartition(" ")
            if not name:
                name, starts = starts, ""
        elif isinstance(shift, dict):
            name, starts = shift.get("name"), shift.get("starts")
        else:
            problems.add(field, _("Give the shift's name and start time, e.g. 白班 08:00."))
            continue
        name = str(name or "").strip()
        starts = str(starts or "").strip()
        if not name or len(name) > SHIFT_NAME_MAX:
            problems.add(f"{field}.name", _("Give the shift a name of at most %(count)s characters.")
                         % {"count": SHIFT_NAME_MAX})
            continue
        match = TIME.match(starts)
        if not match:
            problems.add(f"{field}.starts", _("Give the start time as HH:MM, e.g. 08:00."))
            continue
        if name in seen:
            problems.add(f"{field}.name", _("Two shifts are named %(name)s.") % {"name": name})
            continue
        seen.add(name)
        cleaned.append({"name": name, "starts": f"{int(match[1]):02d}:{match[2]}"})
    return cleaned


def shift_names(post: DutyPost) -> list[str]:
    return [shift["name"] for shift in post.shifts or ()]


def next_shift(post: DutyPost, name: str) -> str:
    """The shift after `name` in the post's rota (the first after the last), or "" when the post lists none."""
    names = shift_names(post)
    if name not in names:
        return ""
    return names[(names.index(name) + 1) % len(names)]


def _visible(actor: Actor, project_id: int, company_id: int) -> bool:
    return actor.is_superuser or (actor.is_staff_member and actor.company_id == company_id
                                  and actor.sees_project(project_id))


def of_department(actor: Actor, post: DutyPost) -> bool:
    """Whether `actor` is staff of the post's department working on its project (the superuser stands in)."""
    return actor.is_superuser or (
        actor.role == post.department and _visible(actor, post.project_id, post.project.company_id))


# -- posts ----------------------------------------------------------------------------------------------------------
def create_post(actor: Actor, *, project, name, department, shifts=()) -> DutyPost:
    """A duty post of `department` on `project` with its shifts in order (name and start time). A second post of
    the same name on the project is a conflict (409)."""
    require(actor, "facilities.manage_posts")
    if project is None or not _visible(actor, project.pk, project.company_id):
        raise InvalidInput("project", _("No such project."))
    problems = Problems()
    name = _text(problems, "name", name, POST_NAME_MAX, required=True, message=_("Name the post."))
    if department not in DEPARTMENTS:
        problems.add("department", _("Choose the department that keeps the post."))
    cleaned = parse_shifts(problems, shifts)
    problems.raise_if_any()
    if DutyPost.objects.filter(project=project, name=name).exists():
        raise Conflict(_("The project already has a post named %(name)s.") % {"name": name})
    try:
        with transaction.atomic():
            post = DutyPost.objects.create(project=project, name=name, department=department, shifts=cleaned)
            record_event(post, "facilities.post.created", actor=actor.user, data={
                "name": name, "department": department, "shifts": len(cleaned)})
    except IntegrityError:
        raise Conflict(_("The project already has a post named %(name)s.") % {"name": name}) from None
    return post


# -- handing over ---------------------------------------------------------------------------------------------------
def _items(problems: Problems, items) -> list[dict]:
    if items in (None, ""):
        return []
    if not isinstance(items, list | tuple):
        problems.add("items", _("Give the items as a list of name and count."))
        return []
    if len(items) > ITEMS_MAX:
        problems.add("items", _("At most %(count)s items.") % {"count": ITEMS_MAX})
        return []
    cleaned = []
    for number, item in enumerate(items):
        field = f"items[{number}]"
        if not isinstance(item, dict):
            problems.add(field, _("Give the item's name and count."))
            continue
        name = str(item.get("name") or "").strip()
        if not name or len(name) > ITEM_NAME_MAX:
            problems.add(f"{field}.name", _("Name the item in at most %(count)s characters.")
                         % {"count": ITEM_NAME_MAX})
            continue
        try:
            count = int(item.get("count", 1))
        except (TypeError, ValueError):
            count = -1
        if not 0 <= count <= ITEM_COUNT_MAX:
            problems.add(f"{field}.count", _("Give a count from 0 to %(max)s.") % {"max": ITEM_COUNT_MAX})
            continue
        cleaned.append({"name": name, "count": count})
    return cleaned


def _shift_date(problems: Problems, value, today: date) -> date | None:
    if isinstance(value, datetime):
        value = timezone.localdate(value) if timezone.is_aware(value) else value.date()
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            problems.add("shift_date", _("Give a date."))
            return None
    if not isinstance(value, date):
        problems.add("shift_date", _("Give a date."))
        return None
    try:
        check_plausible_date(value)
    except ValueError as error:
        problems.add("shift_date", error)
        return None
    if not today - timedelta(days=SHIFT_DATE_DAYS_BACK) <= value <= today + timedelta(days=1):
        problems.add("shift_date", _("A handover is written for today's or yesterday's shift."))
        return None
    return value


def hand_over(actor: Actor, *, post: DutyPost, shift_date, outgoing_shift, situation, items=(),
              open_matters: str = "", incoming_shift: str = "", at: datetime | None = None) -> Handover:
    """The outgoing shift hands over: situation (required), items (name + count, at most 50) and open matters.
    One handover per post, date and outgoing shift (a second is a 409). Starts the 30-minute `handover.confirm`
    clock. Only staff of the post's department on its project write one (others 403; outside scope 404)."""
    require(actor, "facilities.handover")
    if not _visible(actor, post.project_id, post.project.company_id):
        raise Http404
    if not of_department(actor, post):
        raise NotAllowed(_("Only staff of %(department)s keep this post.") % {
            "department": post.get_department_display()})
    at = at or timezone.now()
    problems = Problems()
    if not post.is_active:
        problems.add("post", _("This post is no longer kept."))
    day = _shift_date(problems, shift_date, timezone.localdate(at))
    names = shift_names(post)
    outgoing_shift = _text(problems, "outgoing_shift", outgoing_shift, SHIFT_NAME_MAX, required=True,
                           message=_("Say which shift hands over."))
    if names and outgoing_shift and outgoing_shift not in names:
        problems.add("outgoing_shift", _("Choose one of the post's shifts: %(names)s.") % {"names": "、".join(names)})
    incoming_shift = _text(problems, "incoming_shift", incoming_shift, SHIFT_NAME_MAX)
    if names and incoming_shift and incoming_shift not in names:
        problems.add("incoming_shift", _("Choose one of the post's shifts: %(names)s.") % {"names": "、".join(names)})
    incoming_shift = incoming_shift or next_shift(post, outgoing_shift)
    situation = _text(problems, "situation", situation, SITUATION_MAX, required=True,
                      message=_("Describe the situation on the shift (情况清)."))
    cleaned = _items(problems, items)
    open_matters = _text(problems, "open_matters", open_matters, OPEN_MATTERS_MAX)
    problems.raise_if_any()
    taken = _("%(shift)s of %(day)s at %(post)s has already handed over.") % {
        "shift": outgoing_shift, "day": day.strftime("%m-%d"), "post": post.name}
    if Handover.objects.filter(post=post, shift_date=day, outgoing_shift=outgoing_shift).exists():
        raise Conflict(taken)
    try:
        with transaction.atomic():
            handover = Handover.objects.create(
                project_id=post.project_id, post=post, shift_date=day, outgoing_shift=outgoing_shift,
                incoming_shift=incoming_shift, outgoing_user=actor.user, handed_at=at, situation=situation,
                items=cleaned, open_matters=open_matters)
            start_clock(handover, CLOCK_KEY, project=post.project, at=at, actor=actor.user)
            record_event(handover, "facilities.handover.handed", actor=actor.user, data={
                "post": post.name, "shift": outgoing_shift, "incoming": incoming_shift, "items": len(cleaned),
                "open_matters": bool(open_matters)})
    except IntegrityError:
        raise Conflict(taken) from None
    return handover


def may_confirm(actor: Actor, handover: Handover) -> bool:
    """A different user than the one who handed over, of the post's department on its project."""
    return (handover.status == HandoverStatus.PENDING and actor.may("facilities.handover")
            and of_department(actor, handover.post) and getattr(actor.user, "pk", None) != handover.outgoing_user_id)


def confirm(actor: Actor, handover: Handover, *, note: str = "", at: datetime | None = None) -> Handover:
    """The incoming shift takes over: complete only when confirmed by a different user (the one who handed over
    → 409), staff of the post's department on its project (another department → 403, outside scope → 404).
    Stops the `handover.confirm` clock; a second confirmation is a 409."""
    require(actor, "facilities.handover")
    if not _visible(actor, handover.project_id, handover.post.project.company_id):
        raise Http404
    if not of_department(actor, handover.post):
        raise NotAllowed(_("Only staff of %(department)s take over this post.") % {
            "department": handover.post.get_department_display()})
    problems = Problems()
    note = _text(problems, "note", note, CONFIRM_NOTE_MAX)
    problems.raise_if_any()
    at = at or timezone.now()
    with transaction.atomic():
        handover = Handover.objects.select_for_update().select_related("post", "outgoing_user").get(pk=handover.pk)
        target = TRANSITIONS.get(handover.status, {}).get("confirm")
        if target is None:
            raise Conflict(_("This handover is already confirmed."))
        if handover.outgoing_user_id == getattr(actor.user, "pk", None):
            raise Conflict(_("A different person of the incoming shift must confirm the handover."))
        clock = stop_clock(handover, CLOCK_KEY, at=at, actor=actor.user)
        handover.status, handover.incoming_user, handover.confirmed_at = target, actor.user, at
        handover.confirm_note = note
        handover.save(update_fields=["status", "incoming_user", "confirmed_at", "confirm_note"])
        minutes = max(int((at - handover.handed_at).total_seconds() // 60), 0)
        record_event(handover, "facilities.handover.confirmed", actor=actor.user, data={
            "post": handover.post.name, "minutes": minutes, "late": bool(clock and clock.state == "breached"),
            "note": note})
    return handover


# -- reading --------------------------------------------------------------------------------------------------------
def with_confirm_due(handovers):
    """Handovers annotated with `confirm_due` (their confirmation clock's deadline) and `confirm_breached` (when
    the sweep found it late)."""
    from django.contrib.contenttypes.models import ContentType

    from wuye.sla.models import Clock

    clocks = Clock.objects.filter(subject_type=ContentType.objects.get_for_model(Handover),
                                  subject_id=OuterRef("pk"), key=CLOCK_KEY).order_by("-started_at", "-id")
    return handovers.annotate(confirm_due=Subquery(clocks.values("due_at")[:1]),
                              confirm_breached=Subquery(clocks.values("breached_at")[:1]))


def unconfirmed(handovers, now: datetime):
    """The handovers of `handovers` still waiting for the incoming shift past their confirmation limit: pending, and
    the sweep marked the clock breached or its deadline has passed by `now`. The one rule behind the handover
    list's "unconfirmed" filter (console and API), the dashboard's count and `is_unconfirmed`."""
    from django.db.models import Q

    if "confirm_due" not in handovers.query.annotations:
        handovers = with_confirm_due(handovers)
    return handovers.filter(Q(confirm_breached__isnull=False) | Q(confirm_due__lte=now),
                            status=HandoverStatus.PENDING)


def is_unconfirmed(handover: Handover, now: datetime | None = None) -> bool:
    """`unconfirmed`'s rule for one handover (shown red). Rows annotated by `with_confirm_due` are judged without
    a query; others ask the database through `unconfirmed` itself."""
    now = now or timezone.now()
    if handover.status != HandoverStatus.PENDING:
        return False
    if not hasattr(handover, "confirm_due"):
        return unconfirmed(Handover.objects.filter(pk=handover.pk), now).exists()
    # The same condition as `unconfirmed`'s filter, on the annotated values.
    breached, due = getattr(handover, "confirm_breached", None), handover.confirm_due
    return breached is not None or (due is not None and due <= now)


def book(post: DutyPost, day: date):
    """The post's handovers of `day`, in the order they were made (the 交接班记录表 of that day)."""
    return with_confirm_due(post.handovers.filter(shift_date=day)).select_related(
        "outgoing_user", "incoming_user").order_by("handed_at", "id")


register_terms(details={"post": gettext_lazy("duty post"), "shift": gettext_lazy("shift"),
                        "incoming": gettext_lazy("incoming shift"), "items": gettext_lazy("items handed over"),
                        "minutes": gettext_lazy("minutes after handing over"), "shifts": gettext_lazy("shifts"),
                        "department": gettext_lazy("department")},
               values={"department": dict(STAFF_ROLES)})


def _confirmed(event, fields) -> str:
    text = _("Handover confirmed by the incoming shift after %(minutes)s minutes") % fields
    if fields.raw.get("late"):
        text = _("%(text)s; later than the time limit") % {"text": text}
    if fields.raw.get("note"):
        text = _("%(text)s: %(note)s") % {"text": text, "note": fields.raw["note"]}
    return text


register_sentences({
    "facilities.post.created": (gettext_lazy("Duty post created: %(name)s (%(department)s, %(shifts)s shifts)"), {
        "example": {"name": "监控中心", "department": "security", "shifts": 2}}),
    "facilities.handover.handed": (gettext_lazy("%(shift)s handed over at %(post)s"), {
        "details": ("incoming", "items"), "example": {
            "post": "配电房值班", "shift": "白班", "incoming": "夜班", "items": 3, "open_matters": True}}),
    "facilities.handover.confirmed": (_confirmed, {
        "example": {"post": "配电房值班", "minutes": 12, "late": False, "note": "已清点对讲机2台"}}),
})
