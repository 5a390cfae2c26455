"""The collection desk's actions: log a contact with a household (a record, the household's follow-up state and
an event, in one transaction). Money is billing's: what a household owes is read from its open bills."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import DecimalField, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from wuye.billing.models import OPEN, Bill
from wuye.billing.reports import OUTSTANDING
from wuye.core.access import Actor, require, scoped
from wuye.core.errors import InvalidInput, Problems
from wuye.core.events import record_event
from wuye.core.money import to_money
from wuye.tenancy.models import Unit

from . import rules
from .models import ContactLog, FollowUp, Method, Outcome

_MONEY = DecimalField(max_digits=14, decimal_places=2)


def overdue_owed(unit_ids, today: date) -> dict[int, Decimal]:
    """What each unit owes on bills past their due date (billing's open bills, one grouped query)."""
    rows = (Bill.objects.filter(OPEN, unit_id__in=list(unit_ids), due_on__lt=today).values("unit_id")
            .annotate(owed=Coalesce(Sum(OUTSTANDING), Value(Decimal("0.00")), output_field=_MONEY)).order_by())
    return {row["unit_id"]: to_money(row["owed"]) for row in rows}


@transaction.atomic
def log_contact(actor: Actor, unit: Unit, *, method: str, outcome: str, promised_on: date | None = None,
                note: str = "", now: datetime | None = None) -> ContactLog:
    """Record a call, visit, text message or letter to the household of `unit` about its arrears, with its outcome
    and — for a promise to pay — the promised date (today at the earliest, at most `rules.promise_max_days()`
    ahead). The clerk who logs a promise is reminded on its date (`jobs.remind_promises`)."""
    require(actor, "collection.log_contact")
    if not scoped(Unit.objects.filter(pk=unit.pk), actor).exists():
        raise InvalidInput("unit", _("No such %(thing)s.") % {"thing": Unit._meta.verbose_name})
    now = now or timezone.now()
    today = timezone.localdate(now)
    problems = Problems()
    if method not in Method.values:
        problems.add("method", _("Choose how the household was contacted."))
    if outcome not in Outcome.values:
        problems.add("outcome", _("Choose the outcome of the contact."))
    if outcome == Outcome.PROMISED:
        latest = today + timedelta(days=rules.promise_max_days())
        if promised_on is None:
            problems.add("promised_on", _("Enter the date the household promised to pay by."))
        elif promised_on < today:
            problems.add("promised_on", _("The promised date cannot be in the past."))
        elif promised_on > latest:
            problems.add("promised_on", _("A promise is at most %(days)s days ahead (by %(date)s); agree a payment "
                                          "plan instead.") % {"days": rules.promise_max_days(),
                                                              "date": f"{latest:%Y-%m-%d}"})
    elif promised_on is not None:
        problems.add("promised_on", _("Only a promise to pay has a promised date."))
    problems.raise_if_any()

    owed = overdue_owed([unit.pk], today).get(unit.pk, Decimal("0.00"))
    contact = ContactLog.objects.create(project_id=unit.project_id, unit=unit, method=method, outcome=outcome,
                                        promised_on=promised_on if outcome == Outcome.PROMISED else None,
                                        note=(note or "").strip()[:500], owed=owed, contacted_at=now,
                                        logged_by=actor.user if getattr(actor.user, "pk", None) else None)
    FollowUp.objects.update_or_create(unit=unit, defaults={
        "project_id": unit.project_id, "last_contact": contact, "contacted_at": now, "outcome": outcome,
        "promised_on": contact.promised_on})
    record_event(unit, "collection.contacted", actor=actor.user, project_id=unit.project_id, data={
        "method": method, "outcome": outcome,
        "promised_on": f"{promised_on:%Y-%m-%d}" if contact.promised_on else None,
        "amount": str(owed), "note": contact.note})
    return contact
