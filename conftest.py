"""Shared test fixtures: a small demo world with the §10 personas, and API clients logged in as them."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass

import pytest
from django.test import Client

from wuye.demo.builders import ProjectPlan, build_demo_company

SMALL_WORLD = (
    ProjectPlan("jinhua-garden", "锦华苑", "上海市浦东新区锦绣路 1888 弄", 2, 3, 1, 2),
    ProjectPlan("cuihu-bay", "翠湖湾", "上海市闵行区虹梅南路 2500 弄", 1, 3, 1, 2),
)


def pytest_configure(config):
    """Tests run with DEBUG off, as production does, so they need the keys production needs (random per run, never a
    default) and they switch the simulated payment channel on, as `make run` does."""
    from django.conf import settings

    settings.SECRET_KEY = secrets.token_urlsafe(50)
    settings.PAYMENT_CALLBACK_SECRET = secrets.token_urlsafe(32)
    settings.WUYE_SIMULATED_PAYMENTS = True


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The sign-in throttle counts in the cache: one test's failed sign-ins must not lock the next test out; and no
    test sees another's cached SLA policies."""
    from django.core.cache import cache

    from wuye.sla.engine import _forget_policies

    cache.clear()
    # The SLA policies each process keeps: a test's rolled-back project may come back with the same id in the next
    # test (SQLite reuses rolled-back ids) under another standard.
    _forget_policies()


@dataclass
class World:
    company: object
    project1: object
    project2: object

    def user(self, username):
        from django.contrib.auth import get_user_model

        return get_user_model().objects.get(username=username)

    def ticket(self, project, unit=None, kind="repair", **fields):
        """A ticket received by the project's front desk (for the first unit unless one is given)."""
        from wuye.people.access import actor_for
        from wuye.tenancy.models import Unit
        from wuye.workorders.services import TicketInput, create_ticket

        receiver = self.user("kefu" if project == self.project1 else "kefu2")
        unit = unit or Unit.objects.filter(project=project).first()
        data = TicketInput(kind=kind, channel="phone", description=fields.pop("description", "厨房水龙头漏水"),
                           unit=unit, **fields)
        return create_ticket(actor_for(receiver), project=project, data=data)

    def bill(self, unit, amount="320.50", period=None):
        """A property-fee bill for `unit`, posted by the system."""
        from datetime import date

        from wuye.billing.models import ChargeItem
        from wuye.billing.services import post_charge

        item, _ = ChargeItem.objects.get_or_create(project_id=unit.project_id, code="property-fee",
                                                   defaults={"name": "物业费", "kind": "property_fee"})
        return post_charge(None, unit, item, amount, period=period, due_on=date(2026, 11, 15))

    def owner_unit(self, username):
        from wuye.people.models import Residency

        return Residency.objects.current().get(resident__user__username=username, relation="owner").unit


@pytest.fixture
def world(db) -> World:
    """The demo company with every §10 login, over 12 + 6 units instead of ~2,000."""
    from wuye.sla.standards import install_standards

    install_standards()  # rows from data migrations do not survive a transactional test's flush
    company = build_demo_company(plans=SMALL_WORLD)
    project1, project2 = company.projects.order_by("id")
    return World(company, project1, project2)


class ApiClient:
    """A JSON client holding a bearer token, as the owner app or an integration would."""

    def __init__(self, username: str | None = None, password: str = "wuye-demo"):
        self.client = Client()
        self.headers = {}
        if username:
            response = self.post("/api/v1/auth/token", {"username": username, "password": password})
            assert response.status_code == 200, response.content
            self.headers = {"HTTP_AUTHORIZATION": f"Bearer {response.json()['token']}"}

    def get(self, path, **params):
        return self.client.get(path, params, **self.headers)

    def post(self, path, data=None, raw: str | None = None, **extra):
        body = raw if raw is not None else json.dumps(data if data is not None else {})
        return self.client.post(path, body, content_type="application/json", **self.headers, **extra)


@pytest.fixture
def login(world):
    """`login("caiwu")` → a Django test client with that demo user's session, as the browser has it."""

    def make(username: str) -> Client:
        client = Client()
        client.force_login(world.user(username))
        return client

    return make


@pytest.fixture
def api(world):
    """`api("kefu")` → an ApiClient logged in as that demo user."""
    return ApiClient


@pytest.fixture
def celery_broker():
    """A Redis database of its own for tests with real Celery workers (WUYE_TEST_BROKER_URL, default db 7), emptied
    before and after; the test is skipped when no Redis answers."""
    import os

    redis = pytest.importorskip("redis")
    url = os.environ.get("WUYE_TEST_BROKER_URL", "redis://127.0.0.1:6379/7")
    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {url}")
    yield url
    client.flushdb()
