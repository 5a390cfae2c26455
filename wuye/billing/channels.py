"""Payment channels behind one adapter interface, and the online payment flow (§3, issue 4).

* Offline channels (cash, bank transfer): staff record the money with `services.pay`; nothing to start.
* Online channels: `start_online_payment` creates a `PaymentIntent` and the adapter says where to send the payer;
  the provider later confirms with a signed callback, `handle_callback`, which records the payment through
  `services.pay` with the intent's reference as idempotency key — a repeated or concurrent callback pays once.
* `simulated` is a complete online channel for the demo and tests: its "provider" is our own gateway page
  (billing:gateway), which signs its callback with settings.PAYMENT_CALLBACK_SECRET exactly as a real provider
  would sign with the merchant key, and hands it to the same `handle_callback` the callback endpoint uses. It exists
  only where settings.WUYE_SIMULATED_PAYMENTS is on (`make run`, the tests): its "pay" button moves no money.
* WeChat Pay and Alipay are registered but not configured (no merchant credentials on this machine): starting a
  payment on them answers 422 naming `channel`. A real adapter implements `configured`, `start`, `verify`, `parse`.
* At the desk (`services.pay_at_desk`): cash and bank transfer as before, and a WeChat/Alipay scan or a POS card,
  which the clerk confirms on the terminal or the payer's phone and records with the provider's reference
  (`clean_reference`: required, letters and digits, bounded; once per channel in a project). The money is
  recorded on the clerk's word, like cash. A configured adapter can check it later: `lookup(payment)` asks the
  provider (WeChat Pay's order query by transaction id, Alipay's alipay.trade.query, the acquirer's POS settlement
  file) and `verify_desk_reference` stamps `Payment.reference_verified_at` when the provider agrees, or records
  an event when it does not. Unconfigured here, `lookup` answers None (cannot tell) and nothing is stamped.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wuye.core.access import Actor, require
from wuye.core.errors import InvalidInput, NotAllowed
from wuye.core.events import compose_event, record_event, record_events
from wuye.core.money import to_money

from . import services
from .models import Channel, Payment, PaymentIntent

ZERO = Decimal("0.00")
# What a provider's callback says, and what the signature covers (in this canonical order and form).
CALLBACK_FIELDS = ("reference", "amount", "status", "paid_at")
# An owner who leaves the gateway without paying: the intent expires, so the pages stop showing it as in progress.
INTENT_LIFETIME = timedelta(minutes=30)
PAID, FAILED = "paid", "failed"
# A provider's reference as printed on a slip or shown on the payer's phone: WeChat Pay's 28-digit transaction id,
# Alipay's 28–32 digit trade number, a POS terminal's 12-digit reference (参考号) or voucher number.
REFERENCE_MIN, REFERENCE_MAX = 6, 40
REFERENCE_PATTERN = re.compile(r"[A-Za-z0-9-]+")


@dataclass(frozen=True)
class CallbackData:
    reference: str
    amount: Decimal
    status: str
    paid_at: datetime | None


class ChannelAdapter:
    """One payment channel. Online adapters start payments and verify their provider's callbacks."""

    code: str = ""
    label = ""
    online: bool = False
    # Taken at the desk with the provider's reference (a scan, a card): the reference is required.
    needs_reference: bool = False

    def clean_reference(self, reference: str) -> str:
        """The provider's reference as recorded with a desk payment, or InvalidInput naming `reference`."""
        reference = "".join((reference or "").split())
        if not self.needs_reference:
            if reference:
                raise InvalidInput("reference", _("%(channel)s has no provider's reference; leave it empty.")
                                   % {"channel": self.label})
            return ""
        if not reference:
            raise InvalidInput("reference", _("Enter the reference number from the %(channel)s slip or the payer's "
                                              "phone.") % {"channel": self.label})
        if not (REFERENCE_MIN <= len(reference) <= REFERENCE_MAX) or not REFERENCE_PATTERN.fullmatch(reference):
            raise InvalidInput("reference", _("A reference has %(min)s to %(max)s letters and digits.")
                               % {"min": REFERENCE_MIN, "max": REFERENCE_MAX})
        return reference

    def lookup(self, payment: Payment) -> bool | None:
        """Whether the provider knows `payment.reference` as a payment of `payment.amount`; None: cannot tell here
        (no merchant credentials)."""
        return None

    def configured(self, project) -> bool:
        """Whether `project` can take payments on this channel (merchant credentials present)."""
        return not self.online

    def start(self, intent: PaymentIntent) -> str:
        """Where to send the payer to pay `intent` (a URL)."""
        raise InvalidInput("channel", _("%(channel)s is recorded by staff at the service center, not paid online.")
                           % {"channel": self.label})

    def verify(self, payload: dict, signature: str) -> bool:
        """Whether `signature` is the provider's over `payload`."""
        return False

    def parse(self, payload: dict) -> CallbackData:
        """The callback's fields, checked (InvalidInput naming the field otherwise)."""
        missing = [name for name in CALLBACK_FIELDS if name not in payload]
        if missing:
            raise InvalidInput(missing[0], _("This field is required."))
        try:
            amount = Decimal(str(payload["amount"]))
            if not amount.is_finite() or amount != to_money(amount):
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            raise InvalidInput("amount", _("Enter an amount in yuan, e.g. 1234.50.")) from None
        paid_at = parse_datetime(str(payload["paid_at"])) if payload["paid_at"] else None
        if payload["paid_at"] and paid_at is None:
            raise InvalidInput("paid_at", _("Enter a date and time such as 2026-11-23T09:30:00+08:00."))
        status = str(payload["status"])
        if status not in (PAID, FAILED):
            raise InvalidInput("status", _("The status is either paid or failed."))
        return CallbackData(str(payload["reference"]), amount, status, paid_at)


