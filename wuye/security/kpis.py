"""Order and security figures in the KPI registry (patrol completion %)."""


def register() -> None:
    """Called once from the app's registry."""
