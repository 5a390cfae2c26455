"""Refund deciders, improvement owners and the improvement form's owner list find staff through
people.services.staff_with_role: company-wide staff of the project's company count, another company's never."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model

from wuye.billing.refunds import _deciders
from wuye.core.access import Role
from wuye.core.errors import InvalidInput
from wuye.people.access import actor_for
from wuye.people.models import StaffProfile
from wuye.tenancy.models import Company
from wuye.workorders.forms import ImprovementForm
from wuye.workorders.improvements import create_improvement


def _staff(username, company, role, *, projects=(), all_projects=False, supervisor=False):
    user = get_user_model().objects.create_user(username=username, password="x")
    profile = StaffProfile.objects.create(user=user, company=company, role=role, all_projects=all_projects,
                                          is_supervisor=supervisor)
    profile.projects.set(projects)
    return user


@pytest.fixture
def staff(world):
    other = Company.objects.create(name="别家物业")
    return {
        "hq_manager": _staff("pm-hq", world.company, Role.PROJECT_MANAGER, all_projects=True),
        "p2_manager": _staff("pm-p2", world.company, Role.PROJECT_MANAGER, projects=[world.project2]),
        "finance_clerk": _staff("cw-p1", world.company, Role.FINANCE, projects=[world.project1]),
        "finance_lead": _staff("cw-lead", world.company, Role.FINANCE, projects=[world.project1], supervisor=True),
        "elsewhere": _staff("pm-other", other, Role.PROJECT_MANAGER, all_projects=True),
    }


def test_refund_deciders_are_the_projects_managers_and_finance_supervisors(world, staff):
    deciders = set(_deciders(world.project1.pk))
    assert {staff["hq_manager"], staff["finance_lead"], world.user("jingli")} <= deciders
    assert not {staff["p2_manager"], staff["finance_clerk"], staff["elsewhere"]} & deciders
    assert len(_deciders(world.project1.pk)) == len(deciders)  # each once


def test_an_improvement_owner_works_on_the_project(world, staff):
    actor = actor_for(world.user("pinzhi"))
    done = create_improvement(actor, project=world.project1, title="夜间巡查加一班", week=date(2026, 11, 2),
                              owner=staff["hq_manager"])
    assert done.owner == staff["hq_manager"]
    for outsider in (staff["elsewhere"], staff["p2_manager"]):
        with pytest.raises(InvalidInput) as refused:
            create_improvement(actor, project=world.project1, title="x", week=date(2026, 11, 2), owner=outsider)
        assert refused.value.problems[0].field == "owner_id"


def test_the_improvement_form_offers_staff_of_the_projects_in_scope(world, staff):
    offered = set(ImprovementForm(actor=actor_for(world.user("jingli"))).fields["owner"].queryset)
    assert {staff["hq_manager"], staff["finance_clerk"], world.user("kefu")} <= offered
    assert staff["elsewhere"] not in offered and staff["p2_manager"] not in offered