class OfflineChannel(ChannelAdapter):
    def __init__(self, code: str, label, *, needs_reference: bool = False):
        self.code, self.label, self.needs_reference = code, label, needs_reference


class UnconfiguredOnlineChannel(ChannelAdapter):
    """A real provider whose merchant credentials are not set up here: registered, but refuses to start."""

    online = True
    needs_reference = True  # a scan at the desk is recorded with the provider's transaction number

    def __init__(self, code: str, label):
        self.code, self.label = code, label

    def configured(self, project) -> bool:
        return False

    def start(self, intent):
        raise InvalidInput("channel", _("%(channel)s is not configured: no merchant credentials are set up.")
                           % {"channel": self.label})


_DEVELOPMENT_SECRET = secrets.token_urlsafe(32)


def simulated_payments_enabled() -> bool:
    """The simulated channel is on only where WUYE_SIMULATED_PAYMENTS says so, and only with a key to sign with.
    A key alone never switches it on."""
    return bool(settings.WUYE_SIMULATED_PAYMENTS) and bool(SimulatedChannel.secret())


class SimulatedChannel(ChannelAdapter):
    """The demo's online channel: HMAC-SHA256 over the canonical JSON of the callback fields."""

    code = Channel.SIMULATED
    label = gettext_lazy("Simulated online payment")
    online = True

    def configured(self, project) -> bool:
        return simulated_payments_enabled()

    def start(self, intent):
        return reverse("billing:gateway", args=[intent.reference])

    @staticmethod
    def secret() -> bytes:
        """The callback key: the site's own; under DEBUG without one, a random key of this process (the gateway page
        signs and verifies in the same process), never a value from the source."""
        return (settings.PAYMENT_CALLBACK_SECRET or (_DEVELOPMENT_SECRET if settings.DEBUG else "")).encode()

    @staticmethod
    def canonical(payload: dict) -> bytes:
        """The signed bytes: the four fields as strings, keys sorted, no spaces, UTF-8."""
        fields = {name: "" if payload.get(name) is None else str(payload.get(name)) for name in CALLBACK_FIELDS}
        return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()

    def sign(self, payload: dict) -> str:
        return hmac.new(self.secret(), self.canonical(payload), hashlib.sha256).hexdigest()

    def verify(self, payload, signature):
        if not self.configured(None) or not signature or not isinstance(payload, dict):
            return False
        return hmac.compare_digest(self.sign(payload), str(signature).strip().lower())


