"""Decoration pages of the console (装修): the list (filters, counts per status, each row a sentence), the desk's form
to apply on an owner's behalf, one application with its documents, bills and receipts, inspections, deductions,
worker passes, the deposit refund and its deadline, the timeline, and the actions the person may take as forms.
Every rule is in `services`; a view parses the form, calls one service function and renders."""

from __future__ import annotations

from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wuye.billing.services import bill_state, source_bills
from wuye.core.access import get_scoped_or_404, may_read, scoped
from wuye.core.downloads import attachment
from wuye.core.errors import DomainError, InvalidInput
from wuye.core.validators import digits
from wuye.tenancy.models import Building, Project, Unit
from wuye.tenancy.search import unit_search_q
from wuye.web.guards import staff_view
from wuye.web.paging import paginate

from .. import services
from ..models import (
    Decoration,
    DecorationDocument,
    DecorationInspection,
    DecorationStatus,
    DocumentKind,
    InspectionResult,
    WorksKind,
)
from . import lists

RESOURCE = "decorations.decorations"
DEPOSIT_ITEM = "decoration-deposit"  # billing.master's charge item code of the deposit
TEXT_MAX = 1000
FILE_TYPES = {"pdf": "application/pdf", "jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png",
              "webp": "image/webp"}
APPLY_FIELDS = ("applicant_name", "applicant_phone", "works", "contractor", "contractor_licence", "contractor_leader",
                "contractor_phone", "workers_planned", "planned_start", "planned_end")
PASS_FIELDS = ("worker_name", "id_type", "id_number", "phone", "valid_from", "valid_until")


def errors_of(error: DomainError) -> dict:
    return {problem.field or "form": problem.message for problem in error.problems} or {"form": error.message}


def _rows(actor):
    return scoped(Decoration.objects.all(), actor).select_related("project", "unit__building")


def deposit_states(rows) -> dict[int, dict]:
    """Per decoration of `rows`: its deposit bill's state and amount as billing has them now (one read for all)."""
    rows = list(rows)
    held = source_bills(rows) if rows else None
    states = {}
    for row in rows:
        bills = [bill for bill in held.of(row.pk) if bill.item.code == DEPOSIT_ITEM] if held else []
        states[row.pk] = {"state": bill_state(bills), "amount": sum((bill.amount for bill in bills), 0),
                          "outstanding": sum((max(bill.outstanding, 0) for bill in bills), 0)}
    return states


# -- the list ----------------------------------------------------------------------------------------------------------
@staff_view(reads=RESOURCE)
def decoration_list(request):
    actor, now = request.actor, timezone.now()
    filters = lists.filters_from(request.GET)
    page = paginate(request, lists.filter_decorations(actor, filters, now).select_related("project", "unit__building",
                                                                                         "refund_request"))
    rows = list(page.object_list)
    deposits = deposit_states(rows)
    counts = lists.status_counts(actor, filters, now)
    without_status = {**filters, "status": ""}
    return render(request, "decorations/list.html", {
        "page": page, "rows": [{"d": row, "deposit": deposits[row.pk]} for row in rows], "filters": filters,
        "statuses": [{"value": value, "label": label, "count": counts.get(value, 0),
                      "url": lists.list_url({**without_status, "status": value})}
                     for value, label in DecorationStatus.choices],
        "all_url": lists.list_url(without_status), "total": sum(counts.values()),
        "buildings": scoped(Building.objects.all(), actor).select_related("project").order_by("project_id", "number"),
        "may_apply": actor.may("decorations.apply"), "inspection_days": lists.inspection_every_days()})


# -- the desk's application ----------------------------------------------------------------------------------------
def _find_unit(actor, project, written: str):
    written = (written or "").strip()[:lists.SEARCH_MAX]
    if project is None:
        raise InvalidInput("project", _("Choose the project."))
    if not written:
        raise InvalidInput("unit", _("Type the unit as building-number, e.g. 1-1-101."))
    found = list(scoped(Unit.objects.filter(project=project), actor).filter(unit_search_q(written))
                 .select_related("building")[:2])
    if len(found) != 1:
        raise InvalidInput("unit", _("No such unit: type it as building-number, e.g. 1-1-101.") if not found
                           else _("More than one unit matches: type building-entrance-number, e.g. 1-1-101."))
    return found[0]


