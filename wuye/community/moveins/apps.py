from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MoveInsConfig(AppConfig):
    name = "wuye.community.moveins"
    label = "moveins"
    verbose_name = _("Move-in")

    def ready(self):
        from .registry import register

        register()
