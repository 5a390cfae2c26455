"""Environment pages: greening — the plans by area and season with this week's tasks, a new plan, one plan (edit,
pause or resume, its tasks), and one task (done on the phone with a photo)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from wuye.core.access import Role, get_scoped_or_404, scoped
from wuye.core.errors import DomainError
from wuye.core.validators import digits
from wuye.tenancy.models import Project
from wuye.web.guards import staff_view

from .. import greening as service
from ..models import GreeningActivity, GreeningPlan, GreeningTask, TaskStatus

RESOURCE = "environment.greening"
MONTHS = tuple(range(1, 13))


def _id(value) -> int | None:
    value = (value or "").strip()
    return int(value) if digits(value) and len(value) < 12 else None


def _projects(actor):
    return scoped(Project.objects.all(), actor).only("id", "name").order_by("id")


def _gardeners(actor):
    """The environment department's staff of the actor's company, named (never their login)."""
    users = get_user_model().objects.filter(is_active=True, staff_profile__role=Role.ENVIRONMENT)
    if actor.company_id:
        users = users.filter(staff_profile__company_id=actor.company_id)
    return users.order_by("last_name", "first_name", "id")


def _errors(error: DomainError) -> dict:
    found = {}
    for problem in error.problems or []:
        found.setdefault(problem.field.split("[")[0], problem.message)
    if not error.problems:
        found["form"] = error.message
    return found


@staff_view(reads=RESOURCE)
def greening(request):
    """The plans by area (each with its seasons and interval) and this week's tasks."""
    actor, today = request.actor, timezone.localdate()
    project = _id(request.GET.get("project"))
    plans = service.visible_plans(actor)
    tasks = service.tasks_between(actor, today, today + timedelta(days=6))
    if project:
        plans, tasks = plans.filter(project_id=project), tasks.filter(project_id=project)
    areas: dict[tuple, list] = {}
    for plan in plans.order_by("project_id", "area", "activity")[:500]:
        areas.setdefault((plan.project.name, plan.area), []).append((plan, service.seasons_of(plan)))
    task_rows = [(task, service.task_state(task)) for task in tasks[:300]]
    return render(request, "environment/greening/list.html", {
        "areas": [(project_name, area, rows) for (project_name, area), rows in areas.items()],
        "tasks": task_rows, "labels": service.STATE_LABELS, "projects": _projects(actor), "project": project,
        "may_manage": actor.may("environment.manage"), "today": today})


def _posted_plan(request) -> dict:
    return {"project": request.POST.get("project", ""), "area": request.POST.get("area", "")[:200],
            "activity": request.POST.get("activity", "")[:30],
            "months": [value for value in request.POST.getlist("months")[:12]],
            "every_days": request.POST.get("every_days", "")[:6],
            "instructions": request.POST.get("instructions", "")[:400],
            "gardener": request.POST.get("gardener", "")}


def _gardener(actor, value):
    pk = _id(value)
    return _gardeners(actor).filter(pk=pk).first() if pk else None


@staff_view(reads=RESOURCE)
def plan_new(request):
    actor = request.actor
    if not actor.may("environment.manage"):
        raise PermissionDenied
    post, errors, status = {"months": []}, {}, None
    if request.method == "POST":
        post = _posted_plan(request)
        project = _projects(actor).filter(pk=_id(post["project"])).first()
        try:
            if project is None:
                errors["project"] = _("Choose a project.")
            else:
                plan = service.create_plan(actor, project=project, area=post["area"], activity=post["activity"],
                                           months=post["months"], every_days=post["every_days"] or None,
                                           instructions=post["instructions"],
                                           gardener=_gardener(actor, post["gardener"]))
                service.generate_tasks(timezone.localdate())
                messages.success(request, _("Plan saved: its tasks are made a week ahead."))
                return redirect("environment:greening_plan", plan.pk)
        except DomainError as error:
            errors = _errors(error)
        status = 422
    return render(request, "environment/greening/plan_form.html", {
        "post": post, "errors": errors, "projects": _projects(actor), "activities": GreeningActivity.choices,
        "months": MONTHS, "gardeners": _gardeners(actor), "plan": None}, status=status)


