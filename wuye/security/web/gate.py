"""Security console pages for the gate (门岗), phone- and tablet-friendly: visitors inside now, waiting for their
unit and expected today, the day's list with filters, the registration form, one visitor with its timeline and
the gate's steps, the exit code box; decoration worker passes (list with the gate's check, issue form, detail);
and the public pass page a visitor shows at the gate (no login: the unguessable token is the key)."""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from wuye.core.access import get_scoped_or_404, scoped
from wuye.core.downloads import attachment
from wuye.core.errors import DomainError, InvalidInput
from wuye.core.validators import digits
from wuye.tenancy.models import Project, Unit
from wuye.tenancy.search import unit_search_q
from wuye.web.guards import staff_view
from wuye.web.paging import paginate

from .. import visitors as service
from .. import worker_passes as passes
from ..models import HostConfirmation, IdType, Visitor, VisitorStatus, WorkerPass, WorkerPassStatus

VISITORS, WORKER_PASSES = "security.visitors", "security.worker_passes"
ACTION_LABELS = {
    "confirm": gettext_lazy("The unit confirmed by phone"),
    "decline": gettext_lazy("The unit declined"),
    "admit": gettext_lazy("Let in"),
    "check_out": gettext_lazy("Check out"),
    "cancel": gettext_lazy("Cancel the visit"),
}
DONE = {
    "confirm": gettext_lazy("The call is on record: the visitor may be let in."),
    "decline": gettext_lazy("Recorded: the visitor is not let in."),
    "admit": gettext_lazy("Let in."),
    "check_out": gettext_lazy("Checked out."),
    "cancel": gettext_lazy("The visit is cancelled."),
}
VISITOR_FIELDS = ("project", "unit", "name", "id_type", "id_number", "purpose", "phone", "plate", "party_size",
                  "valid_until")
PASS_FIELDS = ("project", "unit", "worker_name", "id_type", "id_number", "phone", "employer", "works", "valid_from",
               "valid_until", "deposit")


# -- helpers --------------------------------------------------------------------------------------------------
def _errors(error: DomainError) -> dict:
    return {problem.field or "form": problem.message for problem in error.problems} or {"form": error.message}


def _day(raw) -> date | None:
    try:
        return date.fromisoformat((raw or "")[:10])
    except ValueError:
        return None


def _projects(actor):
    return scoped(Project.objects.active(), actor).only("id", "name").order_by("id")


def _project(actor, raw) -> Project | None:
    projects = list(_projects(actor))
    if len(projects) == 1:
        return projects[0]
    raw = str(raw or "")
    return next((p for p in projects if digits(raw) and str(p.pk) == raw), None)


def _find_unit(actor, project: Project | None, written: str) -> Unit:
    """The one unit in scope that the typed text names (3-1201, 3栋1201 …); 422 naming `unit_id` otherwise."""
    written = (written or "").strip()[:40]
    if project is None:
        raise InvalidInput("project", _("Choose the project."))
    if not written:
        raise InvalidInput("unit_id", _("Enter the unit, e.g. 1-1-101."))
    units = list(scoped(Unit.objects.filter(project=project), actor).filter(unit_search_q(written))
                 .select_related("building", "project")[:2])
    if len(units) != 1:
        raise InvalidInput("unit_id", _("No unit %(unit)s in %(project)s.") % {"unit": written,
                                                                              "project": project.name}
                           if not units else _("%(unit)s names more than one unit; write building-number, e.g. "
                                               "3-1201.") % {"unit": written})
    return units[0]


def _when(raw: str, field: str):
    """A date (or date and time) typed in a form, as the end of that day unless a time is given."""
    raw = (raw or "").strip()[:20]
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(field, _("Give a date as 2026-12-03.")) from None
    if len(raw) <= 10:
        return service.end_of_day(moment.date())
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


# -- visitors -------------------------------------------------------------------------------------------------
# The statuses whose list is "now", whatever the day: one function each, shared with the cards that count them.
NOW_LISTS = {VisitorStatus.INSIDE: service.visitors_inside, VisitorStatus.WAITING: service.visitors_waiting}


