"""The one place that decides whether a request gets a whole page or only the fragment htmx asked for."""

from __future__ import annotations

from django.shortcuts import render
from django.utils.cache import patch_vary_headers


def is_htmx(request) -> bool:
    """True for requests htmx sends (header `HX-Request: true`), except when it restores history and needs the
    whole page."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"


def render_page(request, template: str, partial: str, context: dict | None = None, status: int | None = None):
    """Render `partial` for an htmx request and `template` (which includes the partial) otherwise.

    The answer varies on `HX-Request`, so no cache hands a fragment to a full page load or the other way round.
    """
    htmx = is_htmx(request)
    context = {**(context or {}), "is_htmx": htmx}
    response = render(request, partial if htmx else template, context, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response
