"""What catalogue adds to the shared registries (permissions, sentences, jobs, workbench cards, portal tiles)."""


def register() -> None:
    from django.urls import reverse
    from django.utils.translation import gettext, gettext_lazy

    from wuye.community.home import Section, register_section
    from wuye.web.context import Tile, register_tile

    from . import jobs, permissions, services, workbench  # noqa: F401  (grants, sentences and jobs register on import)

    def figure(actor):
        if not actor.may("catalogue.accept"):
            return None
        return (services.awaiting_acceptance(actor).count(), gettext("orders to accept"),
                reverse("catalogue:orders") + "?status=ordered")

    workbench.register()
    register_section(Section(key="catalogue", label=gettext_lazy("Paid services"), url_name="catalogue:list",
                             resource="catalogue.items", order=60, figure=figure,
                             description=gettext_lazy("The catalogue with prices and the owners' orders")))
    register_tile(Tile("services", gettext_lazy("Convenience services"), "catalogue:h5_list", icon="wrench",
                       order=60))
