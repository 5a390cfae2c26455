"""Decoration's periodic job: close the decorations whose deposit refund billing approved (services.close_refunded,
registered with `core.scheduling.periodic` where it is defined)."""

from .services import close_refunded  # noqa: F401
