"""Quality console pages: inspections — the list (due today / in progress / submitted, per project), the plans
(list, new plan, pause and resume), a new special or self-inspection, and one inspection: the scoring sheet (pass /
fail / not applicable per item, failures, note, photos; save, submit with the place) while it is open and the
inspector's to do, else the read-only result with its score, failed items and their rectifications."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wuye.core.access import get_scoped_or_404, may_read, scoped
from wuye.core.errors import DomainError
from wuye.tenancy.models import Project
from wuye.web.forms import PlausibleDateField, show_problems
from wuye.web.guards import staff_view
from wuye.web.paging import paginate
from wuye.web.workbench import Card, Todo

from .. import inspections as services
from ..models import (
    STAFF_ROLES,
    Frequency,
    Inspection,
    InspectionKind,
    InspectionPlan,
    InspectionStatus,
    ItemResult,
    Standard,
)

READS = "quality.inspections"
TABS = (("today", gettext_lazy("Due today")), ("open", gettext_lazy("In progress")),
        ("submitted", gettext_lazy("Submitted")), ("all", gettext_lazy("All")))


def _may_create(actor) -> bool:
    return actor.may("quality.inspect") or actor.may("quality.self_inspect")


def _projects(actor):
    return scoped(Project.objects.all(), actor).only("id", "name").order_by("id")


def _standards(actor):
    return Standard.objects.filter(company_id=actor.company_id, is_active=True).order_by("purpose", "code") \
        if actor.company_id else Standard.objects.filter(is_active=True).order_by("company_id", "purpose", "code")


def _inspectors(actor):
    """Staff of the actor's company (named, never their login) who may inspect."""
    users = get_user_model().objects.filter(is_active=True, staff_profile__isnull=False)
    if actor.company_id:
        users = users.filter(staff_profile__company_id=actor.company_id)
    return users.order_by("last_name", "first_name", "id")


class InspectorChoice(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return user.get_full_name() or _("Staff member")


class ListFilters(forms.Form):
    project = forms.ModelChoiceField(queryset=Project.objects.none(), required=False,
                                     empty_label=gettext_lazy("All projects"))

    def __init__(self, data, *, actor):
        super().__init__(data)
        self.fields["project"].queryset = _projects(actor)


@staff_view(reads=READS)
def inspection_list(request):
    """Inspections per project: due today, in progress, submitted (with score) or all, newest date first."""
    actor = request.actor
    tab = request.GET.get("tab") if request.GET.get("tab") in dict(TABS) else "today"
    today = timezone.localdate()
    rows = services.visible_inspections(actor)
    filters = ListFilters(request.GET, actor=actor)
    if filters.is_valid() and filters.cleaned_data.get("project"):
        rows = rows.filter(project=filters.cleaned_data["project"])
    due = services.due_inspections(actor, today)
    if filters.is_valid() and filters.cleaned_data.get("project"):
        due = due.filter(project=filters.cleaned_data["project"])
    counts = {"today": due.count(), "open": rows.filter(status=InspectionStatus.IN_PROGRESS).count()}
    if tab == "today":  # today's and any earlier one still open
        rows = due
    elif tab == "open":
        rows = rows.filter(status=InspectionStatus.IN_PROGRESS)
    elif tab == "submitted":
        rows = rows.filter(status=InspectionStatus.SUBMITTED)
    page = paginate(request, rows.order_by("-scheduled_for", "project_id", "-id"))
    project = filters.cleaned_data.get("project") if filters.is_valid() else None
    query = f"&project={project.pk}" if project else ""
    return render(request, "quality/inspections/list.html", {
        "page": page, "tab": tab, "tabs": [(key, label, counts.get(key)) for key, label in TABS],
        "filters": filters, "query": query,
        "today": today, "may_create": _may_create(actor), "may_plan": actor.may("quality.inspect")})


# -- plans ------------------------------------------------------------------------------------------------------
class PlanForm(forms.Form):
    project = forms.ModelChoiceField(label=gettext_lazy("Project"), queryset=Project.objects.none())
    standard = forms.ModelChoiceField(label=gettext_lazy("Standard"), queryset=Standard.objects.none())
    frequency = forms.ChoiceField(label=gettext_lazy("Frequency"), choices=Frequency.choices)
    inspector = InspectorChoice(label=gettext_lazy("Inspector"), queryset=get_user_model().objects.none(),
                                required=False)
    starts_on = PlausibleDateField(label=gettext_lazy("From"))

    def __init__(self, data=None, *, actor):
        super().__init__(data, initial={"starts_on": timezone.localdate()})
        self.fields["project"].queryset = _projects(actor)
        self.fields["standard"].queryset = _standards(actor)
        self.fields["inspector"].queryset = _inspectors(actor)


@staff_view(reads=READS)
def plan_list(request):
    """The inspection plans of the actor's projects; the quality side makes new ones here."""
    actor = request.actor
    may_plan = actor.may("quality.inspect")
    form = PlanForm(actor=actor) if may_plan else None
    status = None
    if request.method == "POST":
        if not may_plan:
            raise PermissionDenied
        form = PlanForm(request.POST, actor=actor)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.create_plan(actor, project=data["project"], standard=data["standard"],
                                     frequency=data["frequency"], starts_on=data["starts_on"],
                                     inspector=data.get("inspector"))
            except DomainError as error:
                show_problems(form, error)
            else:
                messages.success(request, _("Plan saved: inspections are generated from it every due day."))
                return redirect("quality:inspection_plans")
        status = 422
    plans = services.visible_plans(actor).order_by("project_id", "-is_active", "standard__name", "frequency")
    return render(request, "quality/inspections/plans.html", {
        "plans": plans, "form": form, "may_plan": may_plan}, status=status)


@staff_view(reads=READS)
def plan_toggle(request, pk: int):
    """Pause or resume a plan (POST)."""
    if request.method != "POST":
        return redirect("quality:inspection_plans")
    plan = get_scoped_or_404(InspectionPlan.objects.select_related("standard"), request.actor, pk=pk)
    try:
        services.set_plan_active(request.actor, plan, active=not plan.is_active)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Plan resumed.") if not plan.is_active else _("Plan paused."))
    return redirect("quality:inspection_plans")


# -- new inspection ---------------------------------------------------------------------------------------------
HAND_KINDS = [(InspectionKind.SPECIAL, InspectionKind.SPECIAL.label), (InspectionKind.SELF, InspectionKind.SELF.label),
              (InspectionKind.YEAR_END, InspectionKind.YEAR_END.label),
              *[(kind, kind.label) for kind in (InspectionKind.DAILY, InspectionKind.WEEKLY, InspectionKind.MONTHLY,
                                                 InspectionKind.QUARTERLY)]]


class NewInspectionForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=HAND_KINDS)
    project = forms.ModelChoiceField(label=gettext_lazy("Project"), queryset=Project.objects.none())
    standard = forms.ModelChoiceField(label=gettext_lazy("Standard"), queryset=Standard.objects.none())
    scheduled_for = PlausibleDateField(label=gettext_lazy("Date"))
    department = forms.ChoiceField(label=gettext_lazy("Department (self-inspection)"), required=False,
                                   choices=[("", gettext_lazy("My own department")), *STAFF_ROLES])
    title = forms.CharField(label=gettext_lazy("Title"), max_length=services.MAX_TITLE, required=False)

    def __init__(self, data=None, *, actor):
        super().__init__(data, initial={"scheduled_for": timezone.localdate(),
                                        "kind": InspectionKind.SPECIAL if actor.may("quality.inspect")
                                        else InspectionKind.SELF})
        self.fields["project"].queryset = _projects(actor)
        self.fields["standard"].queryset = _standards(actor)
        if not actor.may("quality.inspect"):  # the department checks its own work only
            self.fields["kind"].choices = [(InspectionKind.SELF, InspectionKind.SELF.label)]
            del self.fields["department"]


