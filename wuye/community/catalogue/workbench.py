"""Workbench cards of paid services: the desk's "service orders to accept" (counted as the list it opens)."""

from __future__ import annotations

from datetime import datetime

from django.urls import reverse
from django.utils.translation import gettext

from wuye.core.access import Role, may_read
from wuye.web.workbench import Card, register_cards

from . import services

ROLES = frozenset({Role.CUSTOMER_SERVICE, Role.PROJECT_MANAGER, Role.COMPANY_ADMIN})


def order_cards(actor, now: datetime) -> list[Card]:
    if not may_read(actor, "catalogue.orders") or not actor.may("catalogue.accept"):
        return []
    count = services.awaiting_acceptance(actor).count()
    return [Card("catalogue.orders.to_accept", gettext("Service orders to accept"), count,
                 url=reverse("catalogue:orders") + "?status=ordered", tone="amber" if count else "",
                 group=gettext("Community"))]


def register() -> None:
    register_cards("catalogue.orders", order_cards, roles=ROLES, order=60)
