import re

import pytest
from django.contrib.auth import get_user_model

from wuye.core.models import Notification
from wuye.core.outbox import notify
from wuye.people.models import Residency, Resident

pytestmark = pytest.mark.django_db


def test_owner_home_shows_their_units_messages_and_service_phone(demo, login):
    response = login("yezhu").get("/h5/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="viewport"' in html and "width=device-width" in html
    unit = Residency.objects.current().get(resident__user__username="yezhu").unit
    assert unit.label in html and f"/h5/units/{unit.pk}/" in html
    assert demo["p1"].phone in html and f'href="tel:{demo["p1"].phone}"' in html
    assert "欢迎使用锦华苑业主服务" in html  # the welcome message of the demo
    for tile in ("报修", "投诉", "缴费"):
        assert tile in html
    # nothing of project 2 or of other units
    other = Residency.objects.current().get(resident__user__username="yezhu2").unit
    assert f"/h5/units/{other.pk}/" not in html and "翠湖湾" not in html


def test_staff_are_sent_from_the_portal_to_the_console(demo, login):
    response = login("kefu").get("/h5/")
    assert response.status_code == 302 and response.url == "/console/"


def test_owner_profile_and_unit_pages(demo, login):
    client = login("yezhu")
    owner = Resident.objects.get(user__username="yezhu")
    html = client.get("/h5/profile/").content.decode()
    assert owner.name in html and owner.phone in html
    assert not owner.id_number or (owner.id_number not in html and owner.masked_id_number in html)
    unit = Residency.objects.current().get(resident=owner).unit
    html = client.get(f"/h5/units/{unit.pk}/").content.decode()
    assert owner.name in html and re.search(r"\d{3}\*{4}\d{4}", html)
    assert owner.phone not in html


def test_owner_marks_a_message_read_with_htmx(demo, login):
    client = login("yezhu")
    message = Notification.objects.inbox(get_user_model().objects.get(username="yezhu")).get()
    response = client.post(f"/h5/notifications/{message.pk}/read/", headers={"hx-request": "true"})
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html and f'id="h5-message-{message.pk}"' in html
    assert 'hx-swap-oob="innerHTML:.unread-count"' in html
    message.refresh_from_db()
    assert message.read_at is not None
    others = Notification.objects.inbox(get_user_model().objects.get(username="yezhu2")).get()
    assert client.post(f"/h5/notifications/{others.pk}/read/").status_code == 404


def test_owner_mark_all_read_and_message_list(demo, login):
    yezhu = get_user_model().objects.get(username="yezhu")
    notify(yezhu, "停水通知", "明日 9:00-12:00 停水")
    client = login("yezhu")
    assert "停水通知" in client.get("/h5/notifications/").content.decode()
    assert client.post("/h5/notifications/read-all/").status_code == 302
    assert not Notification.objects.inbox(yezhu).unread().exists()


def test_placeholder_tiles(demo, login):
    client = login("yezhu")
    assert client.get("/h5/soon/payment/").status_code == 404  # billing took over the payment tile
    assert client.get("/h5/soon/repair/").status_code == 404  # work orders took over the repair tile
    assert client.get("/h5/soon/notices/").status_code == 404  # a real page, not a placeholder
    assert client.get("/h5/soon/nothing/").status_code == 404


def test_an_owner_who_moved_out_sees_no_home_but_keeps_the_portal(demo, login):
    from wuye.people.access import actor_for
    from wuye.people.services import end_residency

    residency = Residency.objects.current().get(resident__user__username="yezhu")
    end_residency(actor_for(get_user_model().objects.get(username="kefu")), residency)
    client = login("yezhu")
    html = client.get("/h5/").content.decode()
    assert f"/h5/units/{residency.unit_id}/" not in html and "尚未关联房屋" in html
    assert client.get(f"/h5/units/{residency.unit_id}/").status_code == 404
    profile = client.get("/h5/profile/")
    assert profile.status_code == 200 and residency.resident.phone not in profile.content.decode()
