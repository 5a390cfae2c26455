"""Workbench cards for decoration (wuye.web.workbench). Each count is `web.lists.filter_decorations` with the filters
its link carries, so the card and the list it opens are one query.

- the desk: applications whose documents are to check;
- engineering: applications to approve, and works in progress not inspected for
  `settings.WUYE_DECORATION_INSPECTION_DAYS` days;
- the project manager: applications engineering approved, to approve;
- finance: accepted decorations whose deposit refund is not approved yet.
"""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext

from wuye.core.access import Role, may_read
from wuye.web.workbench import Card, register_cards, role_of

from .models import DecorationStatus
from .web import lists

CARD_ROLES = frozenset({Role.CUSTOMER_SERVICE, Role.ENGINEERING, Role.PROJECT_MANAGER, Role.FINANCE})


def _specs(role: str) -> list[tuple[str, str, dict, str]]:
    """(key, label, list filters, tone) of the cards `role` gets."""
    f = lists.decoration_filters
    if role == Role.CUSTOMER_SERVICE:
        return [("decorations.to_check", gettext("Decoration applications to check"),
                 f(status=DecorationStatus.SUBMITTED), "amber")]
    if role == Role.ENGINEERING:
        return [("decorations.to_approve_engineering", gettext("Decoration plans to approve"),
                 f(status=DecorationStatus.CHECKED), "amber"),
                ("decorations.inspections_due", gettext("Decoration inspections due"), f(due="inspection"), "red")]
    if role == Role.PROJECT_MANAGER:
        return [("decorations.to_approve", gettext("Decorations to approve"),
                 f(status=DecorationStatus.ENGINEERING_APPROVED), "amber")]
    if role == Role.FINANCE:
        return [("decorations.deposits_to_refund", gettext("Decoration deposits to refund"), f(refund="pending"),
                 "amber")]
    return []


def decoration_cards(actor, now: datetime) -> list[Card]:
    role = role_of(actor)
    if role not in CARD_ROLES or not may_read(actor, "decorations.decorations") or lists.list_url({}) is None:
        return []
    group = gettext("Decoration")
    specs = _specs(role)
    counts = lists.count_each(actor, {key: filters for key, _label, filters, _tone in specs}, now)
    return [Card(key, label, counts[key], url=lists.list_url(filters), tone=tone if counts[key] else "", group=group)
            for key, label, filters, tone in specs]


def register() -> None:
    """Called once from the app's registry."""
    register_cards("decorations", decoration_cards, roles=CARD_ROLES, order=45)


def first_card(actor) -> tuple[int, str, str] | None:
    """The community home's figure: the person's first decoration card (count, label, url), None for other roles."""
    from django.utils import timezone

    cards = decoration_cards(actor, timezone.now())
    return (cards[0].count, cards[0].label, cards[0].url) if cards else None
