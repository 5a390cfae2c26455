"""Security API: patrols (巡逻) — routes with their checkpoints and QR label sheet, a day's rounds, check-ins at a
checkpoint (by its typed code or its label token) and findings that open a work order or a rectification. The
rules are `security.patrols`'; these handlers parse, call one service and shape the answer."""

from datetime import date, datetime, time

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from wuye.core.access import get_scoped_or_404, get_scoped_or_invalid, require_read, scoped
from wuye.core.api import Mapped, PagePagination
from wuye.core.downloads import attachment, download_name
from wuye.core.errors import InvalidInput
from wuye.tenancy.models import Project

from .. import labels
from .. import patrols as service
from ..models import CheckpointVisit, PatrolRound, PatrolRoute, RoundStatus

router = Router()
READS = "security.patrols"
ID = {"ge": 1, "le": 2_147_483_647}


class PatrolCheckpointIn(Schema):
    name: str = Field(..., max_length=service.NAME_MAX)
    code: str = Field(..., max_length=service.CODE_MAX)
    location: str = Field("", max_length=service.LOCATION_MAX)
    checks: str = Field("", max_length=service.CHECKS_MAX)
    minutes_from_start: int | None = Field(None, ge=0, le=720, description="default: an even share of the round")


class PatrolRouteIn(Schema):
    project: int = Field(..., **ID)
    name: str = Field(..., max_length=service.NAME_MAX)
    is_key_area: bool = False
    every_minutes: int | None = Field(None, ge=1, le=1440, description="default: the project's rule")
    first_round_at: time = time(0, 0)
    last_round_at: time = time(23, 59)
    round_minutes: int = Field(40, ge=1, le=1440)
    checkpoints: list[PatrolCheckpointIn] = Field(..., max_length=service.CHECKPOINTS_MAX)


class PatrolRouteChangeIn(Schema):
    name: str | None = Field(None, max_length=service.NAME_MAX)
    is_key_area: bool | None = None
    every_minutes: int | None = Field(None, ge=1, le=1440)
    first_round_at: time | None = None
    last_round_at: time | None = None
    round_minutes: int | None = Field(None, ge=1, le=1440)
    checkpoints: list[PatrolCheckpointIn] | None = Field(None, max_length=service.CHECKPOINTS_MAX)


class PatrolRouteActiveIn(Schema):
    active: bool


class PatrolCheckpointOut(Schema):
    id: int
    order: int
    name: str
    location: str
    checks: str
    code: str
    minutes_from_start: int
    label_token: str


class PatrolRouteOut(Schema):
    id: int
    project_id: int
    project: str
    name: str
    is_key_area: bool
    every_minutes: int
    first_round_at: time
    last_round_at: time
    round_minutes: int
    is_active: bool
    checkpoints: list[PatrolCheckpointOut]


class PatrolRouteFilters(Schema):
    project: int | None = Field(None, **ID)
    active: bool | None = None


class PatrolRoundFilters(Schema):
    project: int | None = Field(None, **ID)
    route: int | None = Field(None, **ID)
    day: date | None = Field(None, description="the local day the rounds start on (default today)")
    status: str | None = Field(None, max_length=16)


class PatrolVisitOut(Schema):
    id: int
    order: int
    checkpoint_id: int
    checkpoint: str
    code: str
    due_at: datetime
    status: str
    status_label: str
    scanned_at: datetime | None
    scanned_by: str
    note: str


class PatrolRoundOut(Schema):
    id: int
    project_id: int
    route_id: int
    route: str
    starts_at: datetime
    ends_at: datetime
    status: str
    status_label: str
    guard: str
    checkpoints_total: int
    scanned: int
    late: int
    missed: int
    completed_at: datetime | None


class PatrolRoundDetailOut(PatrolRoundOut):
    visits: list[PatrolVisitOut]


class PatrolCheckInIn(Schema):
    code: str | None = Field(None, max_length=service.TEXT_MAX, description="the checkpoint's code as typed")
    token: str | None = Field(None, max_length=service.TEXT_MAX, description="the label's token (or its URL)")
    note: str = Field("", max_length=service.NOTE_MAX)


class PatrolFindingIn(Schema):
    description: str = Field(..., max_length=service.FINDING_MAX)
    action: str = Field(..., max_length=16, description="work_order or rectification")
    department: str = Field("", max_length=32, description="a rectification's department (default security)")


