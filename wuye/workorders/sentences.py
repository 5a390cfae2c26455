"""How work-order events read (wuye.core.sentences): each step of a ticket as one sentence, e.g. 「派单给 王强」,
「费用 ¥120.00 已现场收款，收据 JH-2026-000123」. Registered from `registry.register()`."""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wuye.core.money import format_money
from wuye.core.sentences import money_in_text, register_formatter, register_sentences, register_terms, term

from .satisfaction import owner_rating_sentence

EXAMPLE_MOMENT = "2026-12-03T17:00+08:00"


def created(event, fields) -> str:
    data = fields.raw
    text = gettext("%(kind)s received (%(channel)s, %(urgency)s)") % fields
    flags = []
    if data.get("repeat_of"):
        flags.append(gettext("a repeat of an earlier repair"))
    if data.get("under_warranty"):
        flags.append(gettext("under the developer's warranty"))
    if data.get("owner_says_urgent"):
        flags.append(gettext("the owner says it is urgent"))
    return "；".join([text, *flags]) if flags else text


def dispatched(event, fields) -> str:
    data = fields.raw
    if data.get("assignee"):
        return gettext("Dispatched to %(assignee)s") % fields
    if data.get("contractor"):
        return gettext("Sent to the developer's contractor %(contractor)s") % fields
    return gettext("Dispatched")


def reassigned(event, fields) -> str:
    data = fields.raw
    if data.get("department"):  # a complaint handed to another department
        return gettext("Handed to %(department)s") % fields
    if data.get("from") and data.get("from") != data.get("to"):
        return gettext("Reassigned from %(from)s to %(to)s: %(reason)s") % fields
    return gettext("Reassigned to %(to)s: %(reason)s") % fields


def completed(event, fields) -> str:
    total = fields.raw.get("total")
    if total and str(total) not in ("0", "0.00"):
        return gettext("Repair completed; charges %(total)s") % fields
    return gettext("Repair completed, no charge")


def confirmed(event, fields) -> str:
    if fields.raw.get("signed_by") == "owner":
        return gettext("Signed off by the owner")
    if fields.raw.get("signed_by") == "staff":
        return gettext("Signed off by staff for the owner")
    return gettext("Signed off")


def fee_collected(event, fields) -> str:
    """"费用 ¥120.00 已现场收款，收据 …" — or what prepaid credit settled of it."""
    data = fields.raw
    shown = {"total": format_money(data.get("total")), "collected": format_money(data.get("collected")),
             "credit": format_money(data.get("credit")), "receipt": data.get("receipt") or "—",
             "channel": fields["payment_channel"]}
    if not data.get("credit"):
        return gettext("Fee %(total)s collected on the spot (%(channel)s), receipt %(receipt)s") % shown
    if data.get("collected") in (None, "", "0.00", "0"):
        return gettext("Fee %(total)s settled from the owner's prepaid credit") % shown
    return gettext("Fee %(total)s: %(credit)s from prepaid credit, %(collected)s collected on the spot, "
                   "receipt %(receipt)s") % shown


def fee_charged(event, fields) -> str:
    """"费用 ¥120.00 已计入业主账单（挂账），12-15 前缴" """
    if fields.raw.get("due_on"):
        return gettext("Fee %(total)s charged to the owner's account, due %(due_on)s") % fields
    return gettext("Fee %(total)s charged to the owner's account (on account)") % fields


def return_visit(event, fields) -> str:
    return gettext("Return visit: satisfaction %(score)s of 5") % fields


def resolved(event, fields) -> str:
    if fields.raw.get("needs_approval"):
        return gettext("Handling recorded; a major complaint, sent for approval")
    return gettext("Handling recorded")


CLASSIFY_PARTS = (("kind", _("kind")), ("urgency", _("urgency")), ("category", _("category")))


