"""Community activities (社区活动, SPEC §7): the desk plans an activity (draft → open for sign-up), owners sign their
household up until the deadline while places remain (the activity's row is locked, so two owners taking the last
place at once get one place and one 409), cancel before the start to free the place, and staff check people in
from the start time (by the sign-up's code or from the list). A fee per person is billed through billing
(`source=signup`) when the household checks in — what was attended is what is paid; a cancelled sign-up owes
nothing.

Activity states are a table (`TRANSITIONS`): action → (states it leaves, state it reaches); sign-ups have theirs
(`SIGNUP_TRANSITIONS`). Each action locks its row, checks the table, writes and records its event."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wuye.billing import services as billing
from wuye.billing.charges import paid_service_item
from wuye.core.access import Actor, require, scoped
from wuye.core.errors import Conflict, FieldProblem, InvalidInput, NotAllowed, Problems
from wuye.core.events import record_event
from wuye.core.money import format_money, to_money
from wuye.core.outbox import notify
from wuye.core.sentences import register_sentences
from wuye.core.validators import clean_text

from .models import Activity, ActivitySignup, ActivityStatus, SignupStatus

A, G = ActivityStatus, SignupStatus
TITLE_MAX, PLACE_MAX, DESCRIPTION_MAX, REASON_MAX = 60, 60, 1000, 200
CAPACITY_MAX = 1000
PEOPLE_MAX = 10  # one household's sign-up
FEE_MAX = Decimal("10000.00")
DAYS_AHEAD = 366  # an activity starts within a year
LONGEST = timedelta(days=7)  # and lasts at most a week
CODE_LENGTH = 6
CODE_ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"  # no look-alikes: read off a phone screen at the door

# action → (states it leaves, state it reaches)
TRANSITIONS: dict[str, tuple[frozenset, str]] = {
    "publish": (frozenset({A.DRAFT}), A.OPEN),
    "close": (frozenset({A.OPEN}), A.CLOSED),
    "cancel": (frozenset({A.DRAFT, A.OPEN, A.CLOSED}), A.CANCELLED),
    "finish": (frozenset({A.OPEN, A.CLOSED}), A.DONE),
}
SIGNUP_TRANSITIONS: dict[str, tuple[frozenset, str]] = {
    "sign_up": (frozenset({G.CANCELLED}), G.SIGNED_UP),  # again, after cancelling
    "cancel": (frozenset({G.SIGNED_UP}), G.CANCELLED),
    "check_in": (frozenset({G.SIGNED_UP}), G.CHECKED_IN),
}
HOLDING = (G.SIGNED_UP, G.CHECKED_IN)  # sign-ups that hold places


# -- reading -----------------------------------------------------------------------------------------------------------
def activities(actor: Actor):
    """The activities `actor` may see (owners: the published ones of their communities), with `taken` places."""
    return scoped(Activity.objects.all(), actor).select_related("project").annotate(
        taken=Sum("signups__people", filter=Q(signups__status__in=HOLDING), default=0)).order_by("-starts_at", "-id")


def signups(actor: Actor):
    """The sign-ups `actor` may see: staff by project scope, owners their own households'."""
    return scoped(ActivitySignup.objects.all(), actor).select_related("activity", "unit__building", "user")


def places_taken(activity: Activity) -> int:
    return ActivitySignup.objects.filter(activity=activity, status__in=HOLDING).aggregate(
        total=Sum("people", default=0))["total"]


def may(actor: Actor, activity: Activity, action: str) -> bool:
    leaves, _target = TRANSITIONS.get(action, (frozenset(), None))
    return activity.status in leaves and actor.may("activities.manage")


def actions_for(actor: Actor, activity: Activity) -> list[str]:
    return [action for action in TRANSITIONS if may(actor, activity, action)]


