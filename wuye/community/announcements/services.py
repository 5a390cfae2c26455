"""Announcements and disclosures (公告/公示, SPEC §7; seed 001 ch.7 §2.2 and ch.3 §3): the desk (or engineering, or
the manager) drafts a notice for a project or some of its buildings; the project manager approves it — never the
author's own — and it is published at once or at its `publish_at`: to the portal's 社区公告 feed and, once, as a
message to every resident of the audience (by SMS too for an outage). A planned water, power or gas outage must be
published at least `settings.WUYE_OUTAGE_NOTICE_HOURS` hours before it begins: a later publication (or schedule) is
refused naming `outage_start`, with the earliest outage start a publication then allows and the latest publish time
for the outage given. A periodic job publishes scheduled notices and expires old ones.

The states are a table (`TRANSITIONS`): action → (states it leaves, state it reaches, permission)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count
from django.http import Http404
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wuye.core.access import Actor, Role, require, scoped
from wuye.core.errors import Conflict, FieldProblem, InvalidInput, NotAllowed, Problems
from wuye.core.events import record_event
from wuye.core.models import Channel, NotificationKind
from wuye.core.outbox import notify
from wuye.core.sentences import format_time, register_formatter, register_sentences, register_terms
from wuye.core.validators import check_plausible_date, clean_text
from wuye.tenancy.models import Building

from .models import (
    OUTAGE_KINDS,
    Announcement,
    AnnouncementKind,
    AnnouncementRead,
    AnnouncementStatus,
)

S = AnnouncementStatus
WRITE, APPROVE = "announcements.write", "announcements.approve"
TITLE_MAX = 100  # Announcement.title
BODY_MAX = 5000
PRECAUTIONS_MAX = 1000
REASON_MAX = 200  # reject_reason, withdraw_reason
BUILDINGS_MAX = 100
OUTAGE_MAX_DAYS = 7  # a planned outage longer than a week is a typing error, not a plan
MOMENT_INPUT_MAX = 40

# action → (states it leaves, state it reaches, permission). "approve" reaches PUBLISHED, or SCHEDULED when the
# notice has a `publish_at` still ahead; "expire" and "lapse" are the job's (no person takes them).
TRANSITIONS: dict[str, tuple[frozenset, str, str | None]] = {
    "submit": (frozenset({S.DRAFT}), S.PENDING_APPROVAL, WRITE),
    "approve": (frozenset({S.PENDING_APPROVAL}), S.PUBLISHED, APPROVE),
    "reject": (frozenset({S.PENDING_APPROVAL}), S.DRAFT, APPROVE),
    "publish": (frozenset({S.SCHEDULED}), S.PUBLISHED, APPROVE),
    # A writer withdraws what is not out yet; a published notice only the approver takes back.
    "withdraw": (frozenset({S.DRAFT, S.PENDING_APPROVAL, S.SCHEDULED, S.PUBLISHED}), S.WITHDRAWN, WRITE),
    "expire": (frozenset({S.PUBLISHED}), S.EXPIRED, None),
    # A scheduled outage notice whose publication came too late for the notice period goes back to its author.
    "lapse": (frozenset({S.SCHEDULED}), S.DRAFT, None),
}
ACTIONS = ("submit", "approve", "reject", "publish", "withdraw")
EDITABLE = frozenset({S.DRAFT})


# -- the rule: an outage is announced ahead -----------------------------------------------------------------------
def notice_period() -> timedelta:
    """How long before a planned outage its notice must be out (settings.WUYE_OUTAGE_NOTICE_HOURS)."""
    return timedelta(hours=int(settings.WUYE_OUTAGE_NOTICE_HOURS))


def local_moment(value: datetime) -> str:
    """A moment as people read it in the active language ("2026年12月4日 09:00")."""
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")


def check_notice_period(outage_start: datetime, publish_time: datetime) -> None:
    """InvalidInput naming `outage_start` when a notice published at `publish_time` gives less than the notice
    period before `outage_start`; the message names the earliest allowed outage start for that publication and the
    latest publish time for this outage."""
    period = notice_period()
    if outage_start - publish_time >= period:
        return
    hours = int(period.total_seconds() // 3600)
    raise InvalidInput("outage_start", _(
        "A planned outage must be announced at least %(hours)s hours before it begins: published at %(publish)s, "
        "the outage may start at %(earliest)s at the earliest (for an outage at %(start)s, publish by %(latest)s)."
    ) % {"hours": hours, "publish": local_moment(publish_time), "earliest": local_moment(publish_time + period),
         "start": local_moment(outage_start), "latest": local_moment(outage_start - period)})


def publish_time(announcement: Announcement, now: datetime) -> datetime:
    """When the notice goes out if approved `now`: its `publish_at` when still ahead, else now."""
    if announcement.publish_at and announcement.publish_at > now:
        return announcement.publish_at
    return now


# -- reading ----------------------------------------------------------------------------------------------------------
def announcements(actor: Actor):
    """The notices `actor` may see: staff by project scope (every state); an owner the published ones (and since
    expired) of their project, or of a building they live in."""
    return scoped(Announcement.objects.all(), actor)


def feed(actor: Actor, now: datetime | None = None):
    """The portal's 社区公告: published, unexpired notices for the owner's project and buildings, pinned first, then
    newest."""
    return announcements(actor).live(now).order_by("-pinned", "-published_at", "-id")


def awaiting_approval(actor: Actor):
    """Notices in scope waiting for the manager's approval, oldest first (the manager's to-do)."""
    return announcements(actor).filter(status=S.PENDING_APPROVAL).order_by("submitted_at", "id")


def read_ids(user, rows) -> set[int]:
    """Which of `rows` (a queryset or list of announcements) `user` has read (one query)."""
    if not getattr(user, "pk", None):
        return set()
    ids = rows.values("pk") if hasattr(rows, "values") else [row.pk for row in rows]
    return set(AnnouncementRead.objects.filter(user=user, announcement__in=ids).values_list(
        "announcement_id", flat=True))


def with_read_counts(rows):
    """The queryset with `read_count` (people who opened each notice)."""
    return rows.annotate(read_count=Count("reads", distinct=True))


def audience(announcement: Announcement):
    """The portal users a notice is for: the active accounts of the residents (owners, tenants, family) now living
    in the project, or in the chosen buildings."""
    users = get_user_model().objects.filter(
        is_active=True, resident__residencies__ended_on__isnull=True,
        resident__residencies__unit__project_id=announcement.project_id)
    building_ids = list(announcement.buildings.values_list("pk", flat=True))
    if building_ids:
        users = users.filter(resident__residencies__unit__building_id__in=building_ids)
    return users.distinct()


def may(actor: Actor, announcement: Announcement, action: str) -> bool:
    """Whether `actor` may take `action` on `announcement` now (the buttons a page shows)."""
    if action == "edit":
        return announcement.status in EDITABLE and actor.may(WRITE)
    leaves, _target, permission = TRANSITIONS.get(action, (frozenset(), None, None))
    if permission is None or announcement.status not in leaves or actor.is_owner:
        return False
    if action == "withdraw" and announcement.status in (S.SCHEDULED, S.PUBLISHED):
        permission = APPROVE
    if not actor.may(permission):
        return False
    return not (action == "approve" and _is_author(actor, announcement))


def actions_for(actor: Actor, announcement: Announcement) -> list[str]:
    return [action for action in ACTIONS if may(actor, announcement, action)]


def _is_author(actor: Actor, announcement: Announcement) -> bool:
    return announcement.author_id is not None and announcement.author_id == getattr(actor.user, "pk", None)


# -- input ------------------------------------------------------------------------------------------------------------
def _text(problems: Problems, field: str, value, limit: int, *, required=False) -> str:
    """core.validators.clean_text with this module's way of naming what is required."""
    return clean_text(problems, field, value, limit, required=required)


