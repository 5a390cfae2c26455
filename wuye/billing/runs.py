"""Billing runs: every unit of a project billed for a period from the tariffs in force — in bulk, units in id
order, a chunk per transaction with its ledger entries and payment deadlines. A run killed midway resumes after
its last committed chunk; a rerun scans again and bills only what is missing, so the result is always exactly
one bill per unit, item (or source) and period.

What a kind of charge item bills is a *biller*: `biller(item, period, units, context) -> [Charge]` for a chunk of
units. `BILLERS` maps each periodic `ChargeKind` to its biller; one-off charges go through `post_charge`. A biller
that must leave a charge out (a meter reading held for review) says why with `context.skip(...)`.

One unit never holds up the others: a chunk is written in a savepoint; if it fails, its units are billed one by one,
each in its own savepoint, and a unit that still fails is recorded on the run (`BillingRunSkip`) and skipped. The
run finishes; its page lists what was skipped and why, and a rerun of the month bills what is then billable.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from wuye.core.access import Actor, require
from wuye.core.bulk import insert_instances, insert_rows
from wuye.core.events import record_event
from wuye.core.money import to_money
from wuye.tenancy.models import Unit
from wuye.tenancy.rules import rules_for

from . import dunning
from .models import Basis, Bill, BillingRun, BillingRunSkip, ChargeItem, ChargeKind, EntryKind, LedgerEntry, Tariff
from .periods import check_period, period_end

logger = logging.getLogger(__name__)

# The largest amount a bill's column holds (MoneyField: 14 digits, 2 decimals).
MAX_BILL_AMOUNT = Decimal("999999999999.99")


@dataclass
class Charge:
    """One bill a biller asks for: a unit, an amount and, for per-source bills, the record it comes from."""

    unit_id: int
    amount: Decimal
    description: str
    source: object | None = None


@dataclass
class Skip:
    """A unit (or one of its charges) left unbilled by a run, and why — a sentence for the run page."""

    unit_id: int | None
    item_id: int | None
    reason: str
    message: str


class UnitFailure(Exception):
    """A unit that cannot be billed as computed (e.g. an amount no bill can hold): the message says why."""


@dataclass
class RunContext:
    """What billers of one run share: the run, its period and due date, a cache for per-run lookups, and the
    charges the billers left out of the chunk being billed (`skip`)."""

    run: BillingRun
    period: date
    due_on: date
    cache: dict = field(default_factory=dict)
    skips: list[Skip] = field(default_factory=list)

    def skip(self, unit_id: int, item: ChargeItem | None, reason: str, message: str) -> None:
        """Leave a unit's charge of `item` out of this run, with the reason shown on the run page."""
        self.skips.append(Skip(unit_id, getattr(item, "pk", None), reason, str(message)[:500]))

    def tariff(self, item: ChargeItem, unit_kind: str) -> Tariff | None:
        """The item's tariff in force for the run's period and the unit type, looked up once per run."""
        tariffs = self.cache.setdefault(("tariffs", item.pk), {})
        if unit_kind not in tariffs:
            tariffs[unit_kind] = tariff_for(item, unit_kind, self.period)
        return tariffs[unit_kind]


def notice_lead(project) -> timedelta:
    """How long before they are due bills must be announced: the payment notice goes out when they are issued
    (the project's rule `notice_lead_days`, 15 days by default — SPEC §3)."""
    return rules_for(project).notice_lead


def due_date(period: date, today: date, project) -> date:
    """Bills of a period are due at its end, and never sooner than the project's notice lead after issue."""
    return max(period_end(period), today + notice_lead(project))


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


