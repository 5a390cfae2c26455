from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "wuye.sla"
    label = "sla"
    verbose_name = _("Service time limits")

    def ready(self):
        from .sentences import register

        register()
