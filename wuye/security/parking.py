"""Parking sessions (车辆进出): entry and exit by plate (booth or camera), the temporary fee from billing's quote
paid at exit as a walk-in payment in the ledger, one open session per plate, live occupancy per zone.

A session moves once: inside → left (`leave`). The plate's class is decided at entry from the registers: a valid
monthly pass (billing's ParkingPass) → pass; a resident's registered vehicle with an owned or rented space →
resident; anything else → temporary. Only a temporary stay pays (`billing.billers.temporary_parking_quote`, with
the project's free minutes and daily cap); a pass that expired while the car was inside pays as a temporary stay
from entry. The money is `billing.services.take_walk_in_payment` — bill, payment, ledger entries and receipt in
the exit's transaction, keyed by the session, so a repeated or concurrent exit pays once."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wuye.core.access import Actor, require, scoped
from wuye.core.errors import Conflict, FieldProblem, InvalidInput, Problems
from wuye.core.events import record_event
from wuye.core.money import format_money
from wuye.core.sentences import format_minutes, register_sentences, register_terms
from wuye.core.validators import normalize_plate

from .models import GateDirection, ParkingGate, ParkingSession, SessionSource, SessionStatus, VehicleClass

INSIDE, LEFT = SessionStatus.INSIDE, SessionStatus.LEFT
# A booth's tablet or a camera's clock may run a little ahead of the server; older than a week is a typing error
# (a car left inside that long is found by the open-sessions list, not entered late).
FUTURE_SKEW = timedelta(minutes=5)
MAX_PAST = timedelta(days=7)
# How a temporary car pays at the booth: cash, a WeChat/Alipay scan or a POS card (the last three with the
# provider's reference from the payer's phone or the slip, checked by billing's channel adapter).
EXIT_CHANNELS = ("cash", "wechat", "alipay", "pos")
ZONE_MAX = ParkingSession._meta.get_field("zone").max_length
KEY_MAX = 100

# The one transition of a session: (from, action) → to.
TRANSITIONS = {(INSIDE, "leave"): LEFT}


# -- sentences ------------------------------------------------------------------------------------------------
def _entered_sentence(event, fields) -> str:
    return gettext("%(plate)s entered %(zone)s (%(source)s)") % fields


def _left_sentence(event, fields) -> str:
    data = fields.raw
    stay = format_minutes(data.get("minutes") or 0)
    if data.get("fee") and Decimal(str(data["fee"])) > 0:
        text = gettext("%(plate)s left after %(stay)s, paid %(fee)s %(channel)s") % {
            "plate": fields["plate"], "stay": stay, "fee": format_money(data["fee"]), "channel": fields["channel"]}
    else:
        text = gettext("%(plate)s left after %(stay)s, no fee") % {"plate": fields["plate"], "stay": stay}
    if data.get("pass_expired"):
        text = gettext("%(text)s (the monthly pass had expired: charged as a temporary car from entry)") % {
            "text": text}
    return text


register_terms(
    details={"vehicle_class": _("vehicle"), "receipt": _("receipt no."), "gate": _("gate")},
    values={"source": dict(SessionSource.choices), "vehicle_class": dict(VehicleClass.choices),
            "channel": {"cash": _("cash"), "wechat": _("WeChat Pay"), "alipay": _("Alipay"), "pos": _("POS card")}})
register_sentences({
    "security.parking.entered": (_entered_sentence, {
        "details": ("vehicle_class", "gate"),
        "example": {"plate": "粤B12345", "zone": "地下一层", "source": "booth", "vehicle_class": "temporary"}}),
    "security.parking.left": (_left_sentence, {
        "details": ("receipt", "gate"),
        "example": {"plate": "粤B12345", "minutes": 136, "fee": "6.00", "channel": "cash",
                    "receipt": "JH-2026-000123"}}),
})


# -- reading --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ZoneOccupancy:
    """One zone of a project now: its active temporary spaces, the cars inside (every class) and the temporary
    cars among them; `free` = spaces − temporary cars inside, never below 0 (pass and resident cars park in their
    own spaces); `over` = how many temporary cars are beyond the spaces."""

    project_id: int
    project: str
    zone: str
    spaces: int
    inside: int
    temporary_inside: int

    @property
    def free(self) -> int:
        return max(self.spaces - self.temporary_inside, 0)

    @property
    def over(self) -> int:
        return max(self.temporary_inside - self.spaces, 0)


def occupancy(actor: Actor) -> list[ZoneOccupancy]:
    """Occupancy per project and zone in `actor`'s scope: one grouped query for the spaces, one for the cars."""
    from wuye.billing.models import ParkingSpace, ParkingSpaceKind

    spaces = (scoped(ParkingSpace.objects.filter(kind=ParkingSpaceKind.TEMPORARY, is_active=True), actor)
              .values("project_id", "project__name", "zone").annotate(n=Count("id")).order_by())
    cars = (scoped(ParkingSession.objects.filter(status=INSIDE), actor)
            .values("project_id", "project__name", "zone")
            .annotate(n=Count("id"), temporary=Count("id", filter=Q(vehicle_class=VehicleClass.TEMPORARY)))
            .order_by())
    rows: dict[tuple[int, str], dict] = {}
    for row in spaces:
        rows[(row["project_id"], row["zone"])] = {"project": row["project__name"], "spaces": row["n"], "inside": 0,
                                                  "temporary": 0}
    for row in cars:
        entry = rows.setdefault((row["project_id"], row["zone"]),
                                {"project": row["project__name"], "spaces": 0, "inside": 0, "temporary": 0})
        entry["inside"], entry["temporary"] = row["n"], row["temporary"]
    return [ZoneOccupancy(project_id, entry["project"], zone, entry["spaces"], entry["inside"], entry["temporary"])
            for (project_id, zone), entry in sorted(rows.items(), key=lambda item: (item[1]["project"], item[0][1]))]


