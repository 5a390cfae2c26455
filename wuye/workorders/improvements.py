"""Improvement actions decided in the weekly complaint analysis (§2.2 "improvement actions tracked"): recorded with
an owner and a due date, and marked done — the last step of the closed loop (闭环)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wuye.core.access import Actor, require
from wuye.core.errors import Conflict, NotAllowed, Problems
from wuye.core.events import record_event

from .models import Category, ImprovementAction, Kind


def may_manage(actor: Actor) -> bool:
    return actor.may("workorders.manage_improvements")


def _require(actor: Actor, project_id: int) -> None:
    require(actor, "workorders.manage_improvements")
    if not actor.sees_project(project_id):
        raise NotAllowed(_("Your role may not do this."))


def _works_on(user, project) -> bool:
    from wuye.people.services import staff_with_role

    return any(staff.pk == user.pk for staff in staff_with_role(None, project))


@transaction.atomic
def create_improvement(actor: Actor, *, project, title: str, week: date, category: Category | None = None,
                       owner=None, due_on: date | None = None) -> ImprovementAction:
    """Record an improvement action for the analysis week starting on Monday `week`."""
    _require(actor, project.pk)
    problems = Problems()
    title = (title or "").strip()
    if not title:
        problems.add("title", _("Describe the improvement action."))
    elif len(title) > 200:
        problems.add("title", _("At most 200 characters."))
    if week.weekday() != 0:
        problems.add("week", _("The analysis week starts on a Monday."))
    if category is not None and (category.project_id != project.pk or category.kind != Kind.COMPLAINT):
        problems.add("category_id", _("The category does not belong to this project and kind."))
    if owner is not None and not _works_on(owner, project):
        problems.add("owner_id", _("The owner must be a staff member of this project."))
    if due_on is not None and due_on < week:
        problems.add("due_on", _("The due date is before the analysis week."))
    problems.raise_if_any()
    action = ImprovementAction.objects.create(project=project, category=category, title=title, owner=owner,
                                              week=week, due_on=due_on)
    record_event(action, "improvement.created", actor=actor.user, data={
        "title": title, "week": week.isoformat(), "category": category.name if category else None,
        "owner": owner.get_full_name() or owner.username if owner else None,
        "due_on": due_on.isoformat() if due_on else None,
    })
    _open_rectification(actor, action)
    return action


def _open_rectification(actor: Actor, action: ImprovementAction) -> None:
    """The action is carried out as a rectification (quality's one process for findings, with its time limit):
    for the category's department, else customer service; its person responsible is the assignee."""
    from wuye.core.access import Role
    from wuye.quality.rectifications import DEPARTMENTS, open_rectification

    category = action.category
    department = category.responsible_role if category is not None else ""
    if department not in DEPARTMENTS or department == Role.OWNER:
        department = Role.CUSTOMER_SERVICE
    open_rectification(action, project=action.project, title=action.title, department=department,
                       actor=actor, assignee=action.owner)


@transaction.atomic
def complete_improvement(actor: Actor, action: ImprovementAction, *, now: datetime | None = None):
    """Mark the action done (once)."""
    _require(actor, action.project_id)
    current = ImprovementAction.objects.select_for_update().get(pk=action.pk)
    if current.done_at is not None:
        raise Conflict(_("This improvement action is already done."))
    current.done_at = now or timezone.now()
    current.save(update_fields=["done_at"])
    late = current.due_on is not None and timezone.localdate(current.done_at) > current.due_on
    record_event(current, "improvement.done", actor=actor.user, data={
        "title": current.title,
        "late_days": (timezone.localdate(current.done_at) - current.due_on) // timedelta(days=1) if late else None,
    })
    return current
