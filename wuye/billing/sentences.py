"""How billing events read (wuye.core.sentences): 「收款 ¥1,200.00（现金）」, 「账单 2026-10 物业费 出账 ¥320.00」.
Bills are named by their period and item (one query for a page of events). Registered from `registry.register()`;
other helpers add their verbs with `register_sentence` the same way."""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wuye.core.money import format_money
from wuye.core.sentences import describe_changes, register_sentences, register_subject_namer, register_terms
from wuye.tenancy.models import UnitKind

from .models import Basis, Bill, ChargeItem, ChargeKind, MeterKind, ParkingSpaceKind, SharingMethod


def bill_names(ids: list[int]) -> dict[int, str]:
    """"2026-10 物业费" (a monthly bill), or the item's name and the bill's description (a one-off charge)."""
    names = {}
    for bill in Bill.objects.filter(pk__in=ids).select_related("item").only(
            "id", "period", "description", "item__name"):
        if bill.period:
            names[bill.pk] = f"{bill.period:%Y-%m} {bill.item.name}"
        else:
            names[bill.pk] = bill.item.name
    return names


def charged(event, fields) -> str:
    if fields["subject"]:
        return gettext("Billed %(subject)s: %(amount)s") % fields
    return gettext("Billed %(amount)s") % fields


def paid(event, fields) -> str:
    prepaid = fields.raw.get("prepaid")
    if prepaid and str(prepaid) not in ("0", "0.00"):
        return gettext("Payment of %(amount)s received (%(channel)s); %(prepaid)s kept as prepaid credit") % fields
    return gettext("Payment of %(amount)s received (%(channel)s)") % fields


def written_off(event, fields) -> str:
    if fields["subject"]:
        return gettext("%(amount)s of %(subject)s written off: %(reason)s") % fields
    return gettext("%(amount)s written off: %(reason)s") % fields


def run_done(event, fields) -> str:
    if fields.raw.get("skipped"):
        return gettext("Billing run for %(period)s finished: %(bills)s bills, %(amount)s; %(skipped)s units "
                       "skipped") % fields
    return gettext("Billing run for %(period)s finished: %(bills)s bills, %(amount)s") % fields


def meter_read(event, fields) -> str:
    data = fields.raw
    if data.get("consumption") not in (None, ""):
        text = gettext("Meter read on %(read_on)s: %(reading)s (used %(consumption)s)") % fields
    else:
        text = gettext("Meter read on %(read_on)s: %(reading)s") % fields
    if data.get("held"):
        text = gettext("%(text)s — held for review") % {"text": text}
    return text


def notice_issued(event, fields) -> str:
    if fields.raw.get("due_on"):
        return gettext("%(stage)s issued to %(unit)s: %(total)s for %(bills)s bills, pay by %(due_on)s") % fields
    return gettext("%(stage)s issued to %(unit)s: %(total)s for %(bills)s bills") % fields


def withdrawn(event, fields) -> str:
    count = len(fields.raw.get("withdrawn") or [])
    total = sum((_decimal(row.get("amount")) for row in fields.raw.get("withdrawn") or []), 0)
    return gettext("Shared costs of %(item)s for %(period)s withdrawn: %(count)s, %(total)s") % {
        **fields, "count": count, "total": format_money(total)}


def _decimal(value):
    from decimal import Decimal, InvalidOperation

    try:
        return Decimal(str(value))
    except (InvalidOperation, TypeError):
        return Decimal(0)


def item_names(ids: list[int]) -> dict[int, str]:
    return dict(ChargeItem.objects.filter(pk__in=ids).values_list("id", "name"))


def _changed(label):
    """"收费项目 物业费 已修改：单价 ¥2.50 → ¥2.80" — the record's own name (never its code) and what changed."""
    def sentence(event, fields) -> str:
        name = fields["subject"] or fields.raw.get("name") or fields.raw.get("plate") or ""
        return gettext("%(what)s %(name)s: %(changes)s") % {
            "what": label, "name": name, "changes": describe_changes(fields, fields.raw.get("changed"))}
    return sentence


def meter_created(event, fields) -> str:
    place = fields.raw.get("unit") or fields.raw.get("building") or ""
    if place:
        return gettext("%(kind)s meter %(code)s registered for %(place)s") % {**fields, "place": place}
    return gettext("%(kind)s meter %(code)s registered") % fields


