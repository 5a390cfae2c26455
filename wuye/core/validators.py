"""Validators for mainland identifiers: resident ID numbers (身份证), licence plates, phone numbers; and for what any
input may hold: dates in a plausible window, text without NUL characters, integers a database column holds.

Each `normalize_*` / `check_*` returns the canonical form or raises `ValueError` with a message a person can act
on; the Django `validate_*` wrappers raise `ValidationError` for model and form fields.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

# GB 11643-1999: weights of the first 17 digits, and the check character for each remainder mod 11.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_SHAPE = re.compile(r"^[1-9]\d{5}(\d{4})(\d{2})(\d{2})\d{3}[0-9X]$")
# First two digits: the province-level codes in use (GB/T 2260).
_ID_PROVINCES = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
    "71", "81", "82", "83", "91",
}


def digits(text) -> bool:
    """Whether `text` is a whole number written in ASCII digits that a database id column holds (at most 18 of
    them). str.isdigit() also accepts '²' or '١', which int() refuses, and any length, which the database refuses —
    a form or query value checked with it can still raise."""
    return isinstance(text, str) and text.isascii() and text.isdigit() and len(text) <= 18


def id_check_character(first17: str) -> str:
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def normalize_id_number(value: str) -> str:
    """A valid 18-character mainland ID number, upper-cased; raises ValueError naming what is wrong."""
    number = (value or "").strip().upper()
    match = _ID_SHAPE.match(number)
    if not match:
        raise ValueError(_("An ID number has 18 characters: 17 digits and a final digit or X."))
    if number[:2] not in _ID_PROVINCES:
        raise ValueError(_("The ID number's region code is not a mainland region."))
    year, month, day = (int(part) for part in match.groups())
    try:
        born = date(year, month, day)
    except ValueError:
        raise ValueError(_("The ID number's date of birth is not a real date.")) from None
    if born.year < 1900 or born > date.today():  # noqa: DTZ011 — a date of birth has no time zone
        raise ValueError(_("The ID number's date of birth is out of range."))
    if id_check_character(number[:17]) != number[17]:
        raise ValueError(_("The ID number's check digit is wrong; please check for a typing error."))
    return number


PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_LETTER = "A-HJ-NP-Z"  # plates never use I or O
_ALNUM = "A-HJ-NP-Z0-9"
# Ordinary plates: province, issuing-office letter, five characters (the last may mark 挂/学/警/港/澳).
_PLATE_ORDINARY = re.compile(rf"^[{PROVINCES}][{_LETTER}][{_ALNUM}]{{4}}[{_ALNUM}挂学警港澳]$")
# New-energy plates (8 characters): small vehicles have the energy letter first (D/A/B/C/E pure electric,
# F/G/H/J/K other), large vehicles have it last.
_PLATE_NEV_SMALL = re.compile(rf"^[{PROVINCES}][{_LETTER}][DABCEFGHJK][{_ALNUM}]\d{{4}}$")
_PLATE_NEV_LARGE = re.compile(rf"^[{PROVINCES}][{_LETTER}]\d{{5}}[DABCEFGHJK]$")
# Embassy and consulate plates.
_PLATE_DIPLOMATIC = re.compile(r"^(使\d{6}|\d{6}使|[" + PROVINCES + r"][A-Z]\d{4}领)$")


def normalize_plate(value: str) -> str:
    """A mainland licence plate without spaces or separators, upper-cased (e.g. `粤B12345`, `粤BD12345`)."""
    plate = re.sub(r"[\s·•\-.]", "", value or "").upper()
    for pattern in (_PLATE_ORDINARY, _PLATE_NEV_SMALL, _PLATE_NEV_LARGE, _PLATE_DIPLOMATIC):
        if pattern.match(plate):
            return plate
    if plate and plate[0] not in PROVINCES and not plate.startswith("使"):
        raise ValueError(_("A plate starts with a province abbreviation such as 京 or 粤."))
    raise ValueError(
        _("Not a mainland plate: 7 characters (e.g. 粤B12345) or 8 for new-energy vehicles (e.g. 粤BD12345).")
    )


_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}\d{7,8}$")


def normalize_phone(value: str) -> str:
    """A mainland mobile (11 digits) or landline number with area code, digits only (+86 prefix removed)."""
    phone = re.sub(r"[\s\-()]", "", value or "")
    if phone.startswith("+86"):
        phone = phone[3:]
    elif phone.startswith("0086"):
        phone = phone[4:]
    if _MOBILE.match(phone) or _LANDLINE.match(phone):
        return phone
    raise ValueError(_("Enter an 11-digit mobile number (e.g. 13812345678) or a landline with area code."))


def _as_validation_error(normalize, value) -> None:
    try:
        normalize(value)
    except ValueError as error:
        raise ValidationError(str(error), code="invalid") from None


# Module-level functions (not closures) so that migrations can refer to them.
def validate_id_number(value):
    _as_validation_error(normalize_id_number, value)


def validate_plate(value):
    _as_validation_error(normalize_plate, value)


def validate_phone(value):
    _as_validation_error(normalize_phone, value)


# -- what any input may hold -----------------------------------------------------------------------------------
# Signed 64 bits: what SQLite's INTEGER and PostgreSQL's bigint hold; a larger number reached the database as a 500.
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def date_window() -> tuple[date, date]:
    """The dates a person can mean: `WUYE_DATE_MIN` (default 1990-01-01, communities moved into since the 1990s)
    to today plus `WUYE_DATE_YEARS_AHEAD` years (default 10: due dates, agreed visits, a next period)."""
    earliest = settings.WUYE_DATE_MIN
    earliest = date.fromisoformat(earliest) if isinstance(earliest, str) else earliest
    today = timezone.localdate()
    years = int(settings.WUYE_DATE_YEARS_AHEAD)
    try:
        latest = today.replace(year=today.year + years)
    except ValueError:  # 29 February
        latest = today.replace(year=today.year + years, day=28)
    return earliest, latest


def check_plausible_date(value):
    """`value` (a date or datetime) if its day lies in `date_window()`, else ValueError naming the window. Year 1
    or 9999 is a typing error, and past the database's or the calendar's range it used to be a 500."""
    if value is None:
        return value
    day = value.date() if isinstance(value, datetime) else value
    earliest, latest = date_window()
    if not earliest <= day <= latest:
        raise ValueError(_("Give a date between %(earliest)s and %(latest)s.")
                         % {"earliest": earliest.isoformat(), "latest": latest.isoformat()})
    return value


def check_text(value: str) -> str:
    """`value` unless it holds a NUL character, which no text means and PostgreSQL refuses to store or compare."""
    if "\x00" in value:
        raise ValueError(_("Text may not contain NUL (\\x00) characters."))
    return value


def check_integer(value: int) -> int:
    """`value` if a signed 64-bit column holds it (every id and count in the database)."""
    if not INT64_MIN <= value <= INT64_MAX:
        raise ValueError(_("The number is out of range."))
    return value


def validate_plausible_date(value):
    _as_validation_error(check_plausible_date, value)


def clean_text(problems, field: str, value, limit: int, *, required: bool | str = False) -> str:
    """The text of a form or API field, stripped; a problem noted under `field` (core.errors.Problems) when it holds
    NUL, is empty though `required` (True: "This field is required."; a string: that message) or is longer than
    `limit` (then "" is returned: nothing that long is stored). One rule for every process's text fields."""
    text = str(value if value is not None else "").strip()
    try:
        check_text(text)
    except ValueError as error:
        problems.add(field, error)
        return ""
    if required and not text:
        problems.add(field, required if isinstance(required, str) else _("This field is required."))
    elif len(text) > limit:
        problems.add(field, _("At most %(count)s characters.") % {"count": limit})
        return ""
    return text
