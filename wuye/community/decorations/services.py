"""Decoration (装修, SPEC §7): the rules. One function per action; `TRANSITIONS` is the state table
(status → {action: next status}); `available_actions` is what a page or the API offers an actor now.

* The owner applies (portal) or the desk for them; the desk checks the documents — complete: the deposit
  (charge item `decoration-deposit`, its fixed tariff if the project priced it, else `WUYE_DECORATION_DEPOSIT`) and
  the management fee (item `decoration-fee`, only when the project created and priced one) are billed to the unit
  through `billing.services.post_charge` with `source=` the decoration; incomplete: returned to the owner.
* Engineering approves the plan, then the manager — only once the deposit is paid (409 naming `deposit`).
* Worker passes are the gate's (`security.worker_passes`), linked to the decoration; inspections during the works
  (findings open a rectification through quality, violations are recorded and the manager told); deductions from
  the deposit are itemised (reason, amount; their total at most the deposit paid).
* Final acceptance starts the `decoration.refund` clock (7 working days, escalating on the policy's ladder) and
  tells finance; finance asks billing for the refund (deposit paid − deductions, `billing.refunds.request_refund`),
  a second person approves it there (the ledger entry is billing's); the hourly job `close_refunded` then closes
  the decoration and stops the clock at the approval time (billing never imports this app)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from wuye.core.access import Actor, Role, require, scoped
from wuye.core.errors import Conflict, FieldProblem, InvalidInput, NotAllowed, Problems
from wuye.core.events import record_event
from wuye.core.money import format_money, to_money
from wuye.core.outbox import notify
from wuye.core.photos import photo_type, reencode
from wuye.core.scheduling import periodic
from wuye.core.sentences import format_date, format_time, register_sentences, register_terms
from wuye.core.validators import clean_text, normalize_phone

from .models import (
    Decoration,
    DecorationDeduction,
    DecorationDocument,
    DecorationInspection,
    DocumentKind,
    InspectionResult,
    WorksKind,
)
from .models import DecorationStatus as S

CLOCK = "decoration.refund"
DEPOSIT_CODE, FEE_CODE = "decoration-deposit", "decoration-fee"
ZERO = Decimal("0.00")

# Limits (the model's columns, and what a plausible application looks like).
NAME_MAX, PHONE_MAX, WORKS_MAX, CONTRACTOR_MAX, LICENCE_MAX = 40, 20, 1000, 100, 40
NOTE_MAX, REASON_MAX, FINDINGS_MAX, VIOLATION_MAX, DEDUCTION_REASON_MAX = 200, 200, 1000, 200, 100
WORKERS_MAX = 50
START_DAYS_AHEAD_MAX = 180  # the works start within half a year of the application
PERIOD_DAYS_MAX = 365  # and last at most a year
DOCUMENTS_MAX = 20
DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
DEDUCTION_MAX = Decimal("100000.00")
# The documents the desk needs before it can find an application complete.
REQUIRED_DOCUMENTS = (DocumentKind.PLAN, DocumentKind.CONTRACTOR_LICENCE, DocumentKind.LEADER_ID)

ACTIONS = ("check_documents", "return_for_documents", "resubmit", "approve_engineering", "approve", "reject",
           "cancel", "start_works", "inspect", "add_deduction", "accept", "request_deposit_refund")

TRANSITIONS: dict[str, dict[str, str]] = {
    S.SUBMITTED: {"check_documents": S.CHECKED, "return_for_documents": S.RETURNED, "reject": S.REJECTED,
                  "cancel": S.CANCELLED},
    S.RETURNED: {"resubmit": S.SUBMITTED, "cancel": S.CANCELLED},
    S.CHECKED: {"approve_engineering": S.ENGINEERING_APPROVED, "reject": S.REJECTED, "cancel": S.CANCELLED},
    S.ENGINEERING_APPROVED: {"approve": S.APPROVED, "reject": S.REJECTED, "cancel": S.CANCELLED},
    S.APPROVED: {"start_works": S.IN_PROGRESS, "cancel": S.CANCELLED},
    S.IN_PROGRESS: {"inspect": S.IN_PROGRESS, "add_deduction": S.IN_PROGRESS, "accept": S.ACCEPTED},
    S.ACCEPTED: {"add_deduction": S.ACCEPTED, "request_deposit_refund": S.ACCEPTED, "close": S.CLOSED},
    S.CLOSED: {},
    S.REJECTED: {},
    S.CANCELLED: {},
}
OPEN_STATES = frozenset(status for status, actions in TRANSITIONS.items() if actions)
PASS_STATES = frozenset({S.APPROVED, S.IN_PROGRESS})  # worker passes are issued while the works may go on


# -- reading ---------------------------------------------------------------------------------------------------------
def decorations(actor: Actor):
    """The decorations `actor` may see: staff by project scope, owners those of their own household's units."""
    return scoped(Decoration.objects.all(), actor).select_related("project", "unit", "refund_request")


def _visible(actor: Actor, decoration: Decoration) -> None:
    """Outside the actor's sight → 404 (existence never leaks)."""
    if not decorations(actor).filter(pk=decoration.pk).exists():
        raise Http404


def owned_unit_ids(actor: Actor) -> set[int]:
    """The units an owner-portal user owns or co-owns now (a tenant does not apply for decoration works)."""
    from wuye.people.models import OWNING_RELATIONS, Residency

    if not actor.is_owner or not actor.resident_id:
        return set()
    return set(Residency.objects.current().filter(resident_id=actor.resident_id, unit_id__in=actor.unit_ids,
                                                  relation__in=OWNING_RELATIONS).values_list("unit_id", flat=True))


def _is_applicant(actor: Actor, decoration: Decoration) -> bool:
    return actor.is_owner and decoration.unit_id in actor.unit_ids and (
        decoration.applicant_id == getattr(actor.user, "pk", None) or decoration.unit_id in owned_unit_ids(actor))


def charges(decoration: Decoration):
    """The decoration's bills as billing holds them now (`billing.services.source_bills`)."""
    from wuye.billing.services import source_bills

    return source_bills([decoration])


def _deposit_bills(decoration: Decoration) -> list:
    return [bill for bill in charges(decoration).bills if bill.item.code == DEPOSIT_CODE]


