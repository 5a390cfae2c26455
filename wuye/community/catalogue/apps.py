from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    name = "wuye.community.catalogue"
    label = "catalogue"
    verbose_name = _("Paid services")

    def ready(self):
        from .registry import register

        register()
