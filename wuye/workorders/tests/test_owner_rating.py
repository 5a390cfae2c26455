"""Owners rate their repair themselves after sign-off (业主评价), in the portal and through the API: 1–5 with labels and
a comment, once per ticket. The rating is the return visit — the same figures in the satisfaction report, the
return-visit time limit met, no call left to make — and the staff return visit stays for phone calls."""

from datetime import date

from django.urls import reverse
from django.utils import timezone

from wuye.core.models import Event
from wuye.people.access import actor_for
from wuye.sla.engine import clocks_for
from wuye.sla.models import ClockState
from wuye.workorders import reports
from wuye.workorders.models import Status, Ticket
from wuye.workorders.services import ActionInput, allowed_actions, perform


def completed_repair(world, unit=None):
    """A repair of yezhu's unit (unless another is given), done by the engineer and waiting for sign-off."""
    ticket = world.ticket(world.project1, unit=unit or world.owner_unit("yezhu"))
    kefu, engineer = actor_for(world.user("kefu")), actor_for(world.user("gongcheng"))
    perform(kefu, ticket, "dispatch", ActionInput(assignee=world.user("gongcheng")))
    for step in ("accept", "arrive"):
        perform(engineer, ticket, step)
    return perform(engineer, ticket, "complete", ActionInput(work_done="更换水龙头"))


def signed_off(world, unit=None):
    ticket = completed_repair(world, unit)
    return perform(actor_for(world.user("yezhu")), ticket, "confirm")


def english(client):
    client.cookies["django_language"] = "en"
    return client


def return_visit_clock(ticket):
    return clocks_for(ticket).get(key="repair.return_visit")


def test_the_owner_signs_off_then_rates_in_the_portal(world, login):
    ticket = completed_repair(world)
    owner = english(login("yezhu"))
    page = reverse("workorders:h5_ticket", args=[ticket.pk])
    assert 'id="rate"' not in owner.get(page).content.decode()  # not before sign-off
    refused = owner.post(reverse("workorders:h5_action", args=[ticket.pk, "rate"]),
                         {"version": ticket.version, "score": 4})
    assert refused.status_code == 409
    owner.post(reverse("workorders:h5_action", args=[ticket.pk, "confirm"]), {"version": ticket.version})
    ticket.refresh_from_db()
    assert ticket.status == Status.CONFIRMED

    html = owner.get(page).content.decode()
    assert 'id="rate"' in html
    for label in ("Very satisfied", "Satisfied", "Neutral", "Dissatisfied", "Very dissatisfied"):
        assert f"</span> {label}</label>" in html  # five labelled choices, no "---------"

    url = reverse("workorders:h5_action", args=[ticket.pk, "rate"])
    missing = owner.post(url, {"version": ticket.version, "comment": "师傅很准时"})
    assert missing.status_code == 422 and "Choose how satisfied you are." in missing.content.decode()
    done = owner.post(url, {"version": ticket.version, "score": "4", "comment": "师傅很准时"})
    assert done.status_code == 302 and done.url == page
    ticket.refresh_from_db()
    assert (ticket.status, ticket.satisfaction, ticket.visit_comment) == (Status.VISITED, 4, "师傅很准时")
    rated = owner.get(page).content.decode()
    assert 'id="rating"' in rated and "Satisfied" in rated and "师傅很准时" in rated
    assert 'id="rate"' not in rated  # once
    event = Event.objects.get(verb="ticket.rate", subject_id=ticket.pk)
    assert event.actor == world.user("yezhu") and event.data["score"] == 4

    staff_page = english(login("kefu")).get(reverse("workorders:ticket", args=[ticket.pk])).content.decode()
    assert "Rated by the owner: Satisfied (4 of 5)" in staff_page


