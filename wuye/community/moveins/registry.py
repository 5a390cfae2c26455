"""What moveins adds to the shared registries (permissions, sentences, workbench cards, community-home section,
portal tile)."""


def _figure(actor):
    """Move-ins whose return visit is due — the rows the list opens with stage=return_visit."""
    from django.urls import reverse
    from django.utils.translation import gettext

    from .filters import filter_move_ins

    count = filter_move_ins(actor, {"stage": "return_visit"}).count()
    return count, gettext("return visits due"), f"{reverse('moveins:list')}?stage=return_visit"


def register() -> None:
    from django.utils.translation import gettext_lazy

    from wuye.community.home import Section, register_section
    from wuye.web.context import Tile, register_tile

    from . import permissions, services  # noqa: F401  (grants, resources and sentences register on import)
    from .workbench import register as register_workbench

    register_workbench()
    register_section(Section(key="moveins", label=gettext_lazy("Move-in"), url_name="moveins:list",
                             resource="moveins.move_ins", order=10,
                             description=gettext_lazy("Batches, the desk's steps, house inspection, keys"),
                             figure=_figure))
    register_tile(Tile("moveins", gettext_lazy("My move-in"), "moveins:h5_list", icon="home", order=30))
