"""What bookings adds to the shared registries (permissions, sentences, workbench cards, community home, portal
tile)."""


def register() -> None:
    from django.utils import timezone
    from django.utils.translation import gettext, gettext_lazy

    from wuye.community.home import Section, register_section
    from wuye.web.context import Tile, register_tile

    from . import permissions, services  # noqa: F401  (grants and sentences register on import)
    from .workbench import register as register_workbench
    from .workbench import today_url

    register_workbench()

    def figure(actor):
        today = timezone.localdate()
        return services.bookings_on(actor, today).count(), gettext("booked today"), today_url(today)

    register_section(Section(key="bookings", label=gettext_lazy("Facility bookings"), url_name="bookings:list",
                             resource="bookings.bookings", order=70, figure=figure,
                             description=gettext_lazy("Meeting rooms, the clubhouse and courts by the slot.")))
    register_tile(Tile("bookings", gettext_lazy("Facility bookings"), "bookings:h5_list", icon="clock", order=70))
