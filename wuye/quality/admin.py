"""Quality in the admin site: records that change only through the services are shown, never edited.

Satisfaction surveys: a response shows its household only when the survey is not anonymous. An anonymous response
has no unit to show; its building is not shown either (nor offered as a filter or search), and responses are
listed by their random key, so no column or order of these pages pairs an answer with the invitation — the
household — that it settled. Invitations are not registered: the console shows who has answered."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from wuye.core.admin import ReadOnlyAdmin

from .models import Answer, Survey, SurveyResponse


@admin.register(Survey)
class SurveyAdmin(ReadOnlyAdmin):
    list_display = ("title", "project", "status", "anonymous", "opens_on", "closes_on")
    list_filter = ("project", "status", "anonymous")
    exclude = ("buildings",)


class AnswerInline(admin.TabularInline):
    model = Answer
    fields = ("question", "scale", "choices", "text")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("question__number",)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SurveyResponse)
class SurveyResponseAdmin(ReadOnlyAdmin):
    list_display = ("survey", "channel", "household")
    list_filter = ("survey__project", "channel")
    list_select_related = ("survey", "unit__building")
    fields = ("survey", "channel", "household")
    readonly_fields = fields
    ordering = ("survey", "id")  # the random key: no order of arrival
    inlines = [AnswerInline]

    @admin.display(description=_("household"))
    def household(self, response):
        if response.survey.anonymous or response.unit_id is None:
            return _("Anonymous")
        return response.unit.label