class PatrolFindingOut(Schema):
    id: int
    visit_id: int
    description: str
    action: str
    department: str
    ticket_id: int | None
    rectification_id: int | None
    created_at: datetime


def _name(user) -> str:
    return (user.get_full_name() or "") if user else ""


def _route(route: PatrolRoute) -> dict:
    return {"id": route.pk, "project_id": route.project_id, "project": route.project.name, "name": route.name,
            "is_key_area": route.is_key_area, "every_minutes": route.every_minutes,
            "first_round_at": route.first_round_at, "last_round_at": route.last_round_at,
            "round_minutes": route.round_minutes, "is_active": route.is_active,
            "checkpoints": [{"id": c.pk, "order": c.order, "name": c.name, "location": c.location, "checks": c.checks,
                             "code": c.code, "minutes_from_start": c.minutes_from_start,
                             "label_token": str(c.label_token)}
                            for c in route.checkpoints.all() if c.is_active]}


def _round(row: PatrolRound) -> dict:
    return {"id": row.pk, "project_id": row.project_id, "route_id": row.route_id, "route": row.route.name,
            "starts_at": row.starts_at, "ends_at": row.ends_at, "status": row.status,
            "status_label": row.get_status_display(), "guard": _name(row.guard),
            "checkpoints_total": row.checkpoints_total, "scanned": row.scanned, "late": row.late, "missed": row.missed,
            "completed_at": row.completed_at}


def _visit(visit: CheckpointVisit) -> dict:
    return {"id": visit.pk, "order": visit.order, "checkpoint_id": visit.checkpoint_id,
            "checkpoint": visit.checkpoint.name, "code": visit.checkpoint.code, "due_at": visit.due_at,
            "status": visit.status, "status_label": visit.get_status_display(), "scanned_at": visit.scanned_at,
            "scanned_by": _name(visit.scanned_by), "note": visit.note}


def _round_detail(row: PatrolRound) -> dict:
    visits = CheckpointVisit.objects.filter(round=row).select_related("checkpoint", "scanned_by").order_by("order",
                                                                                                          "id")
    return {**_round(row), "visits": [_visit(visit) for visit in visits]}


def _routes(actor):
    return scoped(PatrolRoute.objects.select_related("project").prefetch_related("checkpoints"), actor)


def _rounds(actor):
    return scoped(PatrolRound.objects.select_related("route", "guard"), actor)


@router.get("/patrol-routes", response=list[PatrolRouteOut])
@paginate(PagePagination)
def list_routes(request, filters: Query[PatrolRouteFilters]):
    """Patrol routes in scope (filters `project`, `active`) with their active checkpoints in walking order."""
    require_read(request.actor, READS)
    rows = _routes(request.actor).order_by("project_id", "name", "id")
    if filters.project is not None:
        rows = rows.filter(project_id=filters.project)
    if filters.active is not None:
        rows = rows.filter(is_active=filters.active)
    return Mapped(rows, _route)


@router.post("/patrol-routes", response={201: PatrolRouteOut})
def create_route(request, payload: PatrolRouteIn):
    """A route with its checkpoints (1–50; codes unique in the project); `every_minutes` defaults to the project's
    rule (every 2 h, key areas every hour). The same name twice in a project is a 409."""
    require_read(request.actor, READS)
    project = get_scoped_or_invalid(Project.objects.all(), request.actor, payload.project, "project")
    route = service.create_route(
        request.actor, project=project, name=payload.name, is_key_area=payload.is_key_area,
        every_minutes=payload.every_minutes, first_round_at=payload.first_round_at,
        last_round_at=payload.last_round_at, round_minutes=payload.round_minutes,
        checkpoints=[checkpoint.dict() for checkpoint in payload.checkpoints])
    return Status(201, _route(_routes(request.actor).get(pk=route.pk)))


@router.get("/patrol-routes/{route_id}", response=PatrolRouteOut)
def get_route(request, route_id: int):
    require_read(request.actor, READS)
    return _route(get_scoped_or_404(_routes(request.actor), request.actor, pk=route_id))


@router.patch("/patrol-routes/{route_id}", response=PatrolRouteOut)
def change_route(request, route_id: int, payload: PatrolRouteChangeIn):
    """Change a route (the fields given); `checkpoints`, when given, is the whole new list (matched by code)."""
    require_read(request.actor, READS)
    route = get_scoped_or_404(_routes(request.actor), request.actor, pk=route_id)
    changes = payload.dict(exclude_unset=True)
    if changes.get("checkpoints") is not None:
        changes["checkpoints"] = [dict(checkpoint) for checkpoint in changes["checkpoints"]]
    service.update_route(request.actor, route, **changes)
    return _route(_routes(request.actor).get(pk=route.pk))


