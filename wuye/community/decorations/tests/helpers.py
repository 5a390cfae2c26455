"""Shared steps of the decoration tests: an application with its documents, carried to a given state."""

from __future__ import annotations

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from wuye.community.decorations import services
from wuye.people.access import actor_for

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name="plan.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def documents():
    return [("plan", pdf("平面图.pdf")), ("contractor_licence", pdf("营业执照.pdf")), ("leader_id", pdf("身份证.pdf"))]


def actor(world, username):
    return actor_for(world.user(username))


def fields(**overrides):
    today = timezone.localdate()
    values = {
        "applicant_name": "张业主", "applicant_phone": "13800138000", "works": "客厅地面铺木地板，厨房卫生间重做防水",
        "works_kinds": ["walls_floors", "waterproofing"], "contractor": "家美装饰有限公司",
        "contractor_licence": "91310115MA1K000000", "contractor_leader": "王师傅", "contractor_phone": "13900139000",
        "workers_planned": 4, "planned_start": today + timedelta(days=2), "planned_end": today + timedelta(days=60),
    }
    values.update(overrides)
    return values


def apply(world, username="yezhu", unit=None, with_documents=True, **overrides):
    unit = unit or world.owner_unit("yezhu")
    return services.apply(actor(world, username), unit=unit, documents=documents() if with_documents else (),
                          **fields(**overrides))


def pay_deposit(world, decoration, desk="kefu"):
    from wuye.billing.services import pay_at_desk

    bills = [bill for bill in services.charges(decoration).bills if bill.outstanding > 0]
    payment, _created = pay_at_desk(actor(world, desk), decoration.unit, channel="cash",
                                    idempotency_key=f"deco-{decoration.pk}", bills=bills, payer_name="张业主")
    return payment


def carry(world, decoration, upto: str, *, desk="kefu", eng="gongcheng", manager="jingli"):
    """Take `decoration` through the desk, engineering, payment and the manager up to `upto`
    ("checked", "engineering_approved", "approved", "in_progress")."""
    order = ["checked", "engineering_approved", "approved", "in_progress"]
    steps = order[:order.index(upto) + 1]
    if "checked" in steps:
        decoration = services.check_documents(actor(world, desk), decoration)
    if "engineering_approved" in steps:
        decoration = services.approve_engineering(actor(world, eng), decoration, note="不涉及承重结构")
    if "approved" in steps:
        pay_deposit(world, decoration, desk)
        decoration = services.approve(actor(world, manager), decoration)
    if "in_progress" in steps:
        decoration = services.start_works(actor(world, desk), decoration)
    return decoration