def deposit_paid(decoration: Decoration) -> Decimal:
    """What the owner has paid of the deposit bill (billing's allocations, less nothing: refunds are the request's)."""
    return sum((bill.paid for bill in _deposit_bills(decoration)), ZERO)


def deposit_settled(decoration: Decoration) -> bool:
    bills = _deposit_bills(decoration)
    return bool(bills) and all(bill.outstanding <= ZERO for bill in bills) and deposit_paid(decoration) > ZERO


def refund_clock(decoration: Decoration):
    """The `decoration.refund` clock (the newest), or None before acceptance."""
    from wuye.sla.engine import clocks_for

    return clocks_for(decoration).filter(key=CLOCK).order_by("-started_at", "-id").first()


def refund_state(decoration: Decoration) -> dict:
    """Where the deposit stands: billed, paid, the itemised deductions, what goes back, the refund request and the
    deadline of its refund (the clock's)."""
    deductions = [{"id": row.pk, "reason": row.reason, "amount": row.amount, "recorded_at": row.recorded_at}
                  for row in decoration.deductions.all()]
    paid = deposit_paid(decoration)
    total = sum((row["amount"] for row in deductions), ZERO)
    request = decoration.refund_request
    clock = refund_clock(decoration)
    return {
        "deposit": decoration.deposit, "paid": paid, "deductions": deductions, "deductions_total": total,
        "refund": max(paid - total, ZERO),
        "request_id": request.pk if request else None,
        "request_status": request.state if request else None,
        "request_status_label": request.get_state_display() if request else "",
        "requested_amount": request.amount if request else None,
        "deadline": clock.due_at if clock else None,
        "clock_state": clock.state if clock else None,
    }


def _refund_open(decoration: Decoration) -> bool:
    """A refund asked for and not turned down: no more deductions, no second request."""
    request = decoration.refund_request
    return request is not None and request.state != request.State.REJECTED


def may(actor: Actor, decoration: Decoration, action: str) -> bool:
    """Whether `actor` may take `action` on `decoration` in its present state (the buttons of a page)."""
    if action not in TRANSITIONS.get(decoration.status, {}):
        return False
    staff = actor.is_staff_member
    if action in ("check_documents", "return_for_documents"):
        return staff and actor.may("decorations.check")
    if action == "resubmit":
        return _is_applicant(actor, decoration) or (staff and actor.may("decorations.check"))
    if action == "approve_engineering":
        return staff and actor.may("decorations.approve_engineering")
    if action == "approve":
        return staff and actor.may("decorations.approve")
    if action == "reject":
        needed = {S.SUBMITTED: "decorations.check", S.CHECKED: "decorations.approve_engineering",
                  S.ENGINEERING_APPROVED: "decorations.approve"}[decoration.status]
        return staff and actor.may(needed)
    if action == "cancel":
        return _is_applicant(actor, decoration) or (staff and actor.may("decorations.check"))
    if action == "start_works":
        return staff and (actor.may("decorations.check") or actor.may("decorations.inspect"))
    if action == "inspect":
        return staff and actor.may("decorations.inspect")
    if action == "add_deduction":
        return staff and actor.may("decorations.inspect") and not _refund_open(decoration)
    if action == "accept":
        return staff and actor.may("decorations.accept")
    if action == "request_deposit_refund":
        return staff and actor.may("billing.refund") and not _refund_open(decoration)
    return False


def available_actions(actor: Actor, decoration: Decoration) -> list[str]:
    """The actions of `ACTIONS` `actor` may take on `decoration` now, in the order of `ACTIONS`."""
    return [action for action in ACTIONS if may(actor, decoration, action)]


def _require_action(actor: Actor, decoration: Decoration, action: str) -> None:
    """403 when the role may never take `action`; 409 (naming `status`) when the state does not allow it now."""
    if action in TRANSITIONS.get(decoration.status, {}):
        if not may(actor, decoration, action):
            if action in ("add_deduction", "request_deposit_refund") and _refund_open(decoration) \
                    and actor.is_staff_member:
                message = gettext("The deposit refund has already been requested.")
                raise Conflict(message, [FieldProblem("refund", message)])
            raise NotAllowed(gettext("Your role may not do this."))
        return
    message = gettext("This decoration is %(status)s; it cannot be changed this way.") % {
        "status": decoration.get_status_display()}
    raise Conflict(message, [FieldProblem("status", message)])


# -- input -----------------------------------------------------------------------------------------------------------
def _text(problems: Problems, field: str, value, limit: int, *, required=False, message=None) -> str:
    """core.validators.clean_text with this module's way of naming what is required."""
    return clean_text(problems, field, value, limit, required=(message or True) if required else False)


def _phone(problems: Problems, field: str, value, *, required=True) -> str:
    raw = value if isinstance(value, str) else ""
    if not raw.strip():
        if required:
            problems.add(field, gettext("Give a phone number."))
        return ""
    return problems.check(field, normalize_phone, raw[:30]) or ""


def _day(problems: Problems, field: str, value) -> date | None:
    if isinstance(value, datetime):
        value = timezone.localdate(value) if timezone.is_aware(value) else value.date()
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip()[:10]) if len(value) <= 20 else None
        except ValueError:
            value = None
    if not isinstance(value, date):
        problems.add(field, gettext("Give a date as 2026-12-03."))
        return None
    return value


def _kinds(problems: Problems, value) -> list[str]:
    if not isinstance(value, list | tuple):
        problems.add("works_kinds", gettext("Choose what the works touch."))
        return []
    kinds = []
    for kind in value:
        if kind not in WorksKind.values:
            problems.add("works_kinds", gettext("Choose what the works touch from the list."))
            return []
        if kind not in kinds:
            kinds.append(kind)
    if not kinds:
        problems.add("works_kinds", gettext("Choose what the works touch."))
    return kinds


def _workers(problems: Problems, value) -> int:
    number = value if isinstance(value, int) and not isinstance(value, bool) else (
        int(value) if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit()
        and len(value.strip()) <= 3 else -1)
    if not 1 <= number <= WORKERS_MAX:
        problems.add("workers_planned", gettext("Give from 1 to %(max)s workers.") % {"max": WORKERS_MAX})
        return 1
    return number