@staff_view(reads=READS)
def inspection_new(request):
    """A special inspection, a year-end review or a round by hand (quality side), or a self-inspection (自查)."""
    actor = request.actor
    if not _may_create(actor):
        raise PermissionDenied
    form = NewInspectionForm(request.POST or None, actor=actor)
    status = None
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                inspection = services.create_inspection(
                    actor, project=data["project"], standard=data["standard"], kind=data["kind"],
                    scheduled_for=data["scheduled_for"], department=data.get("department") or "",
                    title=data.get("title") or "")
            except DomainError as error:
                show_problems(form, error)
            else:
                return redirect("quality:inspection", inspection.pk)
        status = 422
    return render(request, "quality/inspections/new.html", {"form": form}, status=status)


# -- one inspection ---------------------------------------------------------------------------------------------
def _posted_findings(request, sheet) -> tuple[list[dict], dict[int, list], dict[int, dict]]:
    """The findings, photos and typed values of the scoring form (fields `result-<item>`, `failures-<item>`,
    `note-<item>`, `photos-<item>`); an item left unanswered is not saved."""
    results, photos, typed = [], {}, {}
    for block in sheet:
        for entry in block.items:
            item_id = entry.item.pk
            result = request.POST.get(f"result-{item_id}", "")
            failures = request.POST.get(f"failures-{item_id}", "").strip()
            note = request.POST.get(f"note-{item_id}", "")
            typed[item_id] = {"result": result, "failures": failures, "note": note}
            uploads = request.FILES.getlist(f"photos-{item_id}")
            if uploads:
                photos[item_id] = uploads
            if result:
                results.append({"item": item_id, "result": result,
                                "failures": int(failures) if failures.isdigit() and len(failures) < 4 else
                                (-1 if failures else 0), "note": note})
    return results, photos, typed


