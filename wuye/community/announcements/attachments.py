"""Attachments of a notice (公告附件): a PDF or a picture, checked by its first bytes, kept with a draft."""

from __future__ import annotations

import uuid

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from wuye.core.access import Actor, require
from wuye.core.errors import Problems
from wuye.core.events import record_event
from wuye.core.photos import photo_type, reencode

from .models import Announcement, AnnouncementAttachment
from .services import EDITABLE, TITLE_MAX, WRITE, _check_sees, _refuse_state, _text

ATTACHMENTS_MAX = 5
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
# What add_attachment writes, by extension (a file of another extension was not put there by it).
CONTENT_TYPES = {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


def attachment_type(head: bytes) -> str | None:
    """"application/pdf" or a picture's type from the first bytes (never from the name); None otherwise."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return photo_type(head)


def add_attachment(actor: Actor, announcement: Announcement, *, upload, title: str = "") -> AnnouncementAttachment:
    """Attach a PDF or a picture (JPEG, PNG, WebP; re-encoded without EXIF) of at most 10 MB to a draft, at most
    five per notice; the type is read from the file's first bytes. 422 naming `file` otherwise."""
    require(actor, WRITE)
    _check_sees(actor, announcement)
    if announcement.status not in EDITABLE:
        raise _refuse_state(announcement)
    problems = Problems()
    default_title = (getattr(upload, "name", "") or "").rsplit(".", 1)[0][:TITLE_MAX]
    title = _text(problems, "title", title or default_title, TITLE_MAX, required=True)
    content_type = None
    if upload is None:
        problems.add("file", _("Choose a file."))
    elif upload.size > ATTACHMENT_MAX_BYTES:
        problems.add("file", _("The file is larger than 10 MB."))
    else:
        upload.seek(0)
        content_type = attachment_type(upload.read(16))
        upload.seek(0)
        if content_type is None:
            problems.add("file", _("Upload a PDF or a JPEG, PNG or WebP picture."))
    if announcement.attachments.count() >= ATTACHMENTS_MAX:
        problems.add("file", _("At most %(count)s attachments.") % {"count": ATTACHMENTS_MAX})
    problems.raise_if_any()
    if content_type == "application/pdf":
        content, extension = ContentFile(upload.read()), "pdf"
    else:
        content, content_type = reencode(upload, "file")
        extension = content_type.split("/")[1].replace("jpeg", "jpg")
    content.name = f"announcement-{announcement.pk}-{uuid.uuid4().hex[:12]}.{extension}"
    with transaction.atomic():
        row = AnnouncementAttachment.objects.create(
            announcement=announcement, title=title, file=content, content_type=content_type, size=content.size,
            uploaded_by=actor.user)
        record_event(announcement, "announcements.attachment_added", actor=actor.user, data={"title": title})
    return row


def remove_attachment(actor: Actor, attachment: AnnouncementAttachment) -> None:
    """Take an attachment off a draft."""
    require(actor, WRITE)
    announcement = attachment.announcement
    _check_sees(actor, announcement)
    if announcement.status not in EDITABLE:
        raise _refuse_state(announcement)
    with transaction.atomic():
        title = attachment.title
        attachment.file.delete(save=False)
        attachment.delete()
        record_event(announcement, "announcements.attachment_removed", actor=actor.user, data={"title": title})


def respond(announcement: Announcement, attachment_id: int):
    """The file of attachment `attachment_id` of `announcement` (already read through the scope), inline."""
    from django.http import FileResponse, Http404

    from wuye.core.downloads import attachment as named

    row = announcement.attachments.filter(pk=attachment_id).first()
    if row is None or not row.file:
        raise Http404
    extension = row.file.name.rsplit(".", 1)[-1].lower()
    content_type = CONTENT_TYPES.get(extension)
    if content_type is None:
        raise Http404
    response = FileResponse(row.file.open("rb"), content_type=content_type)
    return named(response, f"{row.title}.{extension}", inline=True)
