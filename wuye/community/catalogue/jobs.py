"""Periodic work of paid services."""

from datetime import timedelta

from wuye.core.scheduling import periodic


@periodic(timedelta(minutes=15))
def settle_paid_orders():
    """Mark done service orders paid once billing says their bill is paid."""
    from .services import settle_paid_orders as settle

    return {"paid": settle()}
