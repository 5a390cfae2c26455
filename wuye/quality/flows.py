"""The rectification process as a table: from which state each action may be taken and where it leads.
`rectifications.py` has one function per action; an action not allowed from the current state is a 409."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .models import RectificationStatus as S

# action: (states it may be taken from, state it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "report": (frozenset({S.OPEN}), S.SUBMITTED),       # the department reports what it did
    "accept": (frozenset({S.SUBMITTED}), S.CLOSED),      # the inspector accepts it
    "reject": (frozenset({S.SUBMITTED}), S.OPEN),        # … or sends it back (a new time limit)
    "cancel": (frozenset({S.OPEN, S.SUBMITTED}), S.CANCELLED),  # quality / manager withdraw it, with a reason
}
ACTION_LABELS = {
    "report": _("reported as rectified"),
    "accept": _("accepted"),
    "reject": _("sent back"),
    "cancel": _("cancelled"),
}
OPEN_STATES = (S.OPEN, S.SUBMITTED)


def allowed(status: str, action: str) -> bool:
    return action in TRANSITIONS and status in TRANSITIONS[action][0]


def actions_from(status: str) -> list[str]:
    return [action for action, (sources, _target) in TRANSITIONS.items() if status in sources]


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))
