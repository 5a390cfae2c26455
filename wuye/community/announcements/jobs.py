"""Periodic jobs of announcements: scheduled notices published when their time comes, old ones expired."""

from datetime import timedelta

from wuye.core.scheduling import periodic


@periodic(every=timedelta(minutes=1), name="announcements.publish_due")
def publish_due_announcements() -> int:
    """Publish the scheduled announcements whose time has come (each once, its messages deduplicated)."""
    from .services import publish_due

    return publish_due()


@periodic(every=timedelta(minutes=10), name="announcements.expire_due")
def expire_due_announcements() -> int:
    """Expire the published announcements past their expiry (they leave the portal's community notices)."""
    from .services import expire_due

    return expire_due()
