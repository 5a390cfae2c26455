import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from wuye.core.outbox import notify
from wuye.people.access import actor_for
from wuye.people.models import Residency, Resident
from wuye.tenancy import services as tenancy_services
from wuye.tenancy.models import Building, Unit
from wuye.web.context import CONSOLE_NAV, NavItem, register_nav

MASKED_PHONE = re.compile(r"\d{3}\*{4}\d{4}")
UNIT_LINK = re.compile(r'href="/console/units/(\d+)/"')
RESIDENT_LINK = re.compile(r'href="/console/residents/(\d+)/"')

pytestmark = pytest.mark.django_db


def _owner_unit(username):
    return Residency.objects.current().get(resident__user__username=username).unit


def _phones_of_units(unit_ids):
    return set(Resident.objects.filter(residencies__unit_id__in=unit_ids).values_list("phone", flat=True))


def test_dashboard_counts_the_actors_scope(demo, login):
    html = login("kefu2").get("/console/").content.decode()
    assert "翠湖湾" in html and "锦华苑" not in html
    # Head-counts of places are company administration's cards on the workbench (wuye.web.workbench).
    units = Unit.objects.filter(project__company=demo["company"]).count()
    admin_html = login("admin").get("/console/").content.decode()
    assert f"{units:,}" in admin_html or f">{units}<" in admin_html
    # every entry of the navigation is a working app now: no "coming soon" placeholder is left
    for label in ("工单", "收费", "设备", "品质"):
        assert label in html
    assert "即将上线" not in html and 'href="/console/facilities/"' in html


def test_owners_never_reach_the_console(demo, login):
    client = login("yezhu")
    own = _owner_unit("yezhu")
    for url in ("/console/", f"/console/units/{own.pk}/", "/console/units/", "/console/residents/"):
        response = client.get(url)
        assert response.status_code == 302 and response.url == "/h5/", url


def test_owner_gets_404_for_another_unit_and_sees_their_own(demo, login):
    client = login("yezhu")
    own = _owner_unit("yezhu")
    neighbour = Unit.objects.filter(project=own.project).exclude(pk=own.pk).first()
    other_project = _owner_unit("yezhu2")
    assert client.get(f"/h5/units/{own.pk}/").status_code == 200
    assert client.get(f"/h5/units/{neighbour.pk}/").status_code == 404
    assert client.get(f"/h5/units/{other_project.pk}/").status_code == 404
    assert client.get("/h5/units/999999/").status_code == 404


def test_staff_of_project_2_get_404_on_project_1_records(demo, login):
    client = login("kefu2")
    unit = Unit.objects.filter(project=demo["p1"]).first()
    resident = Resident.objects.filter(project=demo["p1"]).first()
    assert client.get(f"/console/units/{unit.pk}/").status_code == 404
    assert client.get(f"/console/residents/{resident.pk}/").status_code == 404
    # the same pages exist for staff of project 1
    kefu = login("kefu")
    assert kefu.get(f"/console/units/{unit.pk}/").status_code == 200
    assert kefu.get(f"/console/residents/{resident.pk}/").status_code == 200


def test_unit_list_of_project_2_staff_shows_no_project_1_unit(demo, login):
    client = login("kefu2")
    p1_ids = set(Unit.objects.filter(project=demo["p1"]).values_list("id", flat=True))
    for url in ("/console/units/", f"/console/units/?project={demo['p1'].pk}", "/console/units/?page=5"):
        html = client.get(url).content.decode()
        shown = {int(pk) for pk in UNIT_LINK.findall(html)}
        assert shown, url
        assert not shown & p1_ids, url
        assert "锦华苑" not in html


def test_unit_list_filters_and_answers_htmx_with_the_partial(demo, login):
    client = login("kefu")
    building = Building.objects.filter(project=demo["p1"], number="3").get()
    url = f"/console/units/?project={demo['p1'].pk}&building={building.pk}&q=1-101"
    full = client.get(url)
    assert full.status_code == 200 and "<html" in full.content.decode()
    partial = client.get(url, headers={"hx-request": "true"})
    html = partial.content.decode()
    assert partial.status_code == 200
    assert "<html" not in html and "<body" not in html and 'id="unit-results"' in html
    assert "HX-Request" in partial["Vary"]
    # the building select is swapped out of band so it follows the chosen project
    assert 'hx-swap-oob="true"' in html
    shown = {int(pk) for pk in UNIT_LINK.findall(html)}
    assert shown == set(Unit.objects.filter(building=building, number="1-101").values_list("id", flat=True))


def test_unit_list_masks_phones(demo, login):
    html = login("kefu").get("/console/units/").content.decode()
    assert MASKED_PHONE.search(html)
    shown = {int(pk) for pk in UNIT_LINK.findall(html)}
    for phone in _phones_of_units(shown):
        assert phone not in html


