"""Buildings and units in the order people count them: 2号楼 before 10号楼, 1-2-101 before 1-10-101.

Building and unit numbers are text (3, 10, A2, 5-1 …), so a plain ORDER BY puts "10" before "2". Everything that
lists or offers buildings or units orders them here: `natural_key` in Python, `BUILDING_ORDER` / `unit_order()` in
the database (shorter number first, then the text: natural for numbers that share their letters — 2 < 10,
A2 < A10 — without a stored sort key).
"""

from __future__ import annotations

import re

from django.db.models import F
from django.db.models.functions import Length

_CHUNKS = re.compile(r"(\d+)")


def natural_key(text) -> tuple:
    """A sort key reading digit runs as numbers: "2" < "10", "A2" < "A10", "2号楼" < "10号楼"."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part)
                 for part in _CHUNKS.split(str(text or "")) if part)


def _natural(field: str) -> list:
    return [Length(F(field)), F(field)]


def building_order(prefix: str = "") -> list:
    """ORDER BY terms for buildings (`prefix`: the path to the building, e.g. "building__")."""
    return [F(f"{prefix}project_id"), *_natural(f"{prefix}number"), F(f"{prefix}id")]


BUILDING_ORDER = building_order()


def unit_order(prefix: str = "") -> list:
    """ORDER BY terms for units (`prefix`: the path to the unit, e.g. "unit__"): project, building, entrance,
    floor, number — each number in natural order."""
    return [F(f"{prefix}project_id"), *_natural(f"{prefix}building__number"), *_natural(f"{prefix}entrance"),
            F(f"{prefix}floor"), *_natural(f"{prefix}number"), F(f"{prefix}id")]


def naturally(buildings):
    """`buildings` (a queryset) in natural order."""
    return buildings.order_by(*BUILDING_ORDER)
