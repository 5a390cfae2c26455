"""Facilities API: the equipment register (设备台账) — items with their open tasks, open faults and timeline,
status changes, the company's categories and maintenance contractors. The rules are `facilities.register`'s."""

from datetime import date, datetime

from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from wuye.core.access import get_scoped_or_invalid, require_read
from wuye.core.api import Mapped, PagePagination
from wuye.core.errors import InvalidInput
from wuye.core.events import timeline
from wuye.core.sentences import event_sentence, person_name, prepare_events
from wuye.tenancy.models import Building, Company, Project

from .. import register as rules
from ..models import (
    Contractor,
    Equipment,
    EquipmentCategory,
    EquipmentStatus,
    Fault,
    FaultStatus,
    MaintenanceTask,
    OperationReading,
    TaskStatus,
)

router = Router(tags=["facilities"])
RESOURCE = "facilities.equipment"
CLOSED_FAULTS = (FaultStatus.CLOSED, FaultStatus.CANCELLED)


# -- schemas ---------------------------------------------------------------------------------------------------
class EquipmentFilters(Schema):
    project: int | None = None
    category: str | None = Field(None, max_length=40, description="a category's id or code, e.g. elevator")
    status: str | None = Field(None, description="in_service, faulty, stopped or scrapped")
    building: int | None = None
    q: str | None = Field(None, max_length=100, description="part of the code or the name")


class EquipmentOut(Schema):
    id: int
    project_id: int
    project: str
    category: str
    category_name: str
    code: str
    name: str
    building_id: int | None
    building: str
    location: str
    model_number: str
    maker: str
    installed_on: date | None
    contractor_id: int | None
    contractor: str
    contractor_qualification: str = Field(description="valid, expiring, expired, unknown or empty")
    warranty_ends_on: date | None
    under_warranty: bool
    status: str
    status_label: str
    created_at: datetime


class EquipmentTaskOut(Schema):
    id: int
    plan: str
    due_on: date
    overdue: bool


class EquipmentFaultOut(Schema):
    id: int
    title: str
    severity: str
    status: str
    status_label: str
    raised_at: datetime


class EquipmentReadingOut(Schema):
    recorded_at: datetime
    values: dict
    anomalies: list


class EquipmentPointOut(Schema):
    code: str
    label: str
    unit: str
    low: str | None
    high: str | None


class EquipmentDocumentOut(Schema):
    title: str
    url: str
    uploaded_at: datetime


class EquipmentTimelineOut(Schema):
    at: datetime
    by: str
    text: str


class EquipmentDetailOut(EquipmentOut):
    notes: str
    reading_points: list[EquipmentPointOut]
    open_tasks: list[EquipmentTaskOut]
    open_faults: list[EquipmentFaultOut]
    last_readings: list[EquipmentReadingOut]
    documents: list[EquipmentDocumentOut]
    photos: list[str]
    statuses: list[str] = Field(description="the statuses the item may change to now")
    timeline: list[EquipmentTimelineOut]


class EquipmentIn(Schema):
    project: int
    category: str = Field(..., max_length=40, description="a category code, e.g. elevator")
    code: str = Field(..., max_length=rules.CODE_MAX)
    name: str = Field(..., max_length=rules.NAME_MAX)
    building: int | None = None
    location: str = Field("", max_length=rules.LOCATION_MAX)
    model_number: str = Field("", max_length=rules.MODEL_MAX)
    maker: str = Field("", max_length=rules.MAKER_MAX)
    installed_on: date | None = None
    contractor: int | None = None
    warranty_ends_on: date | None = None
    notes: str = Field("", max_length=rules.NOTES_MAX)


class EquipmentChangeIn(Schema):
    category: str | None = Field(None, max_length=40)
    code: str | None = Field(None, max_length=rules.CODE_MAX)
    name: str | None = Field(None, max_length=rules.NAME_MAX)
    building: int | None = None
    location: str | None = Field(None, max_length=rules.LOCATION_MAX)
    model_number: str | None = Field(None, max_length=rules.MODEL_MAX)
    maker: str | None = Field(None, max_length=rules.MAKER_MAX)
    installed_on: date | None = None
    contractor: int | None = None
    warranty_ends_on: date | None = None
    notes: str | None = Field(None, max_length=rules.NOTES_MAX)