def open_sessions(actor: Actor):
    """Cars inside now in `actor`'s scope, longest inside first."""
    return (scoped(ParkingSession.objects.filter(status=INSIDE), actor).select_related("project", "entry_gate")
            .order_by("entered_at", "id"))


def visible_sessions(actor: Actor):
    """Every session in `actor`'s scope, newest entry first."""
    return scoped(ParkingSession.objects.all(), actor).select_related("project", "payment__receipt", "parking_pass")


def filter_sessions(rows, *, project=None, status=None, plate=None, vehicle_class=None, day=None):
    """The session filters the list page and the API share (a wrong value → 422 naming it)."""
    if project is not None:
        rows = rows.filter(project_id=project)
    if status:
        if status not in SessionStatus.values:
            raise InvalidInput("status", gettext("Choose one of: %(values)s.") % {
                "values": ", ".join(SessionStatus.values)})
        rows = rows.filter(status=status)
    if vehicle_class:
        if vehicle_class not in VehicleClass.values:
            raise InvalidInput("vehicle_class", gettext("Choose one of: %(values)s.") % {
                "values": ", ".join(VehicleClass.values)})
        rows = rows.filter(vehicle_class=vehicle_class)
    if plate:
        try:
            rows = rows.filter(plate=normalize_plate(plate))
        except ValueError:  # a part of a plate: search by it
            rows = rows.filter(plate__icontains="".join(plate.split()).upper()[:10])
    if day is not None:
        start = timezone.make_aware(datetime.combine(day, time.min))
        rows = rows.filter(entered_at__gte=start, entered_at__lt=start + timedelta(days=1))
    return rows


def zones(project) -> list[str]:
    """The zones of a project: those of its active parking spaces and of its active gates."""
    from wuye.billing.models import ParkingSpace

    names = set(ParkingSpace.objects.filter(project=project, is_active=True).exclude(zone="")
                .values_list("zone", flat=True).distinct())
    names |= set(ParkingGate.objects.filter(project=project, is_active=True).values_list("zone", flat=True))
    return sorted(names)


