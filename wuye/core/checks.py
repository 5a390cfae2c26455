"""System checks for settings that would be unsafe in production."""

import os

from django.conf import settings
from django.core.checks import Error, register


@register(deploy=True)
def development_secret_key(app_configs, **kwargs):
    """`manage.py check --deploy` refuses the development key; local runs and tests may keep it."""
    if settings.SECRET_KEY.startswith("wuye-insecure") and os.environ.get("SECRET_KEY") is None:
        return [
            Error(
                "SECRET_KEY is the development default.",
                hint="Set SECRET_KEY in the environment (any long random string).",
                id="wuye.E001",
            )
        ]
    return []