def _moment(problems: Problems, field: str, value) -> datetime | None:
    """A moment from a datetime or an ISO text ("2026-12-04T09:00", local time when it names no offset)."""
    if value in (None, ""):
        return None
    if isinstance(value, str):
        text = value.strip()
        try:
            value = datetime.fromisoformat(text) if len(text) <= MOMENT_INPUT_MAX else None
        except ValueError:
            value = None
    if not isinstance(value, datetime):
        problems.add(field, _("Give a date and time, e.g. 2026-12-04 09:00."))
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    try:
        check_plausible_date(value)
    except ValueError as error:
        problems.add(field, error)
        return None
    return value


def _buildings(problems: Problems, project, values) -> list[Building]:
    ids = []
    for value in values or []:
        raw = getattr(value, "pk", value)
        if isinstance(raw, bool) or not isinstance(raw, int | str) or not str(raw).isdigit() or len(str(raw)) > 10:
            problems.add("buildings", _("Choose buildings of the project."))
            return []
        ids.append(int(raw))
    ids = list(dict.fromkeys(ids))
    if len(ids) > BUILDINGS_MAX:
        problems.add("buildings", _("At most %(count)s buildings.") % {"count": BUILDINGS_MAX})
        return []
    if project is None or not ids:
        return []
    found = list(Building.objects.filter(project=project, pk__in=ids))
    if len(found) != len(ids):
        problems.add("buildings", _("Choose buildings of the project."))
        return []
    return found


