"""Shift handovers: complete only when a different user of the incoming shift (staff of the post's department on its
project) confirms — the outgoing user is refused (409), another department refused (403), another project not
found (404); one per post, date and shift (409); unconfirmed after 30 minutes flagged by the SLA sweep and the
department's supervisors told; bad input is a 422 naming the field with nothing written."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.http import Http404

from wuye.core.errors import Conflict, InvalidInput, NotAllowed
from wuye.core.models import Notification
from wuye.facilities import handovers
from wuye.facilities.models import DutyPost, Handover, HandoverStatus
from wuye.people.access import actor_for
from wuye.people.services import create_staff
from wuye.sla.engine import clocks_for, sweep

SH = ZoneInfo("Asia/Shanghai")
AT = datetime(2026, 10, 2, 20, 0, tzinfo=SH)
DAY = date(2026, 10, 2)


@pytest.fixture
def post(world):
    return handovers.create_post(actor_for(world.user("gongcheng")), project=world.project1, name="配电房值班",
                                 department="engineering", shifts=["白班 08:00", {"name": "夜班", "starts": "20:00"}])


@pytest.fixture
def night_engineer(world):
    """A second engineering login on project 1: the incoming night shift."""
    return create_staff(actor_for(world.user("admin")), company=world.company, username="gongcheng_ye",
                        password="wuye-demo-night-1", name="李明", role="engineering", projects=[world.project1])


def _hand(world, post, **changes):
    data = {"post": post, "shift_date": DAY, "outgoing_shift": "白班", "situation": "配电柜运行正常，电压 400V",
            "items": [{"name": "对讲机", "count": 2}, {"name": "配电房钥匙", "count": 1}],
            "open_matters": "2号水泵异响待查", "at": AT}
    data.update(changes)
    return handovers.hand_over(actor_for(world.user("gongcheng")), **data)


def test_post_shifts_and_duplicate(world, post):
    assert post.shifts == [{"name": "白班", "starts": "08:00"}, {"name": "夜班", "starts": "20:00"}]
    with pytest.raises(Conflict):
        handovers.create_post(actor_for(world.user("gongcheng")), project=world.project1, name="配电房值班",
                              department="engineering")
    with pytest.raises(InvalidInput) as error:
        handovers.create_post(actor_for(world.user("gongcheng")), project=world.project1, name="东门岗",
                              department="security", shifts=["白班 8点"])
    assert error.value.problems[0].field == "shifts[0].starts"


def test_confirmed_by_a_different_user_of_the_department(world, post, night_engineer):
    handover = _hand(world, post)
    assert handover.incoming_shift == "夜班" and handover.status == HandoverStatus.PENDING
    clock = clocks_for(handover)[0]
    assert clock.key == "handover.confirm" and clock.due_at == AT + timedelta(minutes=30)
    done = handovers.confirm(actor_for(night_engineer), handover, note="已清点对讲机2台", at=AT + timedelta(minutes=12))
    assert done.status == HandoverStatus.CONFIRMED and done.incoming_user == night_engineer
    assert done.confirmed_at == AT + timedelta(minutes=12)
    assert clocks_for(handover)[0].state == "met"
    with pytest.raises(Conflict):  # once only
        handovers.confirm(actor_for(night_engineer), done, at=AT + timedelta(minutes=13))


def test_the_outgoing_user_cannot_confirm(world, post):
    handover = _hand(world, post)
    with pytest.raises(Conflict):
        handovers.confirm(actor_for(world.user("gongcheng")), handover, at=AT + timedelta(minutes=5))
    handover.refresh_from_db()
    assert handover.status == HandoverStatus.PENDING and handover.incoming_user is None


def test_another_department_or_project_cannot_confirm(world, post):
    handover = _hand(world, post)
    with pytest.raises(NotAllowed):  # security is not the post's department
        handovers.confirm(actor_for(world.user("zhixu")), handover, at=AT + timedelta(minutes=5))
    with pytest.raises(Http404):  # project 2's staff do not see it
        handovers.confirm(actor_for(world.user("kefu2")), handover, at=AT + timedelta(minutes=5))
    handover.refresh_from_db()
    assert handover.status == HandoverStatus.PENDING


def test_one_handover_per_post_date_and_shift(world, post):
    _hand(world, post)
    with pytest.raises(Conflict):
        _hand(world, post, situation="再交一次")
    assert Handover.objects.count() == 1
    _hand(world, post, outgoing_shift="夜班", at=AT + timedelta(hours=12))  # the night shift hands over next
    assert [h.outgoing_shift for h in handovers.book(post, DAY)] == ["白班", "夜班"]


def test_unconfirmed_after_30_minutes_flagged_by_the_sweep(world, post):
    handover = _hand(world, post)
    sweep(AT + timedelta(minutes=29))
    row = handovers.with_confirm_due(Handover.objects.filter(pk=handover.pk)).get()
    assert not handovers.is_unconfirmed(row, AT + timedelta(minutes=29))
    sweep(AT + timedelta(minutes=31))
    row = handovers.with_confirm_due(Handover.objects.filter(pk=handover.pk)).get()
    assert row.confirm_breached == AT + timedelta(minutes=30)
    assert handovers.is_unconfirmed(row, AT + timedelta(minutes=31))
    told = set(Notification.objects.filter(subject_line__contains="配电房值班")
               .values_list("recipient__username", flat=True))
    assert "gongcheng" in told and "zhixu" not in told  # engineering's supervisor, not security's


def test_bad_input_422_naming_the_field_nothing_written(world, post):
    cases = [({"situation": "  "}, "situation"), ({"outgoing_shift": "中班"}, "outgoing_shift"),
             ({"items": [{"name": "对讲机", "count": -1}]}, "items[0].count"),
             ({"items": [{"name": f"物品{n}", "count": 1} for n in range(51)]}, "items"),
             ({"shift_date": date(2026, 9, 1)}, "shift_date"), ({"open_matters": "x" * 2001}, "open_matters")]
    for changes, field in cases:
        with pytest.raises(InvalidInput) as error:
            _hand(world, post, **changes)
        assert error.value.problems[0].field == field, changes
    assert Handover.objects.count() == 0


def test_api_flow_and_scope(world, api, post, night_engineer):
    today = datetime.now(SH).date().isoformat()
    day = api("gongcheng")
    body = {"post": post.pk, "shift_date": today, "outgoing_shift": "白班", "situation": "一切正常",
            "items": [{"name": "对讲机", "count": 2}]}
    response = day.post("/api/v1/handovers", body)
    assert response.status_code == 201, response.content
    handover = response.json()
    assert handover["status"] == "pending" and handover["incoming_shift"] == "夜班"
    assert handover["may_confirm"] is False and handover["unconfirmed"] is False
    assert day.post("/api/v1/handovers", body).status_code == 409
    assert day.post(f"/api/v1/handovers/{handover['id']}/confirm", {}).status_code == 409
    assert api("zhixu").post(f"/api/v1/handovers/{handover['id']}/confirm", {}).status_code == 403
    assert api("kefu2").post(f"/api/v1/handovers/{handover['id']}/confirm", {}).status_code == 404
    assert api("kefu2").get(f"/api/v1/handovers/{handover['id']}").status_code == 404
    assert api("kefu2").get("/api/v1/handovers").json()["count"] == 0
    assert api("kefu2").get("/api/v1/duty-posts").json()["count"] == 0
    owner = api("yezhu")
    assert owner.get("/api/v1/handovers").status_code in (403, 404)
    assert owner.get(f"/api/v1/handovers/{handover['id']}").status_code in (403, 404)
    assert owner.post("/api/v1/handovers", body).status_code in (403, 404)
    night = _client_for(night_engineer)
    response = night.post(f"/api/v1/handovers/{handover['id']}/confirm", {"note": "已接班"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "confirmed" and response.json()["received_by"] == "李明"
    bad = day.post("/api/v1/handovers", {**body, "outgoing_shift": "夜班", "situation": ""})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "situation"
    assert Handover.objects.count() == 1
    listed = day.get("/api/v1/handovers", post=post.pk, date=today).json()
    assert listed["count"] == 1
    assert day.get("/api/v1/handovers", status="nonsense").status_code == 422


def _client_for(user):
    from conftest import ApiClient

    return ApiClient(user.username, password="wuye-demo-night-1")


def test_api_duty_posts(world, api):
    client = api("zhixu")
    response = client.post("/api/v1/duty-posts", {"project": world.project1.pk, "name": "监控中心",
                                                  "department": "security",
                                                  "shifts": [{"name": "白班", "starts": "08:00"},
                                                             {"name": "夜班", "starts": "20:00"}]})
    assert response.status_code == 201, response.content
    assert response.json()["department_label"]
    assert client.post("/api/v1/duty-posts", {"project": world.project1.pk, "name": "监控中心",
                                              "department": "security"}).status_code == 409
    bad = client.post("/api/v1/duty-posts", {"project": world.project1.pk, "name": "东门岗", "department": "x"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "department"
    assert api("kefu").post("/api/v1/duty-posts", {"project": world.project1.pk, "name": "前台",
                                                   "department": "customer_service"}).status_code == 403
    assert api("kefu2").post("/api/v1/duty-posts", {"project": world.project1.pk, "name": "前台",
                                                    "department": "customer_service"}).status_code in (403, 422)
    assert DutyPost.objects.count() == 1


def test_console_pages(world, login, post, night_engineer):
    today = datetime.now(SH).date()
    day = login("gongcheng")
    assert day.get("/console/facilities/handovers/new/").status_code == 200
    response = day.post("/console/facilities/handovers/new/", {
        "post": post.pk, "shift_date": today.isoformat(), "outgoing_shift": "白班", "situation": "正常",
        "item_name": ["对讲机", ""], "item_count": ["2", ""], "open_matters": ""})
    assert response.status_code == 302, response.content.decode()[:3000]
    handover = Handover.objects.get()
    assert handover.items == [{"name": "对讲机", "count": 2}]
    page = day.get(f"/console/facilities/handovers/{handover.pk}/").content.decode()
    assert f"handovers/{handover.pk}/confirm/" not in page  # no confirm button for the outgoing user
    night = login(night_engineer.username)
    page = night.get(f"/console/facilities/handovers/{handover.pk}/").content.decode()
    assert f"handovers/{handover.pk}/confirm/" in page
    assert night.post(f"/console/facilities/handovers/{handover.pk}/confirm/", {"note": ""}).status_code == 302
    handover.refresh_from_db()
    assert handover.status == HandoverStatus.CONFIRMED
    for url in ("/console/facilities/handovers/", "/console/facilities/posts/",
                f"/console/facilities/posts/{post.pk}/book/?date={today.isoformat()}"):
        assert day.get(url).status_code == 200, url
    assert login("kefu2").get(f"/console/facilities/handovers/{handover.pk}/").status_code == 404
    assert login("kefu2").get(f"/console/facilities/posts/{post.pk}/book/").status_code == 404
    bad = day.post("/console/facilities/handovers/new/", {"post": post.pk, "shift_date": today.isoformat(),
                                                          "outgoing_shift": "夜班", "situation": ""})
    assert bad.status_code == 422 and Handover.objects.count() == 1


def test_console_flags_unconfirmed_in_red(world, login, post, night_engineer):
    late = _hand(world, post)  # handed over at AT: its 30 minutes are long past
    sweep(AT + timedelta(minutes=31))
    on_time = _hand(world, post, outgoing_shift="夜班", at=AT + timedelta(hours=12))
    handovers.confirm(actor_for(night_engineer), on_time, at=AT + timedelta(hours=12, minutes=5))
    page = login("gongcheng").get("/console/facilities/handovers/").content.decode()
    assert page.count('class="row-due-breached"') == 1
    book = login("gongcheng").get(f"/console/facilities/posts/{post.pk}/book/?date=2026-10-02").content.decode()
    assert book.index("白班") < book.index("夜班") and late.situation in book
    unconfirmed = login("gongcheng").get("/console/facilities/handovers/?unconfirmed=on").content.decode()
    assert unconfirmed.count('class="row-due-breached"') == 1 and "李明" not in unconfirmed


def test_shift_date_today_or_yesterday_not_two_days_back(world, post):
    # Yesterday's night shift hands over after midnight (the demo: 08:00 next morning); two days back is refused,
    # as the message says.
    after_midnight = datetime(2026, 10, 3, 8, 0, tzinfo=SH)
    assert _hand(world, post, shift_date=DAY, outgoing_shift="夜班", at=after_midnight).shift_date == DAY
    with pytest.raises(InvalidInput) as error:
        _hand(world, post, shift_date=DAY - timedelta(days=1), at=after_midnight)
    assert error.value.problems[0].field == "shift_date"
    assert "yesterday" in str(error.value.problems[0].message) or "昨" in str(error.value.problems[0].message)


def test_one_unconfirmed_rule_for_queryset_and_row(world, post, night_engineer):
    late = _hand(world, post)  # 白班 of 10-02 at 20:00: due 20:30
    fresh = _hand(world, post, outgoing_shift="夜班", at=AT + timedelta(hours=1))  # due 21:30
    done = _hand(world, post, shift_date=DAY - timedelta(days=1), at=AT)
    handovers.confirm(actor_for(night_engineer), done, at=AT + timedelta(minutes=40))
    now = AT + timedelta(minutes=45)
    found = set(handovers.unconfirmed(Handover.objects.all(), now).values_list("pk", flat=True))
    assert found == {late.pk}
    # The same answer for an annotated row, a bare row and the queryset, before and after the sweep marks it.
    for row in handovers.with_confirm_due(Handover.objects.all()):
        assert handovers.is_unconfirmed(row, now) is (row.pk in found)
    for row in Handover.objects.all():
        assert handovers.is_unconfirmed(row, now) is (row.pk in found)
    sweep(now)
    assert set(handovers.unconfirmed(Handover.objects.all(), now).values_list("pk", flat=True)) == {late.pk}
    assert handovers.is_unconfirmed(Handover.objects.get(pk=late.pk), now)
    assert not handovers.is_unconfirmed(Handover.objects.get(pk=fresh.pk), now)
