"""The order, security and environment part of the demo (issue 14 item 7), run after facilities: the gate's
visitors and worker passes, goods release slips, patrol routes with a month of rounds, a day of parking sessions,
monthly passes about to end, cleaning zones with their tasks, greening plans and the environment checks. Each part
is its own module (`security_gate`, `security_goods`, `security_patrols`, `security_parking`, `billing_parking`,
`environment_cleaning`, `environment_greening`) with one idempotent `add_demo_<part>(company, now=None)`: a rerun
adds nothing."""

from __future__ import annotations

import importlib
import time

PARTS = ("security_gate", "security_goods", "security_patrols", "security_parking", "billing_parking",
         "environment_cleaning", "environment_greening")


def _entry(module, part: str):
    """The module's `add_demo_<part>` function."""
    return getattr(module, f"add_demo_{part}", None)


def add_demo_security(company, now=None) -> dict:
    """Every part in order; returns {part: its counts} and {"seconds": {part: seconds}}."""
    results: dict = {"seconds": {}}
    for part in PARTS:
        module = importlib.import_module(f"wuye.demo.{part}")
        add = _entry(module, part)
        if add is None:
            raise RuntimeError(f"wuye.demo.{part} has no add_demo_{part} function")
        started = time.monotonic()
        results[part] = add(company, now=now)
        results["seconds"][part] = time.monotonic() - started
    return results
