from datetime import timedelta

from wuye.core.scheduling import periodic

from .engine import sweep


@periodic(every=timedelta(minutes=1))
def sweep_clocks():
    """Warn at 80 % and escalate overdue time limits through the outbox."""
    return sweep().actions
