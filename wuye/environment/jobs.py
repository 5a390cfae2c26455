"""Periodic jobs of the environment (tasks generated and clocks started, tasks not done closed)."""

from datetime import timedelta

from wuye.core.scheduling import periodic


@periodic(every=timedelta(minutes=5))
def cleaning_tasks() -> dict:
    """Make the cleaning tasks of the next 36 hours, start the clocks of those whose time has come and close the
    tasks of days gone by as not done."""
    from django.utils import timezone

    from .cleaning import close_past_tasks, generate_tasks, start_due_clocks

    now = timezone.now()
    return {"made": generate_tasks(now), "started": start_due_clocks(now), "closed": close_past_tasks(now)}
