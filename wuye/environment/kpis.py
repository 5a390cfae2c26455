"""Environment figures in the KPI registry (cleaning tasks done on time %)."""


def register() -> None:
    """Called once from the app's registry."""
