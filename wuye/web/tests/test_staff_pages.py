"""The console's staff page (员工) for the company administration: list with filters, create, edit, reset the
password, deactivate and reactivate — each through wuye.people.staff, each on the staff member's timeline."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import translation

from wuye.core.events import timeline
from wuye.people.access import actor_for
from wuye.people.models import StaffProfile
from wuye.people.staff import create_staff_member
from wuye.tenancy.models import Company, Project

User = get_user_model()
OTP = re.compile(r'id="one-time-password".*?<strong class="mono">([A-Za-z0-9]{12})</strong>', re.S)


@pytest.fixture
def browser(world, login):
    return login("admin")


def verbs(user):
    return [event.verb for event in timeline(StaffProfile.objects.get(user=user))]


def test_the_staff_page_is_in_the_menu_of_the_company_administration_only(world, login):
    with translation.override("zh-hans"):
        page = login("admin").get(reverse("web:console"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert reverse("web:staff") in page.content.decode()
    for username in ("kefu", "jingli", "pinzhi", "kefu2"):
        client = login(username)
        assert reverse("web:staff") not in client.get(reverse("web:console")).content.decode()
        assert client.get(reverse("web:staff")).status_code == 403
        assert client.get(reverse("web:staff_detail", args=[world.user("kefu").pk])).status_code == 403
        assert client.post(reverse("web:staff_action", args=[world.user("kefu").pk, "deactivate"])
                           ).status_code == 403
    assert world.user("kefu").is_active


def test_an_account_created_on_the_page_shows_its_password_once_and_signs_in(world, browser):
    response = browser.post(reverse("web:staff_new"), {
        "username": "xiaoli", "name": "李工", "role": "engineering", "projects": [world.project1.pk],
        "phone": "13812345678"})
    assert response.status_code == 201, response.content.decode()[:2000]
    otp = OTP.search(response.content.decode()).group(1)
    staff = Client()
    assert staff.login(username="xiaoli", password=otp)
    assert staff.get(reverse("web:console")).status_code == 200
    assert actor_for(User.objects.get(username="xiaoli")).project_ids == frozenset({world.project1.pk})
    # Shown once: the record's page afterwards does not hold it.
    later = browser.get(reverse("web:staff_detail", args=[User.objects.get(username="xiaoli").pk]))
    assert otp not in later.content.decode() and "李工" in later.content.decode()
    assert verbs(User.objects.get(username="xiaoli")) == ["staff.created"]


def test_a_wrong_field_is_shown_on_the_form_and_nothing_is_written(world, browser):
    before = User.objects.count()
    response = browser.post(reverse("web:staff_new"), {
        "username": "kefu", "name": "重名", "role": "engineering", "projects": [world.project1.pk],
        "phone": "12345"})
    assert response.status_code == 422
    form = response.context["form"]
    assert set(form.errors) == {"username", "phone"}
    response = browser.post(reverse("web:staff_new"), {"username": "xiaoli", "name": "李工", "role": "engineering"})
    assert response.status_code == 422 and set(response.context["form"].errors) == {"projects"}
    assert User.objects.count() == before


def test_a_change_on_the_page_is_recorded_and_applies_at_once(world, browser, login):
    target = world.user("huanjing")
    staff = login("huanjing")
    assert staff.get(reverse("web:residents")).status_code == 200
    response = browser.post(reverse("web:staff_detail", args=[target.pk]), {
        "name": "赵丽", "role": "finance", "projects": [world.project2.pk], "phone": ""})
    assert response.status_code == 302
    [event] = [e for e in timeline(StaffProfile.objects.get(user=target)) if e.verb == "staff.changed"]
    assert event.data["role_from"] == "environment" and event.data["role_to"] == "finance"
    assert event.data["projects_added"] == [world.project2.name]
    assert event.data["projects_removed"] == [world.project1.name]
    assert actor_for(User.objects.get(pk=target.pk)).project_ids == frozenset({world.project2.pk})
    assert StaffProfile.objects.get(user=target).role == "finance"


def test_deactivating_on_the_page_signs_the_leaver_out(world, browser, login):
    leaver = login("zhixu")
    assert leaver.get(reverse("web:console")).status_code == 200
    target = world.user("zhixu")
    response = browser.post(reverse("web:staff_action", args=[target.pk, "deactivate"]))
    assert response.status_code == 302
    page = leaver.get(reverse("web:console"))
    assert page.status_code == 302 and page["Location"].startswith(reverse("web:login"))
    assert not User.objects.get(pk=target.pk).is_active
    assert browser.post(reverse("web:staff_action", args=[target.pk, "reactivate"])).status_code == 302
    assert verbs(target) == ["staff.deactivated", "staff.reactivated"]
    # The administrator cannot deactivate themselves: the page says why, nothing changes.
    renshi, _ = create_staff_member(actor_for(world.user("admin")), username="renshi", name="人事",
                                    role="company_admin", password="Qz7-staff-pass")
    own = login("renshi")
    response = own.post(reverse("web:staff_action", args=[renshi.user_id, "deactivate"]), follow=True)
    assert "own account" in response.content.decode() or "自己" in response.content.decode()
    assert User.objects.get(pk=renshi.user_id).is_active


def test_a_password_reset_on_the_page_shows_a_new_one_time_password(world, browser, login):
    target = world.user("caiwu")
    old_session = login("caiwu")
    response = browser.post(reverse("web:staff_action", args=[target.pk, "reset-password"]), {"password": ""})
    assert response.status_code == 200
    otp = OTP.search(response.content.decode()).group(1)
    assert old_session.get(reverse("web:console")).status_code == 302
    assert Client().login(username="caiwu", password=otp)
    weak = browser.post(reverse("web:staff_action", args=[target.pk, "reset-password"]), {"password": "123"})
    assert weak.status_code == 422 and "password" in weak.context["password_form"].errors
    assert verbs(target) == ["staff.password_reset"]


def test_the_list_filters_and_keeps_phone_numbers_out_of_the_url(world, browser):
    def names(response):
        return sorted(profile.user.username for profile in response.context["rows"])

    assert names(browser.get(reverse("web:staff"), {"role": "customer_service"})) == ["kefu", "kefu2"]
    assert names(browser.get(reverse("web:staff"), {"project": world.project2.pk})) == ["kefu2", "pinzhi"]
    assert names(browser.get(reverse("web:staff"), {"status": "inactive"})) == []
    phone = StaffProfile.objects.get(user__username="caiwu").phone
    posted = browser.post(reverse("web:staff"), {"q": phone})
    assert posted.status_code == 303 and phone not in posted["Location"]
    assert names(browser.get(posted["Location"])) == ["caiwu"]


def test_another_companys_administrator_finds_none_of_our_staff(world, login):
    company = Company.objects.create(name="别家物业", credit_code="91310000MA1K4XYZ9Q")
    Project.objects.create(company=company, code="other", name="别家小区", address="别处",
                           work_calendar=world.project1.work_calendar)
    create_staff_member(actor_for(world.user("admin")), company_id=company.pk, username="bieren", name="别家",
                        role="company_admin", password="Qz7-staff-pass")
    theirs = login("bieren")
    assert theirs.get(reverse("web:staff_detail", args=[world.user("kefu").pk])).status_code == 404
    assert theirs.post(reverse("web:staff_action", args=[world.user("kefu").pk, "deactivate"])).status_code == 404
    assert [p.user.username for p in theirs.get(reverse("web:staff")).context["rows"]] == ["bieren"]
    assert world.user("kefu").is_active