def _bill_units(run: BillingRun, items, units: list[Unit], context: RunContext, now) -> list[Bill]:
    unit_ids = [unit.pk for unit in units]
    existing = _already_billed(items, run.period, unit_ids)
    # A unit's month of an item billed by a process (a move-in's prepaid property fee, posted with its source) is
    # billed: the run's own charge of that item and month, which has no source, is not billed again.
    billed_month = {(unit_id, item_id) for unit_id, item_id, _type, _id in existing}
    bills = []
    for item in items:
        for charge in BILLERS[item.kind](item, run.period, units, context):
            source_type = ContentType.objects.get_for_model(charge.source) if charge.source is not None else None
            source_id = charge.source.pk if charge.source is not None else None
            if (charge.unit_id, item.pk, getattr(source_type, "pk", None), source_id) in existing:
                continue
            if charge.source is None and (charge.unit_id, item.pk) in billed_month:
                continue
            if not 0 < charge.amount <= MAX_BILL_AMOUNT:
                raise UnitFailure(_("%(item)s came to %(amount)s, which no bill can hold; check the meter readings "
                                    "and the tariff.") % {"item": item.name, "amount": charge.amount})
            bills.append(Bill(project_id=run.project_id, unit_id=charge.unit_id, item=item, period=run.period,
                              amount=charge.amount, due_on=context.due_on, run=run, issued_at=now,
                              description=charge.description[:200], source_type=source_type, source_id=source_id))
    if not bills:
        return bills
    # Units that had prepaid credit before this run's charges: it settles the new bills right away.
    credit_units = [row["unit_id"] for row in LedgerEntry.objects.filter(unit_id__in={b.unit_id for b in bills})
                    .values("unit_id").annotate(total=Sum("amount")).filter(total__lt=0)]
    _insert_bills(bills)
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


def _insert_bills(bills: list[Bill]) -> None:
    """Insert a chunk's bills in one statement (`core.bulk.insert_instances`) and set their ids, matched back by
    each row's key (unit, item, source)."""
    key = ("unit", "item", "source_type", "source_id")
    rows = insert_instances(Bill, bills, returning=("id", *key))
    ids = {tuple(row[1:]): row[0] for row in rows}
    for bill in bills:
        bill.pk = ids[(bill.unit_id, bill.item_id, bill.source_type_id, bill.source_id)]
        bill._state.adding = False


def _failure_message(error: Exception) -> str:
    if isinstance(error, UnitFailure):
        reason = str(error)
    else:
        detail = (str(error).strip().splitlines() or [type(error).__name__])[0][:200]
        reason = _("an unexpected error (%(detail)s)") % {"detail": detail}
    return _("This unit was not billed: %(reason)s The other units were billed; run the month again once the "
             "cause is put right.") % {"reason": reason if reason.endswith((".", "。", ")")) else reason + "."}


def _bill_chunk(run: BillingRun, items, units: list[Unit], context: RunContext, now) -> tuple[list[Bill],
                                                                                              list[Skip]]:
    """Bill a chunk of units: all at once in a savepoint, or — when that fails — unit by unit, each in its own
    savepoint, so that a unit that fails is recorded and skipped and the others are billed."""
    context.skips = []
    try:
        with transaction.atomic():
            bills = _bill_units(run, items, units, context, now)
        return bills, context.skips
    except (OperationalError, InterfaceError):
        raise  # the database itself (a lost connection, a lock timeout): the job retries the chunk as a whole
    except Exception:  # whatever one unit's data does, the chunk's other units are billed
        logger.warning("Billing run %s: a chunk failed; billing its %s units one by one", run.pk, len(units),
                       exc_info=True)
    bills, skips = [], []
    for unit in units:
        context.skips = []
        try:
            with transaction.atomic():
                bills += _bill_units(run, items, [unit], context, now)
            skips += context.skips
        except (OperationalError, InterfaceError):
            raise
        except Exception as error:
            if not isinstance(error, UnitFailure):
                logger.exception("Billing run %s: unit %s failed and was skipped", run.pk, unit.pk)
            skips.append(Skip(unit.pk, None, BillingRunSkip.Reason.FAILED, _failure_message(error)[:500]))
    return bills, skips


def _record_skips(run: BillingRun, units: list[Unit], skips: list[Skip]) -> None:
    """The chunk's skip records replace those of its units from an earlier pass (a rerun that bills a unit
    clears it from the list)."""
    BillingRunSkip.objects.filter(run=run, unit_id__in=[unit.pk for unit in units]).delete()
    BillingRunSkip.objects.bulk_create([BillingRunSkip(run=run, unit_id=skip.unit_id, item_id=skip.item_id,
                                                       reason=skip.reason, message=skip.message) for skip in skips])


def _add_to_summary(run: BillingRun, bills: list[Bill]) -> None:
    for bill in bills:
        line = run.summary.setdefault(bill.item.code, {"name": bill.item.name, "bills": 0, "amount": "0.00"})
        line["bills"] += 1
        line["amount"] = str(to_money(Decimal(line["amount"]) + bill.amount))


def run_items(project) -> list[ChargeItem]:
    """The charge items a run bills: the project's active items of a kind that has a biller."""
    return list(ChargeItem.objects.filter(project=project, is_active=True, kind__in=list(BILLERS)))


