"""The open inbox (`?project=…&open=true`, newest first) reads the partial index `ticket_open_inbox`: the page in
index order with no sort, the count over the open tickets only (PostgreSQL)."""

import pytest
from django.db import connection

from wuye.workorders.api import _with_next_due
from wuye.workorders.models import Ticket
from wuye.workorders.queries import TicketQuery, filter_tickets

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL plans")


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a test database is too small for the planner to care
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_open_inbox_page_and_count_use_the_partial_index(world):
    for _ in range(3):
        world.ticket(world.project1)
    inbox = _with_next_due(filter_tickets(Ticket.objects.for_listing(), TicketQuery(project=world.project1.pk,
                                                                                    open=True)))
    page = _plan(inbox[:50])
    assert "ticket_open_inbox" in page and "Sort Key: workorders_ticket" not in page
    assert "ticket_open_inbox" in _plan(inbox.order_by().values("pk"))
