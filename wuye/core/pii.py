"""Masking of personal data (phones, ID numbers) for lists, exports and logs (§1)."""

from __future__ import annotations

import logging
import re

_PHONE_IN_TEXT = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")
_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3}[0-9Xx])(?![0-9A-Za-z])")


def mask_phone(phone: str | None) -> str:
    """`13812341234` → `138****1234`; other numbers keep their first 3 and last 4 characters."""
    if not phone:
        return ""
    if len(phone) <= 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_id_number(id_number: str | None) -> str:
    """`110105199001011234` → `110105********1234`."""
    if not id_number:
        return ""
    if len(id_number) <= 10:
        return "*" * len(id_number)
    return id_number[:6] + "*" * (len(id_number) - 10) + id_number[-4:]


def mask_text(text: str) -> str:
    """Mask every mobile number and 18-digit ID number inside free text."""
    text = _ID_IN_TEXT.sub(lambda m: m.group(1) + "********" + m.group(3)[-4:], text)
    return _PHONE_IN_TEXT.sub(lambda m: m.group(1) + "****" + m.group(3), text)


class MaskPIIFilter(logging.Filter):
    """Logging filter: no phone number or ID number reaches a log line unmasked."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the logger's problem, not ours
            return True
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
