from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingsConfig(AppConfig):
    name = "wuye.community.bookings"
    label = "bookings"
    verbose_name = _("Facility bookings")

    def ready(self):
        from .registry import register

        register()