def _visitors_context(request, *, exit_error="", exit_code="") -> dict:
    actor = request.actor
    params = request.GET
    status = params.get("status") if params.get("status") in VisitorStatus.values else ""
    day = _day(params.get("day")) or timezone.localdate()
    q = (params.get("q") or "").strip()[:40]
    if status in NOW_LISTS:
        # Inside now / waiting now are states, not a day's registrations: exactly the rows the workbench card and
        # the security home count (`visitors.visitors_inside` / `visitors_waiting`), whenever they were registered.
        rows = NOW_LISTS[status](actor)
    else:
        rows = service.visitors_on(actor, day)
        if status:
            rows = rows.filter(status=status)
    if q:
        rows = rows.filter(unit_search_q(q, "unit__"))
    page = paginate(request, rows)
    listed = list(page.object_list)
    inside = list(service.visitors_inside(actor)[:50])
    waiting = list(service.visitors_waiting(actor)[:50])
    expected = list(service.visitors_expected(actor)[:50])
    numbers = service.visit_numbers(listed + inside + waiting)
    now = timezone.now()
    for row in listed + inside + waiting + expected:
        row.visit_no = numbers.get(row.pk, 1)
        row.overdue = service.is_overdue(row, now)
    return {
        "page": page, "rows": listed, "status": status, "statuses": VisitorStatus.choices, "day": day, "q": q,
        "inside": inside, "waiting": waiting, "expected": expected, "exit_error": exit_error,
        "exit_code": exit_code, "may_act": actor.may("security.gate"), "today": timezone.localdate(),
    }


@staff_view(reads=VISITORS)
def visitor_list(request):
    """Inside now, waiting for the unit, expected today; then the day's visitors (filters: status, day, unit)."""
    return render(request, "security/gate/visitors.html", _visitors_context(request))


def _form_context(request, values=None, errors=None) -> dict:
    projects = list(_projects(request.actor))
    return {"values": values or {}, "errors": errors or {}, "projects": projects, "id_types": IdType.choices,
            "party_max": service.PARTY_MAX, "days_ahead": service.DAYS_AHEAD_MAX}


@staff_view("security.gate", reads=VISITORS)
def visitor_new(request):
    """GET: the registration form; POST: register the visitor (the unit is asked in the portal)."""
    if request.method != "POST":
        return render(request, "security/gate/visitor_new.html", _form_context(request))
    values = {name: request.POST.get(name, "")[:200] for name in VISITOR_FIELDS}
    try:
        project = _project(request.actor, values["project"])
        unit = _find_unit(request.actor, project, values["unit"])
        visitor = service.register_visitor(
            request.actor, project=project, unit=unit, name=values["name"], id_type=values["id_type"],
            id_number=values["id_number"], purpose=values["purpose"], phone=values["phone"], plate=values["plate"],
            party_size=values["party_size"] or 1, valid_until=_when(values["valid_until"], "valid_until"))
    except DomainError as error:
        return render(request, "security/gate/visitor_new.html", _form_context(request, values, _errors(error)),
                      status=error.status)
    messages.success(request, _("Registered. Pass code %(code)s; the unit has been asked to confirm.") % {
        "code": visitor.pass_code})
    return redirect(reverse("security:visitor", args=[visitor.pk]))


def _detail_context(request, visitor: Visitor, errors=None, failed="") -> dict:
    visitor = Visitor.objects.select_related("project", "unit__building", "confirmed_by", "registered_by").get(
        pk=visitor.pk)
    actions = service.allowed_actions(request.actor, visitor)
    return {
        "visitor": visitor, "visit_no": service.visit_number(visitor), "overdue": service.is_overdue(visitor),
        "actions": [(action, ACTION_LABELS[action]) for action in actions], "errors": errors or {},
        "failed": failed, "pass_url": request.build_absolute_uri(service.pass_url(visitor)),
        "needs_answer": visitor.confirmation == HostConfirmation.PENDING and "confirm" in actions,
        "id_types": IdType.choices,
    }


@staff_view(reads=VISITORS)
def visitor_detail(request, pk: int):
    visitor = get_scoped_or_404(Visitor.objects.all(), request.actor, pk=pk)
    return render(request, "security/gate/visitor.html", _detail_context(request, visitor))


@require_POST
@staff_view("security.gate", reads=VISITORS)
def visitor_action(request, pk: int, action: str):
    """One step of the gate: confirm or decline (with the call on record), let in, check out, cancel."""
    if action not in ACTION_LABELS:
        raise Http404
    visitor = get_scoped_or_404(Visitor.objects.all(), request.actor, pk=pk)
    note = request.POST.get("call_note", "")[:service.CALL_NOTE_MAX * 4]
    try:
        if action == "confirm":
            visitor = service.confirm_visit(request.actor, visitor, call_note=note)
        elif action == "decline":
            visitor = service.decline_visit(request.actor, visitor, call_note=note)
        elif action == "admit":  # the identity is asked for here when it was not checked at registration
            visitor = service.admit(request.actor, visitor, id_type=request.POST.get("id_type", "")[:16],
                                    id_number=request.POST.get("id_number", "")[:200])
        elif action == "check_out":
            code = request.POST.get("code", "")[:20]
            visitor = service.check_out(request.actor, visitor, code=code or None)
        else:
            visitor = service.cancel_visit(request.actor, visitor)
    except DomainError as error:
        return render(request, "security/gate/visitor.html", _detail_context(request, visitor, _errors(error), action),
                      status=error.status)
    _said(request, visitor, action)
    return redirect(reverse("security:visitor", args=[visitor.pk]))


