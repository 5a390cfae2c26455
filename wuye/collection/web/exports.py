"""Arrears aging and collection rate (欠费账龄、收缴率) as one Excel workbook: aging by building as at a day, and the
collection rate of each building and of the whole project per billing period. The figures are billing's reports
(`billing.reports`: one rule, one home); this only lays them out."""

from __future__ import annotations

import io

from django import forms
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font

from wuye.billing import reports
from wuye.billing.exports import MONEY_FORMAT, XLSX
from wuye.billing.periods import parse_month
from wuye.core.access import scoped
from wuye.core.downloads import attachment, download_name
from wuye.core.errors import InvalidInput
from wuye.core.spreadsheets import xlsx_row
from wuye.tenancy.models import Project
from wuye.web.forms import PlausibleDateField

PERCENT_FORMAT = "0.00"


class ExportForm(forms.Form):
    """?project=&as_of=&from=YYYY-MM&to=YYYY-MM of the workbook (aging as at `as_of`, rates for the months)."""

    project = forms.ModelChoiceField(label=gettext_lazy("Project"), queryset=Project.objects.none(),
                                     empty_label=gettext_lazy("Choose a project"))
    as_of = PlausibleDateField(label=gettext_lazy("Aged as at"), required=False)

    def __init__(self, data=None, *, actor):
        periods = reports.default_periods()
        super().__init__(data, auto_id="export_%s",
                         initial={"as_of": timezone.localdate(), "from": f"{periods[0]:%Y-%m}",
                                  "to": f"{periods[-1]:%Y-%m}"})
        self.fields["project"].queryset = scoped(Project.objects.active(), actor).only("id", "name")
        # "from" is a Python keyword, so the months are added here rather than declared.
        self.fields["from"] = forms.CharField(label=_("Periods from"), required=False,
                                              widget=forms.TextInput(attrs={"type": "month"}))
        self.fields["to"] = forms.CharField(label=_("through month"), required=False,
                                            widget=forms.TextInput(attrs={"type": "month"}))

    def clean(self):
        data = super().clean()
        periods = reports.default_periods()
        try:
            first = parse_month(data["from"], "from") if data.get("from") else periods[0]
            last = parse_month(data["to"], "to") if data.get("to") else periods[-1]
            data["periods"] = reports.months_between(first, last)
        except InvalidInput as error:
            for problem in error.problems:
                self.add_error(problem.field if problem.field in self.fields else None, problem.message)
        return data


def _bold(sheet, values):
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)


def _money_row(sheet, values, money_columns, percent_columns=()):
    sheet.append(xlsx_row(sheet, values))
    for index in money_columns:
        sheet.cell(row=sheet.max_row, column=index + 1).number_format = MONEY_FORMAT
    for index in percent_columns:
        sheet.cell(row=sheet.max_row, column=index + 1).number_format = PERCENT_FORMAT


def _aging_sheet(workbook, aging: reports.AgingReport):
    sheet = workbook.active
    sheet.title = _("Arrears aging")[:31]
    sheet.append([_("Aged as at %(day)s") % {"day": f"{aging.as_of:%Y-%m-%d}"}])
    labels = [_("%(range)s days") % {"range": label} for label in reports.BUCKET_LABELS]
    _bold(sheet, [_("Building"), _("Households in arrears"), _("Not yet due"), *labels, _("Total overdue")])
    money = range(2, 3 + len(labels) + 1)
    for row in aging.rows:
        _money_row(sheet, [row.building, row.units_in_arrears, row.not_due,
                           *(amount for _key, _label, amount in row.amounts()), row.total], money)
    totals = aging.totals
    _money_row(sheet, [_("Total"), totals.units_in_arrears, totals.not_due,
                       *(amount for _key, _label, amount in totals.amounts()), totals.total], money)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 18
    for column in "BCDEFGH":
        sheet.column_dimensions[column].width = 14


def _rate_sheet(workbook, project, periods, buildings, overall):
    sheet = workbook.create_sheet(_("Collection rate")[:31])
    _bold(sheet, [_("Building"), _("Period"), _("Bills"), _("Billed"), _("Collected"), _("Written off"),
                  _("Outstanding"), _("Collection rate (%)"), _("Arrears collected in the month")])
    money, percent = (3, 4, 5, 6, 8), (7,)

    def rows(name, rates):
        for rate in rates:
            _money_row(sheet, [name, f"{rate.period:%Y-%m}", rate.bills, rate.billed, rate.collected,
                               rate.written_off, rate.outstanding, rate.rate, rate.arrears_collected],
                       money, percent)

    for building, rates in buildings:
        rows(str(building), rates)
    rows(_("Whole project: %(project)s") % {"project": project.name}, overall)
    sheet.column_dimensions["A"].width = 22
    for column in "BCDEFGHI":
        sheet.column_dimensions[column].width = 14


def workbook_response(actor, project, as_of, periods) -> HttpResponse:
    """The workbook of `project`: aging by building as at `as_of`, collection rates per building and period."""
    aging = reports.arrears_aging(actor, as_of=as_of, project=project)
    buildings = reports.building_collection_rates(actor, project, periods)
    overall = reports.collection_rate(actor, project, periods)
    workbook = Workbook()
    _aging_sheet(workbook, aging)
    _rate_sheet(workbook, project, periods, buildings, overall)
    content = io.BytesIO()
    workbook.save(content)
    return attachment(HttpResponse(content.getvalue(), content_type=XLSX),
                      download_name("欠费账龄与收缴率", project.name, f"{as_of:%Y-%m-%d}", ext="xlsx"))
