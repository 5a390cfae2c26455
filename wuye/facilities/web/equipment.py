"""Facilities console pages: the equipment register — the list (project, category, status, building, search by
code or name), one page per item (what a technician who scanned its label needs on a phone: status, location,
contractor and its qualification, warranty, open tasks and faults, last readings, documents and photos, the
status form, the timeline), the new / edit forms, and the contractors (list, page, new / edit)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wuye.core.access import scoped
from wuye.core.downloads import attachment
from wuye.core.errors import DomainError, InvalidInput
from wuye.core.validators import digits
from wuye.quality.evidence import evidence_for
from wuye.tenancy.models import Building, Company, Project
from wuye.tenancy.ordering import naturally
from wuye.web.guards import staff_view
from wuye.web.paging import paginate

from .. import register as service
from ..models import (
    Contractor,
    EquipmentStatus,
    Fault,
    FaultStatus,
    MaintenanceTask,
    OperationReading,
    TaskStatus,
)

RESOURCE = "facilities.equipment"
CLOSED_FAULTS = (FaultStatus.CLOSED, FaultStatus.CANCELLED)
TEXT_FIELDS = ("code", "name", "location", "model_number", "maker", "notes")
DOCUMENT_TYPES = {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
CONTRACTOR_TEXT = ("name", "service", "qualification_number", "contact_name", "phone")


def _url(name: str, *args, query: dict | None = None) -> str:
    """The URL of another stream's page, or "" while that page does not exist yet."""
    try:
        url = reverse(name, args=args)
    except NoReverseMatch:
        return ""
    return f"{url}?{urlencode(query)}" if query else url


def _errors(error: DomainError, default: str = "form") -> dict:
    return {problem.field or default: problem.message for problem in error.problems} or {default: error.message}


def _digits(value) -> int | None:
    value = (value or "").strip()
    return int(value) if digits(value) and len(value) < 12 else None


# -- the list --------------------------------------------------------------------------------------------------
FILTERS = ("project", "category", "status", "building", "q")


def _filters(request) -> dict:
    """The filters as written (bounded), for the form to show them again; register.filter_equipment reads them."""
    return {name: (request.GET.get(name) or "").strip()[:service.FILTER_TEXT_MAX + 1] for name in FILTERS}


@staff_view(reads=RESOURCE)
def equipment_list(request):
    actor = request.actor
    filters = _filters(request)
    error, status = "", 200
    try:
        rows = service.filter_equipment(actor, **filters)
    except InvalidInput as problem:
        # A malformed filter (typed into the address) names itself above an empty list.
        error, status = (problem.problems[0].message if problem.problems else problem.message), problem.status
        rows = service.visible_equipment(actor).none()
    page = paginate(request, rows)
    today = timezone.localdate()
    projects = scoped(Project.objects.active(), actor).only("id", "name")
    buildings = Building.objects.filter(project__in=projects)
    query = urlencode({key: value for key, value in filters.items() if value})
    # The form compares ids with the options' ids.
    shown = {**filters, "project": _digits(filters["project"]), "building": _digits(filters["building"])}
    if shown["project"]:
        buildings = buildings.filter(project_id=shown["project"])
    return render(request, "facilities/equipment/list.html", {
        "page": page, "filters": shown, "query": query, "filter_error": error,
        "rows": [{"item": item, "qualification": service.qualification_state(item.contractor, today)}
                 for item in page.object_list],
        "projects": projects, "buildings": naturally(buildings.select_related("project")),
        "categories": service.visible_categories(actor).order_by("order", "code"),
        "statuses": EquipmentStatus.choices, "may_manage": actor.may(service.MANAGE),
    }, status=status)


# -- one item --------------------------------------------------------------------------------------------------
def _item(request, pk: int):
    item = service.visible_equipment(request.actor).filter(pk=pk).first()
    if item is None:
        raise Http404
    return item


