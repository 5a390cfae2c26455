from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from wuye.core.admin import RecordedAdmin

from .models import Residency, Resident, StaffProfile, Vehicle


@admin.register(StaffProfile)
class StaffProfileAdmin(RecordedAdmin):
    list_display = ("user", "company", "role", "is_supervisor", "all_projects")
    list_filter = ("role", "company", "is_supervisor")
    filter_horizontal = ("projects",)
    search_fields = ("user__username", "user__first_name")


class ResidencyInline(admin.TabularInline):
    model = Residency
    extra = 0
    raw_id_fields = ("unit",)


class VehicleInline(admin.TabularInline):
    model = Vehicle
    extra = 0
    fields = ("plate", "kind", "brand")


@admin.register(Resident)
class ResidentAdmin(RecordedAdmin):
    """Lists show masked phones and ID numbers (§1); the change form shows them in full to the administrator."""

    list_display = ("name", "project", "phone_masked", "id_number_masked", "user")
    list_filter = ("project",)
    search_fields = ("name", "=phone", "=id_number")
    list_select_related = ("project", "user")
    inlines = [ResidencyInline, VehicleInline]
    raw_id_fields = ("user",)

    @admin.display(description=_("phone"))
    def phone_masked(self, resident):
        return resident.masked_phone

    @admin.display(description=_("ID number"))
    def id_number_masked(self, resident):
        return resident.masked_id_number

    def save_formset(self, request, form, formset, change):
        for vehicle in formset.save(commit=False):
            if isinstance(vehicle, Vehicle):
                vehicle.project_id = form.instance.project_id
            vehicle.save()
        formset.save_m2m()
        for obj in formset.deleted_objects:
            obj.delete()


@admin.register(Vehicle)
class VehicleAdmin(RecordedAdmin):
    list_display = ("plate", "kind", "resident", "project")
    list_filter = ("project", "kind")
    search_fields = ("plate",)
    list_select_related = ("resident", "project")
    raw_id_fields = ("resident",)
