from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "wuye.community.activities"
    label = "activities"
    verbose_name = _("Community activities")

    def ready(self):
        from .registry import register

        register()
