"""The emergencies API (SPEC §7, §9), mounted under /api/v1: incidents (list, start, one with its steps and log),
a step done, a log line, resolve/close, the after-action report PDF; playbooks (read)."""

from datetime import datetime

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from wuye.core.access import get_scoped_or_404, get_scoped_or_invalid, require_read
from wuye.core.api import Mapped, PagePagination
from wuye.core.downloads import attachment
from wuye.core.errors import InvalidInput
from wuye.tenancy.models import Building, Project

from . import incidents as service
from .models import Incident, IncidentStatus, IncidentStep, Playbook
from .playbooks import playbooks

router = Router(tags=["emergencies"])
ID = {"ge": 1, "le": 2_147_483_647}
RESOURCE = "emergencies.incidents"
ACTIONS = ("resolve", "close")


class IncidentFilters(Schema):
    project: int | None = Field(None, **ID)
    status: str | None = Field(None, max_length=16)


class IncidentIn(Schema):
    project: int = Field(..., **ID)
    playbook: int = Field(..., **ID)
    level: str = Field("", max_length=4, description="iv, iii, ii or i; default the suggested level")
    title: str = Field("", max_length=service.TITLE_MAX)
    building: int | None = Field(None, **ID)
    place: str = Field("", max_length=service.PLACE_MAX)
    buildings_affected: int = Field(1, ge=1, le=service.BUILDINGS_MAX)
    reported_at: datetime | None = None


class StepDoneIn(Schema):
    note: str = Field("", max_length=service.NOTE_MAX)
    at: datetime | None = None


class IncidentActionIn(Schema):
    summary: str = Field("", max_length=service.SUMMARY_MAX)
    cause: str = Field("", max_length=service.CAUSE_MAX)
    lessons: str = Field("", max_length=service.LESSONS_MAX)
    at: datetime | None = None


class IncidentStepOut(Schema):
    id: int
    position: int
    role: str
    role_label: str
    title: str
    instructions: str
    due_at: datetime
    done_at: datetime | None
    done_by: str
    note: str
    late: bool
    mirrored: bool = Field(..., description="kept on the entrapment's page")


class LogOut(Schema):
    id: int
    at: datetime
    author: str
    text: str
    photos: int


class IncidentOut(Schema):
    id: int
    project_id: int
    project: str
    kind: str
    kind_label: str
    level: str
    level_label: str
    title: str
    building: str
    place: str
    buildings_affected: int
    reported_at: datetime
    started_by: str
    status: str
    status_label: str
    resolved_at: datetime | None
    closed_at: datetime | None
    summary: str
    cause: str
    lessons: str
    entrapment_id: int | None


class IncidentDetailOut(IncidentOut):
    steps: list[IncidentStepOut]
    log: list[LogOut]
    actions: list[str]


class PlaybookStepOut(Schema):
    id: int
    position: int
    role: str
    title: str
    instructions: str
    minutes: int
    counted_from: str


class PlaybookOut(Schema):
    id: int
    project_id: int
    kind: str
    name: str
    level: str
    steps: list[PlaybookStepOut]


def _name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def _out(incident: Incident) -> dict:
    entrapment = service.source_entrapment(incident)
    return {
        "id": incident.pk, "project_id": incident.project_id, "project": incident.project.name,
        "kind": incident.kind, "kind_label": incident.get_kind_display(), "level": incident.level,
        "level_label": incident.get_level_display(), "title": incident.title,
        "building": incident.building.number if incident.building else "", "place": incident.place,
        "buildings_affected": incident.buildings_affected, "reported_at": incident.reported_at,
        "started_by": _name(incident.started_by), "status": incident.status,
        "status_label": incident.get_status_display(), "resolved_at": incident.resolved_at,
        "closed_at": incident.closed_at, "summary": incident.summary, "cause": incident.cause,
        "lessons": incident.lessons, "entrapment_id": entrapment.pk if entrapment else None}


def _detail(actor, incident: Incident) -> dict:
    steps = [{
        "id": row["step"].pk, "position": row["step"].position, "role": row["step"].role,
        "role_label": row["step"].get_role_display(), "title": row["step"].title,
        "instructions": row["step"].instructions, "due_at": row["step"].due_at, "done_at": row["done_at"],
        "done_by": _name(row["done_by"]), "note": row["step"].note, "late": row["late"], "mirrored": row["mirrored"],
    } for row in service.step_rows(incident)]
    log = [{"id": entry.pk, "at": entry.at, "author": _name(entry.author), "text": entry.text,
            "photos": len(entry.photos.all())}
           for entry in incident.log.select_related("author").prefetch_related("photos")]
    actions = [action for action in ("log", "resolve", "close", "report") if service.may(actor, incident, action)]
    return {**_out(incident), "steps": steps, "log": log, "actions": actions}


def _get(actor, incident_id: int) -> Incident:
    return get_scoped_or_404(service.incidents(actor), actor, pk=incident_id)


