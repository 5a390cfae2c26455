"""The console pages: the list (active first), the start form with the suggested level, the detail with steps,
log (with a photo) and actions, the report, the playbooks page (the manager edits a step's minutes); owners are
sent to their portal, kefu2 gets 404 for project 1's incident; the workbench card and the home figure count the
list they open."""

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from PIL import Image

from wuye.community.emergencies import incidents
from wuye.community.emergencies.models import Incident, IncidentPhoto, Playbook
from wuye.community.emergencies.playbooks import install_default_playbooks
from wuye.community.home import sections_for
from wuye.people.access import actor_for
from wuye.web.workbench import cards_for

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def books(world):
    install_default_playbooks(world.project1)
    return {p.kind: p for p in Playbook.objects.filter(project=world.project1)}


def _png():
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    buffer.seek(0)
    buffer.name = "scene.png"
    return buffer


def test_start_from_the_form_then_log_with_a_photo_and_resolve(world, books, login):
    browser = login("zhixu")
    form = browser.get(reverse("emergencies:new"), {"project": world.project1.pk, "playbook": books["outage"].pk,
                                                    "buildings_affected": "11", "suggest": "1"})
    assert form.status_code == 200
    assert 'value="iii" selected' in form.content.decode()
    low = browser.post(reverse("emergencies:new"), {"project": world.project1.pk, "playbook": books["outage"].pk,
                                                    "buildings_affected": "11", "level": "iv"})
    assert low.status_code == 422 and not Incident.objects.exists()
    response = browser.post(reverse("emergencies:new"), {
        "project": world.project1.pk, "playbook": books["outage"].pk, "buildings_affected": "11", "place": "全小区"})
    incident = Incident.objects.get()
    assert response.status_code == 302 and response["Location"] == incident.get_absolute_url()
    assert incident.level == "iii"

    logged = browser.post(reverse("emergencies:log", args=[incident.pk]), {"text": "临时取水点已设", "photos": _png()})
    assert logged.status_code == 302 and IncidentPhoto.objects.count() == 1
    page = browser.get(incident.get_absolute_url()).content.decode()
    assert "临时取水点已设" in page and "通知业主" in page and incident.get_level_display() in page
    assert browser.post(reverse("emergencies:action", args=[incident.pk, "resolve"])).status_code == 302
    assert Incident.objects.get().status == "resolved"


def test_list_detail_report_and_refusals(world, books, login):
    with time_machine.travel(datetime(2026, 12, 2, 10, 0, tzinfo=SH), tick=False):
        incident = incidents.start_incident(actor_for(world.user("kefu")), world.project1, books["entrapment"])
    listing = login("caiwu").get(reverse("emergencies:list")).content.decode()
    assert "电梯困人" in listing and "2026年12月2日" in listing
    assert login("jingli").get(reverse("emergencies:report", args=[incident.pk]))["Content-Type"] == \
        "application/pdf"
    assert login("kefu").get(reverse("emergencies:report", args=[incident.pk])).status_code == 403
    assert login("kefu2").get(incident.get_absolute_url()).status_code == 404
    assert login("yezhu").get(reverse("emergencies:list")).status_code == 302
    assert login("caiwu").get(reverse("emergencies:new")).status_code == 403


def test_the_manager_edits_a_steps_minutes(world, books, login):
    step = books["entrapment"].steps.get(position=4)
    page = login("zhixu").get(reverse("emergencies:playbooks")).content.decode()
    assert "电梯困人应急预案" in page and 'name="minutes"' not in page
    assert login("zhixu").post(reverse("emergencies:playbook_step_minutes", args=[step.pk]),
                               {"minutes": "60"}).status_code == 403
    login("jingli").post(reverse("emergencies:playbook_step_minutes", args=[step.pk]), {"minutes": "60"})
    step.refresh_from_db()
    assert step.minutes == 60
    login("jingli").post(reverse("emergencies:playbook_step_minutes", args=[step.pk]), {"minutes": "0"})
    step.refresh_from_db()
    assert step.minutes == 60
    assert login("kefu2").post(reverse("emergencies:playbook_step_minutes", args=[step.pk]),
                               {"minutes": "9"}).status_code == 403


def test_workbench_and_home_count_the_active_incidents_they_open(world, books, login):
    now = datetime(2026, 12, 2, 10, 0, tzinfo=SH)
    with time_machine.travel(now, tick=False):
        incident = incidents.start_incident(actor_for(world.user("kefu")), world.project1, books["entrapment"])
        closed = incidents.start_incident(actor_for(world.user("kefu")), world.project1, books["fire"])
        incidents.resolve(actor_for(world.user("kefu")), closed)
    link = f'href="{incident.get_absolute_url()}"'
    for who in ("huanjing", "caiwu", "zhixu"):
        card = {c.key: c for c in cards_for(actor_for(world.user(who)), now)}["emergencies.active"]
        assert card.count == 1
        opened = login(who).get(card.url).content.decode()
        assert opened.count(link) == 1 and f'href="{closed.get_absolute_url()}"' not in opened
    late_at = datetime(2026, 12, 2, 10, 6, tzinfo=SH)
    late = {c.key: c for c in cards_for(actor_for(world.user("zhixu")), late_at)}["emergencies.late"]
    assert late.count == 1
    with time_machine.travel(late_at, tick=False):
        assert login("zhixu").get(late.url).content.decode().count(link) == 1
    assert {c.key: c for c in cards_for(actor_for(world.user("zhixu")), now)}["emergencies.late"].count == 0
    assert {c.key: c for c in cards_for(actor_for(world.user("kefu2")), now)}["emergencies.active"].count == 0
    section = next(s for s in sections_for(actor_for(world.user("kefu"))) if s["key"] == "emergencies")
    assert section["figure"]["count"] == 1