class EquipmentStatusIn(Schema):
    status: str = Field(..., max_length=16)
    reason: str = Field("", max_length=rules.REASON_MAX)


class EquipmentCategoryOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    kind_label: str
    reading_interval_minutes: int
    post_repair_test: str
    post_repair_test_runs: int
    reading_points: list[EquipmentPointOut]


class ContractorOut(Schema):
    id: int
    name: str
    service: str
    qualification_number: str
    qualification_expires_on: date | None
    qualification: str = Field(description="valid, expiring (within the warning days), expired or unknown")
    contact_name: str
    phone: str
    is_active: bool


class ContractorIn(Schema):
    name: str = Field(..., max_length=rules.NAME_MAX)
    service: str = Field("", max_length=rules.SERVICE_MAX)
    qualification_number: str = Field("", max_length=rules.QUALIFICATION_MAX)
    qualification_expires_on: date | None = None
    contact_name: str = Field("", max_length=rules.CONTACT_MAX)
    phone: str = Field("", max_length=rules.PHONE_MAX)


class ContractorChangeIn(Schema):
    name: str | None = Field(None, max_length=rules.NAME_MAX)
    service: str | None = Field(None, max_length=rules.SERVICE_MAX)
    qualification_number: str | None = Field(None, max_length=rules.QUALIFICATION_MAX)
    qualification_expires_on: date | None = None
    contact_name: str | None = Field(None, max_length=rules.CONTACT_MAX)
    phone: str | None = Field(None, max_length=rules.PHONE_MAX)
    is_active: bool | None = None


# -- shaping ---------------------------------------------------------------------------------------------------
def _point(point) -> dict:
    return {"code": point.code, "label": point.label, "unit": point.unit,
            "low": None if point.low is None else str(point.low.normalize()),
            "high": None if point.high is None else str(point.high.normalize())}


def _row(item: Equipment, today: date) -> dict:
    return {
        "id": item.pk, "project_id": item.project_id, "project": item.project.name,
        "category": item.category.code, "category_name": item.category.name, "code": item.code, "name": item.name,
        "building_id": item.building_id, "building": str(item.building) if item.building_id else "",
        "location": item.location, "model_number": item.model_number, "maker": item.maker,
        "installed_on": item.installed_on, "contractor_id": item.contractor_id,
        "contractor": item.contractor.name if item.contractor_id else "",
        "contractor_qualification": rules.qualification_state(item.contractor, today),
        "warranty_ends_on": item.warranty_ends_on,
        "under_warranty": bool(item.warranty_ends_on and item.warranty_ends_on >= today),
        "status": item.status, "status_label": item.get_status_display(), "created_at": item.created_at,
    }


def equipment_detail(item: Equipment) -> dict:
    """The item with what a technician needs on the spot (shared by the API and its tests)."""
    from wuye.quality.evidence import evidence_for

    today = timezone.localdate()
    tasks = MaintenanceTask.objects.filter(equipment=item, status=TaskStatus.SCHEDULED) \
        .select_related("plan").order_by("due_on", "id")[:20]
    faults = Fault.objects.filter(equipment=item).exclude(status__in=CLOSED_FAULTS).order_by("-raised_at", "-id")[:20]
    readings = OperationReading.objects.filter(equipment=item).order_by("-recorded_at", "-id")[:5]
    events = prepare_events(timeline(item))
    return {
        **_row(item, today), "notes": item.notes,
        "reading_points": [_point(point) for point in rules.limits_for(item).values()],
        "open_tasks": [{"id": task.pk, "plan": task.plan.name, "due_on": task.due_on, "overdue": task.due_on < today}
                       for task in tasks],
        "open_faults": [{"id": fault.pk, "title": fault.title, "severity": fault.severity, "status": fault.status,
                         "status_label": fault.get_status_display(), "raised_at": fault.raised_at}
                        for fault in faults],
        "last_readings": [{"recorded_at": reading.recorded_at, "values": reading.values,
                           "anomalies": reading.anomalies} for reading in readings],
        "documents": [{"title": doc.title, "url": reverse("facilities:equipment_document", args=[item.pk, doc.pk]),
                       "uploaded_at": doc.uploaded_at} for doc in item.documents.all()],
        "photos": [photo.image.url for photo in evidence_for(item)],
        "statuses": rules.allowed_statuses(item),
        "timeline": [{"at": event.created_at, "by": person_name(event.actor), "text": event_sentence(event)}
                     for event in reversed(events)],
    }


