"""What the quality app adds to the shared registries (permissions, sentences, jobs, workbench cards, KPIs).
Each feature module registers itself from here so the registrations are easy to find."""


def register() -> None:
    from . import jobs, permissions, sentences  # noqa: F401  (jobs, grants and resources register on import)

    sentences.register()
    from . import assessments  # noqa: F401  (its event sentences register on import)
    from .kpis import register as register_kpis

    register_kpis()  # quality's own KPIs and the placeholders of facilities and security (wuye.core.kpis)
