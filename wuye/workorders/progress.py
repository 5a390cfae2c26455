"""The owner's view of a ticket — its steps and its progress in plain words, internal steps (reassignments,
approvals, clocks, staff notes) left out. One home for the H5 portal and the owner's API."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext_lazy

from wuye.core.events import timeline
from wuye.core.models import Event

from .models import Kind, Status, Ticket

OWNER_EVENT_LABELS = {
    "ticket.created": gettext_lazy("Submitted"),
    "ticket.classify": gettext_lazy("Checked and classified by the service center"),
    "ticket.photo_added": gettext_lazy("Photo added"),
    "ticket.dispatch": gettext_lazy("A technician has been sent"),
    "ticket.accept": gettext_lazy("The technician accepted the job"),
    "ticket.arrive": gettext_lazy("The technician is on site"),
    "ticket.pause": gettext_lazy("Waiting (for parts or an appointment)"),
    "ticket.resume": gettext_lazy("Work continues"),
    "ticket.complete": gettext_lazy("Repair done — please check and confirm"),
    "ticket.confirm": gettext_lazy("Confirmed as done"),
    "ticket.collect_fee": gettext_lazy("Fee paid on the spot"),
    "ticket.charge_fee": gettext_lazy("Fee added to your bills (on account)"),
    "ticket.settle": gettext_lazy("Fee added to your bills"),  # before the fee step named how (a job billed it)
    "ticket.return_visit": gettext_lazy("Follow-up call made"),
    "ticket.rate": gettext_lazy("You rated the repair"),
    "ticket.close": gettext_lazy("Closed"),
    "ticket.reopen": gettext_lazy("Reopened"),
    "ticket.cancel": gettext_lazy("Cancelled"),
    "ticket.assign": gettext_lazy("Passed to the department in charge"),
    "ticket.resolve": gettext_lazy("Handled"),
    "ticket.reply": gettext_lazy("We replied"),
}
OWNER_STEPS = {
    Kind.REPAIR: (
        (gettext_lazy("Submitted"), {Status.NEW}),
        (gettext_lazy("Dispatched"), {Status.DISPATCHED}),
        (gettext_lazy("In progress"), {Status.ACCEPTED, Status.ON_SITE, Status.PAUSED}),
        (gettext_lazy("Done"), {Status.COMPLETED}),
        (gettext_lazy("Confirmed"), {Status.CONFIRMED}),
        (gettext_lazy("Finished"), {Status.VISITED, Status.CLOSED}),
    ),
    Kind.COMPLAINT: (
        (gettext_lazy("Submitted"), {Status.NEW}),
        (gettext_lazy("In progress"), {Status.ASSIGNED, Status.PENDING_APPROVAL}),
        (gettext_lazy("Handled"), {Status.RESOLVED}),
        (gettext_lazy("Replied"), {Status.REPLIED}),
        (gettext_lazy("Finished"), {Status.VISITED, Status.CLOSED}),
    ),
}
FEEDBACK_STEPS = (
    (gettext_lazy("Submitted"), {Status.NEW}),
    (gettext_lazy("Replied"), {Status.REPLIED}),
    (gettext_lazy("Finished"), {Status.CLOSED}),
)


def owner_steps(ticket) -> list[dict]:
    """The steps of the ticket's kind as an owner sees them, each `done`, `current` or `todo`."""
    steps = OWNER_STEPS.get(ticket.kind, FEEDBACK_STEPS)
    current = next((i for i, (_label, statuses) in enumerate(steps) if ticket.status in statuses), None)
    return [{"label": label, "state": "todo" if current is None or i > current else "done" if i < current
             else "current"} for i, (label, _statuses) in enumerate(steps)]


def owner_progress(ticket, user) -> list[dict]:
    """The ticket's events in words for owners: internal steps (reassignments, approvals, clocks) left out."""
    progress = []
    for event in timeline(ticket):
        label = OWNER_EVENT_LABELS.get(event.verb)
        if label is None:
            continue
        progress.append({"label": label, "at": event.created_at, "by_me": event.actor_id == user.pk,
                         "reason": (event.data or {}).get("reason", "") if event.verb in (
                             "ticket.pause", "ticket.cancel", "ticket.reopen") else ""})
    progress.reverse()
    return progress


def latest_owner_step():
    """A subquery: the verb of the newest event an owner is shown (for lists of tickets)."""
    return Subquery(Event.objects.filter(
        subject_type=ContentType.objects.get_for_model(Ticket), subject_id=OuterRef("pk"),
        verb__in=list(OWNER_EVENT_LABELS)).order_by("-created_at", "-id").values("verb")[:1])
