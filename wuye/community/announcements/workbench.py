"""Workbench card of announcements: the project manager's (and administration's) notices awaiting approval —
counted with `services.awaiting_approval`, the same filter as the list the card opens (?status=pending_approval)."""

from __future__ import annotations

from datetime import datetime

from django.urls import reverse
from django.utils.translation import gettext

from wuye.core.access import Role, may_read
from wuye.web.workbench import Card, register_cards

from . import services

CARD_ROLES = frozenset({Role.PROJECT_MANAGER, Role.COMPANY_ADMIN})


def to_approve_url() -> str:
    return reverse("announcements:list") + "?status=pending_approval"


def announcement_cards(actor, now: datetime) -> list[Card]:
    if not (may_read(actor, "announcements.announcement") and actor.may(services.APPROVE)):
        return []
    count = services.awaiting_approval(actor).count()
    return [Card("announcements.to_approve", gettext("Announcements to approve"), count, url=to_approve_url(),
                 tone="amber" if count else "", group=gettext("Community"))]


def to_approve_figure(actor) -> tuple[int, str, str] | None:
    """The community home's figure: notices awaiting approval (for those who approve them)."""
    if not actor.may(services.APPROVE):
        return None
    return services.awaiting_approval(actor).count(), gettext("to approve"), to_approve_url()


def register() -> None:
    register_cards("announcements", announcement_cards, roles=CARD_ROLES, order=52)
