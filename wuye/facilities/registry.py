"""What the facilities app adds to the shared registries (permissions, sentences, jobs, workbench cards, KPIs,
navigation). Every feature module registers its own sentences on import; this imports them all."""


def register() -> None:
    from . import (  # noqa: F401  (grants, sentences and jobs register on import)
        entrapments,
        faults,
        fire,
        handovers,
        jobs,
        labels,
        operation,
        permissions,
        plans,
        register,
        register_io,
    )
    from .kpis import register as register_kpis
    from .workbench import register as register_workbench

    register_kpis()
    register_workbench()
    from django.utils.translation import gettext_lazy

    from wuye.web.context import NavItem, register_nav

    from .urls import urlpatterns as facilities_urls

    console_names = tuple(f"facilities:{p.name}" for p in facilities_urls if str(p.pattern).startswith("console/"))
    register_nav(NavItem("facilities", gettext_lazy("Facilities"), "facilities:home", permission="facilities.view",
                         icon="cog", order=50, url_names=console_names))