def classify(project, plate: str, day) -> tuple[str, object, object]:
    """(vehicle class, the resident's Vehicle or None, the ParkingPass or None) of `plate` on `day`."""
    from wuye.billing.models import ParkingPass, ParkingSpace, ParkingSpaceKind
    from wuye.people.models import Vehicle

    parking_pass = (ParkingPass.objects.filter(project=project, plate=plate, starts_on__lte=day)
                    .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day)).order_by("-starts_on", "-id").first())
    vehicle = Vehicle.objects.filter(project=project, plate=plate).first()
    if parking_pass is not None:
        return VehicleClass.PASS, vehicle, parking_pass
    if vehicle is not None:
        own = ParkingSpace.objects.filter(project=project, is_active=True,
                                          kind__in=(ParkingSpaceKind.OWNED, ParkingSpaceKind.RENTED))
        units = vehicle.resident.residencies.filter(ended_on__isnull=True).values("unit_id")
        if own.filter(Q(vehicle=vehicle) | Q(unit_id__in=units)).exists():
            return VehicleClass.RESIDENT, vehicle, None
    return VehicleClass.TEMPORARY, vehicle, None


def pass_valid_on(session: ParkingSession, day) -> bool:
    """Whether the session's monthly pass still covers `day`."""
    parking_pass = session.parking_pass
    if parking_pass is None:
        return False
    return parking_pass.starts_on <= day and (parking_pass.ends_on is None or parking_pass.ends_on >= day)


def _charged(session: ParkingSession, at: datetime) -> tuple[bool, bool]:
    """(pays as a temporary car, because its pass expired)."""
    if session.vehicle_class == VehicleClass.TEMPORARY:
        return True, False
    if session.vehicle_class == VehicleClass.PASS and not pass_valid_on(session, timezone.localdate(at)):
        return True, True
    return False, False