def _category(project: Project, code) -> EquipmentCategory:
    category = EquipmentCategory.objects.filter(company_id=project.company_id, code=code).first()
    if category is None:
        raise InvalidInput("category", _("Choose one of the company's categories."))
    return category


def _building(project: Project, building_id):
    if building_id is None:
        return None
    building = Building.objects.filter(pk=building_id, project=project).first()
    if building is None:
        raise InvalidInput("building", _("Choose a building of this project."))
    return building


def _contractor(project: Project, contractor_id):
    if contractor_id is None:
        return None
    contractor = Contractor.objects.filter(pk=contractor_id, company_id=project.company_id).first()
    if contractor is None:
        raise InvalidInput("contractor", _("Choose one of the company's contractors."))
    return contractor


def _item_or_404(actor, equipment_id: int) -> Equipment:
    require_read(actor, RESOURCE)  # owners: 403, as on every facilities route
    item = rules.visible_equipment(actor).filter(pk=equipment_id).first()
    if item is None:
        raise Http404
    return item


def filtered(actor, filters: EquipmentFilters):
    return rules.filter_equipment(actor, **filters.dict())


# -- routes ----------------------------------------------------------------------------------------------------
@router.get("/equipment", response=list[EquipmentOut])
@paginate(PagePagination)
def list_equipment(request, filters: Query[EquipmentFilters]):
    """Items of the register in scope: filters `project` (outside your projects: 404), `category` (id or code),
    `status`, `building`, `q` (part of the code or name), in register order — the rows the label sheet and the
    export select with the same filters. Each row names its contractor with the state of its qualification
    (expired shows red)."""
    require_read(request.actor, RESOURCE)
    today = timezone.localdate()
    return Mapped(filtered(request.actor, filters), lambda item: _row(item, today))


@router.post("/equipment", response={201: EquipmentDetailOut})
def create_equipment(request, payload: EquipmentIn):
    """Put an item on the register. A code already used in the project, a building of another project, a date
    out of range or a too-long text is a 422 naming the field; nothing is written."""
    require_read(request.actor, RESOURCE)
    project = get_scoped_or_invalid(Project.objects.all(), request.actor, payload.project, "project")
    item = rules.create_equipment(
        request.actor, project=project, category=_category(project, payload.category),
        code=payload.code, name=payload.name, building=_building(project, payload.building),
        location=payload.location, model_number=payload.model_number, maker=payload.maker,
        installed_on=payload.installed_on, contractor=_contractor(project, payload.contractor),
        warranty_ends_on=payload.warranty_ends_on, notes=payload.notes)
    return Status(201, equipment_detail(_item_or_404(request.actor, item.pk)))


@router.get("/equipment/{equipment_id}", response=EquipmentDetailOut)
def get_equipment(request, equipment_id: int):
    """One item with its reading points, open maintenance tasks, open faults, last readings, documents, photos,
    the statuses it may change to and its timeline (sentences with their time, newest first)."""
    return equipment_detail(_item_or_404(request.actor, equipment_id))


@router.post("/equipment/{equipment_id}", response=EquipmentDetailOut)
def update_equipment(request, equipment_id: int, payload: EquipmentChangeIn):
    """Change the fields sent (others stay as they are); a field sent as null clears it where it may be empty
    (building, contractor, dates). The status changes through `/status`."""
    item = _item_or_404(request.actor, equipment_id)
    changes = payload.dict(exclude_unset=True)
    for name in ("category", "code", "name"):
        if name in changes and changes[name] is None:
            raise InvalidInput(name, _("This field is required."))
    for name in ("location", "model_number", "maker", "notes"):
        if name in changes and changes[name] is None:
            changes[name] = ""
    if "category" in changes:
        changes["category"] = _category(item.project, changes["category"])
    if "building" in changes:
        changes["building"] = _building(item.project, changes["building"])
    if "contractor" in changes:
        changes["contractor"] = _contractor(item.project, changes["contractor"])
    rules.update_equipment(request.actor, item, **changes)
    return equipment_detail(_item_or_404(request.actor, equipment_id))