def _amount(problems: Problems, field: str, value) -> Decimal | None:
    try:
        amount = Decimal(str(value).strip()[:20]) if value not in (None, "") else None
        if amount is not None and not amount.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        amount = None
    if amount is None:
        problems.add(field, gettext("Enter an amount in yuan, e.g. 200.00."))
        return None
    if amount != amount.quantize(Decimal("0.01")):
        problems.add(field, gettext("Amounts have at most two decimals (fen)."))
        return None
    if not ZERO < amount <= DEDUCTION_MAX:
        problems.add(field, gettext("Give an amount greater than 0 and at most %(max)s.") % {
            "max": format_money(DEDUCTION_MAX)})
        return None
    return to_money(amount)


def _document_type(head: bytes) -> str | None:
    """"application/pdf" or an image type, read from the file's first bytes (never from its name)."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return photo_type(head)


def _check_document(problems: Problems, field: str, kind, upload) -> tuple[str, str] | None:
    """(kind, content type) of an acceptable document, or None with the problem noted."""
    if kind not in DocumentKind.values:
        problems.add(field, gettext("Choose which document this is."))
        return None
    if upload is None or not hasattr(upload, "read"):
        problems.add(field, gettext("Choose a file."))
        return None
    if upload.size > DOCUMENT_MAX_BYTES:
        problems.add(field, gettext("The file is larger than 10 MB."))
        return None
    upload.seek(0)
    content_type = _document_type(upload.read(16))
    upload.seek(0)
    if content_type is None:
        problems.add(field, gettext("Upload a PDF or a JPEG, PNG or WebP picture."))
        return None
    return kind, content_type


def _store_document(actor: Actor, decoration: Decoration, kind: str, content_type: str, upload, field: str
                    ) -> DecorationDocument:
    if content_type == "application/pdf":
        content, extension = ContentFile(upload.read()), "pdf"
    else:
        content, content_type = reencode(upload, field)
        extension = content_type.split("/")[1].replace("jpeg", "jpg")
    content.name = f"decoration-{decoration.pk}-{uuid.uuid4().hex[:12]}.{extension}"
    original = " ".join(str(getattr(upload, "name", "") or "").split())[-120:] or content.name
    return DecorationDocument.objects.create(decoration=decoration, kind=kind, file=content, name=original,
                                             uploaded_by=_user(actor))


def _user(actor: Actor):
    user = getattr(actor, "user", None)
    return user if getattr(user, "pk", None) else None


def _new_number(project_id: int, today: date) -> str:
    prefix = f"ZX{today:%Y%m}"
    taken = Decoration.objects.filter(project_id=project_id, number__startswith=prefix).count()
    return f"{prefix}{taken + 1:04d}"


# -- applying --------------------------------------------------------------------------------------------------------
def apply(actor: Actor, *, unit, applicant_name, applicant_phone, works, works_kinds, contractor,
          contractor_licence, contractor_leader, contractor_phone, workers_planned, planned_start, planned_end,
          documents=()) -> Decoration:
    """An application for `unit`: in the portal an owner of the unit (a tenant is refused, 422 naming `unit`), at
    the desk (`decorations.apply`) for any unit in scope. Every wrong field is named at once and nothing is
    written then: names and phones, the works and what they touch (`works_kinds`), the contractor and its site
    leader, 1–50 workers, a start from today to 180 days ahead and an end on or after it (at most a year). Documents
    [(kind, upload)] are optional here (PDF or picture, ≤ 10 MB each), added later with `add_document`."""
    require(actor, "decorations.apply")
    from wuye.tenancy.models import Unit

    if not isinstance(unit, Unit):
        raise InvalidInput("unit", gettext("Choose the unit."))
    if actor.is_owner:
        if unit.pk not in owned_unit_ids(actor):
            raise InvalidInput("unit", gettext("Choose one of the homes you own."))
    elif not scoped(Unit.objects.filter(pk=unit.pk), actor).exists():
        raise InvalidInput("unit", gettext("Choose a unit of your projects."))
    problems = Problems()
    default_name = ""
    if actor.is_owner:
        default_name = getattr(getattr(actor.user, "resident", None), "name", "") or actor.user.get_full_name()
    applicant_name = _text(problems, "applicant_name", applicant_name or default_name, NAME_MAX, required=True,
                           message=gettext("Give the applicant's name."))
    applicant_phone = _phone(problems, "applicant_phone", applicant_phone)
    works = _text(problems, "works", works, WORKS_MAX, required=True, message=gettext("Describe the works."))
    kinds = _kinds(problems, works_kinds)
    contractor = _text(problems, "contractor", contractor, CONTRACTOR_MAX, required=True,
                       message=gettext("Name the decoration company."))
    contractor_licence = _text(problems, "contractor_licence", contractor_licence, LICENCE_MAX)
    contractor_leader = _text(problems, "contractor_leader", contractor_leader, NAME_MAX, required=True,
                              message=gettext("Name the site leader."))
    contractor_phone = _phone(problems, "contractor_phone", contractor_phone)
    workers = _workers(problems, workers_planned)
    today = timezone.localdate()
    starts, ends = _day(problems, "planned_start", planned_start), _day(problems, "planned_end", planned_end)
    if starts is not None and not today <= starts <= today + timedelta(days=START_DAYS_AHEAD_MAX):
        problems.add("planned_start", gettext("The works start between today and %(days)s days from today.") % {
            "days": START_DAYS_AHEAD_MAX})
    elif starts is not None and ends is not None:
        if ends < starts:
            problems.add("planned_end", gettext("The works end on or after their first day."))
        elif (ends - starts).days + 1 > PERIOD_DAYS_MAX:
            problems.add("planned_end", gettext("The works last at most %(days)s days.") % {"days": PERIOD_DAYS_MAX})
    documents = list(documents or ())
    checked = []
    if len(documents) > DOCUMENTS_MAX:
        problems.add("documents", gettext("At most %(count)s documents.") % {"count": DOCUMENTS_MAX})
    else:
        for number, item in enumerate(documents):
            kind, upload = item if isinstance(item, list | tuple) and len(item) == 2 else (None, None)
            found = _check_document(problems, f"documents[{number}]", kind, upload)
            if found:
                checked.append((*found, upload, f"documents[{number}]"))
    problems.raise_if_any()
    now = timezone.now()
    with transaction.atomic():
        decoration = None
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    decoration = Decoration.objects.create(
                        project_id=unit.project_id, unit=unit, number=_new_number(unit.project_id, today),
                        applicant=actor.user if actor.is_owner else None, applicant_name=applicant_name,
                        applicant_phone=applicant_phone, works=works, works_kinds=kinds, contractor=contractor,
                        contractor_licence=contractor_licence, contractor_leader=contractor_leader,
                        contractor_phone=contractor_phone, workers_planned=workers, planned_start=starts,
                        planned_end=ends, submitted_at=now)
                break
            except IntegrityError:
                continue
        if decoration is None:
            raise Conflict(gettext("No free application number was found; try again."))
        for kind, content_type, upload, field in checked:
            _store_document(actor, decoration, kind, content_type, upload, field)
        record_event(decoration, "decorations.applied", actor=_user(actor), data={
            "unit": unit.label, "decoration_company": contractor, "starts_on": starts.isoformat(),
            "ends_on": ends.isoformat(), "documents": len(checked), "portal": actor.is_owner})
        desk = _staff(Role.CUSTOMER_SERVICE, decoration.project_id)
        if desk:
            notify(desk, gettext("Decoration application for %(unit)s to check") % {"unit": unit.label},
                   gettext("%(contractor)s, %(start)s to %(end)s.") % {
                       "contractor": contractor, "start": format_date(starts), "end": format_date(ends)},
                   link=_link(decoration), source=decoration, dedupe_key=f"decoration-applied-{decoration.pk}")
    return decoration


def add_document(actor: Actor, decoration: Decoration, kind, upload) -> DecorationDocument:
    """Add a document to an application still with the desk (submitted or returned): its applicant in the portal,
    or the desk. A PDF is kept as sent, a picture re-encoded without EXIF; 422 naming `file` otherwise."""
    _visible(actor, decoration)
    if not (_is_applicant(actor, decoration) or (actor.is_staff_member and actor.may("decorations.apply"))):
        raise NotAllowed(gettext("Your role may not do this."))
    problems = Problems()
    found = _check_document(problems, "file", kind, upload)
    if found is None and kind not in DocumentKind.values:
        problems.items = [FieldProblem("kind", gettext("Choose which document this is."))]
    problems.raise_if_any()
    with transaction.atomic():
        decoration = _lock(decoration)
        if decoration.status not in (S.SUBMITTED, S.RETURNED):
            message = gettext("Documents are added while the desk checks the application.")
            raise Conflict(message, [FieldProblem("status", message)])
        if decoration.documents.count() >= DOCUMENTS_MAX:
            raise InvalidInput("file", gettext("At most %(count)s documents.") % {"count": DOCUMENTS_MAX})
        document = _store_document(actor, decoration, found[0], found[1], upload, "file")
        record_event(decoration, "decorations.document_added", actor=_user(actor), data={"document": kind})
    return document


def missing_documents(decoration: Decoration) -> list[str]:
    """The required document kinds the application does not carry yet."""
    have = set(decoration.documents.values_list("kind", flat=True))
    return [kind for kind in REQUIRED_DOCUMENTS if kind not in have]


# -- the desk, engineering, the manager ------------------------------------------------------------------------------
def _lock(decoration: Decoration) -> Decoration:
    return (Decoration.objects.select_for_update(of=("self",)).select_related("unit", "project", "refund_request")
            .get(pk=decoration.pk))


def _move(actor: Actor, decoration: Decoration, action: str, verb: str, data: dict | None = None, **fields
          ) -> Decoration:
    """Take `action` on the locked row: state check, the new status and `fields`, and the event."""
    decoration = _lock(decoration)
    _require_action(actor, decoration, action)
    decoration.status = TRANSITIONS[decoration.status][action]
    for name, value in fields.items():
        setattr(decoration, name, value)
    decoration.save(update_fields=["status", *fields])
    record_event(decoration, verb, actor=_user(actor), data=data or {})
    return decoration


def _deposit_amount(item, unit, today: date) -> Decimal:
    """The deposit: the item's fixed tariff when the project priced it, else `settings.WUYE_DECORATION_DEPOSIT`."""
    from wuye.billing.runs import tariff_for

    tariff = tariff_for(item, unit.kind, today)
    if tariff is not None and tariff.rate > 0:
        return to_money(tariff.rate)
    return to_money(Decimal(str(settings.WUYE_DECORATION_DEPOSIT)))


