from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Operating the installation: backups and restores (tooling: it may read every floor, no floor reads it)."""

    name = "wuye.ops"
    label = "ops"
    verbose_name = _("Operations")
