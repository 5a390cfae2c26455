"""Goods release pages (物品放行): the console's list, the desk's application form for a walk-in, one release with its
timeline and the actions the person may take, the gate's verify page (code box or scan); and the owner portal's
"my goods releases", apply, consent to a tenant's release, and the slip (QR + code) to show at the gate."""

from __future__ import annotations

from datetime import date

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
from wuye.people.models import Residency
from wuye.tenancy.models import Project, Unit
from wuye.web.context import Tile, register_tile
from wuye.web.guards import owner_view, staff_view
from wuye.web.paging import paginate

from .. import goods as service
from ..models import GoodsApplicant, GoodsReleaseStatus

RESOURCE = "security.goods"
ITEM_ROWS = 3  # empty goods rows the form starts with; "add a row" adds one more
SEARCH_MAX = 40


def _errors(error: DomainError) -> dict:
    return {problem.field or "form": problem.message for problem in error.problems} or {"form": error.message}


def _rows(actor):
    return service.releases(actor).select_related("project", "unit__building", "approved_by", "verified_by")


def _day(raw: str | None) -> date | None:
    try:
        day = date.fromisoformat((raw or "")[:10])
    except ValueError:
        return None
    return day if 2000 <= day.year <= 2100 else None


def _find_unit(units, text: str):
    """A unit of `units` by its label as staff say it (3-2-1201: building 3, unit number 2-1201)."""
    text = (text or "").strip()[:SEARCH_MAX]
    building, dash, number = text.partition("-")
    if not dash or not building or not number:
        return None
    return units.filter(building__number=building, number=number).select_related("building", "project").first()


def _item_rows(post) -> list[dict]:
    names = post.getlist("item_name")[:service.ITEMS_MAX + 1]
    quantities = post.getlist("item_quantity")[:service.ITEMS_MAX + 1]
    return [{"name": name, "quantity": quantities[n] if n < len(quantities) else ""} for n, name in enumerate(names)]


def _items_from(rows) -> list[dict]:
    items = []
    for row in rows:
        if not (row["name"] or "").strip():
            continue
        quantity = (row["quantity"] or "1").strip()
        items.append({"name": row["name"], "quantity": int(quantity) if digits(quantity) else -1})
    return items


def _rows_with_errors(rows, problems) -> list[dict]:
    filled = [row for row in rows if (row["name"] or "").strip()]
    for number, row in enumerate(filled):
        row["errors"] = [message for field, message in problems.items() if field.startswith(f"items[{number}]")]
    return [*filled, *[row for row in rows if not (row["name"] or "").strip()]]


# -- console ---------------------------------------------------------------------------------------------------------
@staff_view(reads=RESOURCE)
def release_list(request):
    actor = request.actor
    rows = _rows(actor)
    status = request.GET.get("status") or ""
    if status in GoodsReleaseStatus.values:
        rows = rows.filter(status=status)
    else:
        status = ""
    day = _day(request.GET.get("day"))
    if day:
        rows = rows.filter(carry_out_on=day)
    q = (request.GET.get("q") or "").strip()[:SEARCH_MAX]
    if q:
        building, dash, number = q.partition("-")
        if dash and building and number:
            rows = rows.filter(unit__building__number=building, unit__number__startswith=number)
        else:
            rows = rows.filter(unit__number__icontains=q) | rows.filter(applicant_name__icontains=q)
    page = paginate(request, rows)
    return render(request, "security/goods/list.html", {
        "page": page, "rows": page.object_list, "statuses": GoodsReleaseStatus.choices, "status": status,
        "day": day, "q": q, "may_apply": actor.may("security.approve_goods"),
        "may_verify": actor.may("security.verify_goods")})


def _new_context(request, *, values, rows, errors=None) -> dict:
    projects = list(scoped(Project.objects.active(), request.actor).only("id", "name").order_by("name"))
    return {"projects": projects, "values": values, "rows": rows, "errors": errors or {},
            "kinds": GoodsApplicant.choices, "today": timezone.localdate().isoformat()}


