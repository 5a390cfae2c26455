"""The house's floors (ARCHITECTURE.md): arrows point down only. Ground (core) knows no domain, places know no
engine, engines (sla, billing) know no process — billing does not know what a repair is — and no app knows the
tooling above it. Read from the source: every module's imports, also those inside functions and relative ones,
and dotted paths in strings (`import_module("wuye.…")`), parsed with `ast`, nothing imported or run.

An app's faces (its pages, API, forms, admin and registrations) may also use the faces kit, `wuye.web`, which
every face shares; nothing else in an app may reach above its floor.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

WUYE = Path(__file__).resolve().parent.parent / "wuye"

GROUND, PLACES, ENGINES, PROCESSES, FACES, TOOLING = range(6)
# Top-level packages and modules of wuye/ and their floor. A new app gets a row here (the test refuses an unknown
# one), so deciding its floor is part of adding it.
FLOORS = {
    "core": GROUND,
    "tenancy": PLACES, "people": PLACES,
    "sla": ENGINES, "billing": ENGINES,
    "workorders": PROCESSES, "facilities": PROCESSES, "security": PROCESSES, "quality": PROCESSES,
    "community": PROCESSES, "environment": PROCESSES, "onboarding": PROCESSES, "collection": PROCESSES,
    "web": FACES, "reports": FACES, "api": FACES, "urls": FACES,
    "demo": TOOLING, "ops": TOOLING, "celery": TOOLING, "settings": TOOLING, "wsgi": TOOLING, "asgi": TOOLING,
}
FACES_KIT = "web"
# The parts of an app that are faces: they may use the faces kit as well as the floors below their app.
FACE_PARTS = {"web", "api", "api.py", "views.py", "urls.py", "forms.py", "admin.py", "registry.py",
              "templatetags", "apps.py", "workbench.py"}  # workbench.py: the app's cards and to-dos (web.workbench)
SKIPPED_PARTS = {"tests", "migrations", "__pycache__"}  # tests and migrations are tooling, not the house


def module_name(path: Path) -> str:
    parts = list(path.relative_to(WUYE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(source: str, module: str, is_package: bool = False) -> set[str]:
    """Every module `source` (the text of `module`) imports or names as a dotted path in a string."""
    package = module if is_package else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)  # `from wuye import billing`
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("wuye."):
            found.add(node.value.split(":")[0])
    return found


def layer_violations(path: Path, source: str | None = None) -> list[str]:
    """The imports of the module at `path` that point up a floor (or to an app the table does not know)."""
    relative = path.relative_to(WUYE).parts
    app = relative[0].removesuffix(".py")
    own_floor = FLOORS.get(app)
    if own_floor is None:
        return [f"{app}: not in FLOORS — give it a floor"]
    is_face = own_floor >= FACES or bool(FACE_PARTS.intersection(relative[1:]))
    source = path.read_text(encoding="utf-8") if source is None else source
    problems = []
    for target in sorted(imported_modules(source, module_name(path), path.name == "__init__.py")):
        parts = target.split(".")
        if parts[0] != "wuye" or len(parts) < 2:
            continue
        other = parts[1]
        if other == app or other not in FLOORS:
            continue  # its own modules; wuye.<something else> that is not an app (e.g. a string 'wuye.x' of a key)
        if FLOORS[other] > own_floor and not (is_face and other == FACES_KIT):
            problems.append(f"{module_name(path)} imports {target}")
    return problems


def house_modules():
    for path in sorted(WUYE.rglob("*.py")):
        if SKIPPED_PARTS.isdisjoint(path.relative_to(WUYE).parts):
            yield path


@pytest.mark.parametrize("floor_name, apps", [
    ("ground: core imports no app above it", ["core"]),
    ("places import no engine, process, face or tooling", ["tenancy", "people"]),
    ("engines import no process (billing does not know what a repair is)", ["sla", "billing"]),
    ("processes import no tooling", ["workorders", "facilities", "security", "environment", "quality", "community",
                                      "onboarding", "collection"]),
    ("faces import no tooling", ["web", "reports", "api", "urls"]),
])
def test_arrows_point_down_only(floor_name, apps):
    modules = [path for path in house_modules() if path.relative_to(WUYE).parts[0].removesuffix(".py") in apps]
    violations = [problem for path in modules for problem in layer_violations(path)]
    assert violations == [], floor_name


def test_every_top_level_package_has_a_floor():
    top = {path.relative_to(WUYE).parts[0].removesuffix(".py") for path in house_modules()} - {"__init__"}
    assert top - set(FLOORS) == set()


def test_billing_imports_nothing_of_work_orders_at_all():
    """The one the issue found: billing's charges reached into work orders' table. Every module under
    wuye/billing, faces included, is checked for any mention of the work-order app."""
    offenders = [str(path.relative_to(WUYE)) for path in house_modules()
                 if path.relative_to(WUYE).parts[0] == "billing"
                 and any(name.startswith("wuye.workorders") for name in imported_modules(
                     path.read_text(encoding="utf-8"), module_name(path), path.name == "__init__.py"))]
    assert offenders == []


@pytest.mark.parametrize("where, source", [
    ("billing/charges.py", "from wuye.workorders.models import ChargeLine\n"),
    ("billing/charges.py", "def later():\n    from wuye.workorders import services\n"),
    ("billing/web/accounts.py", "from ...workorders.models import Ticket\n"),
    ("billing/jobs.py", "import importlib\nimportlib.import_module('wuye.workorders.jobs')\n"),
    ("billing/jobs.py", "from wuye import workorders\n"),
    ("core/events.py", "from wuye.people.models import Resident\n"),
    ("sla/engine.py", "from wuye.demo import builders\n"),
])
def test_the_check_catches_an_upward_import(where, source):
    """The checker itself: each of these sources, put where it would break the house, is reported."""
    assert layer_violations(WUYE / where, source)


def test_the_check_lets_faces_use_the_kit_and_processes_use_engines():
    assert layer_violations(WUYE / "billing" / "web" / "accounts.py", "from wuye.web.guards import staff_view\n") == []
    assert layer_violations(WUYE / "workorders" / "services.py", "from wuye.billing import services\n") == []
    assert layer_violations(WUYE / "billing" / "services.py", "from wuye.web.guards import staff_view\n")
