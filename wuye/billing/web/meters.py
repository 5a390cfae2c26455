"""Meter readings in the console (抄表): the meter list with each meter's last reading and a quick entry form, a
meter's history with a consumption chart, the readings held for review (confirm or correct), the Excel import with
its row-by-row report, and the reader's template."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wuye.core.access import get_scoped_or_404, scoped
from wuye.core.downloads import attachment, download_name
from wuye.core.errors import DomainError
from wuye.core.templatetags.timeline import register_event_labels
from wuye.tenancy.models import Building, Project
from wuye.tenancy.ordering import naturally
from wuye.web.forms import PlausibleDateField, ScopedFilterForm, show_problems
from wuye.web.guards import staff_view
from wuye.web.htmx import render_page
from wuye.web.paging import paginate

from .. import meters as services
from ..models import Meter, MeterKind, MeterReading

EVENT_VERBS = {"billing.meter_read": gettext_lazy("Meter read"),
               "billing.reading_confirmed": gettext_lazy("Reading confirmed after review"),
               "billing.reading_corrected": gettext_lazy("Reading corrected after review")}
register_event_labels(details={"read_on": gettext_lazy("Read on"), "reading": gettext_lazy("Reading"),
                               "consumption": gettext_lazy("Consumption"), "anomaly": gettext_lazy("Anomaly"),
                               "note": gettext_lazy("Note"), "held": gettext_lazy("Held for review"),
                               "corrected_from": gettext_lazy("Reading before the correction")})
CHART_INTERVALS = 24


class MeterFilterForm(ScopedFilterForm):
    building = forms.ModelChoiceField(queryset=Building.objects.none(), required=False,
                                      empty_label=gettext_lazy("All buildings"))
    kind = forms.ChoiceField(choices=[("", gettext_lazy("All types")), *MeterKind.choices], required=False)
    public = forms.ChoiceField(required=False, choices=[("", gettext_lazy("Unit and public meters")),
                                                        ("unit", gettext_lazy("Unit meters")),
                                                        ("public", gettext_lazy("Public meters"))])
    anomalies = forms.BooleanField(required=False, label=gettext_lazy("Last reading flagged"))
    field_order = ["project", "building", "kind", "public", "q", "anomalies"]

    def __init__(self, data, *, actor):
        super().__init__(data, actor=actor)
        self.fields["q"].widget.attrs.update(placeholder=gettext_lazy("Meter number or name"))
        project_id = self.data.get("project") or ""
        buildings = scoped(Building.objects.all(), actor).only("id", "number", "name", "project_id")
        ids = list(self.fields["project"].queryset.values_list("id", flat=True)[:2])
        if project_id.isdigit():
            buildings = buildings.filter(project_id=int(project_id))
        elif len(ids) == 1:
            buildings = buildings.filter(project_id=ids[0])
        else:
            buildings = buildings.none()
        self.fields["building"].queryset = naturally(buildings)

    def filter(self, meters):
        self.is_valid()
        data = self.cleaned_data  # only the valid filters: a foreign or stale id just drops that filter
        if data.get("project"):
            meters = meters.filter(project=data["project"])
        if data.get("building"):
            meters = meters.filter(Q(building=data["building"]) | Q(unit__building=data["building"]))
        if data.get("kind"):
            meters = meters.filter(kind=data["kind"])
        if data.get("public"):
            meters = meters.filter(unit__isnull=data["public"] == "public")
        if query := (data.get("q") or "").strip():
            meters = meters.filter(Q(code__icontains=query) | Q(label__icontains=query))
        if data.get("anomalies"):
            meters = meters.exclude(last_anomaly__isnull=True).exclude(last_anomaly="")
        return meters


class ReadingForm(forms.Form):
    read_on = PlausibleDateField(label=gettext_lazy("Read on"))
    value = forms.DecimalField(label=gettext_lazy("Reading"), min_value=0, max_digits=14, decimal_places=2,
                               widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}))
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=services.MAX_NOTE)

    def show(self, error: DomainError) -> None:
        """A refusal of the service next to the field it names (the meter itself: on top)."""
        for problem in error.problems or ():
            self.add_error(problem.field if problem.field in self.fields else None, problem.message)
        if not error.problems:
            self.add_error(None, error.message)


class ReviewForm(forms.Form):
    """Confirm a held reading as read, or correct its value (then `value` is required)."""

    action = forms.ChoiceField(choices=[("confirm", "confirm"), ("correct", "correct")])
    value = forms.DecimalField(label=gettext_lazy("Corrected reading"), required=False, min_value=0, max_digits=14,
                               decimal_places=2)
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=services.MAX_NOTE)

    def clean(self):
        data = super().clean()
        if data.get("action") == "correct" and data.get("value") is None and "value" not in self.errors:
            self.add_error("value", _("Enter the corrected reading."))
        return data


class ImportForm(forms.Form):
    project = forms.ModelChoiceField(label=gettext_lazy("Project"), queryset=Project.objects.none())
    file = forms.FileField(label=gettext_lazy("Excel file (.xlsx)"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx," + services.XLSX}))

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = scoped(Project.objects.all(), actor).only("id", "name")
        projects = list(self.fields["project"].queryset[:2])
        if len(projects) == 1:
            self.fields["project"].initial = projects[0].pk


def _meters(actor):
    return services.with_last_reading(
        scoped(Meter.objects.all(), actor).select_related("project", "unit__building", "building"))


@staff_view(reads="billing.meters")
def meter_list(request):
    form = MeterFilterForm(request.GET, actor=request.actor)
    page = paginate(request, form.filter(_meters(request.actor)).order_by("project_id", "code", "id"))
    return render_page(request, "billing/meters/list.html", "billing/meters/_results.html", {
        "form": form, "page": page, "rows": page.object_list, "today": timezone.localdate(),
        "next": request.get_full_path(), "held": services.held_readings(request.actor).count(),
        # Quality reads the meters but does not record readings: no button that answers 403.
        "may_import": request.actor.may("billing.read_meters"),
    })


def _chart(meter) -> dict | None:
    """Bars of consumption per interval (the latest CHART_INTERVALS, oldest left), scaled to the largest."""
    readings = list(meter.readings.exclude(consumption__isnull=True).order_by("-read_on")[:CHART_INTERVALS])[::-1]
    if not readings:
        return None
    width, height, left, top, bottom = 640, 180, 8, 18, 22
    slot = (width - 2 * left) / len(readings)
    peak = max(reading.consumption for reading in readings) or 1
    bars = []
    for index, reading in enumerate(readings):
        bar_height = max(float(reading.consumption / peak) * (height - top - bottom), 1 if reading.consumption else 0)
        x = left + index * slot
        bars.append({"x": round(x + slot * 0.15, 1), "width": round(slot * 0.7, 1), "cx": round(x + slot / 2, 1),
                     "y": round(height - bottom - bar_height, 1), "height": round(bar_height, 1),
                     "reading": reading, "fill": {"spike": "#dc2626", "zero": "#d97706"}.get(reading.anomaly,
                                                                                          "#2563eb")})
    return {"width": width, "height": height, "baseline": height - bottom, "label_y": height - 6, "bars": bars,
            "label_every": max(1, len(bars) // 8)}


def _meter_page(request, meter_id, form=None, status=None):
    meter = get_scoped_or_404(_meters(request.actor), request.actor, pk=meter_id)
    readings = paginate(request, meter.readings.select_related("entered_by").order_by("-read_on", "-id"))
    return render(request, "billing/meters/detail.html", {
        "meter": meter, "place": services.meter_place(meter), "page": readings, "chart": _chart(meter),
        "form": form or ReadingForm(initial={"read_on": timezone.localdate()}),
    }, status=status)


@staff_view(reads="billing.meters")
def meter_detail(request, meter_id: int):
    if request.method != "POST":
        return _meter_page(request, meter_id)
    meter = get_scoped_or_404(Meter.objects.all(), request.actor, pk=meter_id)
    form = ReadingForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            reading = services.record_reading(request.actor, meter, data["read_on"], data["value"], note=data["note"])
        except DomainError as error:
            form.show(error)
        else:
            text = _("Reading %(value)s of %(meter)s recorded.") % {"value": reading.value, "meter": meter.code}
            if reading.anomaly:
                messages.warning(request, f"{text} {reading.get_anomaly_display()}: {reading.anomaly_note}")
            else:
                messages.success(request, text)
            target = request.POST.get("next", "")
            if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
                target = reverse("billing:meter", args=[meter.pk])
            return redirect(target)
    return _meter_page(request, meter_id, form=form, status=422)


@staff_view(reads="billing.meters")
def readings_review(request):
    """The readings held for review (flagged, not yet confirmed or corrected), oldest first, per project; finance
    and the project manager confirm or correct each. Billing leaves them out until then."""
    actor = request.actor
    form = ScopedFilterForm(request.GET, actor=actor)
    project = form.cleaned_data.get("project") if form.is_valid() else None
    failed, status = None, None
    if request.method == "POST":
        reading_id = request.POST.get("reading", "")
        reading = get_scoped_or_404(MeterReading.objects.select_related("meter"), actor,
                                    pk=int(reading_id) if reading_id.isdigit() and len(reading_id) < 19 else 0)
        review = ReviewForm(request.POST)
        if review.is_valid():
            data = review.cleaned_data
            try:
                if data["action"] == "confirm":
                    services.confirm_reading(actor, reading, note=data["note"])
                    text = _("Reading %(value)s of meter %(meter)s on %(date)s confirmed; the next billing run of "
                             "its month bills it.")
                else:
                    reading = services.correct_reading(actor, reading, data["value"], note=data["note"])
                    text = _("Reading of meter %(meter)s on %(date)s corrected to %(value)s; the next billing run "
                             "of its month bills it.")
            except DomainError as error:
                show_problems(review, error)
            else:
                messages.success(request, text % {"value": reading.value, "meter": reading.meter.code,
                                                  "date": reading.read_on.isoformat()})
                return redirect(request.get_full_path())
        failed, status = (reading.pk, review), 422
    page = paginate(request, services.held_readings(actor, project))
    rows = list(page.object_list)
    for row in rows:
        row.place = services.meter_place(row.meter)
        row.form = failed[1] if failed and failed[0] == row.pk else None
    return render(request, "billing/meters/review.html", {
        "form": form, "page": page, "rows": rows, "may_review": actor.may("billing.review_readings"),
    }, status=status)


@staff_view("billing.read_meters")
def readings_import(request):
    actor = request.actor
    report = None
    status = None
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES, actor=actor)
        if form.is_valid():
            try:
                report = services.import_readings(actor, form.cleaned_data["project"], form.cleaned_data["file"])
            except DomainError as error:
                form.add_error("file" if any(p.field == "file" for p in error.problems) else None,
                               error.problems[0].message if error.problems else error.message)
        # 422 when nothing could be recorded; a partly recorded file is a 200 that lists the rows left out.
        status = 200 if report is not None and (report.ok or report.created) else 422
    else:
        form = ImportForm(actor=actor)
    projects = scoped(Project.objects.all(), actor).only("id", "name")
    return render(request, "billing/meters/import.html", {
        "form": form, "report": report, "projects": projects, "columns": services.TEMPLATE_COLUMNS,
        "max_rows": f"{services.MAX_ROWS:,}",
    }, status=status)


@staff_view("billing.read_meters")
def readings_template(request):
    projects = scoped(Project.objects.all(), request.actor)
    chosen = request.GET.get("project", "")
    if chosen.isdigit():
        project = get_scoped_or_404(Project.objects.all(), request.actor, pk=int(chosen))
    elif len(only := list(projects[:2])) == 1:
        project = only[0]
    else:
        raise Http404
    response = HttpResponse(services.reading_template(project), content_type=services.XLSX)
    return attachment(response, download_name("抄表模板", project.name, timezone.localdate().isoformat(), ext="xlsx"))


urlpatterns = [
    path("console/billing/meters/", meter_list, name="meters"),
    path("console/billing/meters/<int:meter_id>/", meter_detail, name="meter"),
    path("console/billing/meters/review/", readings_review, name="readings_review"),
    path("console/billing/meters/import/", readings_import, name="readings_import"),
    path("console/billing/meters/template/", readings_template, name="readings_template"),
]
