"""Links a page offers to other pages: only to pages that exist and that the person may open — a link never leads
to a refusal. One home for the rule every domain home (security, facilities, environment, community) uses."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from .access import Actor, may_read


def url_or_none(name: str, *args) -> str | None:
    """The URL of `name`, or None when no such page is mounted."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


@dataclass(frozen=True)
class PageLink:
    """A page a home links to: its URL name and label, the resource whose read rule decides, and for a page that
    acts (a form, a booth) the permission it needs as well."""

    url_name: str
    label: str
    resource: str
    permission: str | None = None


def page_links(actor: Actor, pages: Iterable[PageLink]) -> list[tuple[str, str]]:
    """(label, url) of the `pages` that exist and `actor` may open, in the given order."""
    links = []
    for page in pages:
        url = url_or_none(page.url_name)
        if url and may_read(actor, page.resource) and (page.permission is None or actor.may(page.permission)):
            links.append((str(page.label), url))
    return links
