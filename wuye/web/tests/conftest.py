import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from wuye.demo.builders import DEMO_PASSWORD, build_demo_company
from wuye.tenancy.models import Project


@pytest.fixture
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo(db, fast_passwords):
    """The §10 demo company (two projects, ~2,000 units, all demo logins); about half a second on SQLite."""
    company = build_demo_company()
    first, second = Project.objects.filter(company=company).order_by("id")
    return {"company": company, "p1": first, "p2": second, "password": DEMO_PASSWORD}


@pytest.fixture
def login():
    """A client signed in as the named demo user (session login, as the browser has it)."""

    def make(username: str) -> Client:
        client = Client()
        client.force_login(get_user_model().objects.get(username=username))
        return client

    return make