def _clean(actor: Actor, *, project, kind, title, body, precautions, outage_start, outage_end, buildings, publish_at,
           expires_at, pinned, now: datetime) -> dict:
    """Every field checked at once (InvalidInput naming each wrong one); the outage rule last, on good times."""
    problems = Problems()
    if kind not in AnnouncementKind.values:
        problems.add("kind", _("Choose one of: %(values)s.") % {"values": ", ".join(AnnouncementKind.values)})
    cleaned = {
        "kind": kind,
        "title": _text(problems, "title", title, TITLE_MAX, required=True),
        "body": _text(problems, "body", body, BODY_MAX, required=True),
        "precautions": _text(problems, "precautions", precautions, PRECAUTIONS_MAX,
                             required=kind in OUTAGE_KINDS),
        "pinned": bool(pinned),
        "publish_at": _moment(problems, "publish_at", publish_at),
        "expires_at": _moment(problems, "expires_at", expires_at),
        "outage_start": None, "outage_end": None,
    }
    chosen = _buildings(problems, project, buildings)
    if kind in OUTAGE_KINDS:
        start = _moment(problems, "outage_start", outage_start)
        end = _moment(problems, "outage_end", outage_end)
        if start is None and "outage_start" not in {p.field for p in problems.items}:
            problems.add("outage_start", _("Give the time the supply stops."))
        if end is None and "outage_end" not in {p.field for p in problems.items}:
            problems.add("outage_end", _("Give the time the supply is restored."))
        if start and end:
            if end <= start:
                problems.add("outage_end", _("The supply is restored after it stops."))
            elif end - start > timedelta(days=OUTAGE_MAX_DAYS):
                problems.add("outage_end", _("A planned outage lasts at most %(days)s days.") % {
                    "days": OUTAGE_MAX_DAYS})
        cleaned["outage_start"], cleaned["outage_end"] = start, end
        if cleaned["expires_at"] is None and end:
            cleaned["expires_at"] = end  # the notice leaves the feed when the supply is back
    publish = cleaned["publish_at"]
    if publish is not None and publish <= now:
        problems.add("publish_at", _("Choose a time ahead, or leave it empty to publish on approval."))
    out_at = publish if publish and publish > now else now
    expires = cleaned["expires_at"]
    if expires is not None and expires <= out_at:
        problems.add("expires_at", _("The notice expires after it is published."))
    problems.raise_if_any()
    if kind in OUTAGE_KINDS:
        check_notice_period(cleaned["outage_start"], out_at)
    cleaned["buildings"] = chosen
    return cleaned


def _check_project(actor: Actor, project) -> None:
    from wuye.tenancy.models import Project

    if project is None or not scoped(Project.objects.filter(pk=project.pk), actor).exists():
        raise InvalidInput("project", _("No such project."))


def _check_sees(actor: Actor, announcement: Announcement) -> None:
    """Outside the actor's sight → 404 (existence never leaks)."""
    if not announcements(actor).filter(pk=announcement.pk).exists():
        raise Http404


def _lock(announcement: Announcement) -> Announcement:
    return Announcement.objects.select_for_update().select_related("project").get(pk=announcement.pk)


def _refuse_state(announcement: Announcement) -> Conflict:
    message = _("This announcement is %(status)s; it cannot be changed this way.") % {
        "status": announcement.get_status_display()}
    return Conflict(message, [FieldProblem("status", message)])


def _data(announcement: Announcement) -> dict:
    data = {"title": announcement.title, "announcement_kind": announcement.kind}
    if announcement.is_outage and announcement.outage_start:
        data |= {"outage_start": announcement.outage_start.isoformat(),
                 "outage_end": announcement.outage_end.isoformat() if announcement.outage_end else None}
    return data


