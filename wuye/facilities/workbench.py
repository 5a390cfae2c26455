"""Facilities cards and to-dos on the workbench (wuye.web.workbench)."""


def register() -> None:
    """Register the facilities cards and to-dos (filled by the workbench stream)."""
