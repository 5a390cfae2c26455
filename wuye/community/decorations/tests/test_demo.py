"""The decoration demo: every state in each project, through the services; a second run adds nothing."""

from __future__ import annotations

from wuye.community.decorations.models import Decoration, DecorationStatus
from wuye.demo.community_decorations import add_demo_decorations


def test_the_demo_makes_every_state_once(world):
    made = add_demo_decorations(world.company)
    assert made == {"decorations": 20}
    for project in (world.project1, world.project2):
        states = set(Decoration.objects.filter(project=project).values_list("status", flat=True))
        assert states == set(DecorationStatus.values)
    mine = Decoration.objects.get(unit=world.owner_unit("yezhu"), status=DecorationStatus.IN_PROGRESS)
    assert mine.worker_passes.count() == 1
    accepted = Decoration.objects.get(project=world.project1, status=DecorationStatus.ACCEPTED)
    assert accepted.refund_request.state == "requested"
    assert add_demo_decorations(world.company) == {"decorations": 0}
