"""Master data of fees in the console (基础资料): charge items with their tariffs, the meter register, parking
spaces and monthly passes — lists with filters (htmx), create and edit forms for finance, the project manager and
the company administrator, each record's history, and the Excel import/export of the lists a company keeps.
Every write goes through `billing.master` (the same checks and events as the API)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Q, Subquery
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wuye.core.access import get_scoped_or_404, may_read, scoped
from wuye.core.downloads import attachment, download_name
from wuye.core.errors import DomainError
from wuye.core.templatetags.timeline import register_event_labels
from wuye.core.workbooks import XLSX
from wuye.tenancy.models import Building, Project, UnitKind
from wuye.tenancy.ordering import naturally
from wuye.web.forms import PlausibleDateField, ScopedFilterForm, show_problems
from wuye.web.guards import staff_view
from wuye.web.htmx import render_page
from wuye.web.paging import paginate

from .. import master, master_io
from ..master_io import EXPORT_NAMES
from ..models import (
    Basis,
    ChargeItem,
    ChargeKind,
    Meter,
    MeterKind,
    ParkingPass,
    ParkingSpace,
    ParkingSpaceKind,
    SharingMethod,
    Tariff,
)

# Names of the fields a change event lists (what changed, before → after).
FIELD_NAMES = {"name": gettext_lazy("name"), "is_active": gettext_lazy("active"), "rate": gettext_lazy("rate"),
               "basis": gettext_lazy("basis"), "effective_from": gettext_lazy("effective from"),
               "label": gettext_lazy("name"), "zone": gettext_lazy("zone"), "kind": gettext_lazy("kind"),
               "unit": gettext_lazy("unit"), "vehicle": gettext_lazy("vehicle"), "plate": gettext_lazy("plate"),
               "ends_on": gettext_lazy("valid until")}


def _changed(label):
    """A change event as a sentence: "Charge item changed: name 物业服务费 → 物业费; active yes → no"."""
    def sentence(event) -> str:
        parts = []
        for field, (old, new) in ((event.data or {}).get("changed") or {}).items():
            shown = [(_("yes") if v else _("no")) if isinstance(v, bool) else ("—" if v in (None, "") else v)
                     for v in (old, new)]
            parts.append(f"{FIELD_NAMES.get(field, field)} {shown[0]} → {shown[1]}")
        return f"{label}: {'; '.join(parts)}" if parts else str(label)
    return sentence


EVENT_VERBS = {
    "billing.charge_item_created": gettext_lazy("Charge item created"),
    "billing.charge_item_changed": _changed(gettext_lazy("Charge item changed")),
    "billing.tariff_added": gettext_lazy("Tariff added"),
    "billing.tariff_changed": _changed(gettext_lazy("Tariff corrected")),
    "billing.meter_created": gettext_lazy("Meter registered"),
    "billing.meter_changed": _changed(gettext_lazy("Meter changed")),
    "billing.parking_space_created": gettext_lazy("Parking space registered"),
    "billing.parking_space_changed": _changed(gettext_lazy("Parking space changed")),
    "billing.parking_pass_created": gettext_lazy("Monthly pass issued"),
    "billing.parking_pass_changed": _changed(gettext_lazy("Monthly pass changed")),
}
register_event_labels(details={
    "rate": gettext_lazy("rate"), "basis": gettext_lazy("basis"), "unit_kind": gettext_lazy("unit type"),
    "effective_from": gettext_lazy("effective from"), "changed": gettext_lazy("changed"),
    "tariff": gettext_lazy("tariff"), "zone": gettext_lazy("zone"), "space": gettext_lazy("parking space"),
    "starts_on": gettext_lazy("valid from"), "ends_on": gettext_lazy("valid until"),
}, values={"basis": dict(Basis.choices), "unit_kind": dict(UnitKind.choices)})

PERMISSION = master.PERMISSION
# The sections of the master-data tab: (url name, label, resource).
SECTIONS = [
    ("billing:master_items", gettext_lazy("Charge items and tariffs"), "billing.charge_items"),
    ("billing:master_meters", gettext_lazy("Meters"), "billing.meters"),
    ("billing:master_spaces", gettext_lazy("Parking spaces"), "billing.parking"),
    ("billing:master_passes", gettext_lazy("Monthly passes"), "billing.parking"),
]
# Lists a company keeps in Excel: (resource, import, export).
WORKBOOKS = {
    "charge-items": ("billing.charge_items", master_io.import_charge_items, master_io.export_charge_items),
    "meters": ("billing.meters", master_io.import_meters, master_io.export_meters),
    "parking-spaces": ("billing.parking", master_io.import_parking_spaces, master_io.export_parking_spaces),
}


def _sections(request, current):
    return [{"url": reverse(name), "label": label, "current": name == current}
            for name, label, resource in SECTIONS if may_read(request.actor, resource)]


def _projects(actor):
    return scoped(Project.objects.all(), actor).only("id", "name")


class _ProjectForm(forms.Form):
    """A create form: the project first (preselected when the actor has one)."""

    project = forms.ModelChoiceField(label=gettext_lazy("Project"), queryset=Project.objects.none())

    def __init__(self, data=None, *, actor, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["project"].queryset = _projects(actor)
        projects = list(self.fields["project"].queryset[:2])
        if len(projects) == 1:
            self.fields["project"].initial = projects[0].pk
        self.fields = {"project": self.fields.pop("project"), **self.fields}


def _unit_field(required=False):
    return forms.CharField(label=gettext_lazy("Unit"), required=required, max_length=50,
                           help_text=gettext_lazy("As typed at the front desk, e.g. 3-1201"))


def _resolve_unit(form, project, name="unit"):
    """The unit the form's text names in `project` (a form error when none or several)."""
    written = form.cleaned_data.get(name) or ""
    try:
        return master_io.find_unit(project, written)
    except ValueError as error:
        form.add_error(name, str(error))
        raise _FormInvalid from None