def test_resident_list_masks_phone_and_id_and_searches(demo, login):
    client = login("kefu")
    html = client.get("/console/residents/").content.decode()
    assert MASKED_PHONE.search(html)
    assert re.search(r"\d{6}\*{8}[\dX]{4}", html)
    ids = {int(pk) for pk in RESIDENT_LINK.findall(html)}
    assert len(ids) == 50
    for phone, id_number in Resident.objects.filter(pk__in=ids).values_list("phone", "id_number"):
        assert phone not in html
        assert not id_number or id_number not in html
    # search by full phone finds the resident, and still shows the phone masked
    someone = Resident.objects.filter(project=demo["p1"]).order_by("id")[10]
    found = client.get("/console/residents/", {"q": someone.phone}, headers={"hx-request": "true"})
    html = found.content.decode()
    assert "<html" not in html
    assert {int(pk) for pk in RESIDENT_LINK.findall(html)} == {someone.pk}
    assert someone.phone not in html and someone.masked_phone in html


def test_resident_list_of_project_2_staff_stays_in_project_2(demo, login):
    html = login("kefu2").get("/console/residents/").content.decode()
    ids = {int(pk) for pk in RESIDENT_LINK.findall(html)}
    assert ids and set(Resident.objects.filter(pk__in=ids).values_list("project_id", flat=True)) == {demo["p2"].pk}


def test_resident_detail_shows_full_personal_data_only_with_view_pii(demo, login):
    resident = Resident.objects.filter(project=demo["p1"]).exclude(id_number="").first()
    pii = login("kefu").get(f"/console/residents/{resident.pk}/").content.decode()
    assert resident.phone in pii and resident.id_number in pii
    masked = login("gongcheng").get(f"/console/residents/{resident.pk}/").content.decode()
    assert resident.phone not in masked and resident.id_number not in masked
    assert resident.masked_phone in masked and resident.masked_id_number in masked


def test_unit_detail_shows_residents_masked_and_the_timeline(demo, login):
    jingli = get_user_model().objects.get(username="jingli")
    building = Building.objects.filter(project=demo["p1"]).first()
    unit = tenancy_services.create_unit(
        actor_for(jingli), building=building, number="9-901", floor=9, area=Decimal("88.50")
    )
    html = login("kefu").get(f"/console/units/{unit.pk}/").content.decode()
    assert "新建房屋" in html and "周建华" in html  # the event, by whom
    own = _owner_unit("yezhu")
    html = login("kefu").get(f"/console/units/{own.pk}/").content.decode()
    owner = Resident.objects.get(user__username="yezhu")
    assert owner.name in html and owner.masked_phone in html and owner.phone not in html


def test_lists_do_not_grow_queries_with_rows(demo, login, django_assert_max_num_queries):
    client = login("kefu")
    client.get("/console/")  # warm the content-type cache
    with django_assert_max_num_queries(16):
        assert client.get("/console/units/").status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get(f"/console/units/?project={demo['p1'].pk}&page=3").status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get("/console/residents/").status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get("/console/residents/", headers={"hx-request": "true"}).status_code == 200


def test_projects_page_counts_per_project(demo, login):
    html = login("pinzhi").get("/console/projects/").content.decode()
    assert "锦华苑" in html and "翠湖湾" in html
    html = login("kefu").get("/console/projects/").content.decode()
    assert "锦华苑" in html and "翠湖湾" not in html


def test_navigation_follows_permissions_and_later_apps_can_register(demo, login):
    register_nav(NavItem("secret", "Secret page", "web:projects", permission="nobody.has_this", order=99))
    register_nav(NavItem("tickets-test", "Ticket test", order=35))
    try:
        html = login("kefu").get("/console/").content.decode()
        assert "Secret page" not in html
        assert "Ticket test" in html and "/console/soon/tickets-test/" in html
        assert login("kefu").get("/console/soon/tickets-test/").status_code == 200
    finally:
        CONSOLE_NAV.pop("secret")
        CONSOLE_NAV.pop("tickets-test")
    assert login("kefu").get("/console/soon/no-such-thing/").status_code == 404


def test_staff_mark_notifications_read_with_htmx(demo, login):
    kefu = get_user_model().objects.get(username="kefu")
    message = notify(kefu, "新的报修", "3-1-1201 厨房漏水")[0]
    client = login("kefu")
    html = client.get("/console/notifications/").content.decode()
    assert "新的报修" in html and 'unread-count">1<' in html
    response = client.post(f"/console/notifications/{message.pk}/read/", headers={"hx-request": "true"})
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert f'id="message-{message.pk}"' in html and "标为已读" not in html
    assert 'hx-swap-oob="innerHTML:.unread-count"></span>' in html  # the unread counters follow (now none)
    message.refresh_from_db()
    assert message.read_at is not None
    # someone else's message is not there for them
    other = notify(get_user_model().objects.get(username="kefu2"), "x")[0]
    assert client.post(f"/console/notifications/{other.pk}/read/").status_code == 404
    assert client.get(f"/console/notifications/{message.pk}/read/").status_code == 405
