"""Arrears and collection (欠费账龄、收缴率) in the console: tables and inline SVG charts drawn on the server from
the figures of `billing.reports` (no chart library, no script)."""

from __future__ import annotations

import math
from decimal import Decimal
from urllib.parse import urlencode

from django.shortcuts import render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone

from wuye.core.access import scoped
from wuye.core.errors import InvalidInput
from wuye.tenancy.models import Project
from wuye.web.charts import nice_ceiling, short_label
from wuye.web.forms import date_param
from wuye.web.guards import staff_view

from .. import reports
from ..periods import parse_month

# Bucket colours, from recent (amber) to oldest (red); "not due" is only in the table.
BUCKET_COLOURS = {"b0_30": "#f5c26b", "b31_60": "#ec9a3c", "b61_90": "#d9622b", "b90_plus": "#b42318"}
RATE_COLOUR = "#0b5cad"


def aging_chart(rows: list[reports.AgingRow], *, with_project: bool, width: int = 760, limit: int = 20) -> dict:
    """A stacked horizontal bar per building (the `limit` with most overdue, largest first): one segment per
    bucket, the length proportional to the amount."""
    left, right, top, row_h, bar_h = 170, 90, 26, 26, 16
    shown = sorted((row for row in rows if row.total > 0), key=lambda row: -row.total)[:limit]
    peak = nice_ceiling(float(max((row.total for row in shown), default=Decimal(0))))
    plot_w = width - left - right
    height = top + row_h * max(len(shown), 1) + 12
    bars = []
    for index, row in enumerate(shown):
        y = top + index * row_h + (row_h - bar_h) / 2
        x, segments = float(left), []
        for key, label, amount in row.amounts():
            if amount <= 0:
                continue
            seg_w = plot_w * float(amount) / peak
            segments.append({"x": round(x, 1), "width": round(max(seg_w, 0.5), 1), "colour": BUCKET_COLOURS[key],
                             "label": label, "amount": amount, "bills": row.bills.get(key, 0)})
            x += seg_w
        label = f"{row.project} {row.building}" if with_project else row.building
        bars.append({"label": label, "short_label": short_label(label, 14), "y": round(y, 1),
                     "text_y": round(y + bar_h / 2, 1), "height": bar_h, "segments": segments, "total": row.total,
                     "total_x": round(x + 6, 1)})
    ticks = [{"x": round(left + plot_w * fraction, 1), "value": f"{peak * fraction:,.0f}"}
             for fraction in (0, 0.25, 0.5, 0.75, 1)]
    return {"width": width, "height": height, "left": left, "top": top, "bottom": height - 12, "bars": bars,
            "ticks": ticks, "more": max(len([r for r in rows if r.total > 0]) - len(shown), 0)}


def rate_chart(rows: list[reports.PeriodRate], *, width: int = 760, height: int = 240) -> dict:
    """A bar per period, its height the collection rate (0–100 %), the figure above it; the line joins the bars."""
    left, right, top, bottom = 44, 16, 18, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    slot = plot_w / max(len(rows), 1)
    every = math.ceil(len(rows) / 12) or 1  # at most 12 period labels under the bars, so they never overlap
    bars = []
    for index, row in enumerate(rows):
        cx = left + slot * (index + 0.5)
        rate = row.rate
        bar_h = plot_h * float(rate) / 100 if rate is not None else 0
        bars.append({"x": round(cx - slot * 0.3, 1), "width": round(slot * 0.6, 1), "cx": round(cx, 1),
                     "y": round(top + plot_h - bar_h, 1), "height": round(bar_h, 1), "rate": rate,
                     "label": row.period.strftime("%Y-%m"),
                     "axis_label": row.period.strftime("%Y-%m") if index % every == 0 else "",
                     "billed": row.billed, "collected": row.collected})
    ticks = [{"y": round(top + plot_h * (1 - percent / 100), 1), "percent": percent}
             for percent in (0, 25, 50, 75, 100)]
    line = " ".join(f"{bar['cx']},{bar['y']}" for bar in bars if bar["rate"] is not None)
    return {"width": width, "height": height, "left": left, "right_x": width - right, "bottom_y": top + plot_h,
            "label_y": top + plot_h + 18, "bars": bars, "ticks": ticks, "line": line, "colour": RATE_COLOUR}


def _accounts_url() -> str | None:
    try:
        return reverse("billing:accounts")
    except NoReverseMatch:
        return None


@staff_view(reads="billing.reports")
def reports_page(request):
    actor = request.actor
    projects = list(scoped(Project.objects.active(), actor).only("id", "name").order_by("id"))
    project_param = request.GET.get("project") or ""
    project = next((p for p in projects if str(p.pk) == project_param), None)
    as_of = date_param(request.GET.get("as_of"), timezone.localdate())
    aging = reports.arrears_aging(actor, as_of=as_of, project=project)

    periods, problem = reports.default_periods(), None
    try:
        first = parse_month(request.GET["from"], "from") if request.GET.get("from") else periods[0]
        last = parse_month(request.GET["to"], "to") if request.GET.get("to") else periods[-1]
        periods = reports.months_between(first, last)
    except InvalidInput as error:
        problem = error.message
    rate_project = project or (projects[0] if projects else None)
    rates = reports.collection_rate(actor, rate_project, periods) if rate_project else []

    accounts = _accounts_url()
    for row in aging.rows:  # the building's debtors on the accounts page
        query = {"project": row.project_id, "building": row.building_id, "arrears": 1}
        row.accounts_url = f"{accounts}?{urlencode(query)}" if accounts else None
    return render(request, "billing/reports/reports.html", {
        "projects": projects, "project": project, "as_of": as_of, "aging": aging,
        "buckets": [(key, label, BUCKET_COLOURS[key]) for key, label, *_rest in reports.BUCKETS],
        "aging_chart": aging_chart(aging.rows, with_project=project is None and len(projects) > 1),
        "rate_project": rate_project, "rates": rates, "rate_chart": rate_chart(rates) if rates else None,
        "first": periods[0], "last": periods[-1], "period_problem": problem,
        "rate_totals": _rate_totals(rates),
    })


def _rate_totals(rates: list[reports.PeriodRate]) -> reports.PeriodRate | None:
    if not rates:
        return None
    total = reports.PeriodRate(period=rates[0].period)
    for row in rates:
        total.bills += row.bills
        total.open_bills += row.open_bills
        total.billed += row.billed
        total.collected += row.collected
        total.written_off += row.written_off
        total.arrears_collected += row.arrears_collected
    return total


urlpatterns = [path("console/billing/reports/", reports_page, name="reports")]
