"""The announcements API (公告/公示, SPEC §7, §9), mounted under /api/v1: owners read their feed (opening one marks it
read); staff list and manage notices — create a draft, change it, attach files, and submit / approve / reject /
publish / withdraw."""

from datetime import datetime

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from wuye.core.access import get_scoped_or_404, get_scoped_or_invalid, require_read
from wuye.core.api import Mapped, PagePagination
from wuye.core.errors import InvalidInput
from wuye.tenancy.models import Project

from . import attachments as files
from . import services as service
from .models import AnnouncementKind, AnnouncementStatus

router = Router(tags=["announcements"])
ID = {"ge": 1, "le": 2_147_483_647}
RESOURCE = "announcements.announcement"


class AnnouncementFilters(Schema):
    project: int | None = Field(None, **ID)
    status: str | None = Field(None, max_length=20, description="staff: one status")
    kind: str | None = Field(None, max_length=16)


class AnnouncementIn(Schema):
    project: int = Field(..., **ID)
    kind: str = Field(AnnouncementKind.NOTICE, max_length=16,
                      description="notice, outage_water, outage_power, outage_gas, disclosure or event")
    title: str = Field(..., max_length=service.TITLE_MAX)
    body: str = Field(..., max_length=service.BODY_MAX)
    precautions: str = Field("", max_length=service.PRECAUTIONS_MAX, description="outages: what residents do")
    outage_start: datetime | None = None
    outage_end: datetime | None = None
    buildings: list[int] = Field([], max_length=service.BUILDINGS_MAX, description="none: the whole project")
    publish_at: datetime | None = Field(None, description="scheduled publication; empty: on approval")
    expires_at: datetime | None = Field(None, description="an outage's defaults to the supply's restoration")
    pinned: bool = False


class AnnouncementChange(Schema):
    kind: str | None = Field(None, max_length=16)
    title: str | None = Field(None, max_length=service.TITLE_MAX)
    body: str | None = Field(None, max_length=service.BODY_MAX)
    precautions: str | None = Field(None, max_length=service.PRECAUTIONS_MAX)
    outage_start: datetime | None = None
    outage_end: datetime | None = None
    buildings: list[int] | None = Field(None, max_length=service.BUILDINGS_MAX)
    publish_at: datetime | None = None
    expires_at: datetime | None = None
    pinned: bool | None = None


class AnnouncementActionIn(Schema):
    reason: str = Field("", max_length=service.REASON_MAX, description="reject (required) / withdraw")


class AnnouncementBuildingOut(Schema):
    id: int
    name: str


class AttachmentOut(Schema):
    id: int
    title: str
    content_type: str
    size: int
    url: str


class AnnouncementOut(Schema):
    id: int
    project_id: int
    project: str
    kind: str
    kind_label: str
    title: str
    body: str
    precautions: str
    outage_start: datetime | None
    outage_end: datetime | None
    buildings: list[AnnouncementBuildingOut] = Field(..., description="empty: the whole project")
    status: str
    status_label: str
    pinned: bool
    publish_at: datetime | None
    expires_at: datetime | None
    published_at: datetime | None
    read: bool | None = Field(..., description="owners: whether I have opened it")
    read_count: int | None = Field(..., description="staff: people who opened it")
    audience_size: int | None = Field(..., description="staff: residents it was published to")
    reject_reason: str
    withdraw_reason: str
    attachments: list[AttachmentOut]
    actions: list[str] = Field(..., description="what the caller may do now")


def _out(actor, announcement, read_ids: set[int] | None = None) -> dict:
    staff = not actor.is_owner
    return {
        "id": announcement.pk, "project_id": announcement.project_id, "project": announcement.project.name,
        "kind": announcement.kind, "kind_label": announcement.get_kind_display(), "title": announcement.title,
        "body": announcement.body, "precautions": announcement.precautions,
        "outage_start": announcement.outage_start, "outage_end": announcement.outage_end,
        "buildings": [{"id": b.pk, "name": str(b)} for b in announcement.buildings.all()],
        "status": announcement.status, "status_label": announcement.get_status_display(),
        "pinned": announcement.pinned, "publish_at": announcement.publish_at,
        "expires_at": announcement.expires_at, "published_at": announcement.published_at,
        "read": None if staff else announcement.pk in (read_ids or set()),
        "read_count": getattr(announcement, "read_count", None) if staff else None,
        "audience_size": announcement.audience_size if staff else None,
        "reject_reason": announcement.reject_reason if staff else "",
        "withdraw_reason": announcement.withdraw_reason if staff else "",
        "attachments": [{"id": a.pk, "title": a.title, "content_type": a.content_type, "size": a.size,
                         "url": reverse("api:announcement_attachment", args=[announcement.pk, a.pk])}
                        for a in announcement.attachments.all()],
        "actions": service.actions_for(actor, announcement),
    }


def _rows(actor):
    rows = service.announcements(actor).select_related("project").prefetch_related("buildings", "attachments")
    return rows if actor.is_owner else service.with_read_counts(rows)


