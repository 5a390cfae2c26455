"""What announcements adds to the shared registries (permissions, sentences, jobs, workbench cards, the community
home's section, the portal's 社区公告 tile)."""


def register() -> None:
    from django.utils.translation import gettext_lazy

    from wuye.community.home import Section, register_section
    from wuye.web.context import Tile, register_tile

    from . import jobs, permissions, services  # noqa: F401  (grants, sentences and jobs register on import)
    from .workbench import register as register_workbench
    from .workbench import to_approve_figure

    register_workbench()
    register_section(Section(
        key="announcements", label=gettext_lazy("Announcements and disclosures"), url_name="announcements:list",
        resource="announcements.announcement", order=40, figure=to_approve_figure,
        description=gettext_lazy("Notices to residents, planned outages, public disclosures")))
    register_tile(Tile("announcements", gettext_lazy("Community notices"), "announcements:h5_list", icon="bell",
                       order=15))
