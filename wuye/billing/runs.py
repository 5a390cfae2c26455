"""Billing runs: every unit of a project billed for a period from the tariffs in force — in bulk, in chunks, each
chunk committed with its ledger entries. A rerun (or a run resumed after a crash) bills only the units still
unbilled, so the result is always exactly one bill per unit, item and period."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from wuye.core.access import Actor, require
from wuye.core.errors import InvalidInput
from wuye.core.events import record_event
from wuye.core.money import to_money
from wuye.tenancy.models import Unit

from .models import Basis, Bill, BillingRun, ChargeItem, ChargeKind, EntryKind, LedgerEntry, Tariff

MONTHLY_KINDS = (ChargeKind.PROPERTY_FEE,)


def tariff_for(item: ChargeItem, unit_kind: str, on: date) -> Tariff | None:
    """The tariff in force on `on` for the unit type (a type-specific tariff beats the general one)."""
    tariffs = Tariff.objects.filter(item=item, effective_from__lte=on, unit_kind__in=[unit_kind, ""])
    return tariffs.order_by("-effective_from", "-unit_kind").first()


def monthly_amount(tariff: Tariff, unit: Unit):
    return to_money(tariff.rate * unit.area) if tariff.basis == Basis.PER_M2_MONTH else to_money(tariff.rate)


def run_billing(actor: Actor | None, project, period: date, *, chunk: int = 2000,
                progress: Callable[[BillingRun], None] | None = None) -> BillingRun:
    """Bill every unit of `project` for the month starting `period` (idempotent, resumable, with progress)."""
    if actor is not None:
        require(actor, "billing.charge")
    if period.day != 1:
        raise InvalidInput("period", _("A period starts on the first day of a month."))
    run, _created = BillingRun.objects.get_or_create(project=project, period=period)
    due_on = (period + timedelta(days=32)).replace(day=1) - timedelta(days=1)  # end of the billed month
    items = list(ChargeItem.objects.filter(project=project, kind__in=MONTHLY_KINDS))
    units = Unit.objects.filter(project=project).order_by("id")
    run.units_total = units.count()
    run.status = BillingRun.Status.RUNNING
    run.save(update_fields=["units_total", "status"])
    for item in items:
        tariffs = {kind: tariff_for(item, kind, period) for kind in units.values_list("kind", flat=True).distinct()}
        billed = Bill.objects.filter(unit=OuterRef("pk"), item=item, period=period)
        # Units of a type without a tariff for this item are not billed for it.
        payable = units.filter(kind__in=[kind for kind, tariff in tariffs.items() if tariff is not None])
        description = f"{item.name} {period:%Y-%m}"
        while True:
            batch = list(payable.filter(~Exists(billed))[:chunk])
            if not batch:
                break
            with transaction.atomic():
                bills = [Bill(project_id=project.pk, unit=unit, item=item, period=period, due_on=due_on, run=run,
                              amount=monthly_amount(tariffs[unit.kind], unit), description=description)
                         for unit in batch]
                Bill.objects.bulk_create(bills)
                LedgerEntry.objects.bulk_create(
                    LedgerEntry(project_id=project.pk, unit_id=bill.unit_id, kind=EntryKind.CHARGE, amount=bill.amount,
                                bill=bill, memo=bill.description) for bill in bills)
                run.bills_created += len(bills)
                run.amount_billed += sum((bill.amount for bill in bills), to_money(0))
                run.units_done = min(run.units_total, run.units_done + len(batch))
                run.save(update_fields=["bills_created", "amount_billed", "units_done"])
            if progress:
                progress(run)
    run.status, run.finished_at, run.units_done = BillingRun.Status.DONE, timezone.now(), run.units_total
    run.save(update_fields=["status", "finished_at", "units_done"])
    record_event(run, "billing.run_finished", actor=getattr(actor, "user", None),
                 data={"period": period.strftime("%Y-%m"), "bills": run.bills_created,
                       "amount": str(run.amount_billed)})
    return run
