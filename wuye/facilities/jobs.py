"""Facilities jobs (wuye.core.scheduling.periodic)."""

from datetime import date, timedelta

from wuye.core.scheduling import periodic


# -- maintenance plans (PLANS) -----------------------------------------------------------------------------------
@periodic(every=timedelta(hours=1))
def generate_tasks() -> int:
    """Make the maintenance plans' tasks (with their time limits) up to each plan's lead days ahead."""
    from .plans import generate_tasks as generate

    return generate()


# -- contractor qualifications (LABELS) -------------------------------------------------------------------------
@periodic(every=timedelta(hours=24))
def warn_contractor_qualifications(today: date | None = None) -> int:
    """Warn the engineering supervisors of every project that uses a contractor whose qualification expires
    within WUYE_CONTRACTOR_WARNING_DAYS days (SPEC §4: 30 days ahead) or has expired. One message per
    contractor, expiry date and recipient, ever: a rerun (or the next day's run) sends nothing new; a renewed
    qualification (a new date) is warned about afresh when its time comes. Returns the messages written."""
    from django.db import transaction
    from django.urls import NoReverseMatch, reverse
    from django.utils import timezone
    from django.utils.translation import gettext as _

    from wuye.core.access import Role
    from wuye.core.outbox import notify
    from wuye.core.sentences import format_date
    from wuye.people.services import staff_with_role

    from .models import Contractor, Equipment, EquipmentStatus
    from .register import qualification_state, warning_days

    today = today or timezone.localdate()
    horizon = today + timedelta(days=warning_days())
    try:
        link = reverse("facilities:contractors")
    except NoReverseMatch:  # the contractors page is the register's; until it is there, the message stands alone
        link = ""
    contractors = Contractor.objects.filter(is_active=True, qualification_expires_on__isnull=False,
                                            qualification_expires_on__lte=horizon).order_by("pk")
    written = 0
    for contractor in contractors:
        expires = contractor.qualification_expires_on
        # The register's rule says which of the two it is (the query above only narrows the candidates).
        phase = qualification_state(contractor, today)
        if phase not in ("expired", "expiring"):
            continue
        project_ids = sorted(set(Equipment.objects.filter(contractor=contractor)
                                 .exclude(status=EquipmentStatus.SCRAPPED)
                                 .values_list("project_id", flat=True)))
        if not project_ids:
            continue  # serves nothing on our register: nobody's equipment is at risk
        recipients: list = []
        for project_id in project_ids:
            people = staff_with_role(Role.ENGINEERING, project_id, supervisors_only=True) \
                or staff_with_role(Role.ENGINEERING, project_id)  # no supervisor named: the department
            recipients.extend(person for person in people if person not in recipients)
        if not recipients:
            continue
        if phase == "expired":
            subject = _("Qualification of %(contractor)s expired on %(date)s") % {
                "contractor": contractor.name, "date": format_date(expires)}
        else:
            subject = _("Qualification of %(contractor)s expires on %(date)s (in %(days)s days)") % {
                "contractor": contractor.name, "date": format_date(expires), "days": (expires - today).days}
        body = _("%(contractor)s maintains equipment of your project. Ask for the renewed qualification "
                 "certificate (%(number)s) and record its new expiry date, or arrange another contractor.") % {
            "contractor": contractor.name, "number": contractor.qualification_number or "—"}
        # Once before the date and once more after it, per expiry date.
        with transaction.atomic():
            written += len(notify(recipients, subject, body, link=link, source=contractor,
                                  dedupe_key=f"facilities.contractor_qualification:{contractor.pk}:{expires}:{phase}"))
    return written
