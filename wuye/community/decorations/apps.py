from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DecorationsConfig(AppConfig):
    name = "wuye.community.decorations"
    label = "decorations"
    verbose_name = _("Decoration")

    def ready(self):
        from .registry import register

        register()
