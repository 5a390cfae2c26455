"""Move-in (入伙, SPEC §7, seed 001 ch.3 §1, seed 003 入伙手续).

A batch of one building is drafted with its days and time slots; its notice goes to the building's owners (in-app
and SMS, with a Chinese PDF: time, place, documents to bring, fees) no later than
`settings.WUYE_MOVE_IN_NOTICE_DAYS` days before its first day; once open, owners book a slot in the portal (the
slot's row lock enforces its capacity). At the desk each unit's move-in walks `TRANSITIONS`: identity and contract
checked → fees settled (charges posted through billing with the move-in as their source, paid at the desk) →
joint house inspection (checklist; meter readings recorded by billing's `record_reading`; each issue opens a
rectification, `rectification.move_in`, 7 working days) → keys handed over and signed for on the screen (starts
the `movein.return_visit` clock, 3 days) → agreements signed → the return visit (stops the clock) completes it."""

from __future__ import annotations

import base64
import binascii
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wuye.core.access import Actor, Role, require, scoped
from wuye.core.errors import Conflict, FieldProblem, InvalidInput, NotAllowed, Problems
from wuye.core.events import record_event
from wuye.core.models import Channel
from wuye.core.outbox import notify
from wuye.core.sentences import register_sentences, register_terms
from wuye.core.validators import check_plausible_date, clean_text
from wuye.people.models import OWNING_RELATIONS, Residency

from .models import (
    BatchStatus,
    HouseInspection,
    InspectionItem,
    KeyHandover,
    MoveIn,
    MoveInBatch,
    MoveInSlot,
    MoveInStatus,
)

S, B = MoveInStatus, BatchStatus
RETURN_VISIT = "movein.return_visit"
RECTIFICATION_POLICY = "rectification.move_in"
NAME_MAX, PLACE_MAX, FEES_MAX, NOTE_MAX, NEEDS_MAX = 60, 100, 300, 200, 500
BATCH_DAYS_MAX = 31  # a batch spans at most a month
SLOTS_PER_DAY_MAX = 8
CAPACITY_MAX = 200
ITEMS_MAX = 60  # checklist lines of one inspection
CARDS_MAX = 10
KEYS_MAX = 20
MONTHS_MAX = 12
SIGNATURE_MAX_BYTES = 512 * 1024
AGREEMENTS = {
    "management_agreement": gettext_lazy("Property management agreement"),
    "decoration_rules": gettext_lazy("Decoration management rules"),
    "interim_covenant": gettext_lazy("Interim management covenant"),
}
# The Chinese names the notice PDF and the sentences use whatever the UI language.
AGREEMENT_NAMES_ZH = {"management_agreement": "物业服务协议", "decoration_rules": "装修管理规定",
                      "interim_covenant": "临时管理规约"}
METER_KINDS = ("water", "electricity", "gas")

# action → (states it leaves, state it reaches, permission)
TRANSITIONS: dict[str, tuple[frozenset, str, str]] = {
    "check_identity": (frozenset({S.BOOKED}), S.IDENTITY_CHECKED, "moveins.desk"),
    "settle_fees": (frozenset({S.IDENTITY_CHECKED}), S.FEES_SETTLED, "moveins.desk"),
    "inspect": (frozenset({S.FEES_SETTLED}), S.INSPECTED, "moveins.inspect"),
    "hand_keys": (frozenset({S.INSPECTED}), S.KEYS_HANDED, "moveins.desk"),
    "sign_agreements": (frozenset({S.KEYS_HANDED}), S.AGREEMENTS_SIGNED, "moveins.desk"),
    "return_visit": (frozenset({S.KEYS_HANDED, S.AGREEMENTS_SIGNED}), S.COMPLETED, "moveins.desk"),
    "cancel": (frozenset({S.BOOKED, S.IDENTITY_CHECKED}), S.CANCELLED, "moveins.desk"),
}
# Charges may be posted while the fees are being settled.
CHARGE_STATES = frozenset({S.IDENTITY_CHECKED})
BATCH_TRANSITIONS: dict[str, tuple[frozenset, str]] = {
    "notify": (frozenset({B.DRAFT}), B.NOTIFIED),
    "open": (frozenset({B.NOTIFIED}), B.OPEN),
    "close": (frozenset({B.NOTIFIED, B.OPEN}), B.CLOSED),
}
ACTIVE = [s for s in S.values if s != S.CANCELLED]


# -- reading ---------------------------------------------------------------------------------------------------------
def batches(actor: Actor):
    """Batches in scope (staff by project; an owner the batches of the buildings they own a home in)."""
    if actor.is_owner:
        buildings = Residency.objects.current().filter(
            resident_id=actor.resident_id, unit_id__in=actor.unit_ids, relation__in=OWNING_RELATIONS
        ).values("unit__building_id")
        return MoveInBatch.objects.filter(building_id__in=buildings).exclude(status=B.DRAFT)
    return scoped(MoveInBatch.objects.all(), actor)


def move_ins(actor: Actor):
    """Move-ins in scope: staff by project, an owner only their own homes'."""
    return scoped(MoveIn.objects.all(), actor)


def due_today(actor: Actor, day: date):
    """Move-ins booked for `day` not yet completed (the desk's "move-ins today")."""
    return move_ins(actor).filter(slot__day=day).exclude(status__in=[S.COMPLETED, S.CANCELLED])


def return_visits_due(actor: Actor):
    """Move-ins whose keys are signed for and whose return visit is still to do."""
    return move_ins(actor).filter(status__in=[S.KEYS_HANDED, S.AGREEMENTS_SIGNED])


