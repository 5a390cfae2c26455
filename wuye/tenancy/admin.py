from django.contrib import admin

from wuye.core.admin import RecordedAdmin

from .models import Building, Company, Project, Unit


@admin.register(Company)
class CompanyAdmin(RecordedAdmin):
    list_display = ("name", "credit_code", "created_at")


class BuildingInline(admin.TabularInline):
    model = Building
    extra = 0
    fields = ("number", "name", "floors", "has_elevator")


@admin.register(Project)
class ProjectAdmin(RecordedAdmin):
    list_display = ("name", "code", "company", "address", "service_level", "work_calendar", "is_active")
    list_filter = ("company", "service_level", "is_active")
    search_fields = ("name", "code")
    inlines = [BuildingInline]

    def event_project_id(self, obj):
        return obj.pk


@admin.register(Building)
class BuildingAdmin(RecordedAdmin):
    list_display = ("__str__", "project", "number", "floors", "has_elevator")
    list_filter = ("project",)
    list_select_related = ("project",)


@admin.register(Unit)
class UnitAdmin(RecordedAdmin):
    list_display = ("label", "project", "floor", "area", "kind")
    list_filter = ("project", "kind", "building")
    search_fields = ("number",)
    list_select_related = ("project", "building")
    raw_id_fields = ("building",)

    def save_model(self, request, obj, form, change):
        obj.project_id = obj.building.project_id  # the unit's project is always its building's
        super().save_model(request, obj, form, change)