class _FormInvalid(Exception):
    pass


class ChargeItemForm(_ProjectForm):
    code = forms.SlugField(label=gettext_lazy("Code"), max_length=40, help_text=gettext_lazy("e.g. property-fee"))
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=ChargeKind.choices)
    meter_kind = forms.ChoiceField(label=gettext_lazy("Meter type"), required=False,
                                   choices=[("", "—"), *MeterKind.choices])
    sharing = forms.ChoiceField(label=gettext_lazy("Allocation method"), required=False,
                                choices=[("", "—"), *SharingMethod.choices])


class ChargeItemEditForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False)


class TariffForm(forms.Form):
    basis = forms.ChoiceField(label=gettext_lazy("Basis"), choices=Basis.choices)
    rate = forms.DecimalField(label=gettext_lazy("Rate (yuan)"), min_value=0, max_digits=8, decimal_places=2,
                              widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}))
    unit_kind = forms.ChoiceField(label=gettext_lazy("Unit type"), required=False,
                                  choices=[("", gettext_lazy("Every unit type")), *UnitKind.choices])
    effective_from = PlausibleDateField(label=gettext_lazy("Effective from"))


class MeterForm(_ProjectForm):
    code = forms.CharField(label=gettext_lazy("Meter number"), max_length=40)
    kind = forms.ChoiceField(label=gettext_lazy("Meter type"), choices=MeterKind.choices)
    unit = _unit_field()
    building = forms.ModelChoiceField(label=gettext_lazy("Building (public meter)"), required=False,
                                      queryset=Building.objects.none())
    label = forms.CharField(label=gettext_lazy("Name"), max_length=100, required=False)

    def __init__(self, data=None, *, actor, **kwargs):
        super().__init__(data, actor=actor, **kwargs)
        self.fields["building"].queryset = naturally(scoped(Building.objects.select_related("project"), actor))


