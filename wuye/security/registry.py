"""What the security app adds to the shared registries (permissions, sentences, jobs, workbench cards, KPIs,
navigation). Every feature module registers its own sentences on import; this imports them all."""


def register() -> None:
    from . import (  # noqa: F401  (grants, sentences and jobs register on import)
        cameras,
        goods,
        jobs,
        labels,
        parking,
        patrols,
        permissions,
        visitors,
        worker_passes,
    )
    from .kpis import register as register_kpis
    from .workbench import register as register_workbench

    register_kpis()
    register_workbench()
    from django.utils.translation import gettext_lazy

    from wuye.web.context import NavItem, register_nav

    from .urls import urlpatterns as security_urls

    console_names = tuple(f"security:{p.name}" for p in security_urls if str(p.pattern).startswith("console/"))
    register_nav(NavItem("security", gettext_lazy("Order and security"), "security:home",
                         permission="security.view", icon="shield", order=55, url_names=console_names))
    from wuye.web.context import Tile, register_tile

    register_tile(Tile("visitors", gettext_lazy("My visitors"), "security:h5_visitors", icon="users", order=50))
