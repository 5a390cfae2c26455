"""The owner portal's decoration pages (装修申请): my applications, each with its status told as a sentence of what
comes next and what I must do; the application form (my own homes only, documents uploaded with it); one
application with its documents, bills, inspections, deductions and the deposit refund."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wuye.core.access import get_scoped_or_404, scoped
from wuye.core.errors import DomainError, InvalidInput
from wuye.core.money import format_money as yuan
from wuye.core.validators import digits
from wuye.people.models import Residency
from wuye.web.guards import owner_view

from .. import services
from ..models import Decoration, DocumentKind
from ..models import DecorationStatus as S
from .console import (
    application_fields,
    deposit_states,
    detail_context,
    document_of,
    errors_of,
    file_response,
    form_context,
    photo_of,
    run_action,
    uploaded_documents,
)

OWNER_ACTIONS = ("resubmit", "cancel", "add_document")


def _rows(actor):
    return scoped(Decoration.objects.all(), actor).select_related("project", "unit__building", "refund_request")


def _day(value) -> str:
    return formats.date_format(value, "DATE_FORMAT") if value else ""


def next_step(decoration: Decoration, deposit: dict, refund: dict | None = None) -> str:
    """The application's state told to its owner: where it is, and what they must do next."""
    status = decoration.status
    owed = deposit.get("outstanding") or 0
    if status == S.SUBMITTED:
        return _("The front desk is checking your documents.")
    if status == S.RETURNED:
        return _("Documents returned: please add what is missing (%(note)s) and send the application again.") % {
            "note": decoration.note or _("see the desk's note")}
    if status in (S.CHECKED, S.ENGINEERING_APPROVED) and owed:
        return _("Please pay the decoration deposit %(amount)s (My bills, or at the desk): the manager approves "
                 "once it is paid.") % {"amount": yuan(owed)}
    if status == S.CHECKED:
        return _("Documents complete: engineering is reviewing your plan.")
    if status == S.ENGINEERING_APPROVED:
        return _("Engineering approved your plan: the project manager approves it next.")
    if status == S.APPROVED:
        return _("Approved: works may start on %(start)s. Your workers get their passes at the desk.") % {
            "start": _day(decoration.planned_start)}
    if status == S.IN_PROGRESS:
        return _("Works in progress until %(end)s; we inspect them during the works. Tell the desk when they are "
                 "done for the final acceptance.") % {"end": _day(decoration.planned_end)}
    if status == S.ACCEPTED:
        refund = refund or {}
        amount, due = refund.get("refund"), refund.get("deadline")
        if amount is not None and due:
            return _("Accepted: your deposit of %(amount)s is refunded by %(day)s.") % {
                "amount": yuan(amount), "day": _day(due)}
        return _("Accepted: your deposit is being refunded.")
    if status == S.CLOSED:
        return _("Finished: your deposit was refunded.")
    if status == S.REJECTED:
        return _("Not approved: %(reason)s") % {"reason": decoration.note or _("ask the desk for the reason.")}
    return _("You withdrew this application.")


def _homes(actor):
    """The homes the owner may apply for: those they own or co-own (a tenant does not apply)."""
    return list(Residency.objects.current().filter(resident_id=actor.resident_id,
                                                   unit_id__in=services.owned_unit_ids(actor))
                .select_related("unit__building", "unit__project")
                .order_by("unit__project_id", "unit__building_id", "unit_id"))


@owner_view
def h5_list(request):
    rows = list(_rows(request.actor)[:100])
    deposits = deposit_states(rows)
    return render(request, "decorations/h5_list.html", {
        "rows": [{"d": row, "next": next_step(row, deposits[row.pk], _refund(row))} for row in rows]})


def _refund(decoration) -> dict | None:
    return services.refund_state(decoration) if decoration.status == S.ACCEPTED else None


@owner_view
def h5_new(request):
    actor = request.actor
    homes = _homes(actor)
    if request.method != "POST":
        resident = getattr(actor.user, "resident", None)
        return render(request, "decorations/h5_new.html", form_context(
            {"applicant_phone": getattr(resident, "phone", "") or ""}, homes=homes))
    post = request.POST
    values = application_fields(post)
    raw = post.get("unit") or ""
    home = next((one for one in homes if digits(raw) and len(raw) < 10 and one.unit_id == int(raw)), None)
    try:
        if home is None:
            raise InvalidInput("unit", _("Choose one of your own homes."))
        decoration = services.apply(actor, unit=home.unit, documents=uploaded_documents(request.FILES), **values)
    except DomainError as error:
        shown = {**post.dict(), "works_kinds": values["works_kinds"]}
        return render(request, "decorations/h5_new.html", form_context(shown, errors_of(error), homes=homes),
                      status=error.status)
    messages.success(request, _("Application sent: the front desk checks your documents next."))
    return redirect(reverse("decorations:h5_detail", args=[decoration.pk]))


def _h5_detail(request, decoration, errors=None, status=200):
    actor = request.actor
    decoration = _rows(actor).get(pk=decoration.pk)
    context = detail_context(decoration, actor)
    deposit = deposit_states([decoration])[decoration.pk]
    return render(request, "decorations/h5_detail.html", {
        **context, "next": next_step(decoration, deposit, context["refund"]),
        "actions": [one for one in services.available_actions(actor, decoration) if one in OWNER_ACTIONS],
        "may_add_document": decoration.status in (S.SUBMITTED, S.RETURNED) and (
            decoration.applicant_id == actor.user.pk or decoration.unit_id in services.owned_unit_ids(actor)),
        "document_kinds": DocumentKind.choices,
        "errors": errors or {}}, status=status)


@owner_view
def h5_detail(request, pk: int):
    return _h5_detail(request, get_scoped_or_404(_rows(request.actor), request.actor, pk=pk))


@require_POST
@owner_view
def h5_action(request, pk: int, action: str):
    actor = request.actor
    decoration = get_scoped_or_404(_rows(actor), actor, pk=pk)
    if action not in OWNER_ACTIONS:
        raise Http404
    try:
        run_action(actor, decoration, action, request.POST, request.FILES)
    except DomainError as error:
        return _h5_detail(request, decoration, errors_of(error), error.status)
    messages.success(request, _("Done."))
    return redirect(reverse("decorations:h5_detail", args=[pk]))


@owner_view
def h5_document(request, pk: int, document_pk: int):
    document = document_of(request.actor, pk, document_pk)
    return file_response(document.file, f"decoration-{pk}-{document.kind}-{document.pk}")


@owner_view
def h5_inspection_photo(request, pk: int, inspection_pk: int, number: int):
    return file_response(photo_of(request.actor, pk, inspection_pk, number), f"inspection-{inspection_pk}-{number + 1}")


urlpatterns = [
    path("h5/decorations/", h5_list, name="h5_list"),
    path("h5/decorations/new/", h5_new, name="h5_new"),
    path("h5/decorations/<int:pk>/", h5_detail, name="h5_detail"),
    path("h5/decorations/<int:pk>/documents/<int:document_pk>/", h5_document, name="h5_document"),
    path("h5/decorations/<int:pk>/inspections/<int:inspection_pk>/photos/<int:number>/", h5_inspection_photo,
         name="h5_inspection_photo"),
    path("h5/decorations/<int:pk>/actions/<slug:action>/", h5_action, name="h5_action"),
]
