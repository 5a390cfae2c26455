"""The monthly completeness check of owner records tells customer service once a month."""

import time_machine

from wuye.core.models import Notification
from wuye.people.jobs import check_owner_records, incomplete_owner_records
from wuye.people.models import Resident


def test_missing_id_numbers_are_counted_and_reported_once_a_month(world):
    owner = Resident.objects.filter(project=world.project1, residencies__relation="owner").first()
    Resident.objects.filter(pk=owner.pk).update(id_number="")
    rows = {row["project_id"]: row for row in incomplete_owner_records()}
    assert rows[world.project1.pk]["missing_id"] >= 1

    with time_machine.travel("2026-11-23 09:00 +0800"):
        assert check_owner_records() >= 1
        assert check_owner_records() == 0  # the same month: no second message
    message = Notification.objects.get(recipient__username="kefu", subject_line__contains="身份证")
    assert "锦华苑" in message.subject_line
    for other in Notification.objects.filter(recipient__username="kefu2", subject_line__contains="身份证"):
        assert "锦华苑" not in other.subject_line  # project 2's supervisor hears only of project 2

    with time_machine.travel("2026-12-02 09:00 +0800"):
        assert check_owner_records() >= 1  # a new month, a new reminder
