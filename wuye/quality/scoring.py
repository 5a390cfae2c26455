"""Score arithmetic of an inspection (SPEC §6): an item passed gives its full points; an item failed loses its
deduction per failure (at least one), never below 0; an item not applicable counts neither way. The score is the
points given over the points possible, on 0–100 to two decimals (half up). A failed critical item fails the
whole check: the score is 0."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from .models import ItemResult

HUNDREDTH = Decimal("0.01")


def item_points(item, result: str, failures: int = 0) -> Decimal | None:
    """The points `item` gives for `result`: full points for a pass, points − deduction × max(failures, 1)
    (never below 0) for a fail, None for not applicable (left out of the score)."""
    if result == ItemResult.PASS:
        return Decimal(item.points)
    if result == ItemResult.FAIL:
        lost = Decimal(item.deduction) * max(int(failures or 0), 1)
        return max(Decimal("0"), Decimal(item.points) - lost)
    return None


def inspection_score(version, scores) -> tuple[Decimal | None, bool]:
    """(score on 0–100, whether a critical item failed) of `scores` — InspectionScore rows (or objects with
    `item`, `result`, `failures`) of `version`'s items. None when every item is not applicable."""
    given = possible = Decimal("0")
    failed_critical = False
    for score in scores:
        if score.item.version_id != version.pk:
            continue
        points = item_points(score.item, score.result, score.failures)
        if points is None:
            continue
        if score.result == ItemResult.FAIL and score.item.critical:
            failed_critical = True
        given += points
        possible += Decimal(score.item.points)
    if failed_critical:
        return Decimal("0.00"), True
    if possible == 0:
        return None, False
    return (given / possible * 100).quantize(HUNDREDTH, rounding=ROUND_HALF_UP), False
