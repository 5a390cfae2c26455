"""Goods release (物品放行, SPEC §5): an owner or tenant applies to carry goods out (in the owner portal, or at the
front desk for a walk-in); the desk approves — a tenant's release only with the owner's consent on record (given by
the owner in the portal, or a call the desk made naming who answered) — and issues a slip with a code; the gate
verifies the slip once, on its carry-out day, and it is archived. Approved slips not used expire the day after.

The states are a table (`TRANSITIONS`): action → (from states, to state, permission); `_move` is the one helper
that takes a transition on the locked row and records its event."""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wuye.core.access import Actor, require, scoped
from wuye.core.errors import Conflict, FieldProblem, InvalidInput, NotAllowed, Problems
from wuye.core.events import record_event
from wuye.core.outbox import notify
from wuye.core.scheduling import periodic
from wuye.core.sentences import register_sentences, register_terms
from wuye.core.validators import clean_text, normalize_phone, normalize_plate
from wuye.people.models import OWNING_RELATIONS, Relation, Residency

from .models import GoodsApplicant, GoodsRelease, GoodsReleaseStatus, HostConfirmation

S = GoodsReleaseStatus
ITEMS_MIN, ITEMS_MAX = 1, 30
ITEM_NAME_MAX = 40
QUANTITY_MIN, QUANTITY_MAX = 1, 999
REASON_MAX = 200  # GoodsRelease.reason
NAME_MAX = 40  # GoodsRelease.applicant_name
NOTE_MAX = 200  # consent_note, reject_reason, gate_note
DAYS_AHEAD = 30  # the carry-out day: today … today + 30
CODE_LENGTH = 8
# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: a guard reads the code off a phone screen or paper and types it.
CODE_ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"
CODE_INPUT_MAX = 40  # what a code box accepts before it is read at all

# action → (states it leaves, state it reaches). Who may take it is the function's own check.
TRANSITIONS: dict[str, tuple[frozenset, str]] = {
    "approve": (frozenset({S.APPLIED}), S.APPROVED),
    "reject": (frozenset({S.APPLIED}), S.REJECTED),
    "cancel": (frozenset({S.APPLIED, S.APPROVED}), S.CANCELLED),
    "verify": (frozenset({S.APPROVED}), S.VERIFIED),
    # An approved slip not used by its day; an application never decided by its day expires too (it can no
    # longer be approved: the day has passed).
    "expire": (frozenset({S.APPLIED, S.APPROVED}), S.EXPIRED),
}
OPEN_STATES = frozenset({S.APPLIED, S.APPROVED})


# -- reading ---------------------------------------------------------------------------------------------------------
def owned_unit_ids(actor: Actor) -> set[int]:
    """The units `actor` (an owner-portal user) owns or co-owns now (one query; pass it to `may` for a list)."""
    if not actor.is_owner or not actor.resident_id:
        return set()
    return set(Residency.objects.current().filter(resident_id=actor.resident_id, unit_id__in=actor.unit_ids,
                                                  relation__in=OWNING_RELATIONS).values_list("unit_id", flat=True))


def releases(actor: Actor):
    """The goods releases `actor` may see: staff by project scope; in the portal, an owner sees every release of
    the units they own (a tenant's too — they consent to it), anyone else of a household only their own."""
    rows = scoped(GoodsRelease.objects.all(), actor)
    if actor.is_owner:
        rows = rows.filter(Q(unit_id__in=owned_unit_ids(actor)) | Q(applicant_id=getattr(actor.user, "pk", None)))
    return rows


def awaiting_approval(actor: Actor):
    """Applications in scope waiting for the desk, oldest carry-out day first (the desk's to-do)."""
    return releases(actor).filter(status=S.APPLIED).order_by("carry_out_on", "created_at", "id")


def slips_to_verify(actor: Actor, day: date):
    """Approved slips in scope to be carried out on `day` (the gate's list)."""
    return releases(actor).filter(status=S.APPROVED, carry_out_on=day).order_by("unit__building_id", "unit_id", "id")


def needs_consent(release: GoodsRelease) -> bool:
    """A tenant's release waiting for the owner's consent on record."""
    return (release.applicant_kind == GoodsApplicant.TENANT
            and release.consent not in (HostConfirmation.PORTAL, HostConfirmation.CALL))


