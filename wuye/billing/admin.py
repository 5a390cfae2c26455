"""Billing in the admin site. Money — bills, ledger entries (charges, payments, refunds, write-offs), payments and
their allocations, receipts, refund requests, online payments, billing runs, notices, shared costs — is shown,
never edited: it moves only through the services, which keep the one ledger and record each step. The charge
catalogue is edited here, on record."""

from django.contrib import admin

from wuye.core.admin import ReadOnlyAdmin, RecordedAdmin

from .models import (
    Allocation,
    Bill,
    BillingNotice,
    BillingRun,
    ChargeItem,
    LedgerEntry,
    Payment,
    PaymentIntent,
    Receipt,
    RefundRequest,
    SharedCost,
)


@admin.register(ChargeItem)
class ChargeItemAdmin(RecordedAdmin):
    list_display = ("name", "code", "kind", "project")
    list_filter = ("project", "kind")


@admin.register(Bill)
class BillAdmin(ReadOnlyAdmin):
    list_display = ("unit", "item", "period", "amount", "paid", "written_off", "due_on")
    list_filter = ("project", "item")
    list_select_related = ("unit__building", "item")


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ("unit", "amount", "channel", "received_at", "idempotency_key")
    list_filter = ("project", "channel")
    list_select_related = ("unit__building",)


@admin.register(Allocation)
class AllocationAdmin(ReadOnlyAdmin):
    list_display = ("payment", "bill", "amount", "created_at")
    list_select_related = ("payment", "bill")


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "unit", "kind", "amount", "memo")
    list_filter = ("project", "kind")
    list_select_related = ("unit__building",)


@admin.register(Receipt)
class ReceiptAdmin(ReadOnlyAdmin):
    list_display = ("project", "number", "payment", "issued_at")


@admin.register(RefundRequest)
class RefundRequestAdmin(ReadOnlyAdmin):
    list_display = ("payment", "amount", "state", "requested_by", "requested_at", "decided_by", "decided_at")
    list_filter = ("project", "state")


@admin.register(PaymentIntent)
class PaymentIntentAdmin(ReadOnlyAdmin):
    list_display = ("reference", "unit", "channel", "amount", "state", "created_at", "finished_at")
    list_filter = ("project", "channel", "state")
    list_select_related = ("unit__building",)


@admin.register(BillingRun)
class BillingRunAdmin(ReadOnlyAdmin):
    list_display = ("project", "period", "status", "units_done", "units_total", "bills_created", "amount_billed")
    list_filter = ("project", "status")


@admin.register(BillingNotice)
class BillingNoticeAdmin(ReadOnlyAdmin):
    list_display = ("unit", "stage", "issued_on", "due_on", "total")
    list_filter = ("project", "stage")
    list_select_related = ("unit__building",)


@admin.register(SharedCost)
class SharedCostAdmin(ReadOnlyAdmin):
    list_display = ("project", "item", "building", "period", "amount", "method", "units_count")
    list_filter = ("project", "item")
