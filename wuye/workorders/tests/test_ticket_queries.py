"""One ticket query (`workorders.queries.filter_tickets`) behind the console inbox and `GET /api/v1/tickets`: the
same filter values give the same tickets on both faces, with the meanings a front desk expects."""

import re
from datetime import datetime, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from wuye.sla.models import Clock
from wuye.tenancy.models import Unit
from wuye.workorders.models import Category, Ticket

TICKET_LINK = re.compile(r'href="/console/tickets/(\d+)/"')
LOCAL = timezone.get_fixed_timezone(8 * 60)


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LOCAL)


@pytest.fixture
def desk(world):
    """Four tickets of project 1 received on pinned days, one of project 2 (out of kefu's sight)."""
    p1 = world.project1
    unit = {u.label: u for u in Unit.objects.with_places().filter(project=p1)}
    category = {c.code: c for c in Category.objects.filter(project=p1)}
    kefu = world.user("kefu")
    tickets = {
        "leak": world.ticket(p1, unit=unit["1-101"], category=category["leak"], contact_name="张伟",
                             contact_phone="13812345678", description="厨房水龙头漏水"),
        "power": world.ticket(p1, unit=unit["2-201"], category=category["power-loss"], contact_name="王芳",
                              description="家里跳闸没电"),
        "noise": world.ticket(p1, unit=unit["1-102"], kind="complaint", category=category["neighbour"],
                              contact_name="李娜", description="楼上夜间噪音"),
        "lift": world.ticket(p1, is_public_area=True, location="1号楼电梯",  # a public area: no unit
                             category=category["elevator-fault"], description="电梯按钮失灵"),
        "other": world.ticket(world.project2, contact_phone="13812345678", description="厨房水龙头漏水"),
    }
    received = {"leak": "2026-11-02 09:00", "power": "2026-11-05 00:10", "noise": "2026-11-10 14:00",
                "lift": "2026-11-10 23:30", "other": "2026-11-06 10:00"}
    for name, moment in received.items():
        Ticket.objects.filter(pk=tickets[name].pk).update(created_at=_at(moment))
    Ticket.objects.filter(pk=tickets["power"].pk).update(assignee=kefu)
    now = timezone.now()
    clocks = Clock.objects.filter(subject_type=ContentType.objects.get_for_model(Ticket))
    clocks.update(warn_at=now + timedelta(days=9), due_at=now + timedelta(days=10))
    clocks.filter(subject_id=tickets["leak"].pk).update(warn_at=now - timedelta(days=2), due_at=now - timedelta(1))
    clocks.filter(subject_id=tickets["power"].pk).update(warn_at=now - timedelta(hours=1), due_at=now + timedelta(1))
    world.tickets, world.units, world.kefu = tickets, unit, kefu
    return world


def _cases(w):
    t, u = w.tickets, w.units
    plumbing = Category.objects.get(project=w.project1, code="plumbing")
    return [
        # (console parameters, API parameters, the tickets a front desk expects)
        ({"kind": "complaint"}, {"kind": "complaint"}, {"noise"}),
        ({"kind": "repair", "status": "new"}, {"kind": "repair", "status": "new"}, {"leak", "power", "lift"}),
        ({"project": w.project1.pk, "category": plumbing.pk}, {"category": plumbing.pk}, {"leak"}),  # with children
        ({"q": "13812345678"}, {"q": "13812345678"}, {"leak"}),  # the contact's full phone
        ({"q": "138 1234 5678"}, {"q": "138 1234 5678"}, {"leak"}),
        ({"q": "12345678"}, {"q": "12345678"}, set()),  # part of a phone finds nobody
        ({"q": "1-101"}, {"q": "1-101"}, {"leak"}),  # a unit as typed
        ({"q": "1号楼"}, {"q": "1号楼"}, {"leak", "noise", "lift"}),  # the building's units and "1号楼电梯"
        ({"q": "101"}, {"q": "101"}, {"leak"}),  # flat 101 (and no ticket has id 101)
        ({"q": "张"}, {"q": "张"}, {"leak"}),  # part of the contact's name
        ({"q": "噪音"}, {"q": "噪音"}, {"noise"}),  # words of the description
        ({"q": t["noise"].number}, {"q": t["noise"].number}, {"noise"}),
        ({"created_from": "2026-11-05", "created_to": "2026-11-10"},
         {"created_from": "2026-11-05", "created_to": "2026-11-10"}, {"power", "noise", "lift"}),  # local days
        ({"created_to": "2026-11-04"}, {"created_to": "2026-11-04"}, {"leak"}),  # 11-05 00:10 is the 5th in Shanghai
        ({"project": w.project1.pk, "building": u["1-101"].building_id}, {"building": u["1-101"].building_id},
         {"leak", "noise"}),
        ({"unit": u["2-201"].pk}, {"unit": u["2-201"].pk}, {"power"}),
        ({"mine": "on"}, {"assignee": w.kefu.pk}, {"power"}),
        ({"overdue": "on"}, {"overdue": "true"}, {"leak"}),
        ({"at_risk": "on"}, {"at_risk": "true"}, {"power"}),
        ({"open": "on", "kind": "repair", "q": "漏水"}, {"open": "true", "kind": "repair", "q": "漏水"}, {"leak"}),
    ]


def test_the_same_filters_give_the_same_tickets_on_both_faces(desk, login, api):
    console, client = login("kefu"), api("kefu")
    names = {ticket.pk: name for name, ticket in desk.tickets.items()}
    for console_params, api_params, expected in _cases(desk):
        page = console.get("/console/tickets/", {"sort": "new", **console_params})
        assert page.status_code == 200, console_params
        on_console = {names[int(pk)] for pk in TICKET_LINK.findall(page.content.decode())}
        answer = client.get("/api/v1/tickets", page_size=200, **api_params)
        assert answer.status_code == 200, (api_params, answer.content)
        on_api = {names[item["id"]] for item in answer.json()["items"]}
        assert on_console == on_api == expected, (console_params, on_console, on_api)
