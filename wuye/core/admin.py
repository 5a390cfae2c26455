"""The admin site's ground rules: every admin that writes records what it did in the event log.

`RecordedAdmin` is the base of every writing ModelAdmin: a save records "admin.added"/"admin.changed" (the names
of the fields and inline rows that changed, never their values, so no PII reaches the log), a deletion
"admin.deleted", each with the acting user and in the transaction of the change. Money models are not edited here
at all (`ReadOnlyAdmin`): they move only through billing's services, which keep the ledger. A test walks the admin
registry, so a new admin that writes without recording fails it.
"""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin  # importing registers them, so they can be replaced
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from .events import compose_event, record_event, record_events
from .models import ApiToken, CalendarOverride, Event, JobState, Notification, WorkCalendar
from .pii import mask_text
from .sentences import admin_changed, admin_deleted, register_sentences
from .templatetags.timeline import register_event_labels
from .tokens import revoke_token

ADDED, CHANGED, DELETED = "admin.added", "admin.changed", "admin.deleted"

register_sentences({
    ADDED: (_("Added in the admin site"), {"example": {"fields": ["name", "is_active"]}}),
    CHANGED: (admin_changed, {"example": {"fields": ["name", "password"], "inlines": {"overrides": {"added": 2}}}}),
    DELETED: (admin_deleted, {"example": {"model": "core.calendaroverride", "object": "2026-10-01 休息日"}}),
})
register_event_labels(
    details={"fields": _("fields changed"), "inlines": _("related rows"), "object": _("record"),
             "model": _("record type")},
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Lists and detail pages only: for records that change only through services (money, history)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RecordedAdmin(admin.ModelAdmin):
    """A ModelAdmin whose every save and deletion records an event (see the module's docstring)."""

    def event_project_id(self, obj):
        """The project an event about `obj` belongs to (for project-scoped audit views)."""
        return getattr(obj, "project_id", None)

    def _record(self, request, obj, verb, data):
        return compose_event(obj, verb, actor=request.user, data=data, project_id=self.event_project_id(obj))

    def save_related(self, request, form, formsets, change):
        # The admin calls this right after save_model, in the same transaction (change form and list_editable
        # alike): by now the object, its many-to-many fields and its inline rows are saved, so one event says all.
        super().save_related(request, form, formsets, change)
        inlines = {}
        for formset in formsets:
            counts = {"added": len(formset.new_objects), "changed": len(formset.changed_objects),
                      "deleted": len(formset.deleted_objects)}
            if any(counts.values()):
                inlines[formset.model._meta.model_name] = {key: n for key, n in counts.items() if n}
        fields = sorted(form.changed_data)
        if change and not fields and not inlines:
            return  # "Save" without a change: nothing happened
        record_events([self._record(request, form.instance, CHANGED if change else ADDED,
                                    {"fields": fields, **({"inlines": inlines} if inlines else {})})])

    def _deleted(self, request, obj):
        return self._record(request, obj, DELETED, {"model": obj._meta.label_lower,
                                                    "object": mask_text(str(obj))[:200]})

    def delete_model(self, request, obj):
        with transaction.atomic():
            record_events([self._deleted(request, obj)])  # before the row goes: the event keeps its id
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        # The "delete selected" action runs outside the change form's transaction: one of our own.
        with transaction.atomic():
            record_events([self._deleted(request, obj) for obj in queryset])
            super().delete_queryset(request, queryset)


class CalendarOverrideInline(admin.TabularInline):
    model = CalendarOverride
    extra = 1


@admin.register(WorkCalendar)
class WorkCalendarAdmin(RecordedAdmin):
    list_display = ("name", "morning_start", "morning_end", "afternoon_start", "afternoon_end")
    inlines = [CalendarOverrideInline]


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    """Read-only: the audit log is append-only."""

    list_display = ("created_at", "verb", "actor", "subject_type", "subject_id", "project_id")
    list_filter = ("verb", "subject_type")
    date_hierarchy = "created_at"
    list_select_related = ("actor", "subject_type")


@admin.register(Notification)
class NotificationAdmin(RecordedAdmin):
    list_display = ("created_at", "recipient", "channel", "subject_line", "status", "attempts", "sent_at", "read_at")
    list_filter = ("channel", "status")
    search_fields = ("subject_line", "recipient__username")
    list_select_related = ("recipient",)
    readonly_fields = ("attempts", "last_error", "sent_at", "read_at", "claimed_until")


@admin.register(JobState)
class JobStateAdmin(RecordedAdmin):
    list_display = ("name", "next_run_at", "last_started_at", "last_finished_at", "last_ok", "runs")
    readonly_fields = ("last_started_at", "last_finished_at", "last_ok", "last_error", "runs")


@admin.register(ApiToken)
class ApiTokenAdmin(RecordedAdmin):
    """Tokens are issued by signing in; here an administrator only revokes them, through the same service as
    `DELETE /api/v1/auth/token` (so the event reads "token revoked", not a bare deletion)."""

    list_display = ("user", "prefix", "created_at", "last_used_at", "expires_at")
    readonly_fields = ("user", "prefix", "key_hash", "created_at", "last_used_at", "expires_at")

    def has_add_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        revoke_token(obj, actor=request.user, reason="admin")

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for token in queryset.select_related("user"):
                revoke_token(token, actor=request.user, reason="admin")


# Django's own user and group admins, recorded like the others (accounts and their rights matter most).
User = get_user_model()
admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class RecordedUserAdmin(RecordedAdmin, UserAdmin):
    def user_change_password(self, request, id, form_url=""):
        # Django's password page saves outside the change form: record it in a transaction of our own.
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            # Saved = redirected to the user's page (a refused form renders again, a conflicting one reloads).
            if request.method == "POST" and response.status_code == 302 and response.url != request.get_full_path():
                record_event(self.get_object(request, unquote(id)), CHANGED, actor=request.user,
                             data={"fields": ["password"]})
        return response


@admin.register(Group)
class RecordedGroupAdmin(RecordedAdmin, GroupAdmin):
    pass
