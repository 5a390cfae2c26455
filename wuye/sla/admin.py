from django.contrib import admin

from wuye.core.admin import ReadOnlyAdmin, RecordedAdmin

from .models import Clock, Policy, ProjectStandard, ServiceStandard


class PolicyInline(admin.TabularInline):
    model = Policy
    extra = 0
    fields = ("key", "name", "target", "measure", "warn_percent", "responsible_role", "escalation")


@admin.register(ServiceStandard)
class ServiceStandardAdmin(RecordedAdmin):
    list_display = ("name", "code")
    inlines = [PolicyInline]


@admin.register(ProjectStandard)
class ProjectStandardAdmin(RecordedAdmin):
    list_display = ("project", "standard")


@admin.register(Clock)
class ClockAdmin(ReadOnlyAdmin):
    """Clocks start, stop and escalate only through the engine (`sla.engine`), on their subjects' events."""

    list_display = ("key", "subject_type", "subject_id", "project", "state", "due_at", "escalation_level", "overrun")
    list_filter = ("state", "key", "project")