def application_fields(post) -> dict:
    """The application's fields from a form (texts bounded; the service checks each and names the wrong one)."""
    values = {name: (post.get(name) or "")[:TEXT_MAX] for name in APPLY_FIELDS}
    workers = values["workers_planned"].strip()
    values["workers_planned"] = int(workers) if digits(workers) and len(workers) < 5 else workers
    values["works_kinds"] = [kind for kind in post.getlist("works_kinds")[:len(WorksKind.values) + 1]]
    return values


def uploaded_documents(files) -> list[tuple[str, object]]:
    """[(kind, upload)] of the form's document inputs (one input per kind: doc_<kind>, several files each)."""
    return [(kind, upload) for kind in DocumentKind.values for upload in files.getlist(f"doc_{kind}")[:5]]


def form_context(values=None, errors=None, **more) -> dict:
    return {"values": values or {}, "errors": errors or {}, "kinds": WorksKind.choices,
            "document_kinds": DocumentKind.choices, "today": timezone.localdate().isoformat(), **more}


@staff_view("decorations.apply", reads=RESOURCE)
def decoration_new(request):
    actor = request.actor
    projects = list(scoped(Project.objects.active(), actor).only("id", "name").order_by("name"))
    if request.method != "POST":
        return render(request, "decorations/new.html", form_context(projects=projects))
    post = request.POST
    values = application_fields(post)
    raw = post.get("project") or ""
    project = next((one for one in projects if digits(raw) and len(raw) < 10 and one.pk == int(raw)), None)
    try:
        unit = _find_unit(actor, project, post.get("unit", ""))
        decoration = services.apply(actor, unit=unit, documents=uploaded_documents(request.FILES), **values)
    except DomainError as error:
        shown = {**post.dict(), "works_kinds": values["works_kinds"]}
        return render(request, "decorations/new.html", form_context(shown, errors_of(error), projects=projects),
                      status=error.status)
    messages.success(request, _("Application recorded: the desk checks its documents next."))
    return redirect(reverse("decorations:detail", args=[decoration.pk]))


# -- one application ---------------------------------------------------------------------------------------------------
def detail_context(decoration: Decoration, actor) -> dict:
    """What the detail pages (console and portal) show of one application."""
    from wuye.core.events import timeline

    inspections = list(decoration.inspections.select_related("inspected_by"))
    return {
        "d": decoration,
        "documents": list(decoration.documents.all()),
        "inspections": [{"row": one, "photos": range(len(one.photos or []))} for one in inspections],
        "deductions": list(decoration.deductions.all()),
        "bills": services.charges(decoration),
        "refund": services.refund_state(decoration),
        "events": list(timeline(decoration)),
        "kinds": [label for value, label in WorksKind.choices if value in (decoration.works_kinds or [])],
    }


def _detail(request, decoration, errors=None, failed="", status=200, values=None):
    actor = request.actor
    decoration = _rows(actor).select_related("refund_request", "applicant").get(pk=decoration.pk)
    passes = list(decoration.worker_passes.order_by("-created_at", "-id")) \
        if may_read(actor, "security.worker_passes") else None
    return render(request, "decorations/detail.html", {
        **detail_context(decoration, actor), "actions": services.available_actions(actor, decoration),
        "passes": passes, "may_see_receipts": actor.may("billing.view"),
        "may_issue_pass": actor.may("security.gate") and decoration.status in (
            DecorationStatus.APPROVED, DecorationStatus.IN_PROGRESS),
        "may_add_document": actor.may("decorations.apply") and decoration.status in (
            DecorationStatus.SUBMITTED, DecorationStatus.RETURNED),
        "results": InspectionResult.choices, "document_kinds": DocumentKind.choices,
        "errors": errors or {}, "failed": failed, "values": values or {},
        "today": timezone.localdate().isoformat()}, status=status)


@staff_view(reads=RESOURCE)
def decoration_detail(request, pk: int):
    return _detail(request, get_scoped_or_404(_rows(request.actor), request.actor, pk=pk))


def _text(post, name: str) -> str:
    return (post.get(name) or "")[:TEXT_MAX]


