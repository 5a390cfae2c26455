"""The emergency command group (应急指挥小组) is kept on the staff page: a checkbox on the create/edit form and a field
of the staff API, each change on the staff member's record — and the group it makes is the one a late entrapment
reaches."""

import json

from django.urls import reverse
from django.utils import translation

from conftest import ApiClient
from wuye.core.events import timeline
from wuye.core.sentences import event_details, prepare_events
from wuye.people.models import StaffProfile
from wuye.people.services import emergency_group


def _changes(user):
    events = [e for e in timeline(StaffProfile.objects.get(user=user)) if e.verb == "staff.changed"]
    return [e.data for e in events]


def test_the_console_form_flags_a_member_and_records_it(world, login):
    gongcheng = world.user("gongcheng")
    browser = login("admin")
    form = {"name": "王强", "role": "engineering", "projects": [world.project1.pk], "is_supervisor": "on",
            "phone": StaffProfile.objects.get(user=gongcheng).phone, "email": gongcheng.email}
    page = browser.get(reverse("web:staff_detail", args=[gongcheng.pk])).content.decode()
    assert 'name="in_emergency_group"' in page
    response = browser.post(reverse("web:staff_detail", args=[gongcheng.pk]), {**form, "in_emergency_group": "on"})
    assert response.status_code == 302, response.content.decode()[:500]
    assert StaffProfile.objects.get(user=gongcheng).in_emergency_group is True
    assert _changes(gongcheng) == [{"in_emergency_group": True}]
    assert [user.username for user in emergency_group(world.project1)] == ["gongcheng"]
    assert [user.username for user in emergency_group(world.project2)] == []  # not his project: nobody marked
    with translation.override("en"):
        event = prepare_events([e for e in timeline(StaffProfile.objects.get(user=gongcheng))
                                if e.verb == "staff.changed"])[0]
        assert ("emergency command group", "yes") in event_details(event)
    # Saved again unchanged: nothing recorded; unticked: recorded once more.
    browser.post(reverse("web:staff_detail", args=[gongcheng.pk]), {**form, "in_emergency_group": "on"})
    browser.post(reverse("web:staff_detail", args=[gongcheng.pk]), form)
    assert _changes(gongcheng) == [{"in_emergency_group": True}, {"in_emergency_group": False}]
    assert [user.username for user in emergency_group(world.project1)] == ["jingli"]


def test_the_staff_api_reads_and_writes_the_flag(world):
    admin = ApiClient("admin")
    created = admin.post("/api/v1/staff", {"username": "anquan", "name": "安全主任", "role": "security",
                                           "project_ids": [world.project1.pk], "in_emergency_group": True,
                                           "password": "Qz7-staff-pass"})
    assert created.status_code == 201, created.content
    assert created.json()["in_emergency_group"] is True
    assert [user.username for user in emergency_group(world.project1)] == ["anquan"]
    jingli = world.user("jingli")
    response = admin.client.patch(f"/api/v1/staff/{jingli.pk}", json.dumps({"in_emergency_group": True}),
                                  content_type="application/json", **admin.headers)
    assert response.status_code == 200 and response.json()["in_emergency_group"] is True
    assert _changes(jingli) == [{"in_emergency_group": True}]
    assert [user.username for user in emergency_group(world.project1)] == ["jingli", "anquan"]
    # Only the company administration changes it.
    kefu = ApiClient("kefu")
    response = kefu.client.patch(f"/api/v1/staff/{jingli.pk}", json.dumps({"in_emergency_group": False}),
                                 content_type="application/json", **kefu.headers)
    assert response.status_code == 403
    assert StaffProfile.objects.get(user=jingli).in_emergency_group is True
