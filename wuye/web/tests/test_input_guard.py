"""A NUL character sent to a page is a 400 with a readable page, never a 500 (PostgreSQL cannot compare it)."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/console/tickets/?q=%00", "/console/residents/?q=a%00b",
                                 "/console/billing/accounts/?unit=1%00", "/h5/tickets/?x%00=1"])
def test_a_nul_in_a_page_link_is_refused_with_400(world, login, url):
    response = login("yezhu" if url.startswith("/h5/") else "kefu").get(url)
    assert response.status_code == 400
    assert "无法识别的字符" in response.content.decode()


def test_a_nul_in_a_posted_form_is_refused_before_the_view(login, world):
    from wuye.workorders.models import Ticket

    response = login("kefu").post("/console/tickets/new/", {"description": "漏水\x00", "kind": "repair"})
    assert response.status_code == 400 and not Ticket.objects.exists()


def test_the_api_keeps_naming_the_field(api):
    response = api("kefu").get("/api/v1/units", q="1\x00")
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "q"
