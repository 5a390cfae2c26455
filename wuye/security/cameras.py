"""Plate cameras at the vehicle gates: the adapter interface and the simulated camera of the demo (signed payloads;
only where simulated devices are allowed).

A camera posts what it read (`POST /api/v1/parking/camera-events`, no login: the signature is the proof). The
adapter checks the signature and parses the read (`PlateRead`); `handle_read` then acts as the booth would: a read
at an entry gate enters the car, at an exit gate lets a car out when it has nothing to pay. A read the camera is
unsure of (confidence below WUYE_CAMERA_MIN_CONFIDENCE), or a car that must pay, is put on record for the booth to
confirm (`security.parking.read_unconfirmed` on the gate) and no session changes.

The simulated camera signs with settings.WUYE_CAMERA_SECRET (HMAC-SHA256 of the canonical JSON). It exists only
under DEBUG or with WUYE_SIMULATED_DEVICES on — the same idea as billing's simulated payment channel; the deploy
check warns when it is on outside DEBUG. A real camera vendor's adapter implements `parse` the same way."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.checks import Warning as CheckWarning
from django.core.checks import register
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wuye.core.access import Actor, Role
from wuye.core.errors import DomainError, InvalidInput, NotAllowed
from wuye.core.events import record_event
from wuye.core.sentences import register_sentences, register_terms
from wuye.core.validators import normalize_plate

from . import parking
from .models import GateDirection, ParkingGate, ParkingSession, SessionSource, SessionStatus

SIGNED_FIELDS = ("project", "gate", "plate", "at", "confidence")
CODE_MAX = ParkingGate._meta.get_field("code").max_length
# A read is acted on only while it is fresh; within that window a repeat of the same read is ignored.
READ_SKEW = timedelta(minutes=5)


class BadSignature(DomainError):
    """The payload is not signed by the camera's key (401: the signature is this endpoint's authentication)."""

    status = 401


@dataclass(frozen=True)
class PlateRead:
    project_id: int
    gate_code: str
    plate: str  # as read (normalized by the service that uses it)
    at: datetime
    confidence: Decimal


class CameraAdapter:
    """One kind of plate camera: `parse` checks the signature and returns the read, or raises."""

    code = ""

    def enabled(self) -> bool:
        return False

    def parse(self, payload: dict, signature: str) -> PlateRead:
        raise NotAllowed(gettext("No plate camera is configured here."))


_DEVELOPMENT_SECRET = secrets.token_urlsafe(32)


def simulated_devices_enabled() -> bool:
    """Simulated cameras exist under DEBUG or with WUYE_SIMULATED_DEVICES on, and only with a key to sign with."""
    return bool(settings.DEBUG or settings.WUYE_SIMULATED_DEVICES) and bool(SimulatedCamera.secret())


def min_confidence() -> Decimal:
    """Below this confidence a read waits for the booth (setting WUYE_CAMERA_MIN_CONFIDENCE, default 0.8)."""
    return Decimal(str(settings.WUYE_CAMERA_MIN_CONFIDENCE))


class SimulatedCamera(CameraAdapter):
    """The demo's camera: HMAC-SHA256 over the canonical JSON of the five signed fields."""

    code = "simulated"

    def enabled(self) -> bool:
        return simulated_devices_enabled()

    @staticmethod
    def secret() -> bytes:
        """The site's camera key; under DEBUG without one, a random key of this process, never one from the source."""
        key = settings.WUYE_CAMERA_SECRET or (_DEVELOPMENT_SECRET if settings.DEBUG else "")
        return str(key).encode()

    @staticmethod
    def canonical(payload: dict) -> bytes:
        """The signed bytes: the five fields as strings, keys sorted, no spaces, UTF-8."""
        fields = {name: "" if payload.get(name) is None else str(payload.get(name)) for name in SIGNED_FIELDS}
        return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()

    def sign(self, payload: dict) -> str:
        return hmac.new(self.secret(), self.canonical(payload), hashlib.sha256).hexdigest()

    def parse(self, payload: dict, signature: str) -> PlateRead:
        if not self.enabled():
            raise NotAllowed(gettext("Simulated devices are not enabled here."))
        if not isinstance(payload, dict) or not signature or not hmac.compare_digest(
                self.sign(payload), str(signature).strip().lower()):
            raise BadSignature(gettext("The camera's signature does not verify."))
        try:
            project_id = int(str(payload.get("project")))
        except ValueError:
            raise InvalidInput("project", gettext("Give the project's id.")) from None
        gate = str(payload.get("gate") or "")
        if not gate or len(gate) > CODE_MAX:
            raise InvalidInput("gate", gettext("Give the gate's code."))
        at = parse_datetime(str(payload.get("at") or ""))
        if at is None:
            raise InvalidInput("at", gettext("Enter a date and time such as 2026-11-23T09:30:00+08:00."))
        if timezone.is_naive(at):
            at = timezone.make_aware(at)
        if abs(at - timezone.now()) > READ_SKEW:  # an old signed read replayed, or a camera's clock far off
            raise InvalidInput("at", gettext("A camera's read must be at most 5 minutes from now."))
        try:
            confidence = Decimal(str(payload.get("confidence")))
            if not confidence.is_finite() or not 0 <= confidence <= 1:
                raise InvalidOperation
        except InvalidOperation:
            raise InvalidInput("confidence", gettext("A confidence from 0 to 1.")) from None
        return PlateRead(project_id, gate, str(payload.get("plate") or "")[:20], at, confidence)


CAMERAS: dict[str, CameraAdapter] = {"simulated": SimulatedCamera()}


def camera(code: str = "simulated") -> CameraAdapter:
    return CAMERAS.get(code) or CameraAdapter()


