"""Reporting with photos from the owner portal (§2.1 "receive … photos"): every photo is checked before anything
is written (JPEG, PNG or WebP by its first bytes, at most 5 MB, at most `core.photos.MAX_PHOTOS`), then the ticket is
received and the photos kept with `services.attach_photo` — all in one transaction.

What is kept is never the uploaded file itself: `reencode` decodes it with Pillow and writes the pixels again, so
EXIF (a phone's GPS position of the owner's home, the camera's serial) and anything appended after the picture
are gone, and a picture of more than `WUYE_PHOTO_MAX_PIXELS` pixels (a decompression bomb) is refused before
it is decoded."""

from __future__ import annotations

from django.db import transaction

from wuye.core.access import Actor
from wuye.core.photos import check_photos, reencode  # noqa: F401  (reencode: used by services.attach_photo)

from . import services
from .models import Ticket


@transaction.atomic
def report_with_photos(actor: Actor, *, project, data: services.TicketInput, photos=()) -> Ticket:
    """`services.create_ticket`, then `services.attach_photo` for each photo: all or nothing."""
    photos = check_photos(photos)
    ticket = services.create_ticket(actor, project=project, data=data)
    for upload in photos:
        services.attach_photo(actor, ticket, upload, field_name="photos")
    return ticket
