"""The API's platform endpoints: health, docs, tokens, the caller's profile and in-app inbox (§9)."""

import re

from wuye.core.models import Notification


def test_healthz_reports_the_database(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_docs_are_served_without_a_cdn(client, db):
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert b"/static/ninja/swagger-ui" in response.content
    assert b"cdn" not in response.content.lower()
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "/api/v1/units" in paths and "/api/v1/owners" in paths


def test_token_identifies_the_user_and_times_carry_the_shanghai_offset(world, api):
    response = api().post("/api/v1/auth/token", {"username": "kefu", "password": "wuye-demo"})
    body = response.json()
    assert body["user"]["username"] == "kefu"
    assert body["user"]["role"] == "customer_service"
    assert body["user"]["project_ids"] == [world.project1.pk]
    assert re.search(r"\+08:00$", body["expires_at"])


def test_a_forged_token_is_refused(world, api):
    client = api()
    client.headers = {"HTTP_AUTHORIZATION": "Bearer not-a-token"}
    assert client.get("/api/v1/me").status_code == 401


def test_owner_profile_lists_own_units_only(world, api):
    me = api("yezhu").get("/api/v1/me").json()
    assert me["role"] == "owner"
    assert [u["unit_id"] for u in me["units"]] == [world.owner_unit("yezhu").pk]


def test_staff_profile_names_department_and_projects(world, api):
    me = api("pinzhi").get("/api/v1/me").json()
    assert me["role"] == "quality"
    assert me["project_ids"] is None  # company-wide


def test_inbox_shows_own_messages_and_marks_them_read(world, api):
    yezhu = api("yezhu")
    inbox = yezhu.get("/api/v1/me/notifications").json()
    assert len(inbox) == 1 and not inbox[0]["read"]
    assert yezhu.post(f"/api/v1/me/notifications/{inbox[0]['id']}/read").json()["read"] is True
    assert yezhu.get("/api/v1/me/notifications", unread=True).json() == []


def test_nobody_reads_another_persons_message(world, api):
    message = Notification.objects.get(recipient__username="yezhu2")
    assert api("yezhu").post(f"/api/v1/me/notifications/{message.pk}/read").status_code == 404
    assert Notification.objects.get(pk=message.pk).read_at is None


def test_a_database_that_went_away_is_a_503_to_send_again_not_a_500(api, monkeypatch):
    """make chaos: while PostgreSQL restarts, requests met OperationalError and answered 500 "went wrong on our
    side"; they are a 503 with Retry-After and the error format."""
    from django.db import OperationalError

    def gone(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    client = api("kefu")
    monkeypatch.setattr("wuye.workorders.api.filter_tickets", gone)
    response = client.get("/api/v1/tickets")
    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    assert "try again" in response.json()["detail"] or "稍后" in response.json()["detail"]
