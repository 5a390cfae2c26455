"""Two owners taking the last place at once (threads, PostgreSQL): one sign-up, the other a 409."""


import pytest
from django.db import connection

from wuye.community.activities import services
from wuye.community.activities.models import ActivitySignup
from wuye.core.errors import Conflict
from wuye.core.testing import run_at_once
from wuye.people.access import actor_for

from .helpers import NOW, plan, second_owner

pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")]



def test_two_owners_taking_the_last_place_at_once_get_one_place(world):
    activity = plan(world, capacity=1)
    first = actor_for(world.user("yezhu"))
    other_user, other_unit = second_owner(world)
    second = actor_for(other_user)
    unit = world.owner_unit("yezhu")
    results = run_at_once([
        lambda: services.sign_up(first, activity, unit=unit, at=NOW),
        lambda: services.sign_up(second, activity, unit=other_unit, at=NOW),
    ])
    assert sum(isinstance(r, ActivitySignup) for r in results) == 1, results
    conflicts = [r for r in results if isinstance(r, Conflict)]
    assert len(conflicts) == 1 and conflicts[0].status == 409
    assert conflicts[0].problems[0].field == "people"
    assert ActivitySignup.objects.filter(activity=activity).count() == 1
