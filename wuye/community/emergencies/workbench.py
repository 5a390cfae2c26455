"""Workbench cards for emergencies (wuye.web.workbench): every staff role of the project sees the active
incidents; the duty officers and the manager also see the steps past their time limit. Each count is the rows of
the list its link opens (`emergencies:list?status=active`, `emergencies:list?late=1`)."""

from __future__ import annotations

from datetime import datetime

from django.urls import reverse
from django.utils.translation import gettext

from wuye.core.access import STAFF_ROLES, may_read
from wuye.web.workbench import Card, register_cards

from .incidents import active_incidents, incidents, late_steps


def active_url() -> str:
    return reverse("emergencies:list") + "?status=active"


def late_url() -> str:
    return reverse("emergencies:list") + "?late=1"


def incidents_with_late_steps(actor, now: datetime | None = None):
    """Active incidents in scope with at least one step late (the list `?late=1` opens)."""
    return incidents(actor).filter(pk__in=late_steps(actor, now).values("incident_id"))


def active_figure(actor):
    """The community home's figure: active incidents now."""
    count = active_incidents(actor).count()
    return (count, gettext("active"), active_url()) if count else None


def emergency_cards(actor, now: datetime) -> list[Card]:
    if not may_read(actor, "emergencies.incidents"):
        return []
    group = gettext("Emergencies")
    active = active_incidents(actor).count()
    cards = [Card("emergencies.active", gettext("Active incidents"), active, url=active_url(),
                  tone="red" if active else "", group=group)]
    if actor.may("emergencies.start") or actor.may("emergencies.close"):
        late = incidents_with_late_steps(actor, now).count()
        cards.append(Card("emergencies.late", gettext("Incidents with steps past their time limit"), late,
                          url=late_url(), tone="red" if late else "", group=group))
    return cards


def register() -> None:
    register_cards("emergencies", emergency_cards, roles=STAFF_ROLES, order=20)
