"""Periodic jobs of order and security (patrol rounds generated and opened, rounds closed, expired passes and slips)."""

from datetime import timedelta

from wuye.core.scheduling import periodic


# -- patrols -----------------------------------------------------------------------------------------------------
@periodic(every=timedelta(minutes=30))
def generate_patrol_rounds() -> int:
    """Plan the patrol rounds (with their checkpoints) of the next 36 hours for every active route."""
    from .patrols import generate_rounds

    return generate_rounds()


@periodic(every=timedelta(minutes=1))
def open_patrol_rounds() -> int:
    """Open the patrol rounds whose start has come and start their checkpoint and round clocks."""
    from .patrols import open_due_rounds

    return open_due_rounds()


@periodic(every=timedelta(minutes=1))
def close_patrol_rounds() -> int:
    """Close the patrol rounds whose window has ended: completed, incomplete or missed."""
    from .patrols import close_due_rounds

    return close_due_rounds()
