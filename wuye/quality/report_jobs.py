"""The monthly quality report's job (imported by registry.py; the embedded scheduler or Celery beat runs it)."""

from datetime import timedelta

from django.utils import timezone

from wuye.core.scheduling import periodic

from .reports import generate_monthly_reports


@periodic(every=timedelta(hours=1))
def generate_monthly_quality_reports():
    """Last month's quality report of every active project, once each (stored, then announced): made on the 1st,
    caught up on a later day if the 1st was missed."""
    return [report.pk for report in generate_monthly_reports(timezone.localdate())]
