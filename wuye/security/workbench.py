"""Workbench cards for order/security and the front desk."""


def register() -> None:
    """Called once from the app's registry."""
