from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CollectionConfig(AppConfig):
    name = "wuye.collection"
    label = "collection"
    verbose_name = _("Collection")

    def ready(self):
        from .registry import register

        register()