@staff_view("security.approve_goods", reads=RESOURCE)
def release_new(request):
    blank = {"name": "", "quantity": ""}
    if request.method != "POST":
        return render(request, "security/goods/new.html", _new_context(
            request, values={"applicant_kind": GoodsApplicant.OWNER}, rows=[dict(blank) for _n in range(ITEM_ROWS)]))
    post = request.POST
    rows = _item_rows(post)
    if "add_row" in post:
        return render(request, "security/goods/new.html", _new_context(request, values=post, rows=[*rows, dict(blank)]))
    actor = request.actor
    raw = post.get("project") or ""
    project = scoped(Project.objects.active(), actor).filter(
        pk=int(raw) if digits(raw) and len(raw) < 10 else 0).first()
    try:
        if project is None:
            raise InvalidInput("project", _("Choose the project."))
        unit = _find_unit(Unit.objects.filter(project=project), post.get("unit", ""))
        if unit is None:
            raise InvalidInput("unit", _("No such unit: type it as building-number, e.g. 1-1-101."))
        release = service.apply(
            actor, project=project, unit=unit, applicant_name=post.get("applicant_name", ""),
            applicant_kind=post.get("applicant_kind", ""), items=_items_from(rows),
            carry_out_on=post.get("carry_out_on", ""), reason=post.get("reason", ""), phone=post.get("phone", ""),
            plate=post.get("plate", ""))
    except DomainError as error:
        problems = _errors(error)
        return render(request, "security/goods/new.html", _new_context(
            request, values=post, rows=_rows_with_errors(rows, problems), errors=problems), status=error.status)
    messages.success(request, str(_("Application recorded.")))
    return redirect(reverse("security:goods_release", args=[release.pk]))


def _detail(request, release, errors=None, status=200):
    from wuye.core.events import timeline

    return render(request, "security/goods/detail.html", {
        "release": release, "actions": service.actions_for(request.actor, release),
        "needs_consent": service.needs_consent(release), "events": list(timeline(release)),
        "today": timezone.localdate(), "errors": errors or {}}, status=status)


@staff_view(reads=RESOURCE)
def release_detail(request, pk: int):
    return _detail(request, get_scoped_or_404(_rows(request.actor), request.actor, pk=pk))


@require_POST
@staff_view(reads=RESOURCE)
def release_action(request, pk: int, action: str):
    actor = request.actor
    release = get_scoped_or_404(_rows(actor), actor, pk=pk)
    post = request.POST
    try:
        if action == "consent":
            service.give_consent(actor, release, call_note=post.get("call_note", ""))
        elif action == "decline":
            service.decline_consent(actor, release, note=post.get("call_note", ""))
        elif action == "approve":
            service.approve(actor, release)
        elif action == "reject":
            service.reject(actor, release, reason=post.get("reason", ""))
        elif action == "cancel":
            service.cancel(actor, release, reason=post.get("reason", ""))
        elif action == "verify":
            service.verify_release(actor, release, note=post.get("note", ""))
        else:
            raise Http404
    except DomainError as error:
        return _detail(request, _rows(actor).get(pk=pk), _errors(error), error.status)
    messages.success(request, str(_("Done.")))
    return redirect(reverse("security:goods_release", args=[pk]))


@staff_view(reads=RESOURCE)
def slip_pdf(request, pk: int):
    release = get_scoped_or_404(_rows(request.actor), request.actor, pk=pk)
    try:
        content = service.slip_pdf(release)
    except DomainError as error:
        return _detail(request, release, _errors(error), error.status)
    return attachment(HttpResponse(content, content_type="application/pdf"), service.slip_filename(release),
                      inline=True)


@staff_view("security.verify_goods", reads=RESOURCE)
def verify(request):
    """The gate's page: a code box (a scanner types the QR's code into it) → the slip → "release" once."""
    actor = request.actor
    projects = list(scoped(Project.objects.active(), actor).only("id", "name").order_by("name"))
    source = request.POST if request.method == "POST" else request.GET
    raw = source.get("project") or ""
    project = next((one for one in projects if digits(raw) and len(raw) < 10 and one.pk == int(raw)),
                   projects[0] if len(projects) == 1 else None)
    code = service.normalize_code(source.get("code", ""))
    context = {"projects": projects, "project": project, "code": code, "errors": {}, "release": None,
               "today": timezone.localdate(),
               "due_today": service.slips_to_verify(actor, timezone.localdate()).select_related(
                   "unit__building")[:50]}
    status = 200
    if code:
        try:
            if project is None:
                raise InvalidInput("project", _("Choose the project."))
            if request.method == "POST":
                release = service.verify_slip(actor, project=project, code=code, note=request.POST.get("note", ""))
                messages.success(request, str(_("Released: the slip is used and archived.")))
                return redirect(reverse("security:goods_release", args=[release.pk]))
            context["release"] = service.find_slip(actor, project=project, code=code)
        except DomainError as error:
            context["errors"], status = _errors(error), error.status
            context["release"] = service.releases(actor).filter(project=project, code=code).first() \
                if project else None
    return render(request, "security/goods/verify.html", context, status=status)


# -- owner portal ----------------------------------------------------------------------------------------------------
def _my_homes(actor):
    return Residency.objects.current().filter(resident_id=actor.resident_id, unit_id__in=actor.unit_ids).select_related(
        "unit__building", "unit__project").order_by("unit__project_id", "unit__building_id", "unit_id")