# -- actions ----------------------------------------------------------------------------------------------------------
def create(actor: Actor, *, project, kind=AnnouncementKind.NOTICE, title="", body="", precautions="",
           outage_start=None, outage_end=None, buildings=(), publish_at=None, expires_at=None, pinned=False,
           at: datetime | None = None) -> Announcement:
    """A draft notice for `project` (all of it, or `buildings`). An outage notice (water, power, gas) needs the time
    the supply stops and is restored and the precautions, and — published now or at `publish_at` — must leave the
    notice period before the outage (422 naming `outage_start`). Every wrong field is named at once; nothing is
    written then."""
    at = at or timezone.now()
    require(actor, WRITE)
    _check_project(actor, project)
    cleaned = _clean(actor, project=project, kind=kind, title=title, body=body, precautions=precautions,
                     outage_start=outage_start, outage_end=outage_end, buildings=buildings, publish_at=publish_at,
                     expires_at=expires_at, pinned=pinned, now=at)
    chosen = cleaned.pop("buildings")
    with transaction.atomic():
        announcement = Announcement.objects.create(project=project, author=actor.user, created_at=at, **cleaned)
        if chosen:
            announcement.buildings.set(chosen)
        record_event(announcement, "announcements.created", actor=actor.user, data={
            **_data(announcement), "buildings": len(chosen)})
    return announcement


def edit(actor: Actor, announcement: Announcement, *, at: datetime | None = None, **values) -> Announcement:
    """Change a draft (any field of `create` but the project); a notice out of draft is not edited (409)."""
    at = at or timezone.now()
    require(actor, WRITE)
    _check_sees(actor, announcement)
    current = {"kind": announcement.kind, "title": announcement.title, "body": announcement.body,
               "precautions": announcement.precautions, "outage_start": announcement.outage_start,
               "outage_end": announcement.outage_end, "publish_at": announcement.publish_at,
               "expires_at": announcement.expires_at, "pinned": announcement.pinned,
               "buildings": list(announcement.buildings.values_list("pk", flat=True))}
    unknown = set(values) - set(current)
    if unknown:
        raise InvalidInput(sorted(unknown)[0], _("This field cannot be changed."))
    if announcement.status not in EDITABLE:
        raise _refuse_state(announcement)
    cleaned = _clean(actor, project=announcement.project, now=at, **(current | values))
    chosen = cleaned.pop("buildings")
    with transaction.atomic():
        locked = _lock(announcement)
        if locked.status not in EDITABLE:
            raise _refuse_state(locked)
        changed = [name for name, value in cleaned.items() if getattr(locked, name) != value]
        for name, value in cleaned.items():
            setattr(locked, name, value)
        locked.save(update_fields=list(cleaned))
        if {b.pk for b in chosen} != set(current["buildings"]):
            locked.buildings.set(chosen)
            changed.append("buildings")
        if changed:
            record_event(locked, "announcements.edited", actor=actor.user, data={"title": locked.title})
    return locked


def submit(actor: Actor, announcement: Announcement, *, at: datetime | None = None) -> Announcement:
    """The author (or a colleague of the desk) sends a draft to the project manager for approval; the outage rule
    is checked again for a publication now or at `publish_at`."""
    at = at or timezone.now()
    require(actor, WRITE)
    _check_sees(actor, announcement)
    with transaction.atomic():
        locked = _lock(announcement)
        leaves, target, _permission = TRANSITIONS["submit"]
        if locked.status not in leaves:
            raise _refuse_state(locked)
        _recheck(locked, at)
        locked.status, locked.submitted_at, locked.reject_reason = target, at, ""
        locked.save(update_fields=["status", "submitted_at", "reject_reason"])
        record_event(locked, "announcements.submitted", actor=actor.user, data=_data(locked))
        _ask_approvers(locked, exclude=getattr(actor.user, "pk", None))
    return locked


def _recheck(announcement: Announcement, now: datetime) -> None:
    """The times of a notice still hold now: a `publish_at` already past is refused (422 naming it), and an outage
    notice must still leave the notice period (422 naming `outage_start`)."""
    if announcement.publish_at and announcement.publish_at <= now and announcement.status != S.SCHEDULED:
        raise InvalidInput("publish_at", _("The time to publish has passed: choose a time ahead, or leave it empty "
                                           "to publish on approval."))
    if announcement.is_outage and announcement.outage_start:
        check_notice_period(announcement.outage_start, publish_time(announcement, now))


