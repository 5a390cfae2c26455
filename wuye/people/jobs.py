"""Periodic work on owner records."""

from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone

from wuye.core.access import Role
from wuye.core.outbox import notify
from wuye.core.scheduling import periodic

from .models import OWNING_RELATIONS, Resident
from .services import staff_with_role


def incomplete_owner_records(project_ids=None):
    """Per project: current owners and how many of their records lack an ID number (§1 completeness)."""
    owners = Resident.objects.filter(
        residencies__ended_on__isnull=True, residencies__relation__in=OWNING_RELATIONS
    ).distinct()
    if project_ids is not None:
        owners = owners.filter(project_id__in=project_ids)
    return (
        owners.values("project_id", "project__name")
        .annotate(owners=Count("id", distinct=True), missing_id=Count("id", filter=Q(id_number=""), distinct=True))
        .order_by("project_id")
    )


@periodic(every=timedelta(days=1))
def check_owner_records():
    """Monthly completeness check of owner records: tell each project's customer-service supervisors (once a
    month) how many owners still lack an ID number."""
    month = timezone.localdate().strftime("%Y-%m")
    sent = 0
    for row in incomplete_owner_records():
        if not row["missing_id"]:
            continue
        # Company-wide supervisors (all projects) are told too: the one staff lookup includes them.
        supervisors = staff_with_role(Role.CUSTOMER_SERVICE, row["project_id"], supervisors_only=True)
        sent += len(notify(
            supervisors,
            f"{row['project__name']}：{row['missing_id']} 户业主档案缺少身份证号",
            f"{month} 业主档案完整性检查：共 {row['owners']} 位业主，{row['missing_id']} 位缺少身份证号，请补录。",
            link="/console/residents/",
            dedupe_key=f"owner-records:{row['project_id']}:{month}",
        ))
    return sent