CHANNELS: dict[str, ChannelAdapter] = {
    Channel.CASH: OfflineChannel(Channel.CASH, Channel.CASH.label),
    Channel.BANK_TRANSFER: OfflineChannel(Channel.BANK_TRANSFER, Channel.BANK_TRANSFER.label),
    Channel.WECHAT: UnconfiguredOnlineChannel(Channel.WECHAT, Channel.WECHAT.label),
    Channel.ALIPAY: UnconfiguredOnlineChannel(Channel.ALIPAY, Channel.ALIPAY.label),
    Channel.SIMULATED: SimulatedChannel(),
    # A bank card on the desk's POS terminal: the acquirer's reference from the slip.
    Channel.POS: OfflineChannel(Channel.POS, Channel.POS.label, needs_reference=True),
}


def verify_desk_reference(payment: Payment) -> bool | None:
    """Ask the channel's provider about a desk payment's reference: True stamps `reference_verified_at`, False
    records `billing.reference_unconfirmed` for finance to look into, None (cannot tell here) changes nothing."""
    if not payment.reference:
        return None
    found = adapter_for(payment.channel).lookup(payment)
    if found is True:
        Payment.objects.filter(pk=payment.pk, reference_verified_at__isnull=True).update(
            reference_verified_at=timezone.now())
        record_event(payment, "billing.reference_verified", data={"reference": payment.reference})
    elif found is False:
        record_event(payment, "billing.reference_unconfirmed", data={"reference": payment.reference})
    return found


def online_payment_open(project) -> bool:
    """Whether an owner of `project` can pay online at all: some online channel is configured for it. Without one
    the portal shows where to pay instead of a button that can only fail."""
    return any(adapter.online and adapter.configured(project) for adapter in CHANNELS.values())


def adapter_for(code: str) -> ChannelAdapter:
    try:
        return CHANNELS[code]
    except KeyError:
        raise InvalidInput("channel", _("Unknown payment channel.")) from None


def _reference() -> str:
    """Unique and unguessable: the gateway page and the result page are addressed by it."""
    return f"WY{timezone.localdate():%Y%m%d}{secrets.token_hex(8).upper()}"


@transaction.atomic
def start_online_payment(actor: Actor, unit, amount=None, channel: str = Channel.SIMULATED, *,
                         allow_prepayment: bool = False) -> PaymentIntent:
    """Start paying `unit`'s fees online (its owner, or staff who collect): `amount` defaults to everything owed.
    Returns the pending intent; `adapter_for(intent.channel).start(intent)` is where the payer goes next."""
    if actor.is_owner:
        require(actor, "billing.pay_own")
        if unit.pk not in actor.unit_ids:
            raise NotAllowed(_("You can pay only for your own home."))
    else:
        require(actor, "billing.collect")
        if not actor.sees_project(unit.project_id):
            raise NotAllowed(_("This unit is outside your projects."))
    adapter = adapter_for(channel)
    if not adapter.online:
        raise InvalidInput("channel", _("%(channel)s is recorded by staff at the service center, not paid online.")
                           % {"channel": adapter.label})
    if not adapter.configured(unit.project):
        raise InvalidInput("channel", _("%(channel)s is not configured: no merchant credentials are set up.")
                           % {"channel": adapter.label})
    owed = max(services.balance(unit), ZERO)
    if amount is None or amount == "":
        if owed <= ZERO:
            raise InvalidInput("amount", _("Nothing is owed now; enter an amount to pay in advance."))
        amount = owed
    amount = services._money(amount, "amount")
    if amount > owed and not allow_prepayment:
        raise InvalidInput("amount", _("The amount is more than the %(owed)s owed; allow prepayment to keep the "
                                       "rest as credit.") % {"owed": owed})
    intent = PaymentIntent.objects.create(project_id=unit.project_id, unit=unit, channel=adapter.code,
                                          amount=amount, reference=_reference(), created_by=actor.user)
    adapter.start(intent)  # a channel that cannot start refuses before anything is committed
    record_event(intent, "billing.payment_started", actor=actor.user,
                 data={"unit": unit.label, "amount": str(amount), "channel": adapter.code,
                       "reference": intent.reference})
    return intent


