import pytest

from wuye.tenancy.models import Project


@pytest.fixture
def fresh(world, api):
    """A project created through the API by the company administrator (superuser `admin`)."""
    response = api("admin").post("/api/v1/projects", {
        "code": "lanting", "name": "兰亭苑", "address": "杭州市西湖区兰亭路 1 号", "service_level": "level_2",
        "service_standard": "five-star", "company_id": world.company.pk})
    assert response.status_code == 201, response.content
    return Project.objects.get(pk=response.json()["id"])
