"""Facilities console pages: QR labels and the register in Excel.

`facilities:labels` prints the label sheet of the register's current filters; `facilities:scan` is where a label's
QR code lands (a phone not signed in signs in and comes back; an item outside the viewer's projects is a 404);
`facilities:equipment_export` / `equipment_template` / `equipment_import` are the register's Excel round trip with
the row-by-row report."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext_lazy

from wuye.core.access import get_scoped_or_404, scoped
from wuye.core.downloads import attachment, download_name
from wuye.core.errors import DomainError, InvalidInput
from wuye.core.validators import digits
from wuye.core.workbooks import XLSX
from wuye.tenancy.models import Project
from wuye.web.forms import show_problems
from wuye.web.guards import staff_view

from .. import labels, register_io
from ..models import Equipment

READS = "facilities.equipment"
FILTERS = ("project", "category", "building", "status", "q")


def _register_url() -> str:
    """The register's list (another stream's page): the home page until it exists."""
    for name in ("facilities:equipment_list", "facilities:home"):
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return "/console/"


def _filters(request) -> dict:
    return {name: request.GET.get(name) for name in FILTERS}


def _project_name(request, items) -> str:
    """The project the file is about: the filter's, or the one project all the items are of."""
    raw = request.GET.get("project", "")
    if digits(raw) and len(raw) <= 12:
        project = scoped(Project.objects.filter(pk=int(raw)), request.actor).first()
        return project.name if project else ""
    names = {item.project.name for item in items} if isinstance(items, list) else set()
    return names.pop() if len(names) == 1 else ""


@staff_view(reads=READS)
def label_sheet(request):
    """The A4 label sheet (PDF) of the items the register's filters select (?project=&category=&building=…).
    Whoever reads the register may print it: a label shows what the register shows, and its QR code opens the
    item only for staff of its project."""
    try:
        items = labels.bounded(labels.filtered_equipment(request.actor, **_filters(request)))
        content = labels.label_sheet_pdf(items, base_url=request.build_absolute_uri("/"))
    except InvalidInput as error:
        messages.error(request, error.problems[0].message if error.problems else error.message)
        return redirect(_register_url())
    response = HttpResponse(content, content_type="application/pdf")
    return attachment(response, download_name("设备标签", _project_name(request, items), ext="pdf"))


@staff_view(reads=READS)
def scan(request, token):
    """Where a label's QR code lands: the item's page (404 for an item outside the viewer's projects)."""
    item = get_scoped_or_404(Equipment.objects.all(), request.actor, label_token=token)
    return redirect(item.get_absolute_url())


@staff_view(reads=READS)
def equipment_export(request):
    """The register (with the list's filters) as .xlsx, in the import's layout."""
    try:
        items = labels.filtered_equipment(request.actor, **_filters(request))
    except InvalidInput as error:
        messages.error(request, error.problems[0].message if error.problems else error.message)
        return redirect(_register_url())
    response = HttpResponse(register_io.export_register(items), content_type=XLSX)
    return attachment(response, download_name("设备台账", _project_name(request, None), ext="xlsx"))


@staff_view("facilities.manage_register", reads=READS)
def equipment_template(request):
    """An empty register sheet with one example row."""
    response = HttpResponse(register_io.blank_template(), content_type=XLSX)
    return attachment(response, download_name("设备台账模板", ext="xlsx"))


class RegisterImportForm(forms.Form):
    project = forms.ModelChoiceField(label=gettext_lazy("Project"), queryset=Project.objects.none())
    file = forms.FileField(label=gettext_lazy("Excel workbook (.xlsx)"))

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = scoped(Project.objects.filter(is_active=True), actor).order_by("name")


@staff_view("facilities.manage_register", reads=READS)
def equipment_import(request):
    """Upload the register as .xlsx: created / updated / unchanged, or every error by row and column with
    nothing written."""
    actor = request.actor
    form = RegisterImportForm(request.POST or None, request.FILES or None, actor=actor)
    projects = form.fields["project"].queryset
    if not form.is_bound and projects.count() == 1:
        form.initial["project"] = projects.first()
    report, status = None, 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                report = register_io.import_register(actor, project=form.cleaned_data["project"],
                                                     upload=form.cleaned_data["file"])
            except DomainError as error:
                show_problems(form, error)
            else:
                if report.ok:
                    messages.success(request, register_io.report_summary(report))
                    return redirect(request.path)
    return render(request, "facilities/labels/import.html", {
        "form": form, "report": report, "columns": register_io.COLUMNS, "required": register_io.REQUIRED,
        "register_url": _register_url(), "max_rows": f"{register_io.LIMITS.max_rows:,}"}, status=status)


urlpatterns = [
    path("console/facilities/equipment/labels/", label_sheet, name="labels"),
    path("console/facilities/equipment/export/", equipment_export, name="equipment_export"),
    path("console/facilities/equipment/template/", equipment_template, name="equipment_template"),
    path("console/facilities/equipment/import/", equipment_import, name="equipment_import"),
    path("console/facilities/e/<uuid:token>/", scan, name="scan"),
]
