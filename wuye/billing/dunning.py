"""Payment deadlines and the letters that follow them (§3): every bill runs a `billing.payment` clock on the SLA
engine from issue to its due date; the policy's quiet rungs at 30 and 60 days overdue make this module issue the
reminder notice (催缴通知书) and the lawyer's letter (律师函). Paying, writing off or crediting a bill stops its clock,
so nothing more is sent once the debt is settled."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wuye.core.access import Actor, Role, require
from wuye.core.events import compose_event, record_event, record_events
from wuye.core.models import NotificationKind
from wuye.core.money import format_money, to_money
from wuye.core.outbox import compose, post
from wuye.people.services import owning_residencies
from wuye.sla import engine
from wuye.tenancy.models import Unit

from . import notice_messages
from .models import OPEN, Bill, BillingNotice, ChargeItem, NoticeStage, days_overdue

PAYMENT_DEADLINE = "billing.payment"


def due_moment(due_on: date) -> datetime:
    """A bill is due until the end of its due day (local time)."""
    return timezone.make_aware(datetime.combine(due_on + timedelta(days=1), time.min))


def start_payment_deadlines(project, bills, *, at: datetime | None = None) -> int:
    """Start the payment clock of each new bill (bulk: a billing run starts one per bill)."""
    return engine.start_clocks([(bill, due_moment(bill.due_on)) for bill in bills], PAYMENT_DEADLINE,
                               project=project, at=at)


def bills_settled(bill_ids, *, at: datetime | None = None) -> int:
    """Stop the clocks of bills that are paid in full: no reminder or lawyer's letter follows."""
    return engine.stop_clocks(Bill, bill_ids, PAYMENT_DEADLINE, at=at) if bill_ids else 0


def bills_reopened(project, bills) -> int:
    """A refund made these bills owe again: their deadlines run again from the original due date."""
    return start_payment_deadlines(project, [bill for bill in bills if not bill.is_settled])


# -- notices -------------------------------------------------------------------------------------------------
# Owners have this long after a reminder notice or a lawyer's letter to pay before the next step.
GRACE = timedelta(days=7)
RUNG_STAGES = {"reminder": NoticeStage.REMINDER, "lawyer_letter": NoticeStage.LAWYER_LETTER}


def _days_overdue(due_on: date, at: datetime | date) -> int:
    """`models.days_overdue` at a moment or a local date (a notice computes its date once)."""
    return days_overdue(due_on, timezone.localdate(at) if isinstance(at, datetime) else at)


def _line(row: dict, item_names: dict[int, str], at: date) -> dict:
    """The snapshot of one bill as a notice prints it."""
    outstanding = to_money(row["amount"] - row["paid"] - row["written_off"])
    return {"bill": row["id"], "item": item_names.get(row["item_id"], ""),
            "period": row["period"].strftime("%Y-%m") if row["period"] else "",
            "description": row["description"], "amount": str(to_money(row["amount"])),
            "outstanding": str(outstanding), "due_on": row["due_on"].isoformat(),
            "days_overdue": _days_overdue(row["due_on"], at)}


def _open_rows(unit_ids) -> dict[int, list[dict]]:
    """The open bills of these units, oldest due first, as plain rows grouped by unit (one query)."""
    bills = Bill.objects.filter(unit_id__in=list(unit_ids)).filter(OPEN)
    per_unit: dict[int, list[dict]] = defaultdict(list)
    for row in bills.order_by("due_on", "id").values("id", "unit_id", "item_id", "period", "description", "amount",
                                                       "paid", "written_off", "due_on"):
        per_unit[row["unit_id"]].append(row)
    return per_unit


def _item_names(rows) -> dict[int, str]:
    return dict(ChargeItem.objects.filter(pk__in={row["item_id"] for row in rows}).values_list("pk", "name"))


def _already_issued(drafts: list[BillingNotice]) -> set[tuple]:
    """(unit, stage, day) of the drafts that are issued already (one query per stage and day, usually one)."""
    existing = set()
    for stage, issued_on in {(draft.stage, draft.issued_on) for draft in drafts}:
        already = BillingNotice.objects.filter(unit_id__in=[d.unit_id for d in drafts], stage=stage,
                                               issued_on=issued_on).values_list("unit_id", flat=True)
        existing |= {(unit_id, stage, issued_on) for unit_id in already}
    return existing


