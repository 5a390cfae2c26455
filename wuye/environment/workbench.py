"""Workbench cards for the environment department."""


def register() -> None:
    """Called once from the app's registry."""
