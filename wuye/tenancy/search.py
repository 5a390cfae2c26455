"""The one reading of a unit as staff type it into a search box, for every face (console lists, API `q`, notices,
tickets, accounts, owner records)."""

from __future__ import annotations

import re
import unicodedata

from django.db.models import Q

# A building written the Chinese way: 3号楼, 3栋, 3幢, 3座, 3号 — optionally an entrance (1单元) and the flat.
_CHINESE = re.compile(
    r"^(?P<building>[^\s-]+?)(?P<marker>号楼|栋|幢|座|号)(?:(?P<entrance>[^\s-]+?)单元)?-?(?P<flat>.*)$")
_SEPARATORS = re.compile(r"[\s/\\—–_]+")
MAX_LENGTH = 50


def _normalized(text: str) -> str:
    # Full-width digits and dashes (３－１２０１) become ASCII; spaces and slashes become the dash staff mean.
    text = unicodedata.normalize("NFKC", text or "").strip()[:MAX_LENGTH]
    return _SEPARATORS.sub("-", text).strip("-")


def unit_search_q(text: str, prefix: str = "") -> Q:
    """A Q over building number/name and unit number/entrance matching `text` as a front desk types a unit.

    `prefix` reaches the unit through a relation (`"unit__"` for tickets, notices…); empty for `Unit` itself.
    Matching is exact per part (case-insensitive), so "101" never finds 1101 or 1010:

    * ``1201`` — the flat 1201 in any building: unit number 1201, or 1-1201 / 2-1201 where the number carries
      the entrance;
    * ``3-1201``, ``3栋1201``, ``3号楼1201`` — flat 1201 of building 3 (in any entrance); ``3-1201`` is also the
      unit numbered "3-1201" (entrance 3, flat 1201) in any building;
    * ``3-1-1201``, ``3号楼1单元1201``, ``3栋1单元-1201`` — building 3, entrance 1, flat 1201 (the number "1-1201",
      or entrance 1 with number 1201);
    * ``3号楼``, ``3栋``, or a building's name (``A座``, ``1号楼``) — every unit of that building.

    Full-width characters, spaces and slashes are read as their plain forms (``3 / 1201`` = ``3-1201``).
    Empty text gives ``Q()`` (no condition); text that is no unit matches nothing unit-wise.
    """
    text = _normalized(text)
    if not text:
        return Q()
    f = {name: f"{prefix}{name}" for name in ("number", "entrance", "building__number", "building__name")}

    def building(value: str, written: str = "") -> Q:
        condition = Q(**{f"{f['building__number']}__iexact": value}) | Q(**{f"{f['building__name']}__iexact": value})
        return condition | Q(**{f"{f['building__name']}__iexact": written}) if written else condition

    def flat(number: str, entrance: str = "") -> Q:
        if entrance:
            return (Q(**{f"{f['number']}__iexact": f"{entrance}-{number}"})
                    | Q(**{f"{f['entrance']}__iexact": entrance, f"{f['number']}__iexact": number}))
        return Q(**{f"{f['number']}__iexact": number}) | Q(**{f"{f['number']}__iendswith": f"-{number}"})

    condition = building(text) | flat(text) if "-" not in text else building(text)  # a name, or a bare number
    if match := _CHINESE.match(text):
        written = match["building"] + match["marker"]
        place = building(match["building"], written)
        number, entrance = match["flat"].strip("-"), match["entrance"] or ""
        if number:
            place &= flat(number, entrance)
        elif entrance:
            place &= Q(**{f"{f['entrance']}__iexact": entrance})
        return condition | place
    parts = text.split("-")
    if len(parts) == 2 and all(parts):
        return condition | (building(parts[0]) & flat(parts[1])) | Q(**{f"{f['number']}__iexact": text})
    if len(parts) == 3 and all(parts):
        return condition | (building(parts[0]) & flat(parts[2], parts[1]))
    return condition


def units_as_typed(project, texts) -> dict[str, list]:
    """{text: the units of `project` it names} for each of `texts` (an import's unit column): a unit's label as
    staff write it (3-1-1201, the building and the stored number) found at once, anything else read by
    `unit_search_q` — so an import understands a unit exactly as every search box does. A text may name several
    units (1201 in a project of many buildings): the caller asks for a more precise one."""
    from .models import Unit

    units = list(Unit.objects.filter(project=project).select_related("building"))
    by_label: dict[str, list] = {}
    for unit in units:
        by_label.setdefault(_normalized(unit.label).lower(), []).append(unit)
    found = {}
    for text in set(texts):
        exact = by_label.get(_normalized(text).lower())
        found[text] = exact if exact else list(
            Unit.objects.filter(project=project).filter(unit_search_q(text)).select_related("building")[:5]) \
            if _normalized(text) else []
    return found
