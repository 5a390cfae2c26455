"""The owner's API shows the owner's view of a ticket — the same steps and progress the H5 portal shows, never the
staff timeline (reassignments, internal notes, SLA warnings)."""

from django.utils import translation

from wuye.people.access import actor_for
from wuye.workorders import progress
from wuye.workorders.services import ActionInput, perform


def test_owner_api_detail_is_the_portals_view(world, api):
    unit = world.owner_unit("yezhu")
    ticket = world.ticket(world.project1, unit=unit)
    gongcheng = world.user("gongcheng")
    perform(actor_for(world.user("kefu")), ticket, "dispatch", ActionInput(version=ticket.version, assignee=gongcheng))
    ticket.refresh_from_db()

    owner = api("yezhu").get(f"/api/v1/tickets/{ticket.pk}").json()
    assert owner["timeline"] == []  # no staff events (SLA steps, reassignments, notes)
    with translation.override("en"):
        steps = [{"label": str(step["label"]), "state": step["state"]} for step in progress.owner_steps(ticket)]
        said = [str(row["label"]) for row in progress.owner_progress(ticket, world.user("yezhu"))]
    assert [row["state"] for row in owner["steps"]] == [row["state"] for row in steps]
    assert owner["steps"][1]["state"] == "current"  # dispatched, as the portal's second step says
    assert len(owner["progress"]) == len(said) == 2  # received and "a technician has been sent", nothing internal
    assert owner["progress"][0]["by_me"] is False

    staff = api("kefu").get(f"/api/v1/tickets/{ticket.pk}").json()
    verbs = {event["verb"] for event in staff["timeline"]}
    assert {"ticket.created", "ticket.dispatch"} <= verbs and any(verb.startswith("sla.") for verb in verbs)
    assert staff["deadlines"] and staff["steps"] is None and staff["progress"] is None
