"""The receipt (收款收据) of a payment as a PDF and as the owner's e-receipt page (`receipt_content` is what both
say): printed for owners, so the text is Chinese whatever the UI language.

It shows the receipt as issued — the bills the payment settled when it came in and what it left as prepaid
credit — plus every refund of the payment so far.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from wuye.core.money import to_money
from wuye.core.pdf import Document
from wuye.people.services import owning_residencies
from wuye.tenancy.models import derive_short_code

from .documents import amount_in_words, money
from .models import Channel, DocumentCounter, EntryKind, Payment, Receipt

ZERO = Decimal("0.00")
CHANNEL_NAMES = {
    Channel.CASH: "现金",
    Channel.BANK_TRANSFER: "银行转账",
    Channel.WECHAT: "微信支付",
    Channel.ALIPAY: "支付宝",
    Channel.SIMULATED: "在线支付（模拟通道）",
    Channel.POS: "POS刷卡",
}
SEQUENCE_DIGITS = 6
FOOTNOTE = "本收据由物业服务平台生成，收据编号在本小区内连续不重号。"


def document_number(short_code: str, year: int, number: int, series: str = DocumentCounter.Series.RECEIPT) -> str:
    """A number a clerk can read aloud: the project's prefix, the year and the sequence — JH-2026-000123 for a
    receipt, JH-TZ-2026-000045 for a notice."""
    infix = "" if series == DocumentCounter.Series.RECEIPT else "TZ-"
    return f"{short_code}-{infix}{year}-{number:0{SEQUENCE_DIGITS}d}"


def take_number(project, series: str, year: int) -> int:
    """The next number of `series` in `project` and `year`: 1, 2, 3 … without gaps. Taken under the counter row's
    lock, so it must be called inside the transaction that issues the document (a rollback gives it back)."""
    counter, _created = DocumentCounter.objects.select_for_update().get_or_create(
        project_id=project.pk, series=series, year=year)
    counter.last_number += 1
    DocumentCounter.objects.filter(pk=counter.pk).update(last_number=counter.last_number)
    return counter.last_number


def issue_receipt(payment: Payment, now) -> Receipt:
    """The payment's receipt, numbered in its project and the local year of `now` (inside the payment's
    transaction)."""
    project = payment.project
    year = timezone.localtime(now).year
    number = take_number(project, DocumentCounter.Series.RECEIPT, year)
    prefix = project.short_code or derive_short_code(project.code)
    return Receipt.objects.create(project=project, year=year, number=number, payment=payment, issued_at=now,
                                  code=document_number(prefix, year, number))


def receipt_number(payment: Payment) -> str:
    """The printed number, as issued: JH-2026-000123 (receipts from before numbering by year keep theirs)."""
    return payment.receipt.code


def _payer(payment: Payment) -> str:
    """The name the payer gave at the desk, else the owner who paid online, else the unit's current owners and
    co-owners; a walk-in with no name given: what it paid for (临时停车 粤B12345)."""
    if payment.payer_name:
        return payment.payer_name
    if payment.unit_id is None:
        return payment.description or "—"
    payer = payment.received_by
    if payer is not None and getattr(payer, "resident", None) is not None:
        return payer.get_full_name() or payer.username
    names = [residency.resident.name for residency in owning_residencies([payment.unit_id])]
    return "、".join(names) or "—"


def _period(row) -> str:
    if row["bill__period"]:
        return f"{row['bill__period']:%Y年%m月}"
    return row["bill__description"] or "—"


@dataclass
class ReceiptContent:
    """What a receipt says, shared by the PDF and the owner's e-receipt page: the bills the payment settled when
    it came in, the credit it left, and its refunds so far."""

    payment: Payment
    number: str
    issued_at: datetime
    payer: str
    channel: str
    settled: list[dict] = field(default_factory=list)  # {"item", "period", "amount"}
    credit: Decimal = ZERO
    refunds: list[dict] = field(default_factory=list)  # {"day", "amount", "reason"}
    refunded: Decimal = ZERO
    receiver: str = ""

    @property
    def amount_in_words(self) -> str:
        return amount_in_words(self.payment.amount)

    @property
    def refunded_in_words(self) -> str:
        return amount_in_words(self.refunded)


def receipt_content(payment: Payment) -> ReceiptContent:
    """The receipt of `payment` (its `receipt` row is issued with the payment), as issued."""
    payment = Payment.objects.select_related("project__company", "unit__building", "receipt", "received_by").get(
        pk=payment.pk)
    # Allocations written with the payment carry its own time; later ones are its credit applied to new bills
    # and reversals by refunds — those are not what was receipted.
    settled = list(payment.allocations.filter(amount__gt=0, created_at__lte=payment.received_at)
                   .values("bill_id", "bill__item__name", "bill__period", "bill__description")
                   .annotate(applied=Sum("amount")).order_by("bill__due_on", "bill_id"))
    applied = sum((to_money(row["applied"]) for row in settled), ZERO)
    refunds = list(payment.entries.filter(kind=EntryKind.REFUND).order_by("created_at", "id"))
    receiver = payment.received_by.get_full_name() if payment.received_by else ""
    return ReceiptContent(
        payment=payment, number=receipt_number(payment), issued_at=timezone.localtime(payment.receipt.issued_at),
        payer=_payer(payment), channel=CHANNEL_NAMES.get(payment.channel, payment.channel),
        settled=[{"item": row["bill__item__name"], "period": _period(row), "amount": to_money(row["applied"])}
                 for row in settled],
        credit=payment.amount - applied,
        refunds=[{"day": timezone.localtime(entry.created_at).date(), "amount": entry.amount, "reason": entry.memo}
                 for entry in refunds],
        refunded=sum((entry.amount for entry in refunds), ZERO), receiver=receiver)


def receipt_pdf(payment: Payment) -> Document:
    """The 收款收据 of `payment` as an A4 PDF."""
    content = receipt_content(payment)
    payment, number = content.payment, content.number
    doc = Document(title=f"收款收据 {number}")
    doc.heading("收款收据")
    doc.fields([
        ("收据编号", number),
        ("收款日期", f"{content.issued_at:%Y年%m月%d日 %H:%M}"),
        ("小区", payment.project.name),
        ("房屋" if payment.unit_id else "收费对象", payment.account_label),
        ("交款人", content.payer),
        ("支付方式", content.channel),
        *([("交易参考号", payment.reference)] if payment.reference else []),
    ])
    rows = [[row["item"], row["period"], money(row["amount"])] for row in content.settled]
    if content.credit > ZERO:
        rows.append(["预存款（计入余额，抵扣以后的账单）", "—", money(content.credit)])
    rows.append(["合计", "", money(payment.amount)])
    doc.table(["收费项目", "所属期间", "本次实收（元）"], rows, widths=[85, 40, 45], align_right={2})
    doc.paragraph(f"金额（大写）：人民币{content.amount_in_words}")
    doc.paragraph(f"金额（小写）：{money(payment.amount)}")
    if content.refunds:
        doc.table(["退款日期", "退款金额（元）", "退款原因"],
                  [[f"{r['day']:%Y-%m-%d}", money(r["amount"]), r["reason"]] for r in content.refunds],
                  widths=[35, 40, 95], align_right={1})
        doc.paragraph(f"截至打印日已退款合计：{money(content.refunded)}（人民币{content.refunded_in_words}）")
    doc.signature([
        f"收款单位：{payment.project.company.name}（{payment.project.name}）",
        f"经办人：{content.receiver or '—'}",
        f"打印日期：{timezone.localdate():%Y年%m月%d日}",
    ])
    doc.paragraph(FOOTNOTE, size=9)
    return doc