def test_the_owners_rating_closes_the_return_visit(world, api):
    ticket = signed_off(world)
    kefu = actor_for(world.user("kefu"))
    assert "return_visit" in allowed_actions(kefu, ticket)
    assert return_visit_clock(ticket).state == ClockState.RUNNING
    response = api("yezhu").post(f"/api/v1/tickets/{ticket.pk}/rate", {"score": 5, "comment": "很满意"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "visited" and response.json()["satisfaction"] == 5
    ticket.refresh_from_db()
    clock = return_visit_clock(ticket)
    assert clock.state == ClockState.MET and clock.stopped_at is not None  # no return-visit call is due
    assert "return_visit" not in allowed_actions(kefu, ticket) and "close" in allowed_actions(kefu, ticket)
    late_call = api("kefu").post(f"/api/v1/tickets/{ticket.pk}/actions/return_visit", {"score": 2})
    assert late_call.status_code == 409  # one rating per ticket: the owner's stands
    ticket.refresh_from_db()
    assert ticket.satisfaction == 5


def test_the_api_refuses_before_sign_off_a_second_time_and_a_score_outside_1_to_5(world, api):
    ticket = completed_repair(world)
    yezhu = api("yezhu")
    url = f"/api/v1/tickets/{ticket.pk}/rate"
    assert yezhu.post(url, {"score": 5}).status_code == 409  # not signed off yet
    perform(actor_for(world.user("yezhu")), ticket, "confirm")
    for score in (0, 6, None):
        bad = yezhu.post(url, {"score": score})
        assert bad.status_code == 422, bad.content
        assert "score" in bad.content.decode()
    too_long = yezhu.post(url, {"score": 3, "comment": "长" * 501})
    assert too_long.status_code == 422 and "comment" in too_long.content.decode()
    assert yezhu.post(url, {"score": 3, "comment": "一般"}).status_code == 200
    again = yezhu.post(url, {"score": 1})
    assert again.status_code == 409
    ticket.refresh_from_db()
    assert ticket.satisfaction == 3 and Event.objects.filter(verb="ticket.rate", subject_id=ticket.pk).count() == 1


def test_only_the_households_owner_rates_and_staff_record_a_return_visit_instead(world, api, login):
    ticket = signed_off(world)
    assert api("yezhu2").post(f"/api/v1/tickets/{ticket.pk}/rate", {"score": 1}).status_code == 404
    other = english(login("yezhu2")).post(reverse("workorders:h5_action", args=[ticket.pk, "rate"]),
                                          {"version": ticket.version, "score": 1})
    assert other.status_code == 404
    assert api("kefu2").post(f"/api/v1/tickets/{ticket.pk}/rate", {"score": 1}).status_code == 404
    assert api("kefu").post(f"/api/v1/tickets/{ticket.pk}/rate", {"score": 1}).status_code == 403
    assert api("admin").post(f"/api/v1/tickets/{ticket.pk}/rate", {"score": 1}).status_code == 403
    assert "rate" not in allowed_actions(actor_for(world.user("admin")), ticket)
    ticket.refresh_from_db()
    assert ticket.satisfaction is None and ticket.status == Status.CONFIRMED


def test_an_owners_rating_counts_in_the_satisfaction_report_exactly_as_a_return_visit(world, api):
    rated_by_owner = signed_off(world)
    visited = signed_off(world)
    api("yezhu").post(f"/api/v1/tickets/{rated_by_owner.pk}/rate", {"score": 4})
    perform(actor_for(world.user("kefu")), visited, "return_visit", ActionInput(score=4, comment="电话回访"))

    one = reports.satisfaction_of(Ticket.objects.filter(pk=rated_by_owner.pk))
    other = reports.satisfaction_of(Ticket.objects.filter(pk=visited.pk))
    assert (one.rated, one.average, one.satisfied, one.satisfied_rate) == (1, 4, 1, 100)
    assert (one.rated, one.average, one.satisfied, one.satisfied_rate, one.rows) == (
        other.rated, other.average, other.satisfied, other.satisfied_rate, other.rows)
    assert (one.owner_rated, other.owner_rated) == (1, 0)

    today = timezone.localdate()
    report = api("kefu").get("/api/v1/reports/satisfaction", project=world.project1.pk,
                             **{"from": date(today.year, today.month, 1).isoformat(), "to": today.isoformat()})
    assert report.status_code == 200, report.content
    body = report.json()
    assert (body["rated"], body["average"], body["satisfied_rate"], body["owner_rated"]) == (2, "4.0", "100.0", 1)
    assert {row["score"]: row["count"] for row in body["rows"]} == {5: 0, 4: 2, 3: 0, 2: 0, 1: 0}
    assert [row["score"] for row in body["rows"]] == [5, 4, 3, 2, 1] and all(row["label"] for row in body["rows"])
    assert api("kefu2").get("/api/v1/reports/satisfaction", project=world.project1.pk).status_code == 404
    assert api("yezhu").get("/api/v1/reports/satisfaction", project=world.project1.pk).status_code == 403
