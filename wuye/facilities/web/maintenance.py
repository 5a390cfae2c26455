"""Facilities console pages: maintenance plans (list, page with done %, late and skipped tasks, new plan form) and
their tasks (list with filters, and the task page — the phone form a technician completes it on)."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wuye.core.access import get_scoped_or_404, scoped
from wuye.core.errors import DomainError, InvalidInput
from wuye.core.validators import digits
from wuye.tenancy.models import Project
from wuye.web.guards import staff_view
from wuye.web.paging import paginate

from .. import plans as service
from ..models import (
    STAFF_ROLES,
    Contractor,
    Equipment,
    EquipmentCategory,
    MaintenancePlan,
    MaintenanceTask,
    PlanFrequency,
    PlanKind,
    TaskStatus,
)

RESOURCE = "facilities.maintenance"
MAX_PHOTOS = 9


def _id(value) -> int | None:
    value = (value or "").strip()
    return int(value) if digits(value) and len(value) < 12 else None


def _day(value) -> date | None:
    try:
        day = date.fromisoformat((value or "")[:10])
    except ValueError:
        return None
    return day if service.EARLIEST <= day <= service.LATEST else None


@staff_view(reads=RESOURCE)
def plan_list(request):
    actor, today = request.actor, timezone.localdate()
    project = _id(request.GET.get("project"))
    rows = scoped(MaintenancePlan.objects.all(), actor).select_related("project", "category", "equipment")
    if project:
        rows = rows.filter(project_id=project)
    page = paginate(request, rows.order_by("project_id", "-is_active", "name"))
    counts = service.plan_counts([plan.pk for plan in page.object_list], today)
    return render(request, "facilities/maintenance/plans.html", {
        "page": page, "rows": [(plan, counts.get(plan.pk, {})) for plan in page.object_list],
        "projects": scoped(Project.objects.active(), actor).only("id", "name"), "project": project,
        "may_manage": actor.may("facilities.manage_plans"),
        "query": urlencode({"project": project} if project else {}),
    })


def _task_rows(tasks, today: date) -> list[dict]:
    return [{"task": task, "state": service.task_state(task, today),
             "label": service.STATE_LABELS[service.task_state(task, today)]} for task in tasks]


@staff_view(reads=RESOURCE)
def plan_detail(request, pk: int):
    actor, today = request.actor, timezone.localdate()
    plan = get_scoped_or_404(MaintenancePlan.objects.select_related("project", "category", "equipment",
                                                                     "contractor"), actor, pk=pk)
    tasks = MaintenanceTask.objects.filter(plan=plan).select_related("plan", "equipment", "completed_by")
    upcoming = tasks.filter(status=TaskStatus.SCHEDULED, due_on__gte=today).order_by("due_on", "id")[:30]
    past = tasks.filter(due_on__lt=today).order_by("-due_on", "-id")[:50]
    return render(request, "facilities/maintenance/plan.html", {
        "plan": plan, "summary": service.plan_summary(plan, today), "upcoming": _task_rows(upcoming, today),
        "past": _task_rows(past, today), "may_manage": actor.may("facilities.manage_plans"),
        "frequency": _frequency_text(plan),
    })


def _frequency_text(plan: MaintenancePlan) -> str:
    if plan.frequency == PlanFrequency.EVERY_N_DAYS:
        return _("Every %(count)s days") % {"count": plan.interval}
    if plan.frequency == PlanFrequency.MONTHLY:
        return _("Every %(count)s months") % {"count": plan.interval} if plan.interval > 1 else _("Monthly")
    if plan.frequency == PlanFrequency.SEASONAL:
        return _("On the 1st of month %(months)s") % {"months": "、".join(str(m) for m in plan.months)}
    return plan.get_frequency_display()


@require_POST
@staff_view(reads=RESOURCE)
def plan_toggle(request, pk: int):
    plan = get_scoped_or_404(MaintenancePlan.objects.all(), request.actor, pk=pk)
    try:
        service.set_plan_active(request.actor, plan, not plan.is_active)
    except DomainError as error:
        messages.error(request, error.message)
    return redirect(reverse("facilities:plan", args=[plan.pk]))


def _form_choices(actor) -> dict:
    projects = scoped(Project.objects.active(), actor).only("id", "name", "company_id")
    return {
        "projects": projects, "kinds": PlanKind.choices, "frequencies": PlanFrequency.choices,
        "departments": STAFF_ROLES, "months_all": range(1, 13),
        "categories": EquipmentCategory.objects.filter(company_id=actor.company_id) if actor.company_id
        else EquipmentCategory.objects.all(),
        "contractors": Contractor.objects.filter(company_id=actor.company_id, is_active=True) if actor.company_id
        else Contractor.objects.filter(is_active=True),
    }


def _int(value, default=None):
    value = (value or "").strip()
    return int(value) if digits(value.lstrip("-")) and len(value) < 7 else default


@staff_view("facilities.manage_plans", reads=RESOURCE)
def plan_new(request):
    actor = request.actor
    errors, form = {}, request.POST if request.method == "POST" else {}
    if request.method == "POST":
        post = request.POST
        try:
            project = scoped(Project.objects.all(), actor).filter(pk=_id(post.get("project"))).first()
            if project is None:
                raise _missing("project", _("Choose a project."))
            category = EquipmentCategory.objects.filter(pk=_id(post.get("category")),
                                                        company_id=project.company_id).first()
            equipment = scoped(Equipment.objects.all(), actor).filter(pk=_id(post.get("equipment")),
                                                                     project=project).first()
            contractor = Contractor.objects.filter(pk=_id(post.get("contractor")),
                                                   company_id=project.company_id).first()
            plan = service.create_plan(
                actor, project=project, name=post.get("name", "")[:200], kind=post.get("kind", ""),
                frequency=post.get("frequency", ""), interval=_int(post.get("interval"), -1),
                starts_on=_day(post.get("starts_on")) or (post.get("starts_on") or None),
                category=category, equipment=equipment, months=post.getlist("months")[:12],
                checklist=post.get("checklist", "")[:service.STEPS_MAX * (service.STEP_MAX + 2)],
                responsible_role=post.get("responsible_role", ""), contractor=contractor,
                lead_days=_int(post.get("lead_days"), -1), grace_days=_int(post.get("grace_days"), -1))
        except DomainError as error:
            errors = {problem.field: problem.message for problem in error.problems} or {"form": error.message}
        else:
            made = service.generate_tasks(plans=[plan])
            messages.success(request, _("Plan saved; %(count)s tasks made.") % {"count": made})
            return redirect(reverse("facilities:plan", args=[plan.pk]))
    return render(request, "facilities/maintenance/plan_form.html", {
        **_form_choices(actor), "errors": errors, "form": form,
        "chosen_months": [int(m) for m in request.POST.getlist("months") if digits(m)][:12]
        if request.method == "POST" else [],
    }, status=422 if errors else 200)


def _missing(field: str, message) -> DomainError:
    return InvalidInput(field, message)


def task_filters(get) -> dict:
    """The task list's filters; values out of range are ignored (a page, not an API)."""
    return {
        "status": get.get("status") if get.get("status") in service.TASK_FILTERS else "",
        "project": _id(get.get("project")) or "", "plan": _id(get.get("plan")) or "",
        "equipment": _id(get.get("equipment")) or "",
        "due_after": _day(get.get("due_after")) or "", "due_before": _day(get.get("due_before")) or "",
        "mine": get.get("mine") in ("on", "1", "true"),
    }


