"""Visitors at the gate (来访登记): registration with the identity checked and masked, the host unit's confirmation
(portal or a call on record), the temporary pass (code and QR) checked at exit; owners pre-register and share
the pass.

The status table (`TRANSITIONS`) is the whole life of a visit: a visitor registered at the gate waits for the
unit (waiting → inside once the owner confirms in the portal or the gate's call is on record, or → refused when
the unit declines); one registered ahead by the owner is expected (→ inside, or cancelled, or expired by the
job when the pass runs out unused); inside → left when the pass is checked at exit (leaving after `valid_until`
records `overstayed`). Every step is one function that records its event.

The identity number is never stored: only its masked form and `id_digest`, a keyed hash (HMAC-SHA256 with the
site's SECRET_KEY) of the normalized number, by which the same person is found again ("第 3 次来访")."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import uuid
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wuye.core.access import Actor, require, scoped
from wuye.core.errors import Conflict, FieldProblem, InvalidInput, NotAllowed, Problems
from wuye.core.events import compose_event, record_event, record_events
from wuye.core.outbox import Links, notify
from wuye.core.pii import mask_id_number
from wuye.core.scheduling import periodic
from wuye.core.sentences import format_time, register_sentences, register_terms
from wuye.core.validators import check_text, normalize_id_number, normalize_phone, normalize_plate
from wuye.tenancy.models import Unit

from .models import HostConfirmation, IdType, Visitor, VisitorStatus

GATE = "security.gate"
OWN = "security.own_visitors"

WAITING, EXPECTED, INSIDE = VisitorStatus.WAITING, VisitorStatus.EXPECTED, VisitorStatus.INSIDE
LEFT, REFUSED, CANCELLED, EXPIRED = (VisitorStatus.LEFT, VisitorStatus.REFUSED, VisitorStatus.CANCELLED,
                                     VisitorStatus.EXPIRED)

# action: (statuses it is taken from, status after — None: unchanged)
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    "confirm": (frozenset({WAITING, EXPECTED}), None),  # the unit agrees; the status waits for the gate
    "decline": (frozenset({WAITING}), REFUSED),
    "admit": (frozenset({WAITING, EXPECTED}), INSIDE),
    "check_out": (frozenset({INSIDE}), LEFT),
    "cancel": (frozenset({EXPECTED}), CANCELLED),
    "expire": (frozenset({EXPECTED}), EXPIRED),
}
CONFIRMED = frozenset({HostConfirmation.PORTAL, HostConfirmation.CALL})

NAME_MAX = Visitor._meta.get_field("name").max_length
PURPOSE_MAX = Visitor._meta.get_field("purpose").max_length
CALL_NOTE_MAX = Visitor._meta.get_field("call_note").max_length
ID_INPUT_MAX = 40  # what anyone types as a document number, before it is checked
PARTY_MAX = 20
DAYS_AHEAD_MAX = 7  # a pass is valid until at most the end of the 7th day from today
# Pass codes: six characters without the ones read wrongly on a phone screen (0/O, 1/I/L).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
CODE_TRIES = 8
# Other documents (passport, travel permits): letters and digits only, as printed.
_OTHER_ID = re.compile(r"^[A-Z0-9]{5,20}$")
_UUID_IN_TEXT = re.compile(r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}")
CLOCK_SKEW = timedelta(minutes=5)  # a time given may run this far ahead of the server's clock
MAX_PAST = timedelta(hours=24)  # a time given for a step (registered, let in, left) is at most this old


# -- sentences ------------------------------------------------------------------------------------------------
def _registered(event, fields) -> str:
    text = gettext("Registered at the gate for %(unit)s: %(purpose)s") % fields
    if (fields.raw.get("visit_number") or 1) > 1:
        text = gettext("%(text)s (visit no. %(number)s)") % {"text": text, "number": fields.raw["visit_number"]}
    return text


def _checked_out(event, fields) -> str:
    if fields.raw.get("overstayed"):
        return gettext("Left after the pass expired (valid until %(valid_until)s)") % {
            "valid_until": format_time(fields.raw.get("valid_until"))}
    return gettext("Left; pass checked at the gate")


register_terms(details={"call_note": _("call on record"), "party_size": _("people"), "plate": _("plate"),
                        "id_masked": _("identity number")})
register_sentences({
    "security.visitor.registered": (_registered, {
        "details": ("party_size", "plate", "id_masked"),
        "example": {"unit": "1栋1单元101", "purpose": "探亲", "party_size": 2, "plate": "粤B12345",
                    "id_masked": "110105********1234", "visit_number": 3}}),
    "security.visitor.pre_registered": (_("Registered ahead by the owner for %(unit)s: %(purpose)s"), {
        "details": ("party_size", "plate"),
        "example": {"unit": "1栋1单元101", "purpose": "朋友来访", "party_size": 1, "plate": ""}}),
    "security.visitor.confirmed_portal": (_("The owner confirmed the visit in the portal"), {"example": {}}),
    "security.visitor.confirmed_call": (_("The unit confirmed the visit by phone"), {
        "details": ("call_note",), "example": {"call_note": "业主张先生接听，同意"}}),
    "security.visitor.declined": (_("The unit declined the visit; not let in"), {
        "details": ("call_note",), "example": {"call_note": "业主称不认识来访人"}}),
    "security.visitor.admitted": (_("Let in at the gate"), {
        "details": ("id_masked",), "example": {"id_masked": "110105********1234"}}),
    "security.visitor.checked_out": (_checked_out, {
        "example": {"overstayed": True, "valid_until": "2026-12-02T23:59:59+08:00"}}),
    "security.visitor.cancelled": (_("Visit cancelled"), {"example": {}}),
    "security.visitor.expired": (_("Pass expired unused"), {"example": {}}),
})


# -- small helpers --------------------------------------------------------------------------------------------
def id_digest(number: str) -> str:
    """The keyed hash of a normalized document number: the same person gives the same digest, and the number
    cannot be read back from it without the site's key."""
    return hmac.new(settings.SECRET_KEY.encode(), number.encode(), hashlib.sha256).hexdigest()