def owned_unit_ids(actor: Actor) -> set[int]:
    if not actor.is_owner or not actor.resident_id:
        return set()
    return set(Residency.objects.current().filter(resident_id=actor.resident_id, unit_id__in=actor.unit_ids,
                                                  relation__in=OWNING_RELATIONS).values_list("unit_id", flat=True))


def slots_with_places(batch: MoveInBatch) -> list[dict]:
    """The batch's slots with how many places are left (one query)."""
    from django.db.models import Count, Q

    rows = batch.slots.annotate(taken=Count("move_ins", filter=~Q(move_ins__status=S.CANCELLED)))
    return [{"slot": slot, "taken": slot.taken, "left": max(slot.capacity - slot.taken, 0)} for slot in rows]


def may(actor: Actor, move_in: MoveIn, action: str) -> bool:
    leaves, _target, permission = TRANSITIONS.get(action, (frozenset(), None, ""))
    if action == "charge":
        return move_in.status in CHARGE_STATES and actor.may("moveins.desk") and actor.may("billing.charge")
    if move_in.status not in leaves:
        return False
    if action == "cancel" and actor.is_owner:
        return move_in.status == S.BOOKED and move_in.unit_id in owned_unit_ids(actor)
    return actor.may(permission)


def actions_for(actor: Actor, move_in: MoveIn) -> list[str]:
    return [action for action in ("check_identity", "charge", *list(TRANSITIONS)[1:]) if may(actor, move_in, action)]


# -- input -----------------------------------------------------------------------------------------------------------
def _text(problems: Problems, field: str, value, limit: int, *, required=False, message=None) -> str:
    """core.validators.clean_text with this module's way of naming what is required."""
    return clean_text(problems, field, value, limit, required=(message or True) if required else False)


def _as_date(problems: Problems, field: str, value) -> date | None:
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip()[:10])
        except ValueError:
            value = None
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        problems.add(field, _("Give a date."))
        return None
    return problems.check(field, check_plausible_date, value)  # the project's one date window


def _as_time(value) -> time | None:
    if isinstance(value, time):
        return value
    try:
        return time.fromisoformat(str(value or "").strip()[:5])
    except ValueError:
        return None


def parse_slots(problems: Problems, slots) -> list[tuple[time, time, int]]:
    """The day's time slots as [{"starts": "09:00", "ends": "11:00", "capacity": 6}, …]: 1–8, in order, no
    overlap, capacity 1–200."""
    if not isinstance(slots, list | tuple) or not 1 <= len(slots) <= SLOTS_PER_DAY_MAX:
        problems.add("slots", _("Give from 1 to %(count)s time slots a day.") % {"count": SLOTS_PER_DAY_MAX})
        return []
    cleaned = []
    for number, slot in enumerate(slots):
        field = f"slots[{number}]"
        slot = slot if isinstance(slot, dict) else {}
        starts, ends = _as_time(slot.get("starts")), _as_time(slot.get("ends"))
        capacity = slot.get("capacity")
        if starts is None or ends is None or ends <= starts:
            problems.add(f"{field}.ends", _("Give the slot's start and end times (HH:MM), the end after the start."))
            continue
        if not isinstance(capacity, int) or isinstance(capacity, bool) or not 1 <= capacity <= CAPACITY_MAX:
            problems.add(f"{field}.capacity", _("Give a capacity from 1 to %(count)s households.")
                         % {"count": CAPACITY_MAX})
            continue
        if cleaned and starts < cleaned[-1][1]:
            problems.add(f"{field}.starts", _("Time slots go in order and do not overlap."))
            continue
        cleaned.append((starts, ends, capacity))
    return cleaned


# -- batches ---------------------------------------------------------------------------------------------------------
def create_batch(actor: Actor, *, building, name, first_day, last_day, place, slots, fees_note="",
                 at: datetime | None = None) -> MoveInBatch:
    """A draft batch of `building` over first_day … last_day (at most 31 days, not in the past), each day with the
    same time slots. Every wrong field is named at once; nothing is written then."""
    require(actor, "moveins.manage")
    at = at or timezone.now()
    if building is None or not scoped(type(building).objects.filter(pk=building.pk), actor).exists():
        raise InvalidInput("building", _("No such building."))
    problems = Problems()
    name = _text(problems, "name", name, NAME_MAX, required=True, message=_("Name the batch."))
    place = _text(problems, "place", place, PLACE_MAX, required=True, message=_("Say where owners come."))
    fees_note = _text(problems, "fees_note", fees_note, FEES_MAX)
    first = _as_date(problems, "first_day", first_day)
    last = _as_date(problems, "last_day", last_day)
    if first and first < timezone.localdate(at):
        problems.add("first_day", _("The first day is in the past."))
    if first and last and not 0 <= (last - first).days < BATCH_DAYS_MAX:
        problems.add("last_day", _("The last day is on or after the first, at most %(count)s days later.")
                     % {"count": BATCH_DAYS_MAX - 1})
    cleaned = parse_slots(problems, slots)
    problems.raise_if_any()
    with transaction.atomic():
        batch = MoveInBatch.objects.create(project_id=building.project_id, building=building, name=name,
                                           first_day=first, last_day=last, place=place, fees_note=fees_note,
                                           created_by=actor.user, created_at=at)
        MoveInSlot.objects.bulk_create([
            MoveInSlot(batch=batch, day=first + timedelta(days=n), starts=starts, ends=ends, capacity=capacity)
            for n in range((last - first).days + 1) for starts, ends, capacity in cleaned])
        record_event(batch, "moveins.batch_created", actor=actor.user, data={
            "name": name, "on": first.isoformat(), "days": (last - first).days + 1})
    return batch


