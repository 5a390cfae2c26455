"""Community activities: the desk plans one, owners sign up until the deadline while places remain, cancel before
the start (the place is free again), staff check in from the start (a fee billed then); refusals and scope."""

from datetime import timedelta

import pytest
import time_machine

from wuye.billing.models import Bill
from wuye.community.activities import services
from wuye.community.activities.models import Activity, ActivitySignup
from wuye.people.access import actor_for

from .helpers import DEADLINE, ENDS, NOW, STARTS, plan, second_owner


def test_desk_plans_and_owners_see_the_open_activity(world, api):
    with time_machine.travel(NOW, tick=False):
        response = api("kefu").post("/api/v1/activities", {
            "project": world.project1.pk, "title": "元旦游园会", "place": "中心花园", "capacity": 30, "fee": "0",
            "starts_at": STARTS.isoformat(), "ends_at": ENDS.isoformat(), "signup_deadline": DEADLINE.isoformat()})
        assert response.status_code == 201, response.content
        assert response.json()["status"] == "open" and response.json()["places_left"] == 30
        plan(world, publish=False)  # a draft owners do not see
        rows = api("yezhu").get("/api/v1/activities").json()
    assert rows["count"] == 1 and rows["items"][0]["title"] == "元旦游园会"
    assert api("yezhu2").get("/api/v1/activities").json()["count"] == 0  # project 2's owner
    assert api("kefu2").get("/api/v1/activities").json()["count"] == 0
    assert api("kefu2").get(f"/api/v1/activities/{response.json()['id']}").status_code == 404


def test_bad_input_names_the_field_and_writes_nothing(world, api):
    base = {"project": world.project1.pk, "title": "元旦游园会", "place": "中心花园", "capacity": 30,
            "starts_at": STARTS.isoformat(), "ends_at": ENDS.isoformat(), "signup_deadline": DEADLINE.isoformat()}
    cases = [
        ({"title": ""}, "title"),
        ({"capacity": 0}, "capacity"),
        ({"fee": "-1"}, "fee"),
        ({"fee": "1.234"}, "fee"),
        ({"ends_at": STARTS.isoformat()}, "ends_at"),
        ({"signup_deadline": (STARTS + timedelta(hours=1)).isoformat()}, "signup_deadline"),
        ({"starts_at": (NOW - timedelta(days=1)).isoformat()}, "starts_at"),
        ({"project": world.project2.pk}, "project"),
    ]
    with time_machine.travel(NOW, tick=False):
        for change, field in cases:
            response = api("kefu").post("/api/v1/activities", {**base, **change})
            assert response.status_code == 422, (change, response.content)
            assert field in [error["field"] for error in response.json()["errors"]], (change, response.json())
        assert api("yezhu").post("/api/v1/activities", base).status_code == 403
    assert Activity.objects.count() == 0


def test_sign_up_counts_places_and_refuses_when_full(world, api):
    unit = world.owner_unit("yezhu")
    _other, other_unit = second_owner(world)
    with time_machine.travel(NOW, tick=False):
        activity = plan(world, capacity=3)
        owner = api("yezhu")
        signed = owner.post(f"/api/v1/activities/{activity.pk}/signups", {"unit": unit.pk, "people": 2})
        assert signed.status_code == 201, signed.content
        assert len(signed.json()["code"]) == 6
        assert owner.get(f"/api/v1/activities/{activity.pk}").json()["taken"] == 2
        again = owner.post(f"/api/v1/activities/{activity.pk}/signups", {"unit": unit.pk, "people": 1})
        assert again.status_code == 409
        full = api("yezhu3").post(f"/api/v1/activities/{activity.pk}/signups", {"unit": other_unit.pk, "people": 2})
        assert full.status_code == 409 and full.json()["errors"][0]["field"] == "people"
        ok = api("yezhu3").post(f"/api/v1/activities/{activity.pk}/signups", {"unit": other_unit.pk, "people": 1})
        assert ok.status_code == 201
        page = api("kefu").get(f"/api/v1/activities/{activity.pk}").json()
        assert (page["taken"], page["places_left"]) == (3, 0)
        # cancelling before the start frees the places
        cancelled = owner.post(f"/api/v1/activities/{activity.pk}/signups/{signed.json()['id']}/cancel")
        assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
        assert api("kefu").get(f"/api/v1/activities/{activity.pk}").json()["taken"] == 1
        # and the owner may sign up again
        assert owner.post(f"/api/v1/activities/{activity.pk}/signups", {"unit": unit.pk}).status_code == 201
    assert ActivitySignup.objects.filter(activity=activity).count() == 2


def test_sign_up_closes_at_the_deadline(world, api):
    unit = world.owner_unit("yezhu")
    with time_machine.travel(NOW, tick=False):
        activity = plan(world)
    with time_machine.travel(DEADLINE, tick=False):
        assert api("yezhu").post(f"/api/v1/activities/{activity.pk}/signups", {"unit": unit.pk}).status_code == 201
    with time_machine.travel(DEADLINE + timedelta(minutes=1), tick=False):
        _other, other_unit = second_owner(world)
        late = api("yezhu3").post(f"/api/v1/activities/{activity.pk}/signups", {"unit": other_unit.pk})
        assert late.status_code == 409 and late.json()["errors"][0]["field"] == "signup_deadline"


