"""The front desk (issue 11 part 4): finding the caller while a ticket is received, the chosen unit's panel (its
tickets, its arrears, a probable repeat repair), and the contact phone the assigned engineer sees in full — each
reveal on record — while others see it masked."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import translation

from wuye.core.models import Event
from wuye.core.templatetags.timeline import event_label
from wuye.people.access import actor_for
from wuye.people.models import Residency, Resident, StaffProfile
from wuye.tenancy.models import Unit
from wuye.workorders.frontdesk import PHONE_REVEALED, RECENT_DAYS, recent_days
from wuye.workorders.models import Category, Ticket
from wuye.workorders.services import ActionInput, TicketInput, create_ticket, perform

SH = ZoneInfo("Asia/Shanghai")
NEW = "/console/tickets/new/"
LOOKUP = "/console/tickets/new/caller/"
PHONE, OTHER_PHONE = "13900004321", "13900014321"  # the same last four digits, in two projects


def at(*args):
    return datetime(*args, tzinfo=SH)


def html_of(response):
    assert response.status_code in (200, 422), response.status_code
    return response.content.decode()


@pytest.fixture
def clock():
    with time_machine.travel(at(2026, 12, 2, 10, 0), tick=False) as traveller:
        yield traveller


@pytest.fixture
def callers(world):
    """A caller of project 1 (欧阳晓芸 of a unit) and one of project 2 with the same last four digits and surname."""
    unit1 = Unit.objects.filter(project=world.project1).with_places().order_by("id")[1]
    unit2 = Unit.objects.filter(project=world.project2).with_places().order_by("id")[1]
    mine = Resident.objects.create(project=world.project1, name="欧阳晓芸", phone=PHONE)
    Residency.objects.create(unit=unit1, resident=mine, relation="owner")
    theirs = Resident.objects.create(project=world.project2, name="欧阳大伟", phone=OTHER_PHONE)
    Residency.objects.create(unit=unit2, resident=theirs, relation="owner")
    return {"unit1": unit1, "unit2": unit2, "mine": mine, "theirs": theirs}


def lookup(client, text, **extra):
    response = client.post(LOOKUP, {"caller_q": text, **extra})
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def tap(world):
    return Category.objects.get(project=world.project1, kind="repair", code="tap")


# -- finding the caller ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("typed", ["13900004321", "139 0000 4321", "4321", "欧阳晓", "{label}", "{building}栋{flat}"])
def test_the_caller_is_found_by_phone_last_four_unit_or_name_within_the_clerks_project(world, login, callers, typed):
    unit1 = callers["unit1"]
    typed = typed.format(label=unit1.label, building=unit1.building.number, flat=unit1.number)
    html = lookup(login("kefu"), typed)
    assert "欧阳晓芸" in html and f"caller={Residency.objects.get(resident=callers['mine']).pk}" in html
    assert "欧阳大伟" not in html  # project 2's resident never appears, even with the same last four digits
    assert PHONE not in html and "139****4321" in html  # the list shows numbers masked


def test_another_projects_clerk_finds_only_their_own_residents(world, login, callers):
    html = lookup(login("kefu2"), "4321")
    assert "欧阳大伟" in html and "欧阳晓芸" not in html
    assert "欧阳晓芸" not in lookup(login("kefu2"), "欧阳")


def test_a_partial_phone_other_than_the_last_four_finds_nobody(world, login, callers):
    client = login("kefu")
    assert "欧阳晓芸" not in lookup(client, "321")
    assert "欧阳晓芸" not in lookup(client, "1390000")
    assert "data-no-callers" in lookup(client, "1390000")


def test_the_lookup_is_a_post_so_the_number_stays_out_of_urls(world, login):
    assert login("kefu").get(LOOKUP, {"caller_q": PHONE}).status_code == 405


# -- picking the caller ------------------------------------------------------------------------------------------
def _pick(client, world, callers, **fields):
    unit1 = callers["unit1"]
    residency = Residency.objects.get(resident=callers["mine"])
    return html_of(client.post(NEW, {
        "refresh": "1", "project": world.project1.pk, "kind": "repair", "building": unit1.building_id,
        "unit": unit1.pk, "caller": residency.pk, "contact_name": "", "contact_phone": "", **fields}))


def test_picking_the_caller_fills_the_unit_and_the_contact(world, login, callers):
    html = _pick(login("kefu"), world, callers)
    assert f'<option value="{callers["unit1"].pk}" selected>' in html
    assert 'value="欧阳晓芸"' in html and f'value="{PHONE}"' in html  # customer service may read the number


def test_a_clerk_who_may_not_read_phones_sees_it_masked_and_the_ticket_still_keeps_it(world, login, callers, clock):
    client = login("huanjing")  # environment staff record what they hear, without access to personal data
    html = _pick(client, world, callers)
    assert PHONE not in html and "139****4321" in html and 'value="欧阳晓芸"' in html
    residency = Residency.objects.get(resident=callers["mine"])
    response = client.post(NEW, {
        "project": world.project1.pk, "kind": "repair", "channel": "phone", "urgency": "general",
        "building": callers["unit1"].building_id, "unit": callers["unit1"].pk, "caller": residency.pk,
        "description": "卫生间漏水", "contact_name": "欧阳晓芸", "contact_phone": ""})
    assert response.status_code == 302, response.content.decode()[:2000]
    ticket = Ticket.objects.get(description="卫生间漏水")
    assert ticket.contact_phone == PHONE and ticket.contact_name == "欧阳晓芸"


def test_a_caller_outside_scope_fills_nothing(world, login, callers):
    foreign = Residency.objects.get(resident=callers["theirs"])
    html = html_of(login("kefu").post(NEW, {"refresh": "1", "project": world.project1.pk, "kind": "repair",
                                            "caller": foreign.pk, "unit": callers["unit2"].pk}))
    assert "欧阳大伟" not in html and OTHER_PHONE not in html


@pytest.mark.parametrize("junk", ["99999999999999999999999", "abc", "-1"])
def test_a_stale_or_forged_caller_is_ignored_not_a_500(world, login, callers, junk):
    response = login("kefu").post(NEW, {
        "project": world.project1.pk, "kind": "repair", "channel": "phone", "urgency": "general",
        "building": callers["unit1"].building_id, "unit": callers["unit1"].pk, "caller": junk,
        "description": "门禁卡失灵", "contact_name": "", "contact_phone": ""})
    assert response.status_code == 302
    assert Ticket.objects.get(description="门禁卡失灵").contact_phone == ""


# -- the unit's panel --------------------------------------------------------------------------------------------
def _receive(world, unit, when, description, category=None, user="kefu"):
    return create_ticket(actor_for(world.user(user)), project=unit.project, now=when, data=TicketInput(
        kind="repair", channel="phone", description=description, unit=unit, category=category))


def _panel(client, world, unit, **extra):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # English page: the words checked do not wait for the PO
    return html_of(client.get(NEW, {"project": world.project1.pk, "kind": "repair", "building": unit.building_id,
                                    "unit": unit.pk, **extra}))


def test_the_panel_shows_the_units_open_and_recent_tickets_and_its_arrears(world, login, callers, clock):
    unit = callers["unit1"]
    still_open = _receive(world, unit, at(2026, 10, 1, 9), "阳台门锁坏了")  # open, however old
    kefu = actor_for(world.user("kefu"))
    closed_lately = _receive(world, unit, at(2026, 11, 20, 9), "客厅灯不亮")
    perform(kefu, closed_lately, "cancel", ActionInput(reason="业主自行修好"), now=at(2026, 11, 20, 10))
    closed_long_ago = _receive(world, unit, at(2026, 8, 1, 9), "门铃不响")  # 123 days before: not recent
    perform(kefu, closed_long_ago, "cancel", ActionInput(reason="业主自行修好"), now=at(2026, 8, 1, 10))
    elsewhere = _receive(world, callers["unit2"], at(2026, 11, 30, 9), "别处的工单", user="kefu2")
    world.bill(unit, "320.50", period=date(2026, 10, 1))  # due 2026-11-15
    world.bill(unit, "1200", period=date(2026, 11, 1))

    html = _panel(login("kefu"), world, unit)
    assert still_open.number in html and closed_lately.number in html
    assert closed_long_ago.number not in html and elsewhere.number not in html
    assert "10-01" in html and "11-20" in html  # the day each was received
    assert "¥1,520.50" in html and "2026-10" in html and "17 days overdue" in html
    assert "This unit reported" not in html  # no category chosen: no repeat to point out


def test_a_unit_without_bills_owes_nothing_and_the_panel_hides_accounts_from_who_may_not_read_them(
        world, login, callers, clock):
    unit = callers["unit1"]
    assert "data-no-arrears" in _panel(login("kefu"), world, unit)
    world.bill(unit, "320.50", period=date(2026, 10, 1))
    html = _panel(login("gongcheng"), world, unit)  # engineering does not read accounts
    assert 'data-panel="tickets"' in html and 'data-panel="arrears"' not in html and "¥320.50" not in html


def test_the_recent_window_is_90_days_by_default():
    assert RECENT_DAYS == 90 and recent_days() == 90


def test_a_repeat_repair_is_pointed_out_for_the_same_unit_and_category_within_the_window(world, login, callers, clock):
    unit, category = callers["unit1"], tap(world)
    other = Category.objects.filter(project=world.project1, kind="repair").exclude(pk=category.pk) \
        .exclude(pk=category.parent_id).first()
    client = login("kefu")
    assert "This unit reported" not in _panel(client, world, unit, category=category.pk)
    earlier = _receive(world, unit, at(2026, 12, 1, 15), "厨房水龙头漏水", category=category)
    engineer, kefu = actor_for(world.user("gongcheng")), actor_for(world.user("kefu"))
    perform(kefu, earlier, "dispatch", ActionInput(assignee=world.user("gongcheng")), now=at(2026, 12, 1, 15, 10))
    for action in ("accept", "arrive"):
        perform(engineer, earlier, action, ActionInput(), now=at(2026, 12, 1, 16))
    perform(engineer, earlier, "complete", ActionInput(work_done="更换阀芯"), now=at(2026, 12, 1, 17))

    html = _panel(client, world, unit, category=category.pk)
    assert "data-repeat-hint" in html and f"“{category.name}” within 30 days (12-01)" in html
    assert earlier.number in html
    assert "data-repeat-hint" not in _panel(client, world, unit, category=other.pk)  # another fault
    assert "data-repeat-hint" not in _panel(client, world, callers["unit2"], category=category.pk)  # another unit
    # what the hint said is what receiving the ticket records
    ticket = _receive(world, unit, at(2026, 12, 2, 10), "水龙头又漏了", category=category)
    assert ticket.repeat_of_id == earlier.pk


def test_no_repeat_is_pointed_out_after_the_window(world, login, callers):
    unit, category = callers["unit1"], tap(world)
    _receive(world, unit, at(2026, 10, 30, 9), "厨房水龙头漏水", category=category)  # 33 days before
    with time_machine.travel(at(2026, 12, 2, 10, 0), tick=False):
        assert "data-repeat-hint" not in _panel(login("kefu"), world, unit, category=category.pk)


# -- the contact phone on the job ------------------------------------------------------------------------------------
@pytest.fixture
def job(world, callers, clock):
    """A repair with the owner's number, dispatched to gongcheng."""
    ticket = _receive(world, callers["unit1"], at(2026, 12, 2, 9), "热水器不出热水")
    Ticket.objects.filter(pk=ticket.pk).update(contact_phone=PHONE)
    perform(actor_for(world.user("kefu")), ticket, "dispatch", ActionInput(assignee=world.user("gongcheng")),
            now=at(2026, 12, 2, 9, 30))
    return Ticket.objects.get(pk=ticket.pk)


