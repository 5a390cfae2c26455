"""Quality console pages: the standards library (list, a standard with any of its versions, the editor that saves
a new version, the Excel import with its row-by-row report, the export) and the service packages (which level
each project is on). The quality department edits; every other staff member of the company reads."""

from __future__ import annotations

import re

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wuye.core.access import STAFF_ROLES, Role, scoped
from wuye.core.downloads import attachment, download_name
from wuye.core.errors import DomainError
from wuye.core.workbooks import XLSX
from wuye.tenancy.models import Company, Project, ServiceLevel
from wuye.web.forms import show_problems
from wuye.web.guards import staff_view

from .. import standards as library
from .. import standards_io
from ..models import Severity, StandardPurpose

READS = "quality.standards"
MAX_ROWS = 200  # rows the editor shows and accepts at once
BLANK_ROWS = 5


def _may_edit(actor) -> bool:
    return actor.may(library.MANAGE)


def _version_number(request) -> int | None:
    raw = request.GET.get("version", "")
    if raw.isdigit() and len(raw) < 7:
        return int(raw)
    return None


# -- the library ---------------------------------------------------------------------------------------------------
@staff_view(reads=READS)
def standard_list(request):
    """Every standard of the library with its current version and item count, and the service packages."""
    standards = library.visible_standards(request.actor).order_by("-is_active", "purpose", "code")
    return render(request, "quality/standards/list.html", {
        "standards": standards, "may_edit": _may_edit(request.actor),
        "packages": library.visible_packages(request.actor)})


@staff_view(reads=READS)
def standard_detail(request, pk: int):
    """One standard: the chosen version (the current one unless ?version=N) by category, and every version."""
    standard = library.visible_standard_or_404(request.actor, pk)
    version = library.version_of(standard, _version_number(request))
    return render(request, "quality/standards/detail.html", {
        "standard": standard, "version": version, "versions": library.versions_of(standard),
        "totals": library.version_totals(version), "is_current": version.number == standard.current_number,
        "may_edit": _may_edit(request.actor)})


@staff_view(reads=READS)
def standard_export(request, pk: int):
    """The version as .xlsx, in the import's layout."""
    standard = library.visible_standard_or_404(request.actor, pk)
    version = library.version_of(standard, _version_number(request))
    response = HttpResponse(standards_io.export_version(version), content_type=XLSX)
    return attachment(response, download_name(standard.name, f"v{version.number}", ext="xlsx"))


# -- the editor ----------------------------------------------------------------------------------------------------
DEPARTMENT_CHOICES = [(role.value, role.label) for role in Role if role in STAFF_ROLES]


class HeaderForm(forms.Form):
    code = forms.SlugField(label=gettext_lazy("Code"), max_length=40,
                           help_text=gettext_lazy("Letters, digits and hyphens, e.g. lobby-check."))
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    purpose = forms.ChoiceField(label=gettext_lazy("Purpose"), choices=StandardPurpose.choices)


class NoteForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("What changed"), max_length=200, required=False)


