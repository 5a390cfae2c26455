"""The takeover from the developer API (SPEC §7, §9), mounted under /api/v1: takeovers with their checklist,
rectification notices and document handover list; the state changes as actions; the notice and report PDFs."""

from datetime import date, datetime

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from wuye.core.access import get_scoped_or_404, get_scoped_or_invalid, require_read
from wuye.core.api import Mapped, PagePagination
from wuye.core.downloads import attachment
from wuye.core.errors import InvalidInput
from wuye.tenancy.models import Building, Project

from . import services as service
from .models import HandoverDocument, RectificationNotice, Takeover, TakeoverCheck, TakeoverStatus

router = Router(tags=["takeovers"])
ID = {"ge": 1, "le": 2_147_483_647}
RESOURCE = "takeovers.takeovers"
ACTIONS = ("start", "reinspect", "accept", "cancel")


class TakeoverFilters(Schema):
    project: int | None = Field(None, **ID)
    status: str | None = Field(None, max_length=16)


class TakeoverIn(Schema):
    project: int = Field(..., **ID)
    buildings: list[int] = Field([], max_length=service.BUILDINGS_MAX)
    title: str = Field(..., max_length=service.TITLE_MAX)
    developer: str = Field(..., max_length=service.NAME_MAX)
    developer_contact: str = Field("", max_length=service.CONTACT_MAX)
    planned_on: date
    members: str = Field("", max_length=service.MEMBERS_MAX)
    owner_representatives: str = Field("", max_length=service.REPRESENTATIVES_MAX)


class TakeoverActionIn(Schema):
    signed_on: date | None = Field(None, description="accept: the day the confirmation is signed")
    developer_signatory: str = Field("", max_length=service.SIGNATORY_MAX, description="accept")
    note: str = Field("", max_length=service.NOTE_MAX, description="accept")
    reason: str = Field("", max_length=service.REASON_MAX, description="cancel")


class CheckIn(Schema):
    result: str = Field(..., max_length=16, description="ok, finding or not_applicable")
    note: str = Field("", max_length=service.NOTE_MAX)
    location: str = Field("", max_length=service.LOCATION_MAX)


class ReinspectIn(Schema):
    fixed: bool
    note: str = Field("", max_length=service.NOTE_MAX)


class WaiveIn(Schema):
    note: str = Field(..., max_length=service.NOTE_MAX)


class NoticeIn(Schema):
    findings: list[int] | None = Field(None, max_length=500, description="the findings (default: every open one "
                                                                            "on no notice)")
    note: str = Field("", max_length=service.NOTE_MAX)


class DocumentIn(Schema):
    category: str | None = Field(None, max_length=16)
    name: str | None = Field(None, max_length=service.DOC_NAME_MAX)
    status: str | None = Field(None, max_length=16)
    received_on: date | None = None
    copies: int | None = Field(None, ge=0, le=service.COPIES_MAX)
    filed_at: str | None = Field(None, max_length=service.FILED_MAX)
    warranty_ends_on: date | None = None
    responsible_firm: str | None = Field(None, max_length=service.FIRM_MAX)
    note: str | None = Field(None, max_length=service.DOC_NOTE_MAX)


class CheckOut(Schema):
    id: int
    system: str
    system_label: str
    number: int
    item: str
    standard: str
    result: str
    result_label: str
    note: str
    location: str
    checked_at: datetime | None
    finding_state: str
    notice: int | None = Field(..., description="the number of its rectification notice")
    reinspections: int
    reinspect_note: str
    waive_note: str


class TakeoverNoticeOut(Schema):
    id: int
    number: int
    status: str
    status_label: str
    issued_at: datetime
    due_at: datetime | None
    closed_at: datetime | None
    findings: int
    note: str


class TakeoverDocumentOut(Schema):
    id: int
    number: int
    category: str
    category_label: str
    name: str
    status: str
    status_label: str
    received_on: date | None
    copies: int
    filed_at: str
    warranty_ends_on: date | None
    responsible_firm: str
    note: str


class SystemOut(Schema):
    system: str
    label: str
    items: int
    checked: int
    ok: int
    findings: int
    open: int
    not_applicable: int


class TakeoverOut(Schema):
    id: int
    project_id: int
    project: str
    buildings: list[str]
    title: str
    developer: str
    developer_contact: str
    planned_on: date
    members: str
    owner_representatives: str
    status: str
    status_label: str
    started_at: datetime | None
    accepted_on: date | None
    developer_signatory: str
    acceptance_note: str
    cancel_reason: str
    open_findings: int
    missing_documents: int
    actions: list[str]


class TakeoverDetailOut(TakeoverOut):
    systems: list[SystemOut]
    checks: list[CheckOut]
    notices: list[TakeoverNoticeOut]
    documents: list[TakeoverDocumentOut]


def _rows(actor):
    return service.takeovers(actor).select_related("project").prefetch_related("buildings")


def _counted(takeover: Takeover, name: str, rows) -> int:
    """The list's annotated count, or one query for a single takeover."""
    value = getattr(takeover, name, None)
    return rows().count() if value is None else value


