"""Security API: goods release (物品放行) — apply (owner app or desk), the owner's consent to a tenant's release, the
desk's approval with the slip, the gate's verification of the slip's code (once, on its day)."""

from datetime import date, datetime

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from wuye.core.access import get_scoped_or_404, get_scoped_or_invalid, require_read
from wuye.core.api import Mapped, PagePagination
from wuye.core.downloads import attachment
from wuye.core.errors import InvalidInput
from wuye.core.pii import mask_phone
from wuye.tenancy.models import Project, Unit

from .. import goods as service
from ..models import GoodsRelease, GoodsReleaseStatus

router = Router()
ID = {"ge": 1, "le": 2_147_483_647}
RESOURCE = "security.goods"
ACTIONS = ("consent", "decline", "approve", "reject", "cancel", "verify")


class GoodsFilters(Schema):
    project: int | None = Field(None, **ID)
    unit: int | None = Field(None, **ID)
    status: str | None = Field(None, max_length=16)
    day: date | None = Field(None, description="the carry-out day")


class GoodsItem(Schema):
    name: str = Field(..., max_length=service.ITEM_NAME_MAX)
    quantity: int = Field(1, ge=service.QUANTITY_MIN, le=service.QUANTITY_MAX)


class GoodsReleaseIn(Schema):
    project: int | None = Field(None, **ID, description="the desk's project (the portal takes the unit's)")
    unit: int = Field(..., **ID)
    applicant_name: str = Field("", max_length=service.NAME_MAX)
    applicant_kind: str = Field("owner", max_length=16, description="owner or tenant (the portal decides itself)")
    items: list[GoodsItem] = Field(..., max_length=service.ITEMS_MAX)
    carry_out_on: date
    reason: str = Field("", max_length=service.REASON_MAX)
    phone: str = Field("", max_length=30)
    plate: str = Field("", max_length=20)


class GoodsActionIn(Schema):
    call_note: str = Field("", max_length=service.NOTE_MAX, description="consent: who answered the desk's call")
    reason: str = Field("", max_length=service.NOTE_MAX, description="reject / cancel")
    note: str = Field("", max_length=service.NOTE_MAX, description="decline / verify")
    code: str = Field("", max_length=service.CODE_INPUT_MAX, description="verify: the slip's code")


class GoodsVerifyIn(Schema):
    project: int = Field(..., **ID)
    code: str = Field(..., max_length=service.CODE_INPUT_MAX)
    note: str = Field("", max_length=service.NOTE_MAX)


class GoodsItemOut(Schema):
    name: str
    quantity: int


class GoodsReleaseOut(Schema):
    id: int
    project_id: int
    project: str
    unit_id: int
    unit: str
    applicant_name: str
    applicant_kind: str
    phone: str = Field(..., description="masked")
    items: list[GoodsItemOut]
    reason: str
    carry_out_on: date
    plate: str
    status: str
    status_label: str
    consent: str
    consent_label: str
    needs_consent: bool
    consent_note: str
    code: str = Field(..., description="the slip's code, once approved")
    approved_at: datetime | None
    reject_reason: str
    verified_at: datetime | None
    created_at: datetime
    actions: list[str] = Field(..., description="what the caller may do now")


def _out(actor, release: GoodsRelease, owned: set[int] | None = None) -> dict:
    return {
        "id": release.pk, "project_id": release.project_id, "project": release.project.name,
        "unit_id": release.unit_id, "unit": release.unit.label, "applicant_name": release.applicant_name,
        "applicant_kind": release.applicant_kind, "phone": mask_phone(release.phone),
        "items": release.items or [], "reason": release.reason, "carry_out_on": release.carry_out_on,
        "plate": release.plate, "status": release.status, "status_label": release.get_status_display(),
        "consent": release.consent, "consent_label": release.get_consent_display(),
        "needs_consent": service.needs_consent(release), "consent_note": release.consent_note,
        "code": release.code, "approved_at": release.approved_at, "reject_reason": release.reject_reason,
        "verified_at": release.verified_at, "created_at": release.created_at,
        "actions": service.actions_for(actor, release, owned),
    }


def _rows(actor):
    return service.releases(actor).select_related("project", "unit__building")


