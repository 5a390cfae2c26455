"""Money is Decimal in yuan with fen precision (two places), never float."""

from decimal import ROUND_HALF_UP, Decimal

from django.db import models

FEN = Decimal("0.01")


def to_money(value) -> Decimal:
    """Round to fen, half up (the rounding Chinese receipts use). Floats are refused: they cannot hold fen.
    Never "-0.00": a sum that SQLite added in floating point (−1e-13) reads as 0.00."""
    if isinstance(value, float):
        raise TypeError("Money must not be a float; pass a Decimal, an int or a string.")
    return Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP) + 0


class MoneyField(models.DecimalField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)
