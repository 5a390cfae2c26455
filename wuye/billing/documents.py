"""The letters owners get about their fees, as Chinese PDFs (§3): the payment notice (缴费通知单), the reminder notice
(催缴通知书) and the lawyer's-letter stage (律师函). Printed from the notice's snapshot (`BillingNotice.lines`) and
records that are never rewritten, so a notice reads the same whenever it is opened. The text is Chinese whatever the
UI language: it is a formal document addressed to the owner.

`amount_in_words` (Chinese capital amounts, 大写金额) is shared with receipts."""

from __future__ import annotations

from datetime import date

from wuye.core.downloads import download_name
from wuye.core.money import format_money, to_money
from wuye.core.pdf import Document
from wuye.people.services import owning_residencies

from .models import BillingNotice, NoticeStage

DIGITS = "零壹贰叁肆伍陆柒捌玖"
PLACES = ("", "拾", "佰", "仟")
GROUPS = ("", "万", "亿", "万亿")


def _group_words(group: int) -> str:
    """1..9999 in capitals, with one 零 for each run of inner zeros (1004 → 壹仟零肆)."""
    words, zero = "", False
    for place in (3, 2, 1, 0):
        digit = group // 10 ** place % 10
        if digit == 0:
            zero = bool(words)
            continue
        if zero:
            words += "零"
            zero = False
        words += DIGITS[digit] + PLACES[place]
    return words


def _yuan_words(yuan: int) -> str:
    groups = []
    while yuan:
        yuan, group = divmod(yuan, 10000)
        groups.append(group)
    words, gap = "", False
    for index in reversed(range(len(groups))):
        group = groups[index]
        if group == 0:
            gap = bool(words)
            continue
        if words and (gap or group < 1000):  # 壹万零伍拾, 壹亿零壹仟
            words += "零"
        words += _group_words(group) + GROUPS[index]
        gap = False
    return words


def amount_in_words(amount) -> str:
    """The amount in Chinese capitals as cheques and receipts write it: 1234.50 → 壹仟贰佰叁拾肆元伍角整,
    1234.05 → 壹仟贰佰叁拾肆元零伍分, 0 → 零元整; rounded to fen, a negative amount starts with 负."""
    amount = to_money(amount)
    sign = "负" if amount < 0 else ""
    fen_total = int(abs(amount) * 100)
    yuan, rest = divmod(fen_total, 100)
    jiao, fen = divmod(rest, 10)
    if fen_total == 0:
        return "零元整"
    words = _yuan_words(yuan) + "元" if yuan else ""
    if jiao:
        words += DIGITS[jiao] + "角"
    elif fen and yuan:
        words += "零"
    if fen:
        words += DIGITS[fen] + "分"
    else:
        words += "整"
    return sign + words


def money(value) -> str:
    """¥1,234.50 — the one money format (core.money.format_money), on paper as on pages."""
    return format_money(value)