def _fee_amount(project_id: int, unit, today: date):
    """The management fee item and amount, when the project created `decoration-fee` and priced it (fixed, or per
    m² of the unit's floor area); else (None, 0)."""
    from wuye.billing.models import Basis, ChargeItem
    from wuye.billing.runs import tariff_for

    item = ChargeItem.objects.filter(project_id=project_id, code=FEE_CODE, is_active=True).first()
    tariff = tariff_for(item, unit.kind, today) if item is not None else None
    if tariff is None or tariff.rate <= 0:
        return None, ZERO
    amount = tariff.rate * unit.area if tariff.basis == Basis.PER_M2_MONTH else tariff.rate
    return item, to_money(amount)


def check_documents(actor: Actor, decoration: Decoration, *, note: str = "") -> Decoration:
    """The desk finds the documents complete (409 naming `documents` with what is missing) → checked; the deposit
    and the management fee (when priced) are billed to the unit, source the decoration (a rerun bills nothing
    twice: billing keeps one bill per source and item)."""
    from wuye.billing.models import ChargeItem
    from wuye.billing.services import install_default_charge_items, post_charge

    _visible(actor, decoration)
    problems = Problems()
    note = _text(problems, "note", note, NOTE_MAX)
    problems.raise_if_any()
    today = timezone.localdate()
    with transaction.atomic():
        locked = _lock(decoration)
        _require_action(actor, locked, "check_documents")
        missing = missing_documents(locked)
        if missing:
            labels = "、".join(str(DocumentKind(kind).label) for kind in missing)
            message = gettext("Documents missing: %(documents)s.") % {"documents": labels}
            raise Conflict(message, [FieldProblem("documents", message)])
        item = ChargeItem.objects.filter(project_id=locked.project_id, code=DEPOSIT_CODE).first()
        if item is None:
            item = next(one for one in install_default_charge_items(locked.project) if one.code == DEPOSIT_CODE)
        deposit = _deposit_amount(item, locked.unit, today)
        fee_item, fee = _fee_amount(locked.project_id, locked.unit, today)
        decoration = _move(actor, locked, "check_documents", "decorations.checked", {
            "deposit": str(deposit), "fee": str(fee), "note": note},
            checked_at=timezone.now(), deposit=deposit, note=note)
        charger = actor if actor.may("billing.charge") else None
        existing = {bill.item.code for bill in charges(decoration).bills}
        if DEPOSIT_CODE not in existing:
            post_charge(charger, decoration.unit, item, deposit, due_on=today, source=decoration,
                        description=f"装修保证金 {decoration.number}")
        if fee_item is not None and FEE_CODE not in existing:
            # Billing keeps one bill per source without a period: the fee is the works' month's (their start's).
            post_charge(charger, decoration.unit, fee_item, fee, due_on=today, source=decoration,
                        period=decoration.planned_start.replace(day=1), description=f"装修管理费 {decoration.number}")
        _tell_applicant(decoration, gettext("Your decoration application for %(unit)s is complete") % {
            "unit": decoration.unit.label}, gettext("Please pay the deposit of %(amount)s at the desk.") % {
            "amount": format_money(deposit)})
    return decoration