class MeterEditForm(forms.Form):
    label = forms.CharField(label=gettext_lazy("Name"), max_length=100, required=False)
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False)


class SpaceForm(_ProjectForm):
    code = forms.CharField(label=gettext_lazy("Space number"), max_length=20)
    zone = forms.CharField(label=gettext_lazy("Zone"), max_length=40, required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=ParkingSpaceKind.choices)
    unit = _unit_field()
    plate = forms.CharField(label=gettext_lazy("Vehicle (plate)"), max_length=20, required=False)


class SpaceEditForm(forms.Form):
    zone = forms.CharField(label=gettext_lazy("Zone"), max_length=40, required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=ParkingSpaceKind.choices)
    unit = _unit_field()
    plate = forms.CharField(label=gettext_lazy("Vehicle (plate)"), max_length=20, required=False)
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False)


class PassForm(_ProjectForm):
    unit = _unit_field(required=True)
    item = forms.ModelChoiceField(label=gettext_lazy("Charge item"), queryset=ChargeItem.objects.none())
    plate = forms.CharField(label=gettext_lazy("Plate"), max_length=20)
    space = forms.CharField(label=gettext_lazy("Parking space number"), max_length=20, required=False)
    starts_on = PlausibleDateField(label=gettext_lazy("Valid from"))
    ends_on = PlausibleDateField(label=gettext_lazy("Valid until"), required=False)

    def __init__(self, data=None, *, actor, **kwargs):
        super().__init__(data, actor=actor, **kwargs)
        self.fields["item"].queryset = scoped(ChargeItem.objects.filter(
            kind=ChargeKind.PARKING_PASS, is_active=True).select_related("project"), actor)


class PassEditForm(forms.Form):
    plate = forms.CharField(label=gettext_lazy("Plate"), max_length=20)
    ends_on = PlausibleDateField(label=gettext_lazy("Valid until"), required=False)