@staff_view(reads=RESOURCE)
def task_list(request):
    actor, today = request.actor, timezone.localdate()
    filters = task_filters(request.GET)
    page = paginate(request, service.filter_tasks(actor, filters, today))
    query = urlencode({key: ("on" if value is True else value) for key, value in filters.items() if value})
    return render(request, "facilities/maintenance/tasks.html", {
        "page": page, "rows": _task_rows(page.object_list, today), "filters": filters, "query": query,
        "statuses": [(key, service.STATE_LABELS[key]) for key in service.TASK_FILTERS],
        "projects": scoped(Project.objects.active(), actor).only("id", "name"),
    })


def _points(task: MaintenanceTask) -> list:
    return list(service._limits(task.equipment).values()) if task.equipment_id else []


def _task_context(request, task: MaintenanceTask, errors: dict | None = None) -> dict:
    from wuye.quality.evidence import evidence_for

    today = timezone.localdate()
    state = service.task_state(task, today)
    post = request.POST if errors else {}
    steps = []
    for number, step in enumerate(task.plan.checklist or (), start=1):
        steps.append({"number": number, "text": step, "ok": post.get(f"ok_{number}", ""),
                      "note": post.get(f"note_{number}", "")})
    results = [{"number": n, **r} for n, r in enumerate(task.results or (), start=1)]
    return {
        "task": task, "state": state, "state_label": service.STATE_LABELS[state], "steps": steps,
        "results": results, "points": [{"point": p, "value": post.get(f"reading_{p.code}", "")}
                                       for p in _points(task)],
        "photos": evidence_for(task), "errors": errors or {}, "post": post,
        "deadline": service.deadline(task.plan, task.due_on) - timedelta(minutes=1),
        "may_do": task.status == TaskStatus.SCHEDULED and service.may_do(request.actor, task),
        "may_skip": task.status == TaskStatus.SCHEDULED and (service.may_do(request.actor, task)
                                                             or request.actor.may("facilities.manage_plans")),
        "max_photos": MAX_PHOTOS,
    }