@router.get("/announcements", response=list[AnnouncementOut])
@paginate(PagePagination)
def list_announcements(request, filters: Query[AnnouncementFilters]):
    """Owners: their 社区公告 feed (published, unexpired, pinned first, `read` marked). Staff: the notices in scope,
    newest first, filtered by `project`, `status`, `kind`."""
    actor = request.actor
    require_read(actor, RESOURCE)
    if actor.is_owner:
        rows = service.feed(actor).select_related("project").prefetch_related("buildings", "attachments")
        read = service.read_ids(actor.user, rows)
        return Mapped(rows, lambda one: _out(actor, one, read))
    rows = _rows(actor).order_by("-created_at", "-id")
    if filters.project is not None:
        rows = rows.filter(project_id=filters.project)
    if filters.status is not None:
        if filters.status not in AnnouncementStatus.values:
            raise InvalidInput("status", _("Choose one of: %(values)s.") % {
                "values": ", ".join(AnnouncementStatus.values)})
        rows = rows.filter(status=filters.status)
    if filters.kind is not None:
        if filters.kind not in AnnouncementKind.values:
            raise InvalidInput("kind", _("Choose one of: %(values)s.") % {
                "values": ", ".join(AnnouncementKind.values)})
        rows = rows.filter(kind=filters.kind)
    return Mapped(rows, lambda one: _out(actor, one))


@router.post("/announcements", response={201: AnnouncementOut})
def create_announcement(request, payload: AnnouncementIn):
    """A draft notice (staff who write notices). An outage (`outage_water`, `outage_power`, `outage_gas`) needs
    `outage_start`, `outage_end` and `precautions`, and must be published at least WUYE_OUTAGE_NOTICE_HOURS hours
    before `outage_start` (422 naming `outage_start` with the earliest allowed start)."""
    actor = request.actor
    require_read(actor, RESOURCE)
    if actor.is_owner:
        raise Http404
    project = get_scoped_or_invalid(Project.objects.all(), actor, payload.project, "project")
    values = payload.dict()
    values.pop("project")
    announcement = service.create(actor, project=project, **values)
    return Status(201, _out(actor, _rows(actor).get(pk=announcement.pk)))


@router.get("/announcements/{announcement_id}", response=AnnouncementOut)
def get_announcement(request, announcement_id: int):
    """One notice; an owner opening it marks it read (once per person)."""
    actor = request.actor
    require_read(actor, RESOURCE)
    announcement = get_scoped_or_404(_rows(actor), actor, pk=announcement_id)
    if actor.is_owner:
        service.mark_read(actor, announcement)
        return _out(actor, announcement, {announcement.pk})
    return _out(actor, announcement)


@router.patch("/announcements/{announcement_id}", response=AnnouncementOut)
def change_announcement(request, announcement_id: int, payload: AnnouncementChange):
    """Change a draft: only the fields given."""
    actor = request.actor
    require_read(actor, RESOURCE)
    announcement = get_scoped_or_404(_rows(actor), actor, pk=announcement_id)
    service.edit(actor, announcement, **payload.dict(exclude_unset=True))
    return _out(actor, _rows(actor).get(pk=announcement_id))


@router.post("/announcements/{announcement_id}/actions/{action}", response=AnnouncementOut)
def act(request, announcement_id: int, action: str, payload: AnnouncementActionIn):
    """One step: `submit` (to the manager), `approve` (published now or scheduled; not the author's own),
    `reject` (`reason`), `publish` (a scheduled one now), `withdraw` (`reason` for a published one)."""
    actor = request.actor
    require_read(actor, RESOURCE)
    announcement = get_scoped_or_404(_rows(actor), actor, pk=announcement_id)
    if action not in service.ACTIONS:
        raise InvalidInput("action", _("Choose one of: %(values)s.") % {"values": ", ".join(service.ACTIONS)})
    if actor.is_owner:
        raise Http404
    if action == "submit":
        service.submit(actor, announcement)
    elif action == "approve":
        service.approve(actor, announcement)
    elif action == "reject":
        service.reject(actor, announcement, reason=payload.reason)
    elif action == "publish":
        service.publish(actor, announcement)
    else:
        service.withdraw(actor, announcement, reason=payload.reason)
    return _out(actor, _rows(actor).get(pk=announcement_id))


@router.post("/announcements/{announcement_id}/attachments", response={201: AttachmentOut})
def add_attachment(request, announcement_id: int, file: File[UploadedFile], title: Form[str] = ""):
    """Attach a PDF or a picture (≤ 10 MB, at most five) to a draft."""
    actor = request.actor
    require_read(actor, RESOURCE)
    announcement = get_scoped_or_404(_rows(actor), actor, pk=announcement_id)
    if len(title) > service.TITLE_MAX:
        raise InvalidInput("title", _("At most %(count)s characters.") % {"count": service.TITLE_MAX})
    row = files.add_attachment(actor, announcement, upload=file, title=title)
    return Status(201, {"id": row.pk, "title": row.title, "content_type": row.content_type, "size": row.size,
                        "url": reverse("api:announcement_attachment", args=[announcement.pk, row.pk])})


@router.get("/announcements/{announcement_id}/attachments/{attachment_id}", response={200: None},
            url_name="announcement_attachment")
def get_attachment(request, announcement_id: int, attachment_id: int):
    """An attachment, to the people who see the notice (never a public media link)."""
    actor = request.actor
    require_read(actor, RESOURCE)
    announcement = get_scoped_or_404(_rows(actor), actor, pk=announcement_id)
    return files.respond(announcement, attachment_id)
