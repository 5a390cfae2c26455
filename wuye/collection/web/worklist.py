"""The collection worklist and one household's page in the console (finance works them, the project manager
follows them): who owes, how much and how long, where the desk stands, and the form to log a contact."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models.functions import Length
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from wuye.billing.models import OPEN, Bill, days_overdue
from wuye.billing.reports import BUCKETS
from wuye.core.access import get_scoped_or_404, scoped
from wuye.core.errors import DomainError
from wuye.core.validators import INT64_MAX
from wuye.people.services import owning_residencies
from wuye.tenancy.models import Building, Unit
from wuye.tenancy.search import unit_search_q
from wuye.web.forms import PlausibleDateField, ScopedFilterForm, show_problems
from wuye.web.guards import staff_view
from wuye.web.htmx import render_page
from wuye.web.paging import PAGE_SIZE

from .. import services, worklist
from ..models import ContactLog, Method, Outcome
from .exports import ExportForm, workbook_response

HISTORY_LIMIT = 100


class WorklistForm(ScopedFilterForm):
    building = forms.ModelChoiceField(label=gettext_lazy("Building"), queryset=Building.objects.none(),
                                      required=False, empty_label=gettext_lazy("All buildings"))
    bucket = forms.ChoiceField(label=gettext_lazy("Days overdue"), required=False)
    min_amount = forms.DecimalField(label=gettext_lazy("Owing at least (yuan)"), required=False, min_value=0,
                                    max_digits=12, decimal_places=2)
    view = forms.ChoiceField(required=False, choices=[("", ""), *((v, v) for v in worklist.VIEWS)])
    sort = forms.ChoiceField(required=False, choices=[(s, s) for s in worklist.SORTS])
    field_order = ["project", "building", "bucket", "min_amount", "q"]

    def __init__(self, data, *, actor):
        super().__init__(data, actor=actor)
        self.fields["q"].widget.attrs.update(placeholder=_("Unit, e.g. 1-101"))
        self.fields["bucket"].choices = [("", _("Any")), *((key, _("%(range)s days") % {"range": label})
                                                            for key, label, *_rest in BUCKETS)]
        # Buildings of the chosen project (or of the only project in scope), 2号楼 before 10号楼.
        project_id = self.data.get("project") or ""
        buildings = scoped(Building.objects.all(), actor).only("id", "number", "name", "project_id")
        if project_id.isdigit() and int(project_id) <= INT64_MAX:
            buildings = buildings.filter(project_id=int(project_id))
        elif len(self.fields["project"].queryset.values_list("id", flat=True)[:2]) != 1:
            buildings = buildings.none()
        self.fields["building"].queryset = buildings.order_by(Length("number"), "number")

    def households(self, actor, today):
        self.is_valid()
        data = self.cleaned_data  # the valid filters only; a wrong one shows its error and is left out
        rows = worklist.households(actor, today=today, project=data.get("project"), building=data.get("building"),
                                   bucket=data.get("bucket") or "", min_amount=data.get("min_amount"),
                                   view=data.get("view") or "", sort=data.get("sort") or "amount")
        if query := (data.get("q") or "").strip():
            rows = rows.filter(unit_id__in=scoped(Unit.objects.filter(unit_search_q(query)), actor).values("pk"))
        return rows


def _worklist(request, *, export_form=None, status=None):
    actor, today = request.actor, timezone.localdate()
    form = WorklistForm(request.GET, actor=actor)
    rows = form.households(actor, today)
    summary = worklist.summary(rows)
    paginator = Paginator(rows, PAGE_SIZE)
    paginator.count = summary["households"]  # known from the summary: no second COUNT over the groups
    page = paginator.get_page(request.GET.get("page"))
    households = worklist.page_households(actor, page.object_list, today)
    data = form.cleaned_data
    return render_page(request, "collection/worklist.html", "collection/_worklist.html", {
        "form": form, "page": page, "households": households, "summary": summary,
        "view": data.get("view") or "", "sort": data.get("sort") or "amount", "today": today,
        "building": data.get("building"), "may_log": actor.may("collection.log_contact"),
        "export_form": export_form or ExportForm(actor=actor),
        "views": [("", _("All in arrears")), ("promised_today", _("Promised today")),
                  ("broken", _("Broken promises"))],
        "sorts": [("amount", _("Amount")), ("age", _("Age")), ("building", _("Building")),
                  ("contact", _("Last contact"))],
    }, status=status)


@staff_view(reads="collection.worklist")
def worklist_page(request):
    """Households in arrears: owner, phone (masked), what they owe, how long, the last contact and promise."""
    return _worklist(request)


@staff_view(reads="collection.worklist")
def reports_xlsx(request):
    """Aging and collection rate of a project as Excel; bad input: the worklist with the form's errors, 422."""
    form = ExportForm(request.GET, actor=request.actor)
    if not form.is_valid():
        return _worklist(request, export_form=form, status=422)
    data = form.cleaned_data
    return workbook_response(request.actor, data["project"], data.get("as_of") or timezone.localdate(),
                             data["periods"])