def _ask_approvers(announcement: Announcement, exclude=None) -> None:
    from wuye.people.services import staff_with_role

    approvers = [user for user in staff_with_role(Role.PROJECT_MANAGER, announcement.project) if user.pk != exclude]
    if approvers:
        notify(approvers, _("An announcement awaits your approval: %(title)s") % {"title": announcement.title},
               announcement.get_kind_display(), link=announcement.get_absolute_url(), source=announcement,
               kind=NotificationKind.APPROVAL, dedupe_key=f"announcement-approve-{announcement.pk}-"
               f"{announcement.submitted_at:%Y%m%d%H%M%S}")


def approve(actor: Actor, announcement: Announcement, *, at: datetime | None = None) -> Announcement:
    """The project manager approves a notice awaiting approval — never one they wrote (403) — and it is published
    now, or scheduled for its `publish_at`. An outage notice too late for the notice period is refused (422 naming
    `outage_start`)."""
    at = at or timezone.now()
    require(actor, APPROVE)
    _check_sees(actor, announcement)
    if _is_author(actor, announcement):
        raise NotAllowed(_("The author of an announcement cannot approve it: another manager does."))
    with transaction.atomic():
        locked = _lock(announcement)
        leaves, _target, _permission = TRANSITIONS["approve"]
        if locked.status not in leaves:
            raise _refuse_state(locked)
        _recheck(locked, at)
        locked.approver, locked.approved_at = actor.user, at
        scheduled = bool(locked.publish_at and locked.publish_at > at)
        if scheduled:
            locked.status = S.SCHEDULED
        locked.save(update_fields=["approver", "approved_at", "status"])
        record_event(locked, "announcements.approved", actor=actor.user, data={
            "title": locked.title, "publish_at": locked.publish_at.isoformat() if scheduled else None})
        if not scheduled:
            _publish(locked, at, actor=actor.user)
        _tell_author(locked, actor, _("Your announcement is approved: %(title)s") % {"title": locked.title})
    return locked


def reject(actor: Actor, announcement: Announcement, *, reason: str, at: datetime | None = None) -> Announcement:
    """The project manager returns a notice to draft with the reason (required); the author changes it and submits
    it again."""
    require(actor, APPROVE)
    _check_sees(actor, announcement)
    problems = Problems()
    reason = _text(problems, "reason", reason, REASON_MAX, required=True)
    problems.raise_if_any()
    with transaction.atomic():
        locked = _lock(announcement)
        leaves, target, _permission = TRANSITIONS["reject"]
        if locked.status not in leaves:
            raise _refuse_state(locked)
        locked.status, locked.reject_reason = target, reason
        locked.save(update_fields=["status", "reject_reason"])
        record_event(locked, "announcements.rejected", actor=actor.user, data={"title": locked.title,
                                                                              "reason": reason})
        _tell_author(locked, actor, _("Your announcement was returned: %(title)s") % {"title": locked.title}, reason)
    return locked


def publish(actor: Actor, announcement: Announcement, *, at: datetime | None = None) -> Announcement:
    """The project manager publishes a scheduled notice now, ahead of its time (the outage rule is met a fortiori:
    earlier is more notice)."""
    at = at or timezone.now()
    require(actor, APPROVE)
    _check_sees(actor, announcement)
    with transaction.atomic():
        locked = _lock(announcement)
        leaves, _target, _permission = TRANSITIONS["publish"]
        if locked.status not in leaves:
            raise _refuse_state(locked)
        if locked.is_outage and locked.outage_start:
            check_notice_period(locked.outage_start, at)
        _publish(locked, at, actor=actor.user)
    return locked


def _publish(announcement: Announcement, at: datetime, *, actor=None) -> None:
    """Out it goes (the row is locked or claimed by the caller): status, time, the audience's size, one message to
    each person of the audience (in-app; SMS too for an outage) — written once whatever reruns (dedupe)."""
    users = list(audience(announcement))
    announcement.status, announcement.published_at = S.PUBLISHED, at
    announcement.audience_size = len(users)
    announcement.save(update_fields=["status", "published_at", "audience_size"])
    channels = (Channel.IN_APP, Channel.SMS) if announcement.is_outage else (Channel.IN_APP,)
    if users:
        notify(users, announcement.title, message_text(announcement), channels=channels,
               link=reverse("announcements:h5_detail", args=[announcement.pk]), source=announcement,
               dedupe_key=f"announcement-{announcement.pk}", at=at)
    record_event(announcement, "announcements.published", actor=actor, data={
        "title": announcement.title, "audience": len(users), "sms": announcement.is_outage})


