"""The community-operations part of the demo (issue 15 item 9), run after security: a move-in batch under way, a
takeover from the developer, decorations in every state, announcements (one planned outage), a past incident with
its report, the paid-services catalogue with orders, facility bookings and an activity. Each part is its own module
(`community_<part>`) with one idempotent `add_demo_<part>(company, now=None)`: a rerun adds nothing."""

from __future__ import annotations

import importlib
import time

# (module, function part) in the order they run: announcements first (the outage notice the others may mention).
PARTS = (("community_announcements", "announcements"), ("community_moveins", "moveins"),
         ("community_takeovers", "takeovers"), ("community_decorations", "decorations"),
         ("community_emergencies", "emergencies"), ("community_catalogue", "catalogue"),
         ("community_activities", "activities"), ("community_bookings", "bookings"))


def _entry(part: str, module_name: str):
    """`add_demo_<part>` of its module (activities may live beside the catalogue)."""
    for name in (module_name, "community_catalogue"):
        try:
            module = importlib.import_module(f"wuye.demo.{name}")
        except ModuleNotFoundError:
            continue
        add = getattr(module, f"add_demo_{part}", None)
        if add is not None:
            return add
    raise RuntimeError(f"wuye.demo.{module_name} has no add_demo_{part} function")


def add_demo_community(company, now=None) -> dict:
    """Every part in order; returns {part: its counts} and {"seconds": {part: seconds}}."""
    results: dict = {"seconds": {}}
    for module_name, part in PARTS:
        add = _entry(part, module_name)
        started = time.monotonic()
        results[part] = add(company, now=now)
        results["seconds"][part] = time.monotonic() - started
    return results
