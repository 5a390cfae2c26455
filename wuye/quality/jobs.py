"""Periodic jobs of quality (run by the embedded scheduler or Celery beat, see wuye/core/scheduling.py).
Other quality features add their jobs here."""

from datetime import timedelta

from django.utils import timezone

from wuye.core.scheduling import periodic

from .inspections import generate_planned_inspections


@periodic(every=timedelta(hours=1))
def generate_inspections():
    """Create today's planned inspections (daily, Monday's weekly, the 1st's monthly and quarterly ones)."""
    return len(generate_planned_inspections(timezone.localdate()))


@periodic(every=timedelta(hours=1))
def close_finished_surveys():
    """Close the satisfaction surveys whose closing day has passed (wuye.quality.surveys)."""
    from .surveys import close_finished_surveys as close

    return len(close(timezone.localdate()))
