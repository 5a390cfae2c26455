"""Workbench card of community activities: today's activities to check people in at (the list it opens)."""

from __future__ import annotations

from datetime import datetime

from django.urls import reverse
from django.utils.translation import gettext

from wuye.core.access import Role, may_read
from wuye.web.workbench import Card, register_cards

from . import services
from .models import ActivityStatus

ROLES = frozenset({Role.CUSTOMER_SERVICE, Role.PROJECT_MANAGER, Role.COMPANY_ADMIN})


def activity_cards(actor, now: datetime) -> list[Card]:
    """Activities open for sign-up (the desk answers questions about them and checks people in)."""
    if not may_read(actor, "activities.activities") or not actor.may("activities.manage"):
        return []
    count = services.activities(actor).filter(status=ActivityStatus.OPEN).count()
    return [Card("activities.open", gettext("Activities open for sign-up"), count,
                 url=reverse("activities:list") + "?status=open", group=gettext("Community"))]


def register() -> None:
    register_cards("activities.open", activity_cards, roles=ROLES, order=61)