def applicant_kind_for(actor: Actor, unit) -> str:
    """How a portal user applies for `unit`: as a tenant when their current residency there is a tenancy, else as
    the owner's household. InvalidInput `unit` when they do not live there."""
    relation = Residency.objects.current().filter(resident_id=actor.resident_id, unit=unit).values_list(
        "relation", flat=True).first()
    if relation is None:
        raise InvalidInput("unit", _("Choose one of your own homes."))
    return GoodsApplicant.TENANT if relation == Relation.TENANT else GoodsApplicant.OWNER


def may(actor: Actor, release: GoodsRelease, action: str, owned: set[int] | None = None) -> bool:
    """Whether `actor` may take `action` on `release` now (the buttons a page shows). `owned`: the owner's
    `owned_unit_ids`, read once for a list of releases."""
    leaves, _target = TRANSITIONS.get(action, (frozenset(), None))
    if action == "consent" or action == "decline":
        if release.status != S.APPLIED or not needs_consent(release) or release.consent == HostConfirmation.DECLINED:
            return False
        if actor.is_owner:
            return release.unit_id in (owned if owned is not None else owned_unit_ids(actor))
        return actor.may("security.approve_goods")
    if release.status not in leaves:
        return False
    if action in ("approve", "reject"):
        return actor.may("security.approve_goods")
    if action == "cancel":
        mine = release.applicant_id is not None and release.applicant_id == getattr(actor.user, "pk", 0)
        return actor.may("security.approve_goods") or (actor.is_owner and mine)
    if action == "verify":
        return actor.may("security.verify_goods")
    return False


def actions_for(actor: Actor, release: GoodsRelease, owned: set[int] | None = None) -> list[str]:
    if actor.is_owner and owned is None:
        owned = owned_unit_ids(actor)
    return [action for action in ("consent", "decline", "approve", "reject", "cancel", "verify")
            if may(actor, release, action, owned)]


# -- input -----------------------------------------------------------------------------------------------------------
def _text(problems: Problems, field: str, value, limit: int, *, required=False, message=None) -> str:
    """core.validators.clean_text with this module's way of naming what is required."""
    return clean_text(problems, field, value, limit, required=(message or True) if required else False)


def parse_items(problems: Problems, items) -> list[dict]:
    """Goods as [{"name": "冰箱", "quantity": 1}, …]: 1–30 rows, each name at most 40 characters, quantity 1–999."""
    if not isinstance(items, list | tuple):
        problems.add("items", _("List the goods, each with its quantity."))
        return []
    if not ITEMS_MIN <= len(items) <= ITEMS_MAX:
        problems.add("items", _("List from %(min)s to %(max)s kinds of goods.") % {"min": ITEMS_MIN, "max": ITEMS_MAX})
        return []
    cleaned = []
    for number, item in enumerate(items):
        field = f"items[{number}]"
        if not isinstance(item, dict):
            problems.add(field, _("Give the goods' name and quantity."))
            continue
        name = _text(problems, f"{field}.name", item.get("name"), ITEM_NAME_MAX, required=True,
                     message=_("Name the goods."))
        raw = item.get("quantity", 1)
        quantity = raw if isinstance(raw, int) and not isinstance(raw, bool) else (
            int(raw) if isinstance(raw, str) and raw.strip().isascii() and raw.strip().isdigit()
            and len(raw.strip()) <= 4 else -1)
        if not QUANTITY_MIN <= quantity <= QUANTITY_MAX:
            problems.add(f"{field}.quantity", _("Give a quantity from %(min)s to %(max)s.")
                         % {"min": QUANTITY_MIN, "max": QUANTITY_MAX})
            continue
        if name:
            cleaned.append({"name": name, "quantity": quantity})
    return cleaned


def _day(problems: Problems, value, today: date) -> date | None:
    if isinstance(value, datetime):
        value = timezone.localdate(value) if timezone.is_aware(value) else value.date()
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip()[:10]) if len(value) <= 20 else None
        except ValueError:
            value = None
    if not isinstance(value, date):
        problems.add("carry_out_on", _("Give the day the goods go out."))
        return None
    if not today <= value <= today + timedelta(days=DAYS_AHEAD):
        problems.add("carry_out_on", _("The goods go out today or within %(days)s days.") % {"days": DAYS_AHEAD})
        return None
    return value


def normalize_code(value) -> str:
    """A slip code as typed or scanned: spaces and dashes dropped, upper-cased."""
    text = str(value or "")[:CODE_INPUT_MAX]
    return "".join(ch for ch in text if ch not in " -\t\n").upper()


