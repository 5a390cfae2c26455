from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "wuye.core"
    label = "core"
    verbose_name = _("Platform")

    def ready(self):
        from . import checks  # noqa: F401  (registers system checks)

        # Each app declares what its roles may do in permissions.py and its periodic work in jobs.py.
        autodiscover_modules("permissions")
        autodiscover_modules("jobs")