def count_chunk(run: BillingRun, units: list[Unit], bills: list[Bill], skips: list[Skip], actor=None, *,
                fields=()) -> None:
    """Put a billed chunk on the run's record (its skips, counts, summary and a `billing.run_chunk` event), in the
    chunk's transaction with the run's row locked. The same for a chunk billed in order and one billed by a
    worker (`billing.fanout`)."""
    _record_skips(run, units, skips)
    amount = sum((bill.amount for bill in bills), to_money(0))
    run.bills_created += len(bills)
    run.amount_billed += amount
    _add_to_summary(run, bills)
    run.units_done = min(run.units_total, run.units_done + len(units))
    run.save(update_fields=["bills_created", "amount_billed", "summary", "units_done", *fields])
    # Every chunk's commit is on record with its counts (a bulk path writes its event too).
    record_event(run, "billing.run_chunk", actor=getattr(actor, "user", None), data={
        "period": run.period.strftime("%Y-%m"), "units": len(units), "bills": len(bills),
        "skipped": len({skip.unit_id for skip in skips}), "amount": str(amount)})


def finish_run(run: BillingRun, actor=None) -> None:
    """Close a run whose every unit has been billed (or skipped, with the reason on record)."""
    run.status, run.finished_at, run.units_done = BillingRun.Status.DONE, timezone.now(), run.units_total
    run.save(update_fields=["status", "finished_at", "units_done"])
    record_event(run, "billing.run_finished", actor=getattr(actor, "user", None),
                 data={"period": run.period.strftime("%Y-%m"), "bills": run.bills_created,
                       "amount": str(run.amount_billed), "skipped": run.skips.values("unit_id").distinct().count()})


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
    items = run_items(project)
    units = Unit.objects.filter(project=project).order_by("id")
    run.units_total = units.count()
    run.status = BillingRun.Status.RUNNING
    run.save(update_fields=fields)  # never the cursor of a running run: another runner may be moving it
    context = RunContext(run=run, period=period, due_on=due_date(period, timezone.localdate(now), project))
    while True:
        with transaction.atomic():
            if not _claim(run):
                return run
            batch = list(units.filter(Q(pk__gt=run.last_unit_id))[:chunk])
            if not batch:
                finish_run(run, actor)
                return run
            bills, skips = _bill_chunk(run, items, batch, context, now)
            run.last_unit_id = batch[-1].pk
            count_chunk(run, batch, bills, skips, actor, fields=["last_unit_id"])
        if progress:
            progress(run)


def run_summary(run: BillingRun) -> list[dict]:
    """What the run billed per charge item, by item code: `{code, name, bills, amount}`."""
    return [{"code": code, "name": line["name"], "bills": line["bills"], "amount": Decimal(line["amount"])}
            for code, line in sorted(run.summary.items())]


def run_skips(run: BillingRun) -> list[dict]:
    """What the run left unbilled, one line per reason: `{reason, message, units: [{id, label}], count}` — a held
    reading reads as its meter and date, a failure as what went wrong (units in id order)."""
    lines = {}
    for skip in run.skips.select_related("unit__building", "item").order_by("unit_id", "id"):
        line = lines.setdefault((skip.reason, skip.message), {
            "reason": skip.reason, "reason_label": skip.get_reason_display(), "message": skip.message,
            "item": skip.item.name if skip.item_id else "", "units": [], "unit_ids": []})
        if skip.unit_id and skip.unit_id not in line["unit_ids"]:
            line["unit_ids"].append(skip.unit_id)
            line["units"].append({"id": skip.unit_id, "label": skip.unit.label})
    for line in lines.values():
        line["count"] = len(line["unit_ids"])
    return list(lines.values())


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
    after its last committed chunk); with Celery as the engine, send its chunks to the workers instead
    (`billing.fanout`). One failing run is logged and does not hold up the others."""
    from wuye.core.scheduling import CELERY, expected_engine

    from .fanout import fan_out  # it builds on this module

    spread = expected_engine() == CELERY  # chunks as tasks over the workers (billing.fanout)
    runs = []
    for run in BillingRun.objects.filter(status=BillingRun.Status.RUNNING).select_related("project").order_by("id"):
        try:
            if spread:
                fan_out(run)
                runs.append(run)
                continue
            runs.append(run_billing(None, run.project, run.period, chunk=chunk))
        except Exception:
            logger.exception("Billing run %s (%s) failed; the next job run resumes it", run.pk, run)
    return runs
