"""Statement budgets of the ticket write path over the API: a create, a dispatch and an accept (issue 16).

Each is measured on the second request of its kind, as a running server sees it: the token's last use was written
this minute, content types and the SLA policies are in the process's caches. The counts include the test's own
SAVEPOINT/RELEASE around the request's transaction (on a server that transaction's BEGIN/COMMIT are not counted)."""

import pytest

from wuye.core.events import timeline
from wuye.sla import engine
from wuye.sla.models import Clock, Policy
from wuye.tenancy.models import Unit
from wuye.workorders.models import Ticket

CREATE_BUDGET = 8
DISPATCH_BUDGET = 39  # pinned at what they make today (full detail answer included); not yet cut
ACCEPT_BUDGET = 16


@pytest.fixture
def unit(world):
    return Unit.objects.filter(project=world.project1).order_by("id").first()


def _create(client, unit):
    created = client.post("/api/v1/tickets", {"kind": "repair", "unit_id": unit.pk, "description": "漏水",
                                              "contact_phone": "13812345678"})
    assert created.status_code == 201, created.content
    return created.json()


def test_a_create_stays_within_its_statement_budget(world, api, unit, django_assert_max_num_queries):
    kefu = api("kefu")
    _create(kefu, unit)
    with django_assert_max_num_queries(CREATE_BUDGET):
        body = _create(kefu, unit)
    # Nothing the create promises is lost: its events, its clock and the running deadline in the answer.
    ticket = Ticket.objects.get(pk=body["id"])
    assert [event.verb for event in timeline(ticket)] == ["ticket.created", "sla.started"]
    assert [d["key"] for d in body["deadlines"]] == ["repair.general.dispatch"]
    assert body["deadlines"][0]["state"] == "running"
    assert Clock.objects.for_subject(ticket).count() == 1
    assert "timeline" not in body and body["actions"]


def test_a_changed_policy_is_seen_by_the_next_create(world, api, unit):
    kefu = api("kefu")
    first = _create(kefu, unit)
    assert engine._POLICY_CACHE  # the first create filled the cache
    policy = Policy.objects.get(standard__code=engine.DEFAULT_STANDARD, key="repair.general.dispatch")
    policy.target = policy.target * 2
    policy.save()  # post_save empties the cache
    assert not engine._POLICY_CACHE
    second = _create(kefu, unit)
    first_span = Clock.objects.get(pk=Clock.objects.for_subject(Ticket.objects.get(pk=first["id"])).get().pk)
    second_span = Clock.objects.for_subject(Ticket.objects.get(pk=second["id"])).get()
    assert second_span.due_at - second_span.started_at == 2 * (first_span.due_at - first_span.started_at)


@pytest.mark.django_db
def test_the_bench_floor_writes_the_rows_of_a_create(world, api, unit, settings):
    settings.ROOT_URLCONF = "bench.urls"
    kefu = api("kefu")
    answer = kefu.post("/bench/floor/tickets", {"unit_id": unit.pk, "description": "漏水", "contact_phone": "138"})
    assert answer.status_code == 201, answer.content
    ticket = Ticket.objects.get(pk=answer.json()["id"])
    assert [event.verb for event in timeline(ticket)] == ["ticket.created", "sla.started"]
    assert Clock.objects.for_subject(ticket).get().key == "repair.general.dispatch"
    kefu.headers = {"HTTP_AUTHORIZATION": "Bearer nope"}
    assert kefu.post("/bench/floor/tickets", {"unit_id": unit.pk, "description": "x"}).status_code == 401


def _count_action(client, ticket_id, action, **body):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        answer = client.post(f"/api/v1/tickets/{ticket_id}/actions/{action}", body)
    assert answer.status_code == 200, answer.content
    return len(queries)


def test_dispatch_and_accept_stay_within_their_statement_budgets(world, api, unit):
    kefu, gongcheng = api("kefu"), api("gongcheng")
    engineer = world.user("gongcheng")
    warm = _create(kefu, unit)
    _count_action(kefu, warm["id"], "dispatch", assignee_id=engineer.pk)
    _count_action(gongcheng, warm["id"], "accept")
    ticket = _create(kefu, unit)
    dispatch = _count_action(kefu, ticket["id"], "dispatch", assignee_id=engineer.pk)
    accept = _count_action(gongcheng, ticket["id"], "accept")
    assert dispatch <= DISPATCH_BUDGET and accept <= ACCEPT_BUDGET
