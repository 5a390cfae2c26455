"""Demo: the monthly quality reports (月度品质报告) of the last three months, as the job would have left them on
each 1st, so the reports page has documents to open."""

from __future__ import annotations

from datetime import date

from wuye.quality.reports import generate_monthly_report
from wuye.tenancy.models import Company


def _months_before(today: date, count: int) -> list[date]:
    months, year, month = [], today.year, today.month
    for _ in range(count):
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        months.append(date(year, month, 1))
    return months


def add_demo_reports(company: Company, today: date) -> dict:
    made = 0
    for project in company.projects.order_by("id"):
        for month in reversed(_months_before(today, 3)):
            made += generate_monthly_report(project, month)[1]
    return {"reports": made}
