"""The community home's sections: each process app under `wuye.community` registers the page it opens from the
home (and, optionally, a figure that needs someone's action), so the home lists only what exists and what the person
may read — one list, no copies of links per app."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from wuye.core.access import Actor, may_read
from wuye.core.links import url_or_none


@dataclass(frozen=True)
class Section:
    """A community process as the home shows it. `figure(actor)` returns (count, label) of what awaits action,
    counted with the same filter as the list `figure_url` (or `url_name`) opens; None shows no figure."""

    key: str
    label: str
    url_name: str
    resource: str
    order: int = 100
    description: str = ""
    figure: Callable[[Actor], tuple[int, str, str]] | None = None  # (count, label, url) — url "" → the section's


SECTIONS: dict[str, Section] = {}


def register_section(section: Section) -> None:
    SECTIONS[section.key] = section


def sections_for(actor: Actor) -> list[dict]:
    """The sections `actor` may open, in order, each with its URL and figure."""
    shown = []
    for section in sorted(SECTIONS.values(), key=lambda s: (s.order, s.key)):
        if not may_read(actor, section.resource):
            continue
        url = url_or_none(section.url_name)
        if url is None:
            continue
        figure = section.figure(actor) if section.figure else None
        shown.append({"key": section.key, "label": section.label, "url": url, "description": section.description,
                      "figure": None if figure is None else {"count": figure[0], "label": figure[1],
                                                              "url": figure[2] or url}})
    return shown
