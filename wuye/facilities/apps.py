from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FacilitiesConfig(AppConfig):
    name = "wuye.facilities"
    label = "facilities"
    verbose_name = _("Facilities")

    def ready(self):
        from .registry import register

        register()
