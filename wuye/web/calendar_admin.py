"""The holiday schedule page of the console (法定节假日): the company administration imports the State Council's
schedule for a year — the days off and the adjusted working days, one date or range per line — which confirms the
year and replaces the libraries' guess (wuye.core.calendar)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wuye.core.calendar import (
    ScheduleError,
    Source,
    import_statutory_schedule,
    library_days,
    library_schedule,
    parse_schedule,
    schedule_text,
    unconfirmed_years,
)
from wuye.core.models import StatutoryYear
from wuye.core.sentences import register_sentence
from wuye.core.templatetags.timeline import register_event_labels

from .guards import staff_view

register_sentence("calendar.schedule_imported", gettext_lazy(
    "Holiday schedule for %(year)s imported: %(days_off)s days off, %(working_days)s adjusted working days, "
    "%(changed_days)s days changed"), example={"year": 2027, "days_off": 29, "working_days": 6, "changed_days": 3})
register_event_labels(
    details={"year": gettext_lazy("year"), "days_off": gettext_lazy("days off"),
             "working_days": gettext_lazy("adjusted working days"), "changed_days": gettext_lazy("days changed")},
)
SOURCE_LABELS = {
    Source.IMPORTED: gettext_lazy("Imported (confirmed)"),
    Source.CHINESECALENDAR: gettext_lazy("Official data (chinesecalendar)"),
    Source.HOLIDAYS: gettext_lazy("Computed festivals only (python-holidays), not confirmed"),
    Source.WEEKDAYS: gettext_lazy("Monday–Friday only, not confirmed"),
}


def _years(today) -> list[int]:
    return list(range(today.year - 1, today.year + 3))


class ScheduleForm(forms.Form):
    year = forms.TypedChoiceField(label=gettext_lazy("Year"), coerce=int)
    days = forms.CharField(
        label=gettext_lazy("Days off and adjusted working days"), max_length=5000,
        widget=forms.Textarea(attrs={"rows": 16, "class": "mono", "spellcheck": "false"}),
        help_text=gettext_lazy("One date or range per line, then off or work (休/班), optionally a name: "
                               "“2027-02-05..2027-02-11 off 春节”, “2027-02-14 work”. List every day of the notice; "
                               "days not listed follow Monday–Friday."),
    )

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(year, str(year)) for year in years]

    def clean(self):
        data = super().clean()
        if "year" in data and "days" in data:
            try:
                data["lines"] = parse_schedule(data["days"], data["year"])
            except ScheduleError as error:
                for problem in error.problems:
                    self.add_error("days", ScheduleError.describe(*problem))
        return data


def _current_text(year: int) -> str:
    schedule = StatutoryYear.objects.filter(year=year).first()
    if schedule is not None:
        return schedule_text(schedule.days.values_list("date", "is_working_day", "name"))
    return schedule_text(library_days(year))


@staff_view("core.manage_calendar")
def statutory_calendar(request):
    today = timezone.localdate()
    years = _years(today)
    pending = unconfirmed_years(today)
    if request.method == "POST":
        form = ScheduleForm(request.POST, years=years)
        if form.is_valid():
            year = form.cleaned_data["year"]
            result = import_statutory_schedule(year, form.cleaned_data["lines"], actor=request.actor)
            if result.changed:
                messages.success(request, _("The schedule for %(year)s is imported: %(off)s days off, %(work)s "
                                            "adjusted working days.") % {
                    "year": year, "off": result.days_off, "work": result.working_days})
            else:
                messages.info(request, _("The schedule for %(year)s was already imported as given; nothing "
                                         "changed.") % {"year": year})
            return redirect(f"{reverse('web:statutory_calendar')}?year={year}")
        year = form.cleaned_data.get("year")
    else:
        requested = request.GET.get("year", "")
        year = int(requested) if requested.isdigit() and int(requested) in years else (
            pending[0] if pending else today.year + 1)
        form = ScheduleForm(initial={"year": year, "days": _current_text(year)}, years=years)
    imported = {row.year: row for row in StatutoryYear.objects.filter(year__in=years).select_related("confirmed_by")}
    rows = [{
        "year": y,
        "source": SOURCE_LABELS[Source.IMPORTED if y in imported else library_schedule(y).source],
        "confirmed": imported.get(y),
        "pending": y in pending,
        "current": y == year,
    } for y in years]
    return render(request, "web/console/calendar.html", {"form": form, "rows": rows, "year": year})
