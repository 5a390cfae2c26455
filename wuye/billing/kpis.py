"""Billing's KPI: the collection rate (收缴率), registered from `registry.register()`.

One formula, `reports.collection_rate` (collected / (billed − written off) of the billing periods): this module
only sums its figures over projects and months, so the KPI and the collection report never disagree. A KPI month
is the billing period of that month; the trailing 12 months are 12 periods pooled.
"""

from decimal import Decimal

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from wuye.core.kpis import PERCENT, DrillRow, Figure, Kpi, annotate_counted, register_kpi
from wuye.tenancy.models import Project

from .models import Bill
from .periods import add_months
from .reports import collection_rate


def _periods(start, end) -> list:
    period, periods = start.replace(day=1), []
    while period < end:
        periods.append(period)
        period = add_months(period, 1)
    return periods


def collection_count(project_ids, start, end) -> Figure:
    """Σ collected / Σ (billed − written off) over the projects and the periods of [start, end)."""
    periods = _periods(start, end)
    total = Figure()
    for project in Project.objects.filter(pk__in=project_ids).order_by("pk"):
        for rate in collection_rate(None, project, periods):
            total = total + Figure(rate.collected, rate.billed - rate.written_off)
    return total


PAID = Q(paid__gt=0)


def collection_records(project_ids, start, end):
    """The bills of those periods (the denominator's amounts); `kpi_counted` when something of one is paid."""
    bills = Bill.objects.filter(project_id__in=project_ids, period__in=_periods(start, end))
    return annotate_counted(bills.select_related("unit", "unit__building", "item"), PAID).order_by("period", "id")


def describe_bills(bills) -> list[DrillRow]:
    rows = []
    for bill in bills:
        title = _("%(unit)s · %(item)s %(period)s · ¥%(amount)s billed, ¥%(paid)s paid") % {
            "unit": bill.unit, "item": bill.item, "period": f"{bill.period:%Y-%m}" if bill.period else "",
            "amount": bill.amount, "paid": bill.paid}
        rows.append(DrillRow(id=bill.pk, kind=str(_("Bill")), title=str(title), counted=bool(bill.kpi_counted),
                             link=reverse("billing:unit_account", args=[bill.unit_id])))
    return rows


def register() -> None:
    register_kpi(Kpi("collection_rate", _("Collection rate"), PERCENT, Decimal(95), collection_count,
                     collection_records, describe=describe_bills, order=100, resource="billing.accounts",
                     numerator_label=_("collected (¥)"), denominator_label=_("collectable (¥)")))