def _new_code(project_id: int) -> str:
    for _attempt in range(20):
        code = "".join(secrets.choice(CODE_ALPHABET) for _n in range(CODE_LENGTH))
        if not GoodsRelease.objects.filter(project_id=project_id, code=code).exists():
            return code
    raise Conflict(_("No free slip code was found; try again."))  # 25^8 codes: practically never


# -- actions ---------------------------------------------------------------------------------------------------------
def apply(actor: Actor, *, project, unit, applicant_name, applicant_kind, items, carry_out_on, reason="",
          phone="", plate="", at: datetime | None = None) -> GoodsRelease:
    """An application to carry goods out of `unit` on `carry_out_on` (today … today + 30). In the portal the
    applicant is the user (a tenant of the unit applies as a tenant, whatever `applicant_kind` says); at the desk
    (`security.approve_goods`) a walk-in with name and `applicant_kind`. Items: 1–30 rows, names ≤ 40 characters,
    quantity 1–999; plate normalized, optional. Every wrong field is named at once; nothing is written then."""
    at = at or timezone.now()
    if actor.is_owner:
        require(actor, "security.own_goods")
        if unit is None or unit.pk not in actor.unit_ids:
            raise InvalidInput("unit", _("Choose one of your own homes."))
        applicant_kind = applicant_kind_for(actor, unit)
        project = unit.project
    else:
        require(actor, "security.approve_goods")
        if project is None or not scoped(type(project).objects.filter(pk=project.pk), actor).exists():
            raise InvalidInput("project", _("No such project."))
        if unit is None or unit.project_id != project.pk:
            raise InvalidInput("unit", _("Choose a unit of the project."))
    problems = Problems()
    name_default = ""
    if actor.is_owner:
        name_default = getattr(getattr(actor.user, "resident", None), "name", "") or actor.user.get_full_name()
    applicant_name = _text(problems, "applicant_name", applicant_name or name_default, NAME_MAX, required=True,
                           message=_("Give the applicant's name."))
    if applicant_kind not in GoodsApplicant.values:
        problems.add("applicant_kind", _("Say whether the applicant is the owner or a tenant."))
    cleaned = parse_items(problems, items)
    day = _day(problems, carry_out_on, timezone.localdate(at))
    reason = _text(problems, "reason", reason, REASON_MAX)
    phone = _text(problems, "phone", phone, 30)
    if not phone and actor.is_owner:
        # The owner's record's number, when it reads as one (the portal form does not ask for it).
        try:
            phone = normalize_phone(getattr(getattr(actor.user, "resident", None), "phone", "") or "")
        except ValueError:
            phone = ""
    if phone:
        phone = problems.check("phone", normalize_phone, phone) or ""
    elif not actor.is_owner:
        problems.add("phone", _("Give a phone number the desk can call back."))
    plate = _text(problems, "plate", plate, 20)
    if plate:
        plate = problems.check("plate", normalize_plate, plate) or ""
    problems.raise_if_any()
    with transaction.atomic():
        release = GoodsRelease.objects.create(
            project=project, unit=unit, applicant=actor.user if actor.is_owner else None,
            applicant_name=applicant_name, applicant_kind=applicant_kind, phone=phone, items=cleaned, reason=reason,
            carry_out_on=day, plate=plate, created_at=at)
        record_event(release, "security.goods.applied", actor=actor.user, data={
            "unit": unit.label, "applies_as": applicant_kind, "goods_kinds": len(cleaned), "on": day.isoformat(),
            "portal": actor.is_owner})
        if release.applicant_kind == GoodsApplicant.TENANT:
            _ask_owners_to_consent(release, exclude=getattr(actor.user, "pk", None))
    return release


def _ask_owners_to_consent(release: GoodsRelease, exclude=None) -> None:
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    owners = get_user_model().objects.filter(
        resident__residencies__unit=release.unit, resident__residencies__ended_on__isnull=True,
        resident__residencies__relation__in=OWNING_RELATIONS, is_active=True).exclude(pk=exclude).distinct()
    owners = list(owners)
    if owners:
        notify(owners, _("Your tenant asks to carry goods out of %(unit)s") % {"unit": release.unit.label},
               _("%(count)s kinds of goods on %(day)s. Please consent or decline in the portal.") % {
                   "count": len(release.items), "day": release.carry_out_on.strftime("%m-%d")},
               link=reverse("security:h5_goods_release", args=[release.pk]), source=release,
               dedupe_key=f"goods-consent-{release.pk}")


