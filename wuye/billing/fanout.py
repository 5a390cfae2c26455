"""A billing run spread over the Celery workers: its units cut into chunks, each chunk one task.

With Celery as the engine (CELERY_BROKER_URL), `continue_runs` hands a running run to `fan_out` instead of billing
it in one process: the run's units are cut by id into chunks of WUYE_BILLING_CHUNK_UNITS (`BillingRunChunk` rows,
planned once), and each chunk is dispatched as the task `billing.bill_chunk`. Any worker takes any chunk, so two
workers bill a run about twice as fast as one (bench `billing.run.celery2.seconds`).

Exactly once, whatever the workers do: a chunk is billed in one transaction that locks its row first and marks it
done last, so a second delivery of the same chunk waits, then finds it done. A worker killed mid-chunk rolls its
transaction back and the broker hands the message to another worker (`acks_late`, `reject_on_worker_lost`), which
bills the chunk from scratch; a message lost altogether is sent again by `continue_runs` once its chunk has waited
WUYE_BILLING_CHUNK_RESEND_SECONDS. Under all of it, the database's unique constraints on bills stand guard. The chunk
that finds no other chunk pending closes the run, under the run's row lock (the one every chunk takes last to add
its counts), so exactly one chunk closes it.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from wuye.core.scheduling import dispatch, task
from wuye.tenancy.models import Unit

from .models import BillingRun, BillingRunChunk
from .runs import RunContext, _bill_chunk, count_chunk, due_date, finish_run, run_items

TASK = "billing.bill_chunk"


def plan_chunks(run: BillingRun, size: int | None = None) -> list[BillingRunChunk]:
    """The run's chunks, planned from its project's units on the first call (later calls return the plan). A run
    queued again after it finished (`start_run`) gets a fresh plan: only what is missing gets billed."""
    size = size or settings.WUYE_BILLING_CHUNK_UNITS
    chunks = list(run.chunks.order_by("number"))
    if chunks and not (all(chunk.done_at for chunk in chunks) and run.status == BillingRun.Status.RUNNING):
        return chunks  # planned: no lock on the run's row, which the chunks take to add their counts
    with transaction.atomic():
        run = BillingRun.objects.select_for_update().get(pk=run.pk)
        chunks = list(run.chunks.order_by("number"))
        if chunks and all(chunk.done_at for chunk in chunks) and run.status == BillingRun.Status.RUNNING:
            run.chunks.all().delete()  # every chunk done, yet running: queued again → plan again
            chunks = []
        if chunks:
            return chunks
        ids = list(Unit.objects.filter(project_id=run.project_id).order_by("id").values_list("id", flat=True))
        chunks = BillingRunChunk.objects.bulk_create([
            BillingRunChunk(run=run, number=number, first_unit_id=part[0], last_unit_id=part[-1], units=len(part))
            for number, part in enumerate((ids[i:i + size] for i in range(0, len(ids), size)), start=1)])
        run.units_total, run.units_done = len(ids), 0
        run.save(update_fields=["units_total", "units_done"])
        if not chunks:  # a project without units: nothing to spread
            finish_run(run)
    return chunks


def fan_out(run: BillingRun, *, now=None) -> int:
    """Send the run's chunks that are not done to the workers — those never sent, and those sent longer than
    WUYE_BILLING_CHUNK_RESEND_SECONDS ago (a lost message); returns how many were sent."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.WUYE_BILLING_CHUNK_RESEND_SECONDS)
    plan_chunks(run)
    with transaction.atomic():
        due = list(BillingRunChunk.objects.select_for_update(skip_locked=True).filter(
            run=run, done_at__isnull=True).exclude(sent_at__gt=stale).values_list("pk", flat=True))
        BillingRunChunk.objects.filter(pk__in=due).update(sent_at=now)
        for chunk_id in due:
            dispatch(TASK, chunk_id)
    return len(due)


@task(TASK)
def bill_chunk(chunk_id: int) -> int:
    """Bill one chunk of a run (a worker's task): its units' bills, skips and counts, in one transaction; closes
    the run when it was the last chunk pending. Returns the bills made (0 when the chunk was done already)."""
    with transaction.atomic():
        chunk = (BillingRunChunk.objects.select_for_update().select_related("run__project")
                 .filter(pk=chunk_id).first())
        if chunk is None or chunk.done_at is not None:
            return 0  # sent twice, or the run was planned again meanwhile
        run, now = chunk.run, timezone.now()
        units = list(Unit.objects.filter(project_id=run.project_id, pk__gte=chunk.first_unit_id,
                                         pk__lte=chunk.last_unit_id).order_by("id"))
        context = RunContext(run=run, period=run.period,
                             due_on=due_date(run.period, timezone.localdate(run.started_at), run.project))
        bills, skips = _bill_chunk(run, run_items(run.project), units, context, now)
        chunk.done_at, chunk.bills_created = now, len(bills)
        chunk.save(update_fields=["done_at", "bills_created"])
        # The run's row last and briefly: chunks bill in parallel and queue only to add their counts.
        run = BillingRun.objects.select_for_update().get(pk=run.pk)
        count_chunk(run, units, bills, skips)
        if not BillingRunChunk.objects.filter(run=run, done_at__isnull=True).exists():
            finish_run(run)
    return len(bills)
