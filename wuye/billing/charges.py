"""Paid services from work orders: a repair's charge lines, once settled with the owner, become bills.

Work orders know nothing of billing: they stamp `ChargeLine.settled_at`; `bill_charge_lines` (a periodic job)
posts each settled, unbilled line as one bill through `services.post_charge(..., source=line)` and stamps
`billed_at`. The unique per-source constraint makes a rerun, or two jobs at once, bill a line at most once.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from wuye.core.errors import Conflict
from wuye.core.events import record_event
from wuye.workorders.models import ChargeLine

from . import services
from .models import Bill, ChargeItem, ChargeKind
from .runs import NOTICE_LEAD

logger = logging.getLogger(__name__)

PAID_SERVICE_CODE = "paid-service"
# Stored item names are the project's own words (Chinese), like the price list's — not UI text.
PAID_SERVICE_NAME = "有偿服务"


def paid_service_item(project_id: int) -> ChargeItem:
    """The project's paid-service charge item (its first active one; created once when it has none)."""
    item = (ChargeItem.objects.filter(project_id=project_id, kind=ChargeKind.PAID_SERVICE, is_active=True)
            .order_by("id").first())
    if item is None:
        item, _created = ChargeItem.objects.get_or_create(
            project_id=project_id, code=PAID_SERVICE_CODE,
            defaults={"name": PAID_SERVICE_NAME, "kind": ChargeKind.PAID_SERVICE})
    return item


def bill_charge_lines(now=None) -> list[Bill]:
    """Post every settled, not yet billed charge line of a repair as a bill on the repair's unit, due no sooner
    than the notice lead (15 days); stamp `billed_at`. Returns the bills posted. Lines of tickets without a unit
    (public areas) have nobody to bill: skipped and logged."""
    now = now or timezone.now()
    due_on = timezone.localdate(now) + NOTICE_LEAD
    pending = ChargeLine.objects.filter(settled_at__isnull=False, billed_at__isnull=True, amount__gt=0)
    unitless = pending.filter(ticket__unit__isnull=True).count()
    if unitless:
        logger.warning("%d settled charge line(s) belong to tickets without a unit and cannot be billed", unitless)
    items: dict[int, ChargeItem] = {}
    bills = []
    for line in pending.filter(ticket__unit__isnull=False).select_related("ticket__unit").order_by("id"):
        ticket = line.ticket
        with transaction.atomic():
            # Another job runner may have billed it since the query: only the one holding the row goes on.
            if not ChargeLine.objects.select_for_update().filter(pk=line.pk, billed_at__isnull=True).exists():
                continue
            if ticket.project_id not in items:
                items[ticket.project_id] = paid_service_item(ticket.project_id)
            description = f"{ticket.number} {line.description} × {line.quantity.normalize():f}"
            try:
                bill = services.post_charge(None, ticket.unit, items[ticket.project_id], line.amount, due_on=due_on,
                                            source=line, description=description)
            except Conflict:
                bill = None  # billed before billed_at was stamped (a crash in between): just stamp it now
            ChargeLine.objects.filter(pk=line.pk).update(billed_at=now)
            if bill is not None:
                bills.append(bill)
                record_event(ticket, "billing.service_billed", data={
                    "bill": bill.pk, "description": line.description, "amount": str(line.amount)})
    return bills