def _save_notices(drafts: list[BillingNotice]) -> list[BillingNotice]:
    """Insert the drafts that are not there yet (one per unit, stage and day) with the bills their lines list;
    returns the notices written now. A notice already issued that day — a rerun, a repeated sweep, a concurrent
    writer — stays as it was."""
    if not drafts:
        return []
    if connection.vendor == "postgresql":
        notices = _insert_unnest(drafts)
    else:
        existing = _already_issued(drafts)
        notices = _insert_orm([d for d in drafts if (d.unit_id, d.stage, d.issued_on) not in existing])
    links = [(notice.pk, bill_id) for notice in notices for bill_id in sorted({line["bill"] for line in notice.lines})]
    through = BillingNotice.bills.through
    if connection.vendor == "postgresql" and links:
        with connection.cursor() as cursor:
            cursor.execute(f"""INSERT INTO {through._meta.db_table} (billingnotice_id, bill_id)
                               SELECT * FROM unnest(%s::bigint[], %s::bigint[]) ON CONFLICT DO NOTHING""",
                           [[notice_id for notice_id, _bill in links], [bill_id for _notice, bill_id in links]])
    else:
        through.objects.bulk_create([through(billingnotice_id=notice_id, bill_id=bill_id)
                                     for notice_id, bill_id in links], batch_size=2000, ignore_conflicts=True)
    return notices


def _insert_unnest(drafts: list[BillingNotice]) -> list[BillingNotice]:
    """PostgreSQL: one INSERT … SELECT FROM jsonb_to_recordset(one JSON document) ON CONFLICT DO NOTHING RETURNING —
    rows that exist already are skipped by the unique (unit, stage, day) and only those written now come back.
    (Django's bulk_create spends ~0.3 s of Python adapting 2,000 notices with their JSON lines; this, ~0.02 s.)"""
    rows = [{"project_id": d.project_id, "unit_id": d.unit_id, "stage": d.stage, "issued_on": d.issued_on.isoformat(),
             "issued_at": d.issued_at.isoformat(), "due_on": d.due_on.isoformat() if d.due_on else None,
             "total": str(d.total), "lines": d.lines} for d in drafts]
    with connection.cursor() as cursor:
        cursor.execute(f"""
            INSERT INTO {BillingNotice._meta.db_table}
                   (project_id, unit_id, stage, issued_on, issued_at, due_on, total, lines)
            SELECT project_id, unit_id, stage, issued_on, issued_at, due_on, total, lines
            FROM jsonb_to_recordset(%s::jsonb) AS draft(project_id bigint, unit_id bigint, stage text, issued_on date,
                                                        issued_at timestamptz, due_on date, total numeric, lines jsonb)
            ON CONFLICT DO NOTHING RETURNING id, unit_id, stage, issued_on""", [json.dumps(rows, ensure_ascii=False)])
        written = {(unit_id, stage, issued_on): pk for pk, unit_id, stage, issued_on in cursor.fetchall()}
    notices = []
    for draft in drafts:
        if (pk := written.get((draft.unit_id, draft.stage, draft.issued_on))) is not None:
            draft.pk, draft._state.adding = pk, False
            notices.append(draft)
    return notices


def _insert_orm(drafts: list[BillingNotice]) -> list[BillingNotice]:
    if not drafts:
        return []
    try:
        with transaction.atomic():  # ids come back from the insert (SQLite ≥ 3.35)
            return BillingNotice.objects.bulk_create(drafts, batch_size=500)
    except IntegrityError:
        # A concurrent writer issued some of these between the check and the insert: its notices win; ours are
        # the rows that carry our issue time.
        BillingNotice.objects.bulk_create(drafts, batch_size=500, ignore_conflicts=True)
        ours = {(d.unit_id, d.stage, d.issued_on, d.issued_at): d for d in drafts}
        rows = BillingNotice.objects.filter(unit_id__in=[d.unit_id for d in drafts],
                                            stage__in={d.stage for d in drafts},
                                            issued_on__in={d.issued_on for d in drafts})
        notices = []
        for pk, *key in rows.values_list("pk", "unit_id", "stage", "issued_on", "issued_at"):
            if (draft := ours.get(tuple(key))) is not None:
                draft.pk = pk
                notices.append(draft)
        return notices


def _owner_users(unit_ids) -> dict[int, list]:
    """The portal logins of each unit's current owners and co-owners (one query)."""
    owners: dict[int, list] = defaultdict(list)
    residencies = (owning_residencies(unit_ids).filter(resident__user__is_active=True)
                   .select_related("resident__user").order_by("id"))
    for residency in residencies:
        owners[residency.unit_id].append(residency.resident.user)
    return owners


