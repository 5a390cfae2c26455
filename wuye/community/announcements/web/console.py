"""Console pages of announcements (公告/公示): the list with read counts, the new/edit form, one notice with its
attachments, the actions the person may take (submit, approve, reject, publish now, withdraw) and its timeline."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wuye.core.access import get_scoped_or_404, scoped
from wuye.core.errors import DomainError, InvalidInput
from wuye.core.validators import digits
from wuye.tenancy.models import Building, Project
from wuye.web.guards import staff_view
from wuye.web.paging import paginate

from .. import attachments as files
from .. import services as service
from ..models import OUTAGE_KINDS, AnnouncementKind, AnnouncementStatus

RESOURCE = "announcements.announcement"
FIELDS = ("kind", "title", "body", "precautions", "outage_start", "outage_end", "publish_at", "expires_at")


def _errors(error: DomainError) -> dict:
    return {problem.field or "form": problem.message for problem in error.problems} or {"form": error.message}


def _rows(actor):
    return service.with_read_counts(service.announcements(actor).select_related("project", "author", "approver")
                                    .prefetch_related("buildings"))


@staff_view(reads=RESOURCE)
def announcement_list(request):
    actor = request.actor
    rows = _rows(actor).order_by("-created_at", "-id")
    status = request.GET.get("status") or ""
    if status in AnnouncementStatus.values:
        rows = rows.filter(status=status)
    else:
        status = ""
    kind = request.GET.get("kind") or ""
    if kind in AnnouncementKind.values:
        rows = rows.filter(kind=kind)
    else:
        kind = ""
    page = paginate(request, rows)
    return render(request, "announcements/list.html", {
        "page": page, "rows": page.object_list, "statuses": AnnouncementStatus.choices, "status": status,
        "kinds": AnnouncementKind.choices, "kind": kind, "may_write": actor.may(service.WRITE)})


def _form_context(request, *, values, errors=None, announcement=None) -> dict:
    projects = list(scoped(Project.objects.active(), request.actor).only("id", "name").order_by("name"))
    buildings = list(Building.objects.filter(project__in=projects).select_related("project").order_by(
        "project_id", "number"))
    return {"projects": projects, "buildings": buildings, "values": values, "errors": errors or {},
            "kinds": AnnouncementKind.choices, "outage_kinds": sorted(OUTAGE_KINDS), "announcement": announcement}


def _local(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M") if value else ""


def _values_of(announcement) -> dict:
    values = {name: getattr(announcement, name) for name in FIELDS}
    for name in ("outage_start", "outage_end", "publish_at", "expires_at"):
        values[name] = _local(values[name])
    values["project"] = str(announcement.project_id)
    values["pinned"] = announcement.pinned
    values["buildings"] = [str(pk) for pk in announcement.buildings.values_list("pk", flat=True)]
    return values


def _posted(post) -> dict:
    values = {name: post.get(name, "")[:service.BODY_MAX + 1] for name in FIELDS}
    values["project"] = post.get("project", "")
    values["pinned"] = post.get("pinned") == "on"
    values["buildings"] = post.getlist("buildings")[:service.BUILDINGS_MAX + 1]
    return values


def _service_values(values: dict) -> dict:
    cleaned = {name: values[name] for name in FIELDS}
    cleaned["pinned"] = values["pinned"]
    cleaned["buildings"] = values["buildings"]
    return cleaned


@staff_view(service.WRITE, reads=RESOURCE)
def announcement_new(request):
    if request.method != "POST":
        return render(request, "announcements/form.html", _form_context(
            request, values={"kind": AnnouncementKind.NOTICE, "buildings": []}))
    actor = request.actor
    values = _posted(request.POST)
    raw = values["project"]
    project = scoped(Project.objects.active(), actor).filter(
        pk=int(raw) if digits(raw) and len(raw) < 10 else 0).first()
    try:
        if project is None:
            raise InvalidInput("project", _("Choose the project."))
        announcement = service.create(actor, project=project, **_service_values(values))
    except DomainError as error:
        return render(request, "announcements/form.html", _form_context(
            request, values=values, errors=_errors(error)), status=error.status)
    messages.success(request, _("Draft saved. Submit it for approval when it is ready."))
    return redirect(reverse("announcements:detail", args=[announcement.pk]))


@staff_view(service.WRITE, reads=RESOURCE)
def announcement_edit(request, pk: int):
    actor = request.actor
    announcement = get_scoped_or_404(_rows(actor), actor, pk=pk)
    if not service.may(actor, announcement, "edit"):
        messages.error(request, _("Only a draft is changed."))
        return redirect(reverse("announcements:detail", args=[pk]))
    if request.method != "POST":
        return render(request, "announcements/form.html", _form_context(
            request, values=_values_of(announcement), announcement=announcement))
    values = _posted(request.POST)
    values["project"] = str(announcement.project_id)
    try:
        service.edit(actor, announcement, **_service_values(values))
    except DomainError as error:
        return render(request, "announcements/form.html", _form_context(
            request, values=values, errors=_errors(error), announcement=announcement), status=error.status)
    messages.success(request, _("Draft saved."))
    return redirect(reverse("announcements:detail", args=[pk]))


def _detail(request, announcement, errors=None, status=200):
    from wuye.core.events import timeline

    return render(request, "announcements/detail.html", {
        "announcement": announcement, "actions": service.actions_for(request.actor, announcement),
        "may_edit": service.may(request.actor, announcement, "edit"),
        "attachments": list(announcement.attachments.all()), "events": list(timeline(announcement)),
        "errors": errors or {}, "attachments_max": files.ATTACHMENTS_MAX}, status=status)


@staff_view(reads=RESOURCE)
def announcement_detail(request, pk: int):
    return _detail(request, get_scoped_or_404(_rows(request.actor), request.actor, pk=pk))


@require_POST
@staff_view(reads=RESOURCE)
def announcement_action(request, pk: int, action: str):
    actor = request.actor
    announcement = get_scoped_or_404(_rows(actor), actor, pk=pk)
    reason = request.POST.get("reason", "")
    try:
        if action == "submit":
            service.submit(actor, announcement)
        elif action == "approve":
            service.approve(actor, announcement)
        elif action == "reject":
            service.reject(actor, announcement, reason=reason)
        elif action == "publish":
            service.publish(actor, announcement)
        elif action == "withdraw":
            service.withdraw(actor, announcement, reason=reason)
        else:
            raise Http404
    except DomainError as error:
        return _detail(request, _rows(actor).get(pk=pk), _errors(error), error.status)
    messages.success(request, _("Done."))
    return redirect(reverse("announcements:detail", args=[pk]))


@require_POST
@staff_view(service.WRITE, reads=RESOURCE)
def attachment_add(request, pk: int):
    actor = request.actor
    announcement = get_scoped_or_404(_rows(actor), actor, pk=pk)
    try:
        files.add_attachment(actor, announcement, upload=request.FILES.get("file"),
                             title=request.POST.get("title", "")[:service.TITLE_MAX + 1])
    except DomainError as error:
        return _detail(request, announcement, _errors(error), error.status)
    messages.success(request, _("Attached."))
    return redirect(reverse("announcements:detail", args=[pk]))


@require_POST
@staff_view(service.WRITE, reads=RESOURCE)
def attachment_remove(request, pk: int, attachment_pk: int):
    actor = request.actor
    announcement = get_scoped_or_404(_rows(actor), actor, pk=pk)
    row = announcement.attachments.filter(pk=attachment_pk).first()
    if row is None:
        raise Http404
    try:
        files.remove_attachment(actor, row)
    except DomainError as error:
        return _detail(request, announcement, _errors(error), error.status)
    return redirect(reverse("announcements:detail", args=[pk]))


@staff_view(reads=RESOURCE)
def attachment_file(request, pk: int, attachment_pk: int):
    announcement = get_scoped_or_404(_rows(request.actor), request.actor, pk=pk)
    return files.respond(announcement, attachment_pk)


urlpatterns = [
    path("console/community/announcements/", announcement_list, name="list"),
    path("console/community/announcements/new/", announcement_new, name="new"),
    path("console/community/announcements/<int:pk>/", announcement_detail, name="detail"),
    path("console/community/announcements/<int:pk>/edit/", announcement_edit, name="edit"),
    path("console/community/announcements/<int:pk>/files/", attachment_add, name="attachment_add"),
    path("console/community/announcements/<int:pk>/files/<int:attachment_pk>/", attachment_file,
         name="attachment"),
    path("console/community/announcements/<int:pk>/files/<int:attachment_pk>/remove/", attachment_remove,
         name="attachment_remove"),
    path("console/community/announcements/<int:pk>/<slug:action>/", announcement_action, name="action"),
]