@router.get("/goods-releases", response=list[GoodsReleaseOut])
@paginate(PagePagination)
def list_releases(request, filters: Query[GoodsFilters]):
    """Goods releases in scope, latest first (an owner: their own and their units' tenants'); filters `project`,
    `unit`, `status`, `day` (carry-out day)."""
    require_read(request.actor, RESOURCE)
    rows = _rows(request.actor)
    if filters.project is not None:
        rows = rows.filter(project_id=filters.project)
    if filters.unit is not None:
        rows = rows.filter(unit_id=filters.unit)
    if filters.status is not None:
        if filters.status not in GoodsReleaseStatus.values:
            raise InvalidInput("status", _("Choose one of: %(values)s.") % {
                "values": ", ".join(GoodsReleaseStatus.values)})
        rows = rows.filter(status=filters.status)
    if filters.day is not None:
        rows = rows.filter(carry_out_on=filters.day)
    owned = service.owned_unit_ids(request.actor) if request.actor.is_owner else None  # once, not per row
    return Mapped(rows, lambda release: _out(request.actor, release, owned))


@router.post("/goods-releases", response={201: GoodsReleaseOut})
def create_release(request, payload: GoodsReleaseIn):
    """Apply: an owner for their own unit (a tenant's application waits for the owner's consent), or the desk for
    a walk-in (`project`, `unit`, `applicant_name`, `applicant_kind`, `phone`). 1–30 goods, quantity 1–999,
    carry-out day today … today + 30, plate optional."""
    actor = request.actor
    require_read(actor, RESOURCE)
    project = None
    if not actor.is_owner:
        if payload.project is None:
            raise InvalidInput("project", _("This field is required."))
        project = get_scoped_or_invalid(Project.objects.all(), actor, payload.project, "project")
    unit = get_scoped_or_invalid(Unit.objects.select_related("project"), actor, payload.unit, "unit")
    release = service.apply(
        actor, project=project, unit=unit, applicant_name=payload.applicant_name,
        applicant_kind=payload.applicant_kind, items=[item.dict() for item in payload.items],
        carry_out_on=payload.carry_out_on, reason=payload.reason, phone=payload.phone, plate=payload.plate)
    return Status(201, _out(actor, _rows(actor).get(pk=release.pk)))


@router.post("/goods-releases/verify", response=GoodsReleaseOut)
def verify_by_code(request, payload: GoodsVerifyIn):
    """The gate: release the goods of the slip `code` in `project` — once, on its day. Unknown code → 422 naming
    `code`; used, withdrawn or another day's → 409 naming `code`; a role that does not verify → 403."""
    actor = request.actor
    require_read(actor, RESOURCE)
    project = get_scoped_or_invalid(Project.objects.all(), actor, payload.project, "project")
    release = service.verify_slip(actor, project=project, code=payload.code, note=payload.note)
    return _out(actor, _rows(actor).get(pk=release.pk))


@router.get("/goods-releases/{release_id}", response=GoodsReleaseOut)
def get_release(request, release_id: int):
    require_read(request.actor, RESOURCE)
    return _out(request.actor, get_scoped_or_404(_rows(request.actor), request.actor, pk=release_id))


@router.post("/goods-releases/{release_id}/actions/{action}", response=GoodsReleaseOut)
def act(request, release_id: int, action: str, payload: GoodsActionIn):
    """One step: `consent` (owner in the portal; the desk with `call_note`), `decline`, `approve`, `reject`
    (`reason`), `cancel`, `verify` (the gate; `code` if given must be the slip's)."""
    actor = request.actor
    require_read(actor, RESOURCE)
    release = get_scoped_or_404(_rows(actor), actor, pk=release_id)
    if action not in ACTIONS:
        raise InvalidInput("action", _("Choose one of: %(values)s.") % {"values": ", ".join(ACTIONS)})
    if action == "consent":
        service.give_consent(actor, release, call_note=payload.call_note or None)
    elif action == "decline":
        service.decline_consent(actor, release, note=payload.note or payload.call_note)
    elif action == "approve":
        service.approve(actor, release)
    elif action == "reject":
        service.reject(actor, release, reason=payload.reason)
    elif action == "cancel":
        service.cancel(actor, release, reason=payload.reason)
    else:
        service.verify_release(actor, release, code=payload.code, note=payload.note)
    return _out(actor, _rows(actor).get(pk=release.pk))


@router.get("/goods-releases/{release_id}/slip.pdf", response={200: None})
def slip(request, release_id: int):
    """The release slip as a PDF (an approved or used release)."""
    require_read(request.actor, RESOURCE)
    release = get_scoped_or_404(_rows(request.actor), request.actor, pk=release_id)
    content = service.slip_pdf(release)
    return attachment(HttpResponse(content, content_type="application/pdf"), service.slip_filename(release),
                      inline=True)
