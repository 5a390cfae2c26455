"""What decorations adds to the shared registries (permissions, sentences, jobs, workbench cards, portal tiles)."""


def register() -> None:
    from . import jobs, permissions, services  # noqa: F401  (grants, sentences and the job register on import)
