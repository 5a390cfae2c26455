from django.contrib import admin

from .models import ApiToken, CalendarOverride, Event, JobState, Notification, WorkCalendar


class CalendarOverrideInline(admin.TabularInline):
    model = CalendarOverride
    extra = 1


@admin.register(WorkCalendar)
class WorkCalendarAdmin(admin.ModelAdmin):
    list_display = ("name", "morning_start", "morning_end", "afternoon_start", "afternoon_end")
    inlines = [CalendarOverrideInline]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    """Read-only: the audit log is append-only."""

    list_display = ("created_at", "verb", "actor", "subject_type", "subject_id", "project_id")
    list_filter = ("verb", "subject_type")
    date_hierarchy = "created_at"
    list_select_related = ("actor", "subject_type")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "recipient", "channel", "subject_line", "status", "attempts", "sent_at", "read_at")
    list_filter = ("channel", "status")
    search_fields = ("subject_line", "recipient__username")
    list_select_related = ("recipient",)
    readonly_fields = ("attempts", "last_error", "sent_at", "read_at", "claimed_until")


@admin.register(JobState)
class JobStateAdmin(admin.ModelAdmin):
    list_display = ("name", "next_run_at", "last_started_at", "last_finished_at", "last_ok", "runs")
    readonly_fields = ("last_started_at", "last_finished_at", "last_ok", "last_error", "runs")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "created_at", "expires_at")
    readonly_fields = ("user", "key_hash", "created_at")
