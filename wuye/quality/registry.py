"""What the quality app adds to the shared registries (permissions, sentences, jobs, workbench cards, KPIs).
Each feature module registers itself from here so the registrations are easy to find."""


def register() -> None:
    from . import jobs, permissions, sentences  # noqa: F401  (jobs, grants and resources register on import)

    sentences.register()
    from .standards import register_standard_sentences

    register_standard_sentences()
    from . import assessments  # noqa: F401  (its event sentences register on import)
    from .kpis import register as register_kpis

    register_kpis()  # quality's own KPIs and the placeholders of facilities and security (wuye.core.kpis)
    from .surveys import register_survey_sentences

    register_survey_sentences()
    from django.utils.translation import gettext_lazy

    from wuye.web.context import Tile, register_tile

    register_tile(Tile("surveys", gettext_lazy("Satisfaction surveys"), "quality:h5_surveys", icon="check", order=45))
