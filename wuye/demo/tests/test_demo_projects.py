"""A benchmark project shares the demo company but is no part of the demo: seeding again leaves it alone."""

import pytest

from wuye.community.announcements.models import Announcement
from wuye.community.moveins.models import MoveInBatch
from wuye.community.takeovers.models import Takeover
from wuye.demo.builders import build_scale_project, demo_projects
from wuye.demo.community import add_demo_community


@pytest.mark.django_db
def test_seeding_the_community_again_leaves_a_benchmark_project_alone(world):
    scale = build_scale_project(400, progress=False, code="bench")  # 2 buildings of 208 flats
    assert scale.company_id == world.company.pk
    assert scale not in demo_projects(world.company)

    add_demo_community(world.company)

    assert Takeover.objects.filter(project=world.project1).exists()
    for model in (Takeover, Announcement, MoveInBatch):
        assert not model.objects.filter(project=scale).exists(), model.__name__


def test_a_benchmark_project_code_says_so():
    with pytest.raises(ValueError, match="bench"):
        build_scale_project(10, progress=False, code="other")
