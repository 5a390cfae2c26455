"""Facilities API: fire safety — safety-hazard sweeps with their findings (each tracked by its rectification to
closure) and fire drills, each list with the period's count against the seed's minimum."""

from datetime import datetime

from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from wuye.core.access import get_scoped_or_404, get_scoped_or_invalid, require_read, scoped
from wuye.core.api import Mapped, PagePagination
from wuye.quality.evidence import evidence_for
from wuye.tenancy.models import Project

from .. import fire as service
from ..models import FireDrill, HazardSweep

router = Router()


class FireListFilters(Schema):
    project: int | None = Field(None, ge=1, le=2_147_483_647)
    year: int | None = Field(None, ge=2000, le=2100, description="drills: the year; sweeps: with `month`")
    month: int | None = Field(None, ge=1, le=12, description="sweeps of this month (of `year`, default this year)")


class FireFindingIn(Schema):
    title: str = Field(..., max_length=service.FINDING_TITLE_MAX)
    location: str = Field("", max_length=service.LOCATION_MAX)
    severity: str = Field("minor", max_length=16, description="minor, major or critical")
    department: str = Field("security", max_length=32, description="the responsible department (a staff role)")
    equipment: int | None = Field(None, ge=1, le=2_147_483_647)


class FireSweepIn(Schema):
    project: int = Field(..., ge=1, le=2_147_483_647)
    areas: str = Field(..., max_length=service.AREAS_MAX)
    note: str = Field("", max_length=service.NOTE_MAX)
    findings: list[FireFindingIn] = Field(default_factory=list, max_length=service.FINDINGS_MAX)
    task: int | None = Field(None, ge=1, le=2_147_483_647, description="the hazard-sweep task this completes")
    at: datetime | None = Field(None, description="when the sweep was made; default now")


class FireFindingOut(Schema):
    id: int
    title: str
    location: str
    severity: str
    severity_label: str
    department: str
    department_label: str
    equipment: str
    rectification_id: int | None
    state: str = Field(..., description="closed, cancelled, submitted, open or overdue")
    state_label: str
    deadline: datetime | None


class FireSweepOut(Schema):
    id: int
    project_id: int
    project: str
    conducted_at: datetime
    inspector: str
    areas: str
    note: str
    task_id: int | None
    findings_count: int
    findings: list[FireFindingOut]


class FirePeriodCount(Schema):
    count: int
    required: int
    short: int
    met: bool


class FireProjectTargetsOut(Schema):
    project_id: int
    project: str
    sweeps: FirePeriodCount
    drills: FirePeriodCount


class FireTargetsOut(Schema):
    year: int
    month: int
    projects: list[FireProjectTargetsOut] = Field(..., description="one row per active project in scope: the "
                                                  "requirement is per project, so no total is given")


class FireDrillIn(Schema):
    project: int = Field(..., ge=1, le=2_147_483_647)
    held_at: datetime
    scenario: str = Field(..., max_length=service.SCENARIO_MAX)
    participants: str = Field("", max_length=service.PARTICIPANTS_MAX, description="names, one per line")
    participant_count: int = Field(0, ge=0, le=service.PEOPLE_MAX)
    owners_count: int = Field(0, ge=0, le=service.PEOPLE_MAX)
    summary: str = Field("", max_length=service.SUMMARY_MAX)
    task: int | None = Field(None, ge=1, le=2_147_483_647, description="the fire-drill task this completes")


class FireDrillOut(Schema):
    id: int
    project_id: int
    project: str
    held_at: datetime
    scenario: str
    participants: list[str]
    participant_count: int
    owners_count: int
    summary: str
    recorded_by: str
    task_id: int | None
    photos: list[str]


def _name(user) -> str:
    return (user.get_full_name() or "") if user else ""


def _sweep(sweep: HazardSweep, now: datetime, findings: list[dict] | None = None) -> dict:
    if findings is None:
        findings = service.findings_with_status(sweep.findings.select_related("equipment"), now)
    return {
        "id": sweep.pk, "project_id": sweep.project_id, "project": sweep.project.name,
        "conducted_at": sweep.conducted_at, "inspector": _name(sweep.inspector), "areas": sweep.areas,
        "note": sweep.note, "task_id": sweep.task_id, "findings_count": len(findings),
        "findings": [{
            "id": row["finding"].pk, "title": row["finding"].title, "location": row["finding"].location,
            "severity": row["finding"].severity, "severity_label": row["finding"].get_severity_display(),
            "department": row["finding"].department, "department_label": row["finding"].get_department_display(),
            "equipment": row["finding"].equipment.name if row["finding"].equipment else "",
            "rectification_id": row["rectification"].pk if row["rectification"] else None,
            "state": row["state"], "state_label": str(row["state_label"]), "deadline": row["deadline"],
        } for row in findings],
    }


def _drill(drill: FireDrill) -> dict:
    return {
        "id": drill.pk, "project_id": drill.project_id, "project": drill.project.name, "held_at": drill.held_at,
        "scenario": drill.scenario, "participants": service.participant_names(drill.participants),
        "participant_count": drill.participant_count, "owners_count": drill.owners_count,
        "summary": drill.summary, "recorded_by": _name(drill.recorded_by), "task_id": drill.task_id,
        "photos": [photo.image.url for photo in evidence_for(drill)],
    }


class _SweepRows(Mapped):
    """A page of sweeps shaped with their findings fetched for the whole page at once (not per row)."""

    def __init__(self, queryset, now):
        super().__init__(queryset, None)
        self.now = now

    def __getitem__(self, index):
        sweeps = self.queryset[index] if isinstance(index, slice) else [self.queryset[index]]
        shaped = [_sweep(sweep, self.now, findings) for sweep, findings in
                  service.sweeps_with_findings(sweeps, self.now)]
        return shaped if isinstance(index, slice) else shaped[0]