def message_text(announcement: Announcement) -> str:
    """The message's text: for an outage the times and the precautions (what the seed asks a notice to say), else
    the start of the notice."""
    if announcement.is_outage and announcement.outage_start and announcement.outage_end:
        return _("%(kind)s from %(start)s; supply restored by %(end)s. %(precautions)s") % {
            "kind": announcement.get_kind_display(), "start": local_moment(announcement.outage_start),
            "end": local_moment(announcement.outage_end), "precautions": announcement.precautions}
    text = announcement.body
    return text if len(text) <= 200 else text[:199] + "…"


def _tell_author(announcement: Announcement, actor: Actor, subject: str, body: str = "") -> None:
    author = announcement.author
    if author is not None and author.pk != getattr(actor.user, "pk", None) and author.is_active:
        notify([author], subject, body, link=announcement.get_absolute_url(), source=announcement)


def withdraw(actor: Actor, announcement: Announcement, *, reason: str = "", at: datetime | None = None) -> Announcement:
    """Take a notice back: a writer a draft or one awaiting approval; the project manager also a scheduled or a
    published one (with the reason: it leaves the portal's feed at once)."""
    at = at or timezone.now()
    require(actor, WRITE)
    _check_sees(actor, announcement)
    problems = Problems()
    reason = _text(problems, "reason", reason, REASON_MAX)
    problems.raise_if_any()
    with transaction.atomic():
        locked = _lock(announcement)
        leaves, target, _permission = TRANSITIONS["withdraw"]
        if locked.status not in leaves:
            raise _refuse_state(locked)
        if locked.status in (S.SCHEDULED, S.PUBLISHED):
            require(actor, APPROVE)
            if not reason:
                raise InvalidInput("reason", _("Give the reason: the residents may have read it."))
        before = locked.status
        locked.status, locked.withdrawn_at, locked.withdraw_reason = target, at, reason
        locked.save(update_fields=["status", "withdrawn_at", "withdraw_reason"])
        record_event(locked, "announcements.withdrawn", actor=actor.user, data={
            "title": locked.title, "reason": reason, "status_before_withdrawal": before})
    return locked


def mark_read(actor: Actor, announcement: Announcement, *, at: datetime | None = None) -> bool:
    """An owner opened a published notice: counted once per person (True the first time)."""
    if not actor.is_owner or announcement.status not in (S.PUBLISHED, S.EXPIRED):
        return False
    _check_sees(actor, announcement)
    if AnnouncementRead.objects.filter(announcement=announcement, user=actor.user).exists():
        return False
    # Two tabs opening it at once: the unique (announcement, user) keeps one row.
    AnnouncementRead.objects.bulk_create(
        [AnnouncementRead(announcement=announcement, user=actor.user, read_at=at or timezone.now())],
        ignore_conflicts=True)
    return True


