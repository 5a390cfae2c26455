"""The facilities home and the technician's phone hub (my day): the counts a person sees, each equal to the list its
link opens; the red entrapment banner; the code box that opens an item by its code or its label; scope."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from wuye.facilities import reports
from wuye.people.access import actor_for

from .facilities_fixture import build

FIXED = date(2026, 10, 14)


@pytest.fixture
def fac(world):
    return build(world, FIXED)


@pytest.fixture
def live(world):
    """The same rows around the real today: the pages count with the clock on the wall."""
    return build(world, timezone.localdate())


def test_overview_counts_for_the_project_manager(world, fac):
    data = reports.overview(actor_for(world.user("jingli")), fac.now)
    items = {value: count for _label, count, _url, value in data["items"]}
    assert items == {"in_service": 3, "faulty": 1, "stopped": 1}  # project 1 only
    counts = {name: count for name, (count, _url) in data["tasks"].items()}
    # due today: two lifts and the extinguishers; overdue: DT-03 (2 days) and the extinguishers (5 days)
    assert counts == {"due_today": 3, "overdue": 2, "late": 1, "skipped": 1}
    faults = {value: count for _label, count, _url, value in data["faults"]}
    assert faults == {"raised": 0, "reported": 1, "in_repair": 2, "testing": 1}
    assert data["open_faults"] == 4
    assert [e.pk for e in data["entrapments"]] == [fac.trapped.pk]
    assert [(project.name, count, short) for project, count, short in data["sweeps"]] == [
        (world.project1.name, 1, True)]
    assert (data["handovers"], data["handovers_late"]) == (0, 0)
    assert data["sweeps_url"].endswith("?month=2026-10")


def test_the_home_page_links_each_count_to_its_list_and_shows_the_entrapment_in_red(world, live, login):
    client = login("jingli")
    response = client.get(reverse("facilities:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="f-alarm"' in html and "12" in html  # the floor people are stuck at
    context = response.context
    for name, (count, url) in context["tasks"].items():
        assert url, name
        assert client.get(url).context["page"].paginator.count == count, name
    for _label, count, url, value in context["faults"]:
        assert client.get(url).context["page"].paginator.count == count, value
    assert client.get(context["entrapments_url"]).context["page"].paginator.count == 1
    assert client.get(context["sweeps_url"]).context["page"].paginator.count == 1
    assert client.get(context["handovers_late_url"]).context["page"].paginator.count == context["handovers_late"]
    assert dict(context["links"])  # the pages that exist
    assert reverse("facilities:my_day") in [url for _label, url in context["links"]]


def test_my_day_lists_my_tasks_faults_and_the_entrapment(world, fac):
    data = reports.my_day(actor_for(world.user("gongcheng")), fac.now)
    assert [t.pk for t in data["overdue"]] == [fac.tasks.overdue.pk]
    assert {t.pk for t in data["due"]} == {fac.tasks.today_1.pk, fac.tasks.today_2.pk}  # not security's checks
    # assigned to me, and the reported fault nobody took; not jingli's, not project 2's, not the closed one
    assert {f.pk for f in data["faults"]} == {fac.faults.reported.pk, fac.faults.repairing.pk, fac.faults.testing.pk}
    assert [e.pk for e in data["entrapments"]] == [fac.trapped.pk]
    security = reports.my_day(actor_for(world.user("zhixu")), fac.now)
    assert [t.pk for t in security["overdue"]] == [fac.tasks.fire_overdue.pk]
    assert [t.pk for t in security["due"]] == [fac.tasks.fire_today.pk]
    assert security["faults"] == []


def test_the_phone_hub_page_has_the_buttons_and_the_code_box(world, live, login):
    response = login("gongcheng").get(reverse("facilities:my_day"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="code"' in html and 'maxlength="200"' in html
    labels = [label for label, _url, _css in response.context["buttons"]]
    assert str(labels[0]) and len(labels) >= 3  # readings, fault, entrapment (handover when its page lands)
    assert reverse("facilities:readings") in html and reverse("facilities:fault_new") in html
    assert reverse("facilities:entrapment_start") in html
    assert live.trapped.get_absolute_url() in html
    assert 'width=device-width' in html or "viewport" in html


def test_the_code_box_opens_the_item_by_code_or_label_in_my_projects_only(world, fac, login):
    actor = actor_for(world.user("gongcheng"))
    assert reports.find_item(actor, " dt-03 ") == [fac.faulty]
    assert reports.find_item(actor, f"https://wuye.example/console/facilities/e/{fac.pump.label_token}/") == [fac.pump]
    assert reports.find_item(actor, str(fac.pump.label_token).replace("-", "").upper()) == [fac.pump]
    assert reports.find_item(actor, f"https://wuye.example/console/facilities/e/{fac.other.label_token}/") == []
    assert reports.find_item(actor, "DT-01") == [fac.lifts[0]]  # project 2's DT-01 is not his
    assert reports.find_item(actor, "x" * 5000) == []
    assert reports.find_item(actor_for(world.user("jingli")), "") == []

    client = login("gongcheng")
    response = client.get(reverse("facilities:my_day"), {"code": "DT-03"})
    target = reports.url_or_none("facilities:equipment", fac.faulty.pk)  # lands with the register stream
    if target:
        assert response.status_code == 302 and response["Location"] == target
    missing = client.get(reverse("facilities:my_day"), {"code": "NOPE-9"})
    assert missing.status_code == 200 and missing.context["problem"]


def test_owners_and_finance_see_no_facilities_pages(world, fac, login):
    assert login("yezhu").get(reverse("facilities:my_day")).status_code == 302  # to the owners' portal
    assert login("caiwu").get(reverse("facilities:my_day")).status_code == 403
    assert login("caiwu").get(reverse("facilities:home")).status_code == 403


def test_project_two_sees_only_its_own(world, fac, login):
    data = reports.overview(actor_for(world.user("kefu2")), fac.now)
    assert {value: count for _l, count, _u, value in data["items"]} == {"in_service": 1, "faulty": 0, "stopped": 0}
    assert data["open_faults"] == 1 and data["entrapments"] == []
    assert reports.find_item(actor_for(world.user("kefu2")), "DT-03") == []