def _sweeps(actor, project: int | None):
    rows = scoped(HazardSweep.objects.all(), actor).select_related("project", "inspector")
    return rows.filter(project_id=project) if project is not None else rows


@router.get("/hazard-sweeps", response=list[FireSweepOut])
@paginate(PagePagination)
def list_sweeps(request, filters: Query[FireListFilters]):
    """Safety-hazard sweeps in scope, newest first (filters `project`, `year`, `month`), each with its findings
    and where each finding's rectification stands. The month's count against the seed's twice a month is
    `GET /fire-safety/targets`."""
    require_read(request.actor, "facilities.fire")
    now = timezone.now()
    rows = _sweeps(request.actor, filters.project)
    if filters.year or filters.month:
        year = filters.year or timezone.localdate(now).year
        start, end = service.month_bounds(year, filters.month) if filters.month else service.year_bounds(year)
        rows = rows.filter(conducted_at__gte=start, conducted_at__lt=end)
    return _SweepRows(rows, now)


@router.get("/fire-safety/targets", response=FireTargetsOut)
def fire_targets(request, filters: Query[FireListFilters]):
    """Per active project in scope (`project` narrows to one): the month's sweeps against the seed's twice a month
    (`WUYE_HAZARD_SWEEPS_PER_MONTH`) and the year's drills against its 1–2 a year (`WUYE_FIRE_DRILLS_PER_YEAR`, the
    minimum), this month and year unless `year` / `month` are given. The requirement is per project, so there is
    no company-wide total to compare with it."""
    require_read(request.actor, "facilities.fire")
    projects = scoped(Project.objects.active(), request.actor).only("id", "name").order_by("name")
    if filters.project is not None:  # a project outside the caller's scope is a 404, as its records are
        get_scoped_or_404(Project.objects.all(), request.actor, pk=filters.project)
        projects = Project.objects.filter(pk=filters.project).only("id", "name")
    projects = list(projects)
    today = timezone.localdate()
    year, month = filters.year or today.year, filters.month or today.month
    sweeps = service.sweep_targets(_sweeps(request.actor, filters.project), projects, year, month)
    drills = service.drill_targets(scoped(FireDrill.objects.all(), request.actor), projects, year)
    return {"year": year, "month": month, "projects": [
        {"project_id": sweep["project"].pk, "project": sweep["project"].name,
         "sweeps": {k: v for k, v in sweep.items() if k != "project"},
         "drills": {k: v for k, v in drill.items() if k != "project"}}
        for sweep, drill in zip(sweeps, drills, strict=True)]}


@router.post("/hazard-sweeps", response={201: FireSweepOut})
def create_sweep(request, payload: FireSweepIn):
    """Record a sweep: each finding opens one rectification for its department (severity picks the time limit);
    `task` (a scheduled hazard-sweep task) is completed by it. A wrong field is a 422 naming it, nothing written."""
    require_read(request.actor, "facilities.fire")
    project = get_scoped_or_invalid(Project.objects.all(), request.actor, payload.project, "project")
    sweep = service.record_sweep(
        request.actor, project=project, areas=payload.areas, note=payload.note,
        findings=[finding.dict() for finding in payload.findings], task=payload.task, at=payload.at)
    return Status(201, _sweep(sweep, timezone.now()))


@router.get("/hazard-sweeps/{sweep_id}", response=FireSweepOut)
def get_sweep(request, sweep_id: int):
    """One sweep with its findings and their rectifications' state."""
    require_read(request.actor, "facilities.fire")
    sweep = get_scoped_or_404(HazardSweep.objects.select_related("project", "inspector"), request.actor, pk=sweep_id)
    return _sweep(sweep, timezone.now())


@router.get("/fire-drills", response=list[FireDrillOut])
@paginate(PagePagination)
def list_drills(request, filters: Query[FireListFilters]):
    """Fire drills in scope, latest first (filters `project`, `year`); the year's count against the seed's
    minimum is `GET /fire-safety/targets`."""
    require_read(request.actor, "facilities.fire")
    rows = scoped(FireDrill.objects.all(), request.actor).select_related("project", "recorded_by")
    if filters.project is not None:
        rows = rows.filter(project_id=filters.project)
    if filters.year:
        start, end = service.year_bounds(filters.year)
        rows = rows.filter(held_at__gte=start, held_at__lt=end)
    return Mapped(rows, _drill)


@router.post("/fire-drills", response={201: FireDrillOut})
def create_drill(request, payload: FireDrillIn):
    """Record a drill held (photos are added in the console's form). A wrong field is a 422 naming it."""
    require_read(request.actor, "facilities.fire")
    project = get_scoped_or_invalid(Project.objects.all(), request.actor, payload.project, "project")
    drill = service.record_drill(
        request.actor, project=project, held_at=payload.held_at, scenario=payload.scenario,
        participants=payload.participants, participant_count=payload.participant_count,
        owners_count=payload.owners_count, summary=payload.summary, task=payload.task)
    return Status(201, _drill(drill))


@router.get("/fire-drills/{drill_id}", response=FireDrillOut)
def get_drill(request, drill_id: int):
    """One drill with its participants and photos."""
    require_read(request.actor, "facilities.fire")
    return _drill(get_scoped_or_404(FireDrill.objects.select_related("project", "recorded_by"), request.actor,
                                    pk=drill_id))
