"""Money rounding: fen, half up, never float, never a negative zero on a page."""

from decimal import Decimal

import pytest

from wuye.core.money import to_money


def test_rounds_to_fen_half_up():
    assert to_money(Decimal("1.005")) == Decimal("1.01")
    assert to_money(Decimal("-1.005")) == Decimal("-1.01")
    assert str(to_money("2.5")) == "2.50"


def test_a_float_residue_of_zero_prints_as_zero():
    # SQLite adds decimals in floating point: a settled account can sum to -1e-13.
    assert str(to_money(Decimal("-0.0000000000001"))) == "0.00"


def test_floats_are_refused():
    with pytest.raises(TypeError):
        to_money(0.1)