def camera_actor(gate: ParkingGate) -> Actor:
    """Who acts for a camera: the system with the security role on the gate's project only."""
    return Actor(user=None, role=Role.SECURITY, company_id=gate.project.company_id,
                 project_ids=frozenset({gate.project_id}))


@dataclass(frozen=True)
class ReadOutcome:
    status: str  # "entered", "left", "needs_confirmation"
    session: ParkingSession | None
    reason: str = ""


def _unconfirmed(gate: ParkingGate, read: PlateRead, plate: str, reason: str) -> ReadOutcome:
    record_event(gate, "security.parking.read_unconfirmed", data={
        "plate": plate, "gate": gate.name, "confidence": str(read.confidence), "reason": reason,
        "at": read.at.isoformat()})
    return ReadOutcome("needs_confirmation", None, reason)


def _repeat(gate: ParkingGate, read: PlateRead, plate: str) -> ReadOutcome | None:
    """The outcome already recorded for this very read (same gate, plate and time), or None: a replayed or
    re-sent read changes nothing twice."""
    from django.contrib.contenttypes.models import ContentType

    from wuye.core.models import Event

    sessions = ParkingSession.objects.filter(project_id=gate.project_id, plate=plate)
    if gate.direction == GateDirection.ENTRY:
        session = sessions.filter(entry_gate=gate, entered_at=read.at).first()
    else:
        session = sessions.filter(exit_gate=gate, exited_at=read.at).first()
    if session is not None:
        return ReadOutcome("duplicate", session, "duplicate")
    if Event.objects.filter(subject_type=ContentType.objects.get_for_model(ParkingGate), subject_id=gate.pk,
                            verb="security.parking.read_unconfirmed", data__plate=plate,
                            data__at=read.at.isoformat()).exists():
        return ReadOutcome("duplicate", None, "duplicate")
    return None


def handle_read(read: PlateRead) -> ReadOutcome:
    """Act on a camera's read as the booth would (see the module's docstring). An unknown gate is a 422 naming
    `gate`; a plate that cannot be read as a plate waits for the booth. A read already handled (same gate, plate
    and time) is ignored: "duplicate", nothing changes."""
    gate = (ParkingGate.objects.select_related("project").filter(project_id=read.project_id, code=read.gate_code,
                                                                 is_active=True).first())
    if gate is None:
        raise InvalidInput("gate", gettext("No such gate."))
    try:
        plate = normalize_plate(read.plate)
    except ValueError:
        return _repeat(gate, read, read.plate) or _unconfirmed(gate, read, read.plate, "unreadable")
    if (repeat := _repeat(gate, read, plate)) is not None:
        return repeat
    if read.confidence < min_confidence():
        return _unconfirmed(gate, read, plate, "low_confidence")
    actor = camera_actor(gate)
    if gate.direction == GateDirection.ENTRY:
        session = parking.enter(actor, project=gate.project, plate=plate, gate=gate, at=read.at,
                                source=SessionSource.CAMERA)
        return ReadOutcome("entered", session)
    session = ParkingSession.objects.filter(project=gate.project, plate=plate, status=SessionStatus.INSIDE).first()
    if session is None:
        return _unconfirmed(gate, read, plate, "not_inside")
    if parking.quote(session, max(read.at, session.entered_at)).amount > 0:
        return _unconfirmed(gate, read, plate, "to_pay")
    session = parking.leave(actor, session, at=read.at, gate=gate, source=SessionSource.CAMERA)
    return ReadOutcome("left", session)


def recent_unconfirmed(actor: Actor, since: datetime):
    """The camera reads waiting for the booth since `since`, in `actor`'s projects, newest first."""
    from django.contrib.contenttypes.models import ContentType

    from wuye.core.access import scoped
    from wuye.core.models import Event

    gate_type = ContentType.objects.get_for_model(ParkingGate)
    gates = scoped(ParkingGate.objects.all(), actor).values("pk")
    return (Event.objects.filter(subject_type=gate_type, subject_id__in=gates, verb="security.parking.read_unconfirmed",
                                 created_at__gte=since).order_by("-created_at", "-id")[:20])


def simulated_read(gate: ParkingGate, plate: str, *, confidence: str = "0.95", at: datetime | None = None) -> dict:
    """A read the simulated camera would post for `gate` (the booth page's demo button): (payload, signature)."""
    payload = {"project": gate.project_id, "gate": gate.code, "plate": plate,
               "at": timezone.localtime(at or timezone.now()).isoformat(), "confidence": confidence}
    return {"payload": payload, "signature": SimulatedCamera().sign(payload)}


REASONS = {
    "low_confidence": _("the camera was not sure"),
    "unreadable": _("not a plate"),
    "not_inside": _("no such car inside"),
    "to_pay": _("the car has a fee to pay"),
    "duplicate": _("a repeat of a read already handled"),
}
register_terms(values={"reason": REASONS})
register_sentences({
    "security.parking.read_unconfirmed": (
        _("The camera at %(gate)s read %(plate)s: the booth must confirm (%(reason)s)"), {
            "example": {"gate": "东门入口", "plate": "粤B12345", "confidence": "0.62", "reason": "low_confidence"}}),
})


@register(deploy=True)
def simulated_devices_in_production(app_configs, **kwargs):
    """Simulated devices have no place in production: anyone with the key opens a gate for any plate."""
    if settings.WUYE_SIMULATED_DEVICES:
        return [CheckWarning(
            "WUYE_SIMULATED_DEVICES is on: simulated plate cameras open and close parking sessions from signed "
            "test payloads.",
            hint="Only for demonstrations and tests; unset it in production.",
            id="wuye.W021",
        )]
    return []
