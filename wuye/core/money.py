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


def format_money(value, *, empty: str = "—") -> str:
    """Money as a person reads it: ¥440,932.92, -¥12.00; None or "" → "—". Accepts Decimal, int or a decimal
    string (event data stores money as strings); floats are refused like everywhere else."""
    if value is None or value == "":
        return empty
    if isinstance(value, float):
        raise TypeError("Money must not be a float; pass a Decimal, an int or a string.")
    try:
        amount = to_money(value)
    except (ArithmeticError, ValueError, TypeError):
        return str(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount):,.2f}"
