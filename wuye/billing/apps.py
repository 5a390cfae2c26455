from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "wuye.billing"
    label = "billing"
    verbose_name = _("Fees and payments")

    def ready(self):
        from . import billers, dunning  # noqa: F401  (billers and the dunning handler register themselves)
        from .registry import register
        from .write_offs import register_sentences

        register()
        register_sentences()  # the write-off requests' events (write_offs.py)
