"""The decoration API (SPEC §7, §9), mounted under /api/v1.

`GET|POST /decorations` (an owner applies for a home they own, the desk for any unit in scope; JSON, documents
follow through `POST /decorations/{id}/documents` multipart `kind` + `file`), `GET /decorations/{id}` (status, the
actions the caller may take, bills, documents, inspections, deductions, the refund and its deadline),
`POST /decorations/{id}/actions/{action}` with the body fields the action reads, and
`POST /decorations/{id}/worker-passes` (the gate's worker pass for the decoration). Rules in `services.py`."""


from datetime import date, datetime
from decimal import Decimal

from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from wuye.core.access import get_scoped_or_404, get_scoped_or_invalid, require_read
from wuye.core.api import Mapped, PagePagination
from wuye.core.errors import InvalidInput
from wuye.core.pii import mask_phone
from wuye.tenancy.models import Unit

from . import services as service
from .models import DecorationStatus, DocumentKind, InspectionResult, WorksKind

router = Router(tags=["decorations"])
ID = {"ge": 1, "le": 2_147_483_647}
RESOURCE = "decorations.decorations"


class DecorationFilters(Schema):
    project: int | None = Field(None, **ID)
    unit: int | None = Field(None, **ID)
    status: str | None = Field(None, max_length=24)


class DecorationIn(Schema):
    unit: int = Field(..., **ID)
    applicant_name: str = Field("", max_length=service.NAME_MAX, description="the portal takes the owner's name")
    applicant_phone: str = Field(..., max_length=30)
    works: str = Field(..., max_length=service.WORKS_MAX)
    works_kinds: list[str] = Field(..., max_length=len(WorksKind.values), description=", ".join(WorksKind.values))
    contractor: str = Field(..., max_length=service.CONTRACTOR_MAX)
    contractor_licence: str = Field("", max_length=service.LICENCE_MAX)
    contractor_leader: str = Field(..., max_length=service.NAME_MAX)
    contractor_phone: str = Field(..., max_length=30)
    workers_planned: int = Field(1, ge=0, le=1000)
    planned_start: date
    planned_end: date


class DecorationActionIn(Schema):
    note: str = Field("", max_length=service.NOTE_MAX, description="check_documents, return_for_documents, approve…")
    reason: str = Field("", max_length=service.REASON_MAX, description="reject, cancel, add_deduction")
    result: str = Field("", max_length=12, description="inspect: " + ", ".join(InspectionResult.values))
    findings: str = Field("", max_length=service.FINDINGS_MAX, description="inspect, accept")
    violation: str = Field("", max_length=service.VIOLATION_MAX, description="inspect")
    amount: Decimal | None = Field(None, max_digits=12, decimal_places=2, description="add_deduction")


class DecorationWorkerPassIn(Schema):
    worker_name: str = Field(..., max_length=40)
    id_type: str = Field(..., max_length=16)
    id_number: str = Field(..., max_length=40)
    valid_from: date
    valid_until: date
    phone: str = Field("", max_length=30)
    deposit: Decimal | None = Field(None, max_digits=12, decimal_places=2)


class DecorationBillOut(Schema):
    id: int
    item: str
    amount: Decimal
    paid: Decimal
    outstanding: Decimal


class DecorationDocumentOut(Schema):
    id: int
    kind: str
    kind_label: str
    name: str
    uploaded_at: datetime


class DecorationInspectionOut(Schema):
    id: int
    final: bool
    result: str
    result_label: str
    findings: str
    violation: str
    photos: int
    inspected_at: datetime


class DeductionOut(Schema):
    id: int
    reason: str
    amount: Decimal
    recorded_at: datetime


class DecorationRefundOut(Schema):
    deposit: Decimal
    paid: Decimal
    deductions_total: Decimal
    refund: Decimal
    request_id: int | None
    request_status: str | None
    request_status_label: str
    deadline: datetime | None
    clock_state: str | None


