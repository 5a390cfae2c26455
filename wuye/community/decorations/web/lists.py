"""The decoration list's filters, one home for the console list, its counts per status, the workbench cards and the
community home's figure: `decoration_filters(...)` → `filter_decorations(actor, filters, now)` → `list_url(filters)`,
so a card's count and the list its link opens are the same query.

Filters: `status` (a DecorationStatus), `building` (a building id), `q` (a unit as the desk types it, or a name of the
applicant or the decoration company), `due=inspection` (works in progress whose last inspection — or start, when
there is none — is `WUYE_DECORATION_INSPECTION_DAYS` days old or more), `refund=pending` (accepted, the deposit
refund not yet approved: none asked for, awaiting approval or rejected)."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q

from wuye.core.access import Actor, scoped
from wuye.core.links import url_or_none
from wuye.core.validators import digits
from wuye.tenancy.search import unit_search_q

from ..models import Decoration, DecorationInspection, DecorationStatus


def inspection_every_days() -> int:
    """Works in progress are inspected at least once in this many days (settings.WUYE_DECORATION_INSPECTION_DAYS)."""
    return settings.WUYE_DECORATION_INSPECTION_DAYS

SEARCH_MAX = 40
FILTERS = {"status": "", "building": None, "q": "", "due": "", "refund": ""}
DUE = ("inspection",)
REFUND = ("pending",)


def decoration_filters(**given) -> dict:
    """The list's filter dict (what the list page reads from its query string)."""
    unknown = set(given) - set(FILTERS)
    if unknown:
        raise ValueError(f"not a decoration filter: {sorted(unknown)}")
    return {**FILTERS, **given}


def filters_from(params) -> dict:
    """The filters of a query string, each checked (anything else is dropped, never an error)."""
    status = params.get("status") or ""
    building = params.get("building") or ""
    return decoration_filters(
        status=status if status in DecorationStatus.values else "",
        building=int(building) if digits(building) and len(building) < 10 else None,
        q=(params.get("q") or "").strip()[:SEARCH_MAX],
        due=params.get("due") if params.get("due") in DUE else "",
        refund=params.get("refund") if params.get("refund") in REFUND else "")


def inspection_due_q(now: datetime) -> Q:
    """Works in progress with no inspection in the last `WUYE_DECORATION_INSPECTION_DAYS` days, started at least
    that long ago."""
    since = now - timedelta(days=inspection_every_days())
    recent = DecorationInspection.objects.filter(decoration=OuterRef("pk"), inspected_at__gt=since)
    return Q(status=DecorationStatus.IN_PROGRESS, started_at__lte=since) & ~Q(Exists(recent))


def refund_pending_q() -> Q:
    """Accepted, and the deposit refund not approved yet (not asked for, awaiting approval, or rejected)."""
    return Q(status=DecorationStatus.ACCEPTED) & ~Q(refund_request__state="approved")


def _narrowed(actor: Actor, filters: dict, now: datetime):
    rows = scoped(Decoration.objects.all(), actor)
    if filters.get("building"):
        rows = rows.filter(unit__building_id=filters["building"])
    if filters.get("q"):
        q = filters["q"]
        rows = rows.filter(unit_search_q(q, "unit__") | Q(applicant_name__icontains=q) | Q(contractor__icontains=q)
                           | Q(number__iexact=q))
    if filters.get("due") == "inspection":
        rows = rows.filter(inspection_due_q(now))
    if filters.get("refund") == "pending":
        rows = rows.filter(refund_pending_q())
    return rows


def filter_decorations(actor: Actor, filters: dict, now: datetime):
    """Decorations in the actor's scope narrowed by `filters`, newest application first."""
    rows = _narrowed(actor, filters, now)
    if filters.get("status"):
        rows = rows.filter(status=filters["status"])
    return rows.order_by("-submitted_at", "-id")


def status_counts(actor: Actor, filters: dict, now: datetime) -> dict[str, int]:
    """How many of the rows the other filters leave are in each status (one query)."""
    counted = _narrowed(actor, filters, now).order_by().values("status").annotate(n=Count("pk"))
    return {row["status"]: row["n"] for row in counted}


def count_each(actor: Actor, named: dict[str, dict], now: datetime) -> dict[str, int]:
    """{name: how many rows `filter_decorations(actor, filters, now)` lists} for each named filter dict, in one query
    (the workbench counts all its decoration cards at once)."""
    if not named:
        return {}
    counted = scoped(Decoration.objects.all(), actor).aggregate(**{
        name: Count("pk", filter=Q(pk__in=filter_decorations(actor, filters, now).order_by().values("pk")))
        for name, filters in named.items()})
    return {name: counted[name] or 0 for name in named}


def list_url(filters: dict) -> str | None:
    """The list page showing exactly `filter_decorations(actor, filters, now)` (None while the page is not there)."""
    base = url_or_none("decorations:list")
    if base is None:
        return None
    query = urlencode({key: value for key, value in filters.items() if value not in ("", None, False)})
    return f"{base}?{query}" if query else base
