"""Monthly parking passes (月卡) from the holder's side: renewal (an owner in the portal, or the desk) and the daily
reminder before a pass runs out. The periodic biller (`billers.parking_pass_charges`) bills every month a pass
covers and nothing after its `ends_on`, so renewing is moving `ends_on` on; the next runs bill the new months."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wuye.core.access import Actor, require
from wuye.core.errors import Conflict, InvalidInput, NotAllowed
from wuye.core.events import record_event
from wuye.core.models import Channel, NotificationKind
from wuye.core.outbox import compose, post

from .models import ParkingPass
from .periods import add_months, period_end

MAX_RENEWAL_MONTHS = 12


def reminder_days() -> int:
    """How many days before a pass ends its holder is reminded (settings WUYE_PARKING_PASS_REMINDER_DAYS, 7)."""
    return int(settings.WUYE_PARKING_PASS_REMINDER_DAYS)


def months_later(day: date, months: int) -> date:
    """`day` moved on by whole months: a month's last day stays a month's last day (11-30 → 12-31), another day
    keeps its number where the month has it (01-31 is the month's end, so → 02-28)."""
    if day == period_end(day):
        return period_end(add_months(day, months))
    target = add_months(day, months)
    return target.replace(day=min(day.day, calendar.monthrange(target.year, target.month)[1]))


def days_left(parking_pass: ParkingPass, today: date) -> int | None:
    """Days until the pass's last day (0 on it, negative once it has run out); None for an open-ended pass."""
    return None if parking_pass.ends_on is None else (parking_pass.ends_on - today).days


def renew_pass(actor: Actor, parking_pass: ParkingPass, *, months, today: date | None = None) -> ParkingPass:
    """Extend a monthly pass by `months` (1–12): from its last day, or from today when it has run out. An owner
    renews a pass of their own unit in the portal; the desk or finance any pass of their projects. The periodic
    runs bill the new months (pro-rated as usual); an open-ended pass has nothing to renew (409)."""
    require(actor, "billing.renew_pass")
    if actor.is_owner and parking_pass.unit_id not in actor.unit_ids:
        raise NotAllowed(_("This pass is not one of your units'."))
    if not actor.is_owner and not actor.sees_project(parking_pass.project_id):
        raise NotAllowed(_("This pass is outside your projects."))
    if isinstance(months, bool) or not isinstance(months, int):
        try:
            months = int(str(months).strip()[:3])
        except ValueError:
            raise InvalidInput("months", _("Enter a whole number of months.")) from None
    if not 1 <= months <= MAX_RENEWAL_MONTHS:
        raise InvalidInput("months", _("Renew for 1 to %(max)s months.") % {"max": MAX_RENEWAL_MONTHS})
    today = today or timezone.localdate()
    with transaction.atomic():
        parking_pass = ParkingPass.objects.select_for_update().get(pk=parking_pass.pk)
        if parking_pass.ends_on is None:
            raise Conflict(_("This pass has no end date: there is nothing to renew."))
        old_end = parking_pass.ends_on
        base = old_end if old_end >= today else today - timedelta(days=1)
        parking_pass.ends_on = months_later(base, months)
        parking_pass.save(update_fields=["ends_on"])
        record_event(parking_pass, "billing.parking_pass_renewed", actor=actor.user,
                     project_id=parking_pass.project_id,
                     data={"plate": parking_pass.plate, "months": months, "from": str(old_end),
                           "to": str(parking_pass.ends_on)})
    return parking_pass


@dataclass(frozen=True)
class PassRow:
    """A pass as its holder sees it in the portal."""

    parking_pass: ParkingPass
    days_left: int | None

    @property
    def expired(self) -> bool:
        return self.days_left is not None and self.days_left < 0

    @property
    def due_soon(self) -> bool:
        return self.days_left is not None and 0 <= self.days_left <= reminder_days()


def passes_of(unit_ids, today: date | None = None) -> list[PassRow]:
    """The passes of these units that are valid now, start later or ended within the last 90 days (to renew)."""
    today = today or timezone.localdate()
    passes = (ParkingPass.objects.filter(unit_id__in=list(unit_ids))
              .exclude(ends_on__lt=today - timedelta(days=90))
              .select_related("unit__building", "project", "parking_space").order_by("ends_on", "id"))
    return [PassRow(parking_pass, days_left(parking_pass, today)) for parking_pass in passes]


def _owners_by_unit(unit_ids) -> dict[int, list]:
    from .dunning import _owner_users

    return _owner_users(unit_ids)


def remind_expiring_passes(today: date | None = None) -> int:
    """One message (in the portal, and by SMS) to each owner of a unit whose pass ends within the reminder days
    (today included), once per pass and end date — a renewed pass is reminded again before its new end. Passes
    already ended are not reminded (nor billed: the biller stops at `ends_on`). Returns the messages written."""
    today = today or timezone.localdate()
    passes = list(ParkingPass.objects.filter(ends_on__gte=today, ends_on__lte=today + timedelta(days=reminder_days()))
                  .select_related("unit__building").order_by("id"))
    if not passes:
        return 0
    owners = _owners_by_unit({parking_pass.unit_id for parking_pass in passes})
    link = reverse("billing:h5_parking")
    messages = []
    for parking_pass in passes:
        if not owners.get(parking_pass.unit_id):
            continue
        left = (parking_pass.ends_on - today).days
        subject = _("Your monthly pass for %(plate)s ends on %(day)s") % {
            "plate": parking_pass.plate, "day": f"{parking_pass.ends_on:%Y-%m-%d}"}
        body = _("%(unit)s: the monthly parking pass for %(plate)s is valid until %(day)s (%(left)s days left). "
                 "Renew it under My parking in the owner portal or at the service desk.") % {
            "unit": parking_pass.unit.label, "plate": parking_pass.plate,
            "day": f"{parking_pass.ends_on:%Y-%m-%d}", "left": left}
        messages += compose(owners[parking_pass.unit_id], subject, body, link=link, source=parking_pass,
                            kind=NotificationKind.BILLING, channels=(Channel.IN_APP, Channel.SMS),
                            dedupe_key=f"billing.pass_reminder:{parking_pass.pk}:{parking_pass.ends_on:%Y-%m-%d}")
    return len(post(messages)) if messages else 0
