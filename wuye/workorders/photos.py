"""Reporting with photos from the owner portal (§2.1 "receive … photos"): every photo is checked before anything
is written (JPEG, PNG or WebP by its first bytes, at most 5 MB, at most `services.MAX_PHOTOS`), then the ticket is
received and the photos kept with `services.attach_photo` — all in one transaction."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from wuye.core.access import Actor
from wuye.core.errors import InvalidInput

from . import services
from .models import Ticket


def check_photos(files, field: str = "photos") -> list:
    """The uploads, or InvalidInput naming `field` for the first one that would be refused."""
    files = list(files or [])
    if len(files) > services.MAX_PHOTOS:
        raise InvalidInput(field, _("At most %(count)s photos.") % {"count": services.MAX_PHOTOS})
    for upload in files:
        if upload.size > services.MAX_PHOTO_BYTES:
            raise InvalidInput(field, _("%(name)s is larger than 5 MB.") % {"name": upload.name})
        upload.seek(0)
        head = upload.read(16)
        upload.seek(0)
        if services.photo_type(head) is None:
            raise InvalidInput(field, _("%(name)s is not a JPEG, PNG or WebP picture.") % {"name": upload.name})
    return files


@transaction.atomic
def report_with_photos(actor: Actor, *, project, data: services.TicketInput, photos=()) -> Ticket:
    """`services.create_ticket`, then `services.attach_photo` for each photo: all or nothing."""
    photos = check_photos(photos)
    ticket = services.create_ticket(actor, project=project, data=data)
    for upload in photos:
        services.attach_photo(actor, ticket, upload, field_name="photos")
    return ticket
