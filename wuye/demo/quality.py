"""The quality part of the demo (issue 12 item 11): standards, a year of inspections, rectifications in every
state, satisfaction surveys, staff assessment and the last months' quality reports, each from its own module, in
the order they build on each other.

`seed_demo` (and so `make run`) calls `add_demo_quality` once, after the tickets and fees, when the company has no
quality standards yet; the `world` test fixture does not (it must stay fast)."""

from __future__ import annotations

import importlib
import sys
import time
from datetime import date

from django.utils import timezone

from wuye.tenancy.models import Company

# (module under wuye.demo, function), in order: inspections need the standards, rectifications the inspections'
# failed items; surveys and assessments read the tickets.
PARTS = (
    ("quality_standards", "add_demo_standards"),
    ("quality_inspections", "add_demo_inspections"),
    ("quality_rectifications", "add_demo_rectifications"),
    ("quality_surveys", "add_demo_surveys"),
    ("quality_assessments", "add_demo_assessments"),
    ("quality_reports", "add_demo_reports"),
)


def _load(module_name: str, function: str):
    """The part's function, or None (with a warning on stderr) when its module is not there yet."""
    try:
        module = importlib.import_module(f"wuye.demo.{module_name}")
    except ModuleNotFoundError as error:
        if error.name != f"wuye.demo.{module_name}":
            raise  # the module is there but something it imports is not: a real error
        print(f"Demo quality: wuye/demo/{module_name}.py is not there yet — skipped.", file=sys.stderr)
        return None
    found = getattr(module, function, None)
    if found is None:
        print(f"Demo quality: wuye.demo.{module_name} has no {function}() — skipped.", file=sys.stderr)
    return found


def add_demo_quality(company: Company, today: date | None = None) -> dict:
    """Every quality part of the demo for `company`; returns {function name: its counts (or None when skipped)}
    and "seconds" {function name: seconds taken}."""
    today = today or timezone.localdate()
    results: dict = {"seconds": {}}
    for module_name, function in PARTS:
        build = _load(module_name, function)
        if build is None:
            results[function] = None
            continue
        started = time.monotonic()
        results[function] = build(company, today)
        results["seconds"][function] = round(time.monotonic() - started, 1)
    return results
