"""Workbench cards for order/security and the front desk (wuye.web.workbench).

Each card's count is the number of rows of the list its link opens (`security.reports`: the patrol cards count
`round_rows` / `missed_rows` with the list's own filter values; the gate, goods and parking cards count the other
streams' list functions and link to their lists). A card whose function or page is not there yet is left out.

- order and security: missed checkpoints today, rounds under way, visitors inside, goods slips to verify today,
  cars inside now;
- customer service: visitors waiting for the unit's confirmation, goods releases awaiting approval;
- project manager, quality, administration: missed checkpoints today, patrol completion this week (a figure).

To-dos (order and security): the running patrol clocks of rounds that are mine or nobody's yet, nearest first.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _t

from wuye.core.access import Role, may_read, scoped
from wuye.web.workbench import Card, Todo, register_cards, register_todos, role_of

from . import reports

MANAGERS = frozenset({Role.PROJECT_MANAGER, Role.QUALITY, Role.COMPANY_ADMIN})
CARD_ROLES = MANAGERS | {Role.SECURITY, Role.CUSTOMER_SERVICE}


def _specs(actor, role: str, now: datetime) -> list[tuple]:
    """(key, label, rows, url, tone) of the counted cards `role` gets (rows None: that list is not there yet)."""
    today = timezone.localdate(now)
    other = reports.elsewhere(today)
    specs = []
    patrols = may_read(actor, "security.patrols")
    missed = reports.missed_filters(since=today, until=today)
    if patrols and (role == Role.SECURITY or role in MANAGERS) and reports.url_or_none("security:missed"):
        specs.append(("security.patrol.missed_today", _t("Missed checkpoints today"),
                      reports.missed_rows(actor, missed, today), reports.missed_url(missed), "red"))
    if role == Role.SECURITY:
        if patrols and reports.url_or_none("security:rounds"):
            under_way = reports.round_filters(day=today, status="open")
            specs.append(("security.patrol.under_way", _t("Patrol rounds under way"),
                          reports.round_rows(actor, under_way), reports.rounds_url(under_way), ""))
        specs += [
            ("security.visitors.inside", _t("Visitors inside"), reports.visitors_inside(actor),
             other["visitors_inside"], ""),
            ("security.goods.to_verify", _t("Goods slips to verify today"), reports.slips_to_verify(actor, today),
             other["slips_to_verify"], "amber"),
            ("security.parking.inside", _t("Cars inside now"), reports.open_sessions(actor),
             other["open_sessions"], ""),
        ]
    if role == Role.CUSTOMER_SERVICE:
        specs += [
            ("security.visitors.waiting", _t("Visitors waiting for the unit's confirmation"),
             reports.visitors_waiting(actor), other["visitors_waiting"], "amber"),
            ("security.goods.awaiting_approval", _t("Goods releases awaiting approval"),
             reports.awaiting_approval(actor), other["awaiting_approval"], "amber"),
        ]
    return [spec for spec in specs if spec[2] is not None and spec[3]]


def security_cards(actor, now: datetime) -> list[Card]:
    role = role_of(actor)
    if role not in CARD_ROLES:
        return []
    group = _t("Order and security")
    cards: list[Card] = []
    if role == Role.SECURITY and actor.may("security.patrol") and (hub := reports.url_or_none("security:scan")):
        cards.append(Card("security.patrol.scan", _t("Patrol: my rounds, scan a checkpoint"), None, url=hub,
                          group=group))
    specs = _specs(actor, role, now)
    parts = {key: rows for key, _label, rows, _url, _tone in specs}
    rounds = reports.url_or_none("security:rounds")
    week = role in MANAGERS and may_read(actor, "security.patrols") and rounds
    if week:  # the week's completion (reports.completion_this_week's rows) counted in the same query
        parts["week.done"], parts["week.due"] = reports.completion_parts(actor, timezone.localdate(now))
    counts = reports.count_all(actor.user, parts)
    cards += [Card(key, label, counts[key], url=url, tone=tone if counts[key] else "", group=group)
              for key, label, _rows, url, tone in specs]
    if week:
        done, due = counts["week.done"], counts["week.due"]
        figure = f"{done * 100 / due:.1f}%" if due else "—"
        cards.append(Card("security.patrol.completion_week", _t("Patrol completion this week"), None, url=rounds,
                          figure=figure, hint=_t("%(done)s of %(due)s checkpoints") % {"done": done, "due": due},
                          tone="amber" if due and done < due else "", group=group))
    return cards


def my_clocks(actor, limit: int = 40) -> list[tuple]:
    """Running patrol clocks (`patrol.round`, `patrol.checkpoint`) of open rounds that are the actor's or nobody's
    yet, nearest deadline first, each with its round or visit."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Q

    from wuye.sla.models import Clock, ClockState

    from .models import CheckpointVisit, PatrolRound, RoundStatus

    user_id = getattr(actor.user, "pk", None)
    rounds = scoped(PatrolRound.objects.filter(status=RoundStatus.OPEN), actor)
    if user_id:
        rounds = rounds.filter(Q(guard__isnull=True) | Q(guard_id=user_id))
    types = ContentType.objects.get_for_models(PatrolRound, CheckpointVisit)
    clocks = list(scoped(Clock.objects.filter(state=ClockState.RUNNING, key__startswith="patrol."), actor)
                  .filter(Q(subject_type=types[PatrolRound], subject_id__in=rounds.values("pk"))
                          | Q(subject_type=types[CheckpointVisit],
                              subject_id__in=CheckpointVisit.objects.filter(round__in=rounds.values("pk"))
                              .values("pk")))
                  .select_related("policy").order_by("due_at", "id")[:limit])
    wanted = {model: [c.subject_id for c in clocks if c.subject_type_id == content_type.pk]
              for model, content_type in types.items()}
    subjects = {(PatrolRound, pk): row for pk, row in PatrolRound.objects.select_related("route", "project")
                .in_bulk(wanted[PatrolRound]).items()}
    subjects |= {(CheckpointVisit, pk): row for pk, row in CheckpointVisit.objects.select_related(
        "checkpoint", "round__route", "project").in_bulk(wanted[CheckpointVisit]).items()}
    model_of = {content_type.pk: model for model, content_type in types.items()}
    return [(clock, subjects[(model_of[clock.subject_type_id], clock.subject_id)]) for clock in clocks
            if (model_of[clock.subject_type_id], clock.subject_id) in subjects]


def security_todos(actor, now: datetime) -> list[Todo]:
    from .models import CheckpointVisit

    if not (may_read(actor, "security.patrols") and actor.may("security.patrol")):
        return []
    todos = []
    for clock, subject in my_clocks(actor):
        if isinstance(subject, CheckpointVisit):
            title = f"{subject.checkpoint.name} · {subject.round.route.name}"
        else:
            title = str(subject)
        todos.append(Todo(what=str(clock.policy.name), title=title, due_at=clock.due_at,
                          url=subject.get_absolute_url(), detail=subject.project.name))
    return todos


def register() -> None:
    register_cards("security", security_cards, roles=CARD_ROLES, order=35)
    register_todos("security", security_todos, roles={Role.SECURITY})
