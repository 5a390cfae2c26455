from django.contrib import admin

from .models import Clock, Policy, ProjectStandard, ServiceStandard


class PolicyInline(admin.TabularInline):
    model = Policy
    extra = 0
    fields = ("key", "name", "target", "measure", "warn_percent", "responsible_role", "escalation")


@admin.register(ServiceStandard)
class ServiceStandardAdmin(admin.ModelAdmin):
    list_display = ("name", "code")
    inlines = [PolicyInline]


@admin.register(ProjectStandard)
class ProjectStandardAdmin(admin.ModelAdmin):
    list_display = ("project", "standard")


@admin.register(Clock)
class ClockAdmin(admin.ModelAdmin):
    list_display = ("key", "subject_type", "subject_id", "project", "state", "due_at", "escalation_level", "overrun")
    list_filter = ("state", "key", "project")
    readonly_fields = [f.name for f in Clock._meta.fields]

    def has_add_permission(self, request):
        return False
