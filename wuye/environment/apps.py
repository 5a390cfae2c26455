from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnvironmentConfig(AppConfig):
    name = "wuye.environment"
    label = "environment"
    verbose_name = _("Environment")

    def ready(self):
        from .registry import register

        register()
