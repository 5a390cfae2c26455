"""The fuzzing suite's world: the small demo company built once per session (committed in the test database), with
a bearer token for a staff member and one for an owner; every generated example then runs inside the test's
transaction and is rolled back with it."""

import pytest


@pytest.fixture(scope="session")
def fuzz_tokens(django_db_setup, django_db_blocker):
    from conftest import SMALL_WORLD
    from wuye.core.tokens import issue_token
    from wuye.demo.billing import build_demo_billing
    from wuye.demo.builders import build_demo_company
    from wuye.sla.standards import install_standards

    with django_db_blocker.unblock():
        from django.contrib.auth import get_user_model

        install_standards()
        company = build_demo_company(plans=SMALL_WORLD)
        build_demo_billing(company)
        users = get_user_model().objects.in_bulk(["jingli", "yezhu"], field_name="username")
        return {name: issue_token(user)[1] for name, user in users.items()}
