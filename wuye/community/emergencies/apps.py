from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmergenciesConfig(AppConfig):
    name = "wuye.community.emergencies"
    label = "emergencies"
    verbose_name = _("Emergencies")

    def ready(self):
        from .registry import register

        register()
