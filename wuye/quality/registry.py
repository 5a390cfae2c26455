"""What the quality app adds to the shared registries (permissions, sentences, jobs, workbench cards, KPIs).
Each feature module registers itself from here so the registrations are easy to find."""


def register() -> None:
    from . import permissions  # noqa: F401  (grants and resources)
    from . import sentences

    sentences.register()
