"""The collection worklist (催缴清单): households with overdue bills, what they owe, how long, and where the desk
stands with them — one grouped query over billing's open overdue bills (the partial index `bill_open_due`),
joined to each unit's follow-up row (one per unit, so sums are not multiplied), sorted, filtered and paged in the
database. The page's names, owners and contacts come after in three lookups for the page's rows only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import Count, DecimalField, Exists, F, Max, Min, OuterRef, Sum, Value
from django.db.models.functions import Coalesce, Length

from wuye.billing.models import OPEN, Bill, Payment, days_overdue
from wuye.billing.reports import BUCKETS, OUTSTANDING
from wuye.core.access import Actor, scoped
from wuye.core.money import to_money
from wuye.people.services import owning_residencies
from wuye.tenancy.models import Unit

from . import rules
from .models import ContactLog, Outcome

_MONEY = DecimalField(max_digits=14, decimal_places=2)
FOLLOW_UP = "unit__collection_followup__"
SORTS = ("amount", "age", "building", "contact")
VIEWS = ("promised_today", "broken")


def bucket_due_range(key: str, today: date) -> tuple[date | None, date]:
    """The due dates of bills in aging bucket `key` on `today` (billing.reports.BUCKETS: days overdue =
    today − due date), as (earliest or None, latest)."""
    for bucket, _label, fewest, most in BUCKETS:
        if bucket == key:
            return (today - timedelta(days=most) if most is not None else None, today - timedelta(days=fewest))
    raise KeyError(key)


def bucket_of(days: int) -> str:
    """The label of the aging bucket a household `days` overdue is in ("31-60")."""
    for _key, label, fewest, most in BUCKETS:
        if days >= fewest and (most is None or days <= most):
            return label
    return ""


def households(actor: Actor | None, *, today: date, project=None, building=None, bucket: str = "",
               min_amount: Decimal | None = None, view: str = "", sort: str = "amount"):
    """The grouped rows (dicts: unit_id, owed, oldest_due, bills, last_contact_id, last_contacted_at) of the
    households in arrears on `today` that `actor` sees (None: all — jobs), filtered and sorted; not yet run.

    view "promised_today": the latest contact is a promise to pay dated today; "broken": the latest contact is a
    promise dated `rules.broken_after_days()` or more days ago and nothing was paid since it.
    """
    bills = Bill.objects.filter(OPEN, due_on__lt=today)
    if actor is not None:
        bills = scoped(bills, actor)
    if project is not None:
        bills = bills.filter(project=project)
    if building is not None:
        bills = bills.filter(unit__building=building)
    if view == "promised_today":
        bills = bills.filter(**{f"{FOLLOW_UP}outcome": Outcome.PROMISED, f"{FOLLOW_UP}promised_on": today})
    elif view == "broken":
        paid_since = Payment.objects.filter(unit_id=OuterRef("unit_id"),
                                            received_at__gte=OuterRef(f"{FOLLOW_UP}contacted_at"))
        bills = bills.filter(**{f"{FOLLOW_UP}outcome": Outcome.PROMISED,
                                f"{FOLLOW_UP}promised_on__lte": rules.broken_if_promised_by(today)}
                             ).filter(~Exists(paid_since))
    rows = bills.values("unit_id").annotate(
        owed=Coalesce(Sum(OUTSTANDING), Value(Decimal("0.00")), output_field=_MONEY),
        oldest_due=Min("due_on"),
        bills=Count("id"),
        # One follow-up row per unit: Max just carries its value through the grouping.
        last_contact_id=Max(f"{FOLLOW_UP}last_contact_id"),
        last_contacted_at=Max(f"{FOLLOW_UP}contacted_at"),
    )
    if min_amount is not None:
        rows = rows.filter(owed__gte=min_amount)
    if bucket:
        earliest, latest = bucket_due_range(bucket, today)
        rows = rows.filter(oldest_due__lte=latest)
        if earliest is not None:
            rows = rows.filter(oldest_due__gte=earliest)
    if sort == "age":
        order = ["oldest_due", "-owed"]
    elif sort == "building":
        # 2号楼 before 10号楼: shorter numbers first, then as text; then the unit as units are listed.
        rows = rows.annotate(building_number=Max("unit__building__number"), entrance=Max("unit__entrance"),
                             floor=Max("unit__floor"), unit_number=Max("unit__number"))
        order = [Length("building_number"), "building_number", "entrance", "floor", Length("unit_number"),
                 "unit_number"]
    elif sort == "contact":
        order = [F("last_contacted_at").asc(nulls_first=True), "-owed"]  # never or longest ago first
    else:
        order = ["-owed"]
    return rows.order_by(*order, "unit_id")


def summary(rows) -> dict:
    """How many households are listed and what they owe overdue in all: one query over the grouped rows (its count
    is also the page's, so the list is aggregated twice per page, not three times)."""
    sql, params = rows.order_by().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*), SUM(grouped.owed) FROM ({sql}) grouped", params)
        households, owed = cursor.fetchone()
    if isinstance(owed, float):  # SQLite sums decimals as floats; its text is the sum to fen
        owed = str(owed)
    return {"households": households or 0, "owed": to_money(owed or 0)}


@dataclass
class Household:
    unit: Unit
    owed: Decimal
    oldest_due: date
    days: int
    bucket: str
    bills: int
    owner_name: str
    owner_phone: str  # masked
    last_contact: ContactLog | None

    @property
    def promised_on(self) -> date | None:
        contact = self.last_contact
        return contact.promised_on if contact and contact.outcome == Outcome.PROMISED else None


def page_households(actor: Actor | None, rows, today: date) -> list[Household]:
    """The page's grouped rows with their units, first owners and latest contacts (three queries for the page)."""
    rows = list(rows)
    unit_ids = [row["unit_id"] for row in rows]
    units = Unit.objects.with_places().in_bulk(unit_ids)
    residencies = owning_residencies(unit_ids)
    if actor is not None:
        residencies = scoped(residencies, actor)
    owners = {}
    for residency in residencies:
        owners.setdefault(residency.unit_id, residency.resident)
    contacts = (ContactLog.objects.select_related("logged_by")
                .in_bulk([row["last_contact_id"] for row in rows if row["last_contact_id"]]))
    result = []
    for row in rows:
        owner = owners.get(row["unit_id"])
        days = days_overdue(row["oldest_due"], today)
        result.append(Household(
            unit=units[row["unit_id"]], owed=to_money(row["owed"]), oldest_due=row["oldest_due"], days=days,
            bucket=bucket_of(days), bills=row["bills"], owner_name=owner.name if owner else "",
            owner_phone=owner.masked_phone if owner else "", last_contact=contacts.get(row["last_contact_id"])))
    return result
