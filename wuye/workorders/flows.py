"""The workflows as data (§2.1, §2.2): for each kind, which action moves a ticket from which statuses to which,
and which roles may take it. `services.perform()` reads these tables; nothing else decides a transition.

A target of None keeps the status (the action records something without moving the ticket).
"""

from __future__ import annotations

from dataclasses import dataclass

from wuye.core.access import Role

from .models import Kind, Status

S = Status
CS, ENG, SEC, ENV, FIN, PM, QA, ADMIN, OWNER = (
    Role.CUSTOMER_SERVICE, Role.ENGINEERING, Role.SECURITY, Role.ENVIRONMENT, Role.FINANCE, Role.PROJECT_MANAGER,
    Role.QUALITY, Role.COMPANY_ADMIN, Role.OWNER,
)
MANAGERS = frozenset({PM, ADMIN})
HANDLING_DEPARTMENTS = frozenset({ENG, SEC, ENV, FIN, QA})  # a complaint is handled by the department it concerns


@dataclass(frozen=True)
class Transition:
    sources: frozenset[Status]
    target: Status | None
    roles: frozenset[Role]


def t(sources, target, *roles) -> Transition:
    return Transition(frozenset(sources), target, frozenset(roles))


# Classify / re-classify (kind, category, urgency) keeps the status: while the limits it changes still run.
REPAIR_FLOW: dict[str, Transition] = {
    "classify": t({S.NEW, S.DISPATCHED, S.ACCEPTED, S.ON_SITE}, None, CS, *MANAGERS),
    "dispatch": t({S.NEW}, S.DISPATCHED, CS, ENG, *MANAGERS),
    "reassign": t({S.DISPATCHED, S.ACCEPTED, S.ON_SITE, S.PAUSED}, None, CS, ENG, *MANAGERS),
    "accept": t({S.DISPATCHED}, S.ACCEPTED, ENG),
    "arrive": t({S.ACCEPTED}, S.ON_SITE, ENG),
    "pause": t({S.ACCEPTED, S.ON_SITE}, S.PAUSED, ENG, CS),
    "resume": t({S.PAUSED}, None, ENG, CS),  # back to the status it was paused from
    "complete": t({S.ON_SITE}, S.COMPLETED, ENG),
    "verify": t({S.COMPLETED}, None, ENG),  # engineering checks a warranty contractor's work
    "confirm": t({S.COMPLETED}, S.CONFIRMED, OWNER, CS, ENG),  # owner sign-off (维修验收)
    # The fee step, named for what happens to the money: taken now (desk/on site, with a receipt) or charged to
    # the owner's account (挂账). Open after sign-off, and later for a fee not yet taken.
    "collect_fee": t({S.CONFIRMED, S.VISITED, S.CLOSED}, None, FIN, CS),
    "charge_fee": t({S.CONFIRMED, S.VISITED, S.CLOSED}, None, FIN, CS),
    "return_visit": t({S.CONFIRMED}, S.VISITED, CS, *MANAGERS),
    # The owner rates the repair themselves after sign-off (业主评价): it is the return visit, counted the same —
    # one rating per ticket, whichever comes first; the staff return visit stays for phone calls.
    "rate": t({S.CONFIRMED}, S.VISITED, OWNER),
    "close": t({S.VISITED}, S.CLOSED, CS, *MANAGERS),
    "reopen": t({S.COMPLETED, S.CONFIRMED, S.VISITED, S.CLOSED}, S.NEW, CS, OWNER, *MANAGERS),
    "cancel": t({S.NEW, S.DISPATCHED, S.ACCEPTED}, S.CANCELLED, CS, OWNER, *MANAGERS),
}

COMPLAINT_FLOW: dict[str, Transition] = {
    "classify": t({S.NEW, S.ASSIGNED}, None, CS, *MANAGERS),
    "assign": t({S.NEW}, S.ASSIGNED, CS, *MANAGERS),
    "reassign": t({S.ASSIGNED}, None, CS, *MANAGERS),
    "resolve": t({S.ASSIGNED}, S.RESOLVED, CS, *HANDLING_DEPARTMENTS, *MANAGERS),  # major → PENDING_APPROVAL
    "approve": t({S.PENDING_APPROVAL}, S.RESOLVED, *MANAGERS),
    "reject": t({S.PENDING_APPROVAL}, S.ASSIGNED, *MANAGERS),
    "reply": t({S.RESOLVED}, S.REPLIED, CS, *MANAGERS),
    "return_visit": t({S.REPLIED}, S.VISITED, CS, *MANAGERS),
    "close": t({S.VISITED}, S.CLOSED, CS, *MANAGERS),
    "reopen": t({S.RESOLVED, S.REPLIED, S.VISITED, S.CLOSED}, S.ASSIGNED, CS, OWNER, *MANAGERS),
    "cancel": t({S.NEW, S.ASSIGNED}, S.CANCELLED, CS, *MANAGERS),
}

FEEDBACK_FLOW: dict[str, Transition] = {  # inquiries, suggestions, praise
    "classify": t({S.NEW}, None, CS, *MANAGERS),
    "reply": t({S.NEW}, S.REPLIED, CS, *MANAGERS),
    "close": t({S.REPLIED}, S.CLOSED, CS, *MANAGERS),
    "cancel": t({S.NEW}, S.CANCELLED, CS, OWNER, *MANAGERS),
}

FLOWS: dict[str, dict[str, Transition]] = {
    Kind.REPAIR: REPAIR_FLOW,
    Kind.COMPLAINT: COMPLAINT_FLOW,
    Kind.INQUIRY: FEEDBACK_FLOW,
    Kind.SUGGESTION: FEEDBACK_FLOW,
    Kind.PRAISE: FEEDBACK_FLOW,
}
FEE_ACTIONS = frozenset({"collect_fee", "charge_fee"})
# Actions an owner may take are limited to their own tickets (scope) and to these.
OWNER_ACTIONS = frozenset({"confirm", "reopen", "cancel", "rate"})
# Actions only the owner takes (staff record what the owner says as a return visit instead).
OWNER_ONLY_ACTIONS = frozenset({"rate"})


def transition_for(kind: str, action: str) -> Transition | None:
    return FLOWS[kind].get(action)


def available_actions(kind: str, status: str, role: Role | None, *, superuser: bool = False) -> list[str]:
    """The actions a role may take on a ticket of `kind` in `status` (for buttons and the API)."""
    return [
        action for action, rule in FLOWS[kind].items()
        if status in rule.sources and (superuser or role in rule.roles)
    ]