def _detail_context(request, item, errors: dict | None = None, failed: str = "") -> dict:
    actor, today = request.actor, timezone.localdate()
    readings = list(OperationReading.objects.filter(equipment=item).select_related("recorded_by")
                    .order_by("-recorded_at", "-id")[:5])
    points = service.limits_for(item)
    for reading in readings:
        reading.shown = [(points[code].label if code in points else code, value,
                          points[code].unit if code in points else "", code in (reading.anomalies or []))
                         for code, value in (reading.values or {}).items()]
    statuses = [(value, label) for value, label in EquipmentStatus.choices
                if value in service.allowed_statuses(item) and value != EquipmentStatus.FAULTY]
    if service.kept_down(item):
        statuses = [(value, label) for value, label in statuses if value != EquipmentStatus.IN_SERVICE]
    may_manage = actor.may(service.MANAGE)
    return {
        "item": item, "today": today, "errors": errors or {}, "failed": failed,
        "qualification": service.qualification_state(item.contractor, today),
        "under_warranty": bool(item.warranty_ends_on and item.warranty_ends_on >= today),
        "points": list(points.values()),
        "tasks": MaintenanceTask.objects.filter(equipment=item, status=TaskStatus.SCHEDULED)
        .select_related("plan").order_by("due_on", "id")[:10],
        "faults": Fault.objects.filter(equipment=item).exclude(status__in=CLOSED_FAULTS)
        .order_by("-raised_at", "-id")[:10],
        "readings": readings,
        "documents": item.documents.select_related("uploaded_by").all(),
        "photos": evidence_for(item),
        "statuses": statuses if may_manage else [],
        "may_manage": may_manage and item.status != EquipmentStatus.SCRAPPED,
        "links": {
            "reading": _url("facilities:reading_new", item.pk) if actor.may("facilities.log_readings") else "",
            "fault": _url("facilities:fault_new", query={"equipment": item.pk})
            if actor.may("facilities.report_faults") else "",
            "entrapment": _url("facilities:entrapment_start", query={"equipment": item.pk})
            if item.category.kind == "elevator" and actor.may("facilities.start_entrapment") else "",
            "task": "facilities:task" if _url("facilities:task", 1) else "",
            "fault_page": "facilities:fault" if _url("facilities:fault", 1) else "",
        },
    }


@staff_view(reads=RESOURCE)
def equipment_detail(request, pk: int):
    item = _item(request, pk)
    return render(request, "facilities/equipment/detail.html", _detail_context(request, item))


@require_POST
@staff_view(reads=RESOURCE)
def equipment_status(request, pk: int):
    item = _item(request, pk)
    status, reason = request.POST.get("status", "")[:16], request.POST.get("reason", "")[:service.REASON_MAX + 1]
    try:
        if status == EquipmentStatus.FAULTY:
            raise InvalidInput("status", _("Report a fault to mark the item faulty."))
        service.set_status(request.actor, item, status, reason=reason)
    except DomainError as error:
        context = _detail_context(request, item, _errors(error, "status"), "status")
        return render(request, "facilities/equipment/detail.html", context, status=error.status)
    messages.success(request, _("Status changed."))
    return redirect(item.get_absolute_url())


@require_POST
@staff_view(reads=RESOURCE)
def equipment_upload(request, pk: int):
    """The documents and photos form: a titled document, or photos (up to nine kept per item)."""
    item = _item(request, pk)
    try:
        if request.POST.get("kind") == "document":
            title = request.POST.get("title", "")[:service.DOCUMENT_TITLE_MAX + 1]
            service.add_document(request.actor, item, title=title, upload=request.FILES.get("file"))
            messages.success(request, _("Document added."))
        else:
            photos = request.FILES.getlist("photos")[:10]
            if not photos:
                raise InvalidInput("photos", _("Choose a photo."))
            service.add_photos(request.actor, item, photos)
            messages.success(request, _("Photos added."))
    except DomainError as error:
        context = _detail_context(request, item, _errors(error, "file"), "upload")
        return render(request, "facilities/equipment/detail.html", context, status=error.status)
    return redirect(item.get_absolute_url())


