"""The weekly complaint analysis (Pareto by category and building) and its improvement actions."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wuye.core.access import get_scoped_or_404, scoped
from wuye.core.errors import DomainError
from wuye.tenancy.models import Project
from wuye.web.forms import date_param
from wuye.web.guards import staff_view

from .. import improvements, reports
from ..forms import ImprovementForm, show_problems
from ..models import ImprovementAction
from .common import project_param


def _analysis_context(request, monday, project, form=None):
    actor = request.actor
    start, _end = reports.day_bounds(monday)
    end = start + timedelta(days=7)
    complaints = reports.complaints_between(actor, start, end, project)
    by_category = reports.pareto_by_category(complaints)
    by_building = reports.pareto_by_building(complaints)
    this_monday = reports.week_start(timezone.localdate())
    return {
        "monday": monday, "sunday": monday + timedelta(days=6), "previous": monday - timedelta(days=7),
        "next": monday + timedelta(days=7) if monday < this_monday else None,
        "project": project, "projects": scoped(Project.objects.active(), actor).only("id", "name"),
        "total": sum(row.count for row in by_category),
        "by_category": by_category, "by_building": by_building,
        "category_chart": reports.pareto_chart(by_category), "building_chart": reports.pareto_chart(by_building),
        "actions": reports.improvements_for_week(actor, monday, project),
        "earlier": reports.open_improvements_before(actor, monday, project),
        "may_manage": improvements.may_manage(actor),
        "form": form or ImprovementForm(actor=actor, project=project),
        "today": timezone.localdate(),
    }


@staff_view(reads="workorders.complaint_reports")
def analysis(request):
    monday = reports.week_start(date_param(request.GET.get("week"), timezone.localdate()))
    return render(request, "workorders/analysis.html", _analysis_context(request, monday, project_param(request)))


def _analysis_url(monday, project=None) -> str:
    query = {"week": monday.isoformat(), **({"project": project.pk} if project else {})}
    return f"{reverse('workorders:analysis')}?{urlencode(query)}"


@require_POST
@staff_view("workorders.view")
def improvement_create(request):
    actor = request.actor
    if not improvements.may_manage(actor):
        raise PermissionDenied
    monday = reports.week_start(date_param(request.POST.get("week"), timezone.localdate()))
    shown_project = project_param(request, "shown_project")
    form = ImprovementForm(request.POST, actor=actor)
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            improvements.create_improvement(actor, project=data["project"], category=data.get("category"),
                                            title=data["title"], owner=data.get("owner"), due_on=data.get("due_on"),
                                            week=monday)
        except DomainError as error:
            show_problems(form, error, form.SERVICE_FIELDS)
            status = error.status
        else:
            messages.success(request, _("Improvement action recorded."))
            return redirect(_analysis_url(monday, shown_project))
    context = _analysis_context(request, monday, shown_project, form=form)
    return render(request, "workorders/analysis.html", context, status=status)


@require_POST
@staff_view("workorders.view")
def improvement_done(request, pk: int):
    action = get_scoped_or_404(ImprovementAction.objects.all(), request.actor, pk=pk)
    try:
        improvements.complete_improvement(request.actor, action)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Marked as done: %(title)s") % {"title": action.title})
    back = request.POST.get("week") or action.week.isoformat()
    project = project_param(request)
    return redirect(_analysis_url(reports.week_start(date_param(back, action.week)), project))


urlpatterns = [
    path("console/complaints/analysis/", analysis, name="analysis"),
    path("console/complaints/improvements/", improvement_create, name="improvement_create"),
    path("console/complaints/improvements/<int:pk>/done/", improvement_done, name="improvement_done"),
]
