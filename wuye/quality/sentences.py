"""How quality events read (wuye.core.sentences): each step of a rectification, an inspection, a survey… as one
sentence, e.g. 「整改单已开：消防通道堆放杂物（工程部，一般，期限 10-09 17:00）」. Each feature adds its verbs
here; registered from `registry.register()`."""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wuye.core.sentences import register_sentences, register_terms

from .models import Severity


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