@staff_view(reads=RESOURCE)
def equipment_document(request, pk: int, document_pk: int):
    """A document of an item, to the people who see the item (never a public media link)."""
    item = _item(request, pk)
    document = item.documents.filter(pk=document_pk).first()
    if document is None or not document.file:
        raise Http404
    extension = document.file.name.rsplit(".", 1)[-1].lower()
    content_type = DOCUMENT_TYPES.get(extension)
    if content_type is None:  # add_document writes only these; anything else was not put there by it
        raise Http404
    response = FileResponse(document.file.open("rb"), content_type=content_type)
    return attachment(response, f"{item.name}-{document.title}.{extension}", inline=True)


# -- new / edit ------------------------------------------------------------------------------------------------
def _choices(actor) -> dict:
    projects = scoped(Project.objects.active(), actor).only("id", "name")
    buildings = Building.objects.filter(project__in=projects).select_related("project")
    return {
        "projects": projects, "buildings": naturally(buildings),
        "categories": service.visible_categories(actor).order_by("order", "code"),
        "contractors": service.visible_contractors(actor).filter(is_active=True).order_by("name"),
    }


def _form_values(request, project) -> tuple[dict, dict]:
    """The posted fields as the service takes them, and the problems of ids that name nothing visible."""
    post, actor, errors = request.POST, request.actor, {}
    values = {name: post.get(name, "")[:5000] for name in TEXT_FIELDS}
    for name in ("installed_on", "warranty_ends_on"):
        values[name] = post.get(name, "").strip()[:20] or None
    category_id = _digits(post.get("category"))
    values["category"] = service.visible_categories(actor).filter(pk=category_id).first() if category_id else None
    if values["category"] is None:
        errors["category"] = _("Choose one of the company's categories.")
    building_id = _digits(post.get("building"))
    values["building"] = None
    if building_id:
        values["building"] = Building.objects.filter(pk=building_id, project=project).first() if project else None
        if values["building"] is None:
            errors["building"] = _("Choose a building of this project.")
    contractor_id = _digits(post.get("contractor"))
    values["contractor"] = None
    if contractor_id:
        values["contractor"] = service.visible_contractors(actor).filter(pk=contractor_id).first()
        if values["contractor"] is None:
            errors["contractor"] = _("Choose one of the company's contractors.")
    return values, errors


@staff_view(service.MANAGE, reads=RESOURCE)
def equipment_new(request):
    actor = request.actor
    errors, values = {}, {"project": _digits(request.GET.get("project"))}
    if request.method == "POST":
        project = scoped(Project.objects.all(), actor).filter(pk=_digits(request.POST.get("project"))).first()
        values, errors = _form_values(request, project)
        values["project"] = project.pk if project else None
        if project is None:
            errors["project"] = _("Choose one of your projects.")
        if not errors:
            try:
                item = service.create_equipment(actor, project=project, **{
                    key: value for key, value in values.items() if key != "project"})
            except DomainError as error:
                errors = _errors(error)
            else:
                messages.success(request, _("Put on the register."))
                return redirect(item.get_absolute_url())
    return render(request, "facilities/equipment/form.html", {
        "item": None, "values": values, "errors": errors, **_choices(actor),
    }, status=422 if errors else 200)


@staff_view(service.MANAGE, reads=RESOURCE)
def equipment_edit(request, pk: int):
    actor = request.actor
    item = _item(request, pk)
    errors = {}
    values = {name: getattr(item, name) for name in (*TEXT_FIELDS, "installed_on", "warranty_ends_on",
                                                     "category", "building", "contractor")}
    values["project"] = item.project_id
    for name in ("installed_on", "warranty_ends_on"):  # the form shows days as 2024-05-10
        values[name] = values[name].isoformat() if values[name] else ""
    if request.method == "POST":
        values, errors = _form_values(request, item.project)
        values["project"] = item.project_id
        if not errors:
            changes = {key: value for key, value in values.items() if key != "project"}
            try:
                service.update_equipment(actor, item, **changes)
            except DomainError as error:
                errors = _errors(error)
            else:
                messages.success(request, _("Saved."))
                return redirect(item.get_absolute_url())
    return render(request, "facilities/equipment/form.html", {
        "item": item, "values": values, "errors": errors, **_choices(actor),
    }, status=422 if errors else 200)