def run_action(actor, decoration, action: str, post, files):
    """Call the service function of `action` with the form's fields (Http404 for an unknown action)."""
    if action == "check_documents":
        return services.check_documents(actor, decoration, note=_text(post, "note"))
    if action == "return_for_documents":
        return services.return_for_documents(actor, decoration, note=_text(post, "note"))
    if action == "resubmit":
        return services.resubmit(actor, decoration)
    if action == "approve_engineering":
        return services.approve_engineering(actor, decoration, note=_text(post, "note"))
    if action == "approve":
        return services.approve(actor, decoration, note=_text(post, "note"))
    if action == "reject":
        return services.reject(actor, decoration, reason=_text(post, "reason"))
    if action == "cancel":
        return services.cancel(actor, decoration, reason=_text(post, "reason"))
    if action == "start_works":
        return services.start_works(actor, decoration)
    if action == "inspect":
        return services.inspect(actor, decoration, result=_text(post, "result"), findings=_text(post, "findings"),
                                violation=_text(post, "violation"), photos=files.getlist("photos")[:10])
    if action == "add_deduction":
        return services.add_deduction(actor, decoration, reason=_text(post, "reason"),
                                      amount=(post.get("amount") or "").strip()[:20])
    if action == "accept":
        return services.accept(actor, decoration, findings=_text(post, "findings"),
                               photos=files.getlist("photos")[:10])
    if action == "request_deposit_refund":
        return services.request_deposit_refund(actor, decoration)
    if action == "add_document":
        upload = files.get("file")
        if upload is None:
            raise InvalidInput("file", _("Choose the file to upload."))
        return services.add_document(actor, decoration, (post.get("kind") or "")[:30], upload)
    if action == "worker_pass":
        fields = {name: (post.get(name) or "")[:200] for name in PASS_FIELDS}
        return services.issue_worker_pass(actor, decoration, photo=files.get("photo"), **fields)
    raise Http404


DONE = {
    "check_documents": _("Documents checked: the deposit and fees are billed to the unit."),
    "worker_pass": _("Worker pass issued."),
}


@require_POST
@staff_view(reads=RESOURCE)
def decoration_action(request, pk: int, action: str):
    actor = request.actor
    decoration = get_scoped_or_404(_rows(actor), actor, pk=pk)
    try:
        run_action(actor, decoration, action, request.POST, request.FILES)
    except DomainError as error:
        return _detail(request, decoration, errors_of(error), action, error.status, request.POST)
    messages.success(request, DONE.get(action) or _("Done."))
    return redirect(reverse("decorations:detail", args=[pk]))


# -- files, never a public media URL -----------------------------------------------------------------------------------
def file_response(stored, filename: str):
    extension = (stored.name if hasattr(stored, "name") else str(stored)).rsplit(".", 1)[-1].lower()
    content_type = FILE_TYPES.get(extension)
    if content_type is None:  # the services store only these
        raise Http404
    try:
        handle = stored.open("rb") if hasattr(stored, "open") else default_storage.open(stored, "rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "private, max-age=300"
    response["X-Content-Type-Options"] = "nosniff"
    return attachment(response, f"{filename}.{extension}", inline=True)


def document_of(actor, pk: int, document_pk: int) -> DecorationDocument:
    decoration = get_scoped_or_404(Decoration.objects.all(), actor, pk=pk)
    document = decoration.documents.filter(pk=document_pk).first()
    if document is None or not document.file:
        raise Http404
    return document


def photo_of(actor, pk: int, inspection_pk: int, number: int) -> str:
    decoration = get_scoped_or_404(Decoration.objects.all(), actor, pk=pk)
    inspection = DecorationInspection.objects.filter(decoration=decoration, pk=inspection_pk).first()
    photos = list(inspection.photos or []) if inspection else []
    if not 0 <= number < len(photos):
        raise Http404
    return photos[number]


@staff_view(reads=RESOURCE)
def document_file(request, pk: int, document_pk: int):
    document = document_of(request.actor, pk, document_pk)
    return file_response(document.file, f"decoration-{pk}-{document.kind}-{document.pk}")


@staff_view(reads=RESOURCE)
def inspection_photo(request, pk: int, inspection_pk: int, number: int):
    return file_response(photo_of(request.actor, pk, inspection_pk, number), f"inspection-{inspection_pk}-{number + 1}")


urlpatterns = [
    path("console/community/decorations/", decoration_list, name="list"),
    path("console/community/decorations/new/", decoration_new, name="new"),
    path("console/community/decorations/<int:pk>/", decoration_detail, name="detail"),
    path("console/community/decorations/<int:pk>/documents/<int:document_pk>/", document_file, name="document"),
    path("console/community/decorations/<int:pk>/inspections/<int:inspection_pk>/photos/<int:number>/",
         inspection_photo, name="inspection_photo"),
    path("console/community/decorations/<int:pk>/actions/<slug:action>/", decoration_action, name="action"),
]
