"""Periodic jobs of the ground floor."""

from datetime import timedelta

from .outbox import deliver_due
from .scheduling import beat, current_engine, periodic


@periodic(every=timedelta(seconds=30))
def deliver_notifications():
    """Deliver due outbox messages (e-mail, SMS, WeChat) with retries."""
    return deliver_due()


@periodic(every=timedelta(seconds=30))
def heartbeat():
    """Say that the engine running the jobs is alive (through Celery: beat, the broker and a worker, end to end)."""
    return beat(current_engine.get()).isoformat()