@owner_view
def h5_list(request):
    actor = request.actor
    rows = _rows(actor).order_by("-carry_out_on", "-created_at", "-id")[:100]
    owned = service.owned_unit_ids(actor)
    return render(request, "security/goods/h5_list.html", {
        "rows": [{"release": one, "needs_my_consent": service.may(actor, one, "consent", owned)} for one in rows]})


@owner_view
def h5_new(request):
    actor = request.actor
    homes = list(_my_homes(actor))
    blank = {"name": "", "quantity": ""}
    context = {"homes": homes, "errors": {}, "today": timezone.localdate().isoformat()}
    if request.method != "POST":
        return render(request, "security/goods/h5_new.html", {
            **context, "values": {}, "rows": [dict(blank) for _n in range(ITEM_ROWS)]})
    post = request.POST
    rows = _item_rows(post)
    if "add_row" in post:
        return render(request, "security/goods/h5_new.html", {**context, "values": post, "rows": [*rows, dict(blank)]})
    raw = post.get("unit") or ""
    home = next((one for one in homes if digits(raw) and len(raw) < 10 and one.unit_id == int(raw)), None)
    try:
        if home is None:
            raise InvalidInput("unit", _("Choose one of your own homes."))
        release = service.apply(
            actor, project=home.unit.project, unit=home.unit, applicant_name="", applicant_kind="",
            items=_items_from(rows), carry_out_on=post.get("carry_out_on", ""), reason=post.get("reason", ""),
            plate=post.get("plate", ""))
    except DomainError as error:
        problems = _errors(error)
        return render(request, "security/goods/h5_new.html", {
            **context, "values": post, "rows": _rows_with_errors(rows, problems), "errors": problems},
            status=error.status)
    messages.success(request, str(_("Application sent to the front desk.")))
    return redirect(reverse("security:h5_goods_release", args=[release.pk]))


def _h5_detail(request, release, errors=None, status=200):
    actor = request.actor
    actions = [a for a in service.actions_for(actor, release) if a in ("consent", "decline", "cancel")]
    qr = service.qr_svg(release.code) if release.code and release.status == GoodsReleaseStatus.APPROVED else ""
    return render(request, "security/goods/h5_detail.html", {
        "release": release, "actions": actions, "qr": qr, "errors": errors or {},
        "needs_consent": service.needs_consent(release)}, status=status)


@owner_view
def h5_detail(request, pk: int):
    return _h5_detail(request, get_scoped_or_404(_rows(request.actor), request.actor, pk=pk))


@require_POST
@owner_view
def h5_action(request, pk: int, action: str):
    actor = request.actor
    release = get_scoped_or_404(_rows(actor), actor, pk=pk)
    try:
        if action == "consent":
            service.give_consent(actor, release)
        elif action == "decline":
            service.decline_consent(actor, release, note=request.POST.get("note", ""))
        elif action == "cancel":
            service.cancel(actor, release)
        else:
            raise Http404
    except DomainError as error:
        return _h5_detail(request, _rows(actor).get(pk=pk), _errors(error), error.status)
    messages.success(request, str(_("Done.")))
    return redirect(reverse("security:h5_goods_release", args=[pk]))


@owner_view
def h5_slip_pdf(request, pk: int):
    release = get_scoped_or_404(_rows(request.actor), request.actor, pk=pk)
    try:
        content = service.slip_pdf(release)
    except DomainError as error:
        return _h5_detail(request, release, _errors(error), error.status)
    return attachment(HttpResponse(content, content_type="application/pdf"), service.slip_filename(release),
                      inline=True)


register_tile(Tile("goods", _("Goods release"), "security:h5_goods", icon="layers", order=55))

urlpatterns = [
    path("console/security/goods/", release_list, name="goods_releases"),
    path("console/security/goods/new/", release_new, name="goods_release_new"),
    path("console/security/goods/verify/", verify, name="goods_verify"),
    path("console/security/goods/<int:pk>/", release_detail, name="goods_release"),
    path("console/security/goods/<int:pk>/slip.pdf", slip_pdf, name="goods_slip_pdf"),
    path("console/security/goods/<int:pk>/<slug:action>/", release_action, name="goods_release_action"),
    path("h5/goods/", h5_list, name="h5_goods"),
    path("h5/goods/new/", h5_new, name="h5_goods_new"),
    path("h5/goods/<int:pk>/", h5_detail, name="h5_goods_release"),
    path("h5/goods/<int:pk>/slip.pdf", h5_slip_pdf, name="h5_goods_slip_pdf"),
    path("h5/goods/<int:pk>/<slug:action>/", h5_action, name="h5_goods_release_action"),
]