def reveals(ticket):
    return Event.objects.for_subject(ticket).filter(verb=PHONE_REVEALED)


@pytest.fixture
def other_engineer(world):
    user = get_user_model().objects.create_user("gongcheng_b", password="wuye-demo", first_name="赵工")
    profile = StaffProfile.objects.create(user=user, company=world.company, role="engineering")
    profile.projects.add(world.project1)
    return user


def test_the_assigned_engineer_sees_the_full_phone_with_a_tel_link_and_the_reveal_is_on_record(world, login, api,
                                                                                               job, clock):
    client = login("gongcheng")
    html = html_of(client.get(f"/console/tickets/{job.pk}/"))
    assert f'href="tel:{PHONE}"' in html
    assert [(e.actor.username, e.data) for e in reveals(job)] == [("gongcheng", {})]
    client.get(f"/console/tickets/{job.pk}/")
    assert api("gongcheng").get(f"/api/v1/tickets/{job.pk}").json()["contact_phone"] == PHONE
    assert reveals(job).count() == 1  # once per viewer, ticket and day
    clock.move_to(at(2026, 12, 3, 8, 30))
    client.get(f"/console/tickets/{job.pk}/")
    assert reveals(job).count() == 2  # the next day is on record again
    with translation.override("en"):
        assert event_label(reveals(job).first()) == "Contact's full phone number shown to the assigned engineer"


def test_others_see_the_phone_masked_and_nothing_is_recorded(world, login, api, job, other_engineer):
    for username in ("gongcheng_b", "huanjing"):
        html = html_of(login(username).get(f"/console/tickets/{job.pk}/"))
        assert PHONE not in html and "139****4321" in html and "tel:" not in html
    other = api("gongcheng_b")
    assert other.get(f"/api/v1/tickets/{job.pk}").json()["contact_phone"] == "139****4321"
    # customer service reads phones by their role (people.view_pii): no reveal to record
    assert PHONE in html_of(login("kefu").get(f"/console/tickets/{job.pk}/"))
    assert not reveals(job).exists()


def test_once_the_job_is_closed_the_engineer_sees_it_masked_again(world, login, job):
    perform(actor_for(world.user("kefu")), job, "cancel", ActionInput(reason="业主取消"), now=at(2026, 12, 2, 9, 40))
    html = html_of(login("gongcheng").get(f"/console/tickets/{job.pk}/"))
    assert PHONE not in html and not reveals(job).exists()