def _notify_owners(notices: list[BillingNotice], unit_labels: dict[int, str]) -> int:
    """One in-app message per notice to each owner with a portal login, linking to the notice in the portal; dated
    when the notice was issued (a notice issued for a past moment is not news); never twice for the same notice
    (`notice_messages.dedupe_key`)."""
    owners = _owner_users({notice.unit_id for notice in notices})
    messages = []
    for notice in notices:
        if not owners.get(notice.unit_id):
            continue
        messages += compose(owners[notice.unit_id], notice_messages.title(notice, unit_labels.get(notice.unit_id, "")),
                            notice_messages.body(notice), link=reverse("billing:h5_notice_pdf", args=[notice.pk]),
                            source=notice, kind=NotificationKind.BILLING, at=notice.issued_at,
                            dedupe_key=notice_messages.dedupe_key(notice))
    return len(post(messages)) if messages else 0


def _record(notices: list[BillingNotice], unit_labels: dict[int, str]) -> None:
    record_events([compose_event(notice, "billing.notice_issued", project_id=notice.project_id, data={
        "stage": notice.stage, "unit": unit_labels.get(notice.unit_id, ""), "total": str(notice.total),
        "bills": len(notice.lines), "due_on": notice.due_on.isoformat() if notice.due_on else None})
        for notice in notices])


def _unit_labels(unit_ids) -> dict[int, str]:
    # Plain rows, not model instances (a billing run's chunk labels 2,000 units): `Unit.label`'s format.
    rows = Unit.objects.filter(pk__in=list(unit_ids)).values_list("pk", "building_id", "number", "building__number")
    return {pk: f"{building_number}-{number}" if building_id else number
            for pk, building_id, number, building_number in rows}


def issue_payment_notices(run_or_project, bills, now: datetime | None = None) -> list[BillingNotice]:
    """The payment notice (缴费通知单) of each unit that got new bills: those bills and, as arrears, the unit's
    earlier open bills; due by the new bills' due date. Bulk for a billing run's chunk (a few queries whatever
    its size); a unit already noticed today gets no second notice. Owners with a portal login are told."""
    project = getattr(run_or_project, "project", run_or_project)
    now = now or timezone.now()
    new_ids = {bill.pk for bill in bills}
    if not new_ids:
        return []
    issued_on = timezone.localdate(now)
    # Read back from the database: prepaid credit may already have settled some of the new bills.
    per_unit = _open_rows({bill.unit_id for bill in bills})
    item_names = _item_names([row for rows in per_unit.values() for row in rows])
    drafts = []
    for unit_id, rows in per_unit.items():
        new_rows = [row for row in rows if row["id"] in new_ids]
        if not new_rows:
            continue  # nothing new to pay: no notice
        lines = [_line(row, item_names, issued_on) for row in rows]
        drafts.append(BillingNotice(project_id=project.pk, unit_id=unit_id, stage=NoticeStage.PAYMENT_NOTICE,
                                    issued_on=issued_on, issued_at=now, due_on=min(r["due_on"] for r in new_rows),
                                    total=sum((Decimal(line["outstanding"]) for line in lines), Decimal("0.00")),
                                    lines=lines))
    notices = _save_notices(drafts)
    if notices:
        # One event for the batch (a run's chunk issues up to 2,000): the notices themselves are the detail.
        record_event(run_or_project, "billing.notices_issued", project_id=project.pk, data={
            "stage": NoticeStage.PAYMENT_NOTICE, "issued_on": issued_on.isoformat(), "notices": len(notices),
            "bills": len(new_ids), "total": str(sum((notice.total for notice in notices), Decimal("0.00")))})
        _notify_owners(notices, _unit_labels({notice.unit_id for notice in notices}))
    return notices


def _draft(project_id: int, unit_id: int, stage: str, moment: datetime, per_unit: dict, item_names: dict):
    """An unsaved notice of `unit_id` at `stage` issued at `moment`, listing its bills overdue that day (None when
    there are none), to be paid within GRACE."""
    issued_on = timezone.localdate(moment)
    rows = [row for row in per_unit.get(unit_id, []) if row["due_on"] < issued_on]
    if not rows:
        return None
    lines = [_line(row, item_names, issued_on) for row in rows]
    return BillingNotice(project_id=project_id, unit_id=unit_id, stage=stage, issued_on=issued_on, issued_at=moment,
                         due_on=issued_on + GRACE,
                         total=sum((Decimal(line["outstanding"]) for line in lines), Decimal("0.00")), lines=lines)


