"""Billing runs: every unit of a project billed for a period from the tariffs in force — in bulk, units in id
order, a chunk per transaction with its ledger entries and payment deadlines. A run killed midway resumes after
its last committed chunk; a rerun scans again and bills only what is missing, so the result is always exactly
one bill per unit, item (or source) and period.

What a kind of charge item bills is a *biller*: `biller(item, period, units, context) -> [Charge]` for a chunk of
units. `BILLERS` maps each periodic `ChargeKind` to its biller; one-off charges go through `post_charge`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from wuye.core.access import Actor, require
from wuye.core.bulk import insert_rows
from wuye.core.events import record_event
from wuye.core.money import to_money
from wuye.tenancy.models import Unit

from . import dunning
from .models import Basis, Bill, BillingRun, ChargeItem, ChargeKind, EntryKind, LedgerEntry, Tariff
from .periods import check_period, period_end

logger = logging.getLogger(__name__)

# The payment notice goes out when bills are issued and must reach owners at least this long before they are due.
NOTICE_LEAD = timedelta(days=15)


@dataclass
class Charge:
    """One bill a biller asks for: a unit, an amount and, for per-source bills, the record it comes from."""

    unit_id: int
    amount: Decimal
    description: str
    source: object | None = None


@dataclass
class RunContext:
    """What billers of one run share: the run, its period and due date, and a cache for per-run lookups."""

    run: BillingRun
    period: date
    due_on: date
    cache: dict = field(default_factory=dict)

    def tariff(self, item: ChargeItem, unit_kind: str) -> Tariff | None:
        """The item's tariff in force for the run's period and the unit type, looked up once per run."""
        tariffs = self.cache.setdefault(("tariffs", item.pk), {})
        if unit_kind not in tariffs:
            tariffs[unit_kind] = tariff_for(item, unit_kind, self.period)
        return tariffs[unit_kind]


def due_date(period: date, today: date) -> date:
    """Bills of a period are due at its end, and never sooner than `NOTICE_LEAD` after they are issued."""
    return max(period_end(period), today + NOTICE_LEAD)


def tariff_for(item: ChargeItem, unit_kind: str, on: date) -> Tariff | None:
    """The tariff in force on `on` for the unit type (a type-specific tariff beats the general one)."""
    tariffs = Tariff.objects.filter(item=item, effective_from__lte=on, unit_kind__in=[unit_kind, ""])
    return tariffs.order_by("-effective_from", "-unit_kind").first()


def monthly_amount(tariff: Tariff, unit: Unit) -> Decimal:
    return to_money(tariff.rate * unit.area) if tariff.basis == Basis.PER_M2_MONTH else to_money(tariff.rate)


def property_fee_charges(item: ChargeItem, period: date, units: list[Unit], context: RunContext) -> list[Charge]:
    """Property fee: rate × floor area (or a flat rate) per month, by unit type; types without a tariff are free."""
    description = f"{item.name} {period:%Y-%m}"
    charges = []
    for unit in units:
        tariff = context.tariff(item, unit.kind)
        if tariff is not None and (amount := monthly_amount(tariff, unit)) > 0:
            charges.append(Charge(unit.pk, amount, description))
    return charges


Biller = Callable[[ChargeItem, date, list, RunContext], list[Charge]]
BILLERS: dict[str, Biller] = {ChargeKind.PROPERTY_FEE: property_fee_charges}


def register_biller(kind: str):
    """Decorator: the biller of a periodic charge kind (parking passes, metered and shared utilities)."""

    def register(biller: Biller) -> Biller:
        BILLERS[kind] = biller
        return biller

    return register


def _already_billed(items, period: date, unit_ids: list[int]) -> set[tuple]:
    """(unit, item, source type, source id) of the bills this chunk already has (a resumed or repeated run)."""
    rows = Bill.objects.filter(unit_id__in=unit_ids, period=period, item__in=items).values_list(
        "unit_id", "item_id", "source_type_id", "source_id")
    return set(rows)


def _bill_chunk(run: BillingRun, items, units: list[Unit], context: RunContext, now) -> list[Bill]:
    unit_ids = [unit.pk for unit in units]
    existing = _already_billed(items, run.period, unit_ids)
    bills = []
    for item in items:
        for charge in BILLERS[item.kind](item, run.period, units, context):
            source_type = ContentType.objects.get_for_model(charge.source) if charge.source is not None else None
            source_id = charge.source.pk if charge.source is not None else None
            if (charge.unit_id, item.pk, getattr(source_type, "pk", None), source_id) in existing:
                continue
            bills.append(Bill(project_id=run.project_id, unit_id=charge.unit_id, item=item, period=run.period,
                              amount=charge.amount, due_on=context.due_on, run=run, issued_at=now,
                              description=charge.description[:200], source_type=source_type, source_id=source_id))
    if not bills:
        return bills
    # Units that had prepaid credit before this run's charges: it settles the new bills right away.
    credit_units = [row["unit_id"] for row in LedgerEntry.objects.filter(unit_id__in={b.unit_id for b in bills})
                    .values("unit_id").annotate(total=Sum("amount")).filter(total__lt=0)]
    Bill.objects.bulk_create(bills, batch_size=2000)
    insert_rows(LedgerEntry, ({"project_id": run.project_id, "unit_id": bill.unit_id, "kind": EntryKind.CHARGE,
                               "amount": bill.amount, "bill_id": bill.pk, "memo": bill.description, "created_at": now}
                              for bill in bills))
    dunning.start_payment_deadlines(run.project, bills, at=now)
    if credit_units:
        from .services import apply_credit  # services imports runs' neighbours; keep the import local

        for unit in Unit.objects.filter(pk__in=credit_units):
            apply_credit(unit, now=now)
    # After the credit: the payment notices list only what is still to pay.
    dunning.issue_payment_notices(run, bills, now)
    return bills


def _add_to_summary(run: BillingRun, bills: list[Bill]) -> None:
    for bill in bills:
        line = run.summary.setdefault(bill.item.code, {"name": bill.item.name, "bills": 0, "amount": "0.00"})
        line["bills"] += 1
        line["amount"] = str(to_money(Decimal(line["amount"]) + bill.amount))


def _claim(run: BillingRun) -> bool:
    """Lock the run's row for this chunk's transaction if it is still running where this runner left it.

    A runner whose chunk is in flight holds the row: the lock waits for it (PostgreSQL re-reads the row once it
    is free; SQLite's IMMEDIATE transactions serialise writers). A cursor moved on meanwhile means another runner
    billed: this one leaves the run to it, so two runners never bill the same run at once.
    """
    claimed = BillingRun.objects.select_for_update().filter(
        pk=run.pk, status=BillingRun.Status.RUNNING, last_unit_id=run.last_unit_id)
    return bool(list(claimed.values_list("pk", flat=True)[:1]))


def run_billing(actor: Actor | None, project, period: date, *, chunk: int = 2000,
                progress: Callable[[BillingRun], None] | None = None, now=None) -> BillingRun:
    """Bill every unit of `project` for the month starting `period` (idempotent, resumable, with progress).

    Synchronous: the background job (`continue_runs`) calls it for every running run; tests and the benchmark
    call it directly. Returns the run — still running when another runner took it over midway.
    """
    if actor is not None:
        require(actor, "billing.charge")
    check_period(period)
    now = now or timezone.now()
    run, created = BillingRun.objects.get_or_create(
        project=project, period=period, defaults={"started_by": getattr(actor, "user", None)})
    fields = ["units_total", "status"]
    if not created and run.status == BillingRun.Status.DONE:
        # A rerun of a finished period: scan every unit again; only what is missing gets billed.
        run.last_unit_id, run.units_done, run.finished_at = 0, 0, None
        fields += ["last_unit_id", "units_done", "finished_at"]
    items = list(ChargeItem.objects.filter(project=project, is_active=True, kind__in=list(BILLERS)))
    units = Unit.objects.filter(project=project).order_by("id")
    run.units_total = units.count()
    run.status = BillingRun.Status.RUNNING
    run.save(update_fields=fields)  # never the cursor of a running run: another runner may be moving it
    context = RunContext(run=run, period=period, due_on=due_date(period, timezone.localdate(now)))
    while True:
        with transaction.atomic():
            if not _claim(run):
                return run
            batch = list(units.filter(Q(pk__gt=run.last_unit_id))[:chunk])
            if not batch:
                run.status, run.finished_at, run.units_done = BillingRun.Status.DONE, timezone.now(), run.units_total
                run.save(update_fields=["status", "finished_at", "units_done"])
                record_event(run, "billing.run_finished", actor=getattr(actor, "user", None),
                             data={"period": period.strftime("%Y-%m"), "bills": run.bills_created,
                                   "amount": str(run.amount_billed)})
                return run
            bills = _bill_chunk(run, items, batch, context, now)
            run.bills_created += len(bills)
            run.amount_billed += sum((bill.amount for bill in bills), to_money(0))
            _add_to_summary(run, bills)
            run.units_done = min(run.units_total, run.units_done + len(batch))
            run.last_unit_id = batch[-1].pk
            run.save(update_fields=["bills_created", "amount_billed", "summary", "units_done", "last_unit_id"])
        if progress:
            progress(run)


def run_summary(run: BillingRun) -> list[dict]:
    """What the run billed per charge item, by item code: `{code, name, bills, amount}`."""
    return [{"code": code, "name": line["name"], "bills": line["bills"], "amount": Decimal(line["amount"])}
            for code, line in sorted(run.summary.items())]


def run_percent(run: BillingRun) -> int:
    """How far a run is, 0–100 (a finished run is 100 even for a project without units)."""
    if run.status == BillingRun.Status.DONE:
        return 100
    return min(99, run.units_done * 100 // run.units_total) if run.units_total else 0


def start_run(actor: Actor, project, period: date) -> BillingRun:
    """Queue the billing of `project` for `period` and return at once; the `billing.continue_billing_runs` job
    bills it in the background. A finished period is queued again (only what is missing gets billed); a running
    one is returned as it is."""
    require(actor, "billing.charge")
    check_period(period)
    with transaction.atomic():
        run, created = BillingRun.objects.select_for_update().get_or_create(
            project=project, period=period, defaults={"started_by": actor.user})
        if not created and run.status == BillingRun.Status.RUNNING:
            return run
        if not created:
            run.status, run.last_unit_id, run.units_done, run.finished_at = BillingRun.Status.RUNNING, 0, 0, None
            run.started_at, run.started_by = timezone.now(), actor.user
        run.units_total = Unit.objects.filter(project=project).count()
        run.save()
        record_event(run, "billing.run_started", actor=actor.user, data={"period": period.strftime("%Y-%m")})
    return run


def continue_runs(*, chunk: int = 2000) -> list[BillingRun]:
    """Bill on every running run — queued by `start_run`, or left midway by a process that died (it resumes
    after its last committed chunk). One failing run is logged and does not hold up the others."""
    runs = []
    for run in BillingRun.objects.filter(status=BillingRun.Status.RUNNING).select_related("project").order_by("id"):
        try:
            runs.append(run_billing(None, run.project, run.period, chunk=chunk))
        except Exception:
            logger.exception("Billing run %s (%s) failed; the next job run resumes it", run.pk, run)
    return runs
