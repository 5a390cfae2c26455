"""How quality events read (wuye.core.sentences): each step of a rectification, an inspection, a survey… as one
sentence, e.g. 「整改单已开：消防通道堆放杂物（工程部，一般，期限 10-09 17:00）」. Each feature adds its verbs
here; registered from `registry.register()`."""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wuye.core.sentences import register_sentences, register_terms

from .models import STAFF_ROLES, Severity


def rectification_reported(event, fields) -> str:
    data = fields.raw
    text = gettext("Reported as rectified: %(note)s") % fields
    if data.get("photos"):
        text = gettext("%(text)s (%(photos)s photos)") % {"text": text, "photos": data["photos"]}
    if data.get("late"):
        text = gettext("%(text)s; after the deadline") % {"text": text}
    return text


def rectification_rejected(event, fields) -> str:
    return gettext("Sent back (time %(rejections)s): %(note)s; rectify again by %(due_at)s") % fields


def register() -> None:
    register_terms(
        details={"severity": _("severity"), "note": _("note"), "rejections": _("times sent back"),
                 "photos": _("photos")},
        values={"severity": dict(Severity.choices),
                "key": {"rectification.critical": _("Rectification of a critical finding"),
                        "rectification.major": _("Rectification of a major finding"),
                        "rectification.minor": _("Rectification of a minor finding")}})
    register_inspection_sentences()
    register_sentences({
        # -- rectifications (rectifications.py) --
        "rectification.opened": (_("Rectification opened: %(title)s (%(department)s, %(severity)s, due %(due_at)s)"), {
            "example": {"title": "消防通道堆放杂物", "department": "engineering", "severity": "minor",
                        "due_at": "2026-10-12T17:00+08:00", "key": "rectification.minor"}}),
        "rectification.reported": (rectification_reported, {
            "example": {"note": "杂物已清走，通道畅通", "photos": 2, "late": True}}),
        "rectification.accepted": (_("Rectification verified and closed"), {
            "details": ("note",), "example": {"note": "现场复查合格"}}),
        "rectification.rejected": (rectification_rejected, {
            "example": {"note": "仍有纸箱堆放", "rejections": 1, "due_at": "2026-10-15T17:00+08:00"}}),
        "rectification.cancelled": (_("Rectification cancelled: %(reason)s"), {
            "example": {"reason": "重复登记"}}),
    })


# -- inspections (inspections.py) --------------------------------------------------------------------------------
def inspection_scored(event, fields) -> str:
    data = fields.raw
    text = gettext("%(scored)s items scored (%(done)s of %(items)s done)") % fields
    if data.get("failed"):
        text = gettext("%(text)s; %(failed)s failed") % {"text": text, "failed": data["failed"]}
    if data.get("photos"):
        text = gettext("%(text)s (%(photos)s photos)") % {"text": text, "photos": data["photos"]}
    return text


def inspection_submitted(event, fields) -> str:
    data = fields.raw
    if data.get("critical"):
        return gettext("Inspection submitted at %(place)s: a critical item failed, score 0; %(failed)s "
                       "rectifications opened") % fields
    if data.get("failed"):
        return gettext("Inspection submitted at %(place)s: score %(score)s; %(failed)s rectifications opened") % fields
    return gettext("Inspection submitted at %(place)s: score %(score)s, every item passed") % fields


def register_inspection_sentences() -> None:
    from .models import Frequency, InspectionKind

    register_terms(
        details={"kind": _("kind"), "standard": _("standard"), "frequency": _("frequency"),
                 "department": _("department"), "reason": _("reason")},
        values={"kind": dict(InspectionKind.choices), "frequency": dict(Frequency.choices),
                "department": dict(STAFF_ROLES)})
    register_sentences({
        "inspection.plan_created": (_("Inspection plan made: %(standard)s, %(frequency)s, from %(starts_on)s"), {
            "example": {"standard": "日常品质检查", "frequency": "daily", "starts_on": "2026-01-01"}}),
        "inspection.plan_paused": (_("Inspection plan paused: %(standard)s, %(frequency)s"), {
            "example": {"standard": "日常品质检查", "frequency": "weekly"}}),
        "inspection.plan_resumed": (_("Inspection plan resumed: %(standard)s, %(frequency)s"), {
            "example": {"standard": "日常品质检查", "frequency": "monthly"}}),
        "inspection.created": (_("%(kind)s by %(standard)s scheduled for %(on)s"), {
            "example": {"kind": "special", "standard": "窗口服务标准", "on": "2026-11-30", "department": ""}}),
        "inspection.scored": (inspection_scored, {
            "example": {"scored": 5, "done": 12, "items": 22, "failed": 1, "photos": 2}}),
        "inspection.submitted": (inspection_submitted, {
            "example": {"score": "86.67", "failed": 1, "place": "1号楼大堂", "critical": False}}),
        "inspection.cancelled": (_("Inspection cancelled: %(reason)s"), {"example": {"reason": "当日改为专项检查"}}),
    })
