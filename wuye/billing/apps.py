from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "wuye.billing"
    label = "billing"
    verbose_name = _("Fees and payments")

    def ready(self):
        from .registry import register

        register()
