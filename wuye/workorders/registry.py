"""What work orders add to the web faces, registered from `WorkordersConfig.ready()`: the console menu item, the
owner portal's tiles, readable names of the ticket and time-limit events, and the page of a ticket."""

from django.utils.translation import gettext_lazy as _

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


def register() -> None:
    from wuye.web.context import NavItem, Tile, register_nav, register_tile
    from wuye.web.labels import register_subject_url

    register_nav(NavItem(
        "tickets", _("Work orders"), "workorders:inbox", permission="workorders.view", icon="wrench", order=30,
        url_names=("workorders:ticket", "workorders:action", "workorders:new", "workorders:dispatch",
                   "workorders:ledger", "workorders:analysis", "workorders:improvement_create"),
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
            "ticket.settle": _("Fee settled"),
            "ticket.return_visit": _("Return visit made"),
            "ticket.close": _("Closed"),
            "ticket.reopen": _("Reopened"),
            "ticket.cancel": _("Cancelled"),
            "ticket.assign": _("Assigned to a department"),
            "ticket.resolve": _("Handling recorded"),
            "ticket.approve": _("Resolution approved"),
            "ticket.reject": _("Resolution rejected"),
            "ticket.reply": _("Replied"),
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
        },
        values={
            "kind": dict(Kind.choices),
            "channel": dict(Channel.choices),
            "urgency": dict(Urgency.choices),
            "from": dict(Status.choices),
            "to": dict(Status.choices),
            "department": {role.value: label for role, label in DEPARTMENTS.items()},
            "key": SLA_KEYS,
            "measure": dict(Measure.choices),
            "signed_by": {"owner": Role.OWNER.label, "staff": _("staff")},
            "reason": {"reopened": _("Reopened"), "cancelled": _("Cancelled")},
        },
    )