class ItemRowForm(forms.Form):
    category = forms.CharField(label=gettext_lazy("Category"), max_length=100, required=False)
    text = forms.CharField(label=gettext_lazy("Requirement"), max_length=library.MAX_TEXT, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
    points = forms.DecimalField(label=gettext_lazy("Points"), max_digits=6, decimal_places=2, required=False,
                                min_value=0)
    deduction = forms.DecimalField(label=gettext_lazy("Deduction per failure"), max_digits=6, decimal_places=2,
                                   required=False, min_value=0)
    critical = forms.BooleanField(label=gettext_lazy("Critical (fails the whole check)"), required=False)
    severity = forms.ChoiceField(label=gettext_lazy("Severity"), choices=Severity.choices, initial=Severity.MINOR)
    department = forms.ChoiceField(label=gettext_lazy("Responsible department"), choices=DEPARTMENT_CHOICES,
                                   initial=Role.CUSTOMER_SERVICE)

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not (data.get("text") or "").strip() and not (data.get("category") or "").strip() \
            and data.get("points") is None


ItemRows = forms.formset_factory(ItemRowForm, extra=0, max_num=MAX_ROWS, validate_max=True,
                                 absolute_max=MAX_ROWS)


def _rows_from(version) -> list[dict]:
    rows = []
    for category in library.version_as_input(version):
        for item in category["items"]:
            rows.append({"category": category["name"], "text": item["text"], "points": item["points"],
                         "deduction": item["deduction"], "critical": item["critical"], "severity": item["severity"],
                         "department": item["department"]})
    return rows


def _categories_from(rows) -> tuple[list[dict], dict[tuple[int, int], int]]:
    """The rows grouped into categories in order of first appearance (items numbered in row order), and where
    each (category, item) came from, to put the service's problems back on their rows."""
    categories: dict[str, dict] = {}
    origin: dict[tuple[int, int], int] = {}
    for index, form in enumerate(rows):
        if form.is_blank():
            continue
        data = form.cleaned_data
        name = (data.get("category") or "").strip()
        if name not in categories:
            categories[name] = {"name": name, "items": []}
        category = categories[name]
        origin[(list(categories).index(name), len(category["items"]))] = index
        category["items"].append({"text": data.get("text") or "", "points": data.get("points"),
                                  "deduction": data["deduction"] if data.get("deduction") is not None else "1",
                                  "critical": data.get("critical", False), "severity": data.get("severity"),
                                  "department": data.get("department")})
    return list(categories.values()), origin


ROW_FIELDS = {"name": "category", "text": "text", "points": "points", "deduction": "deduction",
              "critical": "critical", "severity": "severity", "department": "department", "items": "text"}


ROW_PROBLEM = re.compile(r"categories\[(\d+)\](?:\.items\[(\d+)\])?\.(\w+)")


def _show_problems(error: DomainError, header, note, rows, origin) -> None:
    """Each of the service's problems on the field it names: the header's own fields, or the editor row a
    `categories[c].items[i].x` came from; anything else on top of the form."""
    left = []
    for problem in error.problems:
        match = ROW_PROBLEM.fullmatch(problem.field)
        row = origin.get((int(match[1]), int(match[2] or 0))) if match else None
        if header is not None and problem.field in header.fields:
            header.add_error(problem.field, problem.message)
        elif row is not None:
            rows.forms[row].add_error(ROW_FIELDS.get(match[3]), problem.message)
        else:
            left.append(problem.message)
    if left or not error.problems:
        note.add_error(None, "; ".join(left) or error.message)


def _editor(request, *, standard=None):
    actor = request.actor
    if not _may_edit(actor):
        raise PermissionDenied
    current = library.current_version(standard) if standard is not None else None
    header = HeaderForm(request.POST or None, prefix="h") if standard is None else None
    note = NoteForm(request.POST or None, prefix="n")
    if request.method == "POST":
        rows = ItemRows(request.POST, prefix="rows")
    else:
        initial = _rows_from(current) if current is not None else []
        rows = ItemRows(prefix="rows", initial=initial + [{} for _blank in range(BLANK_ROWS)])
        rows.extra = 0
    status = 200
    if request.method == "POST":
        valid = rows.is_valid() & note.is_valid() & (header.is_valid() if header is not None else True)
        if valid:
            categories, origin = _categories_from(rows)
            company = Company.objects.filter(pk=actor.company_id).first()
            try:
                if standard is None:
                    data = header.cleaned_data
                    written = library.create_standard(actor, company, code=data["code"], name=data["name"],
                                                      purpose=data["purpose"], categories=categories,
                                                      note=note.cleaned_data["note"])
                    messages.success(request, _("Standard %(name)s saved.") % {"name": written.name})
                else:
                    version = library.revise_standard(actor, standard, categories=categories,
                                                      note=note.cleaned_data["note"])
                    written = standard
                    messages.success(request, _("Version %(number)s saved; earlier versions stay as they were.")
                                     % {"number": version.number})
                return redirect("quality:standard", pk=written.pk)
            except DomainError as error:
                _show_problems(error, header, note, rows, origin)
        status = 422
    return render(request, "quality/standards/edit.html", {
        "standard": standard, "current": current, "header": header, "note": note, "rows": rows,
        "max_rows": MAX_ROWS}, status=status)


@staff_view(library.MANAGE)
def standard_new(request):
    """A new standard written in the editor."""
    return _editor(request)


@staff_view(library.MANAGE)
def standard_edit(request, pk: int):
    """The editor starts from the current version; saving writes the next version."""
    return _editor(request, standard=library.visible_standard_or_404(request.actor, pk))


# -- Excel import --------------------------------------------------------------------------------------------------
class ImportForm(forms.Form):
    standard = forms.ModelChoiceField(label=gettext_lazy("Standard to revise"), queryset=None, required=False,
                                      empty_label=gettext_lazy("A new standard"))
    code = forms.SlugField(label=gettext_lazy("Code of a new standard"), max_length=40, required=False)
    name = forms.CharField(label=gettext_lazy("Name of a new standard"), max_length=100, required=False)
    purpose = forms.ChoiceField(label=gettext_lazy("Purpose"), choices=StandardPurpose.choices)
    note = forms.CharField(label=gettext_lazy("What changed"), max_length=200, required=False)
    file = forms.FileField(label=gettext_lazy("Excel workbook (.xlsx)"))

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["standard"].queryset = library.visible_standards(actor).order_by("code")


@staff_view(library.MANAGE)
def standard_import(request):
    """Upload a sheet as a new standard or a new version: the error report by row and column (nothing written),
    or the standard written."""
    actor = request.actor
    initial = {}
    if (raw := request.GET.get("standard", "")).isdigit() and len(raw) < 12:
        initial["standard"] = raw
    form = ImportForm(request.POST or None, request.FILES or None, actor=actor, initial=initial)
    report, status = None, 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            company = Company.objects.filter(pk=actor.company_id).first()
            try:
                report, written = standards_io.import_standard(
                    actor, data["file"], company=company, standard=data["standard"], code=data["code"],
                    name=data["name"], purpose=data["purpose"], note=data["note"])
            except DomainError as error:
                show_problems(form, error)
            else:
                if report.ok:
                    messages.success(request, _("%(count)s items imported.") % {"count": report.created})
                    return redirect("quality:standard", pk=written.pk)
    return render(request, "quality/standards/import.html", {
        "form": form, "report": report, "columns": standards_io.COLUMNS}, status=status)


# -- service packages ----------------------------------------------------------------------------------------------
class AssignForm(forms.Form):
    project = forms.ModelChoiceField(label=gettext_lazy("Project"), queryset=None)
    level = forms.ChoiceField(label=gettext_lazy("Service level"), choices=ServiceLevel.choices)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = scoped(Project.objects.all(), actor)


@staff_view(reads=READS)
def packages(request):
    """The three service levels (what each promises: time limits and standards) and the level of every project."""
    actor = request.actor
    found = list(library.visible_packages(actor))
    by_level = {package.level: package for package in found}
    projects = scoped(Project.objects.select_related("sla_standard__standard"), actor).order_by("name")
    rows = [{"project": project, "level": project.get_service_level_display() if project.service_level else "",
             "package": by_level.get(project.service_level),
             "follows": getattr(getattr(project, "sla_standard", None), "standard", None),
             "form": AssignForm(actor=actor, auto_id=False,
                                initial={"project": project.pk, "level": project.service_level})
             if _may_edit(actor) else None}
            for project in projects]
    return render(request, "quality/standards/packages.html", {
        "packages": found, "rows": rows, "may_edit": _may_edit(actor)})


@staff_view(library.MANAGE)
def package_assign(request):
    """Put a project on a service level (POST): its level and its time limits change."""
    if request.method != "POST":
        raise Http404
    form = AssignForm(request.POST, actor=request.actor)
    if form.is_valid():
        try:
            package = library.assign_package(request.actor, form.cleaned_data["project"], form.cleaned_data["level"])
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("%(project)s is now on %(package)s.")
                             % {"project": form.cleaned_data["project"].name, "package": package.name})
    else:
        messages.error(request, _("Choose a project and a service level."))
    return redirect(reverse("quality:packages"))


urlpatterns = [
    path("console/quality/standards/", standard_list, name="standards"),
    path("console/quality/standards/new/", standard_new, name="standard_new"),
    path("console/quality/standards/import/", standard_import, name="standard_import"),
    path("console/quality/standards/<int:pk>/", standard_detail, name="standard"),
    path("console/quality/standards/<int:pk>/edit/", standard_edit, name="standard_edit"),
    path("console/quality/standards/<int:pk>/export/", standard_export, name="standard_export"),
    path("console/quality/packages/", packages, name="packages"),
    path("console/quality/packages/assign/", package_assign, name="package_assign"),
]
