from django.contrib import admin

from .models import Bill, ChargeItem, LedgerEntry, Payment, Receipt


@admin.register(ChargeItem)
class ChargeItemAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "kind", "project")
    list_filter = ("project", "kind")


@admin.register(Bill)
class BillAdmin(admin.ModelAdmin):
    list_display = ("unit", "item", "period", "amount", "due_on")
    list_filter = ("project", "item")
    list_select_related = ("unit__building", "item")
    raw_id_fields = ("unit",)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Money movements are written by services only; the admin shows them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ("unit", "amount", "channel", "received_at", "idempotency_key")
    list_filter = ("project", "channel")


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "unit", "kind", "amount", "memo")
    list_filter = ("project", "kind")


@admin.register(Receipt)
class ReceiptAdmin(ReadOnlyAdmin):
    list_display = ("project", "number", "payment", "issued_at")