def may_sign_up(actor: Actor, activity: Activity, at: datetime | None = None) -> bool:
    at = at or timezone.now()
    return actor.may("activities.sign_up") and activity.status == A.OPEN and at <= activity.signup_deadline


# -- input -------------------------------------------------------------------------------------------------------------
def _text(problems: Problems, field: str, value, limit: int, *, required=False) -> str:
    """core.validators.clean_text with this module's way of naming what is required."""
    return clean_text(problems, field, value, limit, required=required)


def _moment(problems: Problems, field: str, value) -> datetime | None:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip()) if len(value.strip()) <= 32 else None
        except ValueError:
            value = None
    if not isinstance(value, datetime):
        problems.add(field, _("Give a date and time."))
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def parse_fee(value) -> Decimal:
    """A fee per person in yuan: 0 (free) to 10,000, two decimals at most. ValueError otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return Decimal("0.00")
    try:
        fee = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(_("Enter an amount in yuan, e.g. 20.00.")) from None
    if not fee.is_finite() or fee != fee.quantize(Decimal("0.01")) or not 0 <= fee <= FEE_MAX:
        raise ValueError(_("Enter a fee from 0 to 10,000 yuan with at most two decimals."))
    return to_money(fee)


def _int(problems: Problems, field: str, value, low: int, high: int) -> int:
    number = value if isinstance(value, int) and not isinstance(value, bool) else (
        int(value) if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 5 else -1)
    if not low <= number <= high:
        problems.add(field, _("Give a number from %(min)s to %(max)s.") % {"min": low, "max": high})
    return number


# -- organising --------------------------------------------------------------------------------------------------------
def create_activity(actor: Actor, *, project, title, place, starts_at, ends_at, signup_deadline, capacity,
                    fee=None, description="", publish=True, at: datetime | None = None) -> Activity:
    """Plan an activity (the desk, the project manager): title ≤ 60, place ≤ 60, description ≤ 1,000 characters;
    it starts in the future (within a year), ends after it starts (within a week), sign-up closes after now and
    no later than the start; 1–1,000 places; fee per person 0–10,000 yuan. Published at once unless `publish`
    is False (a draft owners do not see). Every wrong field named at once; nothing written then."""
    at = at or timezone.now()
    require(actor, "activities.manage")
    problems = Problems()
    if project is None or not scoped(type(project).objects.filter(pk=project.pk), actor).exists():
        problems.add("project", _("Choose the project."))
    title = _text(problems, "title", title, TITLE_MAX, required=True)
    place = _text(problems, "place", place, PLACE_MAX, required=True)
    description = _text(problems, "description", description, DESCRIPTION_MAX)
    starts = _moment(problems, "starts_at", starts_at)
    ends = _moment(problems, "ends_at", ends_at)
    deadline = _moment(problems, "signup_deadline", signup_deadline)
    if starts and not at < starts <= at + timedelta(days=DAYS_AHEAD):
        problems.add("starts_at", _("The activity starts in the future, within a year."))
    if starts and ends and not starts < ends <= starts + LONGEST:
        problems.add("ends_at", _("The activity ends after it starts, within a week."))
    if starts and deadline and not at < deadline <= starts:
        problems.add("signup_deadline", _("Sign-up closes after now and no later than the start."))
    capacity = _int(problems, "capacity", capacity, 1, CAPACITY_MAX)
    fee = problems.check("fee", parse_fee, fee)
    problems.raise_if_any()
    with transaction.atomic():
        activity = Activity.objects.create(
            project=project, title=title, place=place, description=description, starts_at=starts, ends_at=ends,
            signup_deadline=deadline, capacity=capacity, fee=fee, created_by=actor.user, created_at=at,
            status=A.OPEN if publish else A.DRAFT)
        record_event(activity, "activities.created", actor=actor.user, data={
            "title": title, "at": starts.isoformat(), "capacity": capacity, "fee": str(fee),
            "published": bool(publish)})
    return activity


def _lock(activity: Activity) -> Activity:
    return Activity.objects.select_for_update().select_related("project").get(pk=activity.pk)


def _visible(actor: Actor, activity: Activity) -> None:
    if not scoped(Activity.objects.filter(pk=activity.pk), actor).exists():
        raise Http404


def _state_conflict(activity: Activity, field: str = "status") -> Conflict:
    message = _("This activity is %(status)s; it cannot be changed this way.") % {
        "status": activity.get_status_display()}
    return Conflict(message, [FieldProblem(field, message)])


def transition(actor: Actor, activity: Activity, action: str, *, reason: str = "",
               at: datetime | None = None) -> Activity:
    """Publish a draft, close sign-up, cancel (a reason required; the signed-up are told) or mark held (from its
    end time) — `TRANSITIONS`, taken by the desk or the manager."""
    at = at or timezone.now()
    if action not in TRANSITIONS:
        raise InvalidInput("action", _("Choose one of: %(choices)s.") % {"choices": ", ".join(TRANSITIONS)})
    _visible(actor, activity)
    require(actor, "activities.manage")
    problems = Problems()
    reason = _text(problems, "reason", reason, REASON_MAX, required=action == "cancel")
    problems.raise_if_any()
    with transaction.atomic():
        activity = _lock(activity)
        leaves, target = TRANSITIONS[action]
        if activity.status not in leaves:
            raise _state_conflict(activity)
        if action == "publish" and activity.signup_deadline <= at:
            raise InvalidInput("signup_deadline", _("Sign-up has already closed: change the dates first."))
        if action == "finish" and at < activity.ends_at:
            raise Conflict(_("The activity has not ended yet."), [FieldProblem("ends_at", _(
                "The activity has not ended yet."))])
        activity.status = target
        activity.save(update_fields=["status"])
        record_event(activity, "activities.published" if action == "publish" else "activities.closed"
                     if action == "close" else "activities.cancelled" if action == "cancel" else "activities.held",
                     actor=actor.user, data={"title": activity.title, "reason": reason})
        if action == "cancel":
            users = [signup.user for signup in activity.signups.filter(status=G.SIGNED_UP).select_related("user")]
            if users:
                notify(users, _("Activity cancelled: %(title)s") % {"title": activity.title}, reason,
                       link=reverse("activities:h5_detail", args=[activity.pk]), source=activity,
                       dedupe_key=f"activity-cancelled-{activity.pk}")
    return activity


# -- sign-up -----------------------------------------------------------------------------------------------------------
def _new_code(activity: Activity) -> str:
    taken = set(ActivitySignup.objects.filter(activity=activity).values_list("code", flat=True))
    for _attempt in range(50):
        code = "".join(secrets.choice(CODE_ALPHABET) for _n in range(CODE_LENGTH))
        if code not in taken:
            return code
    raise Conflict(_("No free check-in code was found; try again."))


def sign_up(actor: Actor, activity: Activity, *, unit, people=1, at: datetime | None = None) -> ActivitySignup:
    """An owner signs their household up for `people` places (1–10) for one of their homes in the activity's
    community: while the activity is open, until its deadline, while places remain — counted under the
    activity's row lock, so the last place goes to one owner and the other gets a 409 naming `people`. Signing
    up twice is a 409; after cancelling, signing up again reuses the sign-up."""
    at = at or timezone.now()
    require(actor, "activities.sign_up")
    _visible(actor, activity)
    problems = Problems()
    if unit is None or unit.pk not in actor.unit_ids or unit.project_id != activity.project_id:
        problems.add("unit", _("Choose one of your own homes in this community."))
    people = _int(problems, "people", people, 1, PEOPLE_MAX)
    problems.raise_if_any()
    with transaction.atomic():
        activity = _lock(activity)
        if activity.status != A.OPEN:
            raise _state_conflict(activity)
        if at > activity.signup_deadline:
            raise Conflict(_("Sign-up closed at %(deadline)s.") % {
                "deadline": timezone.localtime(activity.signup_deadline).strftime("%m-%d %H:%M")},
                [FieldProblem("signup_deadline", _("Sign-up has closed."))])
        existing = ActivitySignup.objects.select_for_update().filter(activity=activity, user=actor.user).first()
        if existing is not None and existing.status != G.CANCELLED:
            raise Conflict(_("You have already signed up."),
                           [FieldProblem("activity", _("You have already signed up."))])
        left = activity.capacity - places_taken(activity)
        if people > left:
            message = (_("The activity is full.") if left <= 0 else
                       _("Only %(left)s places are left.") % {"left": left})
            raise Conflict(message, [FieldProblem("people", message)])
        if existing is not None:
            existing.status, existing.unit, existing.people = G.SIGNED_UP, unit, people
            existing.created_at, existing.cancelled_at = at, None
            existing.save(update_fields=["status", "unit", "people", "created_at", "cancelled_at"])
            signup = existing
        else:
            try:
                with transaction.atomic():
                    signup = ActivitySignup.objects.create(
                        activity=activity, project_id=activity.project_id, user=actor.user, unit=unit, people=people,
                        code=_new_code(activity), created_at=at)
            except IntegrityError:
                raise Conflict(_("You have already signed up."), [FieldProblem(
                    "activity", _("You have already signed up."))]) from None
        record_event(signup, "activities.signed_up", actor=actor.user, data={
            "title": activity.title, "unit": unit.label, "people": people})
    return signup


def _lock_signup(signup: ActivitySignup) -> ActivitySignup:
    return ActivitySignup.objects.select_for_update().select_related("activity", "unit__building", "user").get(
        pk=signup.pk)


def cancel_signup(actor: Actor, signup: ActivitySignup, *, at: datetime | None = None) -> ActivitySignup:
    """Cancel a sign-up before the activity starts (the owner, or the desk for them): the places are free again."""
    at = at or timezone.now()
    if not signups(actor).filter(pk=signup.pk).exists():
        raise Http404
    if actor.is_owner:
        require(actor, "activities.sign_up")
    elif not actor.may("activities.manage"):
        raise NotAllowed(_("Your role may not do this."))
    with transaction.atomic():
        _lock(signup.activity)  # the activity first, as sign-up takes them: the freed places count at once
        signup = _lock_signup(signup)
        if signup.status not in SIGNUP_TRANSITIONS["cancel"][0]:
            message = _("This sign-up is %(status)s.") % {"status": signup.get_status_display()}
            raise Conflict(message, [FieldProblem("status", message)])
        if at >= signup.activity.starts_at:
            message = _("The activity has started; a sign-up is cancelled before the start.")
            raise Conflict(message, [FieldProblem("starts_at", message)])
        signup.status, signup.cancelled_at = G.CANCELLED, at
        signup.save(update_fields=["status", "cancelled_at"])
        record_event(signup, "activities.signup_cancelled", actor=actor.user, data={
            "title": signup.activity.title, "unit": signup.unit.label, "people": signup.people,
            "by_owner": actor.is_owner})
    return signup


def check_in(actor: Actor, signup: ActivitySignup, *, at: datetime | None = None) -> ActivitySignup:
    """Staff check a signed-up household in, from the activity's start to its end. With a fee, the household's
    bill (fee × people) is posted through billing with the sign-up as its source."""
    at = at or timezone.now()
    if not signups(actor).filter(pk=signup.pk).exists():
        raise Http404
    require(actor, "activities.check_in")
    with transaction.atomic():
        signup = _lock_signup(signup)
        activity = signup.activity
        if signup.status == G.CHECKED_IN:
            raise Conflict(_("Already checked in."), [FieldProblem("status", _("Already checked in."))])
        if signup.status != G.SIGNED_UP:
            message = _("This sign-up is %(status)s.") % {"status": signup.get_status_display()}
            raise Conflict(message, [FieldProblem("status", message)])
        if activity.status == A.CANCELLED:
            raise _state_conflict(activity)
        if not activity.starts_at <= at <= activity.ends_at:
            message = _("Check-in is open from the start to the end of the activity.")
            raise Conflict(message, [FieldProblem("starts_at", message)])
        signup.status, signup.checked_in_at, signup.checked_in_by = G.CHECKED_IN, at, actor.user
        signup.save(update_fields=["status", "checked_in_at", "checked_in_by"])
        amount = to_money(activity.fee * signup.people)
        if amount > 0:
            billing.post_charge(None, signup.unit, paid_service_item(activity.project_id), amount,
                                due_on=timezone.localdate(at), source=signup,
                                description=f"{activity.title} × {signup.people}")
        record_event(signup, "activities.checked_in", actor=actor.user, data={
            "title": activity.title, "unit": signup.unit.label, "people": signup.people, "amount": str(amount)})
    return signup


def normalize_code(value) -> str:
    return "".join(ch for ch in str(value or "")[:40] if ch not in " -\t\n").upper()


def check_in_by_code(actor: Actor, activity: Activity, code, *, at: datetime | None = None) -> ActivitySignup:
    """Check in the sign-up whose code is `code` (the owner shows it at the door). Unknown code → 422 `code`."""
    _visible(actor, activity)
    require(actor, "activities.check_in")
    signup = ActivitySignup.objects.filter(activity=activity, code=normalize_code(code)).first()
    if not normalize_code(code) or signup is None:
        raise InvalidInput("code", _("No sign-up of this activity has this code."))
    return check_in(actor, signup, at=at)


# -- sentences ---------------------------------------------------------------------------------------------------------
def _created(event, fields) -> str:
    raw = fields.raw
    fee = Decimal(raw.get("fee") or "0")
    text = _("Planned “%(title)s” at %(at)s for %(capacity)s people") % fields
    if fee > 0:
        text = _("%(text)s, %(fee)s a person") % {"text": text, "fee": format_money(fee)}
    return text if raw.get("published") else _("%(text)s (draft)") % {"text": text}


def _cancelled(event, fields) -> str:
    if fields.raw.get("reason"):
        return _("Activity cancelled: %(reason)s") % fields
    return _("Activity cancelled")


def _checked_in(event, fields) -> str:
    text = _("%(unit)s checked in, %(people)s people") % fields
    if Decimal(fields.raw.get("amount") or "0") > 0:
        text = _("%(text)s; %(amount)s billed") % {"text": text, "amount": fields["amount"]}
    return text


register_sentences({
    "activities.created": (_created, {"example": {"title": "元旦游园会", "at": "2026-12-31T14:00:00+08:00",
                                                  "capacity": 30, "fee": "20.00", "published": True}}),
    "activities.published": (gettext_lazy("Published for sign-up"), {"example": {"title": "元旦游园会"}}),
    "activities.closed": (gettext_lazy("Sign-up closed"), {"example": {"title": "元旦游园会"}}),
    "activities.cancelled": (_cancelled, {"example": {"title": "元旦游园会", "reason": "天气原因"}}),
    "activities.held": (gettext_lazy("The activity was held"), {"example": {"title": "元旦游园会"}}),
    "activities.signed_up": (gettext_lazy("%(unit)s signed up, %(people)s people"), {
        "example": {"title": "元旦游园会", "unit": "1-1-101", "people": 2}}),
    "activities.signup_cancelled": (gettext_lazy("%(unit)s cancelled the sign-up (%(people)s people)"), {
        "example": {"title": "元旦游园会", "unit": "1-1-101", "people": 2}}),
    "activities.checked_in": (_checked_in, {"example": {"title": "元旦游园会", "unit": "1-1-101", "people": 2,
                                                        "amount": "40.00"}}),
})