class DecorationOut(Schema):
    id: int
    number: str
    project_id: int
    project: str
    unit_id: int
    unit: str
    applicant_name: str
    applicant_phone: str = Field(..., description="masked")
    works: str
    works_kinds: list[str]
    contractor: str
    contractor_leader: str
    contractor_phone: str = Field(..., description="masked")
    workers_planned: int
    planned_start: date
    planned_end: date
    status: str
    status_label: str
    note: str
    deposit: Decimal
    deductions_total: Decimal
    submitted_at: datetime
    checked_at: datetime | None
    approved_at: datetime | None
    started_at: datetime | None
    accepted_at: datetime | None
    closed_at: datetime | None
    actions: list[str] = Field(..., description="what the caller may do now")


class DecorationDetailOut(DecorationOut):
    missing_documents: list[str]
    documents: list[DecorationDocumentOut]
    bills: list[DecorationBillOut]
    inspections: list[DecorationInspectionOut]
    deductions: list[DeductionOut]
    refund: DecorationRefundOut


def _out(actor, decoration) -> dict:
    return {
        "id": decoration.pk, "number": decoration.number, "project_id": decoration.project_id,
        "project": decoration.project.name, "unit_id": decoration.unit_id, "unit": decoration.unit.label,
        "applicant_name": decoration.applicant_name, "applicant_phone": mask_phone(decoration.applicant_phone),
        "works": decoration.works, "works_kinds": decoration.works_kinds or [], "contractor": decoration.contractor,
        "contractor_leader": decoration.contractor_leader,
        "contractor_phone": mask_phone(decoration.contractor_phone), "workers_planned": decoration.workers_planned,
        "planned_start": decoration.planned_start, "planned_end": decoration.planned_end,
        "status": decoration.status, "status_label": decoration.get_status_display(), "note": decoration.note,
        "deposit": decoration.deposit, "deductions_total": decoration.deductions_total,
        "submitted_at": decoration.submitted_at, "checked_at": decoration.checked_at,
        "approved_at": decoration.approved_at, "started_at": decoration.started_at,
        "accepted_at": decoration.accepted_at, "closed_at": decoration.closed_at,
        "actions": service.available_actions(actor, decoration),
    }


def _detail(actor, decoration) -> dict:
    refund = service.refund_state(decoration)
    bills = service.charges(decoration).bills
    return {
        **_out(actor, decoration),
        "missing_documents": service.missing_documents(decoration),
        "documents": [{"id": doc.pk, "kind": doc.kind, "kind_label": doc.get_kind_display(), "name": doc.name,
                       "uploaded_at": doc.uploaded_at} for doc in decoration.documents.all()],
        "bills": [{"id": bill.pk, "item": bill.item.name, "amount": bill.amount, "paid": bill.paid,
                   "outstanding": bill.outstanding} for bill in bills],
        "inspections": [{"id": row.pk, "final": row.final, "result": row.result,
                         "result_label": row.get_result_display(), "findings": row.findings,
                         "violation": row.violation, "photos": len(row.photos or []),
                         "inspected_at": row.inspected_at} for row in decoration.inspections.all()],
        "deductions": [{"id": row["id"], "reason": row["reason"], "amount": row["amount"],
                        "recorded_at": row["recorded_at"]} for row in refund["deductions"]],
        "refund": {key: refund[key] for key in DecorationRefundOut.model_fields},
    }


def _rows(actor):
    return service.decorations(actor)


def _one(request, decoration_id: int):
    require_read(request.actor, RESOURCE)
    return get_scoped_or_404(_rows(request.actor), request.actor, pk=decoration_id)


@router.get("/decorations", response=list[DecorationOut])
@paginate(PagePagination)
def list_decorations(request, filters: Query[DecorationFilters]):
    """Decorations in scope, newest first (an owner: their household's); filters `project`, `unit`, `status`."""
    require_read(request.actor, RESOURCE)
    rows = _rows(request.actor)
    if filters.project is not None:
        rows = rows.filter(project_id=filters.project)
    if filters.unit is not None:
        rows = rows.filter(unit_id=filters.unit)
    if filters.status is not None:
        if filters.status not in DecorationStatus.values:
            raise InvalidInput("status", _("Choose one of: %(values)s.") % {
                "values": ", ".join(DecorationStatus.values)})
        rows = rows.filter(status=filters.status)
    return Mapped(rows, lambda decoration: _out(request.actor, decoration))


