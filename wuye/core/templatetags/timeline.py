"""`{% timeline subject %}`: the event log of one record (§1 "the timeline shown on each record"), each event as a
sentence (wuye.core.sentences), the time limits a step started or stopped shown inside that step.

    {% load timeline %}
    {% timeline unit %}
    {% include "core/_timeline.html" with events=events %}   {# a list of events gathered by the page #}

Apps say how their events read in wuye.core.sentences (`register_sentence`). `register_event_labels` is the older
way (a label per verb, labels of detail keys, names of codes) and still works: a verb with only a label reads as
that label, with no details printed.
"""

from __future__ import annotations

from django import template

from wuye.core import sentences
from wuye.core.events import timeline as event_timeline
from wuye.core.sentences import DETAIL_LABELS, SENTENCES, VALUE_LABELS  # noqa: F401 (older imports)

register = template.Library()

def register_event_labels(verbs: dict | None = None, details: dict | None = None,
                          values: dict[str, dict] | None = None) -> None:
    """Compatibility: a verb's label becomes its sentence unless a sentence was registered for it."""
    for verb, label in (verbs or {}).items():
        sentences.register_label(verb, label)
    sentences.register_terms(details=details, values=values)


@register.filter
def event_label(event) -> str:
    """The event as one readable sentence."""
    return sentences.event_sentence(event)


@register.filter
def event_details(event) -> list[tuple[str, str]]:
    """The (label, value) pairs shown under the sentence (the keys its registration names)."""
    return sentences.event_details(event)


@register.filter
def event_actor(event) -> str:
    return sentences.person_name(event.actor)


@register.filter
def as_steps(events):
    """A list of events as timeline steps (names resolved in batches, time limits folded into their steps)."""
    return sentences.timeline_steps(events or [])


@register.inclusion_tag("core/_timeline.html")
def timeline(subject, newest_first=False):
    """The events about `subject` with their actors, oldest first (or newest first)."""
    events = list(event_timeline(subject))
    if newest_first:
        events.reverse()
    return {"events": events}
