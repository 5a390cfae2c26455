"""`{% timeline subject %}`: the event log of one record (§1 "the timeline shown on each record").

    {% load timeline %}
    {% timeline unit %}

Apps give their event verbs and detail keys readable names once, e.g. in AppConfig.ready():

    from wuye.core.templatetags.timeline import register_event_labels
    register_event_labels(verbs={"ticket.closed": _("Ticket closed")}, details={"sla": _("time limit")},
                          values={"priority": dict(Priority.choices)})
"""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

from wuye.core.events import timeline as event_timeline

register = template.Library()

EVENT_LABELS: dict[str, str] = {}
DETAIL_LABELS: dict[str, str] = {}
VALUE_LABELS: dict[str, dict[str, str]] = {}  # detail key → stored code → readable name (enum codes)


def register_event_labels(verbs: dict | None = None, details: dict | None = None,
                          values: dict[str, dict] | None = None) -> None:
    EVENT_LABELS.update(verbs or {})
    DETAIL_LABELS.update(details or {})
    for key, names in (values or {}).items():
        VALUE_LABELS.setdefault(key, {}).update(names)


@register.filter
def event_label(event) -> str:
    """The readable name of an event's verb (the verb itself when no app named it). A label may be a function of
    the event, for a sentence that carries its figures ("费用 ¥120.00 已计入业主账单（挂账）")."""
    label = EVENT_LABELS.get(event.verb, event.verb)
    return label(event) if callable(label) else label


def _value(value, names=None) -> str:
    if isinstance(value, (list, tuple)):
        return "、".join(_value(v, names) for v in value) if value else "—"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_value(v)}" for k, v in value.items())
    if names and isinstance(value, str) and value in names:
        return str(names[value])
    return "—" if value in (None, "") else str(value)


@register.filter
def event_details(event) -> list[tuple[str, str]]:
    """(label, value) pairs of an event's data, empty values left out; values are stored masked (§1), so they
    can be shown as they are."""
    return [
        (DETAIL_LABELS.get(key, key), _value(value, VALUE_LABELS.get(key)))
        for key, value in (event.data or {}).items()
        if value not in (None, "", [], {})
    ]


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
