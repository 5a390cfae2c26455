"""Periodic jobs of the ground floor."""

from datetime import timedelta

from .outbox import deliver_due
from .scheduling import periodic


@periodic(every=timedelta(seconds=30))
def deliver_notifications():
    """Deliver due outbox messages (e-mail, SMS, WeChat) with retries."""
    return deliver_due()
