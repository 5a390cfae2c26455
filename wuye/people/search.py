"""The one reading of a person as staff type them into a search box: part of a name, or a full phone number."""

from __future__ import annotations

import contextlib

from django.db.models import Q

from wuye.core.validators import normalize_phone


def resident_search_q(text: str, prefix: str = "", *, last_four: bool = False) -> Q:
    """A Q over a resident's name (any part of it) or phone (the full number only, in any usual spelling:
    138 1234 5678, +86 13812345678). `prefix` reaches the resident through a relation (`"resident__"`).
    A partial phone number finds nobody, so a search cannot be used to enumerate phone numbers — except with
    `last_four`, where exactly four digits also match a number's last four: the front desk's caller lookup, whose
    results stay within the clerk's projects and show the number masked."""
    text = (text or "").strip()[:50]
    if not text:
        return Q()
    condition = Q(**{f"{prefix}name__icontains": text})
    if last_four and len(text) == 4 and text.isascii() and text.isdigit():
        condition |= Q(**{f"{prefix}phone__endswith": text})
    with contextlib.suppress(ValueError):  # a name, not a phone number
        condition |= Q(**{f"{prefix}phone": normalize_phone(text)})
    return condition


def owner_record_q(text: str) -> Q:
    """A Q over residents for the owner-records search: `resident_search_q`, or a unit as the desk types it
    (`tenancy.search.unit_search_q`: "1-101", "3号楼1单元1201") — the people living there now."""
    from wuye.tenancy.search import unit_search_q

    from .models import Residency

    if not (text or "").strip():
        return Q()
    homes = Residency.objects.current().filter(unit_search_q(text, "unit__")).values("resident_id")
    return resident_search_q(text) | Q(pk__in=homes)
