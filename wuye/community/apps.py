from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "wuye.community"
    label = "community"
    verbose_name = _("Community operations")

    def ready(self):
        from .registry import register

        register()