@router.post("/decorations", response={201: DecorationDetailOut})
def create_decoration(request, payload: DecorationIn):
    """Apply: an owner for a home they own, the desk for any unit of its projects. Every wrong field is named at
    once (422) and nothing is written then."""
    actor = request.actor
    require_read(actor, RESOURCE)
    unit = get_scoped_or_invalid(Unit.objects.select_related("project"), actor, payload.unit, "unit")
    values = payload.dict()
    values.pop("unit")
    decoration = service.apply(actor, unit=unit, documents=(), **values)
    return Status(201, _detail(actor, _rows(actor).get(pk=decoration.pk)))


@router.get("/decorations/{decoration_id}", response=DecorationDetailOut)
def get_decoration(request, decoration_id: int):
    return _detail(request.actor, _one(request, decoration_id))


@router.post("/decorations/{decoration_id}/documents", response={201: DecorationDocumentOut})
def add_document(request, decoration_id: int, kind: Form[str], file: File[UploadedFile] = None):
    """Add a document (multipart `kind`: one of the document kinds, `file`: a PDF or picture of at most 10 MB)."""
    decoration = _one(request, decoration_id)
    if kind not in DocumentKind.values:
        raise InvalidInput("kind", _("Choose one of: %(values)s.") % {"values": ", ".join(DocumentKind.values)})
    document = service.add_document(request.actor, decoration, kind, file)
    return Status(201, {"id": document.pk, "kind": document.kind, "kind_label": document.get_kind_display(),
                        "name": document.name, "uploaded_at": document.uploaded_at})


@router.post("/decorations/{decoration_id}/actions/{action}", response=DecorationDetailOut)
def act(request, decoration_id: int, action: str, payload: DecorationActionIn):
    """One step (`actions` in the detail says which the caller may take): `check_documents` (note),
    `return_for_documents` (note, required), `resubmit`, `approve_engineering` (note), `approve` (note; 409 naming
    `deposit` until it is paid), `reject` (reason), `cancel` (reason), `start_works`, `inspect` (result, findings,
    violation), `add_deduction` (reason, amount), `accept` (findings), `request_deposit_refund`."""
    actor = request.actor
    decoration = _one(request, decoration_id)
    if action not in service.ACTIONS:
        raise InvalidInput("action", _("Choose one of: %(values)s.") % {"values": ", ".join(service.ACTIONS)})
    if action == "check_documents":
        service.check_documents(actor, decoration, note=payload.note)
    elif action == "return_for_documents":
        service.return_for_documents(actor, decoration, note=payload.note)
    elif action == "resubmit":
        service.resubmit(actor, decoration)
    elif action == "approve_engineering":
        service.approve_engineering(actor, decoration, note=payload.note)
    elif action == "approve":
        service.approve(actor, decoration, note=payload.note)
    elif action == "reject":
        service.reject(actor, decoration, reason=payload.reason)
    elif action == "cancel":
        service.cancel(actor, decoration, reason=payload.reason)
    elif action == "start_works":
        service.start_works(actor, decoration)
    elif action == "inspect":
        service.inspect(actor, decoration, result=payload.result, findings=payload.findings,
                        violation=payload.violation)
    elif action == "add_deduction":
        service.add_deduction(actor, decoration, reason=payload.reason, amount=payload.amount)
    elif action == "accept":
        service.accept(actor, decoration, findings=payload.findings)
    else:
        service.request_deposit_refund(actor, decoration)
    return _detail(actor, _rows(actor).get(pk=decoration.pk))


@router.post("/decorations/{decoration_id}/worker-passes", response={201: dict})
def issue_worker_pass(request, decoration_id: int, payload: DecorationWorkerPassIn):
    """A worker's pass for the decoration (the gate's pass, linked to it), valid by the planned end of the works."""
    decoration = _one(request, decoration_id)
    worker_pass = service.issue_worker_pass(request.actor, decoration, **payload.dict())
    return Status(201, {"id": worker_pass.pk, "pass_code": worker_pass.pass_code,
                        "valid_from": worker_pass.valid_from.isoformat(),
                        "valid_until": worker_pass.valid_until.isoformat()})
