"""Periodic work of the collection desk (run by the embedded scheduler or Celery beat, wuye/core/scheduling.py)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wuye.core.money import format_money
from wuye.core.outbox import notify
from wuye.core.scheduling import periodic

from .models import PROMISE_PENDING, ContactLog, FollowUp
from .services import overdue_owed

BATCH = 500


@periodic(every=timedelta(minutes=30))
def remind_promises(now: datetime | None = None) -> int:
    """On a household's promised date, remind the clerk who logged the promise (in-app, with the household's page).

    Each promise is claimed once (`reminded_at`, a conditional UPDATE) and told with a dedupe key, so two schedulers
    or a rerun tell nobody twice. A promise that a later contact replaced, or whose household owes nothing overdue
    any more, is marked handled without a message. Returns how many clerks were told."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    told = 0
    while True:
        due = list(ContactLog.objects.filter(PROMISE_PENDING, promised_on__lte=today)
                   .select_related("unit__building", "logged_by").order_by("promised_on", "id")[:BATCH])
        if not due:
            return told
        latest = dict(FollowUp.objects.filter(unit_id__in={c.unit_id for c in due})
                      .values_list("unit_id", "last_contact_id"))
        owed = overdue_owed({c.unit_id for c in due}, today)
        for contact in due:
            with transaction.atomic():
                claimed = ContactLog.objects.filter(pk=contact.pk, reminded_at__isnull=True).update(reminded_at=now)
                clerk = contact.logged_by
                if not claimed or latest.get(contact.unit_id) != contact.pk or not owed.get(contact.unit_id):
                    continue
                if clerk is None or not clerk.is_active:
                    continue
                subject = _("Follow up: %(unit)s promised to pay by %(date)s and still owes %(owed)s") % {
                    "unit": contact.unit.label, "date": f"{contact.promised_on:%m-%d}",
                    "owed": format_money(owed[contact.unit_id])}
                notify(clerk, subject, link=reverse("collection:household", args=[contact.unit_id]), source=contact,
                       dedupe_key=f"collection:promise:{contact.pk}")
                told += 1