def earliest_first_day(at: datetime) -> date:
    """The earliest first day a notice sent at `at` still allows (WUYE_MOVE_IN_NOTICE_DAYS ahead)."""
    return timezone.localdate(at) + timedelta(days=settings.WUYE_MOVE_IN_NOTICE_DAYS)


def building_owners(building):
    """The active users who own a home in `building` now."""
    from django.contrib.auth import get_user_model

    return list(get_user_model().objects.filter(
        resident__residencies__unit__building=building, resident__residencies__ended_on__isnull=True,
        resident__residencies__relation__in=OWNING_RELATIONS, is_active=True).distinct())


def _lock_batch(batch: MoveInBatch) -> MoveInBatch:
    return MoveInBatch.objects.select_for_update().select_related("building", "project").get(pk=batch.pk)


def _refuse_batch(batch: MoveInBatch, field: str = "status") -> Conflict:
    message = _("The batch is %(status)s: this step is not open to it.") % {"status": batch.get_status_display()}
    return Conflict(message, [FieldProblem(field, message)])


def notify_batch(actor: Actor, batch: MoveInBatch, *, at: datetime | None = None) -> MoveInBatch:
    """Send the batch's notice to every owner of the building (in-app and SMS, linking the portal page with the
    notice PDF). Refused (422 naming `first_day`, with the earliest first day still possible) when the first day
    is less than WUYE_MOVE_IN_NOTICE_DAYS days away. A second call is a 409."""
    require(actor, "moveins.manage")
    _check_batch(actor, batch)
    at = at or timezone.now()
    earliest = earliest_first_day(at)
    if batch.first_day < earliest:
        raise InvalidInput("first_day", _(
            "The notice goes out at least %(days)s days before the first day: the earliest first day now is "
            "%(day)s.") % {"days": settings.WUYE_MOVE_IN_NOTICE_DAYS, "day": _day_text(earliest)})
    from django.urls import reverse

    with transaction.atomic():
        batch = _lock_batch(batch)
        leaves, target = BATCH_TRANSITIONS["notify"]
        if batch.status not in leaves:
            raise _refuse_batch(batch)
        batch.status, batch.notice_sent_at = target, at
        batch.save(update_fields=["status", "notice_sent_at"])
        owners = building_owners(batch.building)
        if owners:
            notify(owners, _("Move-in notice: %(name)s") % {"name": batch.name},
                   _("Move-in from %(first)s to %(last)s at %(place)s. Bring your identity card and purchase "
                     "contract. Book your time slot in the portal.") % {
                       "first": _day_text(batch.first_day), "last": _day_text(batch.last_day), "place": batch.place},
                   channels=(Channel.IN_APP, Channel.SMS), link=reverse("moveins:h5_list"), source=batch,
                   dedupe_key=f"movein-notice-{batch.pk}", at=at)
        record_event(batch, "moveins.batch_notified", actor=actor.user, data={
            "on": batch.first_day.isoformat(), "owners": len(owners)})
    return batch


def open_batch(actor: Actor, batch: MoveInBatch, *, at: datetime | None = None) -> MoveInBatch:
    """Owners may book their slots from now on (after the notice)."""
    return _move_batch(actor, batch, "open", at, "moveins.batch_opened")


def close_batch(actor: Actor, batch: MoveInBatch, *, at: datetime | None = None) -> MoveInBatch:
    """No more bookings; move-ins already booked go on."""
    return _move_batch(actor, batch, "close", at, "moveins.batch_closed")


def _move_batch(actor, batch, action, at, verb):
    require(actor, "moveins.manage")
    _check_batch(actor, batch)
    with transaction.atomic():
        batch = _lock_batch(batch)
        leaves, target = BATCH_TRANSITIONS[action]
        if batch.status not in leaves:
            raise _refuse_batch(batch)
        batch.status = target
        batch.save(update_fields=["status"])
        record_event(batch, verb, actor=actor.user, data={"name": batch.name})
    return batch


def _check_batch(actor: Actor, batch: MoveInBatch) -> None:
    if not batches(actor).filter(pk=batch.pk).exists():
        raise Http404