class ContactForm(forms.Form):
    method = forms.ChoiceField(label=gettext_lazy("How"), choices=Method.choices, initial=Method.CALL)
    outcome = forms.ChoiceField(label=gettext_lazy("Outcome"),
                                choices=[("", gettext_lazy("Choose the outcome")), *Outcome.choices])
    promised_on = PlausibleDateField(label=gettext_lazy("Promised to pay by"), required=False,
                                     help_text=gettext_lazy("Only for a promise to pay."))
    note = forms.CharField(label=gettext_lazy("Note"), max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
    next = forms.CharField(widget=forms.HiddenInput, required=False)


def _household_page(request, unit_id: int, *, form=None, status=None):
    actor, today = request.actor, timezone.localdate()
    unit = get_scoped_or_404(Unit.objects.with_places(), actor, pk=unit_id)
    overdue = list(Bill.objects.filter(OPEN, unit=unit, due_on__lt=today).select_related("item")
                   .order_by("due_on", "id"))
    for bill in overdue:
        bill.overdue_days = days_overdue(bill.due_on, today)
    oldest = overdue[0].overdue_days if overdue else None
    contacts = list(ContactLog.objects.filter(unit=unit).select_related("logged_by")[:HISTORY_LIMIT])
    may_log = actor.may("collection.log_contact")
    return render(request, "collection/household.html", {
        "unit": unit, "owners": list(scoped(owning_residencies([unit.pk]), actor)), "overdue": overdue,
        "owed": sum((bill.outstanding for bill in overdue), 0), "days": oldest,
        "bucket": worklist.bucket_of(oldest) if oldest is not None else "",
        "contacts": contacts, "latest": contacts[0] if contacts else None, "today": today,
        "form": (form or ContactForm(initial={"next": request.GET.get("next", "")})) if may_log else None,
    }, status=status)


@staff_view(reads="collection.worklist")
def household(request, unit_id: int):
    """One household's arrears, its contact history and (for finance) the form to log a contact."""
    return _household_page(request, unit_id)


@require_POST
@staff_view("collection.log_contact")
def log_contact(request, unit_id: int):
    """Log a call, visit, text or letter with its outcome (and promised date); back to where the clerk came from."""
    unit = get_scoped_or_404(Unit.objects.all(), request.actor, pk=unit_id)
    form = ContactForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.log_contact(request.actor, unit, method=data["method"], outcome=data["outcome"],
                                 promised_on=data["promised_on"], note=data["note"])
        except DomainError as error:
            show_problems(form, error)
        else:
            messages.success(request, _("Contact with %(unit)s logged.") % {"unit": unit.label})
            target = data.get("next") or ""
            if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
                return redirect(target)
            return redirect("collection:household", unit.pk)
    return _household_page(request, unit_id, form=form, status=422)
