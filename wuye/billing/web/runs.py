"""Billing runs in the console: start one for a project and month (a background job bills it), follow its
progress (the page polls with htmx while it runs), then read what it billed per charge item and the bills."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wuye.core.access import get_scoped_or_404, scoped
from wuye.core.errors import DomainError
from wuye.core.scheduling import silent_engines
from wuye.tenancy.models import Project
from wuye.web.forms import show_problems
from wuye.web.guards import staff_view
from wuye.web.htmx import is_htmx, render_page
from wuye.web.paging import paginate

from ..models import BillingRun
from ..runs import run_percent, run_skips, run_summary, start_run

EVENT_VERBS = {"billing.run_started": gettext_lazy("Billing run started"),
               "billing.run_chunk": gettext_lazy("Billing run chunk committed")}


class MonthField(forms.DateField):
    """A month as `<input type="month">` (YYYY-MM) → its first day."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")

    def __init__(self, **kwargs):
        super().__init__(input_formats=["%Y-%m"], **kwargs)


class StartRunForm(forms.Form):
    project = forms.ModelChoiceField(label=gettext_lazy("Project"), queryset=Project.objects.none())
    period = MonthField(label=gettext_lazy("Month"))

    def __init__(self, data=None, *, actor):
        today = timezone.localdate()
        super().__init__(data, initial={"period": today.replace(day=1)})
        self.fields["project"].queryset = scoped(Project.objects.all(), actor).only("id", "name")


class RunFilterForm(forms.Form):
    project = forms.ModelChoiceField(queryset=Project.objects.none(), required=False,
                                     empty_label=gettext_lazy("All projects"))

    def __init__(self, data, *, actor):
        super().__init__(data)
        self.fields["project"].queryset = scoped(Project.objects.all(), actor).only("id", "name")

    def filter(self, runs):
        if self.is_valid() and self.cleaned_data.get("project"):
            runs = runs.filter(project=self.cleaned_data["project"])
        return runs


def _with_percent(runs):
    for run in runs:
        run.percent = run_percent(run)
    return runs


@staff_view(reads="billing.runs")
def runs(request):
    """Billing runs per project and month with status, progress and totals; staff who charge start one here."""
    actor = request.actor
    status = None
    start_form = None
    if actor.may("billing.charge"):
        start_form = StartRunForm(actor=actor)
    if request.method == "POST":
        if not actor.may("billing.charge"):
            raise PermissionDenied
        start_form = StartRunForm(request.POST, actor=actor)
        if start_form.is_valid():
            try:
                run = start_run(actor, start_form.cleaned_data["project"], start_form.cleaned_data["period"])
            except DomainError as error:
                show_problems(start_form, error)
            else:
                messages.success(request, _("Billing run for %(project)s %(period)s started.") % {
                    "project": run.project.name, "period": f"{run.period:%Y-%m}"})
                return redirect("billing:run", run.pk)
        status = 422
    filters = RunFilterForm(request.GET, actor=actor)
    listing = filters.filter(scoped(BillingRun.objects.select_related("project", "started_by"), actor))
    page = paginate(request, listing.order_by("-period", "project_id", "-id"))
    return render_page(request, "billing/runs/list.html", "billing/runs/_list.html", {
        "page": page, "rows": _with_percent(list(page.object_list)), "filters": filters, "start_form": start_form,
    }, status=status)


@staff_view(reads="billing.runs")
def run(request, run_id: int):
    """One run: its progress (an htmx request gets only the progress partial, which polls while running) and,
    once billed, the summary per charge item, what it skipped and why (held readings, units that failed), and the
    bills (`?item=<code>` narrows them to one item)."""
    billing_run = get_scoped_or_404(BillingRun.objects.select_related("project", "started_by"), request.actor,
                                    pk=run_id)
    billing_run.percent = run_percent(billing_run)
    running = billing_run.status == BillingRun.Status.RUNNING
    context = {"run": billing_run, "summary": run_summary(billing_run), "skips": run_skips(billing_run),
               "running": running,
               # Queued while no scheduler or worker beats: "background jobs are not running" (core.scheduling).
               "jobs_stalled": next(iter(silent_engines()), None) if running else None}
    if not is_htmx(request):
        bills = billing_run.bills.select_related("unit__building", "item").order_by("unit_id", "id")
        item = request.GET.get("item", "")
        if item:
            bills = bills.filter(item__code=item)
        context.update(item=item, bills=paginate(request, bills))
    return render_page(request, "billing/runs/detail.html", "billing/runs/_progress.html", context)


urlpatterns = [
    path("console/billing/runs/", runs, name="runs"),
    path("console/billing/runs/<int:run_id>/", run, name="run"),
]