def register_master() -> None:
    register_subject_namer("billing", "chargeitem", item_names)
    register_terms(values={"basis": dict(Basis.choices), "unit_kind": dict(UnitKind.choices),
                           "kind": dict(ParkingSpaceKind.choices),
                           "field": {"name": _("name"), "is_active": _("active"), "rate": _("rate"),
                                     "basis": _("basis"), "effective_from": _("effective from"),
                                     "label": _("name"), "zone": _("zone"), "kind": _("kind"), "unit": _("unit"),
                                     "vehicle": _("vehicle"), "plate": _("plate"), "ends_on": _("valid until"),
                                     "starts_on": _("valid from"), "space": _("parking space")}})
    register_sentences({
        "billing.charge_item_created": (_("Charge item created: %(name)s (%(kind)s)"), {
            "example": {"code": "paid-service", "name": "有偿服务费", "kind": "paid_service"}}),
        "billing.charge_item_changed": (_changed(_("Charge item changed")), {
            "example": {"code": "property-fee", "changed": {"name": ["物业服务费", "物业费"],
                                                            "is_active": [True, False]}}}),
        "billing.tariff_added": (_("Tariff of %(subject)s added: %(rate)s, %(basis)s, from %(effective_from)s"), {
            "details": ("unit_kind",), "example": {"code": "property-fee", "rate": "2.50", "basis": "per_m2_month",
                                                   "unit_kind": "residential", "effective_from": "2027-01-01"}}),
        "billing.tariff_changed": (_changed(_("Tariff corrected")), {
            "example": {"code": "property-fee", "tariff": 7, "changed": {"rate": ["2.50", "2.80"]}}}),
        "billing.meter_created": (meter_created, {"example": {"code": "W-1-101", "kind": "water",
                                                              "unit": "1栋1单元101", "building": ""}}),
        "billing.meter_changed": (_changed(_("Meter changed")), {
            "example": {"code": "W-1-101", "changed": {"is_active": [True, False]}}}),
        "billing.parking_space_created": (_("Parking space %(code)s registered (%(zone)s)"), {
            "details": ("unit",), "example": {"code": "B1-001", "zone": "地下一层", "kind": "owned",
                                              "unit": "1栋1单元101"}}),
        "billing.parking_space_changed": (_changed(_("Parking space changed")), {
            "example": {"code": "B1-001", "changed": {"zone": ["地下一层", "地下二层"]}}}),
        "billing.parking_pass_created": (_("Monthly pass issued to %(plate)s, %(starts_on)s – %(ends_on)s"), {
            "details": ("unit", "space"), "example": {"unit": "1栋1单元101", "plate": "沪A12345", "space": "B1-001",
                                                      "starts_on": "2026-12-01", "ends_on": "2027-11-30"}}),
        "billing.parking_pass_changed": (_changed(_("Monthly pass changed")), {
            "example": {"plate": "沪A12345", "changed": {"ends_on": ["2027-11-30", "2028-11-30"]}}}),
        "billing.parking_pass_renewed": (_("Monthly pass of %(plate)s renewed for %(months)s months, valid until "
                                           "%(to)s"), {
            "example": {"plate": "沪A12345", "months": 3, "from": "2026-11-30", "to": "2027-02-28"}}),
    })


WRITE_OFF = {"unit": "1栋1单元101", "item": "物业费", "period": "2026-10", "amount": "12.00"}