def _lock(release: GoodsRelease) -> GoodsRelease:
    return GoodsRelease.objects.select_for_update().select_related("unit", "project").get(pk=release.pk)


def _check_may(actor: Actor, release: GoodsRelease) -> None:
    """Outside the actor's sight → 404 (existence never leaks)."""
    if not releases(actor).filter(pk=release.pk).exists():
        raise Http404


def _refuse_state(release: GoodsRelease, action: str, field: str | None = None):
    message = _("This goods release is %(status)s; it cannot be changed this way.") % {
        "status": release.get_status_display()}
    problems = [FieldProblem(field, message)] if field else None
    return Conflict(message, problems)


def _tell_applicant(release: GoodsRelease, subject: str, body: str = "") -> None:
    from django.urls import reverse

    if release.applicant_id:
        notify(release.applicant, subject, body, link=reverse("security:h5_goods_release", args=[release.pk]),
               source=release)


def give_consent(actor: Actor, release: GoodsRelease, *, call_note: str | None = None,
                 at: datetime | None = None) -> GoodsRelease:
    """The owner's consent to a tenant's release, on record: by the owner of the unit in the portal (no note), or
    by the desk's call (`call_note` naming who answered, required). Only while the release is applied."""
    at = at or timezone.now()
    _check_may(actor, release)
    problems = Problems()
    if actor.is_owner:
        if release.unit_id not in owned_unit_ids(actor):
            raise NotAllowed(_("Only an owner of the unit consents."))
        way, note = HostConfirmation.PORTAL, ""
    else:
        require(actor, "security.approve_goods")
        way = HostConfirmation.CALL
        note = _text(problems, "call_note", call_note, NOTE_MAX, required=True,
                     message=_("Say who answered the call and what they said."))
    problems.raise_if_any()
    with transaction.atomic():
        release = _lock(release)
        if release.status != S.APPLIED:
            raise _refuse_state(release, "consent", "consent")
        if release.applicant_kind != GoodsApplicant.TENANT:
            raise Conflict(_("An owner's own release needs no consent."), [FieldProblem(
                "consent", _("An owner's own release needs no consent."))])
        if release.consent in (HostConfirmation.PORTAL, HostConfirmation.CALL):
            raise Conflict(_("The owner's consent is already on record."), [FieldProblem(
                "consent", _("The owner's consent is already on record."))])
        release.consent, release.consent_by, release.consent_at, release.consent_note = way, actor.user, at, note
        release.save(update_fields=["consent", "consent_by", "consent_at", "consent_note"])
        record_event(release, "security.goods.consented", actor=actor.user, data={"consent_way": way, "note": note})
    return release


def decline_consent(actor: Actor, release: GoodsRelease, *, note: str = "", at: datetime | None = None) -> GoodsRelease:
    """The owner (in the portal) or the desk (on a call) declines a tenant's release: the consent is on record as
    declined and the application is rejected."""
    at = at or timezone.now()
    _check_may(actor, release)
    problems = Problems()
    if actor.is_owner:
        if release.unit_id not in owned_unit_ids(actor):
            raise NotAllowed(_("Only an owner of the unit consents."))
    else:
        require(actor, "security.approve_goods")
    note = _text(problems, "note", note, NOTE_MAX, required=not actor.is_owner,
                 message=_("Say who answered the call and what they said."))
    problems.raise_if_any()
    with transaction.atomic():
        release = _lock(release)
        leaves, target = TRANSITIONS["reject"]
        if release.status not in leaves or not needs_consent(release):
            raise _refuse_state(release, "decline", "consent")
        release.consent, release.consent_by, release.consent_at = HostConfirmation.DECLINED, actor.user, at
        release.consent_note = note
        release.status, release.reject_reason = target, _("The owner declined.")
        release.save(update_fields=["consent", "consent_by", "consent_at", "consent_note", "status", "reject_reason"])
        record_event(release, "security.goods.declined", actor=actor.user, data={"note": note})
        _tell_applicant(release, _("The owner declined your goods release for %(unit)s") % {
            "unit": release.unit.label})
    return release


