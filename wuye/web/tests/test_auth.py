import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from wuye.demo.builders import LOGINS

OWNERS = {"yezhu", "yezhu2"}


def test_login_page_is_chinese_by_default(client):
    response = client.get("/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="zh-hans"' in html
    assert "登录" in html and "物业服务平台" in html
    assert "htmx-2.0.11.min.js" in html and "//cdn" not in html


def test_anonymous_visitors_are_sent_to_sign_in(client):
    assert client.get("/").url == "/login/"
    response = client.get("/console/units/")
    assert response.status_code == 302 and response.url.startswith("/login/?next=/console/units/")
    assert client.get("/h5/").url.startswith("/login/?next=/h5/")


@pytest.mark.django_db
def test_every_demo_login_works_through_the_form_and_lands_on_its_face(demo):
    usernames = [username for username, _ in LOGINS]
    assert len(usernames) == 11
    for username in usernames:
        client = Client()
        response = client.post("/login/", {"username": username, "password": demo["password"]}, follow=True)
        assert response.status_code == 200, username
        landed = response.redirect_chain[-1][0]
        expected = "/h5/" if username in OWNERS else "/console/"
        assert landed == expected, (username, response.redirect_chain)
        if username not in OWNERS:
            assert "退出登录" in response.content.decode()


@pytest.mark.django_db
def test_wrong_password_is_refused_with_a_chinese_message(demo):
    response = Client().post("/login/", {"username": "kefu", "password": "nope"})
    assert response.status_code == 200
    assert "用户名" in response.content.decode() and "_auth_user_id" not in response.client.session


@pytest.mark.django_db
def test_logout_is_a_post_and_ends_the_session(demo, login):
    client = login("kefu")
    assert client.get("/console/").status_code == 200
    response = client.post("/logout/")
    assert response.status_code == 302 and response.url == "/login/"
    assert client.get("/console/").status_code == 302


@pytest.mark.django_db
def test_a_login_without_staff_profile_or_owner_record_is_refused(fast_passwords):
    user = get_user_model().objects.create_user("nobody", password="x")
    client = Client()
    client.force_login(user)
    assert client.get("/").status_code == 403
    assert client.get("/console/").status_code == 403
    assert client.get("/h5/").status_code == 403


@pytest.mark.django_db
def test_switching_to_english_through_set_language(demo, login):
    client = login("kefu")
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/console/units/"}, follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == "/console/units/"
    assert 'lang="en"' in html
    assert "Units" in html and "Owner records" in html and "Sign out" in html
    assert "业主档案" not in html and "退出登录" not in html
    # and back to Chinese
    html = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/console/"}, follow=True).content.decode()
    assert "工作台" in html and 'lang="zh-hans"' in html


def test_an_english_browser_still_gets_chinese_until_the_switch_is_used(client, db):
    response = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "登录" in response.content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert "Sign in" in client.get("/login/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()


def test_the_api_follows_accept_language(client, db):
    response = client.post("/api/v1/auth/token", {"username": "nobody", "password": "x"},
                           content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["detail"] == "Wrong username or password."
    response = client.post("/api/v1/auth/token", {"username": "nobody", "password": "x"},
                           content_type="application/json", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert response.json()["detail"] != "Wrong username or password."
