"""Emergencies console pages (应急): the incident list (active first), one incident with its steps and their
clocks, the log with photos and the actions the person may take, the start form (the level suggested from kind
and buildings affected), the after-action report PDF, and the playbooks (read; the manager edits step minutes)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from wuye.core.access import get_scoped_or_404, may_read, scoped
from wuye.core.downloads import attachment
from wuye.core.errors import DomainError, InvalidInput
from wuye.tenancy.models import Building, Project
from wuye.web.guards import staff_view
from wuye.web.paging import paginate

from .. import incidents as service
from ..models import IncidentKind, IncidentStatus, IncidentStep, Level, Playbook, PlaybookStep
from ..playbooks import install_default_playbooks, playbooks, set_step_minutes

RESOURCE = "emergencies.incidents"


def _errors(error: DomainError) -> dict:
    return {problem.field or "form": problem.message for problem in error.problems} or {"form": error.message}


@staff_view(reads=RESOURCE)
def incident_list(request):
    actor = request.actor
    rows = service.incidents(actor)
    status = request.GET.get("status") or ""
    if status in IncidentStatus.values:
        rows = rows.filter(status=status)
    else:
        status = ""
    late = request.GET.get("late") == "1"
    if late:
        rows = rows.filter(pk__in=service.late_steps(actor).values("incident_id"))
    page = paginate(request, rows)
    return render(request, "emergencies/list.html", {
        "page": page, "rows": page.object_list, "statuses": IncidentStatus.choices, "status": status,
        "late": late, "may_start": actor.may("emergencies.start")})


def _detail(request, incident, errors=None, status=200):
    from wuye.core.events import timeline

    actor = request.actor
    rows = service.step_rows(incident)
    for row in rows:
        row["may_complete"] = (incident.status == IncidentStatus.ACTIVE and row["open"] and not row["step"].mirrors
                               and service.may_complete(actor, row["step"]))
    return render(request, "emergencies/detail.html", {
        "incident": incident, "steps": rows, "entrapment": service.source_entrapment(incident),
        # the entrapment's own page is facilities' (a link never leads to a refusal: finance reads no entrapment)
        "may_open_entrapment": may_read(actor, "facilities.entrapments"),
        "log": incident.log.select_related("author").prefetch_related("photos"),
        "may": {action: service.may(actor, incident, action) for action in ("log", "resolve", "close", "report")},
        "events": list(timeline(incident)), "errors": errors or {}, "now": timezone.now()}, status=status)


@staff_view(reads=RESOURCE)
def incident_detail(request, pk: int):
    return _detail(request, get_scoped_or_404(service.incidents(request.actor), request.actor, pk=pk))


@require_POST
@staff_view(reads=RESOURCE)
def step_done(request, pk: int, step: int):
    actor = request.actor
    incident = get_scoped_or_404(service.incidents(actor), actor, pk=pk)
    row = get_scoped_or_404(IncidentStep.objects.filter(incident=incident), actor, pk=step)
    try:
        service.complete_step(actor, incident, row, request.POST.get("note", ""))
    except DomainError as error:
        return _detail(request, incident, _errors(error), error.status)
    messages.success(request, str(_("Done.")))
    return redirect(incident.get_absolute_url())


@require_POST
@staff_view(reads=RESOURCE)
def log_add(request, pk: int):
    actor = request.actor
    incident = get_scoped_or_404(service.incidents(actor), actor, pk=pk)
    try:
        service.add_log(actor, incident, request.POST.get("text", ""), request.FILES.getlist("photos"))
    except DomainError as error:
        return _detail(request, incident, _errors(error), error.status)
    messages.success(request, str(_("Added to the log.")))
    return redirect(incident.get_absolute_url())


@require_POST
@staff_view(reads=RESOURCE)
def incident_action(request, pk: int, action: str):
    actor = request.actor
    incident = get_scoped_or_404(service.incidents(actor), actor, pk=pk)
    post = request.POST
    try:
        if action == "resolve":
            service.resolve(actor, incident)
        elif action == "close":
            service.close(actor, incident, summary=post.get("summary", ""), cause=post.get("cause", ""),
                          lessons=post.get("lessons", ""))
        else:
            raise Http404
    except DomainError as error:
        return _detail(request, service.incidents(actor).get(pk=pk), _errors(error), error.status)
    messages.success(request, str(_("Done.")))
    return redirect(incident.get_absolute_url())


@staff_view(reads=RESOURCE)
def report_pdf(request, pk: int):
    actor = request.actor
    incident = get_scoped_or_404(service.incidents(actor), actor, pk=pk)
    try:
        content = service.report_pdf(actor, incident)
    except DomainError as error:
        return _detail(request, incident, _errors(error), error.status)
    from django.http import HttpResponse

    return attachment(HttpResponse(content, content_type="application/pdf"), service.report_filename(incident),
                      inline=True)


def _start_context(request, values, errors=None) -> dict:
    actor = request.actor
    projects = list(scoped(Project.objects.active(), actor).only("id", "name").order_by("name"))
    project_id = values.get("project") or (str(projects[0].pk) if len(projects) == 1 else "")
    books = playbooks(actor).filter(project_id=project_id) if project_id.isdigit() else Playbook.objects.none()
    buildings = (scoped(Building.objects.filter(project_id=project_id), actor).order_by("number")
                 if project_id.isdigit() else Building.objects.none())
    kind = ""
    chosen = values.get("playbook") or ""
    for book in books:
        if str(book.pk) == chosen:
            kind = book.kind
    count = values.get("buildings_affected") or "1"
    suggested = service.suggest_level(kind, int(count)) if kind and count.isdigit() and len(count) < 5 else ""
    return {"projects": projects, "project_id": project_id, "playbooks": books, "buildings": buildings,
            "levels": Level.choices, "values": values, "errors": errors or {}, "suggested": suggested,
            "kinds": IncidentKind.choices, "outage_buildings": settings.WUYE_INCIDENT_OUTAGE_BUILDINGS,
            "fire_buildings": settings.WUYE_INCIDENT_FIRE_BUILDINGS}


@staff_view("emergencies.start", reads=RESOURCE)
def incident_new(request):
    actor = request.actor
    values = (request.POST if request.method == "POST" else request.GET).dict()
    if request.method != "POST" or values.get("suggest"):
        return render(request, "emergencies/new.html", _start_context(request, values))
    try:
        project = scoped(Project.objects.all(), actor).filter(pk=int(values.get("project") or 0)).first()
        if project is None:
            raise InvalidInput("project", _("Choose one of your projects."))
        playbook = Playbook.objects.filter(project=project, pk=int(values.get("playbook") or 0)).first()
        if playbook is None:
            raise InvalidInput("playbook", _("Choose a playbook of the project."))
        building = None
        if (values.get("building") or "").isdigit():
            building = Building.objects.filter(project=project, pk=int(values["building"])).first()
        incident = service.start_incident(
            actor, project, playbook, values.get("level") or None, title=values.get("title", ""),
            building=building, place=values.get("place", ""),
            buildings_affected=values.get("buildings_affected") or 1)
    except (DomainError, ValueError) as error:
        errors = _errors(error) if isinstance(error, DomainError) else {"form": str(_("Check the form."))}
        return render(request, "emergencies/new.html", _start_context(request, values, errors),
                      status=getattr(error, "status", 422))
    messages.success(request, str(_("The incident is started; its steps are on the clock.")))
    return redirect(incident.get_absolute_url())


@staff_view(reads="emergencies.playbooks")
def playbook_list(request):
    actor = request.actor
    books = playbooks(actor).prefetch_related("steps")
    projects = list(scoped(Project.objects.active(), actor).only("id", "name").order_by("name"))
    have = set(books.values_list("project_id", flat=True))
    return render(request, "emergencies/playbooks.html", {
        "playbooks": books, "may_edit": actor.may("emergencies.manage_playbooks"),
        "missing": [p for p in projects if p.pk not in have], "errors": {}})


@require_POST
@staff_view("emergencies.manage_playbooks", reads="emergencies.playbooks")
def playbook_install(request, project: int):
    target = get_scoped_or_404(Project.objects.all(), request.actor, pk=project)
    install_default_playbooks(target)
    messages.success(request, str(_("The standard playbooks are installed.")))
    return redirect(reverse("emergencies:playbooks"))


@require_POST
@staff_view("emergencies.manage_playbooks", reads="emergencies.playbooks")
def playbook_step_minutes(request, step: int):
    actor = request.actor
    row = get_scoped_or_404(PlaybookStep.objects.select_related("playbook"), actor, pk=step)
    try:
        set_step_minutes(actor, row, request.POST.get("minutes", ""))
    except DomainError as error:
        messages.error(request, _errors(error).get("minutes") or error.message)
        return redirect(reverse("emergencies:playbooks"))
    messages.success(request, str(_("The time limit is changed.")))
    return redirect(reverse("emergencies:playbooks"))


urlpatterns = [
    path("console/community/emergencies/", incident_list, name="list"),
    path("console/community/emergencies/new/", incident_new, name="new"),
    path("console/community/emergencies/playbooks/", playbook_list, name="playbooks"),
    path("console/community/emergencies/playbooks/install/<int:project>/", playbook_install,
         name="playbook_install"),
    path("console/community/emergencies/playbooks/steps/<int:step>/", playbook_step_minutes,
         name="playbook_step_minutes"),
    path("console/community/emergencies/<int:pk>/", incident_detail, name="detail"),
    path("console/community/emergencies/<int:pk>/report.pdf", report_pdf, name="report"),
    path("console/community/emergencies/<int:pk>/log/", log_add, name="log"),
    path("console/community/emergencies/<int:pk>/steps/<int:step>/done/", step_done, name="step_done"),
    path("console/community/emergencies/<int:pk>/<slug:action>/", incident_action, name="action"),
]