def approve(actor: Actor, release: GoodsRelease, *, at: datetime | None = None) -> GoodsRelease:
    """The desk approves and issues the slip (an 8-character code, unique in the project). A tenant's release
    needs the owner's consent on record first (409 naming `consent`); a day already past is refused (409
    naming `carry_out_on`)."""
    at = at or timezone.now()
    require(actor, "security.approve_goods")
    _check_may(actor, release)
    with transaction.atomic():
        release = _lock(release)
        leaves, target = TRANSITIONS["approve"]
        if release.status not in leaves:
            raise _refuse_state(release, "approve", "status")
        if needs_consent(release):
            message = _("A tenant's release needs the owner's consent on record first: in the portal, or by a "
                        "call naming who answered.")
            raise Conflict(message, [FieldProblem("consent", message)])
        if release.carry_out_on < timezone.localdate(at):
            message = _("The carry-out day has passed.")
            raise Conflict(message, [FieldProblem("carry_out_on", message)])
        for _attempt in range(3):
            code = _new_code(release.project_id)
            try:
                with transaction.atomic():  # a savepoint: a code taken meanwhile by another approval → try another
                    GoodsRelease.objects.filter(pk=release.pk).update(
                        code=code, status=target, approved_by=actor.user, approved_at=at)
                break
            except IntegrityError:
                continue
        else:
            raise Conflict(_("No free slip code was found; try again."))
        release.refresh_from_db()
        record_event(release, "security.goods.approved", actor=actor.user, data={
            "unit": release.unit.label, "on": release.carry_out_on.isoformat()})
        _tell_applicant(release, _("Your goods release for %(unit)s is approved") % {"unit": release.unit.label},
                        _("Show the slip at the gate on %(day)s.") % {"day": release.carry_out_on.strftime("%m-%d")})
    return release


def reject(actor: Actor, release: GoodsRelease, *, reason: str, at: datetime | None = None) -> GoodsRelease:
    """The desk refuses an application, with the reason (required)."""
    require(actor, "security.approve_goods")
    _check_may(actor, release)
    problems = Problems()
    reason = _text(problems, "reason", reason, NOTE_MAX, required=True, message=_("Give the reason."))
    problems.raise_if_any()
    with transaction.atomic():
        release = _lock(release)
        leaves, target = TRANSITIONS["reject"]
        if release.status not in leaves:
            raise _refuse_state(release, "reject", "status")
        release.status, release.reject_reason = target, reason
        release.save(update_fields=["status", "reject_reason"])
        record_event(release, "security.goods.rejected", actor=actor.user, data={"reason": reason})
        _tell_applicant(release, _("Your goods release for %(unit)s was refused") % {"unit": release.unit.label},
                        reason)
    return release


def cancel(actor: Actor, release: GoodsRelease, *, reason: str = "", at: datetime | None = None) -> GoodsRelease:
    """The applicant (in the portal) or the desk withdraws an application or an unused slip."""
    _check_may(actor, release)
    if not (actor.may("security.approve_goods") or (
            actor.is_owner and release.applicant_id and release.applicant_id == getattr(actor.user, "pk", None))):
        raise NotAllowed(_("Only the applicant or the front desk cancels a goods release."))
    problems = Problems()
    reason = _text(problems, "reason", reason, NOTE_MAX)
    problems.raise_if_any()
    with transaction.atomic():
        release = _lock(release)
        leaves, target = TRANSITIONS["cancel"]
        if release.status not in leaves:
            raise _refuse_state(release, "cancel", "status")
        release.status = target
        release.save(update_fields=["status"])
        record_event(release, "security.goods.cancelled", actor=actor.user, data={"reason": reason})
    return release


def find_slip(actor: Actor, *, project, code):
    """The slip of `code` in `project` as the gate sees it; InvalidInput `code` when there is none."""
    require(actor, "security.verify_goods")
    code = normalize_code(code)
    if not code:
        raise InvalidInput("code", _("Type or scan the slip's code."))
    release = releases(actor).filter(project=project, code=code).select_related("unit", "project").first()
    if release is None:
        raise InvalidInput("code", _("No slip has this code."))
    return release


