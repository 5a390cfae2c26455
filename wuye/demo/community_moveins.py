"""The move-in part of the demo (入伙, issue 15): for every project of the company, a batch of the owner login's
building under way through the real services — notified ten days ago, open for booking, from two days ago to three
days ahead — with homes at every step: one completed with its return visit, one waiting for its return visit, one
with keys handed over, one inspected with an issue sent to engineering, one with its identity checked, and the
owner login's own home booked in the portal. Idempotent: a project with a batch already is left alone."""

from __future__ import annotations

import base64
import io
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from wuye.community.moveins import services
from wuye.community.moveins.models import MoveInBatch
from wuye.core.access import Role
from wuye.demo.builders import demo_projects
from wuye.people.access import actor_for
from wuye.people.models import OWNING_RELATIONS, Residency, StaffProfile
from wuye.tenancy.models import UnitKind

CHECKLIST = (
    {"room": "客厅", "item": "墙面", "ok": True, "note": ""},
    {"room": "厨房", "item": "给排水", "ok": True, "note": ""},
    {"room": "卫生间", "item": "防水", "ok": True, "note": ""},
    {"room": "主卧", "item": "门窗", "ok": True, "note": ""},
)
ISSUE = {"room": "主卧", "item": "门窗", "ok": False, "note": "窗扇关闭不严，密封条脱落"}
NAMES = ("陈建国", "刘芳", "张伟", "王秀英", "李强")
STEPS = ("completed", "return_visit", "keys", "inspected", "identity")


def _staff(project, role):
    """A staff member of `role` who sees `project` (the supervisor first), or None."""
    profiles = StaffProfile.objects.filter(company_id=project.company_id, role=role).select_related("user").order_by(
        "-is_supervisor", "id")
    for profile in profiles:
        if profile.all_projects or profile.projects.filter(pk=project.pk).exists():
            return actor_for(profile.user)
    return None


def _signature() -> str:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (240, 80), "white")
    ImageDraw.Draw(image).line((10, 60, 50, 20, 90, 55, 140, 18, 200, 50, 230, 30), fill="black", width=3)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _owner_of(unit) -> str:
    residency = (Residency.objects.current().filter(unit=unit, relation__in=OWNING_RELATIONS)
                 .select_related("resident").order_by("id").first())
    return residency.resident.name if residency else ""


def _reading(unit) -> list[dict]:
    """The water meter's reading at the inspection: its last reading plus a little (billing's rules apply)."""
    from wuye.billing.models import MeterReading

    last = MeterReading.objects.filter(meter__unit=unit, meter__kind="water", meter__is_active=True).order_by(
        "-read_on", "-id").first()
    if not unit.meters.filter(kind="water", is_active=True).exists():
        return []
    return [{"kind": "water", "value": str((last.value if last else 0) + 1)}]


def add_demo_moveins(company, now: datetime | None = None) -> dict:
    """A move-in batch under way for each project of `company`; returns counts of what it made."""
    now = now or timezone.now()
    made = {"move_in_batches": 0, "move_ins": 0}
    for project in demo_projects(company):
        if MoveInBatch.objects.filter(project=project).exists():
            continue
        desk = _staff(project, Role.CUSTOMER_SERVICE)
        if desk is None:
            continue
        with transaction.atomic():
            made["move_ins"] += _add_for_project(project, desk, _staff(project, Role.ENGINEERING) or desk, now)
            made["move_in_batches"] += 1
    return made


def _add_for_project(project, desk, engineer, now: datetime) -> int:
    owner = (Residency.objects.current().filter(unit__project=project, unit__kind=UnitKind.RESIDENTIAL,
                                                relation__in=OWNING_RELATIONS, resident__user__isnull=False)
             .select_related("unit__building", "resident__user").order_by("unit_id").first())
    building = owner.unit.building if owner else project.buildings.order_by("id").first()
    today = timezone.localdate(now)
    notified_at = now - timedelta(days=10)
    batch = services.create_batch(
        desk, building=building, name=f"{building.number}号楼集中入伙", first_day=today - timedelta(days=2),
        last_day=today + timedelta(days=3), place="物业服务中心一楼入伙大厅",
        fees_note="预交物业服务费三个月", at=notified_at,
        slots=[{"starts": "09:00", "ends": "11:30", "capacity": 4}, {"starts": "14:00", "ends": "16:30",
                                                                    "capacity": 4}])
    services.notify_batch(desk, batch, at=notified_at)
    services.open_batch(desk, batch, at=notified_at)
    slots = list(batch.slots.order_by("day", "starts"))
    units = [u for u in building.units.filter(kind=UnitKind.RESIDENTIAL).order_by("id")
             if not owner or u.pk != owner.unit_id][:len(STEPS)]
    count = 0
    for number, (unit, step) in enumerate(zip(units, STEPS, strict=False)):
        slot = slots[min(number // 2, 3)]  # the past two days' slots: these homes came in already
        at = timezone.make_aware(datetime.combine(slot.day, time(slot.starts.hour, 30)))
        # A new home often has no resident on record yet: the desk takes the name from the purchase contract.
        move_in = services.book(desk, batch=batch, unit=unit, slot=slot, owner_name=_owner_of(unit) or NAMES[number],
                                at=notified_at + timedelta(hours=number))
        count += 1
        if at >= now:
            continue
        services.check_identity(desk, move_in, contract_number=f"SPF-{project.pk}-{unit.pk:05d}", at=at)
        if step == "identity":
            continue
        if services.property_fee_quote(move_in, 1):
            services.charge(desk, move_in, months=3, at=at)
        services.settle_fees(desk, move_in, channel="cash", at=at + timedelta(minutes=10))
        items = [*CHECKLIST[:3], ISSUE] if step in ("inspected", "return_visit") else list(CHECKLIST)
        services.inspect(engineer, move_in, items=items, readings=_reading(unit), owner_present=move_in.owner_name,
                         at=at + timedelta(minutes=40))
        if step == "inspected":
            continue
        signed = at + timedelta(minutes=70)
        services.hand_keys(desk, move_in, door_keys=3, access_cards=[f"MJ{unit.pk:06d}", f"MJ{unit.pk:06d}B"],
                           mailbox_keys=1, signature=_signature(), at=signed)
        if step == "keys":
            continue
        services.sign_agreements(desk, move_in, agreements=["management_agreement", "decoration_rules",
                                                            "interim_covenant"], at=signed + timedelta(minutes=10))
        if step == "completed":
            services.record_return_visit(desk, move_in, satisfaction=5, needs="希望尽快开通管道燃气",
                                         at=min(signed + timedelta(days=1), now))
    if owner is not None:
        owner_actor = actor_for(owner.resident.user)
        free = next((s for s in slots if s.day > today), slots[-1])
        services.book(owner_actor, batch=batch, unit=owner.unit, slot=free, at=now - timedelta(hours=2))
        count += 1
    return count