class ImportForm(forms.Form):
    project = forms.ModelChoiceField(label=gettext_lazy("Project"), queryset=Project.objects.none())
    file = forms.FileField(label=gettext_lazy("Excel file (.xlsx)"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx," + XLSX}))

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = _projects(actor)
        projects = list(self.fields["project"].queryset[:2])
        if len(projects) == 1:
            self.fields["project"].initial = projects[0].pk


class MasterFilterForm(ScopedFilterForm):
    active = forms.ChoiceField(required=False, choices=[("", gettext_lazy("Active and inactive")),
                                                        ("1", gettext_lazy("Active")), ("0", gettext_lazy("Inactive"))])

    def filter(self, rows, search):
        self.is_valid()
        data = self.cleaned_data
        if data.get("project"):
            rows = rows.filter(project=data["project"])
        if data.get("active") and hasattr(rows.model, "is_active"):
            rows = rows.filter(is_active=data["active"] == "1")
        if query := (data.get("q") or "").strip():
            rows = rows.filter(search(query))
        return rows


# -- the list pages -------------------------------------------------------------------------------------------------
def _list_page(request, *, current, title, intro, queryset, search, columns, row, form_class, create, workbook=None):
    """A master-data list: filters, the rows (htmx partial), and for those who keep the list a create form and the
    Excel import. `row(record)` gives the cells; `create(actor, form)` writes through billing.master."""
    actor = request.actor
    may_write = actor.may(PERMISSION)
    form, status = (form_class(actor=actor) if may_write else None), None
    if request.method == "POST":
        if not may_write:
            raise PermissionDenied
        form = form_class(request.POST, actor=actor)
        if form.is_valid():
            try:
                record = create(actor, form)
            except _FormInvalid:
                pass
            except DomainError as error:
                show_problems(form, error, {"unit_id": "unit", "vehicle_id": "plate", "item_id": "item",
                                            "space_id": "space", "building_id": "building"})
            else:
                messages.success(request, _("%(record)s saved.") % {"record": record})
                return redirect(request.path)
        status = 422
    filters = MasterFilterForm(request.GET, actor=actor)
    page = paginate(request, filters.filter(scoped(queryset, actor), search))
    return render_page(request, "billing/master/list.html", "billing/master/_list.html", {
        "title": title, "intro": intro, "sections": _sections(request, current), "form": form, "filters": filters,
        "page": page, "columns": columns, "rows": [row(record) for record in page.object_list],
        "list_url": reverse(current), "workbook": workbook,
        "import_form": ImportForm(actor=actor) if (workbook and may_write) else None,
    }, status=status)


def _active(record):
    return _("Active") if record.is_active else _("Inactive")


@staff_view(reads="billing.charge_items")
def items(request):
    def create(actor, form):
        data = form.cleaned_data
        return master.create_charge_item(actor, data["project"], code=data["code"], name=data["name"],
                                         kind=data["kind"], meter_kind=data["meter_kind"], sharing=data["sharing"])

    bases = dict(Basis.choices)

    def row(item):
        price = f"{item.current_rate:.2f} {bases.get(item.current_basis, '')}" if item.current_rate is not None else "—"
        return {"url": reverse("billing:master_item", args=[item.pk]), "cells": [
            item.code, item.name, item.get_kind_display(), item.project.name, price, _active(item)]}

    # The general tariff in force today, as two subqueries: the page is one query whatever its length.
    current = Tariff.objects.filter(item=OuterRef("pk"), unit_kind="", effective_from__lte=timezone.localdate()
                                    ).order_by("-effective_from")
    listing = ChargeItem.objects.select_related("project").annotate(
        current_rate=Subquery(current.values("rate")[:1]), current_basis=Subquery(current.values("basis")[:1])
    ).order_by("project_id", "code")
    response = _list_page(
        request, current="billing:master_items", title=_("Charge items and tariffs"),
        intro=_("What the project charges for and at what price from which date. A price change is a new tariff "
                "from the date it starts: months already billed keep their price."),
        queryset=listing, search=lambda q: Q(code__icontains=q) | Q(name__icontains=q),
        columns=[_("Code"), _("Name"), _("Kind"), _("Project"), _("Price today"), _("Status")],
        row=row, form_class=ChargeItemForm, create=create,
        workbook="charge-items")
    return response


@staff_view(reads="billing.meters")
def meters(request):
    def create(actor, form):
        data = form.cleaned_data
        unit = _resolve_unit(form, data["project"]) if data.get("unit") else None
        return master.create_meter(actor, data["project"], code=data["code"], kind=data["kind"], unit=unit,
                                   building=data.get("building"), label=data["label"])

    def row(meter):
        return {"url": reverse("billing:master_meter", args=[meter.pk]), "cells": [
            meter.code, meter.get_kind_display(), master_io.place(meter), meter.label, meter.project.name,
            _active(meter)]}

    return _list_page(
        request, current="billing:master_meters", title=_("Meters"),
        intro=_("Each unit's own meters and the public meters of a building or the estate. A replaced meter is "
                "deactivated and the new one gets its own number; readings stay with the meter they were read from."),
        queryset=Meter.objects.select_related("project", "unit__building", "building").order_by("project_id", "code"),
        search=lambda q: Q(code__icontains=q) | Q(label__icontains=q),
        columns=[_("Meter number"), _("Meter type"), _("Unit or building"), _("Name"), _("Project"), _("Status")],
        row=row, form_class=MeterForm, create=create, workbook="meters")


@staff_view(reads="billing.parking")
def spaces(request):
    def create(actor, form):
        data = form.cleaned_data
        project = data["project"]
        unit = _resolve_unit(form, project) if data.get("unit") else None
        vehicle = _resolve_vehicle(form, project)
        return master.create_parking_space(actor, project, code=data["code"], zone=data["zone"], kind=data["kind"],
                                           unit=unit, vehicle=vehicle)

    def row(space):
        return {"url": reverse("billing:master_space", args=[space.pk]), "cells": [
            space.code, space.zone, space.get_kind_display(), str(space.unit) if space.unit_id else "—",
            space.vehicle.plate if space.vehicle_id else "—", space.project.name, _active(space)]}

    return _list_page(
        request, current="billing:master_spaces", title=_("Parking spaces"),
        intro=_("The estate's parking spaces by zone: owned by a unit, rented to one, or kept for temporary "
                "parking."),
        queryset=ParkingSpace.objects.select_related("project", "unit__building", "vehicle").order_by(
            "project_id", "zone", "code"),
        search=lambda q: Q(code__icontains=q) | Q(zone__icontains=q),
        columns=[_("Space number"), _("Zone"), _("Kind"), _("Unit"), _("Vehicle"), _("Project"), _("Status")],
        row=row, form_class=SpaceForm, create=create, workbook="parking-spaces")


@staff_view(reads="billing.parking")
def passes(request):
    def create(actor, form):
        data = form.cleaned_data
        project = data["project"]
        unit = _resolve_unit(form, project)
        space = None
        if data.get("space"):
            space = ParkingSpace.objects.filter(project=project, code=data["space"]).first()
            if space is None:
                form.add_error("space", _("No parking space %(code)s in %(project)s.")
                               % {"code": data["space"], "project": project.name})
                raise _FormInvalid
        return master.create_parking_pass(actor, project, unit=unit, item=data["item"], plate=data["plate"],
                                          starts_on=data["starts_on"], ends_on=data.get("ends_on"), space=space)

    today = timezone.localdate()

    def row(parking_pass):
        current = parking_pass.starts_on <= today and (parking_pass.ends_on is None or parking_pass.ends_on >= today)
        return {"url": reverse("billing:master_pass", args=[parking_pass.pk]), "cells": [
            parking_pass.plate, str(parking_pass.unit), parking_pass.space or "—",
            f"{parking_pass.starts_on:%Y-%m-%d} – {parking_pass.ends_on:%Y-%m-%d}" if parking_pass.ends_on
            else f"{parking_pass.starts_on:%Y-%m-%d} –", parking_pass.project.name,
            _("Valid") if current else _("Not valid today")]}

    return _list_page(
        request, current="billing:master_passes", title=_("Monthly passes"),
        intro=_("Monthly parking passes (月卡): billed every month they cover, pro-rated by days. Ending a pass sets "
                "its last day."),
        queryset=ParkingPass.objects.select_related("project", "unit__building").order_by("project_id", "-starts_on"),
        search=lambda q: Q(plate__icontains=q) | Q(space__icontains=q),
        columns=[_("Plate"), _("Unit"), _("Parking space"), _("Valid"), _("Project"), _("Status")],
        row=row, form_class=PassForm, create=create)


def _resolve_vehicle(form, project):
    plate = form.cleaned_data.get("plate") or ""
    if not plate:
        return None
    vehicle = master_io.find_vehicle(project, plate)
    if vehicle is None:
        form.add_error("plate", _("No vehicle %(plate)s is registered in %(project)s.")
                       % {"plate": plate, "project": project.name})
        raise _FormInvalid
    return vehicle


# -- the edit pages -------------------------------------------------------------------------------------------------
def _edit_page(request, *, record, current, title, form, save, extra=None):
    """A record's page: its edit form (those who keep the list), extra sections, its history."""
    actor = request.actor
    may_write = actor.may(PERMISSION)
    status = None
    if request.method == "POST" and request.POST.get("form") != "tariff":
        if not may_write:
            raise PermissionDenied
        if form.is_valid():
            try:
                save(actor, form)
            except _FormInvalid:
                pass
            except DomainError as error:
                show_problems(form, error, {"unit_id": "unit", "vehicle_id": "plate"})
            else:
                messages.success(request, _("%(record)s saved.") % {"record": record})
                return redirect(request.path)
        status = 422
    return render_page(request, "billing/master/edit.html", "billing/master/edit.html", {
        "title": title, "record": record, "sections": _sections(request, current), "back": reverse(current),
        "form": form if may_write else None, **(extra or {})}, status=status)


@staff_view(reads="billing.charge_items")
def item(request, item_id: int):
    record = get_scoped_or_404(ChargeItem.objects.select_related("project"), request.actor, pk=item_id)
    tariff_form, status = TariffForm(), None
    if request.method == "POST" and request.POST.get("form") == "tariff":
        if not request.actor.may(PERMISSION):
            raise PermissionDenied
        tariff_form = TariffForm(request.POST)
        if tariff_form.is_valid():
            data = tariff_form.cleaned_data
            try:
                master.add_tariff(request.actor, record, basis=data["basis"], rate=data["rate"],
                                  effective_from=data["effective_from"], unit_kind=data["unit_kind"])
            except DomainError as error:
                show_problems(tariff_form, error)
            else:
                messages.success(request, _("Tariff added."))
                return redirect(request.path)
        status = 422
    form = ChargeItemEditForm(request.POST if request.method == "POST" and request.POST.get("form") != "tariff"
                              else None, initial={"name": record.name, "is_active": record.is_active})
    tariffs = list(record.tariffs.order_by("unit_kind", "-effective_from"))
    unit_kinds = dict(UnitKind.choices)
    for tariff in tariffs:
        tariff.billed = master.tariff_has_billed(tariff)
        tariff.unit_kind_label = unit_kinds.get(tariff.unit_kind, tariff.unit_kind)
    response = _edit_page(
        request, record=record, current="billing:master_items", title=f"{record.name} ({record.code})", form=form,
        save=lambda actor, f: master.update_charge_item(actor, record, **f.cleaned_data),
        extra={"tariffs": tariffs, "tariff_form": tariff_form if request.actor.may(PERMISSION) else None,
               "facts": [(_("Kind"), record.get_kind_display()), (_("Project"), record.project.name),
                         (_("Meter type"), record.get_meter_kind_display() or "—"),
                         (_("Allocation method"), record.get_sharing_display() or "—")]})
    if status:
        response.status_code = status
    return response


@staff_view(reads="billing.meters")
def meter(request, meter_id: int):
    record = get_scoped_or_404(Meter.objects.select_related("project", "unit__building", "building"), request.actor,
                               pk=meter_id)
    form = MeterEditForm(request.POST or None, initial={"label": record.label, "is_active": record.is_active})
    return _edit_page(
        request, record=record, current="billing:master_meters", title=_("Meter %(code)s") % {"code": record.code},
        form=form, save=lambda actor, f: master.update_meter(actor, record, **f.cleaned_data),
        extra={"facts": [(_("Meter type"), record.get_kind_display()), (_("Unit or building"), master_io.place(record)),
                         (_("Project"), record.project.name)],
               "links": [(_("Readings"), reverse("billing:meter", args=[record.pk]))]})


@staff_view(reads="billing.parking")
def space(request, space_id: int):
    record = get_scoped_or_404(ParkingSpace.objects.select_related("project", "unit__building", "vehicle"),
                               request.actor, pk=space_id)
    form = SpaceEditForm(request.POST or None, initial={
        "zone": record.zone, "kind": record.kind, "is_active": record.is_active,
        "unit": master_io.unit_text(record.unit) if record.unit_id else "",
        "plate": record.vehicle.plate if record.vehicle_id else ""})

    def save(actor, f):
        data = f.cleaned_data
        unit = _resolve_unit(f, record.project) if data.get("unit") else None
        vehicle = _resolve_vehicle(f, record.project)
        master.update_parking_space(actor, record, zone=data["zone"], kind=data["kind"], unit=unit, vehicle=vehicle,
                                    is_active=data["is_active"])

    return _edit_page(
        request, record=record, current="billing:master_spaces",
        title=_("Parking space %(code)s") % {"code": record.code}, form=form, save=save,
        extra={"facts": [(_("Project"), record.project.name)]})


@staff_view(reads="billing.parking")
def pass_detail(request, pass_id: int):
    record = get_scoped_or_404(ParkingPass.objects.select_related("project", "unit__building", "item"), request.actor,
                               pk=pass_id)
    form = PassEditForm(request.POST or None, initial={"plate": record.plate, "ends_on": record.ends_on})
    return _edit_page(
        request, record=record, current="billing:master_passes",
        title=_("Monthly pass %(plate)s") % {"plate": record.plate}, form=form,
        save=lambda actor, f: master.update_parking_pass(actor, record, plate=f.cleaned_data["plate"],
                                                         ends_on=f.cleaned_data.get("ends_on")),
        extra={"facts": [(_("Unit"), str(record.unit)), (_("Charge item"), record.item.name),
                         (_("Parking space"), record.space or "—"), (_("Valid from"), record.starts_on),
                         (_("Project"), record.project.name)]})


# -- Excel ----------------------------------------------------------------------------------------------------------
@staff_view(PERMISSION)
def import_workbook(request, kind: str):
    """Import a list (all or nothing): the report by row and column, or what was created, changed, skipped."""
    if kind not in WORKBOOKS or request.method != "POST":
        raise Http404
    _resource, importer, _exporter = WORKBOOKS[kind]
    back = {"charge-items": "billing:master_items", "meters": "billing:master_meters",
            "parking-spaces": "billing:master_spaces"}[kind]
    form = ImportForm(request.POST, request.FILES, actor=request.actor)
    report, status = None, 200
    if form.is_valid():
        try:
            report = importer(request.actor, form.cleaned_data["project"], form.cleaned_data["file"])
        except DomainError as error:
            show_problems(form, error)
            status = 422
        else:
            status = 200 if report.ok else 422
    else:
        status = 422
    return render_page(request, "billing/master/import.html", "billing/master/import.html", {
        "title": dict((name, label) for name, label, _r in SECTIONS)[back], "sections": _sections(request, back),
        "form": form, "report": report, "kind": kind, "back": reverse(back)}, status=status)


def _export_view(resource):
    @staff_view(reads=resource)
    def view(request, kind):
        _resource, _importer, exporter = WORKBOOKS[kind]
        project_id = request.GET.get("project", "")
        projects = _projects(request.actor)
        project = projects.filter(pk=int(project_id)).first() if project_id.isdigit() and len(project_id) < 12 \
            else (projects.first() if projects.count() == 1 else None)
        if project is None:
            raise Http404
        response = HttpResponse(exporter(project), content_type=XLSX)
        return attachment(response, download_name(EXPORT_NAMES[kind], project.name, ext="xlsx"))

    return view


export_charge_items = _export_view("billing.charge_items")
export_meters = _export_view("billing.meters")
export_spaces = _export_view("billing.parking")

urlpatterns = [
    path("console/billing/master/", items, name="master_items"),
    path("console/billing/master/charge-items/<int:item_id>/", item, name="master_item"),
    path("console/billing/master/meters/", meters, name="master_meters"),
    path("console/billing/master/meters/<int:meter_id>/", meter, name="master_meter"),
    path("console/billing/master/parking-spaces/", spaces, name="master_spaces"),
    path("console/billing/master/parking-spaces/<int:space_id>/", space, name="master_space"),
    path("console/billing/master/passes/", passes, name="master_passes"),
    path("console/billing/master/passes/<int:pass_id>/", pass_detail, name="master_pass"),
    path("console/billing/master/import/<slug:kind>/", import_workbook, name="master_import"),
    path("console/billing/master/export/charge-items.xlsx", export_charge_items, {"kind": "charge-items"},
         name="master_export_items"),
    path("console/billing/master/export/meters.xlsx", export_meters, {"kind": "meters"},
         name="master_export_meters"),
    path("console/billing/master/export/parking-spaces.xlsx", export_spaces, {"kind": "parking-spaces"},
         name="master_export_spaces"),
]
