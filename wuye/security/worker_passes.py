"""Decoration worker passes (装修出入证): identity and photo, the unit and period of the works, the pass deposit through
billing's ledger, return and expiry.

The pass deposit is a bill of the unit (`billing.services.post_charge` on the project's worker-pass deposit item,
the pass as its source), paid at the desk like any bill. When the card comes back the money goes back through
billing's own approval flows, never by a row written here: a paid deposit is refunded through a refund request
(finance asks, a second person approves — `billing.refunds`), an unpaid one is written off through a write-off
request (`billing.write_offs`). Who returns the card at the gate may not ask for either, so finance is told
through the outbox with a link to the step; a person who may ask (finance, the project manager) asks at once.
A revoked pass keeps its deposit: the card did not come back.

Status table (`TRANSITIONS`): active → returned / revoked / expired (the daily job, past `valid_until`);
expired → returned (the card comes back late, the deposit still goes back)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wuye.core.access import Actor, Role, require, scoped
from wuye.core.errors import Conflict, InvalidInput, Problems
from wuye.core.events import compose_event, record_event, record_events
from wuye.core.money import format_money, to_money
from wuye.core.outbox import notify
from wuye.core.photos import check_photos, reencode
from wuye.core.scheduling import periodic
from wuye.core.sentences import register_sentences, register_terms
from wuye.core.validators import normalize_phone
from wuye.tenancy.models import Unit

from .models import WorkerPass, WorkerPassStatus
from .visitors import CODE_LENGTH, CODE_TRIES, check_identity, clean_text, new_code, normalize_code, token_in

GATE = "security.gate"
ACTIVE, RETURNED = WorkerPassStatus.ACTIVE, WorkerPassStatus.RETURNED
EXPIRED, REVOKED = WorkerPassStatus.EXPIRED, WorkerPassStatus.REVOKED

TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "return": (frozenset({ACTIVE, EXPIRED}), RETURNED),
    "revoke": (frozenset({ACTIVE}), REVOKED),
    "expire": (frozenset({ACTIVE}), EXPIRED),
}

NAME_MAX = WorkerPass._meta.get_field("worker_name").max_length
EMPLOYER_MAX = WorkerPass._meta.get_field("employer").max_length
WORKS_MAX = WorkerPass._meta.get_field("works").max_length
REASON_MAX = 200
PERIOD_DAYS_MAX = 180  # a pass covers at most 180 days, first and last included
START_DAYS_AHEAD_MAX = 30  # and starts at most 30 days from today
DEPOSIT_MAX = Decimal("10000.00")
DEFAULT_DEPOSIT = Decimal("50.00")
ZERO = Decimal("0.00")


def deposit_default() -> Decimal:
    """The pass deposit (settings WUYE_WORKER_PASS_DEPOSIT, the seed's ¥50.00)."""
    return to_money(getattr(settings, "WUYE_WORKER_PASS_DEPOSIT", DEFAULT_DEPOSIT))


def deposit_item(project_id: int):
    """Billing's worker-pass deposit charge item of the project."""
    try:
        from wuye.billing.charges import worker_pass_deposit_item
    except ImportError:  # billing's function arrives in the same issue; until then the same get-or-create
        from wuye.billing.models import ChargeItem, ChargeKind

        item, _created = ChargeItem.objects.get_or_create(
            project_id=project_id, code="worker-pass-deposit",
            defaults={"name": "装修出入证押金", "kind": ChargeKind.ONE_OFF})
        return item
    return worker_pass_deposit_item(project_id)


# -- sentences ------------------------------------------------------------------------------------------------
def _issued(event, fields) -> str:
    text = gettext("Worker pass issued to %(worker)s for %(unit)s, %(starts_on)s – %(ends_on)s") % fields
    if fields.raw.get("deposit") and fields.raw["deposit"] != "0.00":
        text = gettext("%(text)s; deposit %(deposit)s billed to the unit") % {
            "text": text, "deposit": format_money(Decimal(fields.raw["deposit"]))}
    return text


def _returned(event, fields) -> str:
    money = fields.raw.get("money") or ""
    follow = {
        "refund_requested": gettext("deposit refund requested"),
        "refund_to_finance": gettext("finance told to refund the deposit"),
        "write_off_requested": gettext("unpaid deposit write-off requested"),
        "write_off_to_finance": gettext("finance told to write off the unpaid deposit"),
    }
    parts = [follow[key] for key in money.split(",") if key in follow]
    if parts:
        return gettext("Pass returned; %(what)s") % {"what": "，".join(parts)}
    return gettext("Pass returned")


register_terms(details={"reason": _("reason"), "employer": _("decoration company"), "id_masked": _("identity number")})
register_sentences({
    "security.worker_pass.issued": (_issued, {
        "details": ("employer", "id_masked"),
        "example": {"worker": "王师傅", "unit": "1栋1单元101", "starts_on": "2026-12-01", "ends_on": "2027-02-28",
                    "deposit": "50.00", "employer": "家美装饰", "id_masked": "110105********1234"}}),
    "security.worker_pass.returned": (_returned, {"example": {"money": "refund_to_finance"}}),
    "security.worker_pass.revoked": (_("Pass revoked: %(reason)s"), {"example": {"reason": "违规动火作业"}}),
    "security.worker_pass.expired": (_("Pass expired (valid until %(ends_on)s)"), {
        "example": {"ends_on": "2026-12-01"}}),
})


# -- reading --------------------------------------------------------------------------------------------------
def visible_passes(actor: Actor):
    """Worker passes in `actor`'s scope, newest first."""
    return scoped(WorkerPass.objects.all(), actor).select_related("project", "unit__building")


def is_valid_on(worker_pass: WorkerPass, day: date) -> bool:
    return worker_pass.status == ACTIVE and worker_pass.valid_from <= day <= worker_pass.valid_until


def check_pass(actor: Actor, code_or_token, *, project=None, on: date | None = None) -> tuple[WorkerPass, bool]:
    """The gate's check: the pass with this code (or QR token) among those `actor` sees and whether it lets the
    worker in today. No such pass: 422 naming `code`."""
    from wuye.core.access import require_read

    require_read(actor, "security.worker_passes")
    rows = scoped(WorkerPass.objects.select_related("unit__building", "project"), actor)
    if project is not None:
        rows = rows.filter(project=project)
    token = token_in(code_or_token)
    if token is not None:
        rows = rows.filter(pass_token=token)
    else:
        code = normalize_code(code_or_token)
        if len(code) != CODE_LENGTH:
            raise InvalidInput("code", gettext("A pass code has %(count)s letters and digits.") % {
                "count": CODE_LENGTH})
        rows = rows.filter(pass_code=code)
    found = list(rows[:2])
    if len(found) != 1:
        raise InvalidInput("code", gettext("No pass with this code.") if not found
                           else gettext("Several projects have this code: choose the project."))
    worker_pass = found[0]
    return worker_pass, is_valid_on(worker_pass, on or timezone.localdate())


def deposit_state(worker_pass: WorkerPass):
    """Where the deposit's bill stands now (billing's `SourceState`), or None without a deposit."""
    if worker_pass.deposit_bill_id is None:
        return None
    from wuye.billing.models import Bill
    from wuye.billing.services import bill_state

    return bill_state(Bill.objects.filter(pk=worker_pass.deposit_bill_id))


# -- writing --------------------------------------------------------------------------------------------------
def _user(actor: Actor):
    return actor.user if getattr(actor.user, "pk", None) else None


def _day(problems: Problems, field: str, value) -> date | None:
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            problems.add(field, gettext("Give a date as 2026-12-03."))
            return None
    if not isinstance(value, date):
        problems.add(field, gettext("Give a date as 2026-12-03."))
        return None
    return value


def _deposit(problems: Problems, actor: Actor, deposit) -> Decimal:
    default = deposit_default()
    if deposit in (None, ""):
        return default
    try:
        amount = Decimal(str(deposit)[:20])
        if not amount.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        problems.add("deposit", gettext("Enter an amount in yuan, e.g. 50.00."))
        return default
    if amount != amount.quantize(Decimal("0.01")):
        problems.add("deposit", gettext("Amounts have at most two decimals (fen)."))
        return default
    if not ZERO <= amount <= DEPOSIT_MAX:
        problems.add("deposit", gettext("Give an amount from 0 to %(max)s.") % {"max": format_money(DEPOSIT_MAX)})
        return default
    amount = to_money(amount)
    if amount != default and not actor.may("billing.charge"):
        problems.add("deposit", gettext("Only the front desk may change the deposit (%(amount)s).") % {
            "amount": format_money(default)})
    return amount


@transaction.atomic
def issue_worker_pass(actor: Actor, *, project, unit, worker_name, id_type, id_number, valid_from, valid_until,
                      works="", employer="", phone="", photo=None, deposit=None,
                      decoration=None) -> WorkerPass:
    """Issue a decoration worker's pass for the works at `unit` from `valid_from` (at most 30 days from today)
    to `valid_until` (at most 180 days in all). The identity is checked and kept masked; the photo is re-encoded
    (no EXIF kept). The deposit (settings WUYE_WORKER_PASS_DEPOSIT unless the desk gives another; 0: none) is
    billed to the unit through billing's `post_charge`, the pass as its source. A wrong field is a 422 naming
    it, with nothing written. `decoration`: the decoration application the works belong to (same unit)."""
    require(actor, GATE)
    if not isinstance(unit, Unit) or unit.project_id != getattr(project, "pk", None) \
            or not scoped(Unit.objects.filter(pk=unit.pk), actor).exists():
        raise InvalidInput("unit_id", gettext("Choose a unit of your projects."))
    if decoration is not None and decoration.unit_id != unit.pk:
        raise InvalidInput("decoration", gettext("The decoration belongs to another unit."))
    problems = Problems()
    worker_name = clean_text(problems, "worker_name", worker_name, NAME_MAX,
                             required=gettext("Enter the worker's name."))
    id_type, masked, digest = check_identity(problems, id_type, id_number)
    works = clean_text(problems, "works", works, WORKS_MAX)
    employer = clean_text(problems, "employer", employer, EMPLOYER_MAX)
    phone_raw = phone if isinstance(phone, str) else ""
    phone = "" if not phone_raw.strip() else (
        problems.check("phone", normalize_phone, phone_raw[:30]) or "")
    today = timezone.localdate()
    starts, ends = _day(problems, "valid_from", valid_from), _day(problems, "valid_until", valid_until)
    if starts is not None and not today <= starts <= today + timedelta(days=START_DAYS_AHEAD_MAX):
        problems.add("valid_from", gettext("The pass starts between today and %(days)s days from today.") % {
            "days": START_DAYS_AHEAD_MAX})
    if starts is not None and ends is not None:
        if ends < starts:
            problems.add("valid_until", gettext("The pass ends on or after its first day."))
        elif (ends - starts).days + 1 > PERIOD_DAYS_MAX:
            problems.add("valid_until", gettext("A pass covers at most %(days)s days.") % {"days": PERIOD_DAYS_MAX})
    amount = _deposit(problems, actor, deposit)
    picture = None
    if photo is not None:
        try:
            check_photos([photo], "photo")
            picture, content_type = reencode(photo, "photo")
            picture.name = f"worker-{uuid.uuid4().hex[:16]}.{content_type.split('/')[1].replace('jpeg', 'jpg')}"
        except InvalidInput as error:
            problems.items.extend(error.problems)
    problems.raise_if_any()

    worker_pass = None
    for _attempt in range(CODE_TRIES):
        code = new_code()
        if WorkerPass.objects.filter(project=project, pass_code=code).exists():
            continue
        try:
            with transaction.atomic():
                worker_pass = WorkerPass.objects.create(
                    project=project, unit=unit, works=works, worker_name=worker_name, id_type=id_type,
                    id_masked=masked, id_digest=digest, phone=phone, employer=employer, valid_from=starts,
                    valid_until=ends, pass_code=code, issued_by=_user(actor),
                    decoration=decoration)
            break
        except IntegrityError:
            continue
    if worker_pass is None:
        raise Conflict(gettext("No free pass code was found; please try again."))
    if picture is not None:
        worker_pass.photo.save(picture.name, picture, save=False)
        worker_pass.save(update_fields=["photo"])
    if amount > ZERO:
        from wuye.billing.services import post_charge

        # The deposit is the pass's own rule: the gate that may issue the pass bills it (a desk clerk under
        # their own billing authority; a guard, who has none, under the system's — the event names them).
        charger = actor if actor.may("billing.charge") else None
        bill = post_charge(charger, unit, deposit_item(project.pk), amount, due_on=today, source=worker_pass,
                           description=f"装修出入证押金 {worker_name}")
        worker_pass.deposit_bill = bill
        worker_pass.save(update_fields=["deposit_bill"])
    record_event(worker_pass, "security.worker_pass.issued", actor=_user(actor), data={
        "worker": worker_name, "unit": unit.label, "starts_on": starts.isoformat(), "ends_on": ends.isoformat(),
        "deposit": str(amount), "employer": employer, "id_masked": masked})
    return worker_pass


def _lock(worker_pass: WorkerPass) -> WorkerPass:
    return WorkerPass.objects.select_for_update().select_related("unit", "project").get(pk=worker_pass.pk)


def _step(worker_pass: WorkerPass, action: str) -> str:
    sources, after = TRANSITIONS[action]
    if worker_pass.status not in sources:
        raise Conflict(gettext("Not possible now: the pass is %(status)s.") % {
            "status": worker_pass.get_status_display()})
    return after


def _check_visible(actor: Actor, worker_pass: WorkerPass) -> None:
    if not scoped(WorkerPass.objects.filter(pk=worker_pass.pk), actor).exists():
        raise InvalidInput("worker_pass", gettext("No such pass."))


def _finance(project_id: int) -> list:
    from wuye.people.services import staff_with_role  # people sits beside security; imported late

    return staff_with_role(Role.FINANCE, project_id)


def _deposit_back(actor: Actor, worker_pass: WorkerPass) -> list[str]:
    """Start the deposit's way back through billing's approval flows; returns what was done (for the event)."""
    from wuye.billing import refunds, write_offs
    from wuye.billing.models import Allocation, Bill
    from wuye.billing.services import ZERO as BILL_ZERO

    bill = Bill.objects.select_related("unit").get(pk=worker_pass.deposit_bill_id)
    done = []
    reason = f"装修出入证退还 {worker_pass.worker_name} {worker_pass.pass_code}"
    paid_by: dict[int, Decimal] = {}
    for payment_id, amount in Allocation.objects.filter(bill=bill).values_list("payment_id", "amount"):
        paid_by[payment_id] = paid_by.get(payment_id, BILL_ZERO) + amount
    paid_by = {pk: to_money(amount) for pk, amount in paid_by.items() if amount > BILL_ZERO}
    if paid_by:
        from wuye.billing.models import Payment

        if actor.may("billing.refund"):
            for payment in Payment.objects.filter(pk__in=paid_by).order_by("id"):
                refunds.request_refund(actor, payment, min(paid_by[payment.pk], refunds.refundable(payment)), reason)
            done.append("refund_requested")
        else:
            first = min(paid_by)
            total = sum(paid_by.values(), BILL_ZERO)
            notify(_finance(worker_pass.project_id),
                   gettext("Worker pass returned: refund the deposit of %(amount)s") % {
                       "amount": format_money(total)},
                   gettext("%(unit)s, %(worker)s") % {"unit": worker_pass.unit.label,
                                                     "worker": worker_pass.worker_name},
                   link=f"{reverse('billing:refunds')}?payment={first}", source=worker_pass,
                   dedupe_key=f"worker-pass:{worker_pass.pk}:refund")
            done.append("refund_to_finance")
    outstanding = to_money(bill.outstanding)
    if outstanding > BILL_ZERO:
        if actor.may("billing.write_off"):
            write_offs.request_write_off(actor, bill, outstanding, reason)
            done.append("write_off_requested")
        else:
            notify(_finance(worker_pass.project_id),
                   gettext("Worker pass returned: write off the unpaid deposit of %(amount)s") % {
                       "amount": format_money(outstanding)},
                   gettext("%(unit)s, %(worker)s") % {"unit": worker_pass.unit.label,
                                                     "worker": worker_pass.worker_name},
                   link=reverse("billing:unit_account", args=[bill.unit_id]), source=worker_pass,
                   dedupe_key=f"worker-pass:{worker_pass.pk}:write-off")
            done.append("write_off_to_finance")
    return done


@transaction.atomic
def return_worker_pass(actor: Actor, worker_pass: WorkerPass, *, at=None) -> WorkerPass:
    """The card comes back (an active or expired pass): returned, and its deposit starts back through billing —
    a paid deposit by a refund request, an unpaid one by a write-off request (see the module's docstring)."""
    require(actor, GATE)
    _check_visible(actor, worker_pass)
    worker_pass = _lock(worker_pass)
    worker_pass.status = _step(worker_pass, "return")
    worker_pass.returned_at = at or timezone.now()
    worker_pass.save(update_fields=["status", "returned_at"])
    money = _deposit_back(actor, worker_pass) if worker_pass.deposit_bill_id else []
    record_event(worker_pass, "security.worker_pass.returned", actor=_user(actor), data={"money": ",".join(money)})
    return worker_pass


@transaction.atomic
def revoke_worker_pass(actor: Actor, worker_pass: WorkerPass, *, reason) -> WorkerPass:
    """Withdraw an active pass (`reason` required). The deposit stays: the card did not come back."""
    require(actor, GATE)
    _check_visible(actor, worker_pass)
    problems = Problems()
    reason = clean_text(problems, "reason", reason, REASON_MAX, required=gettext("Say why the pass is revoked."))
    problems.raise_if_any()
    worker_pass = _lock(worker_pass)
    worker_pass.status = _step(worker_pass, "revoke")
    worker_pass.save(update_fields=["status"])
    record_event(worker_pass, "security.worker_pass.revoked", actor=_user(actor), data={"reason": reason})
    return worker_pass


@periodic(every=timedelta(hours=24))
def expire_worker_passes(today: date | None = None) -> int:
    """Active passes past their last day: active → expired (one event each; the deposit waits for the card).
    Claimed with a conditional update, so a rerun changes nothing more. Returns how many expired."""
    today = today or timezone.localdate()
    due = list(WorkerPass.objects.filter(status=ACTIVE, valid_until__lt=today).values_list("pk", flat=True)[:5000])
    count = 0
    for pk in due:
        with transaction.atomic():
            if WorkerPass.objects.filter(pk=pk, status=ACTIVE).update(status=EXPIRED) == 1:
                worker_pass = WorkerPass.objects.get(pk=pk)
                record_events([compose_event(worker_pass, "security.worker_pass.expired",
                                             data={"ends_on": worker_pass.valid_until.isoformat()})])
                count += 1
    return count
