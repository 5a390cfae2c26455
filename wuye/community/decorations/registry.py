"""What decorations adds to the shared registries (permissions, sentences, jobs, workbench cards, portal tiles)."""


def register() -> None:
    from . import jobs, permissions, services  # noqa: F401  (grants, sentences and the job register on import)
    _register_pages()


def _register_pages() -> None:
    """The community home's section (its figure: what awaits the person, the first of their workbench cards), the
    portal tile, the workbench cards, and the timeline's link to a decoration's page."""
    from django.utils.translation import gettext_lazy

    from wuye.community.home import Section, register_section
    from wuye.web.context import Tile, register_tile
    from wuye.web.labels import register_subject_url

    from .workbench import first_card
    from .workbench import register as register_workbench

    register_section(Section(key="decorations", label=gettext_lazy("Decoration"), url_name="decorations:list",
                             resource="decorations.decorations", order=30,
                             description=gettext_lazy("Applications, approvals, inspections during the works, "
                                                      "acceptance and the deposit refund."),
                             figure=first_card))
    register_tile(Tile("decorations", gettext_lazy("Decoration applications"), "decorations:h5_list", icon="grid",
                       order=40))
    register_workbench()
    register_subject_url("decorations", "decoration", "decorations:detail")