@router.get("/incidents", response=list[IncidentOut])
@paginate(PagePagination)
def list_incidents(request, filters: Query[IncidentFilters]):
    """Incidents in scope: active first, then resolved, then closed, newest first; filters `project`, `status`."""
    require_read(request.actor, RESOURCE)
    rows = service.incidents(request.actor)
    if filters.project is not None:
        rows = rows.filter(project_id=filters.project)
    if filters.status is not None:
        if filters.status not in IncidentStatus.values:
            raise InvalidInput("status", _("Choose one of: %(values)s.") % {
                "values": ", ".join(IncidentStatus.values)})
        rows = rows.filter(status=filters.status)
    return Mapped(rows, _out)


@router.post("/incidents", response={201: IncidentDetailOut})
def start_incident(request, payload: IncidentIn):
    """The duty officer starts an incident from a playbook of the project; the level defaults to the suggested
    one and may not be lower (an outage across more than 10 buildings is at least III, a fire across more than 3
    at least II, an earthquake or epidemic I)."""
    actor = request.actor
    require_read(actor, RESOURCE)
    project = get_scoped_or_invalid(Project.objects.all(), actor, payload.project, "project")
    playbook = get_scoped_or_invalid(Playbook.objects.filter(project=project), actor, payload.playbook, "playbook")
    building = None
    if payload.building is not None:
        building = get_scoped_or_invalid(Building.objects.filter(project=project), actor, payload.building,
                                         "building")
    incident = service.start_incident(
        actor, project, playbook, payload.level or None, title=payload.title, building=building,
        place=payload.place, buildings_affected=payload.buildings_affected, reported_at=payload.reported_at)
    return Status(201, _detail(actor, _get(actor, incident.pk)))


@router.get("/incidents/{incident_id}", response=IncidentDetailOut)
def get_incident(request, incident_id: int):
    require_read(request.actor, RESOURCE)
    return _detail(request.actor, _get(request.actor, incident_id))


@router.post("/incidents/{incident_id}/steps/{step_id}/done", response=IncidentDetailOut)
def step_done(request, incident_id: int, step_id: int, payload: StepDoneIn):
    """A step is done (its clock stops). Done twice → 409 naming `step`."""
    actor = request.actor
    require_read(actor, RESOURCE)
    incident = _get(actor, incident_id)
    step = get_scoped_or_404(IncidentStep.objects.filter(incident=incident), actor, pk=step_id)
    service.complete_step(actor, incident, step, payload.note, at=payload.at)
    return _detail(actor, _get(actor, incident_id))


@router.post("/incidents/{incident_id}/log", response={201: LogOut})
def add_log(request, incident_id: int, text: Form[str] = "", at: Form[datetime | None] = None,
            photos: File[list[UploadedFile]] = None):
    """A line of the incident log (multipart: `text`, optional `at`, up to nine `photos`)."""
    actor = request.actor
    require_read(actor, RESOURCE)
    incident = _get(actor, incident_id)
    if len(text) > service.LOG_MAX:
        raise InvalidInput("text", _("At most %(count)s characters.") % {"count": service.LOG_MAX})
    entry = service.add_log(actor, incident, text, photos or [], at=at)
    return Status(201, {"id": entry.pk, "at": entry.at, "author": _name(entry.author), "text": entry.text,
                        "photos": entry.photos.count()})


@router.post("/incidents/{incident_id}/actions/{action}", response=IncidentDetailOut)
def act(request, incident_id: int, action: str, payload: IncidentActionIn):
    """`resolve` (the emergency is over) or `close` (the manager: `summary` and `cause` required, `lessons`)."""
    actor = request.actor
    require_read(actor, RESOURCE)
    incident = _get(actor, incident_id)
    if action not in ACTIONS:
        raise InvalidInput("action", _("Choose one of: %(values)s.") % {"values": ", ".join(ACTIONS)})
    if action == "resolve":
        service.resolve(actor, incident, at=payload.at)
    else:
        service.close(actor, incident, summary=payload.summary, cause=payload.cause, lessons=payload.lessons,
                      at=payload.at)
    return _detail(actor, _get(actor, incident_id))


@router.get("/incidents/{incident_id}/report", response={200: None})
def report(request, incident_id: int):
    """The after-action report as a PDF (the manager and administration)."""
    require_read(request.actor, RESOURCE)
    incident = _get(request.actor, incident_id)
    content = service.report_pdf(request.actor, incident)
    return attachment(HttpResponse(content, content_type="application/pdf"), service.report_filename(incident),
                      inline=True)


@router.get("/incident-playbooks", response=list[PlaybookOut])
@paginate(PagePagination)
def list_playbooks(request, project: int | None = Query(None, ge=1, le=2_147_483_647)):
    """The playbooks in scope with their steps."""
    require_read(request.actor, "emergencies.playbooks")
    rows = playbooks(request.actor).prefetch_related("steps")
    if project is not None:
        rows = rows.filter(project_id=project)
    return Mapped(rows, lambda p: {
        "id": p.pk, "project_id": p.project_id, "kind": p.kind, "name": p.name, "level": p.level,
        "steps": [{"id": s.pk, "position": s.position, "role": s.role, "title": s.title,
                   "instructions": s.instructions, "minutes": s.minutes, "counted_from": s.counted_from}
                  for s in p.steps.all()]})
