"""Quality API: inspections (§6, §9). Lists and records are scoped to the caller's projects (outside → 404);
planning and inspecting need `quality.inspect`, a department's self-inspection `quality.self_inspect`.

- `GET|POST /api/v1/inspections` (filters `project`, `status`, `kind`, `from`, `to`)
- `GET /api/v1/inspections/{id}`: the checklist by category, each item's finding, photos and rectification
- `POST /api/v1/inspections/{id}/scores`: findings (a half-finished save is fine), 422 naming `scores[3].result`
- `POST /api/v1/inspections/{id}/photos` (multipart `item`, `photos`): photos of one item's finding
- `POST /api/v1/inspections/{id}/submit` (`place`): locks it, scores it, opens the rectifications
- `POST /api/v1/inspections/{id}/cancel` (`reason`)
- `GET|POST /api/v1/inspection-plans`, `POST /api/v1/inspection-plans/{id}/pause|resume`"""

from datetime import date, datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from wuye.core.access import get_scoped_or_404, get_scoped_or_invalid, require_read, scoped
from wuye.core.api import PagePagination
from wuye.core.errors import InvalidInput
from wuye.tenancy.models import Project

from .. import inspections as services
from ..models import Frequency, Inspection, InspectionKind, InspectionPlan, InspectionStatus, Standard

router = Router(tags=["quality"])


class InspectionFields(Schema):
    id: int
    project_id: int
    project: str
    standard: str
    version: int
    kind: InspectionKind
    department: str = Field(..., description="The department checking its own work (self-inspection), else empty")
    title: str
    scheduled_for: date
    status: InspectionStatus
    inspector: str | None = None
    place: str
    started_at: datetime | None = None
    submitted_at: datetime | None = None
    score: Decimal | None = Field(None, description="0–100, set on submit; 0 when a critical item failed")
    failed_critical: bool
    plan_id: int | None = None


class InspectionOut(InspectionFields):
    @staticmethod
    def resolve_project(inspection):
        return inspection.project.name

    @staticmethod
    def resolve_standard(inspection):
        return inspection.version.standard.name

    @staticmethod
    def resolve_version(inspection):
        return inspection.version.number

    @staticmethod
    def resolve_inspector(inspection):
        user = inspection.inspector
        return (user.get_full_name() or user.username) if user else None


class InspectionPhotoOut(Schema):
    id: int
    url: str
    created_at: datetime


class InspectionItemOut(Schema):
    id: int
    number: int
    text: str
    points: Decimal
    deduction: Decimal
    critical: bool
    severity: str
    department: str
    result: str | None = Field(None, description='"pass", "fail", "na" or null (not scored yet)')
    failures: int = 0
    points_given: Decimal | None = None
    note: str = ""
    photos: list[InspectionPhotoOut] = []
    rectification_id: int | None = None


class InspectionCategoryOut(Schema):
    number: int
    name: str
    items: list[InspectionItemOut]


class InspectionDetailOut(InspectionFields):
    scored: int
    items_total: int
    categories: list[InspectionCategoryOut]


def _detail(inspection: Inspection) -> dict:
    inspection = Inspection.objects.select_related("project", "version__standard", "inspector").get(pk=inspection.pk)
    sheet = services.inspection_sheet(inspection)
    categories = []
    scored = total = 0
    for block in sheet:
        items = []
        for entry in block.items:
            item, score = entry.item, entry.score
            total += 1
            scored += score is not None
            items.append({
                "id": item.pk, "number": item.number, "text": item.text, "points": item.points,
                "deduction": item.deduction, "critical": item.critical, "severity": item.severity,
                "department": item.department, "result": score.result if score else None,
                "failures": score.failures if score else 0, "points_given": score.points if score else None,
                "note": score.note if score else "",
                "photos": [{"id": photo.pk, "url": photo.image.url, "created_at": photo.created_at}
                           for photo in entry.photos],
                "rectification_id": entry.rectification.pk if entry.rectification else None})
        categories.append({"number": block.category.number, "name": block.category.name, "items": items})
    inspector = inspection.inspector
    out = {name: getattr(inspection, name) for name in (
        "id", "project_id", "kind", "department", "title", "scheduled_for", "status", "place", "started_at",
        "submitted_at", "score", "failed_critical", "plan_id")}
    out.update(project=inspection.project.name, standard=inspection.version.standard.name,
               version=inspection.version.number,
               inspector=(inspector.get_full_name() or inspector.username) if inspector else None)
    return {**out, "scored": scored, "items_total": total, "categories": categories}


