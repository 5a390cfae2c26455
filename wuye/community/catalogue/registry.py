"""What catalogue adds to the shared registries (permissions, sentences, jobs, workbench cards, portal tiles)."""


def register() -> None:
    from . import permissions  # noqa: F401  (grants and resources register on import)
