"""`{% timeline subject %}`: the event log of one record (§1 "the timeline shown on each record").

    {% load timeline %}
    {% timeline unit %}

Apps give their event verbs and detail keys readable names once, e.g. in AppConfig.ready():

    from wuye.core.templatetags.timeline import register_event_labels
    register_event_labels(verbs={"ticket.closed": _("Ticket closed")}, details={"sla": _("time limit")})
"""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

from wuye.core.events import timeline as event_timeline

register = template.Library()

EVENT_LABELS: dict[str, str] = {}
DETAIL_LABELS: dict[str, str] = {}


def register_event_labels(verbs: dict | None = None, details: dict | None = None) -> None:
    EVENT_LABELS.update(verbs or {})
    DETAIL_LABELS.update(details or {})


@register.filter
def event_label(event) -> str:
    """The readable name of an event's verb (the verb itself when no app named it)."""
    return EVENT_LABELS.get(event.verb, event.verb)


def _value(value) -> str:
    if isinstance(value, (list, tuple)):
        return "、".join(_value(v) for v in value) if value else "—"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_value(v)}" for k, v in value.items())
    return "—" if value in (None, "") else str(value)


@register.filter
def event_details(event) -> list[tuple[str, str]]:
    """(label, value) pairs of an event's data; values are stored masked, so they can be shown as they are."""
    return [(DETAIL_LABELS.get(key, key), _value(value)) for key, value in (event.data or {}).items()]


@register.filter
def event_actor(event) -> str:
    if event.actor is None:
        return str(_("System"))
    return event.actor.get_full_name() or event.actor.get_username()


@register.inclusion_tag("core/_timeline.html")
def timeline(subject, newest_first=False):
    """The events about `subject` with their actors, oldest first (or newest first)."""
    events = list(event_timeline(subject))
    if newest_first:
        events.reverse()
    return {"events": events}