@staff_view(reads=RESOURCE)
def plan_detail(request, pk: int):
    """One plan: its schedule (editable by the department's management), pause / resume, its recent and coming
    tasks."""
    actor, today = request.actor, timezone.localdate()
    plan = get_scoped_or_404(GreeningPlan.objects.select_related("project", "gardener"), actor, pk=pk)
    may_manage = actor.may("environment.manage")
    post = {"area": plan.area, "months": [str(month) for month in plan.months or ()],
            "every_days": str(plan.every_days), "instructions": plan.instructions,
            "gardener": str(plan.gardener_id or "")}
    errors, status = {}, None
    if request.method == "POST":
        if not may_manage:
            raise PermissionDenied
        action = request.POST.get("action", "save")
        try:
            if action in ("pause", "resume"):
                service.set_plan_active(actor, plan, active=action == "resume")
                messages.success(request, _("Plan resumed.") if action == "resume" else _("Plan paused."))
            else:
                post = _posted_plan(request)
                service.update_plan(actor, plan, area=post["area"], months=post["months"],
                                    every_days=post["every_days"], instructions=post["instructions"],
                                    gardener=_gardener(actor, post["gardener"]))
                service.generate_tasks(today)
                messages.success(request, _("Plan saved."))
            return redirect("environment:greening_plan", plan.pk)
        except DomainError as error:
            errors, status = _errors(error), error.status
    tasks = plan.tasks.select_related("done_by").filter(due_on__gte=today - timedelta(days=28)) \
        .order_by("-due_on")[:60]
    return render(request, "environment/greening/plan.html", {
        "plan": plan, "post": post, "errors": errors, "may_manage": may_manage, "months": MONTHS,
        "gardeners": _gardeners(actor), "seasons": service.seasons_of(plan),
        "tasks": [(task, service.task_state(task)) for task in tasks], "labels": service.STATE_LABELS,
        "today": today}, status=status)


@staff_view(reads=RESOURCE)
def task_detail(request, pk: int):
    """One greening task; the gardener records it done on the phone with a note and photos."""
    from wuye.core.photos import MAX_PHOTOS
    from wuye.quality.evidence import evidence_for

    actor = request.actor
    task = get_scoped_or_404(GreeningTask.objects.select_related("plan", "project", "done_by"), actor, pk=pk)
    may_do = task.status == TaskStatus.SCHEDULED and service.may_do(actor, task)
    # A task whose day has not come is not offered (a POST is refused by the service: 409).
    not_yet = service.too_early(task, timezone.now()) if task.status == TaskStatus.SCHEDULED else None
    errors, status, note = {}, None, ""
    if request.method == "POST":
        if not may_do:
            raise PermissionDenied
        note = request.POST.get("note", "")[:1000]
        try:
            service.complete_task(actor, task, note=note, photos=request.FILES.getlist("photos")[:20])
        except DomainError as error:
            errors, status = _errors(error), error.status
        else:
            messages.success(request, _("Recorded as done."))
            return redirect("environment:greening_task", task.pk)
    state = service.task_state(task)
    return render(request, "environment/greening/task.html", {
        "task": task, "state": state, "state_label": service.STATE_LABELS[state], "not_yet": not_yet,
        "may_do": may_do and not not_yet,
        "deadline": service.deadline(task), "errors": errors, "note": note, "photos": list(evidence_for(task)),
        "max_photos": MAX_PHOTOS}, status=status)


urlpatterns = [
    path("console/environment/greening/", greening, name="greening"),
    path("console/environment/greening/plans/new/", plan_new, name="greening_plan_new"),
    path("console/environment/greening/plans/<int:pk>/", plan_detail, name="greening_plan"),
    path("console/environment/greening/tasks/<int:pk>/", task_detail, name="greening_task"),
]