def return_for_documents(actor: Actor, decoration: Decoration, *, note) -> Decoration:
    """The desk sends the application back to the owner, saying what is missing (required) → returned."""
    _visible(actor, decoration)
    problems = Problems()
    note = _text(problems, "note", note, NOTE_MAX, required=True, message=gettext("Say what is missing."))
    problems.raise_if_any()
    with transaction.atomic():
        decoration = _move(actor, decoration, "return_for_documents", "decorations.returned", {"note": note},
                           note=note)
        _tell_applicant(decoration, gettext("Your decoration application for %(unit)s needs documents") % {
            "unit": decoration.unit.label}, note)
    return decoration


def resubmit(actor: Actor, decoration: Decoration) -> Decoration:
    """The owner (or the desk) sends a returned application back to the desk → submitted."""
    _visible(actor, decoration)
    with transaction.atomic():
        decoration = _move(actor, decoration, "resubmit", "decorations.resubmitted", {}, submitted_at=timezone.now())
    return decoration


def approve_engineering(actor: Actor, decoration: Decoration, *, note: str = "") -> Decoration:
    """Engineering approves the plan (no load-bearing walls, lines, waterproofing) → engineering approved."""
    _visible(actor, decoration)
    problems = Problems()
    note = _text(problems, "note", note, NOTE_MAX)
    problems.raise_if_any()
    with transaction.atomic():
        decoration = _move(actor, decoration, "approve_engineering", "decorations.engineering_approved",
                           {"note": note})
        managers = _staff(Role.PROJECT_MANAGER, decoration.project_id)
        if managers:
            notify(managers, gettext("Decoration of %(unit)s waiting for your approval") % {
                "unit": decoration.unit.label}, note or decoration.works[:200], link=_link(decoration),
                source=decoration, dedupe_key=f"decoration-to-approve-{decoration.pk}")
    return decoration


def approve(actor: Actor, decoration: Decoration, *, note: str = "") -> Decoration:
    """The manager approves → approved; refused (409 naming `deposit`) until the deposit bill is paid."""
    _visible(actor, decoration)
    problems = Problems()
    note = _text(problems, "note", note, NOTE_MAX)
    problems.raise_if_any()
    with transaction.atomic():
        locked = _lock(decoration)
        _require_action(actor, locked, "approve")
        if not deposit_settled(locked):
            message = gettext("The deposit of %(amount)s is not paid yet.") % {"amount": format_money(locked.deposit)}
            raise Conflict(message, [FieldProblem("deposit", message)])
        decoration = _move(actor, locked, "approve", "decorations.approved", {"note": note},
                           approved_at=timezone.now())
        _tell_applicant(decoration, gettext("Your decoration of %(unit)s is approved") % {
            "unit": decoration.unit.label}, gettext("Works may start on %(day)s; the desk issues the workers' passes.")
            % {"day": decoration.planned_start.isoformat()})
    return decoration


def reject(actor: Actor, decoration: Decoration, *, reason) -> Decoration:
    """The desk, engineering or the manager (each at their own step) refuses, with the reason → rejected."""
    _visible(actor, decoration)
    problems = Problems()
    reason = _text(problems, "reason", reason, REASON_MAX, required=True, message=gettext("Give the reason."))
    problems.raise_if_any()
    with transaction.atomic():
        decoration = _move(actor, decoration, "reject", "decorations.rejected", {"reason": reason}, note=reason)
        _cancel_open_bills(decoration, reason)
        _tell_applicant(decoration, gettext("Your decoration application for %(unit)s was refused") % {
            "unit": decoration.unit.label}, reason)
    return decoration


def cancel(actor: Actor, decoration: Decoration, *, reason: str = "") -> Decoration:
    """The applicant (portal) or the desk withdraws the application before the works start → cancelled."""
    _visible(actor, decoration)
    problems = Problems()
    reason = _text(problems, "reason", reason, REASON_MAX)
    problems.raise_if_any()
    with transaction.atomic():
        decoration = _move(actor, decoration, "cancel", "decorations.cancelled", {"reason": reason},
                           note=reason)
        _cancel_open_bills(decoration, reason)
    return decoration


def _cancel_open_bills(decoration: Decoration, reason: str) -> None:
    """Bills of a refused or withdrawn application: an unpaid one is for finance to write off (billing's approval),
    a paid deposit for finance to refund — they are told; nothing is moved here."""
    bills = charges(decoration)
    if not bills.bills:
        return
    finance = _staff(Role.FINANCE, decoration.project_id)
    if finance:
        notify(finance, gettext("Decoration of %(unit)s ended before the works: settle its bills") % {
            "unit": decoration.unit.label}, gettext("Paid %(paid)s, unpaid %(unpaid)s. %(reason)s") % {
            "paid": format_money(bills.paid), "unpaid": format_money(bills.outstanding), "reason": reason},
            link=_link(decoration), source=decoration, dedupe_key=f"decoration-ended-{decoration.pk}")