def verify_slip(actor: Actor, *, project, code, note: str = "", at: datetime | None = None) -> GoodsRelease:
    """The gate releases the goods of the slip `code` (security.verify_goods; finance → 403): once, on its
    carry-out day. An unknown code → 422 naming `code`; a slip already used, withdrawn or for another day → 409
    naming `code` with the reason. Two gates at once: the row lock lets one through."""
    at = at or timezone.now()
    release = find_slip(actor, project=project, code=code)
    problems = Problems()
    note = _text(problems, "note", note, NOTE_MAX)
    problems.raise_if_any()
    with transaction.atomic():
        release = _lock(release)
        today = timezone.localdate(at)
        if release.status == S.VERIFIED:
            message = _("This slip was already used at %(time)s.") % {
                "time": timezone.localtime(release.verified_at).strftime("%m-%d %H:%M")}
            raise Conflict(message, [FieldProblem("code", message)])
        leaves, target = TRANSITIONS["verify"]
        if release.status not in leaves:
            message = _("This slip is not valid: the release is %(status)s.") % {
                "status": release.get_status_display()}
            raise Conflict(message, [FieldProblem("code", message)])
        if release.carry_out_on != today:
            message = _("This slip is for %(day)s, not today.") % {"day": release.carry_out_on.strftime("%Y-%m-%d")}
            raise Conflict(message, [FieldProblem("code", message)])
        release.status, release.verified_by, release.verified_at, release.gate_note = target, actor.user, at, note
        release.save(update_fields=["status", "verified_by", "verified_at", "gate_note"])
        record_event(release, "security.goods.verified", actor=actor.user, data={
            "unit": release.unit.label, "goods_kinds": len(release.items), "note": note})
    return release


def verify_release(actor: Actor, release: GoodsRelease, *, code: str | None = None, note: str = "",
                   at: datetime | None = None) -> GoodsRelease:
    """`verify_slip` from the release's own page: `code`, when given, must be the release's (422 naming `code`);
    a release without a slip is refused (409 naming `code`)."""
    require(actor, "security.verify_goods")
    _check_may(actor, release)
    if code and normalize_code(code) != release.code:
        raise InvalidInput("code", _("No slip has this code."))
    if not release.code:
        raise _refuse_state(release, "verify", "code")
    return verify_slip(actor, project=release.project, code=release.code, note=note, at=at)