def _item_errors(error: DomainError, results: list[dict], photos: dict) -> tuple[dict[int, list], list[str]]:
    """The service's problems on their items (`scores[3].note` → the fourth posted item), the rest on top."""
    by_item: dict[int, list] = {}
    general = []
    for problem in error.problems or []:
        name = problem.field
        item_id = None
        if name.startswith("scores[") and "]" in name:
            index = name[7:name.index("]")]
            if index.isdigit() and int(index) < len(results):
                item_id = results[int(index)]["item"]
        elif name.startswith("photos[") and name.endswith("]") and name[7:-1].isdigit():
            item_id = int(name[7:-1])
        if item_id is None:
            general.append(problem.message)
        else:
            by_item.setdefault(item_id, []).append(problem.message)
    if not error.problems:
        general.append(error.message)
    return by_item, general


@staff_view(reads=READS)
def inspection_detail(request, pk: int):
    """The scoring sheet of an open inspection for whoever may inspect it (POST `action` save / submit / cancel);
    the read-only result otherwise."""
    actor = request.actor
    inspection = get_scoped_or_404(
        Inspection.objects.select_related("project", "version__standard", "inspector", "plan"), actor, pk=pk)
    is_open = inspection.status in services.OPEN_STATUSES
    editable = is_open and services.may_inspect(actor, inspection)
    sheet = services.inspection_sheet(inspection)
    errors_by_item, general, typed, status = {}, [], {}, None
    place = inspection.place
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        action = request.POST.get("action", "save")
        place = request.POST.get("place", "")
        try:
            if action == "cancel":
                services.cancel_inspection(actor, inspection, reason=request.POST.get("reason", ""))
                messages.success(request, _("Inspection cancelled."))
                return redirect("quality:inspection", inspection.pk)
            results, photos, typed = _posted_findings(request, sheet)
            if results or photos:
                services.record_scores(actor, inspection, results, photos)
            if action == "submit":
                typed = {}
                services.submit_inspection(actor, inspection, place=place)
                messages.success(request, _("Inspection submitted."))
            else:
                messages.success(request, _("Saved. You can come back and finish later."))
            return redirect("quality:inspection", inspection.pk)
        except DomainError as error:
            if action == "cancel":
                general = [error.message]
            else:
                errors_by_item, general = _item_errors(error, results, photos)
            status = error.status
            sheet = services.inspection_sheet(inspection)  # what was saved before the refused step
    scored, total = services.progress(inspection)
    failed = [entry for block in sheet for entry in block.items
              if entry.score is not None and entry.score.result == ItemResult.FAIL]
    for block in sheet:
        for entry in block.items:
            entry.errors = errors_by_item.get(entry.item.pk, [])
            values = typed.get(entry.item.pk) or {}
            entry.value_result = values.get("result") or (entry.score.result if entry.score else "")
            entry.value_failures = values.get("failures") or (
                entry.score.failures if entry.score and entry.score.failures else "")
            entry.value_note = values.get("note") if "note" in values else (entry.score.note if entry.score else "")
    return render(request, "quality/inspections/detail.html", {
        "inspection": inspection, "sheet": sheet, "editable": editable, "errors": general, "scored": scored,
        "total": total, "failed": failed, "place": place, "results": ItemResult.choices,
        "department_label": dict(STAFF_ROLES).get(inspection.department, "")}, status=status)


# -- workbench ----------------------------------------------------------------------------------------------------
def inspection_cards(actor, now) -> list[Card]:
    """Inspections due (today's and any left from before) in the actor's projects, for those who inspect."""
    if not actor.may("quality.inspect") or not may_read(actor, READS):
        return []
    count = services.due_inspections(actor, timezone.localdate(now)).count()
    return [Card("quality.inspections.due", _("Inspections due"), count,
                 url=f"{reverse('quality:inspections')}?tab=today", tone="amber" if count else "")]


def inspection_todos(actor, now) -> list[Todo]:
    """The actor's own inspections due: those they are the inspector of, and their department's self-inspections."""
    if not may_read(actor, READS):
        return []
    mine = Q(inspector=actor.user)
    if actor.may("quality.self_inspect") and actor.role:
        mine |= Q(kind=InspectionKind.SELF, department=actor.role)
    rows = services.due_inspections(actor, timezone.localdate(now)).filter(mine).order_by("scheduled_for", "id")
    return [Todo(what=_("Inspect"), title=row.title or row.version.standard.name, due_at=None,
                 url=reverse("quality:inspection", args=[row.pk]),
                 detail=f"{row.project.name} · {row.scheduled_for:%m-%d}") for row in rows[:40]]


urlpatterns = [
    path("console/quality/inspections/", inspection_list, name="inspections"),
    path("console/quality/inspections/new/", inspection_new, name="inspection_new"),
    path("console/quality/inspections/plans/", plan_list, name="inspection_plans"),
    path("console/quality/inspections/plans/<int:pk>/toggle/", plan_toggle, name="inspection_plan_toggle"),
    path("console/quality/inspections/<int:pk>/", inspection_detail, name="inspection"),
]
