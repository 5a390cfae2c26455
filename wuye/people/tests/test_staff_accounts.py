"""Staff accounts managed by the company administration (issue 10 §3): created with a role and projects, changed,
reset and deactivated through the API; every change an event on the staff member's record."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.urls import reverse

from conftest import ApiClient
from wuye.core.events import timeline
from wuye.core.models import ApiToken, UserSession
from wuye.people.access import actor_for
from wuye.people.models import StaffProfile
from wuye.people.staff import create_staff_member
from wuye.tenancy.models import Company, Project

User = get_user_model()
PASSWORD = "Qz7-staff-pass"


def patch(client: ApiClient, path: str, data: dict):
    return client.client.patch(path, json.dumps(data), content_type="application/json", **client.headers)


def events(user, verb=None):
    found = list(timeline(StaffProfile.objects.get(user=user)))
    return [e for e in found if verb is None or e.verb == verb]


@pytest.fixture
def renshi(world):
    """A company administrator who is not a superuser (the company's own HR desk)."""
    profile, _ = create_staff_member(actor_for(world.user("admin")), username="renshi", name="人事小周",
                                     role="company_admin", password=PASSWORD)
    return profile.user


@pytest.fixture
def other_company(world):
    """A second company with its own project and administrator."""
    company = Company.objects.create(name="别家物业", credit_code="91310000MA1K4XYZ9Q")
    project = Project.objects.create(company=company, code="other", name="别家小区", address="别处",
                                     work_calendar=world.project1.work_calendar)
    profile, _ = create_staff_member(actor_for(world.user("admin")), company_id=company.pk, username="bieren",
                                     name="别家管理员", role="company_admin", password=PASSWORD)
    return company, project, profile.user


def test_a_new_staff_member_signs_in_with_the_role_and_projects_given(world, api, renshi):
    admin = ApiClient("renshi", PASSWORD)
    response = admin.post("/api/v1/staff", {
        "username": "xiaoli", "name": "李工", "role": "engineering", "project_ids": [world.project1.pk],
        "phone": "138 1234 5678", "is_supervisor": False})
    assert response.status_code == 201, response.content
    body = response.json()
    otp = body["one_time_password"]
    assert len(otp) == 12 and body["project_ids"] == [world.project1.pk] and body["phone"] == "13812345678"
    me = ApiClient("xiaoli", otp).get("/api/v1/me").json()
    assert (me["role"], me["project_ids"], me["name"]) == ("engineering", [world.project1.pk], "李工")
    # The password is shown once: a second read of the record does not carry it.
    assert "one_time_password" not in admin.get(f"/api/v1/staff/{body['id']}").json()

    several = admin.post("/api/v1/staff", {"username": "xiaozhang", "name": "张会计", "role": "finance",
                                           "project_ids": [world.project1.pk, world.project2.pk],
                                           "password": PASSWORD})
    assert several.status_code == 201 and several.json()["one_time_password"] is None
    assert sorted(ApiClient("xiaozhang", PASSWORD).get("/api/v1/me").json()["project_ids"]) == sorted(
        [world.project1.pk, world.project2.pk])
    everywhere = admin.post("/api/v1/staff", {"username": "xiaowu", "name": "吴品质", "role": "quality",
                                              "all_projects": True, "password": PASSWORD})
    assert everywhere.status_code == 201
    assert ApiClient("xiaowu", PASSWORD).get("/api/v1/me").json()["project_ids"] is None

    created = events(User.objects.get(username="xiaoli"), "staff.created")
    assert len(created) == 1 and created[0].actor.username == "renshi"
    assert created[0].data["role"] == "engineering" and created[0].data["projects"] == [world.project1.name]
    assert created[0].data["phone"] == "138****5678" and otp not in json.dumps(created[0].data)


def test_a_role_or_project_change_applies_on_the_next_request(world, api, renshi):
    admin = ApiClient("renshi", PASSWORD)
    created = admin.post("/api/v1/staff", {"username": "xiaoli", "name": "李工", "role": "engineering",
                                           "project_ids": [world.project1.pk], "password": PASSWORD}).json()
    staff = ApiClient("xiaoli", PASSWORD)
    assert staff.get(f"/api/v1/projects/{world.project2.pk}").status_code == 404
    assert staff.post(f"/api/v1/owners/{world.project1.residents.first().pk}/vehicles",
                      {"plate": "沪A12345"}).status_code == 403  # engineering records no vehicles

    response = patch(admin, f"/api/v1/staff/{created['id']}",
                     {"role": "security", "project_ids": [world.project1.pk, world.project2.pk]})
    assert response.status_code == 200, response.content
    assert staff.get("/api/v1/me").json()["role"] == "security"  # the same token, the next request
    assert staff.get(f"/api/v1/projects/{world.project2.pk}").status_code == 200
    assert staff.post(f"/api/v1/owners/{world.project1.residents.first().pk}/vehicles",
                      {"plate": "沪A12345"}).status_code == 201

    patch(admin, f"/api/v1/staff/{created['id']}", {"project_ids": [world.project2.pk], "is_supervisor": True})
    assert staff.get(f"/api/v1/projects/{world.project1.pk}").status_code == 404
    changes = [e.data for e in events(User.objects.get(username="xiaoli"), "staff.changed")]
    assert changes == [
        {"role_from": "engineering", "role_to": "security", "projects_added": [world.project2.name],
         "projects_removed": []},
        {"projects_added": [], "projects_removed": [world.project1.name], "is_supervisor": True},
    ]
    # Saving the same values again changes nothing and records nothing.
    patch(admin, f"/api/v1/staff/{created['id']}", {"project_ids": [world.project2.pk], "is_supervisor": True})
    assert len(events(User.objects.get(username="xiaoli"), "staff.changed")) == 2


def test_a_deactivated_staff_member_is_signed_out_everywhere_at_once(world, api, login):
    token_client = ApiClient("gongcheng")
    ApiClient("gongcheng")  # a second device
    browser = login("gongcheng")
    assert browser.get(reverse("web:console")).status_code == 200
    assert token_client.get("/api/v1/me").status_code == 200
    user = world.user("gongcheng")
    assert UserSession.objects.filter(user=user).count() == 1
    session_key = browser.cookies["sessionid"].value
    assert Session.objects.filter(session_key=session_key).exists()

    response = ApiClient("admin").post(f"/api/v1/staff/{user.pk}/deactivate")
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert token_client.get("/api/v1/me").status_code == 401
    assert not ApiToken.objects.filter(user=user).exists()
    page = browser.get(reverse("web:console"))
    assert page.status_code == 302 and page["Location"].startswith(reverse("web:login"))
    assert not Session.objects.filter(session_key=session_key).exists()  # the row itself is gone
    assert token_client.post("/api/v1/auth/token", {"username": "gongcheng", "password": "wuye-demo"}
                             ).status_code == 401
    [event] = events(user, "staff.deactivated")
    assert event.actor.username == "admin" and event.data == {"tokens_revoked": 2, "sessions_ended": 1}
    revoked = [e for e in timeline(user) if e.verb == "auth.token_revoked"]
    assert {e.data["reason"] for e in revoked} == {"deactivated"} and len(revoked) == 2

    # Other people's sessions stay; a leaver's list row says inactive; reactivation lets them sign in again.
    assert login("kefu").get(reverse("web:console")).status_code == 200
    listed = ApiClient("admin").get("/api/v1/staff", active="false").json()
    assert [row["username"] for row in listed["items"]] == ["gongcheng"]
    assert ApiClient("admin").post(f"/api/v1/staff/{user.pk}/reactivate").status_code == 200
    assert ApiClient("gongcheng").get("/api/v1/me").status_code == 200


def test_a_password_reset_gives_a_one_time_password_and_ends_the_old_sign_ins(world, api, login):
    old = ApiClient("caiwu")
    browser = login("caiwu")
    user = world.user("caiwu")
    response = ApiClient("admin").post(f"/api/v1/staff/{user.pk}/reset-password")
    assert response.status_code == 200, response.content
    otp = response.json()["one_time_password"]
    assert old.get("/api/v1/me").status_code == 401
    assert browser.get(reverse("web:console")).status_code == 302
    assert ApiClient().post("/api/v1/auth/token", {"username": "caiwu", "password": "wuye-demo"}).status_code == 401
    assert ApiClient("caiwu", otp).get("/api/v1/me").json()["role"] == "finance"

    chosen = ApiClient("admin").post(f"/api/v1/staff/{user.pk}/reset-password", {"password": PASSWORD})
    assert chosen.status_code == 200 and chosen.json() == {"one_time_password": None}
    ApiClient("caiwu", PASSWORD)
    weak = ApiClient("admin").post(f"/api/v1/staff/{user.pk}/reset-password", {"password": "123"})
    assert weak.status_code == 422 and weak.json()["errors"][0]["field"] == "password"
    resets = events(user, "staff.password_reset")
    assert [e.data["generated"] for e in resets] == [True, False]
    assert otp not in json.dumps([e.data for e in timeline(user)] + [e.data for e in resets])
    assert PASSWORD not in json.dumps([e.data for e in resets])


@pytest.mark.parametrize("username", ["kefu", "gongcheng", "caiwu", "jingli", "pinzhi", "kefu2", "yezhu"])
def test_only_the_company_administration_manages_staff(world, api, username):
    client = ApiClient(username)
    target = world.user("huanjing")
    before = User.objects.count()
    assert client.get("/api/v1/staff").status_code == 403
    assert client.get(f"/api/v1/staff/{target.pk}").status_code == 403
    assert client.post("/api/v1/staff", {"username": "x1", "name": "x", "role": "finance", "all_projects": True}
                       ).status_code == 403
    assert patch(client, f"/api/v1/staff/{target.pk}", {"role": "company_admin"}).status_code == 403
    assert client.post(f"/api/v1/staff/{target.pk}/deactivate").status_code == 403
    assert client.post(f"/api/v1/staff/{target.pk}/reset-password").status_code == 403
    assert User.objects.count() == before and world.user("huanjing").is_active


def test_another_companys_staff_are_not_found(world, api, renshi, other_company):
    _company, other_project, bieren = other_company
    theirs = ApiClient("bieren", PASSWORD)
    ours = world.user("huanjing")
    assert theirs.get(f"/api/v1/staff/{ours.pk}").status_code == 404
    assert patch(theirs, f"/api/v1/staff/{ours.pk}", {"role": "finance"}).status_code == 404
    assert theirs.post(f"/api/v1/staff/{ours.pk}/deactivate").status_code == 404
    assert theirs.post(f"/api/v1/staff/{ours.pk}/reset-password").status_code == 404
    assert [row["username"] for row in theirs.get("/api/v1/staff").json()["items"]] == ["bieren"]
    assert ApiClient("renshi", PASSWORD).get(f"/api/v1/staff/{bieren.pk}").status_code == 404
    # Our projects are not theirs to give, nor theirs ours.
    response = theirs.post("/api/v1/staff", {"username": "xiaoli", "name": "李", "role": "engineering",
                                             "project_ids": [world.project1.pk]})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "project_ids"
    response = patch(ApiClient("renshi", PASSWORD), f"/api/v1/staff/{ours.pk}", {"project_ids": [other_project.pk]})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "project_ids"
    assert world.user("huanjing").is_active and not User.objects.filter(username="xiaoli").exists()


@pytest.mark.parametrize(("change", "field"), [
    ({"username": "KEFU"}, "username"),  # taken (whatever the case)
    ({"username": "has space"}, "username"),
    ({"phone": "12345"}, "phone"),
    ({"email": "not-an-address"}, "email"),
    ({"role": "owner"}, "role"),
    ({"project_ids": []}, "project_ids"),
    ({"project_ids": [10**9]}, "project_ids"),
    ({"password": "password"}, "password"),
])
def test_a_wrong_field_is_named_and_nothing_is_written(world, api, change, field):
    before = (User.objects.count(), StaffProfile.objects.count())
    payload = {"username": "xiaoli", "name": "李工", "role": "engineering", "project_ids": [world.project1.pk],
               **change}
    response = ApiClient("admin").post("/api/v1/staff", payload)
    assert response.status_code == 422, response.content
    assert field in [error["field"] for error in response.json()["errors"]]
    assert (User.objects.count(), StaffProfile.objects.count()) == before


def test_the_last_administrator_stays(world, api, renshi):
    client = ApiClient("renshi", PASSWORD)
    response = client.post(f"/api/v1/staff/{renshi.pk}/deactivate")
    assert response.status_code == 409 and "自己的账号" in response.json()["detail"]
    response = patch(client, f"/api/v1/staff/{renshi.pk}", {"role": "finance", "project_ids": [world.project1.pk]})
    assert response.status_code == 409 and "最后" in response.json()["detail"]
    response = ApiClient("admin").post(f"/api/v1/staff/{renshi.pk}/deactivate")
    assert response.status_code == 409 and "最后" in response.json()["detail"]
    assert world.user("renshi").is_active and StaffProfile.objects.get(user=renshi).role == "company_admin"
    assert not events(renshi, "staff.changed") and not events(renshi, "staff.deactivated")

    # With a second administrator, the first may hand over.
    second = client.post("/api/v1/staff", {"username": "renshi2", "name": "人事二", "role": "company_admin",
                                           "password": PASSWORD}).json()
    assert second["all_projects"] is True
    response = patch(client, f"/api/v1/staff/{renshi.pk}", {"role": "finance", "project_ids": [world.project1.pk]})
    assert response.status_code == 200
    assert client.get("/api/v1/staff").status_code == 403  # no longer an administrator, from this request on
    assert ApiClient("renshi2", PASSWORD).post(f"/api/v1/staff/{renshi.pk}/deactivate").status_code == 200


def test_the_list_filters_by_role_project_and_state(world, api):
    client = ApiClient("admin")

    def names(**filters):
        return sorted(row["username"] for row in client.get("/api/v1/staff", **filters).json()["items"])

    assert names(role="customer_service") == ["kefu", "kefu2"]
    assert names(project=world.project2.pk) == ["kefu2", "pinzhi"]  # its members and the company-wide staff
    assert names(q="13") == [] and "kefu" in names(q="kef")
    assert names(active="false") == []
    assert client.get("/api/v1/staff", role="owner").status_code == 422