@engine.on_escalation(PAYMENT_DEADLINE)
def issue_dunning_notices(steps) -> list[BillingNotice]:
    """The sweep reached a quiet rung of bills' payment deadlines: a reminder notice (催缴通知书, 30 days overdue)
    or a lawyer's letter (律师函, 60 days) per unit, stage and day, listing all the unit's open overdue bills.
    Dated at the rung's moment, not when the sweep happened to run (but never before the clock started: a bill
    re-opened by a refund is not sent a back-dated letter). Finance gets one summary per project."""
    moments: dict[tuple[int, str, date], datetime] = {}
    projects: dict[tuple[int, str, date], int] = {}
    for clock, _level, rung in steps:
        stage = RUNG_STAGES.get(rung.get("stage"))
        bill = clock.subject
        if stage is None or bill is None or bill.is_settled:
            continue
        moment = max(clock.due_at + timedelta(minutes=rung.get("after_minutes", 0)), clock.started_at)
        key = (bill.unit_id, stage, timezone.localdate(moment))
        moments[key] = max(moments.get(key, moment), moment)
        projects[key] = clock.project_id
    if not moments:
        return []
    per_unit = _open_rows({unit_id for unit_id, _stage, _day in moments})
    item_names = _item_names([row for rows in per_unit.values() for row in rows])
    drafts = []
    for (unit_id, stage, issued_on), moment in moments.items():
        draft = _draft(projects[(unit_id, stage, issued_on)], unit_id, stage, moment, per_unit, item_names)
        if draft is not None:
            drafts.append(draft)
    notices = _save_notices(drafts)
    if notices:
        labels = _unit_labels({notice.unit_id for notice in notices})
        _record(notices, labels)
        _notify_owners(notices, labels)
        _tell_finance(notices)
    return notices


def issue_reminder_notices(actor: Actor, units, *, now: datetime | None = None) -> list[BillingNotice]:
    """The desk prints reminder notices (催缴通知书) by hand, e.g. a building's to post: for each of `units` with
    overdue open bills, the same notice the sweep issues at its rung — dated today, listing those bills, to be paid
    within GRACE; a unit already sent one today keeps that one (printing again shows the same notices). Owners with
    a portal login are told. Returns today's reminder notices of those units, in the order of `units`."""
    require(actor, "billing.collect")
    now = now or timezone.now()
    issued_on = timezone.localdate(now)
    units = list(units)
    per_unit = _open_rows([unit.pk for unit in units])
    item_names = _item_names([row for rows in per_unit.values() for row in rows])
    drafts = []
    for unit in units:
        draft = _draft(unit.project_id, unit.pk, NoticeStage.REMINDER, now, per_unit, item_names)
        if draft is not None:
            drafts.append(draft)
    notices = _save_notices(drafts)
    if notices:
        labels = _unit_labels({notice.unit_id for notice in notices})
        _record(notices, labels)
        _notify_owners(notices, labels)
    order = {unit.pk: index for index, unit in enumerate(units)}
    issued = (BillingNotice.objects.filter(unit_id__in=[draft.unit_id for draft in drafts],
                                           stage=NoticeStage.REMINDER, issued_on=issued_on)
              .select_related("project__company", "unit__building"))
    return sorted(issued, key=lambda notice: order[notice.unit_id])


def _tell_finance(notices: list[BillingNotice]) -> None:
    """One message per project to its finance staff (and project managers for lawyer's letters) for the batch."""
    from wuye.people.services import staff_users

    by_project: dict[int, list[BillingNotice]] = defaultdict(list)
    for notice in notices:
        by_project[notice.project_id].append(notice)
    messages = []
    for project_id, issued in by_project.items():
        reminders = sum(1 for notice in issued if notice.stage == NoticeStage.REMINDER)
        letters = len(issued) - reminders
        recipients = staff_users(project_id, Role.FINANCE)
        if letters:
            recipients += staff_users(project_id, Role.PROJECT_MANAGER)
        owed: dict[int, Decimal] = {}  # per unit (a unit may get both letters in one batch after a pause)
        for notice in issued:
            owed[notice.unit_id] = max(owed.get(notice.unit_id, notice.total), notice.total)
        subject = _("Dunning issued — reminder notices: %(reminders)s, lawyer's letters: %(letters)s; "
                    "%(total)s overdue") % {"reminders": reminders, "letters": letters,
                                            "total": format_money(sum(owed.values(), Decimal("0.00")))}
        first = min(notice.pk for notice in issued)
        stage = NoticeStage.REMINDER if not letters else NoticeStage.LAWYER_LETTER if not reminders else ""
        messages += compose(recipients, subject, link=reverse("billing:notices") + f"?project={project_id}"
                            + (f"&stage={stage}" if stage else ""), kind=NotificationKind.BILLING,
                            dedupe_key=f"billing:dunning:{project_id}:{first}")
    post(messages)