def _said(request, visitor: Visitor, action: str) -> None:
    if action == "check_out" and visitor.overstayed:
        messages.warning(request, _("Checked out — after the pass expired (valid until %(time)s).") % {
            "time": timezone.localtime(visitor.valid_until).strftime("%m-%d %H:%M")})
    else:
        messages.success(request, str(DONE[action]))


@staff_view("security.gate", reads=VISITORS)
def visitor_exit(request):
    """The exit code box: the pass code (or the scanned QR's text) → the visitor is checked out. GET shows the
    gate's page with the box (the phone's home-screen link)."""
    if request.method != "POST":
        return render(request, "security/gate/visitors.html", _visitors_context(request))
    code = request.POST.get("code", "")[:500]
    project = _project(request.actor, request.POST.get("project"))
    try:
        visitor = service.check_out_by_pass(request.actor, code, project=project)
    except DomainError as error:
        # A used pass (409) says when it was used; a wrong code (422) says what is wrong with it.
        message = error.message if error.status == 409 else _errors(error).get("code", error.message)
        return render(request, "security/gate/visitors.html",
                      _visitors_context(request, exit_error=message, exit_code=code[:20]), status=error.status)
    _said(request, visitor, "check_out")
    return redirect(reverse("security:visitor", args=[visitor.pk]))


def visitor_pass(request, token):
    """The visitor's pass as shown at the gate (no login; the token is the key): the QR, the code, the host unit
    and until when it is valid. The visitor's name is shown with only its first character."""
    from wuye.core.qrlabels import qr_svg

    visitor = Visitor.objects.select_related("project", "unit__building").filter(pass_token=token).first()
    if visitor is None:
        raise Http404
    base = (getattr(settings, "WUYE_PUBLIC_URL", "") or "").rstrip("/")
    url = f"{base}{service.pass_url(visitor)}" if base else request.build_absolute_uri(service.pass_url(visitor))
    qr = qr_svg(url)
    live = visitor.status in (VisitorStatus.EXPECTED, VisitorStatus.WAITING, VisitorStatus.INSIDE) \
        and timezone.now() <= visitor.valid_until
    response = render(request, "security/gate/pass.html", {
        "visitor": visitor, "qr": qr, "url": url, "live": live,
        "initial": (visitor.name[:1] + "*" * max(len(visitor.name) - 1, 1)) if visitor.name else "",
    })
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


# -- worker passes --------------------------------------------------------------------------------------------
@staff_view(reads=WORKER_PASSES)
def worker_pass_list(request):
    """Worker passes (filters: status, unit) and the gate's check: a pass code → valid today, with the photo."""
    actor = request.actor
    params = request.GET
    status = params.get("status") if params.get("status") in WorkerPassStatus.values else ""
    q = (params.get("q") or "").strip()[:40]
    rows = passes.visible_passes(actor).select_related("deposit_bill")
    if status:
        rows = rows.filter(status=status)
    if q:
        rows = rows.filter(unit_search_q(q, "unit__"))
    code = (params.get("code") or "").strip()[:500]
    checked, valid, check_error = None, False, ""
    if code:
        try:
            checked, valid = passes.check_pass(actor, code)
        except DomainError as error:
            check_error = _errors(error).get("code") or error.message
    page = paginate(request, rows)
    return render(request, "security/gate/worker_passes.html", {
        "page": page, "rows": page.object_list, "status": status, "statuses": WorkerPassStatus.choices, "q": q,
        "code": code[:20], "checked": checked, "valid": valid, "check_error": check_error,
        "may_issue": actor.may("security.gate"), "today": timezone.localdate(),
    }, status=422 if check_error else 200)


def _pass_form_context(request, values=None, errors=None) -> dict:
    today = timezone.localdate()
    return {"values": values or {"valid_from": today.isoformat()}, "errors": errors or {},
            "projects": list(_projects(request.actor)), "id_types": IdType.choices,
            "deposit": passes.deposit_default(), "may_change_deposit": request.actor.may("billing.charge"),
            "period_max": passes.PERIOD_DAYS_MAX}


