from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    name = "wuye.security"
    label = "security"
    verbose_name = _("Order and security")

    def ready(self):
        from .registry import register

        register()
