"""Facilities cards and to-dos on the workbench (wuye.web.workbench).

Each card's count is the number of rows of the list its link opens: task cards count with `plans.filter_tasks` for
the task list's filter values and link to the task list with those values; fault cards likewise with the fault
list's filters; entrapment cards with the entrapment list's status (all through `facilities.reports`). The
readings due are a figure on a link to the duty page (a page grouped by project, not a paged list).

- engineering: my tasks due today, my overdue tasks, open faults, faults awaiting their test, readings due, and
  a link to the phone hub (my day);
- order and security: their department's checks due (extinguishers, hydrants, sweeps, drills), overdue ones,
  active entrapments;
- project manager, quality, administration: overdue tasks, open major faults, active entrapments.

To-dos: the running facilities clocks that are the actor's, nearest deadline first (`reports.my_clocks`).
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext

from wuye.core.access import Role, may_read
from wuye.web.workbench import Card, Todo, register_cards, register_todos, role_of

from . import reports
from .models import EntrapmentStatus, FaultSeverity, FaultStatus

MANAGERS = frozenset({Role.PROJECT_MANAGER, Role.QUALITY, Role.COMPANY_ADMIN})
CARD_ROLES = MANAGERS | {Role.ENGINEERING, Role.SECURITY}


def _task_specs(role: str, today) -> list[tuple[str, str, dict, str]]:
    """(key, label, task-list filters, tone) of the task cards a role gets."""
    if role == Role.ENGINEERING:
        return [
            ("facilities.tasks.mine_today", gettext("My maintenance due today"),
             reports.task_filters(mine=True, due_after=today, due_before=today), "amber"),
            ("facilities.tasks.mine_overdue", gettext("My overdue maintenance"),
             reports.task_filters(mine=True, status="overdue"), "red"),
        ]
    if role == Role.SECURITY:
        return [
            # Due and not yet overdue: the overdue ones are the next card's, a task counts on one card only.
            ("facilities.tasks.mine_due", gettext("Fire checks and sweeps due"),
             reports.task_filters(mine=True, status="scheduled"), "amber"),
            ("facilities.tasks.mine_overdue", gettext("Overdue fire checks and sweeps"),
             reports.task_filters(mine=True, status="overdue"), "red"),
        ]
    if role in MANAGERS:
        return [("facilities.tasks.overdue", gettext("Overdue maintenance tasks"),
                 reports.task_filters(status="overdue"), "red")]
    return []


def _fault_specs(role: str) -> list[tuple[str, str, dict, str]]:
    if role == Role.ENGINEERING:
        return [
            ("facilities.faults.open", gettext("Open equipment faults"), reports.fault_filters(open=True), ""),
            ("facilities.faults.testing", gettext("Faults awaiting their test"),
             reports.fault_filters(status=FaultStatus.TESTING), "amber"),
        ]
    if role in MANAGERS:
        return [("facilities.faults.major", gettext("Open major faults"),
                 reports.fault_filters(open=True, severity=FaultSeverity.MAJOR), "red")]
    return []


def facility_cards(actor, now: datetime) -> list[Card]:
    role = role_of(actor)
    if role not in CARD_ROLES or not may_read(actor, "facilities.equipment"):
        return []
    today = timezone.localdate(now)
    group = gettext("Facilities")
    cards: list[Card] = []
    if role == Role.ENGINEERING and (hub := reports.url_or_none("facilities:my_day")):
        cards.append(Card("facilities.my_day", gettext("My day: tasks, faults, scan an item"), None, url=hub,
                          group=group))
    # Every count of the page in one query (reports.count_all): (key, label, rows, url, tone, hint).
    specs = []
    if reports.url_or_none("facilities:tasks") and may_read(actor, "facilities.maintenance"):
        specs += [(key, label, reports.task_rows(actor, filters, today), reports.tasks_url(filters), tone, "")
                  for key, label, filters, tone in _task_specs(role, today)]
    if reports.url_or_none("facilities:faults") and may_read(actor, "facilities.faults"):
        specs += [(key, label, reports.fault_rows(actor, filters), reports.faults_url(filters), tone, "")
                  for key, label, filters, tone in _fault_specs(role)]
    if role == Role.SECURITY and may_read(actor, "facilities.fire") and (sweeps := reports.sweeps_url(today)):
        from .fire import sweeps_required_per_month

        specs.append(("facilities.sweeps.month", gettext("Hazard sweeps this month"),
                      reports.sweeps_in_month(actor, today), sweeps, "",
                      gettext("%(n)s a month per project") % {"n": sweeps_required_per_month()}))
    # Every role with cards sees an entrapment going on: security runs to it, engineering calls the contractor.
    entrapments_url = reports.entrapments_url(EntrapmentStatus.ACTIVE)
    if entrapments_url and may_read(actor, "facilities.entrapments"):
        specs.append(("facilities.entrapments.active", gettext("People trapped in an elevator now"),
                      reports.active_entrapments(actor), entrapments_url, "red", ""))
    counts = reports.count_all(actor.user, {key: rows for key, _label, rows, _url, _tone, _hint in specs})
    cards += [Card(key, label, counts[key], url=url, tone=tone if counts[key] else "", hint=hint, group=group)
              for key, label, rows, url, tone, hint in specs]
    if role == Role.ENGINEERING and may_read(actor, "facilities.operation") and (
            duty := reports.url_or_none("facilities:readings")):
        due = reports.readings_due_count(actor, now)
        cards.append(Card("facilities.readings.due", gettext("Items due for readings"), None, url=duty,
                          figure=str(due), tone="amber" if due else "", group=group))
    return cards


def _what(clock) -> str:
    return str(clock.policy.name)


def _title(subject) -> tuple[str, str]:
    """(title, detail) of a clock's subject as a to-do reads it."""
    from .models import Entrapment, Fault, Handover, MaintenanceTask

    if isinstance(subject, MaintenanceTask):
        title = subject.equipment.name if subject.equipment_id else subject.plan.name
        return title, f"{subject.project.name} · {subject.plan.name}"
    if isinstance(subject, Fault):
        return f"{subject.equipment.name} · {subject.title}", subject.project.name
    if isinstance(subject, Entrapment):
        return str(subject), subject.project.name
    if isinstance(subject, Handover):
        return f"{subject.post.name} · {subject.outgoing_shift}", subject.project.name
    return str(subject), ""


def facility_todos(actor, now: datetime) -> list[Todo]:
    # The environment department sees no equipment but confirms the handovers of its own posts.
    if not (may_read(actor, "facilities.equipment") or may_read(actor, "facilities.handovers")):
        return []
    todos = []
    for clock, subject in reports.my_clocks(actor):
        url = reports.url_of(subject)
        if not url:
            continue
        title, detail = _title(subject)
        todos.append(Todo(what=_what(clock), title=title, due_at=clock.due_at, url=url, detail=detail))
    return todos


def register() -> None:
    register_cards("facilities", facility_cards, roles=CARD_ROLES, order=30)
    register_todos("facilities", facility_todos, roles=CARD_ROLES | {Role.CUSTOMER_SERVICE, Role.ENVIRONMENT})