@periodic(timedelta(hours=1), name="security.expire_goods_releases")
def expire_releases(now: datetime | None = None) -> int:
    """Approved slips (and undecided applications) whose carry-out day has passed expire, one event each. A rerun
    finds nothing more; each row is claimed by a conditional update, so two runs at once expire it once."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    leaves, target = TRANSITIONS["expire"]
    count = 0
    due = GoodsRelease.objects.filter(status__in=leaves, carry_out_on__lt=today).values_list("pk", "status")[:5000]
    for pk, status in list(due):
        with transaction.atomic():
            if not GoodsRelease.objects.filter(pk=pk, status=status).update(status=target):
                continue
            release = GoodsRelease.objects.get(pk=pk)
            record_event(release, "security.goods.expired", data={"status_before": status})
            count += 1
    return count


# -- the slip --------------------------------------------------------------------------------------------------------
def qr_svg(text: str) -> str:
    """The QR of `text` as an inline SVG (the portal shows it to the gate's scanner): core.qrlabels draws it."""
    from wuye.core.qrlabels import qr_svg as draw

    return draw(text)


def slip_pdf(release: GoodsRelease) -> bytes:
    """The release slip (物品放行条) in Chinese: project, unit, applicant, the goods, day, plate, the code as text and
    as a QR, and who approved it. Only an approved (or used) slip has one."""
    from wuye.core.pdf import Document
    from wuye.core.pii import mask_phone
    from wuye.core.qrlabels import draw_qr

    if not release.code or release.status not in (S.APPROVED, S.VERIFIED):
        raise Conflict(_("Only an approved release has a slip."), [FieldProblem("status", _(
            "Only an approved release has a slip."))])
    doc = Document(title=f"物品放行条 {release.project.name}")
    doc.heading("物品放行条")
    pdf = doc.pdf
    top = pdf.get_y()
    draw_qr(pdf, release.code, 150, top - 2, 40)
    kinds = {GoodsApplicant.OWNER: "业主", GoodsApplicant.TENANT: "租户"}
    approver = release.approved_by.get_full_name() if release.approved_by else ""
    consent = ""
    if release.applicant_kind == GoodsApplicant.TENANT:
        consent = {HostConfirmation.PORTAL: "业主已在线同意", HostConfirmation.CALL: "业主电话确认"}.get(
            release.consent, "")
    doc.fields([
        ("放行码", " ".join((release.code[:4], release.code[4:]))),
        ("项目", release.project.name),
        ("房屋", release.unit.label),
        ("申请人", f"{release.applicant_name}（{kinds.get(release.applicant_kind, '')}）"
                   + (f" {mask_phone(release.phone)}" if release.phone else "")),
        ("放行日期", release.carry_out_on.strftime("%Y-%m-%d")),
        ("车牌", release.plate or "—"),
    ])
    pdf.set_y(max(pdf.get_y(), top + 42))
    doc.table(["序号", "物品名称", "数量"],
              [[str(n), item.get("name", ""), str(item.get("quantity", ""))]
               for n, item in enumerate(release.items or [], start=1)], widths=[20, 110, 40], align_right={2})
    if release.reason:
        doc.paragraph(f"事由：{release.reason}")
    if consent:
        doc.paragraph(f"业主同意：{consent}" + (f"（{release.consent_note}）" if release.consent_note else ""))
    lines = [f"审批人：{approver or '客服中心'}"]
    if release.approved_at:
        lines.append(f"审批时间：{timezone.localtime(release.approved_at):%Y-%m-%d %H:%M}")
    if release.verified_at:
        lines.append(f"已于 {timezone.localtime(release.verified_at):%Y-%m-%d %H:%M} 门岗核验放行")
    doc.signature(lines)
    doc.paragraph("本放行条仅限当日一次有效，门岗核验后存档。", size=9)
    return doc.render()


def slip_filename(release: GoodsRelease) -> str:
    from wuye.core.downloads import download_name

    return download_name("物品放行条", release.project.name, release.unit.label, release.carry_out_on.isoformat(),
                         ext="pdf")


# -- sentences -------------------------------------------------------------------------------------------------------
# Keys of these events' data are named for goods releases (the labels and code names are one registry for every
# app: a plain "items" or "kind" would relabel other apps' events).
register_terms(details={"goods_kinds": gettext_lazy("kinds of goods"), "applies_as": gettext_lazy("applies as"),
                        "consent_way": gettext_lazy("consent given"), "status_before": gettext_lazy("status before")},
               values={"applies_as": dict(GoodsApplicant.choices), "status_before": dict(GoodsReleaseStatus.choices),
                       "consent_way": dict(HostConfirmation.choices)})


def _applied(event, fields) -> str:
    if fields.raw.get("portal"):
        return _("Applied in the portal to carry %(goods_kinds)s kinds of goods out of %(unit)s on %(on)s") % fields
    return _("Applied at the front desk to carry %(goods_kinds)s kinds of goods out of %(unit)s on %(on)s") % fields


def _consented(event, fields) -> str:
    if fields.raw.get("consent_way") == HostConfirmation.CALL:
        return _("The owner consented on a call: %(note)s") % fields
    return _("The owner consented in the portal")


def _cancelled(event, fields) -> str:
    if fields.raw.get("reason"):
        return _("Goods release cancelled: %(reason)s") % fields
    return _("Goods release cancelled")


def _verified(event, fields) -> str:
    text = _("Goods released at the gate (%(goods_kinds)s kinds)") % fields
    if fields.raw.get("note"):
        text = _("%(text)s: %(note)s") % {"text": text, "note": fields["note"]}
    return text


register_sentences({
    "security.goods.applied": (_applied, {"details": ("applies_as",), "example": {
        "unit": "1-1-101", "applies_as": "tenant", "goods_kinds": 3, "on": "2026-12-05", "portal": True}}),
    "security.goods.consented": (_consented, {"example": {"consent_way": "call", "note": "业主王先生接听，同意搬出"}}),
    "security.goods.declined": (gettext_lazy("The owner declined the goods release"), {
        "details": ("note",), "example": {"note": "未经同意"}}),
    "security.goods.approved": (gettext_lazy("Approved; the release slip for %(on)s is issued"), {
        "example": {"unit": "1-1-101", "on": "2026-12-05"}}),
    "security.goods.rejected": (gettext_lazy("Goods release refused: %(reason)s"), {
        "example": {"reason": "物品清单与申请人不符"}}),
    "security.goods.cancelled": (_cancelled, {"example": {"reason": "改期搬家"}}),
    "security.goods.verified": (_verified, {"example": {"unit": "1-1-101", "goods_kinds": 3, "note": "与清单一致"}}),
    "security.goods.expired": (gettext_lazy("The release expired unused"), {
        "details": ("status_before",), "example": {"status_before": "approved"}}),
})