# -- the works -------------------------------------------------------------------------------------------------------
def start_works(actor: Actor, decoration: Decoration, *, at: datetime | None = None) -> Decoration:
    """The works start (the desk or engineering records it; not in the future) → in progress."""
    _visible(actor, decoration)
    now = timezone.now()
    at = at or now
    if at > now + timedelta(minutes=5) or at < now - timedelta(days=30):
        raise InvalidInput("at", gettext("Give a time in the last 30 days."))
    with transaction.atomic():
        decoration = _move(actor, decoration, "start_works", "decorations.started", {}, started_at=at)
    return decoration


def issue_worker_pass(actor: Actor, decoration: Decoration, **fields):
    """A worker's pass for the decoration (the gate's `security.worker_passes.issue_worker_pass` with `decoration`
    set): while approved or in progress, valid no later than the planned end (422 naming `valid_until`)."""
    from wuye.security.worker_passes import issue_worker_pass as issue

    _visible(actor, decoration)
    if decoration.status not in PASS_STATES:
        message = gettext("Worker passes are issued once the decoration is approved and until its acceptance.")
        raise Conflict(message, [FieldProblem("status", message)])
    until = fields.get("valid_until")
    problems = Problems()
    day = _day(problems, "valid_until", until) if until not in (None, "") else None
    if day is not None and day > decoration.planned_end:
        problems.add("valid_until", gettext("The pass ends by the planned end of the works, %(day)s.") % {
            "day": decoration.planned_end.isoformat()})
    problems.raise_if_any()
    fields.setdefault("works", decoration.works[:100])
    fields.setdefault("employer", decoration.contractor)
    for name in ("project", "unit", "decoration"):
        fields.pop(name, None)
    with transaction.atomic():
        return issue(actor, project=decoration.project, unit=decoration.unit, decoration=decoration, **fields)


def inspect(actor: Actor, decoration: Decoration, *, result, findings: str = "", violation: str = "",
            photos=()) -> DecorationInspection:
    """An inspection during the works: no problem, problems to rectify (findings required; a rectification is
    opened for engineering, source the inspection) or a violation (what was done, required; the manager is told,
    findings, when given, opened as a rectification too). Photos through the shared evidence store."""
    from wuye.quality.evidence import attach_evidence
    from wuye.quality.rectifications import open_rectification

    _visible(actor, decoration)
    problems = Problems()
    if result not in InspectionResult.values:
        problems.add("result", gettext("Choose the result of the inspection."))
    findings = _text(problems, "findings", findings, FINDINGS_MAX, required=result == InspectionResult.FINDINGS,
                     message=gettext("Say what must be rectified."))
    violation = _text(problems, "violation", violation, VIOLATION_MAX, required=result == InspectionResult.VIOLATION,
                      message=gettext("Say what the violation is and what was done about it."))
    problems.raise_if_any()
    now = timezone.now()
    with transaction.atomic():
        decoration = _lock(decoration)
        _require_action(actor, decoration, "inspect")
        inspection = DecorationInspection.objects.create(
            decoration=decoration, result=result, findings=findings, violation=violation,
            inspected_by=_user(actor), inspected_at=now)
        attached = attach_evidence(actor, inspection, list(photos or ()), project=decoration.project)
        if attached:
            inspection.photos = [row.image.name for row in attached]
            inspection.save(update_fields=["photos"])
        record_event(decoration, "decorations.inspected", actor=_user(actor), data={
            "result": result, "findings": findings[:200], "violation": violation, "photos": len(attached)})
        if findings:
            open_rectification(inspection, project=decoration.project, department=Role.ENGINEERING,
                               title=f"装修巡查整改 {decoration.unit.label}：{findings}"[:80], description=findings,
                               actor=actor, building=decoration.unit.building, unit=decoration.unit, at=now)
        if result == InspectionResult.VIOLATION:
            managers = _staff(Role.PROJECT_MANAGER, decoration.project_id)
            if managers:
                notify(managers, gettext("Decoration violation at %(unit)s") % {"unit": decoration.unit.label},
                       violation, link=_link(decoration), source=inspection,
                       dedupe_key=f"decoration-violation-{inspection.pk}")
    return inspection


def add_deduction(actor: Actor, decoration: Decoration, *, reason, amount) -> DecorationDeduction:
    """An itemised deduction from the deposit (reason, amount): during the works or after acceptance until the
    refund is asked for; all deductions together at most the deposit paid (422 naming `amount`)."""
    _visible(actor, decoration)
    problems = Problems()
    reason = _text(problems, "reason", reason, DEDUCTION_REASON_MAX, required=True,
                   message=gettext("Say what the deduction is for."))
    amount = _amount(problems, "amount", amount)
    problems.raise_if_any()
    with transaction.atomic():
        decoration = _lock(decoration)
        _require_action(actor, decoration, "add_deduction")
        paid = deposit_paid(decoration)
        left = paid - decoration.deductions_total
        if amount > left:
            raise InvalidInput("amount", gettext("At most %(left)s of the deposit paid (%(paid)s) is left.") % {
                "left": format_money(max(left, ZERO)), "paid": format_money(paid)})
        deduction = DecorationDeduction.objects.create(decoration=decoration, reason=reason, amount=amount,
                                                       recorded_by=_user(actor))
        decoration.deductions_total = decoration.deductions_total + amount
        decoration.save(update_fields=["deductions_total"])
        record_event(decoration, "decorations.deducted", actor=_user(actor), data={
            "reason": reason, "amount": str(amount)})
    return deduction


