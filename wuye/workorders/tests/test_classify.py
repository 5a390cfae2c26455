"""Classify / re-classify (§2, issue 10 point 5): customer service sets or changes a ticket's kind, category and
urgency; the limits of the old policy are cancelled and the new policy's started from the same moments, through
the SLA engine — the dispatch limit from receipt. Also: the owner's "it's urgent", the emergency on-site limit
counted from the call."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from wuye.core.errors import InvalidInput, NotAllowed
from wuye.core.models import Event, Notification
from wuye.people.access import actor_for
from wuye.sla.engine import clocks_for
from wuye.workorders.models import Category, Ticket
from wuye.workorders.services import ActionInput, StaleTicket, TicketInput, create_ticket, perform

SH = ZoneInfo("Asia/Shanghai")
TEN = datetime(2026, 11, 24, 10, 0, tzinfo=SH)  # a Tuesday


def at(hour, minute=0, day=24):
    return datetime(2026, 11, day, hour, minute, tzinfo=SH)


@pytest.fixture
def people(world):
    return {name: actor_for(world.user(name)) for name in ("yezhu", "kefu", "gongcheng", "caiwu", "jingli")}


def owner_report(world, people, now=TEN, **fields):
    data = TicketInput(kind="repair", channel="portal", unit=world.owner_unit("yezhu"), description="厨房水管在滴水",
                       category=Category.objects.get(project=world.project1, code="leak"), **fields)
    return create_ticket(people["yezhu"], project=world.project1, data=data, now=now)


def open_due(ticket) -> dict:
    return {clock.key: clock.due_at for clock in clocks_for(ticket).filter(state="running")}


def test_a_general_report_classified_as_an_emergency_is_due_for_dispatch_five_minutes_after_receipt(world, people):
    ticket = owner_report(world, people)
    assert open_due(ticket) == {"repair.general.dispatch": at(11, 0)}  # 1 hour for a general repair

    burst = Category.objects.get(project=world.project1, code="burst-pipe")
    ticket = perform(people["kefu"], ticket, "classify", ActionInput(urgency="emergency", category=burst), now=TEN)

    assert ticket.status == "new" and ticket.urgency == "emergency" and ticket.category == burst
    assert open_due(ticket) == {"repair.emergency.dispatch": at(10, 5)}  # SPEC: emergency dispatch in 5 minutes
    old = clocks_for(ticket).get(key="repair.general.dispatch")
    assert old.state == "cancelled"  # neither met nor breached: it no longer applies
    event = Event.objects.filter(verb="ticket.classify").get()
    assert event.actor == world.user("kefu")
    assert event.data["urgency_from"] == "general" and event.data["urgency_to"] == "emergency"
    assert event.data["category_from"] == "给排水 › 漏水渗水" and event.data["category_to"] == "给排水 › 水管爆裂"
    assert event.data["from"] == event.data["to"] == "new"  # the status stays
    assert ticket.classified_at == TEN


def test_the_dispatch_limit_counts_from_receipt_not_from_the_classification(world, people):
    ticket = owner_report(world, people)
    ticket = perform(people["kefu"], ticket, "classify", ActionInput(urgency="emergency"), now=at(10, 3))
    assert open_due(ticket) == {"repair.emergency.dispatch": at(10, 5)}


def test_the_emergency_on_site_limit_runs_from_the_call(world, people):
    """"On site within 30 minutes" means 30 minutes after the call, however long the dispatch took."""
    ticket = owner_report(world, people, urgency="emergency")
    ticket = perform(people["kefu"], ticket, "dispatch", ActionInput(assignee=world.user("gongcheng")),
                     now=at(10, 4))
    due = open_due(ticket)
    assert due["repair.emergency.arrive"] == at(10, 30)
    assert due["repair.emergency.complete"] == at(10, 4, day=25)  # done within 24 hours of dispatch


def test_re_classifying_a_dispatched_repair_restarts_its_running_limits(world, people):
    ticket = owner_report(world, people)
    ticket = perform(people["kefu"], ticket, "dispatch", ActionInput(assignee=world.user("gongcheng")),
                     now=at(10, 10))
    assert open_due(ticket) == {"repair.general.arrive": at(10, 10, day=25),
                                "repair.general.complete": at(10, 10, day=25)}
    ticket = perform(people["kefu"], ticket, "classify", ActionInput(urgency="emergency"), now=at(10, 12))
    assert ticket.status == "dispatched"
    assert open_due(ticket) == {"repair.emergency.arrive": at(10, 30),  # from receipt
                                "repair.emergency.complete": at(10, 10, day=25)}  # from dispatch
    met = clocks_for(ticket).get(key="repair.general.dispatch")
    assert met.state == "met"  # a finished step keeps its result
    assert {clock.assignee_id for clock in clocks_for(ticket).filter(state="running")} == {world.user("gongcheng").pk}


def test_a_complaint_being_handled_takes_the_new_urgency_s_working_time_limit(world, people):
    kefu = people["kefu"]
    ticket = create_ticket(kefu, project=world.project1, now=TEN, data=TicketInput(
        kind="complaint", channel="phone", unit=world.owner_unit("yezhu"), description="保安态度差"))
    ticket = perform(kefu, ticket, "assign", ActionInput(department="security"), now=at(10, 30))
    assert open_due(ticket) == {"complaint.general.handle": at(10, 30, day=27)}  # 24 working hours = 3 days
    ticket = perform(kefu, ticket, "classify", ActionInput(urgency="urgent", is_major=True), now=at(11, 0))
    assert open_due(ticket) == {"complaint.urgent.handle": at(10, 30, day=25)}  # 8 working hours from assignment
    assert ticket.is_major


def test_the_kind_changes_only_while_new_and_takes_its_first_limit_from_receipt(world, people):
    kefu = people["kefu"]
    ticket = create_ticket(kefu, project=world.project1, now=TEN, data=TicketInput(
        kind="inquiry", channel="phone", unit=world.owner_unit("yezhu"), description="物业费怎么这么高，要投诉"))
    attitude = Category.objects.get(project=world.project1, kind="complaint", code="fees")
    ticket = perform(kefu, ticket, "classify", ActionInput(kind="complaint", category=attitude), now=at(10, 20))
    assert (ticket.kind, ticket.responsible_role) == ("complaint", "finance")
    assert open_due(ticket) == {"complaint.assign": at(11, 0)}  # 1 hour from receipt
    assert clocks_for(ticket).get(key="feedback.reply").state == "cancelled"
    event = Event.objects.filter(verb="ticket.classify").get()
    assert (event.data["kind_from"], event.data["kind_to"]) == ("inquiry", "complaint")

    ticket = perform(kefu, ticket, "assign", ActionInput(department="finance"), now=at(10, 30))
    with pytest.raises(InvalidInput) as refused:
        perform(kefu, ticket, "classify", ActionInput(kind="repair"), now=at(10, 40))
    assert refused.value.problems[0].field == "kind"
    assert Ticket.objects.get(pk=ticket.pk).kind == "complaint"


def test_classify_checks_urgency_and_category_against_the_kind(world, people):
    ticket = owner_report(world, people)
    with pytest.raises(InvalidInput) as refused:
        perform(people["kefu"], ticket, "classify", ActionInput(urgency="important"))  # a complaint's urgency
    assert refused.value.problems[0].field == "urgency"
    attitude = Category.objects.get(project=world.project1, kind="complaint", code="attitude")
    with pytest.raises(InvalidInput) as refused:
        perform(people["kefu"], ticket, "classify", ActionInput(category=attitude))
    assert refused.value.problems[0].field == "category_id"
    assert open_due(Ticket.objects.get(pk=ticket.pk)) == {"repair.general.dispatch": at(11, 0)}  # untouched


def test_only_the_service_center_and_managers_classify(world, people):
    ticket = owner_report(world, people)
    for name in ("yezhu", "gongcheng", "caiwu"):
        with pytest.raises(NotAllowed):
            perform(people[name], ticket, "classify", ActionInput(urgency="emergency"))
    assert perform(people["jingli"], ticket, "classify", ActionInput(urgency="emergency")).urgency == "emergency"
    with pytest.raises(StaleTicket):  # classify keeps the version check of every action
        perform(people["kefu"], ticket, "classify", ActionInput(urgency="general", version=0))


def test_classify_through_the_api(world, api):
    unit = world.owner_unit("yezhu")
    created = api("yezhu").post("/api/v1/tickets", {
        "kind": "repair", "unit_id": unit.pk, "description": "卫生间水管爆了", "owner_says_urgent": True})
    assert created.status_code == 201, created.content
    ticket = created.json()
    assert ticket["owner_says_urgent"] is True and ticket["classified_at"] is None and ticket["urgency"] == "general"
    kefu = api("kefu")
    listed = kefu.get("/api/v1/tickets").json()["items"]
    assert next(row for row in listed if row["id"] == ticket["id"])["owner_says_urgent"] is True
    assert "classify" in kefu.get(f"/api/v1/tickets/{ticket['id']}").json()["actions"]
    told = Notification.objects.filter(recipient=world.user("kefu"), source_id=ticket["id"]).values_list(
        "subject_line", flat=True)
    assert any("业主称紧急" in line or "Owner says urgent" in line for line in told)

    burst = Category.objects.get(project=world.project1, code="burst-pipe")
    foreign = Category.objects.get(project=world.project2, code="burst-pipe")
    path = f"/api/v1/tickets/{ticket['id']}/actions/classify"
    refused = kefu.post(path, {"category_id": foreign.pk, "urgency": "emergency"})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "category_id"
    assert kefu.post(path, {"urgency": "critical"}).status_code == 422
    assert api("caiwu").post(path, {"urgency": "emergency"}).status_code == 403
    assert api("kefu2").post(path, {"urgency": "emergency"}).status_code == 404

    done = kefu.post(path, {"category_id": burst.pk, "urgency": "emergency", "version": ticket["version"]})
    assert done.status_code == 200, done.content
    body = done.json()
    assert body["urgency"] == "emergency" and body["category"] == "给排水 › 水管爆裂" and body["classified_at"]
    running = [d for d in body["deadlines"] if d["state"] == "running"]
    assert [d["key"] for d in running] == ["repair.emergency.dispatch"]
    received = datetime.fromisoformat(body["created_at"])
    assert datetime.fromisoformat(running[0]["due_at"]) == received + timedelta(minutes=5)
    step = next(e for e in body["timeline"] if e["verb"] == "ticket.classify")
    assert (step["data"]["urgency_from"], step["data"]["urgency_to"]) == ("general", "emergency")


def test_staff_cannot_claim_the_owner_s_word(world, people):
    ticket = create_ticket(people["kefu"], project=world.project1, data=TicketInput(
        kind="repair", channel="phone", unit=world.owner_unit("yezhu"), description="漏水", owner_says_urgent=True))
    assert not ticket.owner_says_urgent and ticket.classified_at is not None  # staff classify as they receive


def test_the_owner_marks_it_urgent_in_the_portal_and_the_desk_classifies_on_the_ticket_page(world, login):
    from django.urls import reverse

    unit = world.owner_unit("yezhu")
    portal = login("yezhu")
    form = portal.get(reverse("workorders:h5_new", args=["repair"]))
    assert 'name="owner_says_urgent"' in form.content.decode()
    sent = portal.post(reverse("workorders:h5_new", args=["repair"]), {
        "unit": unit.pk, "description": "卫生间水管爆裂，水一直在流", "owner_says_urgent": "on"})
    assert sent.status_code == 302
    ticket = Ticket.objects.get(description__startswith="卫生间水管爆裂")
    assert ticket.owner_says_urgent and ticket.urgency == "general" and ticket.classified_at is None

    desk = login("kefu")
    page = desk.get(reverse("workorders:ticket", args=[ticket.pk])).content.decode()
    assert 'data-flag="owner-says-urgent"' in page and 'action="' + reverse(
        "workorders:action", args=[ticket.pk, "classify"]) in page
    burst = Category.objects.get(project=world.project1, code="burst-pipe")
    done = desk.post(reverse("workorders:action", args=[ticket.pk, "classify"]), {
        "version": ticket.version, "kind": "repair", "category": burst.pk, "urgency": "emergency"})
    assert done.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.urgency, ticket.category, ticket.classified_at is not None) == ("emergency", burst, True)
    assert set(open_due(ticket)) == {"repair.emergency.dispatch"}
    wrong = desk.post(reverse("workorders:action", args=[ticket.pk, "classify"]), {
        "version": ticket.version, "kind": "repair", "urgency": "emergency",
        "category": Category.objects.get(project=world.project1, kind="complaint", code="fees").pk})
    assert wrong.status_code == 422
