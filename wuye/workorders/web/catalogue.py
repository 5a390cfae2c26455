"""The catalogue pages of the work-order console: the category tree (customer service), the paid-service price list
with its Excel export and import, and the warranty terms (engineering). Lists for every staff member; the forms
call `catalogue`'s service functions, which check the editor's permission and record each change."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from wuye.core.access import get_scoped_or_404, resources, scoped
from wuye.core.downloads import attachment, download_name
from wuye.core.errors import DomainError
from wuye.people.models import DEPARTMENTS
from wuye.tenancy.models import Building, Project
from wuye.tenancy.ordering import naturally
from wuye.web.forms import PlausibleDateField
from wuye.web.guards import staff_view
from wuye.web.paging import paginate

from .. import catalogue
from ..forms import show_problems
from ..models import Category, Kind, PriceItem, WarrantyTerm
from .common import project_param

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _may_write(actor, resource_name: str) -> bool:
    return all(actor.may(permission) for permission in resources()[resource_name].write)


def _projects(actor):
    return scoped(Project.objects.active(), actor).only("id", "name", "code").order_by("id")


class ProjectChoice(forms.ModelChoiceField):
    def label_from_instance(self, project):
        return project.name


class CatalogueForm(forms.Form):
    """The project is chosen once, for a new record; the service checks every field and names the wrong ones."""

    SERVICE_FIELDS: dict[str, str] = {}

    def __init__(self, data=None, *, actor, project=None, instance=None, initial=None):
        super().__init__(data, initial=initial)
        self.actor, self.instance = actor, instance
        self.project = instance.project if instance is not None else project
        if instance is None:
            projects = _projects(actor)
            self.fields = {"project": ProjectChoice(projects, label=_("Project"), initial=project), **self.fields}
            if projects.count() == 1:
                self.fields["project"].initial = projects.first()

    def chosen_project(self):
        return self.instance.project if self.instance is not None else self.cleaned_data["project"]


class CategoryForm(CatalogueForm):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=Kind.choices)
    parent = forms.ModelChoiceField(Category.objects.none(), required=False, label=gettext_lazy("Parent category"),
                                    empty_label=gettext_lazy("None (a top-level category)"),
                                    help_text=gettext_lazy("Empty: a top-level category."))
    code = forms.CharField(label=gettext_lazy("Code"), max_length=40)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=50)
    responsible_role = forms.ChoiceField(label=gettext_lazy("Responsible department"), required=False)
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)
    SERVICE_FIELDS = {"parent_id": "parent"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        parents = scoped(Category.objects.filter(parent__isnull=True), self.actor).select_related("project")
        if self.project is not None:
            parents = parents.filter(project=self.project)
        if self.instance is not None:
            self.fields["kind"].disabled = True  # a category keeps its kind
            parents = parents.filter(kind=self.instance.kind).exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents.order_by("project_id", "kind", "code")
        self.fields["parent"].label_from_instance = lambda c: f"{c.get_kind_display()} · {c.name}"
        self.fields["responsible_role"].choices = [("", "—")] + [
            (role.value, label) for role, label in DEPARTMENTS.items() if role.value in catalogue.DEPARTMENT_ROLES]

    def values(self) -> dict:
        data = self.cleaned_data
        values = {name: data[name] for name in ("parent", "code", "name", "responsible_role", "is_active")}
        if self.instance is None:
            values["kind"] = data["kind"]
        return values


class PriceItemForm(CatalogueForm):
    code = forms.CharField(label=gettext_lazy("Code"), max_length=40)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    unit_name = forms.CharField(label=gettext_lazy("Per"), max_length=10, initial="次")
    price = forms.CharField(label=gettext_lazy("Price (yuan)"), max_length=12)
    is_labour = forms.BooleanField(label=gettext_lazy("Labour"), required=False)
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in catalogue.PRICE_FIELDS}


class WarrantyTermForm(CatalogueForm):
    category = forms.ModelChoiceField(Category.objects.none(), label=gettext_lazy("System (repair category)"))
    building = forms.ModelChoiceField(Building.objects.none(), required=False, label=gettext_lazy("Building"),
                                      empty_label=gettext_lazy("Every building"),
                                      help_text=gettext_lazy("Empty: every building of the project."))
    until = PlausibleDateField(label=gettext_lazy("Warranty until"))
    contractor = forms.CharField(label=gettext_lazy("Contractor"), max_length=100)
    contractor_phone = forms.CharField(label=gettext_lazy("Contractor phone"), max_length=20, required=False)
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)
    SERVICE_FIELDS = {"category_id": "category", "building_id": "building"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        categories = scoped(Category.objects.filter(kind=Kind.REPAIR, is_active=True), self.actor)
        buildings = scoped(Building.objects.all(), self.actor)
        if self.project is not None:
            categories, buildings = categories.filter(project=self.project), buildings.filter(project=self.project)
        self.fields["category"].queryset = categories.select_related("parent").order_by("project_id", "code")
        self.fields["building"].queryset = naturally(buildings)

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in catalogue.WARRANTY_FIELDS}


class PriceImportForm(forms.Form):
    project = ProjectChoice(Project.objects.none(), label=gettext_lazy("Project"))
    file = forms.FileField(label=gettext_lazy("Price list (.xlsx)"))

    def __init__(self, data=None, files=None, *, actor, project=None):
        super().__init__(data, files, initial={"project": project})
        self.fields["project"].queryset = _projects(actor)


# name: (resource, model, form, create, update, list template title)
KINDS = {
    "categories": ("workorders.categories", Category, CategoryForm, catalogue.create_category,
                   catalogue.update_category, gettext_lazy("Categories")),
    "price_list": ("workorders.price_list", PriceItem, PriceItemForm, catalogue.create_price_item,
                   catalogue.update_price_item, gettext_lazy("Paid-service price list")),
    "warranty_terms": ("workorders.warranty_terms", WarrantyTerm, WarrantyTermForm, catalogue.create_warranty_term,
                       catalogue.update_warranty_term, gettext_lazy("Warranty terms")),
}


def _listing(request, name: str, rows, **extra):
    resource_name = KINDS[name][0]
    project = project_param(request)
    if project is not None:
        rows = rows.filter(project=project)
    return render(request, "workorders/catalogue.html", {
        "tab": name, "title": KINDS[name][5], "page": paginate(request, rows, per_page=100), "project": project,
        "projects": _projects(request.actor), "may_write": _may_write(request.actor, resource_name), **extra})


@staff_view(reads="workorders.categories")
def categories(request):
    rows = scoped(Category.objects.select_related("project", "parent"), request.actor)
    kind = request.GET.get("kind", "")
    if kind in Kind.values:
        rows = rows.filter(kind=kind)
    # Each parent followed by its children: ordered by the top-level code, then parents first.
    rows = rows.order_by("project_id", "kind", "parent__code", "parent_id", "code")
    return _listing(request, "categories", rows, kinds=Kind.choices, kind=kind)


@staff_view(reads="workorders.price_list")
def price_list(request):
    if request.GET.get("format") == "xlsx":
        project = project_param(request) or _projects(request.actor).first()
        if project is None:
            raise PermissionDenied
        response = HttpResponse(catalogue.price_list_workbook(project), content_type=XLSX)
        return attachment(response, download_name("有偿服务收费标准", project.name, ext="xlsx"))
    rows = scoped(PriceItem.objects.select_related("project"), request.actor).order_by("project_id", "code")
    return _listing(request, "price_list", rows,
                    import_form=PriceImportForm(actor=request.actor, project=project_param(request)))


@staff_view(reads="workorders.warranty_terms")
def warranty_terms(request):
    rows = scoped(WarrantyTerm.objects.select_related("project", "category__parent", "building"), request.actor)
    return _listing(request, "warranty_terms", rows.order_by("project_id", "category__code", "building_id", "id"))


def _edit(request, name: str, pk: int | None = None):
    """The create / edit form of one catalogue record (GET shows it, POST saves through the service)."""
    resource_name, model, form_class, create, update, title = KINDS[name]
    actor = request.actor
    if not _may_write(actor, resource_name):
        raise PermissionDenied
    instance = get_scoped_or_404(model.objects.select_related("project"), actor, pk=pk) if pk else None
    initial = None
    if instance is not None:
        initial = {field: getattr(instance, field) for field in form_class.base_fields}
    form = form_class(request.POST if request.method == "POST" else None, actor=actor,
                      project=project_param(request), instance=instance, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                if instance is None:
                    saved = create(actor, form.chosen_project(), **form.values())
                else:
                    saved = update(actor, instance, **form.values())
            except DomainError as error:
                show_problems(form, error, form.SERVICE_FIELDS)
                status = error.status
            else:
                messages.success(request, _("Saved: %(record)s") % {"record": saved})
                return redirect(f"{reverse(f'workorders:{name}')}?project={saved.project_id}")
    return render(request, "workorders/catalogue_form.html", {
        "tab": name, "title": title, "form": form, "instance": instance,
        "back": reverse(f"workorders:{name}")}, status=status)


@staff_view("workorders.manage_categories")
def category_edit(request, pk=None):
    return _edit(request, "categories", pk)


@staff_view("workorders.manage_price_list")
def price_item_edit(request, pk=None):
    return _edit(request, "price_list", pk)


@staff_view("workorders.manage_warranty_terms")
def warranty_term_edit(request, pk=None):
    return _edit(request, "warranty_terms", pk)


@require_POST
@staff_view("workorders.manage_price_list")
def price_list_import(request):
    """Upload the price list: all or nothing; the page shows every bad row by row and column."""
    actor = request.actor
    form = PriceImportForm(request.POST, request.FILES, actor=actor)
    report, status = None, 422
    if form.is_valid():
        project = form.cleaned_data["project"]
        try:
            report = catalogue.import_price_list(actor, project, form.cleaned_data["file"])
        except DomainError as error:
            show_problems(form, error)
            status = error.status
        else:
            if report.ok:
                messages.success(request, _("Price list imported: %(created)s added, %(changed)s changed, "
                                            "%(unchanged)s unchanged.") % {
                    "created": report.created, "changed": report.changed, "unchanged": report.unchanged})
                return redirect(f"{reverse('workorders:price_list')}?project={project.pk}")
    rows = scoped(PriceItem.objects.select_related("project"), actor).order_by("project_id", "code")
    response = _listing(request, "price_list", rows, import_form=form, report=report)
    response.status_code = status
    return response


urlpatterns = [
    path("console/catalogue/categories/", categories, name="categories"),
    path("console/catalogue/categories/new/", category_edit, name="category_new"),
    path("console/catalogue/categories/<int:pk>/", category_edit, name="category_edit"),
    path("console/catalogue/price-list/", price_list, name="price_list"),
    path("console/catalogue/price-list/new/", price_item_edit, name="price_item_new"),
    path("console/catalogue/price-list/<int:pk>/", price_item_edit, name="price_item_edit"),
    path("console/catalogue/price-list/import/", price_list_import, name="price_list_import"),
    path("console/catalogue/warranty-terms/", warranty_terms, name="warranty_terms"),
    path("console/catalogue/warranty-terms/new/", warranty_term_edit, name="warranty_term_new"),
    path("console/catalogue/warranty-terms/<int:pk>/", warranty_term_edit, name="warranty_term_edit"),
]