def classified(event, fields) -> str:
    data = fields.raw
    parts = []
    for name, label in CLASSIFY_PARTS:
        if f"{name}_from" in data or f"{name}_to" in data:
            parts.append(f"{label} {fields[f'{name}_from']} → {fields[f'{name}_to']}")
    if "is_major_to" in data:
        parts.append(str(_("marked a major complaint") if data["is_major_to"] else _("no longer a major complaint")))
    if data.get("owner_says_urgent"):
        parts.append(str(_("the owner says it is urgent")))
    if not parts:
        return gettext("Classified")
    return gettext("Classified: %(changes)s") % {"changes": "；".join(parts)}


def _catalogue(created_text, changed_text):
    def sentence(event, fields) -> str:
        data = fields.raw
        if "changes" in data:
            parts = []
            for name, change in (data.get("changes") or {}).items():
                old, new = [*change, None, None][:2] if isinstance(change, list) else (None, change)
                parts.append(f"{term('field', name)} {_shown(name, old)} → {_shown(name, new)}")
            return str(changed_text) % {"changes": "；".join(parts) or "—"}
        return str(created_text) % {"name": data.get("name") or data.get("contractor") or "—"}
    return sentence


def _shown(name, value) -> str:
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if value in (None, ""):
        return "—"
    if name == "price":
        return format_money(value)
    return term(name, value)


def improvement_done(event, fields) -> str:
    if fields.raw.get("late_days"):
        return gettext("Improvement action done, %(late_days)s days late: %(title)s") % fields
    return gettext("Improvement action done: %(title)s") % fields


