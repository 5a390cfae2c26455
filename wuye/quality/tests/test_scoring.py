"""The score arithmetic of an inspection (no database): points per item, the 0–100 score, a critical failure."""

from decimal import Decimal
from types import SimpleNamespace as Row

from wuye.quality.scoring import inspection_score, item_points

VERSION = Row(pk=1)


def item(points="10", deduction="4", critical=False):
    return Row(points=Decimal(points), deduction=Decimal(deduction), critical=critical, version_id=1)


def test_item_points():
    assert item_points(item(), "pass", 0) == Decimal("10")
    assert item_points(item(), "fail", 0) == Decimal("6")  # a fail counts at least one failure
    assert item_points(item(), "fail", 2) == Decimal("2")
    assert item_points(item(), "fail", 3) == Decimal("0")  # never below 0
    assert item_points(item(), "na", 0) is None


def test_three_items_one_failed_once_score_86_67():
    rows = [Row(item=item(), result="pass", failures=0), Row(item=item(), result="pass", failures=0),
            Row(item=item(), result="fail", failures=1)]
    assert inspection_score(VERSION, rows) == (Decimal("86.67"), False)


def test_rounding_half_up_and_na_left_out():
    rows = [Row(item=item("3", "1"), result="fail", failures=1), Row(item=item("5"), result="pass", failures=0),
            Row(item=item("8"), result="na", failures=0)]
    assert inspection_score(VERSION, rows) == (Decimal("87.50"), False)  # 7 of 8
    rows = [Row(item=item("3", "2"), result="fail", failures=1), Row(item=item("5"), result="pass", failures=0),
            Row(item=item("400"), result="pass", failures=0), Row(item=item("0.5", "0.5"), result="fail", failures=1)]
    # 406 of 408.5 = 99.38800… → 99.39
    assert inspection_score(VERSION, rows) == (Decimal("99.39"), False)


def test_a_failed_critical_item_gives_zero():
    rows = [Row(item=item(), result="pass", failures=0), Row(item=item(critical=True), result="fail", failures=1)]
    assert inspection_score(VERSION, rows) == (Decimal("0.00"), True)
    rows = [Row(item=item(critical=True), result="pass", failures=0)]
    assert inspection_score(VERSION, rows) == (Decimal("100.00"), False)


def test_nothing_applicable_has_no_score():
    assert inspection_score(VERSION, [Row(item=item(), result="na", failures=0)]) == (None, False)