# -- the job ----------------------------------------------------------------------------------------------------------
def publish_due(now: datetime | None = None) -> int:
    """Publish the scheduled notices whose time has come. Each row is claimed by a conditional update, so two runs
    at once publish it once (and its messages are deduplicated). An outage notice whose publication now would give
    less than the notice period goes back to draft, its author told."""
    now = now or timezone.now()
    count = 0
    for pk in list(Announcement.objects.due_to_publish(now).values_list("pk", flat=True)[:500]):
        with transaction.atomic():
            announcement = Announcement.objects.select_for_update(skip_locked=True).filter(
                pk=pk, status=S.SCHEDULED).select_related("project").first()
            if announcement is None:
                continue
            if announcement.is_outage and announcement.outage_start and \
                    announcement.outage_start - now < notice_period():
                _leaves, target, _permission = TRANSITIONS["lapse"]
                announcement.status = target
                announcement.save(update_fields=["status"])
                record_event(announcement, "announcements.lapsed", data={
                    "title": announcement.title, "hours": int(notice_period().total_seconds() // 3600)})
                if announcement.author and announcement.author.is_active:
                    notify([announcement.author], _("Your announcement was not published: %(title)s") % {
                        "title": announcement.title}, _("Its time came too late to give the notice the outage "
                                                        "needs; change the times and submit it again."),
                           link=announcement.get_absolute_url(), source=announcement)
                continue
            _publish(announcement, now)
            count += 1
    return count


def expire_due(now: datetime | None = None) -> int:
    """Published notices past their expiry leave the feed, one event each; a rerun finds nothing more."""
    now = now or timezone.now()
    leaves, target, _permission = TRANSITIONS["expire"]
    count = 0
    for pk in list(Announcement.objects.due_to_expire(now).values_list("pk", flat=True)[:2000]):
        with transaction.atomic():
            if not Announcement.objects.filter(pk=pk, status__in=leaves).update(status=target):
                continue
            announcement = Announcement.objects.get(pk=pk)
            record_event(announcement, "announcements.expired", data={"title": announcement.title})
            count += 1
    return count


# -- sentences --------------------------------------------------------------------------------------------------------
# Keys are named for announcements: the labels and code names are one registry for every app.
register_terms(details={"announcement_kind": gettext_lazy("kind"), "outage_start": gettext_lazy("outage starts"),
                        "outage_end": gettext_lazy("supply restored"), "buildings": gettext_lazy("buildings"),
                        "status_before_withdrawal": gettext_lazy("status before")},
               values={"announcement_kind": dict(AnnouncementKind.choices),
                       "status_before_withdrawal": dict(AnnouncementStatus.choices)})
for _key in ("outage_start", "outage_end", "publish_at"):
    register_formatter(_key, format_time)


def _created(event, fields) -> str:
    if fields.raw.get("buildings"):
        return _("Drafted the %(announcement_kind)s “%(title)s” for %(buildings)s buildings") % fields
    return _("Drafted the %(announcement_kind)s “%(title)s” for the whole project") % fields


def _approved(event, fields) -> str:
    if fields.raw.get("publish_at"):
        return _("Approved “%(title)s”; it is published at %(publish_at)s") % fields
    return _("Approved “%(title)s” for publication now") % fields


def _published(event, fields) -> str:
    if fields.raw.get("sms"):
        return _("Published; %(audience)s residents notified in the portal and by SMS") % fields
    return _("Published; %(audience)s residents notified in the portal") % fields


def _withdrawn(event, fields) -> str:
    if fields.raw.get("reason"):
        return _("Withdrawn: %(reason)s") % fields
    return _("Withdrawn")


register_sentences({
    "announcements.created": (_created, {"details": ("announcement_kind", "outage_start", "outage_end"), "example": {
        "title": "3号楼停水通知", "announcement_kind": "outage_water", "buildings": 1,
        "outage_start": "2026-12-05T09:00:00+08:00", "outage_end": "2026-12-05T15:00:00+08:00"}}),
    "announcements.edited": (gettext_lazy("Changed the draft “%(title)s”"), {"example": {"title": "3号楼停水通知"}}),
    "announcements.submitted": (gettext_lazy("Submitted “%(title)s” for approval"), {
        "details": ("outage_start",), "example": {"title": "3号楼停水通知", "announcement_kind": "outage_water",
                                                  "outage_start": "2026-12-05T09:00:00+08:00"}}),
    "announcements.approved": (_approved, {"example": {
        "title": "元旦游园活动", "publish_at": "2026-12-20T09:00:00+08:00"}}),
    "announcements.rejected": (gettext_lazy("Returned “%(title)s” for changes: %(reason)s"), {
        "example": {"title": "3号楼停水通知", "reason": "请写明临时取水点"}}),
    "announcements.published": (_published, {"example": {"title": "3号楼停水通知", "audience": 120, "sms": True}}),
    "announcements.withdrawn": (_withdrawn, {"details": ("status_before_withdrawal",), "example": {
        "title": "元旦游园活动", "reason": "活动改期", "status_before_withdrawal": "published"}}),
    "announcements.expired": (gettext_lazy("Expired: “%(title)s” left the community notices"), {
        "example": {"title": "3号楼停水通知"}}),
    "announcements.lapsed": (gettext_lazy(
        "Not published: its time came too late for %(hours)s hours' notice before the outage; back to draft"), {
        "example": {"title": "3号楼停水通知", "hours": 48}}),
    "announcements.attachment_added": (gettext_lazy("Attached “%(title)s”"), {"example": {"title": "停水范围示意图"}}),
    "announcements.attachment_removed": (gettext_lazy("Removed the attachment “%(title)s”"), {
        "example": {"title": "停水范围示意图"}}),
})
