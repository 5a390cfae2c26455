"""The ticket inbox costs the same number of queries for 3 tickets as for 30 (no N+1)."""

from wuye.workorders.models import Category


def test_inbox_query_count_does_not_grow_with_tickets(world, api, django_assert_max_num_queries):
    kefu = api("kefu")
    leak = Category.objects.get(project=world.project1, code="leak")
    for _ in range(30):
        world.ticket(world.project1, category=leak)
    with django_assert_max_num_queries(6):  # token, actor (2), count, page, content type
        body = kefu.get("/api/v1/tickets", project=world.project1.pk, open=True, page_size=50).json()
    assert body["count"] == 30 and body["items"][0]["category"] == "给排水 › 漏水渗水"
