"""One way to find staff by role and project (people.services.staff_with_role)."""

import time_machine
from django.contrib.auth import get_user_model

from wuye.core.access import Role
from wuye.core.models import Notification
from wuye.people.jobs import check_owner_records
from wuye.people.models import Resident, StaffProfile
from wuye.people.services import staff_with_role
from wuye.tenancy.models import Company


def _staff(username, company, role, *, projects=(), all_projects=False, supervisor=False):
    user = get_user_model().objects.create_user(username=username, password="x")
    profile = StaffProfile.objects.create(user=user, company=company, role=role, all_projects=all_projects,
                                          is_supervisor=supervisor)
    profile.projects.set(projects)
    return user


def test_a_company_wide_supervisor_is_found_and_told_of_missing_owner_records(world):
    wide = _staff("kefu-hq", world.company, Role.CUSTOMER_SERVICE, all_projects=True, supervisor=True)
    local = _staff("kefu-p1", world.company, Role.CUSTOMER_SERVICE, projects=[world.project1], supervisor=True)
    elsewhere = _staff("kefu-other", Company.objects.create(name="别家物业"), Role.CUSTOMER_SERVICE,
                       all_projects=True, supervisor=True)

    found = staff_with_role(Role.CUSTOMER_SERVICE, world.project1, supervisors_only=True)
    assert wide in found and local in found and elsewhere not in found  # another company's staff never
    assert wide not in staff_with_role(Role.CUSTOMER_SERVICE, world.project1, supervisors_only=True,
                                       include_company_wide=False)
    assert local not in staff_with_role(Role.CUSTOMER_SERVICE, world.project2.pk)

    owner = Resident.objects.filter(project=world.project1, residencies__relation="owner").first()
    Resident.objects.filter(pk=owner.pk).update(id_number="")
    with time_machine.travel("2026-11-03 09:00 +0800", tick=False):
        assert check_owner_records() >= 1
    # The monthly reminder used to ask for project members only and skipped the company-wide supervisor.
    assert Notification.objects.filter(recipient=wide, subject_line__contains="身份证").exists()
    assert not Notification.objects.filter(recipient=elsewhere).exists()