def _out(actor, takeover: Takeover) -> dict:
    return {
        "id": takeover.pk, "project_id": takeover.project_id, "project": takeover.project.name,
        "buildings": [b.number for b in takeover.buildings.all()], "title": takeover.title,
        "developer": takeover.developer, "developer_contact": takeover.developer_contact,
        "planned_on": takeover.planned_on, "members": takeover.members,
        "owner_representatives": takeover.owner_representatives, "status": takeover.status,
        "status_label": takeover.get_status_display(), "started_at": takeover.started_at,
        "accepted_on": takeover.accepted_on, "developer_signatory": takeover.developer_signatory,
        "acceptance_note": takeover.acceptance_note, "cancel_reason": takeover.cancel_reason,
        "open_findings": _counted(takeover, "open_count", lambda: takeover.checks.filter(finding_state="open")),
        "missing_documents": _counted(takeover, "missing_count", lambda: takeover.documents.filter(status="missing")),
        "actions": service.actions_for(actor, takeover),
    }


def _check_out(check: TakeoverCheck) -> dict:
    return {"id": check.pk, "system": check.system, "system_label": check.get_system_display(),
            "number": check.number, "item": check.item, "standard": check.standard, "result": check.result,
            "result_label": check.get_result_display(), "note": check.note, "location": check.location,
            "checked_at": check.checked_at, "finding_state": check.finding_state,
            "notice": check.notice.number if check.notice_id else None, "reinspections": check.reinspections,
            "reinspect_note": check.reinspect_note, "waive_note": check.waive_note}


def _notice_out(notice: RectificationNotice) -> dict:
    clock = service.notice_clock(notice)
    return {"id": notice.pk, "number": notice.number, "status": notice.status,
            "status_label": notice.get_status_display(), "issued_at": notice.issued_at,
            "due_at": clock.due_at if clock else None, "closed_at": notice.closed_at,
            "findings": notice.findings.count(), "note": notice.note}


def _document_out(doc: HandoverDocument) -> dict:
    return {"id": doc.pk, "number": doc.number, "category": doc.category, "category_label": doc.get_category_display(),
            "name": doc.name, "status": doc.status, "status_label": doc.get_status_display(),
            "received_on": doc.received_on, "copies": doc.copies, "filed_at": doc.filed_at,
            "warranty_ends_on": doc.warranty_ends_on, "responsible_firm": doc.responsible_firm, "note": doc.note}


def _detail(actor, takeover: Takeover) -> dict:
    return {**_out(actor, takeover), "systems": service.by_system(takeover),
            "checks": [_check_out(c) for c in takeover.checks.select_related("notice").order_by("number")],
            "notices": [_notice_out(n) for n in takeover.notices.order_by("number")],
            "documents": [_document_out(d) for d in takeover.documents.order_by("number")]}


def _takeover(request, takeover_id: int) -> Takeover:
    require_read(request.actor, RESOURCE)
    return get_scoped_or_404(_rows(request.actor), request.actor, pk=takeover_id)


@router.get("/takeovers", response=list[TakeoverOut])
@paginate(PagePagination)
def list_takeovers(request, filters: Query[TakeoverFilters]):
    """Takeovers in scope, latest planned first; filters `project`, `status`."""
    from django.db.models import Count, Q

    require_read(request.actor, RESOURCE)
    rows = _rows(request.actor).annotate(
        open_count=Count("checks", filter=Q(checks__finding_state="open"), distinct=True),
        missing_count=Count("documents", filter=Q(documents__status="missing"), distinct=True)
    ).order_by("-planned_on", "-id")
    if filters.project is not None:
        rows = rows.filter(project_id=filters.project)
    if filters.status is not None:
        if filters.status not in TakeoverStatus.values:
            raise InvalidInput("status", _("Choose one of: %(values)s.") % {"values": ", ".join(TakeoverStatus.values)})
        rows = rows.filter(status=filters.status)
    return Mapped(rows, lambda takeover: _out(request.actor, takeover))


@router.post("/takeovers", response={201: TakeoverDetailOut})
def create_takeover(request, payload: TakeoverIn):
    """Plan a takeover of a project (optionally some of its buildings): the default checklist by system and the
    document handover list are copied in."""
    actor = request.actor
    require_read(actor, RESOURCE)
    project = get_scoped_or_invalid(Project.objects.all(), actor, payload.project, "project")
    wanted = set(payload.buildings)
    buildings = list(Building.objects.filter(project=project, pk__in=wanted))
    if len(buildings) != len(wanted):
        raise InvalidInput("buildings", _("Choose buildings of the project."))
    takeover = service.create_takeover(
        actor, project=project, buildings=buildings, title=payload.title, developer=payload.developer,
        developer_contact=payload.developer_contact, planned_on=payload.planned_on, members=payload.members,
        owner_representatives=payload.owner_representatives)
    return Status(201, _detail(actor, _rows(actor).get(pk=takeover.pk)))


@router.get("/takeovers/{takeover_id}", response=TakeoverDetailOut)
def get_takeover(request, takeover_id: int):
    """One takeover with its systems' figures, checklist, notices (with their deadlines) and documents."""
    return _detail(request.actor, _takeover(request, takeover_id))