def pay_url(intent: PaymentIntent) -> str:
    return adapter_for(intent.channel).start(intent)


def expire_online_payments(now: datetime | None = None) -> int:
    """Mark intents still pending `INTENT_LIFETIME` after they started as expired. A provider's "paid" callback
    that comes later still records the money (handle_callback) — the provider, not the clock, says what was paid."""
    now = now or timezone.now()
    with transaction.atomic():
        stale = list(PaymentIntent.objects.select_for_update(skip_locked=True)
                     .filter(state=PaymentIntent.State.PENDING, created_at__lt=now - INTENT_LIFETIME))
        PaymentIntent.objects.filter(pk__in=[intent.pk for intent in stale],
                                     state=PaymentIntent.State.PENDING).update(
            state=PaymentIntent.State.EXPIRED, finished_at=now)
        record_events([compose_event(intent, "billing.payment_expired", project_id=intent.project_id,
                                     data={"reference": intent.reference}) for intent in stale])
    return len(stale)


def handle_callback(channel: str, payload: dict, signature: str) -> PaymentIntent:
    """A provider's confirmation of an intent. Refused (nothing written) when the signature does not verify
    (403), the reference is unknown or the amount differs from the intent's (422). "paid" records the payment
    once — the intent's reference is its idempotency key — and marks the intent paid; "failed" marks a pending
    intent failed. Money the provider took is always recorded: a surplus (the unit paid meanwhile at the desk)
    stays as prepaid credit."""
    adapter = adapter_for(channel)
    if not adapter.online:
        raise InvalidInput("channel", _("This channel has no online callbacks."))
    if not adapter.configured(None):
        raise NotAllowed(_("This payment channel is not enabled here."))
    if not adapter.verify(payload, signature):
        raise NotAllowed(_("The callback's signature does not verify."))
    data = adapter.parse(payload)
    intent = PaymentIntent.objects.filter(reference=data.reference, channel=adapter.code).first()
    if intent is None:
        raise InvalidInput("reference", _("No payment with this reference was started."))
    if data.amount != intent.amount:
        raise InvalidInput("amount", _("The amount %(amount)s differs from the %(expected)s of the payment.")
                           % {"amount": data.amount, "expected": intent.amount})
    now = timezone.now()
    if data.status == FAILED:
        with transaction.atomic():
            if PaymentIntent.objects.filter(pk=intent.pk, state=PaymentIntent.State.PENDING).update(
                    state=PaymentIntent.State.FAILED, finished_at=now):
                record_event(intent, "billing.payment_failed", data={"reference": intent.reference})
        intent.refresh_from_db()
        return intent
    with transaction.atomic():
        # pay() locks the unit first; a concurrent callback waits there and finds this payment by its key.
        # No actor: the verified signature is the authority (the payer may have moved out since starting).
        payment, _created = services.pay(None, intent.unit, intent.amount, channel=adapter.code,
                                         idempotency_key=intent.reference, allow_prepayment=True)
        if PaymentIntent.objects.filter(pk=intent.pk, payment__isnull=True).update(
                state=PaymentIntent.State.PAID, payment=payment, finished_at=now):
            record_event(intent, "billing.payment_confirmed",
                         data={"reference": intent.reference, "payment": payment.pk, "amount": str(payment.amount),
                               "paid_at": data.paid_at.isoformat() if data.paid_at else ""})
    intent.refresh_from_db()
    return intent


def simulate_provider(intent: PaymentIntent, *, succeed: bool) -> PaymentIntent:
    """Play the simulated provider (the gateway page's buttons): build the callback it would send, sign it with
    the secret and hand it to `handle_callback`, exactly as POST /payments/callbacks/simulated does."""
    adapter = adapter_for(Channel.SIMULATED)
    payload = {"reference": intent.reference, "amount": str(intent.amount), "status": PAID if succeed else FAILED,
               "paid_at": timezone.localtime().isoformat() if succeed else ""}
    return handle_callback(Channel.SIMULATED, payload, adapter.sign(payload))