# -- contractors -----------------------------------------------------------------------------------------------
@staff_view(reads=RESOURCE)
def contractor_list(request):
    actor, today = request.actor, timezone.localdate()
    rows = service.visible_contractors(actor).annotate(
        items=Count("equipment", filter=Q(equipment__project__in=scoped(Project.objects.all(), actor)))
    ).order_by("-is_active", "name", "id")
    return render(request, "facilities/equipment/contractors.html", {
        "rows": [{"contractor": row, "qualification": service.qualification_state(row, today)} for row in rows],
        "may_manage": actor.may(service.MANAGE), "warning_days": service.warning_days(),
    })


def _contractor(request, pk: int) -> Contractor:
    contractor = service.visible_contractors(request.actor).filter(pk=pk).first()
    if contractor is None:
        raise Http404
    return contractor


@staff_view(reads=RESOURCE)
def contractor_detail(request, pk: int):
    contractor = _contractor(request, pk)
    items = service.in_register_order(service.visible_equipment(request.actor).filter(contractor=contractor))
    return render(request, "facilities/equipment/contractor.html", {
        "contractor": contractor, "items": items,
        "qualification": service.qualification_state(contractor),
        "may_manage": request.actor.may(service.MANAGE), "warning_days": service.warning_days(),
    })


def _contractor_form(request, contractor: Contractor | None):
    actor, errors = request.actor, {}
    if contractor is None:
        values = {name: "" for name in CONTRACTOR_TEXT} | {"qualification_expires_on": None, "is_active": True}
    else:
        values = {name: getattr(contractor, name) for name in (*CONTRACTOR_TEXT, "is_active")}
        expires = contractor.qualification_expires_on
        values["qualification_expires_on"] = expires.isoformat() if expires else ""
    if request.method == "POST":
        post = request.POST
        values = {name: post.get(name, "")[:500] for name in CONTRACTOR_TEXT}
        values["qualification_expires_on"] = post.get("qualification_expires_on", "").strip()[:20] or None
        try:
            if contractor is None:
                company = Company.objects.filter(pk=actor.company_id).first()
                contractor = service.create_contractor(actor, company=company, **values)
            else:
                values["is_active"] = post.get("is_active") == "on"
                contractor = service.update_contractor(actor, contractor, **values)
        except DomainError as error:
            errors = _errors(error)
        else:
            messages.success(request, _("Saved."))
            return redirect(reverse("facilities:contractor", args=[contractor.pk]))
    return render(request, "facilities/equipment/contractor_form.html", {
        "contractor": contractor if contractor and contractor.pk else None, "values": values, "errors": errors,
    }, status=422 if errors else 200)


@staff_view(service.MANAGE, reads=RESOURCE)
def contractor_new(request):
    return _contractor_form(request, None)


@staff_view(service.MANAGE, reads=RESOURCE)
def contractor_edit(request, pk: int):
    return _contractor_form(request, _contractor(request, pk))


urlpatterns = [
    path("console/facilities/equipment/", equipment_list, name="equipment_list"),
    path("console/facilities/equipment/new/", equipment_new, name="equipment_new"),
    path("console/facilities/equipment/<int:pk>/", equipment_detail, name="equipment"),
    path("console/facilities/equipment/<int:pk>/edit/", equipment_edit, name="equipment_edit"),
    path("console/facilities/equipment/<int:pk>/status/", equipment_status, name="equipment_status"),
    path("console/facilities/equipment/<int:pk>/upload/", equipment_upload, name="equipment_upload"),
    path("console/facilities/equipment/<int:pk>/documents/<int:document_pk>/", equipment_document,
         name="equipment_document"),
    path("console/facilities/contractors/", contractor_list, name="contractors"),
    path("console/facilities/contractors/new/", contractor_new, name="contractor_new"),
    path("console/facilities/contractors/<int:pk>/", contractor_detail, name="contractor"),
    path("console/facilities/contractors/<int:pk>/edit/", contractor_edit, name="contractor_edit"),
]
