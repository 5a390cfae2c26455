"""The permission matrix as data (issue 17): every API operation and every console and portal page (downloads and
POSTed forms included) × every demo role × the object it names in three places — in the caller's project and the
owner's own household ("own"), in the other project ("other_project"), in the same project but another household
("other_household") — has its expected status declared once, in `table.py`. One test walks it all, reads and
writes (each write inside a savepoint rolled back, sent with an empty body: the gate answers before the input is
read, so 403/404 mean "refused", 422/200/302 mean "let through"), and reports every cell that differs.

A route without a row fails (`test_every_route_has_a_row`); and the table itself may not declare a leak
(`test_the_table_declares_no_leak`): no staff member of one project gets a 2xx or a page on an object of the other,
no owner on another household's or project's object.

When a route is added or a rule changes on purpose, regenerate the rows and read the diff before committing it:
`WUYE_MATRIX_WRITE=1 .venv/bin/pytest tests/permissions` (the answers observed become the table).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from conftest import ApiClient

from .table import API, PAGES, ROLES, VARIANTS

TABLE = Path(__file__).with_name("table.py")
# Path parameters that name an object placed in the three variants; any other parameter is 0 (nothing there: the
# role gate answers 403 before the lookup's 404).
API_KINDS = {"ticket_id": "ticket", "unit_id": "unit", "project_id": "project", "resident_id": "resident",
             "payment_id": "payment"}
PAGE_KINDS = {"ticket_id": "ticket", "unit_id": "unit", "project_id": "project", "payment_id": "payment",
              "project": "project"}
# Pages whose `pk` is one of the placed objects.
PAGE_PK = {"web:unit_detail": "unit", "web:resident_detail": "resident"}
SLUGS = {"kind": "repair"}  # a portal form's kind must be a real one for the page to exist at all
HOUSEHOLD_KINDS = {"ticket", "unit", "resident", "payment"}  # an owner reaches these only for their own household


@pytest.fixture
def places(world):
    """The objects each variant names: own (project 1, yezhu's household), other_project (project 2, yezhu2's),
    other_household (project 1, another unit)."""
    from wuye.billing.services import pay_at_desk
    from wuye.people.models import Residency, Resident

    own_unit, far_unit = world.owner_unit("yezhu"), world.owner_unit("yezhu2")
    near_resident = (Residency.objects.current().filter(unit__project=world.project1)
                     .exclude(unit=own_unit).order_by("id").first())
    assert near_resident is not None, "the small demo world has other households in project 1"
    near_unit = near_resident.unit

    def payment(unit, key):
        world.bill(unit, amount="100.00")
        return pay_at_desk(None, unit, channel="cash", idempotency_key=key)[0].pk

    return {
        "own": {"project": world.project1.pk, "unit": own_unit.pk,
                "ticket": world.ticket(world.project1, unit=own_unit).pk,
                "resident": Resident.objects.get(user__username="yezhu").pk,
                "payment": payment(own_unit, "matrix-own")},
        "other_project": {"project": world.project2.pk, "unit": far_unit.pk,
                          "ticket": world.ticket(world.project2, unit=far_unit).pk,
                          "resident": Resident.objects.get(user__username="yezhu2").pk,
                          "payment": payment(far_unit, "matrix-far")},
        "other_household": {"project": world.project1.pk, "unit": near_unit.pk,
                            "ticket": world.ticket(world.project1, unit=near_unit).pk,
                            "resident": near_resident.resident_id,
                            "payment": payment(near_unit, "matrix-near")},
    }


def api_operations() -> list[str]:
    from wuye.api import api

    return sorted(f"{method.upper()} {path}" for path, operations in api.get_openapi_schema()["paths"].items()
                  for method in operations)


def page_routes() -> list[tuple[str, str]]:
    """(url name, route) of every page under /console/ and /h5/."""
    found = []

    def walk(patterns, prefix, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern), pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and (prefix + str(pattern.pattern)).startswith(("console/", "h5/")):
                found.append((f"{namespace}:{pattern.name}", prefix + str(pattern.pattern)))

    walk(get_resolver().url_patterns, "", "")
    return sorted(set(found))


def kinds_of(names: list[str], mapping: dict) -> set[str]:
    return {mapping[name] for name in names if name in mapping}


def api_url(operation: str, variant: dict) -> str:
    path = operation.split(" ", 1)[1]
    return re.sub(r"\{(\w+)\}", lambda m: str(variant[API_KINDS[m.group(1)]]) if m.group(1) in API_KINDS else "0",
                  path)


def page_url(name: str, route: str, variant: dict) -> str:
    def fill(match):
        key = match.group(1)
        kind = PAGE_PK.get(name) if key == "pk" else PAGE_KINDS.get(key)
        return str(variant[kind]) if kind else SLUGS.get(key, "0")

    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", fill, route)


def variants_for(kinds: set[str]) -> tuple[str, ...]:
    return VARIANTS if kinds else ("own",)


def answer(send) -> int:
    with transaction.atomic():
        status = send().status_code
        transaction.set_rollback(True)  # a write let through is undone: every cell starts from the same world
    return status


def observe(world, places) -> tuple[dict, dict]:
    """What every role is answered, per route and variant: {route: {role: "own/other_project/other_household"}}."""
    api_seen, page_seen = {}, {}
    operations, pages = api_operations(), page_routes()
    for role in ROLES:
        client = ApiClient(role)
        browser = Client()
        browser.force_login(world.user(role))
        for operation in operations:
            method, path = operation.split(" ", 1)
            kinds = kinds_of(re.findall(r"\{(\w+)\}", path), API_KINDS)
            codes = []
            for variant in variants_for(kinds):
                url = api_url(operation, places[variant])
                if method == "GET":
                    codes.append(answer(lambda url=url, client=client: client.get(url)))
                else:
                    codes.append(answer(lambda url=url, method=method, client=client: client.client.generic(
                        method, url, "{}", content_type="application/json", **client.headers)))
            api_seen.setdefault(operation, {})[role] = "/".join(map(str, codes))
        for name, route in pages:
            keys = re.findall(r"<(?:\w+:)?(\w+)>", route)
            kinds = {PAGE_PK[name]} if "pk" in keys and name in PAGE_PK else set()
            kinds |= kinds_of([key for key in keys if key != "pk"], PAGE_KINDS)
            for method in ("GET", "POST"):
                codes = []
                for variant in variants_for(kinds):
                    url = page_url(name, route, places[variant])
                    send = browser.get if method == "GET" else browser.post
                    codes.append(answer(lambda url=url, send=send: send(url)))
                page_seen.setdefault(f"{method} {name}", {})[role] = "/".join(map(str, codes))
    return api_seen, page_seen


def compact(answers: dict) -> dict:
    """A row as written: the most common answer under "*", then the roles answered otherwise."""
    common = max(sorted(set(answers.values())), key=list(answers.values()).count)
    return {"*": common, **{role: cells for role, cells in answers.items() if cells != common}}


def declared(row: dict, role: str) -> str | None:
    return row.get(role, row.get("*"))


def write_table(api_seen: dict, page_seen: dict) -> None:
    def line(key, answers) -> str:
        items = [f'"{role}": "{cells}"' for role, cells in compact(answers).items()]
        one = f'    "{key}": {{{", ".join(items)}}},\n'
        if len(one) <= 120:
            return one
        wrapped, current = [], "       "
        for item in items:
            if len(current) + len(item) + 2 > 118:
                wrapped.append(current.rstrip())
                current = "       "
            current += f" {item},"
        wrapped.append(current.rstrip())
        return f'    "{key}": {{\n' + "\n".join(wrapped) + "\n    },\n"

    def rows(seen):
        return "".join(line(key, value) for key, value in sorted(seen.items()))

    header = TABLE.read_text().split("API = {")[0]
    TABLE.write_text(f"{header}API = {{\n{rows(api_seen)}}}\n\nPAGES = {{\n{rows(page_seen)}}}\n")


def test_every_route_has_a_row():
    missing = [operation for operation in api_operations() if operation not in API]
    missing += [f"{method} {name}" for name, _ in page_routes() for method in ("GET", "POST")
                if f"{method} {name}" not in PAGES]
    stale = sorted(set(API) - set(api_operations())) + sorted(
        set(PAGES) - {f"{m} {name}" for name, _ in page_routes() for m in ("GET", "POST")})
    if os.environ.get("WUYE_MATRIX_WRITE"):
        return
    assert not missing, "routes without a row in tests/permissions/table.py:\n" + "\n".join(missing)
    assert not stale, "rows of routes that are gone:\n" + "\n".join(stale)


def test_the_table_declares_no_leak():
    """Staff of project 1 and of project 2 never get a 2xx on the other project's object, the owner never on another
    household's or project's (pages: a GET answered 200; a POST's 302 may be a refusal's redirect, so POSTs are held
    by the walk, not here)."""
    routes = dict(page_routes())

    def household(table, route) -> bool:
        """Whether the route's object belongs to a household (a project's page is the owner's own project too)."""
        if table is API:
            return bool(kinds_of(re.findall(r"\{(\w+)\}", route), API_KINDS) & HOUSEHOLD_KINDS)
        name = route.split(" ", 1)[1]
        keys = re.findall(r"<(?:\w+:)?(\w+)>", routes.get(name, ""))
        return bool(({PAGE_PK.get(name)} | kinds_of(keys, PAGE_KINDS)) & HOUSEHOLD_KINDS)

    leaks = []
    for table, ok in ((API, ("200", "201", "202", "204")), (PAGES, ("200",))):
        for route, answers in table.items():
            if table is PAGES and not route.startswith("GET "):
                continue
            for role in ROLES:
                cells = declared(answers, role)
                parts = dict(zip(VARIANTS, cells.split("/"), strict=False))
                if len(parts) < len(VARIANTS):
                    continue  # no object named: one answer
                refused = {"yezhu": ["other_household", "other_project"] if household(table, route) else
                           ["other_project"], "kefu2": ["own", "other_household"],
                           "admin": [], "pinzhi": []}.get(role, ["other_project"])
                leaks += [f"{route} · {role} · {variant}: {parts[variant]}" for variant in refused
                          if parts[variant] in ok]
    assert not leaks, "the table lets these through:\n" + "\n".join(leaks)


def test_every_role_is_answered_as_the_table_says(world, places):
    api_seen, page_seen = observe(world, places)
    if os.environ.get("WUYE_MATRIX_WRITE"):
        write_table(api_seen, page_seen)
        pytest.skip("table.py rewritten from the observed answers: read the diff")
    wrong = []
    for table, seen in ((API, api_seen), (PAGES, page_seen)):
        for route, answers in seen.items():
            for role, cells in answers.items():
                expected = declared(table.get(route, {}), role)
                if expected != cells:
                    wrong.append(f"{route} · {role}: answered {cells}, table says {expected}")
    assert not wrong, f"{len(wrong)} cells differ (own/other_project/other_household):\n" + "\n".join(wrong[:200])
