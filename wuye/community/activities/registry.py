"""What activities adds to the shared registries (permissions, sentences, workbench cards, portal tiles)."""


def register() -> None:
    from django.urls import reverse
    from django.utils.translation import gettext, gettext_lazy

    from wuye.community.home import Section, register_section
    from wuye.web.context import Tile, register_tile

    from . import permissions, services, workbench  # noqa: F401  (grants and sentences register on import)
    from .models import ActivityStatus

    def figure(actor):
        count = services.activities(actor).filter(status=ActivityStatus.OPEN).count()
        return count, gettext("open for sign-up"), reverse("activities:list") + "?status=open"

    workbench.register()
    register_section(Section(key="activities", label=gettext_lazy("Community activities"),
                             url_name="activities:list", resource="activities.activities", order=80, figure=figure,
                             description=gettext_lazy("Sign-up, places and check-in")))
    register_tile(Tile("activities", gettext_lazy("Community activities"), "activities:h5_list", icon="users",
                       order=80))
