from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "wuye.web"
    label = "web"
    verbose_name = _("Web console and owner portal")

    def ready(self):
        from .labels import register_all

        register_all()

        from .console import register_workbench

        register_workbench()
