"""Workbench cards for facility bookings (wuye.web.workbench): the front desk and the project manager see today's
live bookings — counted with `services.bookings_on`, the same query as the list the card opens
(`bookings:list?day=<today>&status=booked`)."""

from __future__ import annotations

from datetime import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from wuye.core.access import Role, may_read
from wuye.web.workbench import Card, register_cards

from . import services

CARD_ROLES = frozenset({Role.CUSTOMER_SERVICE, Role.PROJECT_MANAGER, Role.COMPANY_ADMIN})


def today_url(day) -> str:
    return f"{reverse('bookings:list')}?day={day.isoformat()}&status=booked"


def booking_cards(actor, now: datetime) -> list[Card]:
    if not may_read(actor, "bookings.bookings"):
        return []
    today = timezone.localdate(now)
    count = services.bookings_on(actor, today).count()
    return [Card("bookings.today", gettext("Venue bookings today"), count, url=today_url(today),
                 group=gettext("Community"))]


def register() -> None:
    register_cards("bookings", booking_cards, roles=CARD_ROLES, order=60)