def register() -> None:
    register_sentences({
        "ticket.created": (created, {"details": ("unit", "contact_phone"), "example": {
            "kind": "repair", "channel": "phone", "urgency": "emergency", "unit": "1栋1单元101",
            "contact_phone": "138****0001", "repeat_of": 12, "under_warranty": True, "owner_says_urgent": True}}),
        "ticket.photo_added": (_("Photo added"), {"example": {"type": "image/png", "bytes": 1253}}),
        "ticket.dispatch": (dispatched, {"people": ("assignee",), "example": {
            "from": "new", "to": "dispatched", "assignee": "gongcheng", "contractor": ""}}),
        "ticket.reassign": (reassigned, {"people": ("from", "to"), "example": {
            "from": "gongcheng", "to": "admin", "reason": "原维修员请假"}}),
        "ticket.accept": (_("Accepted the job"), {"example": {"from": "dispatched", "to": "accepted"}}),
        "ticket.arrive": (_("On site"), {"example": {"from": "accepted", "to": "on_site"}}),
        "ticket.pause": (_("Paused: %(reason)s"), {"example": {"from": "on_site", "to": "paused",
                                                               "reason": "等待配件"}}),
        "ticket.resume": (_("Work resumed"), {"example": {"from": "paused", "to": "on_site"}}),
        "ticket.complete": (completed, {"details": ("charges",), "example": {
            "from": "on_site", "to": "completed", "charges": ["更换水龙头 × 1 = 120.00"], "total": "120.00"}}),
        "ticket.verify": (_("Contractor's work verified"), {"example": {"from": "completed", "to": "completed"}}),
        "ticket.confirm": (confirmed, {"example": {"from": "completed", "to": "confirmed", "signed_by": "owner"}}),
        "ticket.collect_fee": (fee_collected, {"example": {
            "from": "confirmed", "to": "settled", "total": "120.00", "payment_channel": "cash",
            "collected": "100.00", "credit": "20.00", "receipt": "JH-2026-000123"}}),
        "ticket.charge_fee": (fee_charged, {"example": {
            "from": "confirmed", "to": "settled", "total": "440932.92", "due_on": "2026-12-15"}}),
        # Before issue 9 the fee step said "settled" while a job only billed the owner's account.
        "ticket.settle": (_("Fee handed to billing"), {"example": {"from": "confirmed", "to": "settled"}}),
        "ticket.return_visit": (return_visit, {"details": ("fee_state", "fee_pending"), "example": {
            "score": 5, "fee_state": "paid", "fee_pending": "30.00"}}),
        # The owner's own rating in the portal (helper rating, issue 11 part 9): it is the return visit.
        "ticket.rate": (owner_rating_sentence, {"example": {"from": "confirmed", "to": "visited", "score": 4}}),
        "ticket.close": (_("Closed"), {"example": {"from": "visited", "to": "closed"}}),
        "ticket.reopen": (_("Reopened: %(reason)s"), {"example": {"from": "closed", "to": "new",
                                                                  "reason": "业主反映仍漏水"}}),
        "ticket.cancel": (_("Cancelled: %(reason)s"), {"example": {"from": "new", "to": "cancelled",
                                                                   "reason": "业主已自行处理"}}),
        "ticket.assign": (_("Assigned to %(department)s"), {"example": {"department": "engineering"}}),
        "ticket.resolve": (resolved, {"example": {"needs_approval": True}}),
        "ticket.approve": (_("Resolution approved"), {"details": ("approval_comment",), "example": {
            "from": "pending_approval", "to": "resolved", "approval_comment": "同意，按期答复业主"}}),
        "ticket.reject": (_("Resolution rejected: %(reason)s"), {"example": {"reason": "未说明赔偿方案"}}),
        "ticket.reply": (_("Replied to the person"), {"example": {"from": "resolved", "to": "replied"}}),
        "ticket.classify": (classified, {"example": {
            "kind_from": "repair", "kind_to": "complaint", "urgency_from": "general", "urgency_to": "urgent",
            "category_from": None, "category_to": "噪音扰民", "is_major_from": False, "is_major_to": True,
            "owner_says_urgent": True}}),
        # The front desk (issue 11 part 4): the engineer assigned to an open job saw the contact's full number
        # (recorded once per engineer, ticket and day — workorders.frontdesk.contact_phone_for).
        "ticket.phone_revealed": (_("Contact's full phone number shown to the assigned engineer"), {"example": {}}),
        "catalogue.category_created": (_catalogue(_("Category added: %(name)s"), _("Category changed: %(changes)s")),
                                       {"example": {"name": "水电维修", "kind": "repair"}}),
        "catalogue.category_changed": (_catalogue(_("Category added: %(name)s"), _("Category changed: %(changes)s")),
                                       {"example": {"changes": {"name": ["水电", "水电维修"],
                                                                "is_active": [True, False]}}}),
        "catalogue.price_item_created": (_catalogue(_("Price added to the price list: %(name)s"),
                                                    _("Price list line changed: %(changes)s")),
                                         {"example": {"name": "更换水龙头", "price": "120.00"}}),
        "catalogue.price_item_changed": (_catalogue(_("Price added to the price list: %(name)s"),
                                                    _("Price list line changed: %(changes)s")),
                                         {"example": {"changes": {"price": ["100.00", "120.00"]}}}),
        "catalogue.warranty_term_created": (_catalogue(_("Warranty term recorded: %(name)s"),
                                                       _("Warranty term changed: %(changes)s")),
                                            {"example": {"contractor": "某建筑公司", "months": 24}}),
        "catalogue.warranty_term_changed": (_catalogue(_("Warranty term recorded: %(name)s"),
                                                       _("Warranty term changed: %(changes)s")),
                                            {"example": {"changes": {"months": [24, 36]}}}),
        "improvement.created": (_("Improvement action recorded: %(title)s"), {
            "details": ("category", "owner", "due_on"), "people": ("owner",), "example": {
                "title": "加强夜间巡查", "week": "2026-11-30", "category": "噪音扰民", "owner": "王强",
                "due_on": "2026-12-07"}}),
        "improvement.done": (improvement_done, {"example": {"title": "加强夜间巡查", "late_days": 2}}),
    })
    register_formatter("charges", money_in_text)
    register_terms(values={
        # the fields a catalogue change names
        "field": {"name": _("name"), "is_active": _("active"), "price": _("price"), "kind": _("kind"),
                  "unit": _("unit of measure"), "responsible_role": _("responsible department"),
                  "contractor": _("contractor"), "months": _("months"), "category": _("category"),
                  "parent": _("parent category"), "order": _("order"), "code": _("code")}})
