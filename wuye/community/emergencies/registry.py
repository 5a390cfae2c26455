"""What emergencies adds to the shared registries (permissions, sentences, workbench cards, the community home)
and the one hook from facilities: an elevator entrapment started there opens its level-IV incident here
(facilities knows nothing of this app; it only sends `entrapment_started`)."""


def register() -> None:
    from django.utils.translation import gettext_lazy

    from wuye.community.home import Section, register_section
    from wuye.facilities.entrapments import entrapment_started
    from wuye.facilities.models import Entrapment

    from . import incidents, permissions, playbooks  # noqa: F401  (grants and sentences register on import)
    from .workbench import active_figure
    from .workbench import register as register_workbench

    register_workbench()
    register_section(Section(key="emergencies", label=gettext_lazy("Emergencies"), url_name="emergencies:list",
                             resource="emergencies.incidents", order=50,
                             description=gettext_lazy("Incidents IV–I, playbooks, the incident log and report"),
                             figure=active_figure))
    entrapment_started.connect(incidents.on_entrapment_started, sender=Entrapment,
                               dispatch_uid="emergencies.entrapment_incident")