@router.post("/patrol-routes/{route_id}/active", response=PatrolRouteOut)
def switch_route(request, route_id: int, payload: PatrolRouteActiveIn):
    """Switch a route on or off (off: its rounds not yet started are dropped)."""
    require_read(request.actor, READS)
    route = get_scoped_or_404(_routes(request.actor), request.actor, pk=route_id)
    service.set_route_active(request.actor, route, payload.active)
    return _route(_routes(request.actor).get(pk=route.pk))


@router.get("/patrol-routes/{route_id}/labels.pdf", response={200: None})
def route_labels(request, route_id: int):
    """The route's checkpoint QR labels (A4, 3 × 4 a page), in walking order."""
    require_read(request.actor, READS)
    route = get_scoped_or_404(_routes(request.actor), request.actor, pk=route_id)
    checkpoints = route.checkpoints.filter(is_active=True).order_by("order", "id")
    content = labels.checkpoint_sheet(checkpoints, base_url=request.build_absolute_uri("/"))
    return attachment(HttpResponse(content, content_type="application/pdf"),
                      download_name("巡更点标签", route.project.name, route.name, ext="pdf"))


@router.get("/patrol-rounds", response=list[PatrolRoundOut])
@paginate(PagePagination)
def list_rounds(request, filters: Query[PatrolRoundFilters]):
    """The rounds starting on `day` (default today, local time) in scope, in time order; filters `project`,
    `route`, `status` (scheduled, open, completed, incomplete, missed, cancelled)."""
    from django.utils import timezone

    require_read(request.actor, READS)
    rows = service.rounds_on(request.actor, filters.day or timezone.localdate())
    if filters.project is not None:
        rows = rows.filter(project_id=filters.project)
    if filters.route is not None:
        rows = rows.filter(route_id=filters.route)
    if filters.status is not None:
        if filters.status not in RoundStatus.values:
            raise InvalidInput("status", _("Choose one of: %(values)s.") % {"values": ", ".join(RoundStatus.values)})
        rows = rows.filter(status=filters.status)
    return Mapped(rows, _round)


@router.get("/patrol-rounds/{round_id}", response=PatrolRoundDetailOut)
def get_round(request, round_id: int):
    """One round with its checkpoints in walking order: due, scanned (when, by whom), on time / late / missed."""
    require_read(request.actor, READS)
    return _round_detail(get_scoped_or_404(_rounds(request.actor), request.actor, pk=round_id))


@router.post("/patrol-rounds/{round_id}/checkins", response={201: PatrolVisitOut})
def check_in(request, round_id: int, payload: PatrolCheckInIn):
    """Check in at a checkpoint of the round (`code` typed, or `token` from its label): on time up to its deadline,
    late after it. Outside the round's window 422 `at`; unknown code or another route's checkpoint 422 `code`; a
    second scan 409."""
    require_read(request.actor, READS)
    patrol_round = get_scoped_or_404(_rounds(request.actor), request.actor, pk=round_id)
    visit = service.check_in(request.actor, patrol_round, code=payload.code, token=payload.token, note=payload.note)
    return Status(201, _visit(CheckpointVisit.objects.select_related("checkpoint", "scanned_by").get(pk=visit.pk)))


@router.post("/patrol-rounds/{round_id}/checkins/{visit_id}/findings", response={201: PatrolFindingOut})
def report_finding(request, round_id: int, visit_id: int, payload: PatrolFindingIn):
    """What was found at a scanned checkpoint: `action` work_order (a public-area repair) or rectification (for
    `department`)."""
    require_read(request.actor, READS)
    visit = get_scoped_or_404(CheckpointVisit.objects.all(), request.actor, pk=visit_id, round_id=round_id)
    finding = service.report_finding(request.actor, visit, description=payload.description, action=payload.action,
                                     department=payload.department)
    return Status(201, {"id": finding.pk, "visit_id": finding.visit_id, "description": finding.description,
                        "action": finding.action, "department": finding.department, "ticket_id": finding.ticket_id,
                        "rectification_id": finding.rectification_id, "created_at": finding.created_at})
