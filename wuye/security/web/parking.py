"""Security pages: parking — occupancy per zone with the cars inside, the booth (phone or tablet: a plate box →
entry, or exit with the quote and the channel → receipt number), the sessions' history and one session."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from wuye.core.access import get_scoped_or_404, scoped
from wuye.core.errors import DomainError, InvalidInput
from wuye.core.sentences import format_minutes
from wuye.core.validators import digits, normalize_plate
from wuye.tenancy.models import Project
from wuye.web.guards import staff_view
from wuye.web.paging import paginate

from .. import cameras
from .. import parking as service
from ..models import GateDirection, ParkingGate, ParkingSession, SessionStatus, VehicleClass

RESOURCE = "security.parking"
CHANNEL_LABELS = (("cash", _("Cash")), ("wechat", _("WeChat Pay")), ("alipay", _("Alipay")), ("pos", _("POS card")))


def _errors(error: DomainError) -> dict:
    return {problem.field or "form": problem.message for problem in error.problems} or {"form": error.message}


def _id(raw) -> int | None:
    raw = str(raw or "").strip()
    return int(raw) if digits(raw) and len(raw) < 19 else None


def _rows_with_fee(sessions, now):
    rows, tariffs = [], {}  # the tariff and rules read once per project and entry day, not per car
    for session in sessions:
        try:
            fee = service.quote(session, now, tariffs).amount
        except InvalidInput:
            fee = None
        minutes = max(int((now - session.entered_at).total_seconds() // 60), 0)
        rows.append({"session": session, "minutes": minutes, "stay": format_minutes(minutes), "fee": fee})
    return rows


@staff_view(reads=RESOURCE)
def parking_overview(request):
    actor = request.actor
    now = timezone.now()
    sessions = service.open_sessions(actor).select_related("parking_pass")
    page = paginate(request, sessions)
    return render(request, "security/parking/overview.html", {
        "zones": service.occupancy(actor), "page": page, "rows": _rows_with_fee(page.object_list, now),
        "may_act": actor.may("security.parking"),
    })


def _booth_context(request, *, errors=None, values=None, status=200) -> dict:
    actor = request.actor
    gates = list(scoped(ParkingGate.objects.filter(is_active=True), actor).select_related("project")
                 .order_by("project__name", "direction", "code"))
    projects = list(scoped(Project.objects.active(), actor).only("id", "name"))
    values = values or {}
    found = None
    lookup = (values.get("exit_plate") or request.GET.get("plate") or "").strip()[:20]
    if lookup and not errors:
        try:
            plate = normalize_plate(lookup)
        except ValueError as error:
            errors = {**(errors or {}), "exit_plate": str(error)}
        else:
            found = service.open_sessions(actor).filter(plate=plate).first()
            if found is None:
                errors = {**(errors or {}), "exit_plate": str(_("No car with this plate is inside."))}
    quote = None
    if found is not None:
        try:
            quote = service.quote(found)
        except InvalidInput as error:
            errors = {**(errors or {}), "exit_plate": error.message}
    done = None
    done_id = _id(request.GET.get("done"))
    if done_id:
        done = scoped(ParkingSession.objects.select_related("payment__receipt"), actor).filter(pk=done_id).first()
    return {
        "entry_gates": [g for g in gates if g.direction == GateDirection.ENTRY],
        "exit_gates": [g for g in gates if g.direction == GateDirection.EXIT],
        "projects": projects, "zones": {p.pk: service.zones(p) for p in projects},
        "errors": errors or {}, "values": values, "found": found, "quote": quote, "lookup": lookup,
        "channels": CHANNEL_LABELS, "done": done, "done_receipt": service.receipt_code(done) if done else "",
        "simulated": cameras.simulated_devices_enabled(),
        "unconfirmed": cameras.recent_unconfirmed(actor, timezone.now() - timedelta(hours=2)),
    }


@staff_view("security.parking", reads=RESOURCE)
def parking_booth(request):
    """GET: the plate box (entry) and the exit lookup (?plate=); POST action=enter|exit."""
    if request.method != "POST":
        return render(request, "security/parking/booth.html", _booth_context(request))
    post = request.POST
    action = post.get("action")
    values = {name: post.get(name, "")[:60] for name in
              ("plate", "gate", "zone", "project", "exit_plate", "session", "channel", "reference", "exit_gate",
               "expected_fee")}
    actor = request.actor
    try:
        if action == "enter":
            gate = None
            if values["gate"]:
                gate = scoped(ParkingGate.objects.select_related("project"), actor).filter(
                    pk=_id(values["gate"]) or 0).first()
                if gate is None:
                    raise InvalidInput("gate", _("Choose an active gate of this project."))
            project = gate.project if gate else scoped(Project.objects.all(), actor).filter(
                pk=_id(values["project"]) or 0).first()
            if project is None:
                projects = list(scoped(Project.objects.active(), actor)[:2])
                project = projects[0] if len(projects) == 1 else None
            if project is None:
                raise InvalidInput("project", _("Choose one of your projects."))
            session = service.enter(actor, project=project, plate=values["plate"], gate=gate,
                                    zone=values["zone"] or None)
            messages.success(request, _("%(plate)s entered %(zone)s.") % {"plate": session.plate,
                                                                         "zone": session.zone})
            return redirect(reverse("security:parking_booth"))
        if action == "exit":
            session = get_scoped_or_404(ParkingSession.objects.select_related("project"), actor,
                                        pk=_id(values["session"]) or 0)
            gate = None
            if values["exit_gate"]:
                gate = scoped(ParkingGate.objects.all(), actor).filter(pk=_id(values["exit_gate"]) or 0).first()
            session = service.leave(actor, session, channel=values["channel"] or "cash", gate=gate,
                                    reference=values["reference"], expected_fee=post.get("expected_fee"))
            return redirect(f"{reverse('security:parking_booth')}?done={session.pk}")
        raise InvalidInput("action", _("Choose entry or exit."))
    except DomainError as error:
        if action == "exit" and values["session"]:
            values["exit_plate"] = values["exit_plate"] or ""
        context = _booth_context(request, errors=_errors(error), values=values)
        if action == "exit":
            session = scoped(ParkingSession.objects.all(), actor).filter(pk=_id(values["session"]) or 0).first()
            if session is not None and session.status == SessionStatus.INSIDE:
                context["found"] = session
                try:
                    context["quote"] = service.quote(session)
                except InvalidInput as problem:  # no tariff for the stay: the reason, never a 500
                    context["quote"] = None
                    context["errors"].setdefault("exit_plate", problem.message)
        return render(request, "security/parking/booth.html", context, status=error.status)


@require_POST
@staff_view("security.parking", reads=RESOURCE)
def parking_camera_demo(request):
    """The booth's demo button: the simulated camera posts a read of the typed plate at the chosen gate, through
    the same signature check and handling as POST /api/v1/parking/camera-events."""
    if not cameras.simulated_devices_enabled():
        from django.http import Http404

        raise Http404
    actor = request.actor
    gate = scoped(ParkingGate.objects.select_related("project"), actor).filter(
        pk=_id(request.POST.get("gate")) or 0, is_active=True).first()
    confidence = "0.62" if request.POST.get("unsure") else "0.95"
    try:
        if gate is None:
            raise InvalidInput("gate", _("Choose an active gate of this project."))
        signed = cameras.simulated_read(gate, request.POST.get("plate", "")[:20], confidence=confidence)
        outcome = cameras.handle_read(cameras.camera("simulated").parse(signed["payload"], signed["signature"]))
    except DomainError as error:
        context = _booth_context(request, errors=_errors(error))
        return render(request, "security/parking/booth.html", context, status=error.status)
    if outcome.status == "needs_confirmation":
        messages.warning(request, _("The camera's read waits for the booth's confirmation (%(reason)s).") % {
            "reason": cameras.REASONS.get(outcome.reason, outcome.reason)})
    elif outcome.session is not None:  # a duplicate read changed nothing
        messages.success(request, _("The camera recorded %(plate)s.") % {"plate": outcome.session.plate})
    return redirect(reverse("security:parking_booth"))


@staff_view(reads=RESOURCE)
def parking_sessions(request):
    actor = request.actor
    get = request.GET
    filters = {"plate": get.get("plate", "").strip()[:20], "vehicle_class": get.get("vehicle_class", "")[:20],
               "status": get.get("status", "")[:10], "project": _id(get.get("project")), "day": None}
    errors = {}
    raw_day = get.get("day", "").strip()[:10]
    if raw_day:
        try:
            filters["day"] = date.fromisoformat(raw_day)
        except ValueError:
            errors["day"] = _("Give a date such as 2026-12-01.")
    rows = service.visible_sessions(actor)
    try:
        rows = service.filter_sessions(rows, **filters)
    except InvalidInput as error:
        errors.update(_errors(error))
        rows = rows.none()
    page = paginate(request, rows)
    return render(request, "security/parking/sessions.html", {
        "page": page, "rows": page.object_list, "filters": filters, "raw_day": raw_day, "errors": errors,
        "classes": VehicleClass.choices, "statuses": SessionStatus.choices,
        "projects": scoped(Project.objects.active(), actor).only("id", "name"),
    }, status=422 if errors else 200)


def receipt_url(session: ParkingSession) -> str:
    return reverse("security:parking_receipt", args=[session.pk]) if session.payment_id else ""


@staff_view(reads=RESOURCE)
def parking_session(request, pk: int):
    actor = request.actor
    session = get_scoped_or_404(ParkingSession.objects.select_related(
        "project", "entry_gate", "exit_gate", "entered_by", "exited_by", "payment__receipt", "parking_pass"),
        actor, pk=pk)
    fee_now = None
    if session.status == SessionStatus.INSIDE:
        try:
            fee_now = service.quote(session)
        except InvalidInput:
            fee_now = None
    return render(request, "security/parking/session.html", {
        "session": session, "fee_now": fee_now, "receipt": service.receipt_code(session),
        "receipt_url": receipt_url(session), "may_act": actor.may("security.parking"),
    })


@staff_view(reads=RESOURCE)
def parking_receipt(request, pk: int):
    """The exit's receipt (收款收据) as PDF."""
    from django.http import Http404

    from wuye.billing.documents import receipt_filename
    from wuye.billing.receipts import receipt_pdf

    session = get_scoped_or_404(ParkingSession.objects.select_related("payment__receipt"), request.actor, pk=pk)
    if session.payment is None:
        raise Http404
    return receipt_pdf(session.payment).response(filename=receipt_filename(service.receipt_code(session)))


urlpatterns = [
    path("console/security/parking/", parking_overview, name="parking"),
    path("console/security/parking/booth/", parking_booth, name="parking_booth"),
    path("console/security/parking/booth/camera/", parking_camera_demo, name="parking_camera_demo"),
    path("console/security/parking/sessions/", parking_sessions, name="parking_sessions"),
    path("console/security/parking/sessions/<int:pk>/", parking_session, name="parking_session"),
    path("console/security/parking/sessions/<int:pk>/receipt.pdf", parking_receipt, name="parking_receipt"),
]