def _day_text(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def notice_pdf(batch: MoveInBatch) -> bytes:
    """The batch's notice (入伙通知书) in Chinese: days and time slots, place, documents to bring, fees."""
    from wuye.core.pdf import Document

    doc = Document(title=f"入伙通知书 {batch.project.name}")
    doc.heading("入伙通知书")
    doc.paragraph(f"尊敬的{batch.project.name}{batch.building}业主：")
    doc.paragraph(f"您好！{batch.building}定于{_day_text(batch.first_day)}至{_day_text(batch.last_day)}集中办理"
                  f"入伙手续，请在业主服务平台预约办理时段，按时前来办理。")
    times = sorted({(slot.starts, slot.ends) for slot in batch.slots.all()})
    doc.fields([
        ("批次", batch.name),
        ("办理日期", f"{_day_text(batch.first_day)} 至 {_day_text(batch.last_day)}"),
        ("办理时段", "，".join(f"{s:%H:%M}—{e:%H:%M}" for s, e in times)),
        ("办理地点", batch.place),
        ("需携带资料", "业主身份证原件及复印件、购房合同原件；委托办理的另带授权委托书及受托人身份证"),
        ("缴纳费用", batch.fees_note or "物业服务费（按物业服务协议约定预交）"),
    ])
    doc.paragraph("办理流程：身份及购房合同核验 → 缴纳费用 → 共同验房（抄录水电燃气表读数） → 领取钥匙及门禁卡并签收 → "
                  "签署《物业服务协议》《装修管理规定》《临时管理规约》。验房发现的问题由工程部限期整改，整改进度可在业主服务平台查看。")
    doc.signature([f"{batch.project.name} 物业服务中心",
                   _day_text(timezone.localdate(batch.notice_sent_at) if batch.notice_sent_at
                             else timezone.localdate())])
    return doc.render()


def notice_filename(batch: MoveInBatch) -> str:
    from wuye.core.downloads import download_name

    return download_name("入伙通知书", batch.project.name, batch.name, ext="pdf")


# -- booking ---------------------------------------------------------------------------------------------------------
def book(actor: Actor, *, batch: MoveInBatch, unit, slot: MoveInSlot | None = None, owner_name: str = "",
         at: datetime | None = None) -> MoveIn:
    """A unit's move-in in `batch`: an owner books a slot of an open batch for a home they own; the desk
    (`moveins.desk`) registers any unit of the batch's building, with or without a slot. The slot's row is locked
    while its places are counted: of two bookings for its last place one wins and the other is a 409 naming
    `slot`. A unit already booked in the batch is a 409 naming `unit`."""
    at = at or timezone.now()
    if actor.is_owner:
        require(actor, "moveins.own")
        if unit is None or unit.pk not in owned_unit_ids(actor):
            raise InvalidInput("unit", _("Choose one of your own homes."))
        if slot is None:
            raise InvalidInput("slot", _("Choose a time slot."))
        owner_name = owner_name or getattr(getattr(actor.user, "resident", None), "name", "") \
            or actor.user.get_full_name()
    else:
        require(actor, "moveins.desk")
    _check_batch(actor, batch)
    batch = MoveInBatch.objects.get(pk=batch.pk)  # its status as it is now
    problems = Problems()
    if unit is None or unit.building_id != batch.building_id:
        problems.add("unit", _("Choose a home of the batch's building."))
    if slot is not None and slot.batch_id != batch.pk:
        problems.add("slot", _("Choose a time slot of this batch."))
    if not owner_name and unit is not None and unit.building_id == batch.building_id:
        owner_name = _owner_name_of(unit)
    owner_name = _text(problems, "owner_name", owner_name, 40, required=True, message=_("Give the owner's name."))
    problems.raise_if_any()
    if actor.is_owner and batch.status != B.OPEN:
        message = _("This batch is not open for booking.")
        raise Conflict(message, [FieldProblem("batch", message)])
    if batch.status == B.DRAFT or batch.status == B.CLOSED:
        raise _refuse_batch(batch, "batch")
    with transaction.atomic():
        if slot is not None:
            slot = MoveInSlot.objects.select_for_update().get(pk=slot.pk)
            taken = MoveIn.objects.filter(slot=slot).exclude(status=S.CANCELLED).count()
            if taken >= slot.capacity:
                message = _("This time slot is full; choose another.")
                raise Conflict(message, [FieldProblem("slot", message)])
        if MoveIn.objects.filter(batch=batch, unit=unit).exclude(status=S.CANCELLED).exists():
            message = _("This home is already booked in this batch.")
            raise Conflict(message, [FieldProblem("unit", message)])
        try:
            with transaction.atomic():
                move_in = MoveIn.objects.create(project_id=batch.project_id, batch=batch, unit=unit, slot=slot,
                                                owner_name=owner_name, booked_by=actor.user, created_at=at)
        except IntegrityError:
            message = _("This home is already booked in this batch.")
            raise Conflict(message, [FieldProblem("unit", message)]) from None
        record_event(move_in, "moveins.booked", actor=actor.user, data={
            "unit": unit.label, "on": slot.day.isoformat() if slot else "", "portal": actor.is_owner})
    return move_in


def _owner_name_of(unit) -> str:
    residency = (Residency.objects.current().filter(unit=unit, relation__in=OWNING_RELATIONS)
                 .select_related("resident").order_by("id").first())
    return residency.resident.name if residency else ""


# -- the desk's steps ------------------------------------------------------------------------------------------------
def _check(actor: Actor, move_in: MoveIn) -> None:
    if not move_ins(actor).filter(pk=move_in.pk).exists():
        raise Http404


def _lock(move_in: MoveIn) -> MoveIn:
    return MoveIn.objects.select_for_update().select_related("unit", "project", "batch").get(pk=move_in.pk)


def _begin(actor: Actor, move_in: MoveIn, action: str) -> MoveIn:
    """Lock the row and check its state for `action` (409 naming `status`); call inside a transaction."""
    move_in = _lock(move_in)
    leaves, _target, _permission = TRANSITIONS[action]
    if move_in.status not in leaves:
        message = _("The move-in is at “%(status)s”: this step is not open now.") % {
            "status": move_in.get_status_display()}
        raise Conflict(message, [FieldProblem("status", message)])
    return move_in


def _permit(actor: Actor, move_in: MoveIn, action: str) -> None:
    _check(actor, move_in)
    require(actor, TRANSITIONS[action][2])


def check_identity(actor: Actor, move_in: MoveIn, *, contract_number, note: str = "",
                   at: datetime | None = None) -> MoveIn:
    """The desk has seen the owner's identity card and the purchase contract (its number on record)."""
    _permit(actor, move_in, "check_identity")
    at = at or timezone.now()
    problems = Problems()
    contract_number = _text(problems, "contract_number", contract_number, 40, required=True,
                            message=_("Give the purchase contract's number."))
    note = _text(problems, "note", note, NOTE_MAX)
    problems.raise_if_any()
    with transaction.atomic():
        move_in = _begin(actor, move_in, "check_identity")
        move_in.status = TRANSITIONS["check_identity"][1]
        move_in.contract_number, move_in.identity_note = contract_number, note
        move_in.identity_checked_at, move_in.identity_checked_by = at, actor.user
        move_in.save(update_fields=["status", "contract_number", "identity_note", "identity_checked_at",
                                    "identity_checked_by"])
        record_event(move_in, "moveins.identity_checked", actor=actor.user, data={"note": note})
    return move_in


def property_fee_quote(move_in: MoveIn, months: int) -> tuple[object, Decimal] | None:
    """(item, amount) of `months` months' property fee for the unit at the tariff in force on the batch's first
    day, or None when the project has no property-fee item or price."""
    from wuye.billing.models import ChargeItem, ChargeKind
    from wuye.billing.runs import monthly_amount, tariff_for

    item = (ChargeItem.objects.filter(project_id=move_in.project_id, kind=ChargeKind.PROPERTY_FEE, is_active=True)
            .order_by("id").first())
    if item is None:
        return None
    tariff = tariff_for(item, move_in.unit.kind, move_in.batch.first_day)
    if tariff is None:
        return None
    return item, monthly_amount(tariff, move_in.unit) * months


def charge(actor: Actor, move_in: MoveIn, *, months, at: datetime | None = None) -> list:
    """Post the first `months` (1–12) months' property fee at the project's tariff through billing: one bill per
    month from the batch's first month, each with the move-in as its source (billing keeps one bill per source and
    month). A month already charged is not charged again, so a repeat posts nothing new."""
    from wuye.billing.periods import add_months
    from wuye.billing.services import post_charge

    _check(actor, move_in)
    require(actor, "moveins.desk")
    at = at or timezone.now()
    if not isinstance(months, int) or isinstance(months, bool) or not 1 <= months <= MONTHS_MAX:
        raise InvalidInput("months", _("Give from 1 to %(count)s months.") % {"count": MONTHS_MAX})
    quote = property_fee_quote(move_in, 1)
    if quote is None or quote[1] <= 0:
        raise InvalidInput("months", _("The project has no property-fee price for this home yet."))
    item, monthly = quote
    first = move_in.batch.first_day.replace(day=1)
    periods = [add_months(first, n) for n in range(months)]
    with transaction.atomic():
        move_in = _lock(move_in)
        if move_in.status not in CHARGE_STATES:
            message = _("Fees are charged after the identity check and before they are settled.")
            raise Conflict(message, [FieldProblem("status", message)])
        billed = {bill.period for bill in fees_of(move_in).bills if bill.item_id == item.pk}
        posted = [post_charge(actor, move_in.unit, item, monthly, due_on=timezone.localdate(at), period=period,
                              source=move_in, description=f"{item.name} {period:%Y-%m}（入伙预交）")
                  for period in periods if period not in billed]
        if posted:
            record_event(move_in, "moveins.charged", actor=actor.user, data={
                "item": item.name, "months": len(posted), "amount": str(monthly * len(posted))})
    return posted


def fees_of(move_in: MoveIn):
    """What billing says about this move-in's fees (bills, paid, outstanding, receipts)."""
    from wuye.billing.services import source_bills

    return source_bills([move_in])


def settle_fees(actor: Actor, move_in: MoveIn, *, channel: str = "", reference: str = "", payer_name: str = "",
                at: datetime | None = None) -> MoveIn:
    """The fees are settled: with `channel`, the desk takes the outstanding amount now (billing's
    `pay_at_desk`); the step is taken once billing shows the move-in's bills paid (409 naming `fees` else)."""
    from wuye.billing.services import pay_at_desk

    _permit(actor, move_in, "settle_fees")
    at = at or timezone.now()
    with transaction.atomic():
        move_in = _begin(actor, move_in, "settle_fees")
        fees = fees_of(move_in)
        if channel and fees.outstanding > 0:
            pay_at_desk(actor, move_in.unit, channel=channel, idempotency_key=f"movein-fees-{move_in.pk}",
                        bills=[bill.pk for bill in fees.bills if bill.outstanding > 0], reference=reference,
                        payer_name=payer_name)
            fees = fees_of(move_in)
        if fees.outstanding > 0:
            message = _("%(amount)s of the move-in fees is still to be paid.") % {
                "amount": f"¥{fees.outstanding:,.2f}"}
            raise Conflict(message, [FieldProblem("fees", message)])
        move_in.status = TRANSITIONS["settle_fees"][1]
        move_in.fees_settled_at, move_in.fees_settled_by = at, actor.user
        move_in.save(update_fields=["status", "fees_settled_at", "fees_settled_by"])
        record_event(move_in, "moveins.fees_settled", actor=actor.user, data={"amount": str(fees.amount)})
    return move_in


def parse_items(problems: Problems, items) -> list[dict]:
    """Checklist lines [{"room": "客厅", "item": "墙面", "ok": false, "note": "墙面裂缝"}]: 1–60; an issue needs a
    note saying what is wrong."""
    if not isinstance(items, list | tuple) or not 1 <= len(items) <= ITEMS_MAX:
        problems.add("items", _("List from 1 to %(count)s checklist lines.") % {"count": ITEMS_MAX})
        return []
    cleaned = []
    for number, row in enumerate(items):
        field = f"items[{number}]"
        row = row if isinstance(row, dict) else {}
        room = _text(problems, f"{field}.room", row.get("room"), 20, required=True, message=_("Name the room."))
        what = _text(problems, f"{field}.item", row.get("item"), 40, required=True, message=_("Say what was checked."))
        ok = row.get("ok", True)
        if not isinstance(ok, bool):
            problems.add(f"{field}.ok", _("Say whether it is all right."))
            continue
        note = _text(problems, f"{field}.note", row.get("note"), NOTE_MAX, required=not ok,
                     message=_("Say what is wrong."))
        cleaned.append({"room": room, "item": what, "ok": ok, "note": note})
    return cleaned


def parse_readings(problems: Problems, unit, readings) -> list[tuple[object, object]]:
    """Meter readings [{"kind": "water", "value": "12.3"}] for the unit's own meters in billing (one per kind)."""
    from wuye.billing.models import Meter

    if readings in (None, ""):
        return []
    if not isinstance(readings, list | tuple) or len(readings) > len(METER_KINDS):
        problems.add("readings", _("Give at most one reading per meter type (water, electricity, gas)."))
        return []
    meters = {meter.kind: meter for meter in Meter.objects.filter(unit=unit, is_active=True).order_by("id")}
    cleaned, seen = [], set()
    for number, row in enumerate(readings):
        row = row if isinstance(row, dict) else {}
        kind = row.get("kind")
        if kind not in METER_KINDS or kind in seen:
            problems.add(f"readings[{number}].kind", _("Choose water, electricity or gas, once each."))
            continue
        seen.add(kind)
        if kind not in meters:
            problems.add(f"readings[{number}].kind", _("Billing has no such meter for this home yet."))
            continue
        cleaned.append((meters[kind], row.get("value")))
    return cleaned


def inspect(actor: Actor, move_in: MoveIn, *, items, readings=(), owner_present: str = "", note: str = "",
            photos: dict | None = None, at: datetime | None = None) -> HouseInspection:
    """The joint house inspection: the checklist (every issue opens a rectification for engineering under
    `rectification.move_in`, 7 working days), the meter readings recorded by billing (the starting readings of the
    unit's meters) and photos per line (`photos`: line number → uploads, kept as quality's evidence). Every wrong
    field is named at once and nothing is written then — a refused meter reading included."""
    from wuye.billing.meters import record_reading
    from wuye.quality.evidence import attach_evidence
    from wuye.quality.rectifications import open_rectification

    _permit(actor, move_in, "inspect")
    at = at or timezone.now()
    problems = Problems()
    cleaned = parse_items(problems, items)
    meters = parse_readings(problems, move_in.unit, readings)
    owner_present = _text(problems, "owner_present", owner_present, 40)
    note = _text(problems, "note", note, NEEDS_MAX)
    problems.raise_if_any()
    if meters:
        require(actor, "billing.read_meters")
    with transaction.atomic():
        move_in = _begin(actor, move_in, "inspect")
        inspection = HouseInspection.objects.create(move_in=move_in, inspected_at=at, inspected_by=actor.user,
                                                    owner_present=owner_present, note=note)
        recorded = []
        for meter, value in meters:
            try:
                reading = record_reading(actor, meter, timezone.localdate(at), value, note="入伙验房")
            except InvalidInput as error:
                raise InvalidInput(problems=[FieldProblem(f"readings.{meter.kind}.{p.field}", p.message)
                                             for p in error.problems]) from None
            recorded.append({"kind": meter.kind, "meter": meter.code, "value": str(reading.value),
                             "reading": reading.pk})
        inspection.readings = recorded
        inspection.save(update_fields=["readings"])
        issues = 0
        for number, row in enumerate(cleaned):
            line = InspectionItem.objects.create(inspection=inspection, **row)
            if photos and photos.get(number):
                attach_evidence(actor, line, photos[number], project=move_in.project, field=f"items[{number}].photos",
                                at=at)
            if not line.ok:
                issues += 1
                open_rectification(line, project=move_in.project, title=f"入伙验房 {move_in.unit.label} "
                                   f"{line.room}{line.item}：{line.note}", department=Role.ENGINEERING,
                                   actor=actor, building=move_in.unit.building, unit=move_in.unit, at=at,
                                   policy_key=RECTIFICATION_POLICY)
        move_in.status = TRANSITIONS["inspect"][1]
        move_in.inspected_at, move_in.inspected_by = at, actor.user
        move_in.save(update_fields=["status", "inspected_at", "inspected_by"])
        record_event(move_in, "moveins.inspected", actor=actor.user, data={
            "lines": len(cleaned), "issues": issues, "meters": len(recorded)})
    return inspection


def issues_of(move_ins_or_one) -> list[dict]:
    """The inspection issues of a move-in (or a list of them) with their rectification: status and deadline."""
    from django.contrib.contenttypes.models import ContentType

    from wuye.quality.models import Rectification
    from wuye.quality.rectifications import current_clock

    ids = [m.pk for m in (move_ins_or_one if isinstance(move_ins_or_one, list | tuple) else [move_ins_or_one])]
    lines = list(InspectionItem.objects.filter(inspection__move_in_id__in=ids, ok=False)
                 .select_related("inspection").order_by("id"))
    rects = {rect.source_id: rect for rect in Rectification.objects.filter(
        source_type=ContentType.objects.get_for_model(InspectionItem), source_id__in=[line.pk for line in lines])}
    rows = []
    for line in lines:
        rect = rects.get(line.pk)
        clock = current_clock(rect) if rect else None
        rows.append({"line": line, "move_in_id": line.inspection.move_in_id, "rectification": rect,
                     "status": rect.status if rect else "", "status_label": rect.get_status_display() if rect else "",
                     "due_at": clock.due_at if clock else None})
    return rows


def decode_signature(data) -> ContentFile:
    """The owner's signature as the canvas sends it (a data: URL or base64 of a PNG), re-encoded by core.photos."""
    from wuye.core.photos import photo_type, reencode

    text = str(data or "")
    if text.startswith("data:"):
        text = text.partition(",")[2]
    if not text or len(text) > SIGNATURE_MAX_BYTES * 4 // 3 + 4:
        raise InvalidInput("signature", _("The owner signs on the screen."))
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput("signature", _("The owner signs on the screen.")) from None
    if photo_type(raw[:16]) != "image/png":
        raise InvalidInput("signature", _("The owner signs on the screen."))
    image, _content_type = reencode(ContentFile(raw), "signature")
    return image


def hand_keys(actor: Actor, move_in: MoveIn, *, door_keys, access_cards=(), mailbox_keys=0, other: str = "",
              signature=None, at: datetime | None = None) -> KeyHandover:
    """Keys and cards handed over, signed for by the owner on the screen: what was handed over is on record and
    the return-visit clock (`movein.return_visit`, 3 days) starts."""
    from wuye.sla.engine import start_clock

    _permit(actor, move_in, "hand_keys")
    at = at or timezone.now()
    problems = Problems()
    if not isinstance(door_keys, int) or isinstance(door_keys, bool) or not 1 <= door_keys <= KEYS_MAX:
        problems.add("door_keys", _("Give from 1 to %(count)s keys.") % {"count": KEYS_MAX})
    if not isinstance(mailbox_keys, int) or isinstance(mailbox_keys, bool) or not 0 <= mailbox_keys <= KEYS_MAX:
        problems.add("mailbox_keys", _("Give from 0 to %(count)s keys.") % {"count": KEYS_MAX})
    cards = []
    if not isinstance(access_cards, list | tuple) or len(access_cards) > CARDS_MAX:
        problems.add("access_cards", _("At most %(count)s access cards.") % {"count": CARDS_MAX})
    else:
        for number, card in enumerate(access_cards):
            card = _text(problems, f"access_cards[{number}]", card, 30, required=True,
                         message=_("Give the card's number."))
            if card:
                cards.append(card)
    other = _text(problems, "other", other, 200)
    image = None
    try:
        image = decode_signature(signature)
    except InvalidInput as error:
        problems.items.extend(error.problems)
    problems.raise_if_any()
    with transaction.atomic():
        move_in = _begin(actor, move_in, "hand_keys")
        image.name = f"movein-{move_in.pk}.png"
        handover = KeyHandover.objects.create(move_in=move_in, door_keys=door_keys, access_cards=cards,
                                              mailbox_keys=mailbox_keys, other=other, signature=image,
                                              signed_at=at, handed_by=actor.user)
        move_in.status = TRANSITIONS["hand_keys"][1]
        move_in.keys_handed_at, move_in.keys_handed_by = at, actor.user
        move_in.save(update_fields=["status", "keys_handed_at", "keys_handed_by"])
        start_clock(move_in, RETURN_VISIT, project=move_in.project, at=at, actor=actor.user)
        record_event(move_in, "moveins.keys_handed", actor=actor.user, data={
            "door_keys": door_keys, "cards": len(cards), "mailbox_keys": mailbox_keys})
    return handover


def sign_agreements(actor: Actor, move_in: MoveIn, *, agreements, at: datetime | None = None) -> MoveIn:
    """The owner signed the management agreement and the decoration rules (and the interim covenant when the
    project has one): each recorded with the time."""
    _permit(actor, move_in, "sign_agreements")
    at = at or timezone.now()
    codes = list(dict.fromkeys(agreements or [])) if isinstance(agreements, list | tuple) else []
    if any(code not in AGREEMENTS for code in codes) or not {"management_agreement", "decoration_rules"} <= set(codes):
        raise InvalidInput("agreements", _("The management agreement and the decoration rules are both signed "
                                           "(and the interim covenant where there is one)."))
    with transaction.atomic():
        move_in = _begin(actor, move_in, "sign_agreements")
        move_in.agreements = [{"code": code, "signed_at": timezone.localtime(at).isoformat()} for code in codes]
        move_in.status = TRANSITIONS["sign_agreements"][1]
        move_in.agreements_signed_at, move_in.agreements_signed_by = at, actor.user
        move_in.save(update_fields=["agreements", "status", "agreements_signed_at", "agreements_signed_by"])
        record_event(move_in, "moveins.agreements_signed", actor=actor.user, data={
            "agreements": "、".join(AGREEMENT_NAMES_ZH[code] for code in codes)})
    return move_in


def record_return_visit(actor: Actor, move_in: MoveIn, *, satisfaction, needs: str = "",
                        at: datetime | None = None) -> MoveIn:
    """The return visit (satisfaction 1–5, the owner's needs noted) stops its clock and completes the move-in.
    Agreements must be signed first (409 naming `agreements`)."""
    from wuye.sla.engine import stop_clock

    _permit(actor, move_in, "return_visit")
    at = at or timezone.now()
    problems = Problems()
    if not isinstance(satisfaction, int) or isinstance(satisfaction, bool) or not 1 <= satisfaction <= 5:
        problems.add("satisfaction", _("Give a satisfaction from 1 to 5."))
    needs = _text(problems, "needs", needs, NEEDS_MAX)
    problems.raise_if_any()
    with transaction.atomic():
        move_in = _begin(actor, move_in, "return_visit")
        if move_in.status != S.AGREEMENTS_SIGNED:
            message = _("The agreements are signed before the move-in is completed.")
            raise Conflict(message, [FieldProblem("agreements", message)])
        move_in.status = TRANSITIONS["return_visit"][1]
        move_in.return_visit_at, move_in.return_visit_by = at, actor.user
        move_in.satisfaction, move_in.needs = satisfaction, needs
        move_in.save(update_fields=["status", "return_visit_at", "return_visit_by", "satisfaction", "needs"])
        stop_clock(move_in, RETURN_VISIT, at=at, actor=actor.user)
        record_event(move_in, "moveins.return_visited", actor=actor.user, data={
            "satisfaction": satisfaction, "needs": needs})
    return move_in


def cancel(actor: Actor, move_in: MoveIn, *, reason: str = "", at: datetime | None = None) -> MoveIn:
    """The owner (while only booked) or the desk withdraws a booking; its place in the slot is free again."""
    _check(actor, move_in)
    if not (actor.may("moveins.desk") or (actor.is_owner and move_in.unit_id in owned_unit_ids(actor))):
        raise NotAllowed(_("Your role may not do this."))
    at = at or timezone.now()
    problems = Problems()
    reason = _text(problems, "reason", reason, NOTE_MAX)
    problems.raise_if_any()
    with transaction.atomic():
        move_in = _begin(actor, move_in, "cancel")
        if actor.is_owner and move_in.status != S.BOOKED:
            message = _("The desk has begun this move-in; call the desk to change it.")
            raise Conflict(message, [FieldProblem("status", message)])
        move_in.status, move_in.cancelled_at, move_in.cancel_reason = S.CANCELLED, at, reason
        move_in.save(update_fields=["status", "cancelled_at", "cancel_reason"])
        record_event(move_in, "moveins.cancelled", actor=actor.user, data={"reason": reason})
    return move_in


# -- sentences -------------------------------------------------------------------------------------------------------
register_terms(details={"issues": gettext_lazy("issues found"), "lines": gettext_lazy("lines checked"),
                        "door_keys": gettext_lazy("door keys"), "cards": gettext_lazy("access cards"),
                        "mailbox_keys": gettext_lazy("mailbox keys"), "satisfaction": gettext_lazy("satisfaction"),
                        "needs": gettext_lazy("needs noted"), "owners": gettext_lazy("owners notified")})


def _booked(event, fields) -> str:
    if fields.raw.get("on"):
        if fields.raw.get("portal"):
            return _("Booked the move-in of %(unit)s in the portal for %(on)s") % fields
        return _("The desk registered the move-in of %(unit)s for %(on)s") % fields
    return _("The desk registered the move-in of %(unit)s") % fields


def _cancelled(event, fields) -> str:
    if fields.raw.get("reason"):
        return _("Move-in cancelled: %(reason)s") % fields
    return _("Move-in cancelled")


def _inspected(event, fields) -> str:
    if fields.raw.get("issues"):
        return _("House inspected jointly: %(issues)s issues sent for rectification") % fields
    return _("House inspected jointly: all in order")


register_sentences({
    "moveins.batch_created": (gettext_lazy("Move-in batch %(name)s drafted, from %(on)s"), {
        "example": {"name": "3号楼第一批", "on": "2026-12-10", "days": 3}}),
    "moveins.batch_notified": (gettext_lazy("Move-in notice sent to the owners, first day %(on)s"), {
        "details": ("owners",), "example": {"on": "2026-12-10", "owners": 24}}),
    "moveins.batch_opened": (gettext_lazy("Move-in batch %(name)s open for booking"), {
        "example": {"name": "3号楼第一批"}}),
    "moveins.batch_closed": (gettext_lazy("Move-in batch %(name)s closed"), {"example": {"name": "3号楼第一批"}}),
    "moveins.booked": (_booked, {"example": {"unit": "1-1-101", "on": "2026-12-10", "portal": True}}),
    "moveins.identity_checked": (gettext_lazy("Identity card and purchase contract checked"), {
        "details": ("note",), "example": {"note": "本人办理"}}),
    "moveins.charged": (gettext_lazy("Move-in fees charged: %(item)s for %(months)s months, %(amount)s"), {
        "example": {"item": "物业服务费", "months": 3, "amount": "705.00"}}),
    "moveins.fees_settled": (gettext_lazy("Move-in fees settled (%(amount)s)"), {"example": {"amount": "705.00"}}),
    "moveins.inspected": (_inspected, {"details": ("lines",), "example": {"lines": 12, "issues": 2, "meters": 1}}),
    "moveins.keys_handed": (gettext_lazy("Keys handed over and signed for by the owner"), {
        "details": ("door_keys", "cards", "mailbox_keys"),
        "example": {"door_keys": 3, "cards": 2, "mailbox_keys": 1}}),
    "moveins.agreements_signed": (gettext_lazy("Agreements signed: %(agreements)s"), {
        "example": {"agreements": "物业服务协议、装修管理规定"}}),
    "moveins.return_visited": (gettext_lazy("Return visit made; the move-in is complete"), {
        "details": ("satisfaction", "needs"), "example": {"satisfaction": 5, "needs": "希望尽快开通燃气"}}),
    "moveins.cancelled": (_cancelled, {"example": {"reason": "改期办理"}}),
})
