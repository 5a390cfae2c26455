"""Workbench cards for move-in (wuye.web.workbench): the desk's "move-ins today" (booked for today, not completed)
and "return visits due" (keys signed for, visit not yet made). Each count is the rows of the list its link opens
(`filter_move_ins` with the link's own filter values)."""

from __future__ import annotations

from datetime import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext

from wuye.core.access import Role, may_read
from wuye.web.workbench import Card, register_cards, role_of

from .filters import filter_move_ins

CARD_ROLES = frozenset({Role.CUSTOMER_SERVICE, Role.PROJECT_MANAGER, Role.COMPANY_ADMIN})


def move_in_cards(actor, now: datetime) -> list[Card]:
    if role_of(actor) not in CARD_ROLES or not may_read(actor, "moveins.move_ins"):
        return []
    today = timezone.localdate(now)
    group = gettext("Move-in")
    cards = []
    for key, label, filters, tone in (
            ("moveins.today", gettext("Move-ins today"), {"day": today.isoformat(), "stage": "open"}, "amber"),
            ("moveins.return_visits", gettext("Move-in return visits due"), {"stage": "return_visit"}, "amber")):
        count = filter_move_ins(actor, filters).count()
        cards.append(Card(key, label, count, url=f"{reverse('moveins:list')}?{urlencode(filters)}",
                          tone=tone if count else "", group=group))
    return cards


def register() -> None:
    register_cards("moveins", move_in_cards, roles=CARD_ROLES, order=60)
