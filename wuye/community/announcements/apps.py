from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnnouncementsConfig(AppConfig):
    name = "wuye.community.announcements"
    label = "announcements"
    verbose_name = _("Announcements")

    def ready(self):
        from .registry import register

        register()
