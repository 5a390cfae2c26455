"""Console pages of onboarding: a new project (company administrators), and a project's onboarding page with the
three uploads (units, owners, vehicles), their templates and reports. Thin: forms parse, services decide."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wuye.core.access import get_scoped_or_404
from wuye.core.downloads import attachment, download_name
from wuye.core.errors import DomainError
from wuye.core.workbooks import XLSX
from wuye.tenancy.models import Company, Project, ServiceLevel
from wuye.web.forms import show_problems
from wuye.web.guards import staff_view

from . import services

app_name = "onboarding"


class ProjectForm(forms.Form):
    code = forms.SlugField(label=gettext_lazy("Short code"), max_length=32,
                           help_text=gettext_lazy("Letters, digits and dashes, e.g. lanting."))
    short_code = forms.CharField(label=gettext_lazy("Number prefix"), max_length=6, required=False,
                                 help_text=gettext_lazy("2 to 6 capital letters or digits printed before receipt "
                                                        "and notice numbers, e.g. JH; empty: from the code."))
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    address = forms.CharField(label=gettext_lazy("Address"), max_length=200, required=False)
    phone = forms.CharField(label=gettext_lazy("Service phone"), max_length=20, required=False)
    service_level = forms.ChoiceField(label=gettext_lazy("Service level"), required=False,
                                      choices=[("", "—"), *ServiceLevel.choices])
    service_standard = forms.ChoiceField(label=gettext_lazy("Service standard"))
    company = forms.ModelChoiceField(label=gettext_lazy("Company"), queryset=Company.objects.all(), required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_standard"].choices = [(s.code, s.name) for s in services.standards()]
        if actor.company_id:  # staff create projects in their own company; only a superuser chooses one
            del self.fields["company"]


class UploadForm(forms.Form):
    kind = forms.ChoiceField(choices=[(kind, kind) for kind in services.KINDS], widget=forms.HiddenInput)
    file = forms.FileField(label=gettext_lazy("Excel file (.xlsx)"))


@staff_view("tenancy.manage_projects")
def project_new(request):
    actor = request.actor
    form = ProjectForm(request.POST or None, actor=actor)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        company = data.pop("company", None) or Company.objects.filter(pk=actor.company_id).first()
        if company is None:
            form.add_error("company", _("Choose the company."))
        else:
            try:
                project = services.create_project(actor, company=company, **data)
            except DomainError as error:
                show_problems(form, error)
            else:
                return redirect("onboarding:project", project_id=project.pk)
    return render(request, "onboarding/project_new.html", {"form": form},
                  status=422 if request.method == "POST" else 200)


SHEET_TITLES = {"units": gettext_lazy("Buildings and units"), "owners": gettext_lazy("Owners and residents"),
                "vehicles": gettext_lazy("Vehicles"), "meters": gettext_lazy("Meters")}


@staff_view()
def project(request, project_id):
    actor = request.actor
    # The sheets this person may import, each under its own permission as in the API (customer service: owners
    # and vehicles; the order department: vehicles; the manager and administration: all three).
    kinds = [kind for kind in services.KINDS if actor.may(services.SHEETS[kind][5])]
    if not kinds:
        raise PermissionDenied
    chosen = get_scoped_or_404(Project.objects.all(), actor, pk=project_id)
    report, failed, status = None, None, 200
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                report = services.import_sheet(actor, chosen, form.cleaned_data["kind"], form.cleaned_data["file"])
            except DomainError as error:
                show_problems(form, error)
        if report is None or report.errors:
            status, failed = 422, form
    sheets = []
    for kind in kinds:
        columns, required = services.SHEETS[kind][:2]
        sheets.append({
            "kind": kind, "title": SHEET_TITLES[kind], "columns": columns, "required": required,
            "form": failed if failed is not None and request.POST.get("kind") == kind
            else UploadForm(initial={"kind": kind}),
            "report": report if report is not None and report.kind == kind else None,
        })
    return render(request, "onboarding/project.html", {
        "project": chosen, "sheets": sheets, "standard": services.standard_code(chosen),
        "max_rows": f"{services.LIMITS.max_rows:,}",
    }, status=status)


@staff_view()
def sheet_template(request, kind):
    if kind not in services.KINDS:
        raise Http404
    response = HttpResponse(services.sheet_template(kind), content_type=XLSX)
    return attachment(response, download_name(services.SHEETS[kind][3], "导入模板", ext="xlsx"))


urlpatterns = [
    path("console/projects/new/", project_new, name="project_new"),
    path("console/projects/<int:project_id>/onboarding/", project, name="project"),
    path("console/onboarding/templates/<slug:kind>.xlsx", sheet_template, name="template"),
]
