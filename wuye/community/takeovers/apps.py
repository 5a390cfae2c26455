from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TakeoversConfig(AppConfig):
    name = "wuye.community.takeovers"
    label = "takeovers"
    verbose_name = _("Takeover from the developer")

    def ready(self):
        from .registry import register

        register()
