"""What billing puts on the workbench (wuye.web.workbench): the finance desk's collection figures, the refunds
waiting for a decision, the decider's refunds as to-dos, and billing's events in the finance feed.

Each count is the query of the list its card opens: households in arrears are the accounts list filtered to
arrears (`AccountFilterForm` over `with_account`), their amount the overdue total of the aging report
(`reports.arrears_aging`, the page at `billing:reports`), refunds and write-offs their pages filtered to "awaiting
approval". The collection worklist (`collection:worklist`) is linked when that app is installed.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wuye.core.access import Role, may_read, scoped
from wuye.core.money import format_money, to_money
from wuye.tenancy.models import Unit
from wuye.web.workbench import Card, Todo, register_cards, register_feed, register_todos, role_of

from . import refunds
from .models import Payment, RefundRequest, WriteOffRequest
from .reports import arrears_aging

FINANCE_DESK = frozenset({Role.FINANCE, Role.PROJECT_MANAGER, Role.COMPANY_ADMIN})
REFUND_DECIDERS = frozenset({Role.FINANCE, Role.PROJECT_MANAGER, Role.COMPANY_ADMIN})


def _url(name: str, query: str = "") -> str | None:
    """The page's address, None when that page is not there (an app not installed yet, e.g. the collection list)."""
    try:
        return reverse(name) + (f"?{query}" if query else "")
    except NoReverseMatch:
        return None


def arrears_households(actor, today) -> int:
    """Units with an overdue open bill: the length of the accounts list with "arrears" ticked."""
    from .web.accounts import AccountFilterForm, with_account

    form = AccountFilterForm({"arrears": "on"}, actor=actor)
    return form.filter(with_account(scoped(Unit.objects.all(), actor), today), actor).count()


def pending_refunds(actor):
    """Refund requests awaiting approval: the refunds page with state "awaiting approval"."""
    return scoped(RefundRequest.objects.filter(state=RefundRequest.State.REQUESTED), actor)


def collection_cards(actor, now: datetime) -> list[Card]:
    if not may_read(actor, "billing.accounts"):
        return []
    today = timezone.localdate(now)
    group = str(_("Collection"))
    aging = arrears_aging(actor, as_of=today)
    start = timezone.make_aware(datetime.combine(today, time.min))
    paid = scoped(Payment.objects.filter(received_at__gte=start, received_at__lt=start + timedelta(days=1)),
                  actor).aggregate(n=Count("pk"), total=Sum("amount"))
    cards = [
        Card("billing.arrears", _("Households in arrears"), arrears_households(actor, today),
             url=_url("billing:accounts", "arrears=on"), group=group),
        Card("billing.arrears_amount", _("Overdue amount"), None, url=_url("billing:reports"),
             amount=aging.totals.total, group=group, hint=_("Aging and collection rate")),
        # No list of one day's payments yet: a figure without a link.
        Card("billing.paid_today", _("Payments today"), paid["n"], amount=to_money(paid["total"] or Decimal(0)),
             group=group),
    ]
    if (worklist := _url("collection:worklist")) is not None:
        cards.append(Card("collection.worklist", _("Collection worklist"), None, url=worklist, group=group,
                          hint=_("Calls, visits and promised dates")))
    return cards


def refund_cards(actor, now: datetime) -> list[Card]:
    if not may_read(actor, "billing.refunds"):
        return []
    count = pending_refunds(actor).count()
    group = _("Awaiting approval") if role_of(actor) != Role.FINANCE else _("Collection")
    return [Card("billing.refunds", _("Refunds awaiting approval"), count,
                 url=_url("billing:refunds", f"state={RefundRequest.State.REQUESTED}"), tone="amber" if count else "",
                 group=str(group))]


def pending_write_off_requests(actor):
    """Write-off requests awaiting approval: the write-offs page with state "awaiting approval"."""
    return scoped(WriteOffRequest.objects.filter(state=WriteOffRequest.State.REQUESTED), actor)


def write_off_cards(actor, now: datetime) -> list[Card]:
    if not may_read(actor, "billing.write_offs"):
        return []
    count = pending_write_off_requests(actor).count()
    group = _("Awaiting approval") if role_of(actor) != Role.FINANCE else _("Collection")
    return [Card("billing.write_offs", _("Write-offs awaiting approval"), count,
                 url=_url("billing:write_offs", f"state={WriteOffRequest.State.REQUESTED}"),
                 tone="amber" if count else "", group=str(group))]


def write_off_todos(actor, now: datetime) -> list[Todo]:
    from .write_offs import pending_write_offs

    url = _url("billing:write_offs", f"state={WriteOffRequest.State.REQUESTED}") or ""
    return [Todo(what=str(_("Approve the write-off")), title=f"{r.bill.unit.label} {format_money(r.amount)}",
                 due_at=None, url=url, detail=r.reason) for r in pending_write_offs(actor)[:20]]


def refund_todos(actor, now: datetime) -> list[Todo]:
    if not refunds.is_decider(actor):
        return []
    waiting = pending_refunds(actor).exclude(requested_by=actor.user).select_related("payment__unit__building")
    url = _url("billing:refunds", f"state={RefundRequest.State.REQUESTED}") or ""
    return [Todo(what=str(_("Approve the refund")), title=f"{r.payment.unit.label} {format_money(r.amount)}",
                 due_at=None,
                 url=url, detail=r.reason) for r in waiting.order_by("requested_at", "id")[:20]]


def _billing_events(actor) -> Q:
    return Q(verb__startswith="billing.")


def register() -> None:
    register_cards("billing.collection", collection_cards, roles={Role.FINANCE}, order=20)
    register_cards("billing.refunds", refund_cards, roles=REFUND_DECIDERS, order=30)
    register_cards("billing.write_offs", write_off_cards, roles=REFUND_DECIDERS, order=31)
    register_todos("billing.refunds", refund_todos, roles=REFUND_DECIDERS)
    register_todos("billing.write_offs", write_off_todos, roles=REFUND_DECIDERS)
    register_feed("billing", _billing_events, roles={Role.FINANCE})