@router.post("/takeovers/{takeover_id}/actions/{action}", response=TakeoverDetailOut)
def act(request, takeover_id: int, action: str, payload: TakeoverActionIn):
    """`start` the inspection, `reinspect` (the developer reports the notices done), `accept` (the confirmation:
    `signed_on`, `developer_signatory`, `note`; 422 naming `checks` / `findings` with what is still open),
    `cancel` (`reason`)."""
    actor = request.actor
    takeover = _takeover(request, takeover_id)
    if action not in ACTIONS:
        raise InvalidInput("action", _("Choose one of: %(values)s.") % {"values": ", ".join(ACTIONS)})
    if action == "start":
        service.start_inspection(actor, takeover)
    elif action == "reinspect":
        service.start_reinspection(actor, takeover)
    elif action == "accept":
        service.accept(actor, takeover, signed_on=payload.signed_on, developer_signatory=payload.developer_signatory,
                       note=payload.note)
    else:
        service.cancel(actor, takeover, reason=payload.reason)
    return _detail(actor, _rows(actor).get(pk=takeover.pk))


def _check(request, takeover_id: int, check_id: int) -> TakeoverCheck:
    takeover = _takeover(request, takeover_id)
    return get_scoped_or_404(TakeoverCheck.objects.filter(takeover=takeover), request.actor, pk=check_id)


@router.post("/takeovers/{takeover_id}/checks/{check_id}", response=CheckOut)
def record_check(request, takeover_id: int, check_id: int, payload: CheckIn):
    """Record an item: `result` ok, finding (with `note`) or not_applicable, `location`."""
    check = service.record_check(request.actor, _check(request, takeover_id, check_id), result=payload.result,
                                 note=payload.note, location=payload.location)
    return _check_out(TakeoverCheck.objects.select_related("notice").get(pk=check.pk))


@router.post("/takeovers/{takeover_id}/checks/{check_id}/reinspect", response=CheckOut)
def reinspect(request, takeover_id: int, check_id: int, payload: ReinspectIn):
    """The re-inspection of a finding: `fixed` true closes it; false keeps it open (`note` says what is wrong)."""
    check = service.reinspect(request.actor, _check(request, takeover_id, check_id), fixed=payload.fixed,
                              note=payload.note)
    return _check_out(TakeoverCheck.objects.select_related("notice").get(pk=check.pk))


@router.post("/takeovers/{takeover_id}/checks/{check_id}/waive", response=CheckOut)
def waive(request, takeover_id: int, check_id: int, payload: WaiveIn):
    """The manager accepts an open finding as is (`note` says why)."""
    check = service.waive(request.actor, _check(request, takeover_id, check_id), note=payload.note)
    return _check_out(TakeoverCheck.objects.select_related("notice").get(pk=check.pk))


@router.post("/takeovers/{takeover_id}/notices", response={201: TakeoverNoticeOut})
def issue_notice(request, takeover_id: int, payload: NoticeIn):
    """Issue a rectification notice to the developer grouping open findings (15 working days, a quality
    rectification for engineering)."""
    notice = service.issue_notice(request.actor, _takeover(request, takeover_id), check_ids=payload.findings,
                                  note=payload.note)
    return Status(201, _notice_out(notice))


@router.get("/takeovers/{takeover_id}/notices/{notice_id}/notice.pdf", response={200: None})
def notice_pdf(request, takeover_id: int, notice_id: int):
    """The rectification notice (整改通知书) as a PDF."""
    takeover = _takeover(request, takeover_id)
    notice = get_scoped_or_404(RectificationNotice.objects.filter(takeover=takeover).select_related(
        "takeover__project", "issued_by"), request.actor, pk=notice_id)
    return attachment(HttpResponse(service.notice_pdf(notice), content_type="application/pdf"),
                      service.notice_filename(notice), inline=True)


@router.post("/takeovers/{takeover_id}/documents", response={201: TakeoverDocumentOut})
def add_document(request, takeover_id: int, payload: DocumentIn):
    """Add a line to the document handover list (`category`, `name`, and optionally the rest)."""
    doc = service.add_document(request.actor, _takeover(request, takeover_id), payload.dict(exclude_none=True))
    return Status(201, _document_out(doc))


@router.post("/takeovers/{takeover_id}/documents/{document_id}", response=TakeoverDocumentOut)
def update_document(request, takeover_id: int, document_id: int, payload: DocumentIn):
    """Change a line of the handover list: only the fields given change."""
    takeover = _takeover(request, takeover_id)
    doc = get_scoped_or_404(HandoverDocument.objects.filter(takeover=takeover), request.actor, pk=document_id)
    return _document_out(service.update_document(request.actor, doc, payload.dict(exclude_none=True)))


@router.get("/takeovers/{takeover_id}/report.pdf", response={200: None})
def report_pdf(request, takeover_id: int):
    """The takeover report (接管验收报告) as a PDF."""
    takeover = _takeover(request, takeover_id)
    return attachment(HttpResponse(service.report_pdf(takeover), content_type="application/pdf"),
                      service.report_filename(takeover), inline=True)
