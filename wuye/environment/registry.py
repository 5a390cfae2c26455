"""What the environment app adds to the shared registries (permissions, sentences, jobs, workbench cards, KPIs,
navigation). Every feature module registers its own sentences on import; this imports them all."""


def register() -> None:
    from . import checks, cleaning, greening, jobs, permissions  # noqa: F401  (register on import)
    from .kpis import register as register_kpis
    from .workbench import register as register_workbench

    register_kpis()
    register_workbench()
    from django.utils.translation import gettext_lazy

    from wuye.web.context import NavItem, register_nav

    from .urls import urlpatterns as environment_urls

    console_names = tuple(f"environment:{p.name}" for p in environment_urls if str(p.pattern).startswith("console/"))
    register_nav(NavItem("environment", gettext_lazy("Environment"), "environment:home",
                         permission="environment.view", icon="leaf", order=56, url_names=console_names))