def accept(actor: Actor, decoration: Decoration, *, findings: str = "", photos=(), at: datetime | None = None
           ) -> Decoration:
    """Final acceptance (竣工验收, engineering) → accepted: the acceptance is kept as a final inspection (findings
    open a rectification), the `decoration.refund` clock starts (7 working days, the policy's ladder) and finance
    is told to refund the deposit less the deductions."""
    from wuye.quality.evidence import attach_evidence
    from wuye.quality.rectifications import open_rectification
    from wuye.sla.engine import start_clock

    _visible(actor, decoration)
    problems = Problems()
    findings = _text(problems, "findings", findings, FINDINGS_MAX)
    now = timezone.now()
    at = at or now
    if at > now + timedelta(minutes=5) or at < now - timedelta(days=7):
        problems.add("at", gettext("Give a time in the last 7 days."))
    problems.raise_if_any()
    with transaction.atomic():
        decoration = _lock(decoration)
        _require_action(actor, decoration, "accept")
        result = InspectionResult.FINDINGS if findings else InspectionResult.PASSED
        inspection = DecorationInspection.objects.create(decoration=decoration, final=True, result=result,
                                                         findings=findings, inspected_by=_user(actor),
                                                         inspected_at=at)
        attached = attach_evidence(actor, inspection, list(photos or ()), project=decoration.project)
        if attached:
            inspection.photos = [row.image.name for row in attached]
            inspection.save(update_fields=["photos"])
        decoration = _move(actor, decoration, "accept", "decorations.accepted", {
            "findings": findings[:200], "deductions": str(decoration.deductions_total)}, accepted_at=at)
        clock = start_clock(decoration, CLOCK, project=decoration.project, at=at, actor=_user(actor))
        if findings:
            open_rectification(inspection, project=decoration.project, department=Role.ENGINEERING,
                               title=f"装修验收整改 {decoration.unit.label}：{findings}"[:80], description=findings,
                               actor=actor, building=decoration.unit.building, unit=decoration.unit, at=at)
        finance = _staff(Role.FINANCE, decoration.project_id)
        if finance:
            state = refund_state(decoration)
            notify(finance, gettext("Decoration of %(unit)s accepted: refund the deposit") % {
                "unit": decoration.unit.label},
                gettext("Deposit paid %(paid)s, deductions %(deductions)s, to refund %(refund)s by %(due)s.") % {
                    "paid": format_money(state["paid"]), "deductions": format_money(state["deductions_total"]),
                    "refund": format_money(state["refund"]),
                    "due": format_time(clock.due_at)},
                link=_link(decoration), source=decoration, dedupe_key=f"decoration-accepted-{decoration.pk}")
    return decoration


# -- the deposit back ------------------------------------------------------------------------------------------------
def request_deposit_refund(actor: Actor, decoration: Decoration):
    """Finance asks billing to refund the deposit paid less the deductions (`billing.refunds.request_refund` on
    the payment that paid the deposit; a second person approves it in billing). Nothing to give back (all
    deducted): the decoration closes at once and its clock stops. Returns the refund request (or None)."""
    from wuye.billing import refunds
    from wuye.billing.models import Allocation, Payment

    _visible(actor, decoration)
    require(actor, "billing.refund")
    with transaction.atomic():
        decoration = _lock(decoration)
        _require_action(actor, decoration, "request_deposit_refund")
        state = refund_state(decoration)
        amount = state["refund"]
        if amount <= ZERO:
            _close(decoration, timezone.now(), actor=_user(actor), data={"refund": "0.00"})
            return None
        bills = _deposit_bills(decoration)
        paid_by: dict[int, Decimal] = {}
        for payment_id, part in Allocation.objects.filter(bill__in=bills, amount__gt=0).values_list(
                "payment_id", "amount"):
            paid_by[payment_id] = paid_by.get(payment_id, ZERO) + part
        if not paid_by:
            message = gettext("The deposit was never paid: nothing to refund.")
            raise Conflict(message, [FieldProblem("deposit", message)])
        payment = Payment.objects.get(pk=max(paid_by, key=lambda pk: (paid_by[pk], -pk)))
        if amount > min(paid_by[payment.pk], refunds.refundable(payment)):
            message = gettext("The deposit was paid in several payments: refund it from the refunds page.")
            raise Conflict(message, [FieldProblem("refund", message)])
        request = refunds.request_refund(actor, payment, amount, f"装修保证金退还 {decoration.number} "
                                         f"{decoration.unit.label}（扣除 {decoration.deductions_total}）")
        decoration.refund_request = request
        decoration.save(update_fields=["refund_request"])
        record_event(decoration, "decorations.refund_requested", actor=_user(actor), data={
            "amount": str(amount), "deductions": str(decoration.deductions_total)})
    return request


def _close(decoration: Decoration, at: datetime, *, actor=None, data=None) -> None:
    from wuye.sla.engine import stop_clock

    decoration.status = TRANSITIONS[decoration.status]["close"]
    decoration.closed_at = at
    decoration.save(update_fields=["status", "closed_at"])
    stop_clock(decoration, CLOCK, at=at, actor=actor)
    record_event(decoration, "decorations.closed", actor=actor, data=data or {})


@periodic(timedelta(hours=1), name="decorations.close_refunded")
def close_refunded(now: datetime | None = None) -> int:
    """Accepted decorations whose deposit refund billing approved (and paid back through the ledger) close; their
    `decoration.refund` clock stops at the approval time (met or breached). A rerun finds nothing more."""
    from wuye.billing.models import RefundRequest

    count = 0
    due = Decoration.objects.filter(status=S.ACCEPTED, refund_request__state=RefundRequest.State.APPROVED)
    for pk in list(due.values_list("pk", flat=True)[:1000]):
        with transaction.atomic():
            decoration = _lock(Decoration(pk=pk))
            request = decoration.refund_request
            if decoration.status != S.ACCEPTED or request is None or request.state != RefundRequest.State.APPROVED:
                continue
            _close(decoration, request.decided_at or now or timezone.now(), data={"refund": str(request.amount)})
            _tell_applicant(decoration, gettext("The decoration deposit for %(unit)s is refunded") % {
                "unit": decoration.unit.label}, gettext("%(amount)s was refunded.") % {
                "amount": format_money(request.amount)})
            count += 1
    return count


# -- messages --------------------------------------------------------------------------------------------------------
def _staff(role: str, project_id: int) -> list:
    from wuye.people.services import staff_with_role

    return staff_with_role(role, project_id)