def _chinese_date(day: date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧***: enough for the owner to know the letter is theirs, not for a passer-by."""
    name = (name or "").strip()
    return name[:1] + "*" * (len(name) - 1) if name else ""


def addressees(notice: BillingNotice) -> str:
    """The owners of the unit on the day the notice was issued (residencies are ended, never deleted)."""
    residencies = owning_residencies([notice.unit_id], on=notice.issued_on)
    names = list(dict.fromkeys(mask_name(residency.resident.name) for residency in residencies))
    return "、".join(names)


TITLES = {
    NoticeStage.PAYMENT_NOTICE: "缴费通知单",
    NoticeStage.REMINDER: "催缴通知书",
    NoticeStage.LAWYER_LETTER: "律师函",
}
CODES = {NoticeStage.PAYMENT_NOTICE: "JF", NoticeStage.REMINDER: "CJ", NoticeStage.LAWYER_LETTER: "LS"}
CHANNELS = [
    "1. 业主服务平台（微信公众号 / H5）“缴费”栏目在线支付（微信支付、支付宝）；",
    "2. 到物业服务中心以现金、银行卡缴纳；",
    "3. 银行转账至本公司收款账户（请在附言中注明项目及房号）。",
]
TABLE_HEADER = ["项目", "期间", "应缴金额", "未缴金额", "到期日", "逾期天数"]
TABLE_WIDTHS = [40, 22, 28, 28, 26, 26]


def notice_number(notice: BillingNotice) -> str:
    """JH-CJ-20261202-000045: the project's number prefix (as on its receipts), the kind of notice, the day issued
    and the notice's record number (unique, not a per-project sequence)."""
    prefix = notice.project.short_code or notice.project.code.upper()
    return f"{prefix}-{CODES[notice.stage]}-{notice.issued_on:%Y%m%d}-{notice.pk:06d}"


def _rows(notice: BillingNotice) -> list[list[str]]:
    return [[line["item"] or line["description"], line["period"] or "—", money(line["amount"]),
             money(line["outstanding"]), line["due_on"], str(line["days_overdue"]) if line["days_overdue"] else "—"]
            for line in notice.lines]


def _total_line(notice: BillingNotice) -> str:
    return f"合计未缴金额：人民币（大写）{amount_in_words(notice.total)}（小写 {money(notice.total)}）"


def _earlier_reminder(notice: BillingNotice) -> BillingNotice | None:
    return (BillingNotice.objects.filter(unit_id=notice.unit_id, stage=NoticeStage.REMINDER,
                                         issued_on__lte=notice.issued_on).order_by("-issued_on").first())


def notice_pdf(notice: BillingNotice, doc: Document | None = None) -> Document:
    """The notice as an A4 document in formal Chinese, whatever its stage (load it with
    select_related("project__company", "unit__building") to save queries). With `doc`, the notice is drawn on a
    new page of that document instead (`notices_pdf`: a batch to print)."""
    project, unit = notice.project, notice.unit
    company = project.company.name
    title = TITLES[notice.stage]
    owner = addressees(notice)
    dear = f"尊敬的{owner}业主：" if owner else "尊敬的业主："
    place = f"{project.name} {unit.label}"
    deadline = _chinese_date(notice.due_on)
    if doc is None:
        doc = Document(title=f"{title} {place}", author=company)
    else:
        doc.pdf.add_page()  # each notice of a batch starts on a page of its own
    doc.paragraph(company, size=12, align="C")
    doc.heading(title)
    doc.fields([("编号", notice_number(notice)), ("项目", project.name), ("房号", unit.label),
                ("业主", owner or "—"), ("发出日期", _chinese_date(notice.issued_on)),
                ("缴费期限", f"{deadline}前" if deadline else "—")])
    doc.paragraph(dear)
    if notice.stage == NoticeStage.PAYMENT_NOTICE:
        arrears = [line for line in notice.lines if line["days_overdue"]]
        doc.paragraph(f"您好！根据《物业服务合同》的约定，您位于{place}的房屋本期应缴费用明细如下"
                      f"{'（含此前尚未缴清的费用）' if arrears else ''}，请于{deadline}前缴纳。")
    elif notice.stage == NoticeStage.REMINDER:
        doc.paragraph(f"截至{_chinese_date(notice.issued_on)}，您位于{place}的房屋尚有下列费用逾期未缴。依照您与本公司"
                      f"签订的《物业服务合同》约定，业主应当按时足额交纳物业服务费用。现特函催缴，请您自本通知发出之日起"
                      f"七日内，即于{deadline}前缴清下列欠费。")
    else:
        reminder = _earlier_reminder(notice)
        earlier = (f"本公司已于{_chinese_date(reminder.issued_on)}向您发出《催缴通知书》，"
                   if reminder else "本公司此前已多次向您催缴，")
        doc.paragraph(f"{earlier}但截至{_chinese_date(notice.issued_on)}，您位于{place}的房屋仍欠缴下列费用。"
                      f"依据《中华人民共和国民法典》第九百四十四条及《物业服务合同》的约定，本公司现正式函告："
                      f"请您于{deadline}前缴清全部欠费。")
    doc.table(TABLE_HEADER, _rows(notice), widths=TABLE_WIDTHS, align_right={2, 3, 5})
    doc.paragraph(_total_line(notice))
    if notice.stage == NoticeStage.REMINDER:
        doc.paragraph("逾期仍未缴纳的，本公司将依据《物业服务合同》及《中华人民共和国民法典》第九百四十四条的规定，"
                      "依法追缴欠费，并保留追究违约责任的权利。")
    elif notice.stage == NoticeStage.LAWYER_LETTER:
        doc.paragraph("逾期仍未缴清的，本公司将委托律师事务所，通过提起诉讼或者申请仲裁等法律途径追缴上述欠费，"
                      "并依法主张由此产生的违约责任及相关费用。望您珍惜本次机会，及时履行缴费义务。")
    doc.paragraph("缴费方式：")
    for channel in CHANNELS:
        doc.paragraph(channel, size=10)
    contact = f"，服务电话：{project.phone}" if project.phone else ""
    doc.paragraph(f"如您已缴清上述费用，请忽略本{'函' if notice.stage == NoticeStage.LAWYER_LETTER else '通知'}。"
                  f"如有疑问，请联系{project.name}物业服务中心{contact}。", size=10)
    doc.signature([company, f"{project.name}物业服务中心", _chinese_date(notice.issued_on)])
    return doc


def receipt_filename(number: str) -> str:
    """收据_JH-2026-000123.pdf: the name a receipt (numbered `number`) downloads under."""
    return download_name("收据", number, ext="pdf")


def notices_pdf(notices: list[BillingNotice], *, title: str) -> Document:
    """Several notices (at least one) in one document to print and post, each from a new page, each laid out as
    `notice_pdf` lays out one."""
    doc = None
    for notice in notices:
        doc = notice_pdf(notice, doc)
    doc.pdf.set_title(title)
    return doc


def notice_filename(notice: BillingNotice) -> str:
    """催缴通知书_锦华苑_3-1-101_<number>.pdf (load the notice with its project and unit)."""
    return download_name(TITLES[notice.stage], notice.project.name, notice.unit.label, notice_number(notice), ext="pdf")
