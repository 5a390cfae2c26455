"""Periodic jobs of billing (run by the embedded scheduler or Celery beat, see wuye/core/scheduling.py)."""

from datetime import timedelta

from wuye.core.scheduling import periodic

from . import fanout  # noqa: F401  (registers the task billing.bill_chunk for the workers)
from .channels import expire_online_payments
from .passes import remind_expiring_passes
from .runs import continue_runs


@periodic(every=timedelta(seconds=5))
def continue_billing_runs():
    """Bill on every running billing run (started in the console or the API, or resumed after a crash)."""
    return [(run.pk, run.status, run.units_done) for run in continue_runs()]


@periodic(every=timedelta(minutes=5))
def expire_abandoned_payments():
    """Online payments left at the gateway for more than 30 minutes expire."""
    return expire_online_payments()


@periodic(every=timedelta(days=1))
def remind_parking_passes():
    """Owners whose monthly parking pass ends within WUYE_PARKING_PASS_REMINDER_DAYS are reminded (once per end)."""
    return remind_expiring_passes()
