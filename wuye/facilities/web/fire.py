"""Facilities console pages: fire safety — hazard sweeps (list with the month's count against twice a month, the
form with add-able finding rows, one sweep with each finding's rectification state) and fire drills (list with the
year's count, the form with photos, one drill)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wuye.core.access import get_scoped_or_404, scoped
from wuye.core.errors import DomainError
from wuye.core.validators import digits
from wuye.quality.evidence import evidence_for
from wuye.quality.models import Severity
from wuye.tenancy.models import Project
from wuye.web.guards import staff_view
from wuye.web.paging import paginate

from .. import fire as service
from ..models import STAFF_ROLES, FireDrill, HazardSweep, MaintenanceTask, PlanKind, TaskStatus

FINDING_ROWS = 3  # empty finding rows the form starts with; "add a row" adds one more
MAX_PHOTOS = 9


def _projects(actor):
    return scoped(Project.objects.active(), actor).only("id", "name").order_by("name")


def _month(request, today) -> tuple[int, int]:
    """`?month=2026-10` (the month picker), else this month."""
    year, _sep, month = (request.GET.get("month") or "").partition("-")
    if digits(year) and digits(month) and 2000 <= int(year) <= 2100 and 1 <= int(month) <= 12:
        return int(year), int(month)
    return today.year, today.month


def _project_filter(request, projects) -> int | None:
    raw = request.GET.get("project") or ""
    ids = {project.pk for project in projects}
    return int(raw) if digits(raw) and int(raw) in ids else None


def _errors(error: DomainError) -> dict:
    return {problem.field or "form": problem.message for problem in error.problems} or {"form": error.message}


# -- sweeps ---------------------------------------------------------------------------------------------------------
@staff_view(reads="facilities.fire")
def sweep_list(request):
    actor, now = request.actor, timezone.now()
    today = timezone.localdate(now)
    year, month = _month(request, today)
    projects = list(_projects(actor))
    project = _project_filter(request, projects)
    sweeps = scoped(HazardSweep.objects.all(), actor)
    # The month's count per project against the seed's twice a month.
    targets = service.sweep_targets(sweeps, [one for one in projects if project in (None, one.pk)], year, month)
    start, end = service.month_bounds(year, month)
    rows = sweeps.filter(conducted_at__gte=start, conducted_at__lt=end).select_related("project", "inspector")
    if project:
        rows = rows.filter(project_id=project)
    page = paginate(request, rows)
    listed = []
    for sweep, findings in service.sweeps_with_findings(page.object_list, now):
        states = [row["state"] for row in findings]
        listed.append({"sweep": sweep, "findings": len(states), "open": sum(s in ("open", "submitted") for s in states),
                       "overdue": states.count("overdue"), "closed": states.count("closed")})
    return render(request, "facilities/fire/sweeps.html", {
        "page": page, "rows": listed, "targets": targets, "projects": projects, "project": project,
        "month_value": f"{year:04d}-{month:02d}", "required": service.sweeps_required_per_month(),
        "may_record": actor.may("facilities.fire_safety"),
    })


@staff_view(reads="facilities.fire")
def sweep_detail(request, pk: int):
    sweep = get_scoped_or_404(HazardSweep.objects.select_related("project", "inspector", "task__plan"),
                              request.actor, pk=pk)
    findings = service.findings_with_status(sweep.findings.select_related("equipment"), timezone.now())
    return render(request, "facilities/fire/sweep.html", {"sweep": sweep, "findings": findings})


def _open_tasks(actor, kind: str):
    return scoped(MaintenanceTask.objects.filter(plan__kind=kind, status=TaskStatus.SCHEDULED), actor) \
        .select_related("plan", "project").order_by("due_on")[:20]


def _finding_rows(post) -> list[dict]:
    titles = post.getlist("finding_title")[:service.FINDINGS_MAX + 1]
    keys = ("location", "severity", "department", "equipment")
    columns = {key: post.getlist(f"finding_{key}") for key in keys}
    rows = []
    for number, title in enumerate(titles):
        row = {"title": title}
        for key in keys:
            values = columns[key]
            row[key] = values[number] if number < len(values) else ""
        rows.append(row)
    return rows


def _sweep_form(request, *, rows, errors=None, status=200, values=None):
    return render(request, "facilities/fire/sweep_new.html", {
        "projects": _projects(request.actor), "rows": rows, "errors": errors or {}, "values": values or {},
        "severities": Severity.choices, "departments": STAFF_ROLES,
        "tasks": _open_tasks(request.actor, PlanKind.HAZARD_SWEEP),
    }, status=status)


@staff_view("facilities.fire_safety", reads="facilities.fire")
def sweep_new(request):
    blank = {"title": "", "location": "", "severity": "minor", "department": "security", "equipment": ""}
    if request.method != "POST":
        return _sweep_form(request, rows=[dict(blank) for _n in range(FINDING_ROWS)],
                           values={"project": request.GET.get("project", ""), "task": request.GET.get("task", "")})
    post = request.POST
    rows = _finding_rows(post)
    if "add_row" in post:
        return _sweep_form(request, rows=[*rows, dict(blank)], values=post)
    # Rows left empty are the form's spare rows, not findings.
    findings = [{**row, "equipment": row["equipment"] or None} for row in rows if (row["title"] or "").strip()]
    try:
        project = _projects(request.actor).filter(pk=int(post.get("project") or 0)).first()
        sweep = service.record_sweep(request.actor, project=project, areas=post.get("areas", ""),
                                     findings=findings, note=post.get("note", ""), task=post.get("task") or None,
                                     at=post.get("at") or None)
    except (DomainError, ValueError) as error:
        errors = _errors(error) if isinstance(error, DomainError) else {"project": str(_("No such project."))}
        # Findings' problems name their submitted row; the form shows them at that row.
        filled = [row for row in rows if (row["title"] or "").strip()]
        for number, row in enumerate(filled):
            row["errors"] = [message for field, message in errors.items() if field.startswith(f"findings[{number}]")]
        spare = [row for row in rows if not (row["title"] or "").strip()]
        return _sweep_form(request, rows=[*filled, *spare],
                           errors=errors, status=getattr(error, "status", 422), values=post)
    messages.success(request, str(_("Sweep recorded; each hazard found is now a rectification.")))
    return redirect(reverse("facilities:sweep", args=[sweep.pk]))


# -- drills ---------------------------------------------------------------------------------------------------------
@staff_view(reads="facilities.fire")
def drill_list(request):
    actor = request.actor
    today = timezone.localdate()
    raw = request.GET.get("year") or ""
    year = int(raw) if digits(raw) and 2000 <= int(raw) <= 2100 else today.year
    projects = list(_projects(actor))
    project = _project_filter(request, projects)
    drills = scoped(FireDrill.objects.all(), actor)
    targets = service.drill_targets(drills, [one for one in projects if project in (None, one.pk)], year)
    start, end = service.year_bounds(year)
    rows = drills.filter(held_at__gte=start, held_at__lt=end).select_related("project", "recorded_by")
    if project:
        rows = rows.filter(project_id=project)
    return render(request, "facilities/fire/drills.html", {
        "page": paginate(request, rows), "targets": targets, "projects": projects, "project": project,
        "year": year, "required": service.drills_required_per_year(),
        "may_record": actor.may("facilities.fire_safety"),
    })


@staff_view(reads="facilities.fire")
def drill_detail(request, pk: int):
    drill = get_scoped_or_404(FireDrill.objects.select_related("project", "recorded_by", "task__plan"),
                              request.actor, pk=pk)
    return render(request, "facilities/fire/drill.html", {
        "drill": drill, "names": service.participant_names(drill.participants), "photos": evidence_for(drill)})


@staff_view("facilities.fire_safety", reads="facilities.fire")
def drill_new(request):
    context = {"projects": _projects(request.actor), "tasks": _open_tasks(request.actor, PlanKind.FIRE_DRILL),
               "max_photos": MAX_PHOTOS, "errors": {}, "values": {"project": request.GET.get("project", ""),
                                                                  "task": request.GET.get("task", "")}}
    if request.method != "POST":
        return render(request, "facilities/fire/drill_new.html", context)
    post = request.POST
    try:
        project = _projects(request.actor).filter(pk=int(post.get("project") or 0)).first()
        held_at = post.get("held_at") or None
        drill = service.record_drill(
            request.actor, project=project, held_at=held_at, scenario=post.get("scenario", ""),
            participants=post.get("participants", ""), participant_count=post.get("participant_count") or 0,
            owners_count=post.get("owners_count") or 0, summary=post.get("summary", ""),
            photos=request.FILES.getlist("photos")[:MAX_PHOTOS + 1], task=post.get("task") or None)
    except (DomainError, ValueError) as error:
        errors = _errors(error) if isinstance(error, DomainError) else {"project": str(_("No such project."))}
        return render(request, "facilities/fire/drill_new.html", {**context, "errors": errors, "values": post},
                      status=getattr(error, "status", 422))
    messages.success(request, str(_("Drill recorded.")))
    return redirect(reverse("facilities:drill", args=[drill.pk]))


urlpatterns = [
    path("console/facilities/fire/sweeps/", sweep_list, name="sweeps"),
    path("console/facilities/fire/sweeps/new/", sweep_new, name="sweep_new"),
    path("console/facilities/fire/sweeps/<int:pk>/", sweep_detail, name="sweep"),
    path("console/facilities/fire/drills/", drill_list, name="drills"),
    path("console/facilities/fire/drills/new/", drill_new, name="drill_new"),
    path("console/facilities/fire/drills/<int:pk>/", drill_detail, name="drill"),
]