def register() -> None:
    register_master()
    register_subject_namer("billing", "bill", bill_names)
    register_terms(details={"anomaly": _("anomaly"), "note": _("note"), "corrected_from": _("reading before"),
                            "reason": _("reason")},
                   values={"kind": {**dict(ChargeKind.choices), **dict(MeterKind.choices)},
                           "method": dict(SharingMethod.choices),
                           "key": {"billing.payment": _("Payment deadline")}})
    register_sentences({
        "billing.charged": (charged, {"example": {"unit": "1栋1单元101", "item": "paid-service",
                                                  "amount": "440932.92"}}),
        "billing.paid": (paid, {"example": {"unit": "1栋1单元101", "amount": "1200.00", "channel": "cash",
                                            "prepaid": "200.00"}}),
        "billing.credit_applied": (_("Prepaid credit of %(amount)s applied to open bills"),
                                   {"example": {"amount": "320.00"}}),
        "billing.written_off": (written_off, {"example": {"amount": "12.00", "reason": "尾差减免"}}),
        "billing.refunded": (_("Refunded %(amount)s: %(reason)s"), {"example": {"amount": "100.00",
                                                                                "reason": "重复缴费"}}),
        "billing.run_started": (_("Billing run for %(period)s started"), {"example": {"period": "2026-11"}}),
        "billing.run_chunk": (_("Billing run for %(period)s: %(units)s units done, %(bills)s bills, %(amount)s"),
                              {"example": {"period": "2026-11", "units": 2000, "bills": 1990, "skipped": 10,
                                           "amount": "640000.00"}}),
        "billing.run_finished": (run_done, {"example": {"period": "2026-11", "bills": 1990, "amount": "640000.00",
                                                        "skipped": 10}}),
        "billing.meter_read": (meter_read, {"details": ("anomaly", "note"), "example": {
            "read_on": "2026-11-30", "reading": "234.50", "consumption": "35.20", "anomaly": "用量为上月三倍",
            "held": True, "note": "业主出差"}}),
        "billing.reading_confirmed": (_("Reading of %(read_on)s confirmed after review: %(reading)s"), {
            "details": ("anomaly", "note"), "example": {"read_on": "2026-11-30", "reading": "234.50",
                                                        "anomaly": "用量为上月三倍", "note": "已核实"}}),
        "billing.reading_corrected": (_("Reading of %(read_on)s corrected: %(corrected_from)s → %(reading)s"), {
            "details": ("note",), "example": {"read_on": "2026-11-30", "corrected_from": "2345.0",
                                              "reading": "234.50", "note": "抄错一位"}}),
        "billing.notice_issued": (notice_issued, {"example": {"stage": "reminder", "unit": "1栋1单元101",
                                                              "total": "960.00", "bills": 3,
                                                              "due_on": "2026-12-15"}}),
        "billing.notices_issued": (_("%(notices)s %(stage)s issued on %(issued_on)s: %(bills)s bills, %(total)s"),
                                   {"example": {"stage": "payment_notice", "issued_on": "2026-12-01",
                                                "notices": 120, "bills": 360, "total": "115200.00"}}),
        "billing.shared_cost_computed": (_("Shared cost for %(period)s computed: %(amount)s (%(method)s)"), {
            "example": {"period": "2026-11", "item": "shared-power", "building": 3, "consumption": "1500.00",
                        "amount": "1200.00", "method": "by_area"}}),
        "billing.shared_costs_withdrawn": (withdrawn, {"example": {
            "period": "2026-11", "item": "公共照明及电梯用电分摊",
            "withdrawn": [{"building": "1栋", "amount": "600.00"}, {"building": "", "amount": "600.00"}]}}),
        "billing.refund_requested": (_("Refund of %(amount)s requested: %(reason)s"), {
            "example": {"payment": 34764, "amount": "100.00", "reason": "重复缴费"}}),
        "billing.refund_approved": (_("Refund of %(amount)s approved and paid back"), {
            "details": ("approval_comment",), "example": {"amount": "100.00", "entry": 34764,
                                                           "approval_comment": "核对无误"}}),
        "billing.refund_rejected": (_("Refund rejected: %(note)s"), {"example": {"note": "款项已用于抵扣欠费"}}),
        "billing.payment_started": (_("Online payment of %(amount)s started (%(channel)s)"), {
            "example": {"unit": "1栋1单元101", "amount": "320.00", "channel": "wechat", "reference": "wx-20261201"}}),
        "billing.payment_confirmed": (_("Online payment of %(amount)s confirmed at %(paid_at)s"), {
            "example": {"reference": "wx-20261201", "payment": 34764, "amount": "320.00",
                        "paid_at": "2026-12-01T09:30:00+08:00"}}),
        "billing.payment_failed": (_("Online payment failed"), {"example": {"reference": "wx-20261201"}}),
        "billing.payment_expired": (_("Online payment expired unpaid"), {"example": {"reference": "wx-20261201"}}),
        "billing.reference_verified": (_("Payment reference confirmed by the provider"),
                                       {"example": {"reference": "wx-20261201"}}),
        "billing.write_off_requested": (_("Write-off of %(amount)s on %(unit)s %(period)s %(item)s requested: "
                                          "%(reason)s"), {"example": WRITE_OFF | {"reason": "业主困难减免"}}),
        "billing.write_off_approved": (_("Write-off of %(amount)s on %(unit)s %(period)s %(item)s approved"), {
            "details": ("note",), "example": WRITE_OFF | {"note": "同意"}}),
        "billing.write_off_rejected": (_("Write-off of %(amount)s on %(unit)s %(period)s %(item)s rejected: "
                                         "%(note)s"), {"example": WRITE_OFF | {"note": "材料不全"}}),
        "billing.reference_unconfirmed": (_("The provider has no record of this payment's reference: finance to "
                                            "check"), {"example": {"reference": "wx-20261201"}}),
    })
