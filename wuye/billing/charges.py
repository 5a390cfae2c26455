"""Paid services (有偿服务) and worker-pass deposits: the charge items a process bills its work under.

A process — a repair's fee step, say — posts its own charges through `services.post_charge(..., source=record)`
and, when the money is taken on the spot, `services.pay_bills`; it reads where they stand with
`services.source_bills`. Billing knows the source only as a content type and id: it imports no process.
"""

from __future__ import annotations

from .models import ChargeItem, ChargeKind

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


WORKER_PASS_DEPOSIT_CODE = "worker-pass-deposit"
WORKER_PASS_DEPOSIT_NAME = "装修出入证押金"


def worker_pass_deposit_item(project_id: int) -> ChargeItem:
    """The project's charge item for a decoration worker pass's deposit (装修出入证押金, one-off): created once, the
    first time a pass with a deposit is issued; the gate charges it to the unit with `services.post_charge`."""
    item, _created = ChargeItem.objects.get_or_create(
        project_id=project_id, code=WORKER_PASS_DEPOSIT_CODE,
        defaults={"name": WORKER_PASS_DEPOSIT_NAME, "kind": ChargeKind.ONE_OFF})
    return item