def quote(session: ParkingSession, at: datetime | None = None, tariffs: dict | None = None):
    """What the stay costs if the car leaves at `at` (default now): billing's ParkingQuote. Pass holders and
    residents with their own space pay 0; a pass expired by then pays as a temporary stay from entry. A list
    passes one `tariffs` dict for all its rows: the tariff and rules are read once per project and entry day."""
    from wuye.billing.billers import ParkingQuote, quote_with, temporary_parking_quote, temporary_tariff

    at = at or timezone.now()
    pays, _expired = _charged(session, at)
    if pays and tariffs is None:
        return temporary_parking_quote(session.project, session.entered_at, max(at, session.entered_at))
    if pays:
        key = (session.project_id, timezone.localdate(session.entered_at))
        if key not in tariffs:
            try:
                tariffs[key] = temporary_tariff(session.project, key[1])
            except InvalidInput as error:
                tariffs[key] = error.message
        if isinstance(tariffs[key], str):
            raise InvalidInput("project", tariffs[key])
        return quote_with(tariffs[key], session.entered_at, max(at, session.entered_at))
    minutes = max(int((at - session.entered_at).total_seconds() // 60), 0)
    values = {"minutes": minutes, "hours_charged": 0, "rate": Decimal("0.00"), "amount": Decimal("0.00"),
              "free_minutes": 0, "capped": False}
    names = {field.name for field in dataclasses.fields(ParkingQuote)}
    return ParkingQuote(**{name: value for name, value in values.items() if name in names})


def temporary_item(project):
    """The project's temporary parking charge item (billing's PARKING_TEMPORARY), or a 422 naming `project`."""
    from wuye.billing.models import ChargeItem, ChargeKind

    item = (ChargeItem.objects.filter(project=project, kind=ChargeKind.PARKING_TEMPORARY, is_active=True)
            .order_by("id").first())
    if item is None:
        raise InvalidInput("project", gettext("This project has no temporary parking charge item."))
    return item


def receipt_code(session: ParkingSession) -> str:
    """The printed number of the exit's receipt, '' when nothing was paid."""
    payment = session.payment
    if payment is None:
        return ""
    receipt = getattr(payment, "receipt", None)
    return receipt.code if receipt is not None else ""


# -- writing --------------------------------------------------------------------------------------------------
def _moment(problems: Problems, at, field: str = "at", now: datetime | None = None) -> datetime | None:
    """`at` (default now) if it is an aware moment at most FUTURE_SKEW ahead and at most MAX_PAST ago."""
    now = now or timezone.now()
    if at is None:
        return now
    if not isinstance(at, datetime):
        problems.add(field, gettext("Give a date and time."))
        return None
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    if at > now + FUTURE_SKEW:
        problems.add(field, gettext("The time cannot be in the future."))
        return None
    if at < now - MAX_PAST:
        problems.add(field, gettext("The time cannot be more than 7 days ago."))
        return None
    return at


def _source(problems: Problems, source: str) -> str:
    if source not in SessionSource.values:
        problems.add("source", gettext("Choose one of: %(values)s.") % {"values": ", ".join(SessionSource.values)})
    return source


def _gate(problems: Problems, project, gate, direction: str) -> ParkingGate | None:
    if gate is None:
        return None
    if not isinstance(gate, ParkingGate) or gate.project_id != project.pk or not gate.is_active:
        problems.add("gate", gettext("Choose an active gate of this project."))
        return None
    if gate.direction != direction:
        message = (gettext("%(gate)s is not an entry gate.") if direction == GateDirection.ENTRY
                   else gettext("%(gate)s is not an exit gate."))
        problems.add("gate", message % {"gate": gate.name})
        return None
    return gate


def _plate_conflict(plate: str) -> Conflict:
    message = gettext("%(plate)s is already inside.") % {"plate": plate}
    return Conflict(message, problems=[FieldProblem("plate", message)])


def enter(actor: Actor, *, project, plate: str, gate: ParkingGate | None = None, zone: str | None = None,
          at: datetime | None = None, source: str = SessionSource.BOOTH) -> ParkingSession:
    """A car enters `project`: the plate is normalized (malformed → 422 naming `plate`), its class decided from
    the registers, the zone taken from the entry `gate` or given (one of the project's zones; when the project
    has one zone it is the default). A plate already inside is a 409 naming `plate` (the database's partial
    unique constraint decides a race). `at` defaults to now, at most 5 minutes ahead and 7 days back."""
    require(actor, "security.parking")
    if project is None or not actor.sees_project(project.pk):
        raise InvalidInput("project", gettext("Choose one of your projects."))
    problems = Problems()
    plate = problems.check("plate", normalize_plate, plate if isinstance(plate, str) else "")
    source = _source(problems, source)
    gate = _gate(problems, project, gate, GateDirection.ENTRY)
    at = _moment(problems, at)
    known = zones(project)
    if gate is not None:
        zone = gate.zone
    else:
        zone = " ".join(str(zone or "").split())[:ZONE_MAX + 1]
        if not zone and len(known) == 1:
            zone = known[0]
        if not zone:
            problems.add("zone", gettext("Choose the zone."))
        elif zone not in known:
            problems.add("zone", gettext("Choose one of: %(values)s.") % {"values": "、".join(known) or "—"})
    problems.raise_if_any()

    vehicle_class, vehicle, parking_pass = classify(project, plate, timezone.localdate(at))
    if ParkingSession.objects.filter(project=project, plate=plate, status=INSIDE).exists():
        raise _plate_conflict(plate)
    try:
        with transaction.atomic():
            session = ParkingSession.objects.create(
                project=project, plate=plate, vehicle_class=vehicle_class, zone=zone, entered_at=at,
                entry_gate=gate, entry_source=source, entered_by=actor.user if getattr(actor.user, "pk", None)
                else None, vehicle=vehicle, parking_pass=parking_pass)
            record_event(session, "security.parking.entered", actor=actor.user, data={
                "plate": plate, "zone": zone, "source": source, "vehicle_class": vehicle_class,
                "gate": gate.name if gate else ""})
    except IntegrityError:
        raise _plate_conflict(plate) from None
    return session


def _expected(problems: Problems, expected_fee) -> Decimal | None:
    if expected_fee is None or expected_fee == "":
        return None
    try:
        value = Decimal(str(expected_fee).strip())
        if not value.is_finite() or value < 0 or value != value.quantize(Decimal("0.01")):
            raise ArithmeticError
    except ArithmeticError:
        problems.add("expected_fee", gettext("Give the amount shown, such as 6.00."))
        return None
    return value


def leave(actor: Actor, session: ParkingSession, *, at: datetime | None = None, channel: str = "cash",
          idempotency_key: str | None = None, gate: ParkingGate | None = None, source: str = SessionSource.BOOTH,
          reference: str = "", expected_fee=None, now: datetime | None = None) -> ParkingSession:
    """The car leaves: the session is locked; a session already left is returned unchanged (the same payment).
    A temporary stay (or a pass expired by now) pays its quote through `channel` (cash, wechat, alipay, pos — the
    last three with the provider's `reference`) as a walk-in payment of the session; nothing to pay → no
    payment. `idempotency_key` is the caller's (bounded); the payment's own key is the session's.

    A stay that pays leaves now: `at` at most 5 minutes from the server's clock (`now`, default the real one —
    only the demo's history passes its own), else a 422 naming `at`. `expected_fee` is the amount the booth
    showed: when the fee at exit differs, a 409 naming `expected_fee` with the new amount and nothing charged."""
    from wuye.billing.channels import adapter_for
    from wuye.billing.services import take_walk_in_payment

    require(actor, "security.parking")
    if not actor.sees_project(session.project_id):
        raise InvalidInput("session", gettext("No such parking session."))
    problems = Problems()
    if channel not in EXIT_CHANNELS:
        problems.add("channel", gettext("Choose cash, WeChat Pay, Alipay or POS card."))
    elif reference or channel != "cash":
        try:
            reference = adapter_for(channel).clean_reference(reference)
        except InvalidInput as error:
            problems.items.extend(error.problems)
    if idempotency_key is not None and not (0 < len(str(idempotency_key)) <= KEY_MAX):
        problems.add("Idempotency-Key", gettext("At most %(count)s characters.") % {"count": KEY_MAX})
    source = _source(problems, source)
    gate = _gate(problems, session.project, gate, GateDirection.EXIT)
    now = now or timezone.now()
    at = _moment(problems, at, now=now)
    expected = _expected(problems, expected_fee)
    problems.raise_if_any()

    with transaction.atomic():
        session = (ParkingSession.objects.select_for_update(of=("self",))
                   .select_related("project", "parking_pass").get(pk=session.pk))
        if session.status == LEFT:
            return session
        to = TRANSITIONS[(session.status, "leave")]
        if at < session.entered_at:
            raise InvalidInput("at", gettext("The car cannot leave before it entered."))
        pays, expired = _charged(session, at)
        if (pays or _charged(session, now)[0]) and at < now - FUTURE_SKEW:
            # A backdated exit would make a long stay cheap: a car that pays leaves at the server's now.
            raise InvalidInput("at", gettext("A car that pays leaves now: the exit time can be at most 5 minutes "
                                             "before the server's clock."))
        fee_quote = quote(session, at)
        fee = fee_quote.amount if pays else Decimal("0.00")
        if expected is not None and fee != expected:
            message = gettext("The fee is now %(fee)s, not %(expected)s: show the new amount and take it.") % {
                "fee": format_money(fee), "expected": format_money(expected)}
            raise Conflict(message, problems=[FieldProblem("expected_fee", message)])
        payment = None
        if fee > 0:
            payment, _created = take_walk_in_payment(
                actor, session.project, temporary_item(session.project), fee, channel=channel, source=session,
                memo=session.plate, reference=reference, now=at)
        session.status, session.exited_at, session.exit_gate, session.exit_source = to, at, gate, source
        session.exited_by = actor.user if getattr(actor.user, "pk", None) else None
        session.fee, session.payment = fee, payment
        session.save(update_fields=["status", "exited_at", "exit_gate", "exit_source", "exited_by", "fee",
                                    "payment"])
        record_event(session, "security.parking.left", actor=actor.user, data={
            "plate": session.plate, "minutes": fee_quote.minutes, "fee": str(fee),
            "channel": channel if payment else "", "pass_expired": expired,
            "receipt": receipt_code(session), "gate": gate.name if gate else ""})
    return session