class InspectionIn(Schema):
    project: int
    standard: int
    kind: InspectionKind
    scheduled_for: date
    department: str = Field("", max_length=32, description="Self-inspection: the actor's own department")
    title: str = Field("", max_length=200)
    inspector: int | None = None
    plan: int | None = Field(None, description="A planned inspection made by hand: its plan")


class ScoreIn(Schema):
    item: int
    result: str = Field(..., max_length=8, description='"pass", "fail" or "na"')
    failures: int = Field(0, ge=0, le=services.MAX_FAILURES, description="Failures found (a fail counts at least 1)")
    note: str = Field("", max_length=services.MAX_NOTE)


class ScoresIn(Schema):
    scores: list[ScoreIn] = Field(..., max_length=500)


class SubmitIn(Schema):
    place: str = Field(..., max_length=services.MAX_PLACE)


class CancelIn(Schema):
    reason: str = Field(..., max_length=services.MAX_TITLE)


class InspectionFilters(Schema):
    project: int | None = None
    status: InspectionStatus | None = None
    kind: InspectionKind | None = None
    from_: date | None = Field(None, alias="from", description="Scheduled on or after")
    to: date | None = Field(None, description="Scheduled on or before")


def _inspection(request, inspection_id: int) -> Inspection:
    require_read(request.actor, "quality.inspections")
    return get_scoped_or_404(Inspection.objects.select_related("project", "version__standard"), request.actor,
                             pk=inspection_id)


def _inspector(request, user_id: int | None):
    if user_id is None:
        return None
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise InvalidInput("inspector", _("No such staff member."))
    return user


@router.get("/inspections", response=list[InspectionOut])
@paginate(PagePagination)
def list_inspections(request, filters: Query[InspectionFilters]):
    """Inspections of the caller's projects, latest date first."""
    require_read(request.actor, "quality.inspections")
    rows = services.visible_inspections(request.actor)
    if filters.project is not None:
        rows = rows.filter(project_id=filters.project)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.from_:
        rows = rows.filter(scheduled_for__gte=filters.from_)
    if filters.to:
        rows = rows.filter(scheduled_for__lte=filters.to)
    return rows.order_by("-scheduled_for", "-id")


@router.post("/inspections", response={201: InspectionDetailOut})
def create_inspection(request, payload: InspectionIn):
    """A special inspection, a year-end review or a planned round made by hand (`quality.inspect`), or a
    self-inspection (kind `self`) of the caller's own department."""
    actor = request.actor
    project = get_scoped_or_invalid(Project.objects.all(), actor, payload.project, "project")
    standard = Standard.objects.filter(pk=payload.standard, company_id=project.company_id).first()
    plan = (get_scoped_or_invalid(InspectionPlan.objects.all(), actor, payload.plan, "plan")
            if payload.plan is not None else None)
    inspection = services.create_inspection(
        actor, project=project, standard=standard, kind=payload.kind, scheduled_for=payload.scheduled_for,
        department=payload.department, title=payload.title, inspector=_inspector(request, payload.inspector),
        plan=plan)
    return Status(201, _detail(inspection))


@router.get("/inspections/{inspection_id}", response=InspectionDetailOut)
def inspection_detail(request, inspection_id: int):
    """One inspection: its checklist by category with each item's finding, photos and (submitted) rectification."""
    return _detail(_inspection(request, inspection_id))


@router.post("/inspections/{inspection_id}/scores", response=InspectionDetailOut)
def save_scores(request, inspection_id: int, payload: ScoresIn):
    """Save findings, any items in any order; a finding given again replaces the saved one. A failed item needs a
    note (or a photo already kept). 409 once submitted."""
    inspection = _inspection(request, inspection_id)
    services.record_scores(request.actor, inspection, [row.dict() for row in payload.scores])
    return _detail(inspection)


