"""The complaint ledger (投诉台账) by day, week or month: the page and its CSV/Excel export."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wuye.core.access import scoped
from wuye.core.downloads import attachment
from wuye.core.pii import mask_phone, mask_text
from wuye.core.spreadsheets import safe_row, xlsx_row
from wuye.people.models import DEPARTMENTS
from wuye.tenancy.models import Project
from wuye.web.forms import date_param
from wuye.web.guards import staff_view

from .. import reports
from ..models import Status
from .common import project_param

LEDGER_HEADER = (
    gettext_lazy("No."), gettext_lazy("Ticket"), gettext_lazy("Received"), gettext_lazy("Project"),
    gettext_lazy("Unit or location"), gettext_lazy("Contact"), gettext_lazy("Contact phone"),
    gettext_lazy("Category"), gettext_lazy("Urgency"), gettext_lazy("Complaint (as recorded)"),
    gettext_lazy("Responsible department"), gettext_lazy("Status"), gettext_lazy("Handling result"),
    gettext_lazy("Reply"), gettext_lazy("Improvement measure"), gettext_lazy("Return-visit score"),
    gettext_lazy("Return-visit comment"),
)


PERIODS = {"day": gettext_lazy("By day"), "week": gettext_lazy("By week"), "month": gettext_lazy("By month")}
STEPS = {"day": (gettext_lazy("Previous day"), gettext_lazy("Next day")),
         "week": (gettext_lazy("Previous week"), gettext_lazy("Next week")),
         "month": (gettext_lazy("Previous month"), gettext_lazy("Next month"))}


def _period_label(first: date, last: date) -> str:
    return first.isoformat() if first == last else f"{first.isoformat()}～{last.isoformat()}"


def _step(day: date, period: str, forward: bool) -> date:
    """The same place in the next or previous period (a month steps to the first of the month)."""
    if period == "month":
        first = day.replace(day=1)
        return (first + timedelta(days=32)).replace(day=1) if forward else (first - timedelta(days=1)).replace(day=1)
    days = 7 if period == "week" else 1
    return day + timedelta(days=days if forward else -days)


def _ledger_rows(tickets, *, show_pii: bool, one_day: bool = True):
    """The ledger's cells; exports always mask personal data (§1), the page only for roles without PII access."""
    for index, ticket in enumerate(tickets, start=1):
        where = ticket.unit.label if ticket.unit_id else (ticket.location or _("Public area"))
        description = ticket.description if show_pii else mask_text(ticket.description)
        yield [
            index, ticket.number, timezone.localtime(ticket.created_at).strftime("%H:%M" if one_day else "%m-%d %H:%M"),
            ticket.project.name,
            where, ticket.contact_name, ticket.contact_phone if show_pii else mask_phone(ticket.contact_phone),
            str(ticket.category) if ticket.category_id else "", ticket.get_urgency_display(), description,
            str(DEPARTMENTS.get(ticket.responsible_role, "")) if ticket.responsible_role else "",
            ticket.get_status_display(), ticket.resolution, ticket.reply, ticket.improvement,
            ticket.satisfaction or "", ticket.visit_comment,
        ]


def _ledger_export(first, last, project, tickets, fmt):
    header = [str(title) for title in LEDGER_HEADER]
    rows = list(_ledger_rows(tickets, show_pii=False, one_day=first == last))
    span = first.isoformat() if first == last else f"{first.isoformat()}至{last.isoformat()}"
    filename = f"{_('Complaint ledger')}_{project.name + '_' if project else ''}{span}"
    if fmt == "xlsx":
        from openpyxl import Workbook
        from openpyxl.styles import Alignment, Font

        book = Workbook()
        sheet = book.active
        sheet.title = first.isoformat()
        sheet.append([_("Complaint ledger %(day)s") % {"day": _period_label(first, last)}])
        sheet["A1"].font = Font(bold=True, size=14)
        sheet.append(header)
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(xlsx_row(sheet, row))  # complaints are owners' words: "=HYPERLINK(…)" stays text
        widths = (5, 20, 8, 12, 14, 10, 14, 16, 8, 40, 14, 10, 30, 30, 30, 8, 24)
        for column, width in zip("ABCDEFGHIJKLMNOPQ", widths, strict=True):
            sheet.column_dimensions[column].width = width
        for row in sheet.iter_rows(min_row=3):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.freeze_panes = "A3"
        buffer = io.BytesIO()
        book.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
        return attachment(response, f"{filename}.xlsx")
    buffer = io.StringIO()
    buffer.write("\ufeff")  # so that Excel opens the Chinese text as UTF-8
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(safe_row(row) for row in rows)
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    return attachment(response, f"{filename}.csv")


@staff_view(reads="workorders.complaint_reports")
def ledger(request):
    actor = request.actor
    today = timezone.localdate()
    day = date_param(request.GET.get("date"), today)
    project = project_param(request)
    period = request.GET.get("period")
    period = period if period in PERIODS else "day"
    first, last = reports.period_days(day, period)
    tickets = list(reports.complaint_ledger(actor, day, project, period=period))
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        return _ledger_export(first, last, project, tickets, fmt)
    show_pii = actor.may("people.view_pii")
    closed = sum(1 for t in tickets if t.status == Status.CLOSED)
    satisfaction = reports.satisfaction_of(tickets)  # return visits and owners' own ratings alike
    return render(request, "workorders/ledger.html", {
        "day": day, "period": period, "first": first, "last": last,
        "periods": [{"key": key, "label": label, "query": urlencode({
            "date": day.isoformat(), "period": key, **({"project": project.pk} if project else {})})}
            for key, label in PERIODS.items()],
        "steps": STEPS[period], "previous": _step(day, period, False),
        "next": _step(day, period, True) if last < today else None,
        "project": project, "projects": scoped(Project.objects.active(), actor).only("id", "name"),
        "rows": list(zip(tickets, _ledger_rows(tickets, show_pii=show_pii, one_day=first == last), strict=True)),
        "summary": {"total": len(tickets), "closed": closed, "open": len(tickets) - closed,
                    "major": sum(1 for t in tickets if t.is_major),
                    "average": satisfaction.average},
        "query": urlencode({"date": day.isoformat(), "period": period,
                            **({"project": project.pk} if project else {})}),
    })


urlpatterns = [
    path("console/complaints/ledger/", ledger, name="ledger"),
]
