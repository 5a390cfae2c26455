from decimal import Decimal

import pytest
from django.template import Context, Template

from wuye.core.money import format_money


@pytest.mark.parametrize("value, shown", [
    (Decimal("440932.92"), "¥440,932.92"),
    (Decimal("-12"), "-¥12.00"),
    ("120.5", "¥120.50"),
    (0, "¥0.00"),
    (None, "—"),
    ("", "—"),
])
def test_money_reads_as_yuan_with_thousands_and_two_places(value, shown):
    assert format_money(value) == shown
    assert Template("{% load money %}{{ v|yuan }}").render(Context({"v": value})) == shown


def test_a_float_is_refused_rather_than_rounded_silently():
    with pytest.raises(TypeError):
        format_money(0.1)
