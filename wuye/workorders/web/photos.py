"""Ticket photos, served to staff in scope and to the owners who may see the ticket (never as public media)."""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.urls import path

from wuye.core.access import get_scoped_or_404
from wuye.web.guards import owner_view, staff_view

from ..models import Photo, Ticket


def _photo_response(photo: Photo):
    try:
        handle = photo.image.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(handle, content_type=photo.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


@staff_view(reads="workorders.tickets")
def ticket_photo(request, ticket_id: int, photo_id: int):
    ticket = get_scoped_or_404(Ticket.objects.all(), request.actor, pk=ticket_id)
    return _photo_response(_ticket_photo_or_404(ticket, photo_id))


def _ticket_photo_or_404(ticket, photo_id):
    photo = Photo.objects.filter(ticket=ticket, pk=photo_id).first()
    if photo is None:
        raise Http404
    return photo


@owner_view
def h5_photo(request, ticket_id: int, photo_id: int):
    ticket = get_scoped_or_404(Ticket.objects.all(), request.actor, pk=ticket_id)
    return _photo_response(_ticket_photo_or_404(ticket, photo_id))


urlpatterns = [
    path("console/tickets/<int:ticket_id>/photos/<int:photo_id>/", ticket_photo, name="photo"),
    path("h5/tickets/<int:ticket_id>/photos/<int:photo_id>/", h5_photo, name="h5_photo"),
]
