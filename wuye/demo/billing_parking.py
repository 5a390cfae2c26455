"""Demo of the monthly passes from the owner's side (issue 14 item 3, money side): each demo owner (yezhu, yezhu2)
holds a pass that runs out in five days, so "My parking" shows the days left and the renewal, and the daily job's
reminder is in their inbox. Idempotent: a rerun adds nothing."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from wuye.billing.models import ChargeItem, ChargeKind, ParkingPass
from wuye.billing.passes import remind_expiring_passes
from wuye.people.models import Residency

DEMO_PASSES = {"yezhu": "沪A88888", "yezhu2": "沪B66666"}
DAYS_LEFT = 5


def add_demo_billing_parking(company, now=None) -> dict:
    today = timezone.localdate(now) if now else timezone.localdate()
    created = 0
    for username, plate in DEMO_PASSES.items():
        residency = (Residency.objects.current().filter(resident__user__username=username, relation="owner",
                                                        unit__project__company=company)
                     .select_related("unit").first())
        if residency is None:
            continue
        unit = residency.unit
        item = (ChargeItem.objects.filter(project_id=unit.project_id, kind=ChargeKind.PARKING_PASS, is_active=True)
                .order_by("id").first())
        if item is None:
            continue
        _pass, made = ParkingPass.objects.get_or_create(
            project_id=unit.project_id, unit=unit, plate=plate,
            defaults={"item": item, "space": "B1-888", "starts_on": (today - timedelta(days=330)).replace(day=1),
                      "ends_on": today + timedelta(days=DAYS_LEFT)})
        created += made
    return {"passes": created, "reminders": remind_expiring_passes(today=today)}
