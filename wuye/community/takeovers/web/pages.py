"""Takeover console pages (接管验收): the list, a new takeover, one takeover with its checklist by system (check
entry, re-inspection, accepting a finding as is), its rectification notices (issue, PDF), the document handover
list, the confirmation and the report PDF; and the lists the workbench opens (open findings, missing documents)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from wuye.core.access import get_scoped_or_404, scoped
from wuye.core.downloads import attachment
from wuye.core.errors import DomainError, InvalidInput
from wuye.core.validators import digits
from wuye.tenancy.models import Building, Project
from wuye.web.guards import staff_view
from wuye.web.paging import paginate

from .. import services as service
from ..models import (
    CheckResult,
    DocumentCategory,
    DocumentStatus,
    FindingState,
    HandoverDocument,
    RectificationNotice,
    System,
    TakeoverCheck,
    TakeoverStatus,
)

RESOURCE = "takeovers.takeovers"


def _errors(error: DomainError) -> dict:
    return {problem.field or "form": problem.message for problem in error.problems} or {"form": error.message}


def _rows(actor):
    return service.takeovers(actor).select_related("project")


def _id(raw) -> int:
    raw = str(raw or "")
    return int(raw) if digits(raw) and len(raw) < 10 else 0


# -- list and new ----------------------------------------------------------------------------------------------------
@staff_view(reads=RESOURCE)
def takeover_list(request):
    from django.db.models import Count, Q

    actor = request.actor
    rows = _rows(actor).annotate(
        open_count=Count("checks", filter=Q(checks__finding_state=FindingState.OPEN), distinct=True),
        missing_count=Count("documents", filter=Q(documents__status=DocumentStatus.MISSING), distinct=True)
    ).order_by("-planned_on", "-id")
    status = request.GET.get("status") or ""
    if status in TakeoverStatus.values:
        rows = rows.filter(status=status)
    else:
        status = ""
    page = paginate(request, rows)
    return render(request, "takeovers/list.html", {
        "page": page, "rows": page.object_list, "statuses": TakeoverStatus.choices, "status": status,
        "may_create": actor.may(service.INSPECT)})


def _new_context(request, values, errors=None) -> dict:
    projects = list(scoped(Project.objects.active(), request.actor).only("id", "name").order_by("name"))
    buildings = Building.objects.filter(project__in=projects).select_related("project").order_by("project_id", "number")
    return {"projects": projects, "buildings": buildings, "values": values, "errors": errors or {},
            "chosen": {_id(pk) for pk in (values.getlist("buildings") if hasattr(values, "getlist") else [])}}


@staff_view(service.INSPECT, reads=RESOURCE)
def takeover_new(request):
    if request.method != "POST":
        return render(request, "takeovers/new.html", _new_context(request, {}))
    actor, post = request.actor, request.POST
    try:
        project = scoped(Project.objects.active(), actor).filter(pk=_id(post.get("project"))).first()
        if project is None:
            raise InvalidInput("project", _("Choose the project."))
        wanted = {_id(pk) for pk in post.getlist("buildings")[:service.BUILDINGS_MAX + 1]}
        buildings = list(Building.objects.filter(project=project, pk__in=wanted))
        if len(buildings) != len(wanted):
            raise InvalidInput("buildings", _("Choose buildings of the project."))
        takeover = service.create_takeover(
            actor, project=project, buildings=buildings, title=post.get("title", ""),
            developer=post.get("developer", ""), developer_contact=post.get("developer_contact", ""),
            planned_on=post.get("planned_on", ""), members=post.get("members", ""),
            owner_representatives=post.get("owner_representatives", ""))
    except DomainError as error:
        return render(request, "takeovers/new.html", _new_context(request, post, _errors(error)),
                      status=error.status)
    messages.success(request, str(_("Takeover planned; its checklist and document list are ready.")))
    return redirect(reverse("takeovers:detail", args=[takeover.pk]))


# -- one takeover ----------------------------------------------------------------------------------------------------
def _detail(request, takeover, errors=None, status=200, error_check=None):
    from wuye.core.events import timeline
    from wuye.quality.evidence import evidence_for

    systems = service.by_system(takeover)
    system = request.GET.get("system") or request.POST.get("system") or ""
    if system not in System.values:
        # The first system with an open finding or an unchecked item, else the first.
        system = next((row["system"] for row in systems if row["open"] or row["checked"] < row["items"]),
                      systems[0]["system"] if systems else System.CIVIL)
    checks = list(takeover.checks.filter(system=system).select_related("notice").order_by("number"))
    for check in checks:
        check.photos = list(evidence_for(check))
    notices = []
    for notice in takeover.notices.order_by("number"):
        clock = service.notice_clock(notice)
        notices.append({"notice": notice, "due_at": clock.due_at if clock else None,
                        "findings": list(notice.findings.order_by("number"))})
    unnoticed = list(takeover.checks.filter(finding_state=FindingState.OPEN, notice__isnull=True).order_by("number"))
    documents = takeover.documents.all()
    return render(request, "takeovers/detail.html", {
        "takeover": takeover, "actions": service.actions_for(request.actor, takeover), "systems": systems,
        "system": system, "system_label": System(system).label, "checks": checks, "notices": notices,
        "unnoticed": unnoticed, "results": [c for c in CheckResult.choices if c[0] != CheckResult.PENDING],
        "open_findings": takeover.checks.filter(finding_state=FindingState.OPEN).count(),
        "documents_received": documents.filter(status=DocumentStatus.RECEIVED).count(),
        "documents_missing": documents.filter(status=DocumentStatus.MISSING).count(),
        "documents_total": documents.count(), "buildings": list(takeover.buildings.order_by("number")),
        "events": list(timeline(takeover)), "today": timezone.localdate(), "errors": errors or {},
        "error_check": error_check}, status=status)


@staff_view(reads=RESOURCE)
def takeover_detail(request, pk: int):
    return _detail(request, get_scoped_or_404(_rows(request.actor), request.actor, pk=pk))


def _back(takeover, system: str = "", anchor: str = "") -> str:
    url = reverse("takeovers:detail", args=[takeover.pk])
    if system in System.values:
        url += f"?system={system}"
    return url + (f"#{anchor}" if anchor else "")


@require_POST
@staff_view(reads=RESOURCE)
def takeover_action(request, pk: int, action: str):
    actor = request.actor
    takeover = get_scoped_or_404(_rows(actor), actor, pk=pk)
    post = request.POST
    try:
        if action == "start":
            service.start_inspection(actor, takeover)
        elif action == "reinspect":
            service.start_reinspection(actor, takeover)
        elif action == "accept":
            service.accept(actor, takeover, signed_on=post.get("signed_on", ""),
                           developer_signatory=post.get("developer_signatory", ""), note=post.get("note", ""))
        elif action == "cancel":
            service.cancel(actor, takeover, reason=post.get("reason", ""))
        elif action == "notice":
            ids = [_id(pk) for pk in post.getlist("findings")[:500]]
            service.issue_notice(actor, takeover, check_ids=ids or None, note=post.get("note", ""))
        else:
            raise Http404
    except DomainError as error:
        return _detail(request, _rows(actor).get(pk=pk), _errors(error), error.status)
    messages.success(request, str(_("Done.")))
    return redirect(_back(takeover, post.get("system", ""), "notices" if action == "notice" else ""))


@require_POST
@staff_view(reads=RESOURCE)
def check_action(request, pk: int, check_id: int, action: str):
    """Record an item (`check`), re-inspect a finding (`reinspect`), accept it as is (`waive`)."""
    actor = request.actor
    takeover = get_scoped_or_404(_rows(actor), actor, pk=pk)
    check = get_scoped_or_404(TakeoverCheck.objects.filter(takeover=takeover), actor, pk=check_id)
    post = request.POST
    try:
        if action == "check":
            service.record_check(actor, check, result=post.get("result", ""), note=post.get("note", ""),
                                 location=post.get("location", ""), photos=request.FILES.getlist("photos"))
        elif action == "reinspect":
            service.reinspect(actor, check, fixed=post.get("fixed") == "yes", note=post.get("note", ""))
        elif action == "waive":
            service.waive(actor, check, note=post.get("note", ""))
        else:
            raise Http404
    except DomainError as error:
        return _detail(request, _rows(actor).get(pk=pk), _errors(error), error.status, error_check=check.pk)
    messages.success(request, str(_("Saved.")))
    return redirect(_back(takeover, check.system, f"check-{check.pk}"))


@staff_view(reads=RESOURCE)
def report_pdf(request, pk: int):
    takeover = get_scoped_or_404(_rows(request.actor), request.actor, pk=pk)
    return attachment(HttpResponse(service.report_pdf(takeover), content_type="application/pdf"),
                      service.report_filename(takeover), inline=True)


@staff_view(reads=RESOURCE)
def notice_pdf(request, pk: int, number: int):
    takeover = get_scoped_or_404(_rows(request.actor), request.actor, pk=pk)
    notice = get_scoped_or_404(RectificationNotice.objects.filter(takeover=takeover).select_related(
        "takeover__project", "issued_by"), request.actor, number=number)
    return attachment(HttpResponse(service.notice_pdf(notice), content_type="application/pdf"),
                      service.notice_filename(notice), inline=True)


# -- documents -------------------------------------------------------------------------------------------------------
DOCUMENT_FIELDS = ("status", "received_on", "copies", "filed_at", "warranty_ends_on", "responsible_firm", "note")


def _documents(request, takeover, errors=None, status=200, error_doc=None, values=None):
    return render(request, "takeovers/documents.html", {
        "takeover": takeover, "documents": takeover.documents.order_by("number"),
        "may_edit": service.may(request.actor, takeover, "documents"), "statuses": DocumentStatus.choices,
        "categories": DocumentCategory.choices, "errors": errors or {}, "error_doc": error_doc,
        "values": values or {}}, status=status)


@staff_view(reads=RESOURCE)
def documents(request, pk: int):
    return _documents(request, get_scoped_or_404(_rows(request.actor), request.actor, pk=pk))


@require_POST
@staff_view(reads=RESOURCE)
def document_save(request, pk: int, document_id: int = 0):
    actor = request.actor
    takeover = get_scoped_or_404(_rows(actor), actor, pk=pk)
    post = request.POST
    data = {field: post.get(field, "") for field in DOCUMENT_FIELDS if field in post}
    try:
        if document_id:
            doc = get_scoped_or_404(HandoverDocument.objects.filter(takeover=takeover), actor, pk=document_id)
            service.update_document(actor, doc, data)
        else:
            data.update({"category": post.get("category", ""), "name": post.get("name", "")})
            service.add_document(actor, takeover, data)
    except DomainError as error:
        return _documents(request, takeover, _errors(error), error.status, error_doc=document_id or "new",
                          values=post)
    messages.success(request, str(_("Saved.")))
    return redirect(reverse("takeovers:documents", args=[pk]) + (f"#doc-{document_id}" if document_id else ""))


# -- the workbench's lists -------------------------------------------------------------------------------------------
@staff_view(reads=RESOURCE)
def findings(request):
    rows = service.open_findings(request.actor).select_related("takeover__project", "notice").order_by(
        "takeover__planned_on", "takeover_id", "number")
    page = paginate(request, rows)
    return render(request, "takeovers/findings.html", {"page": page, "rows": page.object_list})


@staff_view(reads=RESOURCE)
def missing(request):
    rows = service.missing_documents(request.actor).select_related("takeover__project").order_by(
        "takeover__planned_on", "takeover_id", "number")
    page = paginate(request, rows)
    return render(request, "takeovers/missing.html", {"page": page, "rows": page.object_list})


urlpatterns = [
    path("console/community/takeovers/", takeover_list, name="list"),
    path("console/community/takeovers/new/", takeover_new, name="new"),
    path("console/community/takeovers/findings/", findings, name="findings"),
    path("console/community/takeovers/missing-documents/", missing, name="missing_documents"),
    path("console/community/takeovers/<int:pk>/", takeover_detail, name="detail"),
    path("console/community/takeovers/<int:pk>/report.pdf", report_pdf, name="report_pdf"),
    path("console/community/takeovers/<int:pk>/notices/<int:number>.pdf", notice_pdf, name="notice_pdf"),
    path("console/community/takeovers/<int:pk>/documents/", documents, name="documents"),
    path("console/community/takeovers/<int:pk>/documents/new/", document_save, name="document_add"),
    path("console/community/takeovers/<int:pk>/documents/<int:document_id>/", document_save, name="document_save"),
    path("console/community/takeovers/<int:pk>/checks/<int:check_id>/<slug:action>/", check_action,
         name="check_action"),
    path("console/community/takeovers/<int:pk>/<slug:action>/", takeover_action, name="action"),
]
