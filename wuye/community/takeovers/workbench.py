"""Workbench cards for the takeover from the developer (wuye.web.workbench): engineering and the project manager
see the takeover findings still open and the handover documents missing. Each count is the rows of the list its
link opens (`services.open_findings`, `services.missing_documents`)."""

from __future__ import annotations

from datetime import datetime

from django.urls import reverse
from django.utils.translation import gettext

from wuye.core.access import Role, may_read
from wuye.web.workbench import Card, register_cards, role_of

from . import services

CARD_ROLES = frozenset({Role.ENGINEERING, Role.PROJECT_MANAGER, Role.COMPANY_ADMIN})


def takeover_cards(actor, now: datetime) -> list[Card]:
    if role_of(actor) not in CARD_ROLES or not may_read(actor, "takeovers.takeovers"):
        return []
    group = gettext("Takeover from the developer")
    findings = services.open_findings(actor).count()
    missing = services.missing_documents(actor).count()
    return [
        Card("takeovers.findings_open", gettext("Takeover findings open"), findings,
             url=reverse("takeovers:findings"), tone="amber" if findings else "", group=group),
        Card("takeovers.documents_missing", gettext("Handover documents missing"), missing,
             url=reverse("takeovers:missing_documents"), tone="red" if missing else "", group=group),
    ]


def register() -> None:
    register_cards("takeovers", takeover_cards, roles=CARD_ROLES, order=45)
