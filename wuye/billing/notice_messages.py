"""What an owner is told when a notice is issued to their unit: a title that says which unit, which months and
fees, how much and by when ("缴费通知：1-1-101 2026年11月 物业费等 ¥1,234.50，请于 12-15 前缴纳"), the lines in the
body, and a key per notice's content — so a rerun or a re-issue of the same notice (same unit, stage, bills and
amounts) never announces it to the owner again."""

from __future__ import annotations

import hashlib
import json
from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wuye.core.money import format_money

from .models import BillingNotice, NoticeStage

BODY_LINES = 12  # a long arrears list is cut here in the message; the notice itself lists them all

TITLES = {
    NoticeStage.PAYMENT_NOTICE: gettext_lazy("Payment notice: %(unit)s %(what)s %(total)s, please pay by %(due)s"),
    NoticeStage.REMINDER: gettext_lazy("Reminder: %(unit)s has %(total)s overdue (%(what)s), please pay by %(due)s"),
    NoticeStage.LAWYER_LETTER: gettext_lazy("Lawyer's letter: %(unit)s owes %(total)s (%(what)s); pay by %(due)s "
                                            "to avoid legal action"),
}


def _month(period: str) -> str:
    """"2026-11" → "2026年11月" (as the language writes a month); anything else as it is."""
    try:
        year, month = (int(part) for part in period.split("-"))
        return date_format(date(year, month, 1), "YEAR_MONTH_FORMAT")
    except (TypeError, ValueError):
        return period


def what(notice: BillingNotice) -> str:
    """The fees a notice is about, briefly: the latest month and its first fee, "等" when there are more."""
    lines = notice.lines or []
    if not lines:
        return ""
    periods = sorted({line.get("period") or "" for line in lines})
    latest = periods[-1]
    items = list(dict.fromkeys(line.get("item") or line.get("description") or "" for line in lines
                               if (line.get("period") or "") == latest))
    first = items[0] if items else ""
    more = len(items) > 1 or len(periods) > 1
    label = f"{_month(latest)} {first}".strip() if latest else first
    return _("%(fee)s etc.") % {"fee": label} if more else label


def title(notice: BillingNotice, unit_label: str) -> str:
    return str(TITLES[notice.stage] % {
        "unit": unit_label, "what": what(notice), "total": format_money(notice.total),
        "due": notice.due_on.strftime("%m-%d") if notice.due_on else "—"})


def body(notice: BillingNotice) -> str:
    rows = [f"{_month(line.get('period') or '')} {line.get('item') or line.get('description') or ''} "
            f"{format_money(line.get('outstanding'))}".strip() for line in (notice.lines or [])]
    if len(rows) > BODY_LINES:
        rows = [*rows[:BODY_LINES], _("… and %(count)s more") % {"count": len(rows) - BODY_LINES}]
    due = date_format(notice.due_on, "MONTH_DAY_FORMAT") if notice.due_on else ""
    closing = _("Total %(total)s, to be paid by %(due)s. Tap to open the notice.") % {
        "total": format_money(notice.total), "due": due}
    return "\n".join([*rows, closing])


def dedupe_key(notice: BillingNotice) -> str:
    """The same notice for the owner: unit, stage and the bills with their amounts owed (not the notice's id or
    date), so issuing it again — a rerun, the desk printing a building's reminders twice — tells nobody twice."""
    content = sorted((str(line.get("bill")), str(line.get("outstanding"))) for line in (notice.lines or []))
    digest = hashlib.sha256(json.dumps(content).encode()).hexdigest()[:20]
    return f"billing:notice:{notice.unit_id}:{notice.stage}:{digest}"
