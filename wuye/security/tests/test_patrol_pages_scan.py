"""The guard's phone: the QR label's page checks in to the round open now with one tap (on time, late), says
already scanned on the second tap, says why not when no round is open, takes a finding in the same tap (a bad one
leaves no check-in behind); the code box opens a checkpoint by its code. Rounds are made and opened by the patrol
services at a frozen moment."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from wuye.people.access import actor_for
from wuye.security import patrols
from wuye.security.models import CheckpointVisit, PatrolFinding, VisitStatus

SH = ZoneInfo("Asia/Shanghai")


def at(hour, minute=0):
    return datetime(2026, 10, 14, hour, minute, tzinfo=SH)


@pytest.fixture
def gate(world):
    """A route walked every hour 06:00–12:00 with two checkpoints (10 and 20 minutes into the round), its 10:00
    round open."""
    with time_machine.travel(at(9, 55), tick=False):
        route = patrols.create_route(
            actor_for(world.user("zhixu")), project=world.project1, name="大门", every_minutes=60,
            first_round_at=time(6), last_round_at=time(12), round_minutes=30,
            checkpoints=[{"name": "北门", "location": "北门岗亭", "checks": "道闸", "code": "BM-01",
                          "minutes_from_start": 10},
                         {"name": "南门", "location": "", "checks": "", "code": "NM-01", "minutes_from_start": 20}])
    with time_machine.travel(at(10), tick=False):
        patrols.open_due_rounds()
    north, south = route.checkpoints.order_by("order")
    return route, north, south


def page(checkpoint):
    return reverse("security:checkpoint_scan", args=[checkpoint.label_token])


def test_one_tap_checks_in_on_time_and_the_second_says_already_scanned(login, gate):
    _route, north, _south = gate
    client = login("zhixu")
    with time_machine.travel(at(10, 5), tick=False):
        response = client.get(page(north))
        assert response.status_code == 200 and response.context["state"] == "open"
        assert 'class="stack-lg phone"' in response.content.decode()
        done = client.post(page(north), {"note": "正常"}, follow=True)
        assert done.status_code == 200
        assert done.context["state"] == "scanned"
        assert [m.level_tag for m in done.context["messages"]] == ["success"]  # on time (late is a warning)
        again = client.post(page(north), {})
        assert again.status_code == 409
        assert "10:05" in again.context["errors"]["form"]  # when it was scanned, said on the page
    visit = CheckpointVisit.objects.get(checkpoint=north, round__starts_at=at(10))
    assert (visit.status, visit.note, visit.scanned_by.username) == (VisitStatus.ON_TIME, "正常", "zhixu")
    assert visit.round.scanned == 1


def test_after_the_deadline_the_tap_says_late(login, gate):
    _route, _north, south = gate
    with time_machine.travel(at(10, 31), tick=False):  # due 10:20 + 10 minutes' grace
        response = login("zhixu").post(page(south), {}, follow=True)
    assert response.context["visit"].status == VisitStatus.LATE
    assert [m.level_tag for m in response.context["messages"]] == ["warning"]


def test_no_round_open_is_said_and_a_tap_is_refused(login, gate):
    _route, north, _south = gate
    client = login("zhixu")
    with time_machine.travel(at(13, 30), tick=False):  # the last round (12:00) closed at 13:00
        response = client.get(page(north))
        assert response.status_code == 200 and response.context["state"] == "no_round"
        refused = client.post(page(north), {})
    assert refused.status_code == 422
    assert not CheckpointVisit.objects.filter(checkpoint=north, status__in=[VisitStatus.ON_TIME, VisitStatus.LATE])


def test_a_finding_in_the_same_tap_and_a_bad_one_leaves_no_check_in(login, gate):
    _route, north, south = gate
    client = login("zhixu")
    with time_machine.travel(at(10, 8), tick=False):
        bad = client.post(page(north), {"finding": "消防通道堵塞", "action": "nonsense"})
        assert bad.status_code == 422 and "action" in bad.context["errors"]
        assert CheckpointVisit.objects.get(checkpoint=north, round__starts_at=at(10)).status == VisitStatus.PENDING
        good = client.post(page(north), {"finding": "消防通道堵塞", "action": "rectification"})
        assert good.status_code == 302
    finding = PatrolFinding.objects.get()
    assert finding.visit.checkpoint == north and finding.rectification_id is not None
    with time_machine.travel(at(10, 20), tick=False):
        client.post(page(south), {"finding": "路灯不亮", "action": "work_order"})
    assert PatrolFinding.objects.get(visit__checkpoint=south).ticket_id is not None


def test_the_front_desk_reads_the_page_but_may_not_check_in(login, gate):
    _route, north, _south = gate
    client = login("kefu")
    with time_machine.travel(at(10, 5), tick=False):
        response = client.get(page(north))
        assert response.status_code == 200 and not response.context["may_patrol"]
        assert client.post(page(north), {}).status_code == 403
    assert login("kefu2").get(page(north)).status_code == 404  # another project's label


def test_the_code_box_opens_the_checkpoint(login, gate):
    _route, north, _south = gate
    client = login("zhixu")
    with time_machine.travel(at(10, 5), tick=False):
        hub = client.get(reverse("security:scan"))
        assert [r.route.name for r in hub.context["rounds"]] == ["大门"]
        assert hub.context["rounds"][0].next_visit.checkpoint == north
        assert client.get(reverse("security:scan"), {"code": " bm-01 "}).url == page(north)
        pasted = client.get(reverse("security:scan"), {"code": f"https://wuye.example{page(north)}"})
        assert pasted.url == page(north)
        unknown = client.get(reverse("security:scan"), {"code": "XX-99"})
        assert unknown.status_code == 422 and unknown.context["problem"]
