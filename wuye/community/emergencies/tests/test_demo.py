"""The emergencies demo: playbooks per project, a past closed level-IV entrapment incident with its log and
report, a past level-III outage; a second run adds nothing."""

from wuye.community.emergencies import incidents
from wuye.community.emergencies.models import Incident, IncidentLogEntry, Playbook
from wuye.demo.community_emergencies import add_demo_emergencies
from wuye.people.access import actor_for


def test_the_demo_runs_once(world):
    counts = add_demo_emergencies(world.company)
    assert counts == {"playbooks": 10, "incidents": 4}
    assert Playbook.objects.filter(project=world.project1).count() == 5
    rows = Incident.objects.filter(project=world.project1).order_by("reported_at")
    assert [(i.kind, i.level, i.status) for i in rows] == [("entrapment", "iv", "closed"), ("outage", "iii", "closed")]
    assert IncidentLogEntry.objects.filter(incident__project=world.project1).count() == 6
    pdf = incidents.report_pdf(actor_for(world.user("jingli")), rows[0])
    assert pdf.startswith(b"%PDF")
    assert add_demo_emergencies(world.company) == {"playbooks": 0, "incidents": 0}
    assert Incident.objects.count() == 4
