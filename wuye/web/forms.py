"""Filter forms of the console lists. Their choices come from the actor's scope, so an id from outside it is
simply not a valid choice (the filter is dropped, nothing leaks).

Every form of the product renders through `FormRenderer` (settings.FORM_RENDERER): a select never offers Django's
"---------" — its empty choice reads as a prompt naming the field ("请选择楼栋"), unless the form set its own
("All buildings")."""

from __future__ import annotations

from datetime import date

from django import forms
from django.forms.boundfield import BoundField
from django.forms.renderers import DjangoTemplates
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wuye.core.access import scoped
from wuye.core.validators import INT64_MAX, check_plausible_date, validate_plausible_date
from wuye.people.search import owner_record_q
from wuye.tenancy.models import Building, Project, UnitKind
from wuye.tenancy.ordering import naturally, unit_order
from wuye.tenancy.search import unit_search_q

DASHES = "---------"  # Django's empty choice (BLANK_CHOICE_DASH, ModelChoiceField.empty_label)


def blank_prompt(field: forms.Field, label) -> str:
    """The empty choice of a select, named after its field: "Choose building" (请选择楼栋), "(optional)" added
    when the field may stay empty."""
    name = str(label or "").strip()
    name = name[:1].lower() + name[1:] if name[:1].isascii() else name
    if field.required:
        return gettext("Choose %(field)s") % {"field": name}
    return gettext("Choose %(field)s (optional)") % {"field": name}


class PromptBoundField(BoundField):
    """A bound field whose select shows a named prompt instead of "---------"."""

    def as_widget(self, widget=None, attrs=None, only_initial=False):
        field = self.field  # the form's own copy: changing it touches no other form
        if getattr(field, "empty_label", None) == DASHES:
            field.empty_label = blank_prompt(field, self.label)
        elif isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
            choices = list(field.choices)
            if any(label == DASHES for _value, label in choices):
                field.choices = [(value, blank_prompt(field, self.label) if label == DASHES else label)
                                 for value, label in choices]
        return super().as_widget(widget, attrs, only_initial)


class FormRenderer(DjangoTemplates):
    """The product's form renderer: Django's templates, with `PromptBoundField`."""

    bound_field_class = PromptBoundField


class ScopedFilterForm(forms.Form):
    project = forms.ModelChoiceField(queryset=Project.objects.none(), required=False, empty_label=_("All projects"))
    q = forms.CharField(required=False, max_length=50)

    def __init__(self, data, *, actor):
        super().__init__(data)
        self.actor = actor
        self.fields["project"].queryset = scoped(Project.objects.all(), actor).only("id", "name")

    @property
    def is_filtered(self) -> bool:
        return any(self.data.get(name) for name in self.fields)


class UnitFilterForm(ScopedFilterForm):
    building = forms.ModelChoiceField(queryset=Building.objects.none(), required=False,
                                      empty_label=_("All buildings"))
    kind = forms.ChoiceField(choices=[("", _("All types")), *UnitKind.choices], required=False)
    field_order = ["project", "building", "kind", "q"]

    def __init__(self, data, *, actor):
        super().__init__(data, actor=actor)
        self.fields["q"].widget.attrs.update(placeholder=_("Unit number, e.g. 1-101"))
        # Buildings are offered for the chosen project only (or the only project in scope).
        project_id = self.data.get("project") or ""
        projects = self.fields["project"].queryset
        buildings = scoped(Building.objects.all(), actor).only("id", "number", "name", "project_id")
        if project_id.isdigit() and int(project_id) <= INT64_MAX:
            buildings = buildings.filter(project_id=int(project_id))
        elif len(ids := list(projects.values_list("id", flat=True)[:2])) == 1:
            buildings = buildings.filter(project_id=ids[0])
        else:
            buildings = buildings.none()
        self.fields["building"].queryset = naturally(buildings)

    def filter(self, units):
        self.is_valid()
        data = self.cleaned_data  # the valid filters only: a stale or foreign id drops just that filter
        if data.get("project"):
            units = units.filter(project=data["project"])
        if data.get("building"):
            units = units.filter(building=data["building"])
        if data.get("kind"):
            units = units.filter(kind=data["kind"])
        if query := (data.get("q") or "").strip():
            units = units.filter(unit_search_q(query))  # "3-1201", "3号楼1单元1201", "1201", "A座"…
        return units.order_by(*unit_order())  # 2号楼 before 10号楼


class ResidentFilterForm(ScopedFilterForm):
    field_order = ["project", "q"]

    def __init__(self, data, *, actor):
        super().__init__(data, actor=actor)
        self.fields["q"].widget.attrs.update(placeholder=_("Name, full phone number or unit (e.g. 1-101)"))

    def filter(self, residents):
        self.is_valid()
        data = self.cleaned_data
        if data.get("project"):
            residents = residents.filter(project=data["project"])
        if query := (data.get("q") or "").strip():
            residents = residents.filter(owner_record_q(query))
        return residents


class DatePicker(forms.DateInput):
    """The browser's date picker. Its value must be ISO (YYYY-MM-DD) whatever the page language, or it shows empty."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class PlausibleDateField(forms.DateField):
    """A date a person can mean (`core.validators.date_window`: year 1 or 9999 is refused naming the field), picked
    with the browser's date picker. Every date field of the console forms is one of these."""

    widget = DatePicker
    default_validators = [validate_plausible_date]


def date_param(value: str | None, default: date) -> date:
    """A day given in a page's query string (`?date=2026-12-01`): `default` when it is missing, not a date or
    outside `core.validators.date_window` — a link typed by hand shows the default page, never a 500."""
    try:
        return check_plausible_date(date.fromisoformat(value)) if value else default
    except ValueError:
        return default


def show_problems(form: forms.Form, error, fields: dict[str, str] | None = None) -> None:
    """Put a service's refusal (a DomainError) on `form`: each problem on the form field it names — through
    `fields` when the service's name differs (its API name) — anything else on top of the form."""
    fields = fields or {}
    if not error.problems:
        form.add_error(None, error.message)
        return
    for problem in error.problems:
        name = fields.get(problem.field, problem.field)
        form.add_error(name if name in form.fields and name not in form.errors else None, problem.message)
