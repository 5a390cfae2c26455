"""A request that waits for a second person (a write-off, a refund): what the decision writes on the request.

The request models share the shape — state (requested / approved / rejected), requested_by, decided_by,
decided_at, decision_note (审批意见) — so the steps that record a decision are one helper, whatever is decided.
"""

from __future__ import annotations

from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from wuye.core.errors import Conflict, InvalidInput

REQUESTED, APPROVED, REJECTED = "requested", "approved", "rejected"
NOTE_MAX = 200


def approval_note(note: str, *, required: bool) -> str:
    """The approval comment, trimmed; InvalidInput naming `note` when it is required and empty."""
    note = " ".join((note or "").split())
    if required and not note:
        raise InvalidInput("note", _("Write the approval comment (审批意见)."))
    return note[:NOTE_MAX]


def still_requested(request) -> None:
    """Conflict when `request` (read under its lock) was decided meanwhile."""
    if request.state != REQUESTED:
        raise Conflict(_("This request was already decided: %(state)s.") % {"state": request.get_state_display()})


def record_decision(request, actor, state: str, note: str, **fields) -> None:
    """Write the decision on `request` (and any further `fields`, e.g. the ledger entry it led to)."""
    request.state, request.decided_by, request.decided_at, request.decision_note = (
        state, actor.user, timezone.now(), note)
    for name, value in fields.items():
        setattr(request, name, value)
    request.save(update_fields=["state", "decided_by", "decided_at", "decision_note", *fields])


def waiting_first(requests):
    """Requests still waiting first, then the newest decided."""
    return requests.annotate(waiting=Case(When(state=REQUESTED, then=Value(0)), default=Value(1),
                                          output_field=IntegerField())).order_by("waiting", "-requested_at", "-id")