@router.post("/equipment/{equipment_id}/status", response=EquipmentDetailOut)
def set_equipment_status(request, equipment_id: int, payload: EquipmentStatusIn):
    """Stop, return to service or scrap an item (`stopped` and `scrapped` need a `reason`; scrapped is final,
    409 after). An item becomes `faulty` by reporting a fault (`POST /faults`), not here."""
    item = _item_or_404(request.actor, equipment_id)
    if payload.status == EquipmentStatus.FAULTY:
        raise InvalidInput("status", _("Report a fault to mark the item faulty."))
    rules.set_status(request.actor, item, payload.status, reason=payload.reason)
    return equipment_detail(_item_or_404(request.actor, equipment_id))


def _category_row(category: EquipmentCategory) -> dict:
    points = [point for point in category.reading_points.all() if point.equipment_id is None]
    return {"id": category.pk, "code": category.code, "name": category.name, "kind": category.kind,
            "kind_label": category.get_kind_display(), "reading_interval_minutes": category.reading_interval_minutes,
            "post_repair_test": category.post_repair_test, "post_repair_test_runs": category.post_repair_test_runs,
            "reading_points": [_point(point) for point in sorted(points, key=lambda p: (p.order, p.code))]}


@router.get("/equipment-categories", response=list[EquipmentCategoryOut])
@paginate(PagePagination)
def list_categories(request):
    """The company's equipment categories with their reading points (limits) and post-repair test."""
    require_read(request.actor, RESOURCE)
    rows = rules.visible_categories(request.actor).prefetch_related("reading_points") \
        .order_by("company_id", "order", "code")
    return Mapped(rows, _category_row)


def _contractor_row(contractor: Contractor, today: date) -> dict:
    return {"id": contractor.pk, "name": contractor.name, "service": contractor.service,
            "qualification_number": contractor.qualification_number,
            "qualification_expires_on": contractor.qualification_expires_on,
            "qualification": rules.qualification_state(contractor, today),
            "contact_name": contractor.contact_name, "phone": contractor.phone, "is_active": contractor.is_active}


@router.get("/contractors", response=list[ContractorOut])
@paginate(PagePagination)
def list_contractors(request, active: bool | None = None):
    """The company's maintenance contractors with the state of their qualification (`expired`, `expiring`
    within the warning days, `valid`, `unknown`); `active=true` for those still in use."""
    require_read(request.actor, RESOURCE)
    today = timezone.localdate()
    rows = rules.visible_contractors(request.actor).order_by("name", "id")
    if active is not None:
        rows = rows.filter(is_active=active)
    return Mapped(rows, lambda contractor: _contractor_row(contractor, today))


@router.post("/contractors", response={201: ContractorOut})
def create_contractor(request, payload: ContractorIn):
    """Add a maintenance contractor to the caller's company; a name already on record is a 422 naming `name`."""
    require_read(request.actor, RESOURCE)
    company = Company.objects.filter(pk=request.actor.company_id).first()
    if company is None:
        raise InvalidInput("company", _("Choose your company."))
    contractor = rules.create_contractor(request.actor, company=company, **payload.dict())
    return Status(201, _contractor_row(contractor, timezone.localdate()))


@router.post("/contractors/{contractor_id}", response=ContractorOut)
def update_contractor(request, contractor_id: int, payload: ContractorChangeIn):
    """Change a contractor's fields (those sent); `is_active=false` keeps it on record but out of the lists."""
    require_read(request.actor, RESOURCE)
    contractor = rules.visible_contractors(request.actor).filter(pk=contractor_id).first()
    if contractor is None:
        raise Http404
    changes = payload.dict(exclude_unset=True)
    for name in ("service", "qualification_number", "contact_name", "phone"):
        if name in changes and changes[name] is None:
            changes[name] = ""
    for name in ("name", "is_active"):
        if name in changes and changes[name] is None:
            raise InvalidInput(name, _("This field is required."))
    contractor = rules.update_contractor(request.actor, contractor, **changes)
    return _contractor_row(contractor, timezone.localdate())
