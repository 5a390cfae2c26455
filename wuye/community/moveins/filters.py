"""The move-in list's filters, one function for the console list, the workbench cards and the community home's
figure, so a count always equals the rows its link opens."""

from __future__ import annotations

from datetime import date

from .models import MoveInStatus
from .services import move_ins

STAGES = {
    "open": [s for s in MoveInStatus.values if s not in (MoveInStatus.COMPLETED, MoveInStatus.CANCELLED)],
    "return_visit": [MoveInStatus.KEYS_HANDED, MoveInStatus.AGREEMENTS_SIGNED],
}


def clean_filters(params) -> dict:
    """Only the filter values the list understands (anything else is dropped, never an error on a page)."""
    cleaned = {}
    raw_day = (params.get("day") or "")[:10]
    try:
        cleaned["day"] = date.fromisoformat(raw_day).isoformat() if raw_day else ""
    except ValueError:
        cleaned["day"] = ""
    stage = params.get("stage") or ""
    cleaned["stage"] = stage if stage in STAGES else ""
    status = params.get("status") or ""
    cleaned["status"] = status if status in MoveInStatus.values else ""
    batch = params.get("batch") or ""
    cleaned["batch"] = batch if str(batch).isdigit() and len(str(batch)) < 10 else ""
    return {key: value for key, value in cleaned.items() if value}


def filter_move_ins(actor, params):
    filters = clean_filters(params)
    rows = move_ins(actor)
    if "day" in filters:
        rows = rows.filter(slot__day=filters["day"])
    if "stage" in filters:
        rows = rows.filter(status__in=STAGES[filters["stage"]])
    if "status" in filters:
        rows = rows.filter(status=filters["status"])
    if "batch" in filters:
        rows = rows.filter(batch_id=int(filters["batch"]))
    return rows