@staff_view(reads=RESOURCE)
def task_detail(request, pk: int):
    """The task's phone page: what to check, and the form to record it done (or skip it)."""
    actor = request.actor
    task = get_scoped_or_404(MaintenanceTask.objects.select_related("plan", "equipment", "project",
                                                                    "completed_by"), actor, pk=pk)
    if request.method != "POST":
        return render(request, "facilities/maintenance/task.html", _task_context(request, task))
    post = request.POST
    try:
        if post.get("action") == "skip":
            service.skip_task(actor, task, reason=post.get("reason", "")[:service.REASON_MAX + 1])
            messages.success(request, _("Task skipped."))
        else:
            results = []
            for number in range(1, len(task.plan.checklist or ()) + 1):
                ok = post.get(f"ok_{number}")
                results.append({"ok": {"1": True, "0": False}.get(ok),
                                "note": post.get(f"note_{number}", "")[:service.STEP_NOTE_MAX + 1]})
            readings = {p.code: post.get(f"reading_{p.code}", "").strip()[:30] for p in _points(task)
                        if post.get(f"reading_{p.code}", "").strip()}
            service.complete_task(actor, task, results=results, readings=readings,
                                  parts=post.get("parts", "")[:service.PARTS_MAX + 1],
                                  note=post.get("note", "")[:service.NOTE_MAX + 1],
                                  photos=request.FILES.getlist("photos")[:MAX_PHOTOS + 1])
            messages.success(request, _("Task recorded as done."))
    except DomainError as error:
        errors = {problem.field: problem.message for problem in error.problems} or {"form": error.message}
        task.refresh_from_db()
        return render(request, "facilities/maintenance/task.html", _task_context(request, task, errors),
                      status=error.status)
    return redirect(reverse("facilities:task", args=[task.pk]))


urlpatterns = [
    path("console/facilities/plans/", plan_list, name="plans"),
    path("console/facilities/plans/new/", plan_new, name="plan_new"),
    path("console/facilities/plans/<int:pk>/", plan_detail, name="plan"),
    path("console/facilities/plans/<int:pk>/toggle/", plan_toggle, name="plan_toggle"),
    path("console/facilities/tasks/", task_list, name="tasks"),
    path("console/facilities/tasks/<int:pk>/", task_detail, name="task"),
]
