"""Mainland identifiers: ID numbers with their checksum, licence plates (incl. new-energy), phone numbers."""

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from wuye.core.validators import id_check_character, normalize_id_number, normalize_phone, normalize_plate


@pytest.fixture(autouse=True)
def english_messages():
    """The messages are matched in English; the product shows them in Chinese by default."""
    with translation.override("en"):
        yield


def test_messages_are_chinese_by_default():
    with translation.override("zh-hans"), pytest.raises(ValueError, match="校验"):
        normalize_id_number("110105194912310021")


class TestIdNumbers:
    @pytest.mark.parametrize("number", ["11010519491231002X", "440524198001010013", "310104199003078538"])
    def test_valid_numbers_pass(self, number):
        assert normalize_id_number(number) == number

    def test_lower_case_x_is_normalised(self):
        assert normalize_id_number(" 11010519491231002x ") == "11010519491231002X"

    def test_a_typo_fails_the_checksum(self):
        with pytest.raises(ValueError, match="check digit"):
            normalize_id_number("110105194912310021")

    @pytest.mark.parametrize(
        "number, reason",
        [
            ("1101051949123100", "18 characters"),
            ("11010519491231002Y", "18 characters"),
            ("990105194912310020", "region"),
            ("110105194902300020", "real date"),
            ("110105189912310020", "out of range"),
        ],
    )
    def test_malformed_numbers_say_why(self, number, reason):
        with pytest.raises(ValueError, match=reason):
            normalize_id_number(number)

    @given(st.from_regex(r"\A11010519[5-9]\d0[1-9]1\d\d{3}\Z"))
    def test_every_number_with_its_computed_check_character_passes(self, first17):
        assert normalize_id_number(first17 + id_check_character(first17))


class TestPlates:
    @pytest.mark.parametrize(
        "plate, normalized",
        [
            ("粤B12345", "粤B12345"),
            ("京A·8H7K2", "京A8H7K2"),
            ("沪a 12345", "沪A12345"),
            ("粤BD12345", "粤BD12345"),  # small new-energy, pure electric
            ("粤BFA1234", "粤BFA1234"),  # small new-energy, hybrid
            ("沪A12345D", "沪A12345D"),  # large new-energy
            ("苏E1234学", "苏E1234学"),
        ],
    )
    def test_mainland_formats_pass(self, plate, normalized):
        assert normalize_plate(plate) == normalized

    @pytest.mark.parametrize(
        "plate",
        ["XX12345", "粤B1234", "粤B1234567", "粤I12345", "粤BO1234", "粤BZ12345", "粤B12345Z", "", "ABCDEFG"],
    )
    def test_malformed_plates_fail(self, plate):
        with pytest.raises(ValueError):
            normalize_plate(plate)


class TestPhones:
    @pytest.mark.parametrize(
        "phone, normalized",
        [("13812345678", "13812345678"), ("+86 138-1234-5678", "13812345678"), ("021-58881234", "02158881234")],
    )
    def test_mobiles_and_landlines(self, phone, normalized):
        assert normalize_phone(phone) == normalized

    @pytest.mark.parametrize("phone", ["12345678901", "1381234567", "abc", ""])
    def test_malformed(self, phone):
        with pytest.raises(ValueError, match="11-digit"):
            normalize_phone(phone)