@staff_view("security.gate", reads=WORKER_PASSES)
def worker_pass_new(request):
    """GET: the issue form; POST: issue the pass (photo re-encoded, deposit billed to the unit)."""
    if request.method != "POST":
        return render(request, "security/gate/worker_pass_new.html", _pass_form_context(request))
    values = {name: request.POST.get(name, "")[:200] for name in PASS_FIELDS}
    try:
        project = _project(request.actor, values["project"])
        unit = _find_unit(request.actor, project, values["unit"])
        worker_pass = passes.issue_worker_pass(
            request.actor, project=project, unit=unit, worker_name=values["worker_name"], id_type=values["id_type"],
            id_number=values["id_number"], valid_from=values["valid_from"], valid_until=values["valid_until"],
            works=values["works"], employer=values["employer"], phone=values["phone"],
            photo=request.FILES.get("photo"), deposit=values["deposit"] or None)
    except DomainError as error:
        return render(request, "security/gate/worker_pass_new.html",
                      _pass_form_context(request, values, _errors(error)), status=error.status)
    messages.success(request, _("Pass issued: code %(code)s.") % {"code": worker_pass.pass_code})
    return redirect(reverse("security:worker_pass", args=[worker_pass.pk]))


def _pass_context(request, worker_pass: WorkerPass, errors=None) -> dict:
    worker_pass = WorkerPass.objects.select_related("project", "unit__building", "deposit_bill", "issued_by").get(
        pk=worker_pass.pk)
    may = request.actor.may("security.gate")
    return {
        "worker_pass": worker_pass, "valid_today": passes.is_valid_on(worker_pass, timezone.localdate()),
        "deposit_state": passes.deposit_state(worker_pass), "errors": errors or {},
        "may_return": may and worker_pass.status in passes.TRANSITIONS["return"][0],
        "may_revoke": may and worker_pass.status in passes.TRANSITIONS["revoke"][0],
    }


@staff_view(reads=WORKER_PASSES)
def worker_pass_detail(request, pk: int):
    worker_pass = get_scoped_or_404(WorkerPass.objects.all(), request.actor, pk=pk)
    return render(request, "security/gate/worker_pass.html", _pass_context(request, worker_pass))


@require_POST
@staff_view("security.gate", reads=WORKER_PASSES)
def worker_pass_action(request, pk: int, action: str):
    """Return the card (the deposit starts back through billing) or revoke the pass (reason required)."""
    if action not in ("return", "revoke"):
        raise Http404
    worker_pass = get_scoped_or_404(WorkerPass.objects.all(), request.actor, pk=pk)
    try:
        if action == "return":
            passes.return_worker_pass(request.actor, worker_pass)
        else:
            passes.revoke_worker_pass(request.actor, worker_pass,
                                      reason=request.POST.get("reason", "")[:passes.REASON_MAX * 4])
    except DomainError as error:
        return render(request, "security/gate/worker_pass.html", _pass_context(request, worker_pass, _errors(error)),
                      status=error.status)
    messages.success(request, _("The pass is returned; finance takes the deposit back through billing.")
                     if action == "return" else _("The pass is revoked."))
    return redirect(reverse("security:worker_pass", args=[pk]))


@staff_view(reads=WORKER_PASSES)
def worker_pass_photo(request, pk: int):
    """The worker's photo, to the people who see the pass (never a public media link)."""
    worker_pass = get_scoped_or_404(WorkerPass.objects.all(), request.actor, pk=pk)
    if not worker_pass.photo:
        raise Http404
    extension = worker_pass.photo.name.rsplit(".", 1)[-1].lower()
    content_type = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}.get(extension)
    if content_type is None:  # issue_worker_pass writes only these
        raise Http404
    response = FileResponse(worker_pass.photo.open("rb"), content_type=content_type)
    response["Cache-Control"] = "private, max-age=300"
    return attachment(response, f"worker-{worker_pass.pk}.{extension}", inline=True)


urlpatterns = [
    path("console/security/visitors/", visitor_list, name="visitors"),
    path("console/security/visitors/new/", visitor_new, name="visitor_new"),
    path("console/security/visitors/exit/", visitor_exit, name="visitor_exit"),
    path("console/security/visitors/<int:pk>/", visitor_detail, name="visitor"),
    path("console/security/visitors/<int:pk>/<slug:action>/", visitor_action, name="visitor_action"),
    path("console/security/worker-passes/", worker_pass_list, name="worker_passes"),
    path("console/security/worker-passes/new/", worker_pass_new, name="worker_pass_new"),
    path("console/security/worker-passes/<int:pk>/", worker_pass_detail, name="worker_pass"),
    path("console/security/worker-passes/<int:pk>/photo/", worker_pass_photo, name="worker_pass_photo"),
    path("console/security/worker-passes/<int:pk>/<slug:action>/", worker_pass_action, name="worker_pass_action"),
    path("pass/<uuid:token>/", visitor_pass, name="visitor_pass"),
]
