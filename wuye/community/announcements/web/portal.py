"""The owner portal's 社区公告 (H5, 390 px): the published notices of my project and buildings, pinned first, unread
marked; opening one marks it read (once per person)."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import path

from wuye.core.access import get_scoped_or_404
from wuye.web.guards import owner_view
from wuye.web.paging import paginate

from .. import attachments as files
from .. import services as service


@owner_view
def h5_list(request):
    actor = request.actor
    rows = service.feed(actor).select_related("project")
    page = paginate(request, rows, per_page=20)
    read = service.read_ids(actor.user, list(page.object_list))
    return render(request, "announcements/h5_list.html", {
        "page": page, "rows": [{"announcement": one, "unread": one.pk not in read} for one in page.object_list]})


@owner_view
def h5_detail(request, pk: int):
    actor = request.actor
    announcement = get_scoped_or_404(service.announcements(actor).select_related("project"), actor, pk=pk)
    service.mark_read(actor, announcement)
    return render(request, "announcements/h5_detail.html", {
        "announcement": announcement, "attachments": list(announcement.attachments.all()),
        "buildings": list(announcement.buildings.all())})


@owner_view
def h5_attachment(request, pk: int, attachment_pk: int):
    announcement = get_scoped_or_404(service.announcements(request.actor), request.actor, pk=pk)
    return files.respond(announcement, attachment_pk)


urlpatterns = [
    path("h5/announcements/", h5_list, name="h5_list"),
    path("h5/announcements/<int:pk>/", h5_detail, name="h5_detail"),
    path("h5/announcements/<int:pk>/files/<int:attachment_pk>/", h5_attachment, name="h5_attachment"),
]
