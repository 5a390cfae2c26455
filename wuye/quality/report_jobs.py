"""The monthly quality report's job (imported by registry.py; the embedded scheduler or Celery beat runs it)."""

from datetime import timedelta

from django.utils import timezone

from wuye.core.scheduling import periodic

from .reports import generate_monthly_reports


@periodic(every=timedelta(hours=1))
def generate_monthly_quality_reports():
    """On the 1st: last month's quality report of every active project, once each (stored, then announced)."""
    return [report.pk for report in generate_monthly_reports(timezone.localdate())]
