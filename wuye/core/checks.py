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


@register(deploy=True)
def development_payment_secret(app_configs, **kwargs):
    """The simulated payment channel signs with a development key unless PAYMENT_CALLBACK_SECRET is set: in
    production that would let anyone who read the source confirm payments. Set it, or empty to turn it off."""
    if os.environ.get("PAYMENT_CALLBACK_SECRET") is None and getattr(settings, "PAYMENT_CALLBACK_SECRET", ""):
        return [
            Error(
                "PAYMENT_CALLBACK_SECRET is the development default.",
                hint="Set PAYMENT_CALLBACK_SECRET (a long random string), or to an empty string to turn the "
                     "simulated payment channel off.",
                id="wuye.E002",
            )
        ]
    return []
