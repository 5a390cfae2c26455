from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenancyConfig(AppConfig):
    name = "wuye.tenancy"
    label = "tenancy"
    verbose_name = _("Communities and properties")
