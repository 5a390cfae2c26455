"""What work orders add to the web faces, registered from `WorkordersConfig.ready()`: the console menu item, the
owner portal's tiles, readable names of the ticket and time-limit events, and the page of a ticket."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wuye.billing.models import Channel as PaymentChannel
from wuye.billing.services import SourceState
from wuye.core.access import Role
from wuye.core.templatetags.timeline import register_event_labels
from wuye.people.models import DEPARTMENTS
from wuye.sla.models import Measure

from .models import Channel, Kind, Status, Urgency

SLA_KEYS = {
    "repair.emergency.dispatch": _("Emergency repair: dispatch"),
    "repair.emergency.arrive": _("Emergency repair: on site"),
    "repair.emergency.complete": _("Emergency repair: done"),
    "repair.general.dispatch": _("General repair: dispatch"),
    "repair.general.arrive": _("General repair: on site as agreed"),
    "repair.general.complete": _("General repair: done"),
    "repair.return_visit": _("Repair return visit"),
    "complaint.assign": _("Complaint: assign a department"),
    "complaint.urgent.handle": _("Urgent complaint: handle"),
    "complaint.important.handle": _("Important complaint: handle"),
    "complaint.general.handle": _("General complaint: handle"),
    "complaint.reply": _("Complaint: reply to the complainant"),
    "complaint.return_visit": _("Complaint return visit"),
    "feedback.reply": _("Inquiry, suggestion or praise: reply"),
}


def fee_collected_sentence(event) -> str:
    """ "费用 ¥120.00 已现场收款，收据 …" — or what prepaid credit settled of it."""
    data = {"total": "", "collected": "", "credit": "", "receipt": "—", **(event.data or {})}
    if not data.get("credit"):
        return gettext("Fee ¥%(total)s collected on the spot, receipt %(receipt)s") % data
    if data["collected"] in ("", "0.00"):
        return gettext("Fee ¥%(total)s settled from the owner's prepaid credit") % data
    return gettext("Fee ¥%(total)s: ¥%(credit)s from prepaid credit, ¥%(collected)s collected on the spot, "
                   "receipt %(receipt)s") % data


def fee_charged_sentence(event) -> str:
    """ "费用 ¥120.00 已计入业主账单（挂账）" """
    return gettext("Fee ¥%(total)s charged to the owner's account (on account)") % {
        "total": (event.data or {}).get("total", "")}


def register() -> None:
    from wuye.web.context import NavItem, Tile, register_nav, register_tile
    from wuye.web.labels import register_subject_url

    register_nav(NavItem(
        "tickets", _("Work orders"), "workorders:inbox", permission="workorders.view", icon="wrench", order=30,
        url_names=("workorders:ticket", "workorders:action", "workorders:new", "workorders:dispatch",
                   "workorders:ledger", "workorders:analysis", "workorders:improvement_create",
                   "workorders:categories", "workorders:category_new", "workorders:category_edit",
                   "workorders:price_list", "workorders:price_item_new", "workorders:price_item_edit",
                   "workorders:price_list_import", "workorders:warranty_terms", "workorders:warranty_term_new",
                   "workorders:warranty_term_edit"),
    ))
    register_tile(Tile("repair", _("Repairs"), "workorders:h5_repairs", icon="wrench", order=10))
    register_tile(Tile("complaint", _("Complaints and suggestions"), "workorders:h5_feedback", icon="chat",
                       order=20))
    register_subject_url("workorders", "ticket", "workorders:ticket")

    register_event_labels(
        verbs={
            "ticket.created": _("Ticket received"),
            "ticket.photo_added": _("Photo added"),
            "ticket.dispatch": _("Dispatched"),
            "ticket.reassign": _("Reassigned"),
            "ticket.accept": _("Accepted by the engineer"),
            "ticket.arrive": _("Engineer on site"),
            "ticket.pause": _("Paused"),
            "ticket.resume": _("Resumed"),
            "ticket.complete": _("Repair completed"),
            "ticket.verify": _("Contractor's work verified"),
            "ticket.confirm": _("Signed off"),
            "ticket.collect_fee": fee_collected_sentence,
            "ticket.charge_fee": fee_charged_sentence,
            # Before issue 9 the fee step said "settled" while a job only billed the owner's account.
            "ticket.settle": _("Fee handed to billing"),
            "ticket.return_visit": _("Return visit made"),
            "ticket.close": _("Closed"),
            "ticket.reopen": _("Reopened"),
            "ticket.cancel": _("Cancelled"),
            "ticket.assign": _("Assigned to a department"),
            "ticket.resolve": _("Handling recorded"),
            "ticket.approve": _("Resolution approved"),
            "ticket.reject": _("Resolution rejected"),
            "ticket.reply": _("Replied"),
            "ticket.classify": _("Classified"),
            "catalogue.category_created": _("Category added"),
            "catalogue.category_changed": _("Category changed"),
            "catalogue.price_item_created": _("Price added to the price list"),
            "catalogue.price_item_changed": _("Price list line changed"),
            "catalogue.warranty_term_created": _("Warranty term recorded"),
            "catalogue.warranty_term_changed": _("Warranty term changed"),
            "sla.started": _("Time limit started"),
            "sla.paused": _("Time limit paused"),
            "sla.resumed": _("Time limit resumed"),
            "sla.met": _("Time limit met"),
            "sla.breached": _("Time limit missed"),
            "sla.overdue": _("Time limit overdue"),
            "sla.cancelled": _("Time limits cancelled"),
            "improvement.created": _("Improvement action recorded"),
            "improvement.done": _("Improvement action done"),
        },
        details={
            "channel": _("channel"),
            "urgency": _("urgency"),
            "contact_phone": _("contact phone"),
            "repeat_of": _("repeat of ticket"),
            "under_warranty": _("under warranty"),
            "from": _("from"),
            "to": _("to"),
            "assignee": _("engineer"),
            "contractor": _("contractor"),
            "reason": _("reason"),
            "charges": _("charges"),
            "total": _("total"),
            "collected": _("collected"),
            "credit": _("from prepaid credit"),
            "receipt": _("receipt"),
            "payment_channel": _("paid by"),
            "needs_approval": _("needs approval"),
            "department": _("department"),
            "score": _("score"),
            "signed_by": _("signed by"),
            "key": _("time limit"),
            "due_at": _("due"),
            "measure": _("measured in"),
            "overrun_minutes": _("overrun (minutes)"),
            "clocks": _("time limits"),
            "count": _("count"),
            "type": _("file type"),
            "bytes": _("bytes"),
            "title": _("measure"),
            "week": _("week"),
            "category": _("category"),
            "owner": _("person responsible"),
            "due_on": _("due"),
            "late_days": _("days late"),
            "kind_from": _("kind was"),
            "kind_to": _("kind now"),
            "urgency_from": _("urgency was"),
            "urgency_to": _("urgency now"),
            "category_from": _("category was"),
            "category_to": _("category now"),
            "is_major_from": _("major was"),
            "is_major_to": _("major now"),
            "owner_says_urgent": _("owner says urgent"),
            "fee_state": _("fee"),
            "fee_pending": _("fee not yet taken"),
            "changes": _("changes"),
        },
        values={
            "kind": dict(Kind.choices),
            "channel": dict(Channel.choices),
            "urgency": dict(Urgency.choices),
            "kind_from": dict(Kind.choices),
            "kind_to": dict(Kind.choices),
            "urgency_from": dict(Urgency.choices),
            "urgency_to": dict(Urgency.choices),
            "fee_state": dict(SourceState.choices),
            "from": dict(Status.choices),
            "to": dict(Status.choices),
            "department": {role.value: label for role, label in DEPARTMENTS.items()},
            "key": SLA_KEYS,
            "measure": dict(Measure.choices),
            "signed_by": {"owner": Role.OWNER.label, "staff": _("staff")},
            "payment_channel": dict(PaymentChannel.choices),
            "reason": {"reopened": _("Reopened"), "cancelled": _("Cancelled"), "reclassified": _("Re-classified")},
        },
    )