def check_identity(problems: Problems, id_type, id_number, *, required: bool = True) -> tuple[str, str, str]:
    """(id_type, masked number, digest) of a document: a resident ID card by its GB 11643 check digit, any other
    document as 5–20 letters and digits. Problems name `id_type` or `id_number`."""
    id_type = id_type or IdType.RESIDENT_ID
    if id_type not in IdType.values:
        problems.add("id_type", gettext("Choose one of: %(values)s.") % {"values": ", ".join(IdType.values)})
        return IdType.RESIDENT_ID, "", ""
    raw = id_number if isinstance(id_number, str) else ("" if id_number is None else str(id_number))
    if len(raw) > ID_INPUT_MAX:
        problems.add("id_number", gettext("At most %(count)s characters.") % {"count": ID_INPUT_MAX})
        return id_type, "", ""
    raw = re.sub(r"[\s\-]", "", raw).upper()
    if not raw:
        if required:
            problems.add("id_number", gettext("Enter the identity document's number."))
        return id_type, "", ""
    if id_type == IdType.RESIDENT_ID:
        number = problems.check("id_number", normalize_id_number, raw)
        if number is None:
            return id_type, "", ""
    else:
        if not _OTHER_ID.match(raw):
            problems.add("id_number", gettext("A document number has 5 to 20 letters and digits."))
            return id_type, "", ""
        number = raw
    return id_type, mask_id_number(number), id_digest(number)


def clean_text(problems: Problems, field: str, value, limit: int, *, required: str = "") -> str:
    """`value` with its whitespace collapsed, bounded to `limit` characters; `required` is the message when empty."""
    value = value if isinstance(value, str) else ("" if value is None else str(value))
    if len(value) > limit * 4:  # bounded before any work on it
        problems.add(field, gettext("At most %(count)s characters.") % {"count": limit})
        return ""
    value = " ".join(value.split())
    if problems.check(field, check_text, value) is None:
        return ""
    if len(value) > limit:
        problems.add(field, gettext("At most %(count)s characters.") % {"count": limit})
        return ""
    if not value and required:
        problems.add(field, required)
    return value


def _optional(problems: Problems, field: str, normalize, value, limit: int = 30) -> str:
    value = value if isinstance(value, str) else ("" if value is None else str(value))
    if not value.strip():
        return ""
    if len(value) > limit:
        problems.add(field, gettext("At most %(count)s characters.") % {"count": limit})
        return ""
    return problems.check(field, normalize, value) or ""


def end_of_day(day) -> datetime:
    """The last second of `day` in local time: a pass given "for today" runs until then."""
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(value) -> str:
    """A typed pass code, upper-cased without spaces; at most 20 characters are looked at."""
    value = value if isinstance(value, str) else ""
    return re.sub(r"[\s\-]", "", value[:20]).upper()