def _link(decoration: Decoration) -> str:
    try:
        return reverse("decorations:detail", args=[decoration.pk])
    except NoReverseMatch:  # the console pages come with the web half of the app
        return ""


def _portal_link(decoration: Decoration) -> str:
    try:
        return reverse("decorations:h5_detail", args=[decoration.pk])
    except NoReverseMatch:
        return ""


def _tell_applicant(decoration: Decoration, subject: str, body: str = "") -> None:
    if decoration.applicant_id is None or not decoration.applicant.is_active:
        return
    notify([decoration.applicant], subject, body, link=_portal_link(decoration), source=decoration,
           dedupe_key=f"decoration-{decoration.pk}-{decoration.status}")


def open_in_scope(actor: Actor):
    """Decorations in scope not yet closed, rejected or withdrawn."""
    return decorations(actor).filter(status__in=OPEN_STATES)


def waiting_for(actor: Actor, action: str):
    """Decorations in scope whose state allows `action` (a workbench count or a filtered list)."""
    states = [status for status, actions in TRANSITIONS.items() if action in actions]
    rows = decorations(actor).filter(status__in=states)
    if action == "request_deposit_refund":
        rows = rows.filter(Q(refund_request__isnull=True) | Q(refund_request__state="rejected"))
    return rows


# -- sentences -------------------------------------------------------------------------------------------------------
register_terms(details={"decoration_company": gettext_lazy("decoration company"),
                        "deductions": gettext_lazy("deductions"), "document": gettext_lazy("document"),
                        "findings": gettext_lazy("findings"),
                        "violation": gettext_lazy("violation")},
               values={"document": dict(DocumentKind.choices)})


def _money(fields, key) -> str:
    try:
        return format_money(Decimal(fields.raw.get(key) or "0"))
    except (InvalidOperation, TypeError):
        return ""


def _applied(event, fields) -> str:
    if fields.raw.get("portal"):
        return gettext("Applied in the portal to decorate %(unit)s from %(starts_on)s to %(ends_on)s") % fields
    return gettext("Applied at the front desk to decorate %(unit)s from %(starts_on)s to %(ends_on)s") % fields


def _checked(event, fields) -> str:
    if fields.raw.get("fee") and fields.raw["fee"] != "0.00" and fields.raw["fee"] != "0":
        return gettext("Documents complete; deposit %(deposit)s and management fee %(fee)s billed") % {
            "deposit": _money(fields, "deposit"), "fee": _money(fields, "fee")}
    return gettext("Documents complete; deposit %(deposit)s billed") % {"deposit": _money(fields, "deposit")}


def _inspected(event, fields) -> str:
    result = fields.raw.get("result")
    if result == InspectionResult.VIOLATION:
        return gettext("Inspected: violation — %(violation)s") % fields
    if result == InspectionResult.FINDINGS:
        return gettext("Inspected: to rectify — %(findings)s") % fields
    return gettext("Inspected: no problem")


def _deducted(event, fields) -> str:
    return gettext("Deducted %(amount)s from the deposit: %(reason)s") % {
        "amount": _money(fields, "amount"), "reason": fields["reason"]}


def _accepted(event, fields) -> str:
    if fields.raw.get("findings"):
        return gettext("Works accepted, with findings to rectify: %(findings)s") % fields
    return gettext("Works accepted; the deposit is to be refunded")


def _refund_requested(event, fields) -> str:
    return gettext("Deposit refund of %(amount)s requested (deductions %(deductions)s), waiting for approval") % {
        "amount": _money(fields, "amount"), "deductions": _money(fields, "deductions")}


def _closed(event, fields) -> str:
    return gettext("Deposit refund of %(amount)s done; decoration closed") % {"amount": _money(fields, "refund")}


def _with_note(plain, with_note):
    def sentence(event, fields) -> str:
        return (with_note % fields) if fields.raw.get("note") else str(plain)
    return sentence


def _cancelled(event, fields) -> str:
    if fields.raw.get("reason"):
        return gettext("Decoration application withdrawn: %(reason)s") % fields
    return gettext("Decoration application withdrawn")


register_sentences({
    "decorations.applied": (_applied, {"details": ("decoration_company",), "example": {
        "unit": "1栋1单元101", "decoration_company": "家美装饰", "starts_on": "2026-12-10", "ends_on": "2027-02-28",
        "documents": 3, "portal": True}}),
    "decorations.document_added": (gettext_lazy("Document added: %(document)s"), {
        "example": {"document": "plan"}}),
    "decorations.checked": (_checked, {"example": {"deposit": "2000.00", "fee": "0.00", "note": ""}}),
    "decorations.returned": (gettext_lazy("Returned to the owner for documents: %(note)s"), {
        "example": {"note": "缺少施工负责人身份证复印件"}}),
    "decorations.resubmitted": (gettext_lazy("Sent back to the desk with the documents"), {"example": {}}),
    "decorations.engineering_approved": (_with_note(gettext_lazy("Approved by engineering"),
                                                    gettext_lazy("Approved by engineering: %(note)s")),
                                         {"example": {"note": "不涉及承重结构"}}),
    "decorations.approved": (_with_note(gettext_lazy("Approved by the manager"),
                                        gettext_lazy("Approved by the manager: %(note)s")),
                             {"example": {"note": "同意施工"}}),
    "decorations.rejected": (gettext_lazy("Decoration application refused: %(reason)s"), {
        "example": {"reason": "拆改承重墙"}}),
    "decorations.cancelled": (_cancelled, {"example": {"reason": "推迟装修"}}),
    "decorations.started": (gettext_lazy("Works started"), {"example": {}}),
    "decorations.inspected": (_inspected, {"example": {
        "result": "findings", "findings": "楼道未做成品保护", "violation": "", "photos": 1}}),
    "decorations.deducted": (_deducted, {"example": {"reason": "损坏电梯轿厢", "amount": "300.00"}}),
    "decorations.accepted": (_accepted, {"example": {"findings": "", "deductions": "300.00"}}),
    "decorations.refund_requested": (_refund_requested, {"example": {"amount": "1700.00", "deductions": "300.00"}}),
    "decorations.closed": (_closed, {"example": {"refund": "1700.00"}}),
})
