"""What work orders add to the web faces, registered from `WorkordersConfig.ready()`: the console menu item, the
owner portal's tiles, readable names of the ticket and time-limit events, and the page of a ticket."""

from django.utils.translation import gettext_lazy as _

from wuye.billing.models import Channel as PaymentChannel
from wuye.billing.services import SourceState
from wuye.core.access import Role
from wuye.core.templatetags.timeline import register_event_labels
from wuye.people.models import DEPARTMENTS
from wuye.sla.models import Measure

from .models import Channel, Kind, Status, Urgency
from .sentences import register as register_sentences

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


def register() -> None:
    from .kpis import register as register_kpis  # the KPIs this app counts (wuye.core.kpis)

    register_kpis()
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
    from .workbench import register as register_workbench

    register_workbench()

    register_sentences()
    register_event_labels(
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
            "approval_comment": _("approval comment"),
            "waiting_for": _("pause reason"),
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
            "reason": {"reopened": _("Reopened"), "cancelled": _("Cancelled"), "reclassified": _("Re-classified"),
                       "parts": _("Waiting for parts")},
            "waiting_for": {"parts": _("Waiting for parts")},
        },
    )
