"""An elevator entrapment started in facilities is a level-IV incident (SPEC §7): once per entrapment, from the
project's entrapment playbook. The entrapment keeps its three clocks; the incident's steps that stand for them
take their deadlines and done times from the entrapment and run no clock of their own."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from wuye.community.emergencies import incidents
from wuye.community.emergencies.models import Incident
from wuye.core.errors import Conflict
from wuye.facilities import entrapments
from wuye.facilities.models import CategoryKind, Equipment, EquipmentCategory
from wuye.people.access import actor_for
from wuye.sla.engine import clocks_for
from wuye.sla.models import Clock

SH = ZoneInfo("Asia/Shanghai")
NIGHT = datetime(2026, 12, 2, 22, 0, tzinfo=SH)


@pytest.fixture
def lift(world):
    kind = EquipmentCategory.objects.create(company=world.company, code="elevator", name="电梯",
                                            kind=CategoryKind.ELEVATOR)
    return Equipment.objects.create(project=world.project1, category=kind, code="DT-03-1", name="3号楼1号客梯",
                                    location="3号楼 大堂")


def test_an_entrapment_opens_its_level_iv_incident_once_without_doubling_clocks(world, lift, login):
    with time_machine.travel(NIGHT, tick=False):
        entrapment = entrapments.start_entrapment(actor_for(world.user("kefu")), lift, floor="12", at=NIGHT)
    incident = Incident.objects.get()
    assert (incident.level, incident.kind, incident.status) == ("iv", "entrapment", "active")
    assert incident.source == entrapment and incident.project == world.project1
    assert incident.title == "电梯困人：3号楼1号客梯" and "12" in incident.place
    assert incident.started_by == world.user("kefu")
    steps = list(incident.steps.order_by("position"))
    assert [s.mirrors for s in steps[:3]] == ["entrapment.staff_arrive", "entrapment.contractor_arrive",
                                             "entrapment.rescue"]
    own = {c.key: c.due_at for c in clocks_for(entrapment)}
    assert [s.due_at for s in steps[:3]] == [own["entrapment.staff_arrive"], own["entrapment.contractor_arrive"],
                                            own["entrapment.rescue"]]
    # Only the two steps after the rescue run incident clocks: 3 entrapment clocks + 2, not 3 + 5.
    assert Clock.objects.filter(key="incident.step").count() == 2
    assert Clock.objects.count() == 5 + Clock.objects.exclude(key__startswith="entrapment.").exclude(
        key="incident.step").count()

    # Idempotent: asked again, the same incident.
    assert incidents.start_for_entrapment(entrapment) == incident
    assert Incident.objects.count() == 1

    # The guard's arrival recorded on the entrapment shows on the incident's step; the step is not recorded twice.
    with time_machine.travel(datetime(2026, 12, 2, 22, 4, tzinfo=SH), tick=False):
        entrapments.act(actor_for(world.user("zhixu")), entrapment, "staff_arrived")
        rows = incidents.step_rows(incident)
        assert rows[0]["done_at"] is not None and rows[0]["late"] is False and rows[0]["mirrored"]
        with pytest.raises(Conflict):
            incidents.complete_step(actor_for(world.user("zhixu")), incident, steps[0])

    page = login("kefu").get(incident.get_absolute_url()).content.decode()
    assert f"/console/facilities/entrapments/{entrapment.pk}/" in page
    # Finance reads incidents but no entrapment: the page names the lift without a link that would be refused.
    finance = login("caiwu")
    page = finance.get(incident.get_absolute_url()).content.decode()
    assert "3号楼1号客梯" in page and f"/console/facilities/entrapments/{entrapment.pk}/" not in page
    assert finance.get(f"/console/facilities/entrapments/{entrapment.pk}/").status_code == 403


def test_a_past_entrapment_recorded_afterwards_gets_its_incident_which_the_demo_closes(world, lift):
    from datetime import timedelta

    from django.utils import timezone

    from wuye.demo.community_emergencies import add_demo_emergencies

    long_ago = timezone.now() - timedelta(days=40)
    entrapment = entrapments.start_entrapment(actor_for(world.user("kefu")), lift, at=long_ago)
    incident = Incident.objects.get(source_id=entrapment.pk)
    assert incident.reported_at == long_ago
    add_demo_emergencies(world.company)
    incident.refresh_from_db()
    assert incident.status == "closed" and incident.log.count() == 3
    assert Incident.objects.filter(project=world.project1, kind="entrapment").count() == 1
