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
    # Dashboards and the monthly report (quality/web/dashboard.py, reports.py, workbench.py, report_jobs.py).
    from wuye.web.context import NavItem, register_nav

    from . import report_jobs  # noqa: F401  (the monthly report's job registers on import)
    from .reports import register_report_sentences
    from .urls import urlpatterns as quality_urls
    from .web.workbench_kpis import register as register_kpi_cards
    from .workbench import register as register_workbench

    register_report_sentences()
    register_workbench()
    register_kpi_cards()
    console_names = tuple(f"quality:{p.name}" for p in quality_urls if str(p.pattern).startswith("console/"))
    register_nav(NavItem("quality", gettext_lazy("Quality"), "quality:home", permission="quality.view", icon="check",
                         order=60, url_names=console_names))
