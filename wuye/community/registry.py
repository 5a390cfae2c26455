"""The community home in the console's navigation (each process app registers its own cards and tiles)."""


def register() -> None:
    from django.utils.translation import gettext_lazy

    from wuye.web.context import NavItem, register_nav

    from . import permissions  # noqa: F401  (grants register on import)

    register_nav(NavItem("community", gettext_lazy("Community"), "community:home", permission="community.view",
                         icon="home", order=52))