def token_in(text) -> uuid.UUID | None:
    """The pass token inside a scanned text (the pass page's URL, or the bare token), else None."""
    if not isinstance(text, str) or len(text) > 500:
        return None
    match = _UUID_IN_TEXT.search(text)
    if match is None:
        return None
    try:
        return uuid.UUID(match.group(0))
    except ValueError:
        return None


def _moment(problems: Problems, at, *, now: datetime | None = None, field: str = "at") -> datetime:
    """`at` (default now): at most CLOCK_SKEW ahead of `now` and at most MAX_PAST before it. `now` is the clock
    the bounds read (default the wall clock; the demo replays past days with it)."""
    now = now or timezone.now()
    if at is None:
        return now
    if not isinstance(at, datetime):
        problems.add(field, gettext("Give a date and time."))
        return now
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    if at > now + CLOCK_SKEW:
        problems.add(field, gettext("The time cannot be in the future."))
    elif at < now - MAX_PAST:
        problems.add(field, gettext("The time cannot be more than %(hours)s hours ago.") % {
            "hours": int(MAX_PAST.total_seconds() // 3600)})
    return at


def _user(actor: Actor):
    return actor.user if getattr(actor.user, "pk", None) else None


def _step(visitor: Visitor, action: str) -> str | None:
    """The status after `action`, or Conflict when the table does not allow it from the visitor's status."""
    sources, after = TRANSITIONS[action]
    if visitor.status not in sources:
        raise Conflict(gettext("Not possible now: the visitor is %(status)s.") % {
            "status": visitor.get_status_display()})
    return after


def _lock(visitor: Visitor) -> Visitor:
    return Visitor.objects.select_for_update().select_related("unit", "project").get(pk=visitor.pk)


def _may_act_as_owner(actor: Actor, visitor: Visitor) -> bool:
    return actor.is_owner and actor.may(OWN) and visitor.unit_id in actor.unit_ids


def _check_visible(actor: Actor, visitor: Visitor) -> None:
    """Staff of the visitor's project, or an owner of its unit; anyone else is told it does not exist."""
    if actor.is_owner:
        if visitor.unit_id not in actor.unit_ids:
            raise InvalidInput("visitor", gettext("No such visitor."))
        return
    if not scoped(Visitor.objects.filter(pk=visitor.pk), actor).exists():
        raise InvalidInput("visitor", gettext("No such visitor."))


def _owners_of(unit_id: int) -> list:
    """The portal accounts of the people living in the unit (owners and their households)."""
    from wuye.people.models import Residency  # people sits beside security; imported late to keep floors apart

    return list({r.resident.user for r in Residency.objects.current().filter(unit_id=unit_id,
                                                                               resident__user__isnull=False)
                 .select_related("resident__user")})


def visit_number(visitor: Visitor) -> int:
    """Which visit of this person (by `id_digest`) to the project this is: 1 for the first."""
    if not visitor.id_digest:
        return 1
    return Visitor.objects.filter(project_id=visitor.project_id, id_digest=visitor.id_digest,
                                  pk__lte=visitor.pk).count()


def visit_numbers(visitors) -> dict[int, int]:
    """`visit_number` of a page of visitors in one query."""
    visitors = [v for v in visitors if v.id_digest]
    if not visitors:
        return {}
    digests = {v.id_digest for v in visitors}
    project_ids = {v.project_id for v in visitors}
    earlier = {}
    for pk, project_id, digest in (Visitor.objects.filter(project_id__in=project_ids, id_digest__in=digests)
                                   .values_list("pk", "project_id", "id_digest")):
        earlier.setdefault((project_id, digest), []).append(pk)
    return {v.pk: sum(1 for pk in earlier.get((v.project_id, v.id_digest), []) if pk <= v.pk) for v in visitors}


def is_overdue(visitor: Visitor, now: datetime | None = None) -> bool:
    """Still inside after the pass expired (the page marks the row)."""
    return visitor.status == INSIDE and (now or timezone.now()) > visitor.valid_until


def pass_url(visitor: Visitor) -> str:
    return reverse("security:visitor_pass", args=[visitor.pass_token])


def allowed_actions(actor: Actor, visitor: Visitor) -> list[str]:
    """What `actor` may do with `visitor` now (the buttons a page offers)."""
    actions = []
    if actor.is_owner:
        if not _may_act_as_owner(actor, visitor):
            return []
        if visitor.confirmation == HostConfirmation.PENDING and visitor.status in TRANSITIONS["confirm"][0]:
            actions.append("confirm")
        if visitor.status in TRANSITIONS["decline"][0]:
            actions.append("decline")
        if visitor.status in TRANSITIONS["cancel"][0]:
            actions.append("cancel")
        return actions
    if not actor.may(GATE):
        return []
    if visitor.confirmation == HostConfirmation.PENDING and visitor.status in TRANSITIONS["confirm"][0]:
        actions.append("confirm")
    if visitor.status in TRANSITIONS["decline"][0]:
        actions.append("decline")
    if visitor.status in TRANSITIONS["admit"][0] and visitor.confirmation in CONFIRMED:
        actions.append("admit")
    if visitor.status in TRANSITIONS["check_out"][0]:
        actions.append("check_out")
    if visitor.status in TRANSITIONS["cancel"][0]:
        actions.append("cancel")
    return actions


# -- reading --------------------------------------------------------------------------------------------------
def visible_visitors(actor: Actor):
    """The visitors `actor` may see (staff: their projects; an owner: their own units), newest first."""
    return scoped(Visitor.objects.all(), actor).select_related("project", "unit__building")


def visitors_inside(actor: Actor):
    """Visitors inside now, in `actor`'s scope, those in longest first."""
    return visible_visitors(actor).filter(status=INSIDE).order_by("entered_at", "id")


def visitors_waiting(actor: Actor):
    """Visitors at the gate waiting for their unit's answer, oldest first."""
    return visible_visitors(actor).filter(status=WAITING).order_by("created_at", "id")


def visitors_expected(actor: Actor, day=None):
    """Visitors registered ahead whose pass is still valid on `day` (default today)."""
    day = day or timezone.localdate()
    return (visible_visitors(actor).filter(status=EXPECTED, valid_until__gte=end_of_day(day) - timedelta(days=1))
            .order_by("valid_until", "id"))


def registered_on(visitors, day):
    """`visitors` narrowed to those registered on `day` (local time)."""
    start = timezone.make_aware(datetime.combine(day, time.min))
    return visitors.filter(created_at__gte=start, created_at__lt=start + timedelta(days=1))


def visitors_on(actor: Actor, day):
    """Visitors registered on `day` (local), newest first."""
    return registered_on(visible_visitors(actor), day)


# -- writing --------------------------------------------------------------------------------------------------
def _check_unit(actor: Actor, project, unit) -> None:
    if not isinstance(unit, Unit) or unit.project_id != getattr(project, "pk", None):
        raise InvalidInput("unit_id", gettext("Choose a unit of this project."))
    if actor.is_owner:
        if unit.pk not in actor.unit_ids:
            raise InvalidInput("unit_id", gettext("Choose one of your homes."))
    elif not scoped(Unit.objects.filter(pk=unit.pk), actor).exists():
        raise InvalidInput("unit_id", gettext("Choose a unit of your projects."))


@transaction.atomic
def register_visitor(actor: Actor, *, project, unit, name, id_type, id_number, purpose, phone="", plate="",
                     party_size=1, valid_until=None, pre_registered=False, at=None,
                     now: datetime | None = None) -> Visitor:
    """Register a visitor to `unit` and give them a pass (six-character code, QR of the pass page).

    At the gate (staff with security.gate) the visitor waits for the unit: its residents are asked in the portal
    and by an in-app notice, or the gate calls and puts the call on record (`confirm_visit`). An owner registers
    ahead (`pre_registered` implied): the visit is expected and already confirmed in the portal. The document
    number is checked (a resident ID by its check digit) and kept only masked with its keyed digest; the plate
    and phone are normalized; `party_size` is 1–20; `valid_until` defaults to the end of today and may be at
    most the end of the 7th day ahead; `at` (default now) is at most MAX_PAST old. Every wrong field is a 422
    naming it, with nothing written."""
    if actor.is_owner:
        require(actor, OWN)
        pre_registered = True
    else:
        require(actor, GATE)
    _check_unit(actor, project, unit)
    problems = Problems()
    name = clean_text(problems, "name", name, NAME_MAX, required=gettext("Enter the visitor's name."))
    id_type, masked, digest = check_identity(problems, id_type, id_number, required=not actor.is_owner)
    purpose = clean_text(problems, "purpose", purpose, PURPOSE_MAX, required=gettext("Say what the visit is for."))
    phone = _optional(problems, "phone", normalize_phone, phone)
    plate = _optional(problems, "plate", normalize_plate, plate)
    try:
        party_size = int(party_size if party_size not in (None, "") else 1)
    except (TypeError, ValueError):
        problems.add("party_size", gettext("Give a whole number."))
        party_size = 1
    else:
        if not 1 <= party_size <= PARTY_MAX:
            problems.add("party_size", gettext("Give a number from 1 to %(max)s.") % {"max": PARTY_MAX})
    at = _moment(problems, at, now=now)
    today = timezone.localdate(at)
    latest = end_of_day(today + timedelta(days=DAYS_AHEAD_MAX))
    if valid_until in (None, ""):
        valid_until = end_of_day(today)
    elif not isinstance(valid_until, datetime):
        problems.add("valid_until", gettext("Give a date and time."))
    else:
        if timezone.is_naive(valid_until):
            valid_until = timezone.make_aware(valid_until)
        if valid_until <= at:
            problems.add("valid_until", gettext("The pass must be valid for a while from now."))
        elif valid_until > latest:
            problems.add("valid_until", gettext("A pass is valid for at most %(days)s days (until %(latest)s).")
                         % {"days": DAYS_AHEAD_MAX, "latest": format_time(latest)})
    problems.raise_if_any()

    user = _user(actor)
    if actor.is_owner:
        status, confirmation, confirmed_by, confirmed_at = EXPECTED, HostConfirmation.PORTAL, user, at
    else:
        status = EXPECTED if pre_registered else WAITING
        confirmation, confirmed_by, confirmed_at = HostConfirmation.PENDING, None, None
    visitor = None
    for _attempt in range(CODE_TRIES):
        code = new_code()
        if Visitor.objects.filter(project=project, pass_code=code).exists():
            continue
        try:
            with transaction.atomic():  # a concurrent registration taking the same code loses here, and retries
                visitor = Visitor.objects.create(
                    project=project, unit=unit, name=name, id_type=id_type, id_masked=masked, id_digest=digest,
                    phone=phone, purpose=purpose, plate=plate, party_size=party_size, status=status,
                    confirmation=confirmation, confirmed_by=confirmed_by, confirmed_at=confirmed_at,
                    pre_registered=pre_registered, pass_code=code, valid_from=at, valid_until=valid_until,
                    registered_by=user, created_at=at)
            break
        except IntegrityError:
            continue
    if visitor is None:
        raise Conflict(gettext("No free pass code was found; please try again."))
    number = visit_number(visitor)
    data = {"unit": unit.label, "purpose": purpose, "party_size": party_size, "plate": plate,
            "valid_until": valid_until.isoformat()}
    if actor.is_owner or pre_registered:
        record_event(visitor, "security.visitor.pre_registered", actor=user, data=data)
    else:
        record_event(visitor, "security.visitor.registered", actor=user,
                     data={**data, "id_masked": masked, "visit_number": number})
    if status == WAITING:
        _ask_the_unit(visitor)
    return visitor


def _ask_the_unit(visitor: Visitor) -> None:
    """The gate's request to the unit: an in-app notice to its residents, linking the portal's confirm page."""
    residents = _owners_of(visitor.unit_id)
    if not residents:
        return
    line = gettext("%(name)s is at the gate to visit you") % {"name": visitor.name}
    body = gettext("%(purpose)s, %(count)s people. Please confirm or decline in the portal.") % {
        "purpose": visitor.purpose, "count": visitor.party_size}
    notify(residents, line, body, source=visitor, dedupe_key=f"visitor:{visitor.pk}:ask",
           link=Links(owner=reverse("security:h5_visitor", args=[visitor.pk]), staff=visitor.get_absolute_url()))


@transaction.atomic
def confirm_visit(actor: Actor, visitor: Visitor, *, call_note=None) -> Visitor:
    """The unit agrees to the visit: an owner in the portal, or the gate with the call on record (`call_note`:
    who answered and what they said — required). Already confirmed or declined, or a visit that is over: 409."""
    _check_visible(actor, visitor)
    user = _user(actor)
    if actor.is_owner:
        if not _may_act_as_owner(actor, visitor):
            raise NotAllowed(gettext("Your role may not do this."))
        how, note = HostConfirmation.PORTAL, ""
    else:
        require(actor, GATE)
        problems = Problems()
        note = clean_text(problems, "call_note", call_note, CALL_NOTE_MAX,
                          required=gettext("Write who answered the call and what they said."))
        problems.raise_if_any()
        how = HostConfirmation.CALL
    visitor = _lock(visitor)
    _step(visitor, "confirm")
    if visitor.confirmation != HostConfirmation.PENDING:
        raise Conflict(gettext("The unit has already answered: %(answer)s.") % {
            "answer": visitor.get_confirmation_display()})
    visitor.confirmation, visitor.confirmed_by, visitor.confirmed_at = how, user, timezone.now()
    visitor.call_note = note
    visitor.save(update_fields=["confirmation", "confirmed_by", "confirmed_at", "call_note"])
    verb = "security.visitor.confirmed_portal" if how == HostConfirmation.PORTAL else "security.visitor.confirmed_call"
    record_event(visitor, verb, actor=user, data={"call_note": note} if note else {})
    return visitor


@transaction.atomic
def decline_visit(actor: Actor, visitor: Visitor, *, call_note=None) -> Visitor:
    """The unit does not want the visitor in: waiting → refused. An owner declines in the portal; the gate puts
    the call on record (`call_note` required)."""
    _check_visible(actor, visitor)
    user = _user(actor)
    note = ""
    if actor.is_owner:
        if not _may_act_as_owner(actor, visitor):
            raise NotAllowed(gettext("Your role may not do this."))
    else:
        require(actor, GATE)
        problems = Problems()
        note = clean_text(problems, "call_note", call_note, CALL_NOTE_MAX,
                          required=gettext("Write who answered the call and what they said."))
        problems.raise_if_any()
    visitor = _lock(visitor)
    visitor.status = _step(visitor, "decline")
    visitor.confirmation, visitor.confirmed_by, visitor.confirmed_at = HostConfirmation.DECLINED, user, timezone.now()
    visitor.call_note = note
    visitor.save(update_fields=["status", "confirmation", "confirmed_by", "confirmed_at", "call_note"])
    record_event(visitor, "security.visitor.declined", actor=user, data={"call_note": note} if note else {})
    return visitor


@transaction.atomic
def admit(actor: Actor, visitor: Visitor, at=None, *, id_type=None, id_number=None,
          now: datetime | None = None) -> Visitor:
    """Let the visitor in (the gate): only once the unit has confirmed (portal or call on record) and while the
    pass is valid; otherwise 409. Nobody goes in unchecked: a visitor registered without an identity number (an
    owner may register ahead without one) is checked here — `id_type`/`id_number` are then required (422 naming
    `id_number`) and kept masked with their digest, as at registration; for a visitor already checked they are not
    asked for. `at` is not before the registration nor older than MAX_PAST (422 naming `at`). Nothing is written
    on any of these."""
    require(actor, GATE)
    _check_visible(actor, visitor)
    problems = Problems()
    at = _moment(problems, at, now=now)
    problems.raise_if_any()
    visitor = _lock(visitor)
    after = _step(visitor, "admit")
    if visitor.confirmation not in CONFIRMED:
        raise Conflict(gettext("The unit has not confirmed the visit yet: ask the owner in the portal or call "
                               "and put the call on record."))
    if at < visitor.created_at:
        problems.add("at", gettext("The visitor cannot be let in before they were registered (%(time)s).") % {
            "time": format_time(visitor.created_at)})
    identity = None if visitor.id_masked else check_identity(problems, id_type, id_number)
    problems.raise_if_any()
    if at > visitor.valid_until:
        raise Conflict(gettext("The pass expired at %(time)s.") % {"time": format_time(visitor.valid_until)})
    visitor.status, visitor.entered_at, visitor.entered_by = after, at, _user(actor)
    fields = ["status", "entered_at", "entered_by"]
    data = {"at": at.isoformat()}
    if identity is not None:
        visitor.id_type, visitor.id_masked, visitor.id_digest = identity
        fields += ["id_type", "id_masked", "id_digest"]
        data["id_masked"] = visitor.id_masked
    visitor.save(update_fields=fields)
    record_event(visitor, "security.visitor.admitted", actor=_user(actor), data=data)
    return visitor


@transaction.atomic
def check_out(actor: Actor, visitor: Visitor, *, code=None, at=None, now: datetime | None = None) -> Visitor:
    """The visitor leaves and the pass is checked: `code`, when given, must be the pass's (422 naming `code`).
    Leaving after `valid_until` records `overstayed`. A pass already used to leave: 409 naming `code`. `at` is
    not before the visitor was let in nor older than MAX_PAST (422 naming `at`, nothing written)."""
    require(actor, GATE)
    _check_visible(actor, visitor)
    problems = Problems()
    at = _moment(problems, at, now=now)
    problems.raise_if_any()
    visitor = _lock(visitor)
    if code is not None and normalize_code(code) != visitor.pass_code:
        raise InvalidInput("code", gettext("This is not the visitor's pass code."))
    if visitor.status == LEFT:
        raise Conflict(gettext("This pass was already used to leave at %(time)s.") % {
            "time": format_time(visitor.exited_at)}, [FieldProblem("code", gettext("Already used."))])
    after = _step(visitor, "check_out")
    entered = visitor.entered_at or visitor.created_at
    if at < entered:
        raise InvalidInput("at", gettext("The visitor cannot leave before they were let in (%(time)s).") % {
            "time": format_time(entered)})
    visitor.status, visitor.exited_at, visitor.exited_by = after, at, _user(actor)
    visitor.overstayed = at > visitor.valid_until
    visitor.save(update_fields=["status", "exited_at", "exited_by", "overstayed"])
    record_event(visitor, "security.visitor.checked_out", actor=_user(actor), data={
        "at": at.isoformat(), "overstayed": visitor.overstayed, "valid_until": visitor.valid_until.isoformat()})
    return visitor


def find_pass(actor: Actor, code_or_token, *, project=None) -> Visitor:
    """The visitor whose pass is `code_or_token` (the six characters, or the QR's URL or token) among those
    `actor` sees; 422 naming `code` when there is none (a code is unique in a project: with several projects in
    scope, `project` narrows it)."""
    rows = scoped(Visitor.objects.all(), actor)
    if project is not None:
        rows = rows.filter(project=project)
    token = token_in(code_or_token)
    if token is not None:
        rows = rows.filter(pass_token=token)
    else:
        code = normalize_code(code_or_token)
        if len(code) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
            raise InvalidInput("code", gettext("A pass code has %(count)s letters and digits.") % {
                "count": CODE_LENGTH})
        rows = rows.filter(pass_code=code)
    found = list(rows.order_by("-created_at")[:2])
    if len(found) != 1:
        raise InvalidInput("code", gettext("No pass with this code.") if not found
                           else gettext("Several projects have this code: choose the project."))
    return found[0]


def check_out_by_pass(actor: Actor, code_or_token, *, project=None, at=None) -> Visitor:
    """The gate's code box: find the pass (`find_pass`) and check the visitor out with it."""
    require(actor, GATE)
    visitor = find_pass(actor, code_or_token, project=project)
    return check_out(actor, visitor, code=None if token_in(code_or_token) else code_or_token, at=at)


@transaction.atomic
def cancel_visit(actor: Actor, visitor: Visitor) -> Visitor:
    """An expected visit called off (the owner, or the gate): expected → cancelled."""
    _check_visible(actor, visitor)
    if actor.is_owner:
        if not _may_act_as_owner(actor, visitor):
            raise NotAllowed(gettext("Your role may not do this."))
    else:
        require(actor, GATE)
    visitor = _lock(visitor)
    visitor.status = _step(visitor, "cancel")
    visitor.save(update_fields=["status"])
    record_event(visitor, "security.visitor.cancelled", actor=_user(actor))
    return visitor


@periodic(every=timedelta(hours=1))
def expire_visitor_passes(now: datetime | None = None) -> int:
    """Expected visitors whose pass ran out unused: expected → expired (one event each). Claimed with a
    conditional update, so a rerun — or two runs at once — changes nothing more. Returns how many expired."""
    now = now or timezone.now()
    due = list(Visitor.objects.filter(status=EXPECTED, valid_until__lt=now).values_list("pk", flat=True)[:5000])
    expired = []
    for pk in due:
        with transaction.atomic():
            if Visitor.objects.filter(pk=pk, status=EXPECTED).update(status=EXPIRED) == 1:
                visitor = Visitor.objects.get(pk=pk)
                record_events([compose_event(visitor, "security.visitor.expired")])
                expired.append(pk)
    return len(expired)
