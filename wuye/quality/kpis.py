"""KPIs read by people (skeleton: the report service is being written; signatures are the contract).

`kpi_report(actor, *, project=None, month)` → list[KpiRow]; `kpi_trend(actor, *, project=None, code, months=12,
end_month)` → list[(month, value)]; `kpi_records(actor, *, code, project, month)` → the drill-down records.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass
class KpiRow:
    code: str
    label: str
    unit: str
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    target: Decimal | None
    previous: Decimal | None
    status: str  # "green" | "amber" | "red" | "na"
    drill_url: str
    higher_is_better: bool = True


def kpi_report(actor, *, project=None, month: date) -> list[KpiRow]:
    return []


def kpi_trend(actor, *, project=None, code: str, months: int = 12, end_month: date) -> list[tuple[date, Decimal | None]]:
    return []


def kpi_records(actor, *, code: str, project=None, month: date):
    return []
