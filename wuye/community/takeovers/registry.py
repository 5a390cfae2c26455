"""What takeovers adds to the shared registries (permissions, sentences, workbench cards, the community home's
section). Owners have no portal tile: the takeover is between the developer and the property company (the owner
representatives invited are named on it)."""


def register() -> None:
    from django.utils.translation import gettext, gettext_lazy

    from wuye.community.home import Section, register_section

    from . import permissions, services  # noqa: F401  (grants and sentences register on import)
    from .workbench import register as register_workbench

    register_workbench()

    def figure(actor):
        from django.urls import reverse

        return (services.open_findings(actor).count(), gettext("findings open"), reverse("takeovers:findings"))

    register_section(Section(
        key="takeovers", label=gettext_lazy("Takeover from the developer"), url_name="takeovers:list",
        resource="takeovers.takeovers", order=20,
        description=gettext_lazy("Checklists by system, rectification notices, documents, the report"),
        figure=figure))
