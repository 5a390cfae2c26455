"""Facilities console pages: elevator entrapments (电梯困人) — the list (people still trapped first), the start page
with one big button (the elevator chosen from the project's elevators, or preset by `?equipment=` from a scanned
label) and one page per entrapment with its three live limits and the next step as a big button (390 px)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from wuye.core.access import get_scoped_or_404, scoped
from wuye.core.errors import Conflict, DomainError, InvalidInput
from wuye.core.validators import digits
from wuye.people.services import staff_with_role
from wuye.tenancy.models import Project
from wuye.web.guards import staff_view
from wuye.web.paging import paginate

from .. import entrapments as service
from ..models import CategoryKind, Entrapment, EntrapmentStatus, Equipment, EquipmentStatus

DONE = {
    "staff_arrived": _("Recorded: our staff are on site."),
    "contractor_arrived": _("Recorded: the contractor is on site."),
    "freed": _("Recorded: the people are freed."),
    "close": _("The entrapment is closed."),
}


@staff_view(reads="facilities.entrapments")
def entrapment_list(request):
    actor = request.actor
    rows = service.visible_entrapments(actor)
    status = request.GET.get("status")
    if status in EntrapmentStatus.values:
        rows = rows.filter(status=status)
    project = request.GET.get("project") or ""
    if digits(project) and len(project) < 10:
        rows = rows.filter(project_id=int(project))
    page = paginate(request, rows)
    return render(request, "facilities/entrapments/list.html", {
        "page": page, "rows": page.object_list, "status": status if status in EntrapmentStatus.values else "",
        "project": project, "statuses": EntrapmentStatus.choices,
        "projects": scoped(Project.objects.active(), actor).only("id", "name"),
        "may_start": actor.may("facilities.start_entrapment"),
    })


def _elevators(actor):
    return (scoped(Equipment.objects.filter(category__kind=CategoryKind.ELEVATOR), actor)
            .exclude(status=EquipmentStatus.SCRAPPED).select_related("project", "building")
            .order_by("project__name", "code"))


def _start_context(request, errors=None, values=None) -> dict:
    elevators = list(_elevators(request.actor))
    chosen = (values or {}).get("equipment") or request.GET.get("equipment") or ""
    chosen = chosen if digits(str(chosen)) and len(str(chosen)) < 19 else ""
    preset = next((item for item in elevators if str(item.pk) == str(chosen)), None)
    return {"elevators": elevators, "preset": preset, "chosen": str(chosen), "errors": errors or {},
            "values": values or {}, "trapped_max": service.TRAPPED_MAX,
            "several_projects": len({item.project_id for item in elevators}) > 1}


@staff_view("facilities.start_entrapment", reads="facilities.entrapments")
def entrapment_start(request):
    """GET: the one-tap page; POST: start it (only the elevator is needed)."""
    if request.method != "POST":
        return render(request, "facilities/entrapments/start.html", _start_context(request))
    post = request.POST
    values = {name: post.get(name, "")[:200] for name in ("equipment", "floor", "trapped_count", "caller")}
    raw = values["equipment"]
    equipment = _elevators(request.actor).filter(pk=int(raw)).first() if digits(raw) and len(raw) < 19 else None
    equipment = equipment or (scoped(Equipment.objects.select_related("category"), request.actor)
                              .filter(pk=int(raw)).first() if digits(raw) and len(raw) < 19 else None)
    if equipment is None:
        errors = {"equipment": _("Choose the elevator.")}
        return render(request, "facilities/entrapments/start.html", _start_context(request, errors, values),
                      status=422)
    try:
        entrapment = service.start_entrapment(request.actor, equipment, floor=values["floor"],
                                              trapped_count=values["trapped_count"] or None, caller=values["caller"])
    except Conflict as error:
        # A second tap (or a colleague's) on the same lift: show the entrapment already running.
        running = Entrapment.objects.filter(equipment=equipment, status=EntrapmentStatus.ACTIVE).first()
        if running is None:
            raise
        messages.info(request, error.message)
        return redirect(reverse("facilities:entrapment", args=[running.pk]))
    except DomainError as error:
        errors = {problem.field or "form": problem.message for problem in error.problems} or {"form": error.message}
        return render(request, "facilities/entrapments/start.html", _start_context(request, errors, values),
                      status=error.status)
    messages.success(request, str(_("Everyone on duty has been alerted.")))
    return redirect(reverse("facilities:entrapment", args=[entrapment.pk]))


def _detail_context(request, entrapment: Entrapment, errors=None, failed_action="") -> dict:
    entrapment = Entrapment.objects.select_related(
        "project", "equipment", "equipment__contractor", "started_by", "staff_arrived_by", "fault").get(
        pk=entrapment.pk)
    actions = service.allowed_actions(request.actor, entrapment)
    next_action = service.next_action(entrapment)
    return {
        "entrapment": entrapment, "limits": service.limits(entrapment), "now": timezone.now(),
        "actions": actions, "next_action": next_action if next_action in actions else None,
        "next_label": service.ACTION_LABELS.get(next_action, ""),
        "other_actions": [(a, service.ACTION_LABELS[a]) for a in actions if a != next_action],
        "errors": errors or {}, "failed_action": failed_action,
        "colleagues": staff_with_role(None, entrapment.project_id) if "staff_arrived" in actions else [],
        "fault_url": _fault_url(entrapment),
    }


def _fault_url(entrapment: Entrapment) -> str:
    from django.urls import NoReverseMatch

    if not entrapment.fault_id:
        return ""
    try:
        return reverse("facilities:fault", args=[entrapment.fault_id])
    except NoReverseMatch:  # FAULTS' page, if it is not mounted yet
        return ""


@staff_view(reads="facilities.entrapments")
def entrapment_detail(request, pk: int):
    entrapment = get_scoped_or_404(Entrapment.objects.all(), request.actor, pk=pk)
    return render(request, "facilities/entrapments/detail.html", _detail_context(request, entrapment))


def _when(request, entrapment: Entrapment) -> datetime | None:
    """The optional "it happened at" time of the form (HH:MM on the start's day or after it), else now."""
    raw = (request.POST.get("at") or "").strip()[:20]
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        try:
            clock = datetime.strptime(raw, "%H:%M").time()  # noqa: DTZ007  (made aware below)
        except ValueError:
            raise InvalidInput("at", _("Give the time as 22:05.")) from None
        now = timezone.localtime(timezone.now())
        moment = timezone.make_aware(datetime.combine(now.date(), clock))
        if moment > now + service.CLOCK_SKEW:  # 23:58 typed at 00:10 is yesterday's
            moment = timezone.make_aware(datetime.combine(now.date() - timedelta(days=1), clock))
        return moment
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


@require_POST
@staff_view(reads="facilities.entrapments")
def entrapment_action(request, pk: int, action: str):
    entrapment = get_scoped_or_404(Entrapment.objects.all(), request.actor, pk=pk)
    post = request.POST
    fields = {}
    if action in ("staff_arrived", "contractor_arrived") and post.get("note"):
        fields["note"] = post.get("note", "")[:service.NOTE_MAX + 1]
    if action == "freed":
        fields["injuries"] = post.get("injuries", "")[:service.INJURIES_MAX + 1]
    if action == "close":
        fields["summary"] = post.get("summary", "")[:service.SUMMARY_MAX + 1]
    try:
        at = _when(request, entrapment)
        raw = post.get("staff", "").strip()
        if action == "staff_arrived" and raw:
            staff = get_user_model().objects.filter(pk=int(raw), is_active=True).first() \
                if digits(raw) and len(raw) < 19 else None
            if staff is None:
                raise InvalidInput("staff", _("Choose a colleague of this project."))
            fields["staff"] = staff
        entrapment = service.act(request.actor, entrapment, action, at=at, **fields)
    except DomainError as error:
        errors = {problem.field or "form": problem.message for problem in error.problems} or {"form": error.message}
        return render(request, "facilities/entrapments/detail.html",
                      _detail_context(request, entrapment, errors, action), status=error.status)
    messages.success(request, str(DONE.get(action, "")))
    return redirect(reverse("facilities:entrapment", args=[entrapment.pk]))


urlpatterns = [
    path("console/facilities/entrapments/", entrapment_list, name="entrapments"),
    path("console/facilities/entrapments/start/", entrapment_start, name="entrapment_start"),
    path("console/facilities/entrapments/<int:pk>/", entrapment_detail, name="entrapment"),
    path("console/facilities/entrapments/<int:pk>/<str:action>/", entrapment_action, name="entrapment_action"),
]