def test_owner_refusals_and_scope(world, api):
    unit = world.owner_unit("yezhu")
    with time_machine.travel(NOW, tick=False):
        activity = plan(world)
        draft = plan(world, publish=False)
        owner = api("yezhu")
        assert owner.post(f"/api/v1/activities/{activity.pk}/signups", {"unit": unit.pk, "people": 11}
                          ).status_code == 422
        bad_unit = owner.post(f"/api/v1/activities/{activity.pk}/signups",
                              {"unit": world.owner_unit("yezhu2").pk})
        assert bad_unit.status_code == 422 and bad_unit.json()["errors"][0]["field"] == "unit"
        assert owner.post(f"/api/v1/activities/{draft.pk}/signups", {"unit": unit.pk}).status_code == 404
        assert api("yezhu2").post(f"/api/v1/activities/{activity.pk}/signups",
                                  {"unit": world.owner_unit("yezhu2").pk}).status_code == 404
        signed = owner.post(f"/api/v1/activities/{activity.pk}/signups", {"unit": unit.pk}).json()
        assert api("kefu").post(f"/api/v1/activities/{activity.pk}/signups", {"unit": unit.pk}).status_code == 403
        assert api("kefu2").post(f"/api/v1/activities/{activity.pk}/signups/{signed['id']}/check-in"
                                 ).status_code == 404
        assert api("yezhu").get(f"/api/v1/activities/{activity.pk}/signups").json()["count"] == 1
    assert ActivitySignup.objects.count() == 1


def test_check_in_from_the_start_bills_the_fee(world, api):
    unit = world.owner_unit("yezhu")
    with time_machine.travel(NOW, tick=False):
        activity = plan(world, fee="20.00")
        signed = api("yezhu").post(f"/api/v1/activities/{activity.pk}/signups", {"unit": unit.pk, "people": 2}).json()
    path = f"/api/v1/activities/{activity.pk}/signups/{signed['id']}/check-in"
    with time_machine.travel(STARTS - timedelta(minutes=1), tick=False):
        early = api("kefu").post(path)
        assert early.status_code == 409 and early.json()["errors"][0]["field"] == "starts_at"
    with time_machine.travel(STARTS, tick=False):
        late_cancel = api("yezhu").post(f"/api/v1/activities/{activity.pk}/signups/{signed['id']}/cancel")
        assert late_cancel.status_code == 409  # no cancelling once it has started
        assert api("yezhu").post(path).status_code == 403
        wrong = api("kefu").post(f"/api/v1/activities/{activity.pk}/check-in", {"code": "XXXXXX"})
        assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "code"
        done = api("zhixu").post(f"/api/v1/activities/{activity.pk}/check-in", {"code": signed["code"].lower()})
        assert done.status_code == 200, done.content
        assert done.json()["status"] == "checked_in"
        assert api("kefu").post(path).status_code == 409
    bill = Bill.objects.get(unit=unit, source_id=signed["id"])
    assert str(bill.amount) == "40.00"


def test_cancel_activity_tells_the_signed_up(world, api):
    from wuye.core.models import Notification

    unit = world.owner_unit("yezhu")
    with time_machine.travel(NOW, tick=False):
        activity = plan(world)
        services.sign_up(actor_for(world.user("yezhu")), activity, unit=unit, at=NOW)
        refused = api("kefu").post(f"/api/v1/activities/{activity.pk}/actions/cancel", {})
        assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "reason"
        done = api("kefu").post(f"/api/v1/activities/{activity.pk}/actions/cancel", {"reason": "天气原因"})
        assert done.status_code == 200 and done.json()["status"] == "cancelled"
        assert api("kefu").post(f"/api/v1/activities/{activity.pk}/actions/publish").status_code == 409
    assert Notification.objects.filter(recipient=world.user("yezhu"), subject_line__contains="元旦游园会").exists()


@pytest.mark.parametrize("username", ["yezhu"])
def test_pages(world, login, username):
    unit = world.owner_unit("yezhu")
    with time_machine.travel(NOW, tick=False):
        activity = plan(world, capacity=30)
        listing = login(username).get("/h5/activities/")
        assert listing.status_code == 200 and "元旦游园会" in listing.content.decode()
        assert "0/30" in listing.content.decode()
        page = login(username).post(f"/h5/activities/{activity.pk}/", {"unit": unit.pk, "people": "2"})
        assert page.status_code == 302
        signup = ActivitySignup.objects.get()
        detail = login(username).get(f"/h5/activities/{activity.pk}/")
        assert detail.status_code == 200 and signup.code in detail.content.decode()
        assert login("yezhu2").get(f"/h5/activities/{activity.pk}/").status_code == 404
        console = login("kefu").get("/console/community/activities/")
        assert console.status_code == 200 and "2/30" in console.content.decode()
        assert login("kefu").get(f"/console/community/activities/{activity.pk}/").status_code == 200
        assert login("kefu2").get(f"/console/community/activities/{activity.pk}/").status_code == 404
    with time_machine.travel(STARTS + timedelta(minutes=5), tick=False):
        checked = login("kefu").post(f"/console/community/activities/{activity.pk}/check_in",
                                     {"signup": signup.pk})
        assert checked.status_code == 302
    assert ActivitySignup.objects.get().status == "checked_in"