@router.post("/inspections/{inspection_id}/photos", response=InspectionDetailOut)
def add_photos(request, inspection_id: int, item: Form[int], photos: File[list[UploadedFile]],
               result: Form[str] = "", note: Form[str] = ""):
    """Photos of one item's finding (multipart: `item`, `photos`; JPEG/PNG/WebP ≤ 5 MB, nine per item). The item
    must be scored already, or be scored by `result` (and `note`) in the same request."""
    inspection = _inspection(request, inspection_id)
    results = [{"item": item, "result": result, "note": note}] if result else []
    services.record_scores(request.actor, inspection, results, photos={item: photos})
    return _detail(inspection)


@router.post("/inspections/{inspection_id}/submit", response=InspectionDetailOut)
def submit(request, inspection_id: int, payload: SubmitIn):
    """Submit a fully scored inspection where it was done (`place`): locked, scored, one rectification opened per
    failed item. 422 naming `scores` (items left) or `place`; 409 when already submitted."""
    inspection = _inspection(request, inspection_id)
    services.submit_inspection(request.actor, inspection, place=payload.place)
    return _detail(inspection)


@router.post("/inspections/{inspection_id}/cancel", response=InspectionOut)
def cancel(request, inspection_id: int, payload: CancelIn):
    """Call off an inspection not yet submitted, saying why."""
    inspection = _inspection(request, inspection_id)
    return services.cancel_inspection(request.actor, inspection, reason=payload.reason)


# -- plans ------------------------------------------------------------------------------------------------------
class PlanOut(Schema):
    id: int
    project_id: int
    project: str
    standard_id: int
    standard: str
    frequency: Frequency
    inspector: str | None = None
    starts_on: date
    is_active: bool

    @staticmethod
    def resolve_project(plan):
        return plan.project.name

    @staticmethod
    def resolve_standard(plan):
        return plan.standard.name

    @staticmethod
    def resolve_inspector(plan):
        user = plan.inspector
        return (user.get_full_name() or user.username) if user else None


class PlanIn(Schema):
    project: int
    standard: int
    frequency: Frequency
    starts_on: date
    inspector: int | None = None


@router.get("/inspection-plans", response=list[PlanOut])
@paginate(PagePagination)
def list_plans(request, project: int | None = None, active: bool | None = None):
    """Inspection plans of the caller's projects."""
    require_read(request.actor, "quality.inspections")
    plans = services.visible_plans(request.actor)
    if project is not None:
        plans = plans.filter(project_id=project)
    if active is not None:
        plans = plans.filter(is_active=active)
    return plans.order_by("project_id", "standard__name", "frequency", "id")


@router.post("/inspection-plans", response={201: PlanOut})
def create_plan(request, payload: PlanIn):
    """Plan a project's regular inspection by a standard (`quality.inspect`)."""
    actor = request.actor
    project = get_scoped_or_invalid(Project.objects.all(), actor, payload.project, "project")
    standard = Standard.objects.filter(pk=payload.standard, company_id=project.company_id).first()
    plan = services.create_plan(actor, project=project, standard=standard, frequency=payload.frequency,
                                starts_on=payload.starts_on, inspector=_inspector(request, payload.inspector))
    return Status(201, plan)


def _plan(request, plan_id: int) -> InspectionPlan:
    require_read(request.actor, "quality.inspections")
    return get_scoped_or_404(scoped(InspectionPlan.objects.select_related("project", "standard", "inspector"),
                                    request.actor), request.actor, pk=plan_id)


@router.post("/inspection-plans/{plan_id}/pause", response=PlanOut)
def pause_plan(request, plan_id: int):
    """No more inspections are generated from the plan until it is resumed."""
    return services.set_plan_active(request.actor, _plan(request, plan_id), active=False)


@router.post("/inspection-plans/{plan_id}/resume", response=PlanOut)
def resume_plan(request, plan_id: int):
    return services.set_plan_active(request.actor, _plan(request, plan_id), active=True)
