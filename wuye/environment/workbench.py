"""Workbench cards for the environment department.

Each card's count is the number of rows of the task list its link opens: the count is taken with
`reports.filter_tasks` on the list's own filter values, and the link carries those values (`reports.tasks_url`).

- environment staff: my cleaning due now, my cleaning overdue today, and a link to the phone page;
- project manager, quality, administration: cleaning tasks overdue today (begun, deadline passed, not done).
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext

from wuye.core.access import Role, may_read
from wuye.web.workbench import Card, register_cards, role_of

from . import reports

MANAGERS = frozenset({Role.PROJECT_MANAGER, Role.QUALITY, Role.COMPANY_ADMIN})
CARD_ROLES = MANAGERS | {Role.ENVIRONMENT}


def _specs(role: str, today) -> list[tuple[str, str, dict, str]]:
    """(key, label, task-list filters, tone) of the cards a role gets."""
    if role == Role.ENVIRONMENT:
        return [
            ("environment.cleaning.mine_due", gettext("My cleaning due now"),
             reports.task_filters(day=today, status="due", mine=True), "amber"),
            ("environment.cleaning.mine_overdue", gettext("My cleaning overdue today"),
             reports.task_filters(day=today, status="overdue", mine=True), "red"),
        ]
    if role in MANAGERS:
        return [("environment.cleaning.overdue", gettext("Cleaning not done today"),
                 reports.task_filters(day=today, status="overdue"), "red")]
    return []


def cleaning_cards(actor, now: datetime) -> list[Card]:
    role = role_of(actor)
    if role not in CARD_ROLES or not may_read(actor, "environment.cleaning"):
        return []
    today = timezone.localdate(now)
    group = gettext("Environment")
    cards: list[Card] = []
    if role == Role.ENVIRONMENT and (phone := reports.url_or_none("environment:my_tasks")):
        cards.append(Card("environment.my_tasks", gettext("My cleaning: mark a zone done"), None, url=phone,
                          group=group))
    if reports.url_or_none("environment:tasks") is None:
        return cards
    for key, label, filters, tone in _specs(role, today):
        count = reports.filter_tasks(actor, filters, now).count()
        cards.append(Card(key, label, count, url=reports.tasks_url(filters), tone=tone if count else "",
                          group=group))
    return cards


def register() -> None:
    """Called once from the app's registry."""
    register_cards("environment.cleaning", cleaning_cards, roles=CARD_ROLES, order=35)
